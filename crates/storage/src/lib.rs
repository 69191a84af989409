//! Storage for Advocase: one schema, one model set and one query path over SQLite (the
//! embedded default) and PostgreSQL, through Diesel's `MultiConnection`.
//!
//! The rest of the system sees only [`Store`] and the domain types: the web crate never
//! names a Diesel type. Every method that touches personal data takes the acting
//! [`advocase_domain::identity::Actor`] and records an audit entry: a change in the same
//! transaction as the work, a read in a commit that is made before the data read is
//! given back, so an access is never done without its trail.

pub mod accounts;
pub mod assessment;
pub mod attachments;
pub mod audit;
mod backup;
pub mod bulk;
pub mod calendars;
pub mod casework;
pub mod commissioning;
pub mod confidentiality;
mod connection;
pub mod error;
pub mod jobs;
pub mod person_access;
pub mod referrals;
mod report_counts;
pub mod rotation;
pub mod safeguarding;
pub mod schema;
pub mod sealing;
pub mod transfer;
pub mod workforce;

pub use connection::{Backend, DbConnection};
pub use error::StoreError;

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::r2d2::{Pool, PooledConnection};
use std::path::PathBuf;

/// The handle to the database that every part of Advocase shares. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: Pool<connection::Manager>,
    backend: Backend,
    /// The file outside the database where the audit chain's newest link is written.
    audit_head_file: Option<PathBuf>,
    /// On SQLite, the writers of this process take turns here before asking the
    /// database for its write lock. SQLite makes a waiting writer sleep and retry
    /// (the busy timeout), which under load turns milliseconds into hundreds of them;
    /// a queue in the process hands the lock on as soon as it is free.
    writers: std::sync::Arc<std::sync::Mutex<()>>,
    /// The keys that seal free text at rest. A store without keys refuses to write or
    /// read such text rather than keep it in the clear.
    keys: Option<std::sync::Arc<sealing::Keyring>>,
    /// Where reads of personal data leave their audit entries to be committed together.
    read_audits: std::sync::Arc<audit::ReadAudits>,
    /// Writes the audit chain's newest link to `audit_head_file`, off the request path.
    head_publisher: std::sync::Arc<audit::HeadPublisher>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens a pool on the database at `url`: `postgres://…` or `postgresql://…` for
    /// PostgreSQL, anything else a SQLite file path (optionally `sqlite://path`).
    /// Migrations are not run here; call [`Store::migrate`].
    pub fn open(url: &str, audit_head_file: Option<PathBuf>) -> Result<Self, StoreError> {
        let (backend, target) = Backend::from_url(url);
        let manager = connection::Manager::new(backend, target);
        let size = match backend {
            Backend::Sqlite => 8,
            Backend::Postgres => 16,
        };
        let pool = Pool::builder()
            .max_size(size)
            .connection_timeout(std::time::Duration::from_secs(10))
            .build(manager)
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        Ok(Self {
            pool,
            backend,
            audit_head_file,
            writers: std::sync::Arc::default(),
            keys: None,
            read_audits: std::sync::Arc::default(),
            head_publisher: audit::HeadPublisher::registered(),
        })
    }

    /// Gives the store the keys that seal free text.
    pub fn with_keys(mut self, keys: sealing::Keyring) -> Self {
        self.keys = Some(std::sync::Arc::new(keys));
        self
    }

    /// The keys that seal free text, or an error when none were given.
    pub fn keys(&self) -> Result<&sealing::Keyring, StoreError> {
        self.keys
            .as_deref()
            .ok_or_else(|| StoreError::Data("no encryption key is loaded".into()))
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Applies every migration not yet applied, returning the names of those applied.
    pub fn migrate(&self) -> Result<Vec<String>, StoreError> {
        let mut conn = self.conn()?;
        connection::run_migrations(&mut conn)
    }

    /// Migrations embedded in this binary that the database has not yet applied.
    pub fn pending_migrations(&self) -> Result<Vec<String>, StoreError> {
        let mut conn = self.conn()?;
        connection::pending_migrations(&mut conn)
    }

    pub(crate) fn conn(&self) -> Result<PooledConnection<connection::Manager>, StoreError> {
        self.pool
            .get()
            .map_err(|e| StoreError::Unavailable(e.to_string()))
    }

    /// Answers whether the database takes a query, for `/readyz`.
    pub fn ping(&self) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        diesel::sql_query("SELECT 1").execute(&mut *conn)?;
        Ok(())
    }

    /// Runs `work` in a read-only way: no audit entry, no write lock. Only for data that
    /// is not personal (settings, counts) or for the audit trail itself.
    pub fn read<T>(
        &self,
        work: impl FnOnce(&mut DbConnection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.conn()?;
        work(&mut conn)
    }

    /// Runs `work` in one transaction together with the audit entries it records.
    ///
    /// The transaction first touches the audit head row. On SQLite that takes the write
    /// lock at once (waiting up to the busy timeout rather than failing later when a read
    /// turns into a write); on PostgreSQL it locks the row. Either way, writers line up
    /// before they read the chain head, so the chain never forks.
    pub fn write<T>(
        &self,
        work: impl FnOnce(&mut DbConnection, &mut audit::Trail) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let (value, head) = {
            let _turn = (self.backend == Backend::Sqlite).then(|| {
                self.writers
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
            });
            let mut conn = self.conn()?;
            conn.transaction(|conn| {
                audit::lock_head(conn)?;
                let mut trail = audit::Trail::default();
                let value = work(conn, &mut trail)?;
                let head = trail.append_all(conn)?;
                Ok::<_, StoreError>((value, head))
            })?
        };
        // The head file is written by a thread of its own once the turn is given up
        // (see `audit::HeadPublisher`): the next writer commits, and this one answers,
        // without waiting for the file to reach the disk.
        if let Some(head) = head {
            self.head_publisher
                .publish(self.audit_head_file.as_deref(), head);
        }
        Ok(value)
    }

    /// Reads personal data on behalf of someone, and records that they did. `work` is
    /// given a trail like [`Store::write`]'s but must only read: it runs on one read
    /// transaction (read-only on PostgreSQL, which refuses a write in it), so readers
    /// neither wait for nor hold up each other. The entries it records are then
    /// committed, together with other readers' (see [`audit::ReadAudits`]), and only
    /// once they are is the answer given back: an unrecorded read never leaves here.
    pub fn read_audited<T>(
        &self,
        work: impl FnOnce(&mut DbConnection, &mut audit::Trail) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let (value, trail) = self.read(|conn| {
            conn.transaction(|conn| {
                if self.backend == Backend::Postgres {
                    diesel::sql_query("SET TRANSACTION READ ONLY").execute(conn)?;
                }
                let mut trail = audit::Trail::default();
                let value = work(conn, &mut trail)?;
                Ok::<_, StoreError>((value, trail))
            })
        })?;
        self.read_audits.record(self, trail.into_events())?;
        Ok(value)
    }

    /// Reads one record of personal data on behalf of `actor`. `find` must only read,
    /// and return the record only if the actor may see it (the scope lives in its
    /// query); `None` means "not there or not yours", and the two are never told
    /// apart. A read is audited as a read, a refusal as a denied access, both committed
    /// before the answer is given (see [`Store::read_audited`]).
    pub fn read_scoped<T>(
        &self,
        actor: &advocase_domain::identity::Actor,
        record_type: &'static str,
        record_id: i64,
        find: impl FnOnce(&mut DbConnection) -> Result<Option<T>, StoreError>,
    ) -> Result<T, StoreError> {
        self.read_audited(|conn, trail| {
            let found = find(conn)?;
            trail.record(audited_access(
                actor,
                found.is_some(),
                record_type,
                record_id,
            ));
            Ok(found)
        })?
        .ok_or(StoreError::NotFound)
    }

    /// After personal data is destroyed, leaves no copy of it in the SQLite files:
    /// `secure_delete` (set on every connection) has zeroed the freed pages in the
    /// database, and a truncating checkpoint empties the write-ahead log, which still
    /// held the pages as they were before. PostgreSQL reclaims dead rows itself.
    pub fn clear_freed_pages(&self) -> Result<(), StoreError> {
        if self.backend != Backend::Sqlite {
            return Ok(());
        }
        use diesel::connection::SimpleConnection;
        let mut conn = self.conn()?;
        conn.batch_execute("PRAGMA wal_checkpoint(TRUNCATE);")?;
        Ok(())
    }

    /// Where an earlier version kept sealed documents: the `attachments` folder beside
    /// the audit head file, in the data folder. Documents now live in the database;
    /// [`Store::move_documents_into_database`] empties and removes this folder.
    pub fn attachments_dir(&self) -> Result<PathBuf, StoreError> {
        self.audit_head_file
            .as_deref()
            .and_then(|f| f.parent())
            .map(|dir| dir.join("attachments"))
            .ok_or_else(|| StoreError::Data("this store keeps no files".into()))
    }

    pub fn audit_head_file(&self) -> Option<&std::path::Path> {
        self.audit_head_file.as_deref()
    }

    /// Waits until the audit head file holds the newest link this process wrote: before
    /// checking the trail against it, copying it, or stopping.
    pub fn settle_audit_head(&self) {
        self.head_publisher.settle();
    }
}

