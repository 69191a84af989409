//! Encryption at rest for free text: contact notes, issues and outcomes in the person's
//! words, descriptions of work, challenges and closing notes.
//!
//! Each value is sealed with XChaCha20-Poly1305 (authenticated encryption, a random
//! 24-byte nonce per value, so no nonce bookkeeping is needed) under the current key of
//! a [`Keyring`] kept outside the database: a file beside the data folder by default, or
//! the `ADVOCASE_KEYS` environment variable. The column name is bound in as associated
//! data, so a sealed value moved into another column does not open. A copy of the
//! database alone reveals no note text.
//!
//! Stored form: `enc1:<key id>:<base64 of nonce and ciphertext>`. The key id lets old
//! values open while `advocase keys rotate` re-seals them under a new key; a process
//! that meets a key id it does not know reads the key file again, so a server keeps
//! running through a rotation done by another process.

use crate::StoreError;
use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD as BASE64;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant, SystemTime};

const PREFIX: &str = "enc1:";
const NONCE_BYTES: usize = 24;

/// What a reader sees in place of a value whose ciphertext is damaged or whose key is
/// gone: a plain statement, never garbage. The error is logged with the column only.
pub const UNREADABLE: &str = "[This text cannot be read: its encrypted copy is damaged or its key is missing. Tell your administrator.]";

struct NamedKey {
    id: String,
    cipher: XChaCha20Poly1305,
    /// A key for keyed digests, derived from the sealing key so that the key file keeps
    /// one secret per key and one use of it never doubles as another.
    digest_key: [u8; 32],
    /// The key as written in the key file, for writing the file again on rotation.
    encoded: String,
}

/// How soon a process seals under a key that another process's rotation has put
/// first in the key file. The file is looked at no more than once in this time:
/// looking before every value sealed was a file-system call per value, about a quarter
/// of the processor time the demonstration's loader spent in the kernel. `advocase keys
/// rotate` waits longer than this, and for the writes then in progress, before the
/// pass that may end it.
pub const ROTATION_NOTICED_WITHIN: Duration = Duration::from_millis(250);

/// The keys that seal and open free text; the first is the current one.
pub struct Keyring {
    file: Option<PathBuf>,
    keys: RwLock<Vec<NamedKey>>,
    /// When the key file was last read and last looked at, so a rotation by another
    /// process is noticed within [`ROTATION_NOTICED_WITHIN`].
    seen: Mutex<FileSeen>,
}

/// What a keyring knows of its key file's last change.
#[derive(Default)]
struct FileSeen {
    /// The file's stamp when it was read.
    stamp: Option<FileStamp>,
    /// When the modification time was last compared.
    checked: Option<Instant>,
}

impl FileSeen {
    /// The file's stamp now, as just looked at.
    fn looked_at(path: &Path) -> Self {
        Self {
            stamp: stamp(path),
            checked: Some(Instant::now()),
        }
    }
}

/// What tells one version of the key file from another. The file is always replaced
/// whole (written beside and renamed over), so on Unix its inode changes each time; the
/// modification time alone can miss a change made within the file system's clock tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileStamp {
    modified: Option<SystemTime>,
    len: u64,
    inode: u64,
}

fn stamp(path: &Path) -> Option<FileStamp> {
    let metadata = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&metadata);
    #[cfg(not(unix))]
    let inode = 0;
    Some(FileStamp {
        modified: metadata.modified().ok(),
        len: metadata.len(),
        inode,
    })
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring")
            .field("file", &self.file)
            .field("keys", &self.key_ids())
            .finish()
    }
}

fn random_bytes<const N: usize>() -> [u8; N] {
    use rand::Rng;
    let mut bytes = [0u8; N];
    rand::rng().fill(&mut bytes);
    bytes
}

fn new_key() -> NamedKey {
    let bytes: [u8; 32] = random_bytes();
    let id = hex::encode(random_bytes::<4>());
    named(id, BASE64.encode(bytes)).unwrap_or_else(|_| unreachable!("a fresh key is valid"))
}

fn named(id: String, encoded: String) -> Result<NamedKey, StoreError> {
    let bytes = BASE64
        .decode(encoded.trim_end_matches('='))
        .map_err(|_| StoreError::Data(format!("encryption key {id} is not valid base64")))?;
    if bytes.len() != 32 {
        return Err(StoreError::Data(format!(
            "encryption key {id} must be 32 bytes, not {}",
            bytes.len()
        )));
    }
    let digest_key = hmac_sha256(&bytes, &[b"advocase keyed digest key"]);
    Ok(NamedKey {
        cipher: XChaCha20Poly1305::new(Key::from_slice(&bytes)),
        digest_key,
        id,
        encoded,
    })
}

