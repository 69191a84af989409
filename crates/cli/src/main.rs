//! The `advocase` command: runs the server and every operator task, on the embedded
//! SQLite database by default or on PostgreSQL.

mod config;
mod demo;
mod keys;

use advocase_domain::identity::{EmailAddress, NewPassword, Role};
use advocase_domain::validation::Invalid;
use advocase_i18n::{Catalogue, Message};
use advocase_storage::Store;
use advocase_storage::accounts::{NewUser, link_purpose};
use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use config::Settings;
use std::io::{BufRead, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// The most threads the server runs blocking work on (database reads and writes,
/// password hashing). The database pool holds 8 (SQLite) or 16 (PostgreSQL)
/// connections, so many more threads than that only wait for one while each keeps
/// memory of its own. With the runtime's default of 512, fifty busy connections kept
/// over a hundred threads, and on a million people the case page served fewer pages
/// (about 1,050–1,260 a second against 1,450–1,540) with a higher peak memory; 12 was
/// slower again (BENCHMARKS.md). Work beyond this waits in the runtime's queue, in order.
const BLOCKING_THREADS: usize = 24;

#[derive(Parser)]
#[command(
    name = "advocase",
    version,
    about = "Case management for independent advocacy."
)]
struct Cli {
    /// A TOML configuration file (default: ./advocase.toml when it exists).
    #[arg(long, global = true, env = "ADVOCASE_CONFIG")]
    config: Option<PathBuf>,
    /// The folder for the embedded database and the audit head.
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server.
    Serve {
        /// Fill an empty installation with made-up people and accounts to explore.
        #[arg(long)]
        demo: bool,
        /// The address to listen on, such as 127.0.0.1:8080.
        #[arg(long)]
        listen: Option<String>,
        /// Apply pending migrations first (always done for the embedded database).
        #[arg(long)]
        migrate: bool,
    },
    /// Apply every pending database migration.
    Migrate,
    /// Manage staff accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage personal API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Check the audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Copy the running embedded database to a new file.
    Backup {
        /// The file to write; it must not exist.
        #[arg(long)]
        to: PathBuf,
        /// Seal the copy with the installation's encryption key, so the file alone
        /// reveals nothing.
        #[arg(long)]
        encrypt: bool,
    },
    /// Put a backup in place in an empty data folder, then check its audit trail.
    Restore {
        /// The backup file (sealed or not), with its `.audit-head.json` beside it.
        #[arg(long)]
        from: PathBuf,
    },
    /// Write the whole installation to a file (JSON lines), from either database.
    Export {
        #[arg(long)]
        to: PathBuf,
    },
    /// Load an export into an empty, migrated database (SQLite or PostgreSQL).
    Import {
        #[arg(long)]
        from: PathBuf,
    },
    /// Check eligibility: the request JSON on standard input, the answer on standard output.
    Eligibility,
    /// Manage the keys that encrypt notes at rest.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Fill a demonstration installation with made-up people, referrals and casework
    /// (an empty database becomes a demonstration first).
    Demo {
        /// How many made-up people to add.
        #[arg(long, default_value_t = 1_000)]
        people: u64,
        /// Where the random choices start: the same seed makes the same people.
        #[arg(long, default_value_t = demo::DEFAULT_SEED)]
        seed: u64,
    },
    /// Compute a statutory deadline.
    Deadline {
        /// The day the clock starts (day 0), as YYYY-MM-DD.
        #[arg(long, allow_hyphen_values = true)]
        from: String,
        /// Count this many working days.
        #[arg(long, allow_hyphen_values = true)]
        working_days: Option<String>,
        /// Count this many calendar months (the subject-access clock).
        #[arg(long, allow_hyphen_values = true)]
        months: Option<String>,
        /// england-and-wales (default), scotland or northern-ireland.
        #[arg(long, allow_hyphen_values = true)]
        nation: Option<String>,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a staff account and print a one-time link for choosing its password.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// administrator, manager, intake_worker, advocate or commissioner.
        #[arg(long)]
        role: String,
        /// The organisation's number; without it, a new organisation is made with --organisation-name.
        #[arg(long)]
        organisation: Option<i64>,
        /// The name of a new organisation for this account.
        #[arg(long)]
        organisation_name: Option<String>,
        /// Read the password from standard input instead of printing a link.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Disable an account; its sessions and tokens end.
    Disable {
        #[arg(long)]
        email: String,
    },
    /// Print a one-time link with which the account's owner chooses a new password.
    ResetPassword {
        #[arg(long)]
        email: String,
    },
    /// List organisations and accounts.
    List,
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Issue a personal API token for a staff account and print it on standard output.
    /// It is shown this once; administrators list and revoke tokens under API tokens.
    Create {
        /// The email address of the account the token acts as.
        #[arg(long)]
        email: String,
        /// What the token is for, as the list of tokens shows it.
        #[arg(long)]
        name: String,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Re-encrypt every note under a new key, then retire the old one. The server may
    /// keep running.
    Rotate,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check that no entry was changed, removed, reordered or cut off the end.
    Verify,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if matches!(cli.command, Command::Serve { .. }) {
        serve_with_few_malloc_arenas();
    }
    let outcome = run(cli);
    // The audit head file is written off the request path; what the command wrote is
    // in it before the process ends.
    advocase_storage::audit::settle_audit_heads();
    match outcome {
        Ok(code) => code,
        Err(error) => {
            eprintln!("advocase: {}", describe(&error));
            ExitCode::from(1)
        }
    }
}

/// The C library's setting for how many malloc arenas a process may have.
const MALLOC_ARENAS: &str = "MALLOC_ARENA_MAX";

/// Starts this same command again, in the same process, with at most two malloc arenas,
/// unless the operator chose a number. glibc gives threads that meet in malloc arenas of
/// their own, up to eight a core, and the server runs every database call on a pool of
/// dozens of threads: under ten minutes of steady load its memory grew by a megabyte a
/// minute as those arenas fragmented, and stayed flat with two (`bench/soak`,
/// BENCHMARKS.md). glibc reads the setting only as a process starts, hence the exec,
/// which keeps the process id. Other C libraries ignore it.
fn serve_with_few_malloc_arenas() {
    use std::os::unix::process::CommandExt;
    if std::env::var_os(MALLOC_ARENAS).is_some() {
        return;
    }
    let Ok(program) = std::env::current_exe() else {
        return;
    };
    let mut arguments = std::env::args_os();
    let mut command = std::process::Command::new(program);
    if let Some(name) = arguments.next() {
        command.arg0(name);
    }
    // `exec` comes back only when it failed; the server then runs as it is.
    let _failed = command.args(arguments).env(MALLOC_ARENAS, "2").exec();
}

/// The words of a message, as the command line prints them: in English, from the same
/// catalogue as the pages.
fn words(message: &Message) -> String {
    Catalogue::english().message(message)
}

/// An error with its causes, as `{:#}` writes it, except that refused fields are put
/// into words instead of showing their message keys.
fn describe(error: &anyhow::Error) -> String {
    error
        .chain()
        .map(|cause| {
            let invalid = match cause.downcast_ref::<advocase_storage::StoreError>() {
                Some(advocase_storage::StoreError::Invalid(invalid)) => Some(invalid),
                _ => cause.downcast_ref::<Invalid>(),
            };
            match invalid {
                Some(invalid) => invalid
                    .0
                    .iter()
                    .map(|e| format!("{}: {}", e.field, words(&e.message)))
                    .collect::<Vec<_>>()
                    .join("; "),
                None => cause.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join(": ")
}

fn load_settings(cli: &Cli) -> anyhow::Result<Settings> {
    let mut settings = Settings::load(cli.config.as_deref())?;
    if let Some(dir) = &cli.data_dir {
        settings.data_dir = dir.clone();
    }
    Ok(settings)
}

fn init_logging(settings: &Settings) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("ADVOCASE_LOG")
        .unwrap_or_else(|_| "info".into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if settings.log_json {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// Opens the configured database, creating the data folder for SQLite.
/// `advocase restore`: a backup put in place in a data folder that holds no database,
/// opened (with the key file when it is sealed) and its audit trail verified.
fn restore(settings: &Settings, from: &std::path::Path) -> anyhow::Result<()> {
    if settings.uses_postgres() {
        bail!(
            "advocase restore puts back the embedded SQLite database; for PostgreSQL use pg_restore (see the README)"
        );
    }
    let database = settings.sqlite_path();
    if database.exists() {
        bail!(
            "{} already holds a database; restore into an empty data folder (choose one with --data-dir). Nothing was changed",
            database.display()
        );
    }
    std::fs::create_dir_all(&settings.data_dir)
        .with_context(|| format!("creating the data folder {}", settings.data_dir.display()))?;
    let mut start = vec![0u8; advocase_storage::sealing::SEALED_FILE_MAGIC.len()];
    let sealed = {
        use std::io::Read;
        let mut file =
            std::fs::File::open(from).with_context(|| format!("opening {}", from.display()))?;
        file.read_exact(&mut start).is_ok() && start == advocase_storage::sealing::SEALED_FILE_MAGIC
    };
    if sealed {
        let keys = match std::env::var("ADVOCASE_KEYS") {
            Ok(text) => advocase_storage::sealing::Keyring::from_text(&text)?,
            Err(_) => advocase_storage::sealing::Keyring::open(&settings.key_file()).with_context(|| {
                format!(
                    "the backup is sealed: put the installation's key file at {} (or set ADVOCASE_KEYS) first",
                    settings.key_file().display()
                )
            })?,
        };
        keys.open_file(from, &database)?;
    } else {
        std::fs::copy(from, &database).with_context(|| format!("copying {}", from.display()))?;
    }
    owner_only(&database)?;
    let head = from.with_extension("audit-head.json");
    if head.exists() {
        std::fs::copy(&head, settings.audit_head_file()).context("copying the audit head")?;
    }
    let store = open_store(settings)?;
    match store.verify_audit()? {
        Ok(verification) => println!(
            "Restored {} into {}. The audit trail is intact: {} entries checked{}.",
            from.display(),
            settings.data_dir.display(),
            verification.entries,
            if verification.head_checked {
                " against the head saved with the backup"
            } else {
                ""
            }
        ),
        Err(broken) => bail!("restored, but the audit trail is broken: {broken}"),
    }
    Ok(())
}

fn open_store(settings: &Settings) -> anyhow::Result<Store> {
    std::fs::create_dir_all(&settings.data_dir)
        .with_context(|| format!("creating the data folder {}", settings.data_dir.display()))?;
    Store::open(&settings.database(), Some(settings.audit_head_file()))
        .context("opening the database")
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match &cli.command {
        Command::Eligibility => return Ok(eligibility()),
        Command::Deadline {
            from,
            working_days,
            months,
            nation,
        } => {
            let settings = load_settings(&cli)?;
            return Ok(deadline(
                &settings,
                from,
                working_days.as_deref(),
                months.as_deref(),
                nation.as_deref(),
            ));
        }
        _ => {}
    }
    let settings = load_settings(&cli)?;
    init_logging(&settings);
    match cli.command {
        Command::Serve {
            demo,
            listen,
            migrate,
        } => serve(settings, demo, listen, migrate)?,
        Command::Migrate => {
            let store = open_store(&settings)?;
            let applied = store.migrate()?;
            println!(
                "{} migration(s) applied on {}.",
                applied.len(),
                store.backend().name()
            );
        }
        Command::User(command) => user(&settings, command)?,
        Command::Token(TokenCommand::Create { email, name }) => {
            create_token(&settings, &email, &name)?
        }
        Command::Demo { people, seed } => demo_data(&settings, people, seed)?,
        Command::Keys(KeysCommand::Rotate) => {
            let store = open_store(&settings)?;
            let keys = keys::load(&settings, &store)?;
            let store = store.with_keys(keys);
            keys::rotate(&store)?;
        }
        Command::Audit(AuditCommand::Verify) => {
            let store = open_store(&settings)?;
            match store.verify_audit()? {
                Ok(verification) => {
                    println!(
                        "The audit trail is intact: {} entries checked.",
                        verification.entries
                    );
                    if !verification.head_checked {
                        println!(
                            "Warning: no audit head file at {}, so a cut-off tail cannot be ruled out.",
                            settings.audit_head_file().display()
                        );
                    }
                }
                Err(broken) => {
                    eprintln!("The audit trail is broken: {broken}.");
                    return Ok(ExitCode::from(1));
                }
            }
        }
        Command::Backup { to, encrypt } => {
            // Checked before anything is copied, so a retried backup never overwrites
            // the audit head saved beside an earlier one.
            if to.exists() {
                bail!("{} already exists; choose a new file name", to.display());
            }
            let store = open_store(&settings)?;
            // The head is copied before the database: entries written in between are
            // in the copy after the head, which verification accepts.
            let head = to.with_extension("audit-head.json");
            if settings.audit_head_file().exists() {
                std::fs::copy(settings.audit_head_file(), &head)
                    .context("copying the audit head")?;
            }
            if encrypt {
                let keys = keys::load(&settings, &store)?;
                // The plain copy is made inside the data folder, which already holds
                // the plain database, and removed once sealed.
                let plain = settings.data_dir.join("backup-in-progress.sqlite3");
                let _ = std::fs::remove_file(&plain);
                store.backup_to(&plain)?;
                let sealed = keys.seal_file(&plain, &to);
                std::fs::remove_file(&plain).context("removing the plain copy")?;
                sealed?;
            } else {
                store.backup_to(&to)?;
            }
            owner_only(&to)?;
            println!(
                "Backed up to {}{} (audit head: {}).",
                to.display(),
                if encrypt {
                    ", sealed with the key file"
                } else {
                    ""
                },
                head.display()
            );
        }
        Command::Restore { from } => restore(&settings, &from)?,
        Command::Export { to } => {
            let store = open_store(&settings)?;
            let file =
                create_owner_only(&to).with_context(|| format!("creating {}", to.display()))?;
            let mut out = std::io::BufWriter::new(file);
            let bar = progress();
            let rows = store.export(&mut out, &mut |table, done| {
                bar.set_message(format!("{table}: {done} rows"))
            })?;
            out.flush()?;
            bar.finish_and_clear();
            println!("Exported {rows} rows to {}.", to.display());
        }
        Command::Import { from } => {
            let store = open_store(&settings)?;
            store.migrate()?;
            let file = std::fs::File::open(&from)
                .with_context(|| format!("opening {}", from.display()))?;
            let mut input = std::io::BufReader::new(file);
            let bar = progress();
            let rows = store.import(&mut input, &mut |table, done| {
                bar.set_message(format!("{table}: {done} rows"))
            })?;
            bar.finish_and_clear();
            println!("Imported {rows} rows into {}.", store.backend().name());
            println!(
                "Copy the audit head file of the source installation to {} so that `advocase audit verify` can check the tail.",
                settings.audit_head_file().display()
            );
        }
        Command::Eligibility | Command::Deadline { .. } => unreachable!("handled above"),
    }
    Ok(ExitCode::SUCCESS)
}

/// Creates a file only its owner can read: exports and backups hold everything,
/// including the password hashes and two-factor secrets.
fn create_owner_only(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Makes an existing file readable by its owner only.
fn owner_only(path: &std::path::Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .with_context(|| format!("restricting {}", path.display()))?;
    }
    Ok(())
}

/// `advocase demo`: makes the database a demonstration if it is empty, adds the made-up
/// people and says what was made.
fn demo_data(settings: &Settings, people: u64, seed: u64) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let store = open_store(settings)?;
    let applied = store.migrate()?;
    if !applied.is_empty() {
        tracing::info!(count = applied.len(), "applied migrations");
    }
    let keys = keys::load(settings, &store)?;
    let store = store.with_keys(keys);
    let created = demo::prepare(&store)?;
    let bar = demo_progress();
    let made = demo::generate(&store, people, seed, &bar)?;
    bar.finish_and_clear();
    if created {
        demo::hand_written_referrals(&store)?;
        demo::quality_records(&store)?;
    }
    let rows = made.rows;
    println!(
        "Added {} made-up people to the demonstration on {} in {:.1} s:",
        thousands(rows.people),
        store.backend().name(),
        started.elapsed().as_secs_f64()
    );
    println!(
        "  {} referrals, {} cases ({} open, {} waiting, {} closed), {} contacts, {} issues, {} pieces of work, {} challenges, {} advocates added.",
        thousands(rows.referrals),
        thousands(rows.cases),
        thousands(made.open_cases),
        thousands(made.waiting_cases),
        thousands(made.closed_cases),
        thousands(rows.contacts),
        thousands(rows.issues),
        thousands(rows.work),
        thousands(rows.challenges),
        thousands(made.advocates_added),
    );
    if created {
        println!(
            "Start it with `advocase serve --demo` and sign in with any demo account (password: {}).",
            advocase_web::pages::sign_in::DEMO_PASSWORD
        );
    }
    Ok(())
}

/// A bar for the people written so far, drawn only for a person watching: not when the
/// output goes to a file or a pipe, nor under CI.
fn demo_progress() -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() || std::env::var_os("CI").is_some() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {wide_bar} {human_pos}/{human_len} people ({eta} left)",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}

/// A count with thousands separators, as people read large numbers.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn progress() -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new_spinner();
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}

/// Reads an eligibility request on standard input and prints the answer, per the
/// eligibility contract: exit 0 on a valid request, exit 2 and a message otherwise.
fn eligibility() -> ExitCode {
    let mut input = String::new();
    if let Err(error) = std::io::stdin().read_to_string(&mut input) {
        eprintln!("advocase eligibility: could not read standard input: {error}");
        return ExitCode::from(2);
    }
    match advocase_domain::eligibility::parse_request(&input) {
        Ok(request) => {
            let response = advocase_domain::eligibility::assess(&request);
            match serde_json::to_string_pretty(&response) {
                Ok(text) => {
                    println!("{text}");
                    ExitCode::SUCCESS
                }
                Err(error) => {
                    eprintln!("advocase eligibility: {error}");
                    ExitCode::from(1)
                }
            }
        }
        Err(invalid) => {
            let message = words(&invalid.message);
            if invalid.field.is_empty() {
                eprintln!("advocase eligibility: {message}");
            } else {
                eprintln!("advocase eligibility: {}: {message}", invalid.field);
            }
            ExitCode::from(2)
        }
    }
}

/// Prints a deadline per the clocks contract. Days an administrator added to the
/// calendars are read from the configured database when there is one, so the command
/// answers exactly as the server does.
fn deadline(
    settings: &Settings,
    from: &str,
    working_days: Option<&str>,
    months: Option<&str>,
    nation: Option<&str>,
) -> ExitCode {
    let extra = added_days(settings, nation);
    match advocase_domain::clocks::deadline_for_cli(from, working_days, months, nation, &extra) {
        Ok(date) => {
            println!("{}", date.format("%Y-%m-%d"));
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("advocase deadline: {message}");
            ExitCode::from(2)
        }
    }
}

fn added_days(settings: &Settings, nation: Option<&str>) -> Vec<chrono::NaiveDate> {
    let Ok(nation) = advocase_domain::clocks::Nation::parse(nation.unwrap_or("england-and-wales"))
    else {
        return Vec::new();
    };
    if !settings.uses_postgres() && !settings.sqlite_path().exists() {
        return Vec::new();
    }
    let days =
        Store::open(&settings.database(), None).and_then(|store| store.added_calendar_days(nation));
    match days {
        Ok(days) => days.into_iter().map(|d| d.day).collect(),
        Err(error) => {
            eprintln!(
                "advocase deadline: warning: using the shipped calendar only, the database could not be read ({error})"
            );
            Vec::new()
        }
    }
}

fn serve(
    settings: Settings,
    demo: bool,
    listen: Option<String>,
    migrate: bool,
) -> anyhow::Result<()> {
    let store = open_store(&settings)?;
    if !settings.uses_postgres() || migrate || settings.migrate_on_start {
        let applied = store.migrate()?;
        if !applied.is_empty() {
            tracing::info!(count = applied.len(), "applied migrations");
        }
    } else {
        let pending = store.pending_migrations()?;
        if !pending.is_empty() {
            bail!(
                "the database needs {} migration(s); run `advocase migrate` or start with --migrate",
                pending.len()
            );
        }
    }
    let keys = keys::load(&settings, &store)?;
    let store = store.with_keys(keys);
    // Text an earlier version kept in the clear, in a column sealed now, is sealed
    // before anyone can read it.
    store
        .seal_values_kept_in_the_clear()
        .context("sealing text an earlier version kept in the clear")?;
    // Documents an earlier version kept as files in the data folder move into the
    // database, where backups, exports and every server process find them.
    let moved = store
        .move_documents_into_database()
        .context("moving stored documents into the database")?;
    if moved > 0 {
        tracing::info!(moved, "moved stored documents into the database");
    }
    let listen = listen.unwrap_or_else(|| settings.listen.clone());
    let first_run = store.count_users()? == 0;
    if demo && first_run {
        demo::create(&store)?;
        demo::generate(
            &store,
            demo::SERVE_PEOPLE,
            demo::DEFAULT_SEED,
            &indicatif::ProgressBar::hidden(),
        )?;
        demo::hand_written_referrals(&store)?;
        demo::quality_records(&store)?;
    }
    let mut state = advocase_web::AppState::try_new(store.clone(), settings.web(demo))
        .context("the mail settings (smtp_url, mail_from)")?;
    if demo {
        state.demo_accounts = demo::sign_in_list();
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(BLOCKING_THREADS)
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&listen)
            .await
            .with_context(|| format!("listening on {listen}"))?;
        let address = listener.local_addr()?;
        let base = format!("http://{address}");
        println!("Advocase is running at {base} on {}.", store.backend().name());
        if demo {
            println!("This is a demonstration with made-up people. Sign in with any of these (password: {}):", advocase_web::pages::sign_in::DEMO_PASSWORD);
            for (role, email) in &state.demo_accounts {
                println!("  {:<15} {email}", state.catalogue.text(role.name_key()));
            }
        } else if first_run {
            let token = advocase_web::auth::new_token();
            let expires = advocase_storage::now() + chrono::Duration::hours(24);
            store.create_one_time_link(link_purpose::FIRST_ADMINISTRATOR, None, &advocase_web::auth::token_hash(&token), expires)?;
            println!("No one has an account yet. Open this link within 24 hours to create the first administrator:");
            println!("  {base}/setup/{token}");
        }
        std::io::stdout().flush().ok();
        let holder = format!("{}-{}", std::process::id(), advocase_web::auth::new_token().get(..8).unwrap_or_default());
        advocase_web::app::spawn_jobs(state.clone(), holder);
        let app = advocase_web::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown_signal())
            .await
            .context("serving")?;
        tracing::info!("stopped");
        anyhow::Ok(())
    })
}

/// Finishes the requests in flight and stops on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        tokio::signal::ctrl_c().await.ok();
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

fn user(settings: &Settings, command: UserCommand) -> anyhow::Result<()> {
    let store = open_store(settings)?;
    store.migrate()?;
    match command {
        UserCommand::Add {
            email,
            name,
            role,
            organisation,
            organisation_name,
            password_stdin,
        } => {
            let role = Role::parse(&role)
                .filter(|r| r.is_staff())
                .with_context(|| format!("unknown role {role:?}: use administrator, manager, intake_worker, advocate or commissioner (a person's own sign-in is given from their record)"))?;
            let email = EmailAddress::parse("email", &email)
                .map_err(|e| anyhow::anyhow!("--email: {}", words(&e.message)))?;
            let organisation_id = match (organisation, organisation_name) {
                (Some(id), _) => id,
                (None, Some(name)) => store.create_organisation(role.organisation_kind(), &name)?,
                (None, None) => {
                    let kind = role.organisation_kind();
                    let found: Vec<_> = store
                        .organisations()?
                        .into_iter()
                        .filter(|o| o.kind() == Some(kind))
                        .collect();
                    match found.as_slice() {
                        [only] => only.id,
                        [] => bail!(
                            "there is no {} organisation yet: give --organisation-name",
                            kind.as_str()
                        ),
                        _ => bail!(
                            "there are several {} organisations: give --organisation with its number (see `advocase user list`)",
                            kind.as_str()
                        ),
                    }
                }
            };
            let password_hash = if password_stdin {
                let mut line = String::new();
                std::io::stdin().lock().read_line(&mut line)?;
                let password = NewPassword::parse("password", line.trim_end_matches(['\r', '\n']))
                    .map_err(|e| anyhow::anyhow!("{}", words(&e.message)))?;
                Some(advocase_web::auth::password::hash(password.expose())?)
            } else {
                None
            };
            let has_password = password_hash.is_some();
            let id = store.create_user(
                None,
                NewUser {
                    organisation_id,
                    email,
                    display_name: name,
                    role,
                    password_hash,
                    is_demo: false,
                },
            )?;
            println!("Added account {id}.");
            if !has_password {
                print_password_link(&store, id, settings)?;
            }
        }
        UserCommand::Disable { email } => {
            let user = find_by_email(&store, &email)?;
            store.disable_user(None, user.id)?;
            println!(
                "Disabled account {}; its sessions and API tokens have ended.",
                user.id
            );
        }
        UserCommand::ResetPassword { email } => {
            let user = find_by_email(&store, &email)?;
            print_password_link(&store, user.id, settings)?;
        }
        UserCommand::List => {
            for organisation in store.organisations()? {
                println!(
                    "{} {} ({})",
                    organisation.id, organisation.name, organisation.kind
                );
            }
        }
    }
    Ok(())
}

/// `advocase token create`: the token alone on standard output, so that a script can
/// read it, and what was done on standard error.
fn create_token(settings: &Settings, email: &str, name: &str) -> anyhow::Result<()> {
    let name = advocase_domain::identity::token_name("name", name)
        .map_err(|e| anyhow::anyhow!("--name: {}", words(&e.message)))?;
    let store = open_store(settings)?;
    store.migrate()?;
    let user = find_by_email(&store, email)?;
    let token = advocase_web::auth::new_token();
    let id = store
        .issue_api_token(
            None,
            user.id,
            &name,
            &advocase_web::auth::token_hash(&token),
        )
        .map_err(|e| match e {
            advocase_storage::StoreError::NotFound => {
                anyhow::anyhow!("only a live staff account can hold an API token")
            }
            other => anyhow::Error::new(other).context("issuing the token"),
        })?;
    println!("{token}");
    eprintln!(
        "Issued API token {id} for account {}. It is shown only now; revoke it under API tokens.",
        user.id
    );
    Ok(())
}

fn find_by_email(
    store: &Store,
    email: &str,
) -> anyhow::Result<advocase_storage::accounts::UserRecord> {
    let email = EmailAddress::parse("email", email)
        .map_err(|e| anyhow::anyhow!("--email: {}", words(&e.message)))?;
    store
        .user_by_email(&email)?
        .context("no account has that email address")
}

fn print_password_link(store: &Store, user_id: i64, settings: &Settings) -> anyhow::Result<()> {
    let token = advocase_web::auth::new_token();
    let expires = advocase_storage::now() + chrono::Duration::days(7);
    store.create_one_time_link(
        link_purpose::SET_PASSWORD,
        Some(user_id),
        &advocase_web::auth::token_hash(&token),
        expires,
    )?;
    println!(
        "Give the account's owner this link (it works once, for 7 days): http://{}/set-password/{token}",
        settings.listen
    );
    Ok(())
}
