//! The encryption keys of an installation: found, created on first start, and proved
//! against the database before anything is served.

use crate::config::Settings;
use advocase_storage::Store;
use advocase_storage::sealing::Keyring;
use anyhow::{Context, bail};

/// The keys for `store`: from `ADVOCASE_KEYS` when set, else the key file. On an
/// installation that holds no sealed text yet, a missing key file is created. A
/// missing or wrong key for a database that holds sealed text stops here, before
/// anything is served or written.
pub fn load(settings: &Settings, store: &Store) -> anyhow::Result<Keyring> {
    let samples = store
        .sealed_samples()
        .context("reading the database to check the encryption key")?;
    let file = settings.key_file();
    let keys = if let Ok(text) = std::env::var("ADVOCASE_KEYS") {
        Keyring::from_text(&text).context("reading the keys in ADVOCASE_KEYS")?
    } else if file.exists() {
        Keyring::open(&file)?
    } else if samples.is_empty() {
        let keys = Keyring::create(&file)?;
        eprintln!(
            "advocase: created the encryption key file {}. Keep a copy apart from the backups: without it the notes cannot be read.",
            file.display()
        );
        keys
    } else {
        bail!(
            "the encryption key file {} is missing, and this database holds encrypted notes. Put the key file back (or set ADVOCASE_KEYS, or key_file in the configuration); nothing was changed",
            file.display()
        );
    };
    if !samples.is_empty()
        && samples
            .iter()
            .all(|(column, value)| keys.open_value(column, value).is_err())
    {
        bail!(
            "the encryption keys in {} do not open this database's notes: this is the wrong key file for this database. Nothing was changed",
            if std::env::var("ADVOCASE_KEYS").is_ok() {
                "ADVOCASE_KEYS".to_string()
            } else {
                file.display().to_string()
            }
        );
    }
    Ok(keys)
}

/// `advocase keys rotate`: a new key for new text, every sealed value re-sealed under
/// it, then the old key retired. The server may keep running.
pub fn rotate(store: &Store) -> anyhow::Result<()> {
    let resealed = store.rotate_keys(&mut |column, count| {
        if count > 0 {
            eprintln!("  {column}: {count} re-sealed");
        }
    })?;
    println!(
        "Every note is now sealed under key {} ({resealed} values re-sealed); the old key is retired.",
        store.keys()?.current_id()
    );
    Ok(())
}