/// HMAC-SHA-256 under `key` of the `parts`, one after the other.
fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    use hmac::Mac;
    let mut mac = <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// Reads key lines: `<id> <base64 key>`, the current key first; blank lines and lines
/// starting with `#` are ignored.
fn parse(text: &str) -> Result<Vec<NamedKey>, StoreError> {
    let mut keys = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((id, encoded)) = line.split_once(char::is_whitespace) else {
            return Err(StoreError::Data(
                "a line of the encryption key file is not `<id> <key>`".into(),
            ));
        };
        keys.push(named(id.to_string(), encoded.trim().to_string())?);
    }
    if keys.is_empty() {
        return Err(StoreError::Data(
            "the encryption key file holds no key".into(),
        ));
    }
    Ok(keys)
}

fn render(keys: &[NamedKey]) -> String {
    let mut text = String::from(
        "# Advocase encryption keys. The first is used for new text; keep every line until\n\
         # `advocase keys rotate` has finished. Without this file the notes cannot be read:\n\
         # keep a copy apart from the database backups.\n",
    );
    for key in keys {
        text.push_str(&format!("{} {}\n", key.id, key.encoded));
    }
    text
}

/// Writes the key file readable by its owner only, replacing it atomically.
fn write_file(path: &Path, keys: &[NamedKey]) -> Result<(), StoreError> {
    use std::io::Write;
    let temporary = path.with_extension("keys.tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&temporary)?;
    file.write_all(render(keys).as_bytes())?;
    file.sync_all()?;
    std::fs::rename(&temporary, path)?;
    Ok(())
}

impl Keyring {
    /// A keyring with one new key, held in memory only (for tests and tools).
    pub fn generate() -> Self {
        Self {
            file: None,
            keys: RwLock::new(vec![new_key()]),
            seen: Default::default(),
        }
    }

    /// Keys given as text (the `ADVOCASE_KEYS` variable), in the key file's format.
    pub fn from_text(text: &str) -> Result<Self, StoreError> {
        Ok(Self {
            file: None,
            keys: RwLock::new(parse(text)?),
            seen: Default::default(),
        })
    }

    /// Reads the key file.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            StoreError::Data(format!(
                "the encryption key file {} cannot be read: {e}",
                path.display()
            ))
        })?;
        Ok(Self {
            file: Some(path.to_path_buf()),
            keys: RwLock::new(parse(&text)?),
            seen: Mutex::new(FileSeen::looked_at(path)),
        })
    }

    /// Creates a key file with one new key. Refuses to replace an existing file.
    pub fn create(path: &Path) -> Result<Self, StoreError> {
        if path.exists() {
            return Err(StoreError::Data(format!(
                "the encryption key file {} already exists",
                path.display()
            )));
        }
        let keys = vec![new_key()];
        write_file(path, &keys)?;
        Ok(Self {
            file: Some(path.to_path_buf()),
            keys: RwLock::new(keys),
            seen: Mutex::new(FileSeen::looked_at(path)),
        })
    }

    /// The ids of the keys, current first.
    pub fn key_ids(&self) -> Vec<String> {
        self.keys
            .read()
            .map(|keys| keys.iter().map(|k| k.id.clone()).collect())
            .unwrap_or_default()
    }

    pub fn current_id(&self) -> String {
        self.key_ids().into_iter().next().unwrap_or_default()
    }

    /// A keyed digest (HMAC-SHA-256 under a key derived from the current key) of
    /// `message` for `purpose`, in hex. For short secrets such as an emailed six-digit
    /// code, whose plain hash anyone with a copy of the database could reverse by trying
    /// every value: without the key file, the digest gives nothing away. After a key
    /// rotation the digests of earlier messages no longer match, so it suits only
    /// secrets that live minutes.
    pub fn keyed_digest(&self, purpose: &str, message: &str) -> String {
        self.notice_rotation();
        let keys = self.keys.read().unwrap_or_else(|p| p.into_inner());
        hex::encode(hmac_sha256(
            &keys[0].digest_key,
            &[purpose.as_bytes(), &[0], message.as_bytes()],
        ))
    }

    /// Seals `plain` for `column` under the current key.
    pub fn seal(&self, column: &str, plain: &str) -> String {
        let (id, bytes) = self.seal_bytes(column, plain.as_bytes());
        format!("{PREFIX}{id}:{}", BASE64.encode(bytes))
    }

    /// Seals bytes under the current key with `bound` as associated data, so they open
    /// only for the same `bound`. Returns the key's id and the nonce followed by the
    /// ciphertext. Sealed text and stored documents are both sealed this way.
    pub fn seal_bytes(&self, bound: &str, plain: &[u8]) -> (String, Vec<u8>) {
        self.notice_rotation();
        let keys = self.keys.read().unwrap_or_else(|p| p.into_inner());
        let key = &keys[0];
        let nonce: [u8; NONCE_BYTES] = random_bytes();
        let sealed = key
            .cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plain,
                    aad: bound.as_bytes(),
                },
            )
            .unwrap_or_else(|_| unreachable!("encryption in memory cannot fail"));
        let mut bytes = nonce.to_vec();
        bytes.extend(sealed);
        (key.id.clone(), bytes)
    }

    /// Opens bytes sealed by [`Keyring::seal_bytes`] under key `id` for `bound`. A
    /// damaged value, or one under a key this keyring does not hold even after reading
    /// the key file again, is an error that names `bound` only.
    pub fn open_bytes(&self, bound: &str, id: &str, sealed: &[u8]) -> Result<Vec<u8>, StoreError> {
        let damaged = || StoreError::Data(format!("an encrypted value in {bound} cannot be read"));
        let known = |keys: &[NamedKey]| keys.iter().any(|k| k.id == id);
        if !known(&self.keys.read().unwrap_or_else(|p| p.into_inner())) {
            self.reload()?;
        }
        let keys = self.keys.read().unwrap_or_else(|p| p.into_inner());
        let key = keys.iter().find(|k| k.id == id).ok_or_else(|| {
            StoreError::Data(format!(
                "an encrypted value in {bound} uses key {id}, which is not in the key file"
            ))
        })?;
        if sealed.len() < NONCE_BYTES {
            return Err(damaged());
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_BYTES);
        key.cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: bound.as_bytes(),
                },
            )
            .map_err(|_| damaged())
    }

    /// Opens a value sealed for `column`. A damaged value, or one under a key this
    /// keyring does not hold even after reading the key file again, is an error.
    pub fn open_value(&self, column: &str, stored: &str) -> Result<String, StoreError> {
        let damaged = || StoreError::Data(format!("an encrypted value in {column} cannot be read"));
        let rest = stored.strip_prefix(PREFIX).ok_or_else(damaged)?;
        let (id, body) = rest.split_once(':').ok_or_else(damaged)?;
        let bytes = BASE64.decode(body).map_err(|_| damaged())?;
        let plain = self.open_bytes(column, id, &bytes)?;
        String::from_utf8(plain).map_err(|_| damaged())
    }

    /// Seals a text that may be absent.
    pub fn seal_some(&self, column: &str, plain: Option<&str>) -> Option<String> {
        plain.map(|text| self.seal(column, text))
    }

    /// Opens, in place and for showing, a text that may be absent.
    pub fn reveal_some(&self, column: &str, stored: &mut Option<String>) {
        if let Some(text) = stored.as_mut() {
            *text = self.reveal(column, text);
        }
    }

    /// Opens a value for showing: a damaged one becomes [`UNREADABLE`] and is logged
    /// with its column only, so one bad value never breaks a page.
    pub fn reveal(&self, column: &str, stored: &str) -> String {
        match self.open_value(column, stored) {
            Ok(plain) => plain,
            Err(error) => {
                tracing::error!(%error, column, "an encrypted value could not be opened");
                UNREADABLE.to_string()
            }
        }
    }

    /// Whether a stored value is sealed under the current key.
    pub fn is_current(&self, stored: &str) -> bool {
        stored
            .strip_prefix(PREFIX)
            .and_then(|rest| rest.split_once(':'))
            .is_some_and(|(id, _)| id == self.current_id())
    }

    /// Reads the key file again when it changed since it was read, so that once a
    /// rotation has put a new key first, this process seals under it too.
    fn notice_rotation(&self) {
        let Some(file) = &self.file else { return };
        let changed = {
            let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
            if seen
                .checked
                .is_some_and(|at| at.elapsed() < ROTATION_NOTICED_WITHIN)
            {
                return;
            }
            seen.checked = Some(Instant::now());
            stamp(file) != seen.stamp
        };
        if changed && let Err(error) = self.reload() {
            tracing::error!(%error, "the encryption key file could not be read again");
        }
    }

    /// Reads the key file again, for keys added by a rotation in another process.
    fn reload(&self) -> Result<(), StoreError> {
        let Some(file) = &self.file else {
            return Ok(());
        };
        let when = FileSeen::looked_at(file);
        let text = std::fs::read_to_string(file)?;
        let fresh = parse(&text)?;
        *self.keys.write().unwrap_or_else(|p| p.into_inner()) = fresh;
        *self.seen.lock().unwrap_or_else(|p| p.into_inner()) = when;
        Ok(())
    }

    /// Starts a rotation: a new current key goes first in the key file, the old ones
    /// stay so that everything still opens. Returns the new key's id.
    pub fn add_current_key(&self) -> Result<String, StoreError> {
        let mut keys = self.keys.write().unwrap_or_else(|p| p.into_inner());
        let key = new_key();
        let id = key.id.clone();
        keys.insert(0, key);
        if let Some(file) = &self.file {
            write_file(file, &keys)?;
            *self.seen.lock().unwrap_or_else(|p| p.into_inner()) = FileSeen::looked_at(file);
        }
        Ok(id)
    }

    /// Ends a rotation: drops every key but the current one from the key file.
    pub fn retire_old_keys(&self) -> Result<(), StoreError> {
        let mut keys = self.keys.write().unwrap_or_else(|p| p.into_inner());
        keys.truncate(1);
        if let Some(file) = &self.file {
            write_file(file, &keys)?;
            *self.seen.lock().unwrap_or_else(|p| p.into_inner()) = FileSeen::looked_at(file);
        }
        Ok(())
    }
}