/// The audit entry of one record looked for on behalf of `actor`: a read when it was
/// found, a denied access when it was not there or not theirs.
pub(crate) fn audited_access(
    actor: &advocase_domain::identity::Actor,
    found: bool,
    record_type: &'static str,
    record_id: i64,
) -> audit::AuditEvent {
    use advocase_domain::audit::AuditAction;
    let action = if found {
        AuditAction::Read
    } else {
        AuditAction::Denied
    };
    audit::AuditEvent::by(actor, action, record_type, Some(record_id))
}

/// Refuses an actor whose role is not one of `roles`, exactly as a record that does not
/// exist: the one role check every store method that is not about one record starts with.
pub(crate) fn require_role(
    actor: &advocase_domain::identity::Actor,
    roles: &[advocase_domain::identity::Role],
) -> Result<(), StoreError> {
    if roles.contains(&actor.role) {
        Ok(())
    } else {
        Err(StoreError::NotFound)
    }
}

/// The current time in UTC, as stored. One function, so every timestamp is taken the
/// same way (to the microsecond, which both backends keep exactly).
pub fn now() -> NaiveDateTime {
    let now = Utc::now().naive_utc();
    now.with_nanosecond((now.and_utc().timestamp_subsec_micros()) * 1000)
        .unwrap_or(now)
}

use chrono::Timelike;