/// A random name for a stored file, which says nothing about what it holds.
pub fn random_name() -> [u8; 16] {
    random_bytes()
}

/// The first bytes of a file sealed by [`Keyring::seal_file`].
pub const SEALED_FILE_MAGIC: &[u8] = b"ADVOCASE-SEALED-FILE-1\n";

/// The key a sealed file names in its header, or None for a file that is not one.
pub fn sealed_file_key(path: &Path) -> Result<Option<String>, StoreError> {
    use std::io::{BufRead, Read};
    let mut input = std::io::BufReader::new(std::fs::File::open(path)?);
    let mut magic = vec![0u8; SEALED_FILE_MAGIC.len()];
    if input.read_exact(&mut magic).is_err() || magic != SEALED_FILE_MAGIC {
        return Ok(None);
    }
    let mut id = String::new();
    input.read_line(&mut id)?;
    Ok(Some(id.trim().to_string()))
}

/// Plain bytes per sealed chunk of a file.
const FILE_CHUNK: usize = 64 * 1024;

impl Keyring {
    /// Seals a whole file (a backup) under the current key, in chunks with the STREAM
    /// construction, so a file of any size is sealed without holding it in memory and
    /// a reordered, cut or damaged copy fails to open. The file names the key it was
    /// sealed under.
    pub fn seal_file(&self, plain: &Path, sealed: &Path) -> Result<(), StoreError> {
        self.seal_from(std::fs::File::open(plain)?, sealed)
    }

    /// Seals what `input` holds into the new file `sealed`, as [`Keyring::seal_file`]
    /// does.
    pub fn seal_from(
        &self,
        mut input: impl std::io::Read,
        sealed: &Path,
    ) -> Result<(), StoreError> {
        use chacha20poly1305::aead::stream::EncryptorBE32;
        use std::io::Write;
        self.notice_rotation();
        let keys = self.keys.read().unwrap_or_else(|p| p.into_inner());
        let key = &keys[0];
        let nonce: [u8; 19] = random_bytes();
        let mut output = std::io::BufWriter::new(
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(sealed)?,
        );
        output.write_all(SEALED_FILE_MAGIC)?;
        output.write_all(format!("{}\n", key.id).as_bytes())?;
        output.write_all(&nonce)?;
        let mut encryptor = EncryptorBE32::from_aead(key.cipher.clone(), nonce.as_slice().into());
        let damaged = |_| StoreError::Data("sealing the file failed".into());
        let mut chunk = vec![0u8; FILE_CHUNK];
        let mut filled = read_full(&mut input, &mut chunk)?;
        loop {
            let mut next = vec![0u8; FILE_CHUNK];
            let next_filled = if filled == FILE_CHUNK {
                read_full(&mut input, &mut next)?
            } else {
                0
            };
            if next_filled == 0 {
                let last = encryptor.encrypt_last(&chunk[..filled]).map_err(damaged)?;
                output.write_all(&last)?;
                break;
            }
            output.write_all(&encryptor.encrypt_next(&chunk[..filled]).map_err(damaged)?)?;
            chunk = next;
            filled = next_filled;
        }
        output.flush()?;
        output.get_ref().sync_all()?;
        Ok(())
    }

    /// Opens a file sealed by [`Keyring::seal_file`] into `plain`, which must not exist.
    /// A file under a key this keyring does not hold, or one that was changed, is an
    /// error and leaves nothing behind.
    pub fn open_file(&self, sealed: &Path, plain: &Path) -> Result<(), StoreError> {
        let written = (|| {
            let mut output = std::io::BufWriter::new(
                std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(plain)?,
            );
            self.open_into(sealed, &mut output)?;
            use std::io::Write;
            output.flush()?;
            output.get_ref().sync_all()?;
            Ok::<(), StoreError>(())
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(plain);
        }
        written
    }

    /// Opens a sealed file into `output`. On an error, what was written so far must be
    /// thrown away by the caller: it is not the whole file.
    pub fn open_into(
        &self,
        sealed: &Path,
        output: &mut impl std::io::Write,
    ) -> Result<(), StoreError> {
        use chacha20poly1305::aead::stream::DecryptorBE32;
        use std::io::{BufRead, Read};
        let mut input = std::io::BufReader::new(std::fs::File::open(sealed)?);
        let mut magic = vec![0u8; SEALED_FILE_MAGIC.len()];
        input.read_exact(&mut magic)?;
        if magic != SEALED_FILE_MAGIC {
            return Err(StoreError::Data(format!(
                "{} is not a sealed Advocase file",
                sealed.display()
            )));
        }
        let mut id = String::new();
        input.read_line(&mut id)?;
        let id = id.trim().to_string();
        if !self.key_ids().contains(&id) {
            self.reload()?;
        }
        let keys = self.keys.read().unwrap_or_else(|p| p.into_inner());
        let key = keys.iter().find(|k| k.id == id).ok_or_else(|| {
            StoreError::Data(format!(
                "the backup was sealed under key {id}, which is not in the key file: use the key file that was in use when the backup was made"
            ))
        })?;
        let mut nonce = [0u8; 19];
        input.read_exact(&mut nonce)?;
        let mut decryptor = DecryptorBE32::from_aead(key.cipher.clone(), nonce.as_slice().into());
        let damaged = |_| {
            StoreError::Data(format!(
                "{} was changed or damaged after it was sealed",
                sealed.display()
            ))
        };
        let size = FILE_CHUNK + 16;
        {
            let mut chunk = vec![0u8; size];
            let mut filled = read_full(&mut input, &mut chunk)?;
            loop {
                let mut next = vec![0u8; size];
                let next_filled = if filled == size {
                    read_full(&mut input, &mut next)?
                } else {
                    0
                };
                if next_filled == 0 {
                    output
                        .write_all(&decryptor.decrypt_last(&chunk[..filled]).map_err(damaged)?)?;
                    break;
                }
                output.write_all(&decryptor.decrypt_next(&chunk[..filled]).map_err(damaged)?)?;
                chunk = next;
                filled = next_filled;
            }
        }
        Ok(())
    }
}

/// Reads until `buffer` is full or the input ends; returns how many bytes were read.
fn read_full(input: &mut impl std::io::Read, buffer: &mut [u8]) -> Result<usize, StoreError> {
    let mut filled = 0;
    while filled < buffer.len() {
        match input.read(&mut buffer[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_only_in_its_own_column_and_reveals_nothing() {
        let keys = Keyring::generate();
        let sealed = keys.seal("contacts.discussed", "Her rights under section 3");
        assert!(sealed.starts_with("enc1:"));
        assert!(!sealed.contains("rights"));
        assert_eq!(
            keys.open_value("contacts.discussed", &sealed).unwrap(),
            "Her rights under section 3"
        );
        assert!(keys.open_value("contacts.agreed", &sealed).is_err());
        // The same text sealed twice looks different: nothing repeats across rows.
        assert_ne!(
            sealed,
            keys.seal("contacts.discussed", "Her rights under section 3")
        );
    }

    #[test]
    fn a_keyed_digest_depends_on_the_key_the_purpose_and_the_message() {
        let keys = Keyring::generate();
        let digest = keys.keyed_digest("sign-in-code", "7:123456");
        assert_eq!(digest, keys.keyed_digest("sign-in-code", "7:123456"));
        assert_eq!(digest.len(), 64);
        assert_ne!(digest, keys.keyed_digest("sign-in-code", "7:123457"));
        assert_ne!(digest, keys.keyed_digest("other", "7:123456"));
        // Another installation's key, or none, cannot reproduce it.
        assert_ne!(
            digest,
            Keyring::generate().keyed_digest("sign-in-code", "7:123456")
        );
        use sha2::Digest;
        assert_ne!(
            digest,
            hex::encode(sha2::Sha256::digest(b"sign-in-code:7:123456"))
        );
    }

    #[test]
    fn a_damaged_value_is_reported_and_never_shown_as_garbage() {
        let keys = Keyring::generate();
        let sealed = keys.seal("case_issues.in_their_words", "I want to go home");
        let mut damaged = sealed.clone().into_bytes();
        let last = damaged.len() - 3;
        damaged[last] = if damaged[last] == b'A' { b'B' } else { b'A' };
        let damaged = String::from_utf8(damaged).unwrap();
        assert!(
            keys.open_value("case_issues.in_their_words", &damaged)
                .is_err()
        );
        assert_eq!(
            keys.reveal("case_issues.in_their_words", &damaged),
            UNREADABLE
        );
        assert_eq!(
            keys.reveal("case_issues.in_their_words", "plain text"),
            UNREADABLE
        );
    }

    #[test]
    fn another_keyring_cannot_open_a_value() {
        let sealed = Keyring::generate().seal("contacts.discussed", "secret");
        assert!(
            Keyring::generate()
                .open_value("contacts.discussed", &sealed)
                .is_err()
        );
    }

    /// A new folder, and where a key file would go in it.
    fn key_file_in_a_folder_of_its_own() -> (PathBuf, PathBuf) {
        let dir = std::env::temp_dir().join(format!(
            "advocase-keys-{}",
            hex::encode(random_bytes::<6>())
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("advocase.keys");
        (dir, path)
    }

    #[test]
    fn a_process_seals_under_a_rotated_key_once_it_has_looked_at_the_file_again() {
        let (dir, path) = key_file_in_a_folder_of_its_own();
        let serving = Keyring::create(&path).unwrap();
        let old_id = serving.current_id();
        // Opening the file counts as looking at it: the next look is an interval away.
        serving.seal("contacts.discussed", "first");
        let new_id = Keyring::open(&path).unwrap().add_current_key().unwrap();
        std::thread::sleep(ROTATION_NOTICED_WITHIN + Duration::from_millis(50));
        let sealed = serving.seal("contacts.discussed", "after the rotation");
        assert_ne!(new_id, old_id);
        assert!(
            sealed.starts_with(&format!("{PREFIX}{new_id}:")),
            "sealed under the new key"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn after_rotation_old_values_open_until_the_old_key_is_retired() {
        let (dir, path) = key_file_in_a_folder_of_its_own();
        let keys = Keyring::create(&path).unwrap();
        let old = keys.seal("contacts.discussed", "before");
        // A second process (the rotation) adds a key; this one learns it from the file.
        let rotating = Keyring::open(&path).unwrap();
        let new_id = rotating.add_current_key().unwrap();
        let new = rotating.seal("contacts.discussed", "after");
        assert!(!rotating.is_current(&old));
        assert!(rotating.is_current(&new));
        assert_eq!(
            keys.open_value("contacts.discussed", &new).unwrap(),
            "after"
        );
        assert_eq!(keys.current_id(), new_id);
        assert_eq!(
            rotating.open_value("contacts.discussed", &old).unwrap(),
            "before"
        );
        rotating.retire_old_keys().unwrap();
        assert!(
            Keyring::open(&path)
                .unwrap()
                .open_value("contacts.discussed", &old)
                .is_err()
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(
                mode & 0o077,
                0,
                "the key file is readable by its owner only"
            );
        }
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn key_text_that_is_not_a_key_is_refused() {
        assert!(Keyring::from_text("").is_err());
        assert!(Keyring::from_text("abc not-base64!").is_err());
        assert!(Keyring::from_text("abc c2hvcnQ").is_err());
    }
}
