//! Test support: a fresh, migrated database per test, on SQLite or PostgreSQL, and a
//! small SMTP server that keeps what it is sent ([`mail`]).
//!
//! SQLite databases live in a new temporary folder. PostgreSQL databases are created
//! under the server named by `ADVOCASE_TEST_POSTGRES_URL` (the test script finds or
//! starts one) and dropped when the test ends. Under `CI=true` a missing PostgreSQL is a
//! failure, never a silent skip.

pub mod mail;

use advocase_storage::Store;
use diesel::prelude::*;
use std::path::{Path, PathBuf};

/// The environment variable naming the PostgreSQL server for tests.
pub const POSTGRES_URL_VAR: &str = "ADVOCASE_TEST_POSTGRES_URL";

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestBackend {
    Sqlite,
    Postgres,
}

/// A migrated database that is removed when dropped.
pub struct TestDb {
    pub store: Store,
    /// The folder holding the SQLite file (or only the audit head file for PostgreSQL).
    pub dir: PathBuf,
    /// The URL the store was opened with, for tests that open a second store.
    pub url: String,
    postgres: Option<(String, String)>,
}

impl TestDb {
    /// A fresh database on `backend`, or `None` when PostgreSQL is not configured
    /// outside CI (the test then says so and passes without running).
    pub fn new(backend: TestBackend) -> Option<Self> {
        let dir = fresh_dir();
        let head = dir.join("audit-head.json");
        let (url, postgres) = match backend {
            TestBackend::Sqlite => (dir.join("advocase.sqlite3").display().to_string(), None),
            TestBackend::Postgres => {
                let server = postgres_url()?;
                let name = format!("advocase_test_{}", random_suffix());
                let mut admin = PgConnection::establish(&server)
                    .expect("connect to the test PostgreSQL server");
                diesel::sql_query(format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .expect("create a test database");
                (database_url(&server, &name), Some((server, name)))
            }
        };
        let keys = advocase_storage::sealing::Keyring::create(&dir.join("advocase.keys"))
            .expect("create the test key file");
        let store = Store::open(&url, Some(head))
            .expect("open the test database")
            .with_keys(keys);
        store.migrate().expect("migrate the test database");
        Some(Self {
            store,
            dir,
            url,
            postgres,
        })
    }

    pub fn head_file(&self) -> PathBuf {
        self.dir.join("audit-head.json")
    }

    /// The stored documents exactly as the database holds them, read with plain SQL
    /// past the store: for tests that check what a copy of the database would reveal.
    pub fn stored_documents(&self) -> Vec<Vec<u8>> {
        #[derive(QueryableByName)]
        struct Sealed {
            #[diesel(sql_type = diesel::sql_types::Binary)]
            sealed: Vec<u8>,
        }
        let mut conn =
            advocase_storage::DbConnection::establish(&self.url).expect("open the database");
        diesel::sql_query("SELECT sealed FROM documents ORDER BY stored_as")
            .load::<Sealed>(&mut conn)
            .expect("read the documents")
            .into_iter()
            .map(|row| row.sealed)
            .collect()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((server, name)) = self.postgres.take() {
            // Close the pool first so no connection holds the database open.
            let store = std::mem::replace(
                &mut self.store,
                Store::open(":memory:", None).expect("open a placeholder store"),
            );
            drop(store);
            if let Ok(mut admin) = PgConnection::establish(&server) {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin);
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The PostgreSQL server for tests, if configured. Under CI its absence is an error.
pub fn postgres_url() -> Option<String> {
    match std::env::var(POSTGRES_URL_VAR) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!(
                "{POSTGRES_URL_VAR} is not set under CI: the PostgreSQL half of the storage suite cannot be skipped"
            )
        }
        _ => {
            eprintln!("{POSTGRES_URL_VAR} is not set: skipping the PostgreSQL run of this test");
            None
        }
    }
}

/// Replaces the database name in a PostgreSQL URL.
pub fn database_url(server: &str, name: &str) -> String {
    let (base, _) = server
        .rsplit_once('/')
        .expect("a PostgreSQL URL with a database name");
    format!("{base}/{name}")
}

/// Every index of a SQLite database that has a statement (those SQLite makes itself for
/// keys have none), by name, with that statement.
pub fn sqlite_indexes(store: &Store) -> Vec<(String, String)> {
    #[derive(diesel::QueryableByName)]
    struct Index {
        #[diesel(sql_type = diesel::sql_types::Text)]
        name: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        sql: String,
    }
    store
        .read(|conn| {
            Ok(diesel::sql_query(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name",
            )
            .load::<Index>(conn)?
            .into_iter()
            .map(|i| (i.name, i.sql))
            .collect())
        })
        .expect("the indexes of a SQLite database")
}

/// A new, empty temporary folder.
pub fn fresh_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("advocase-test-{}", random_suffix()));
    std::fs::create_dir_all(&dir).expect("create a temporary folder");
    dir
}

pub fn random_suffix() -> String {
    use rand::Rng;
    let n: u64 = rand::rng().random();
    format!("{n:016x}")
}

/// Overwrites bytes of a file in place, for tests that tamper with stored data.
pub fn write_file(path: &Path, text: &str) {
    std::fs::write(path, text).expect("write file");
}

/// Declares a test that runs once on SQLite and once on PostgreSQL, each on a fresh
/// database: `on_both_backends! { fn name(db) { … } }`.
#[macro_export]
macro_rules! on_both_backends {
    ($(fn $name:ident($db:ident) $body:block)*) => {
        mod sqlite {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[test]
                fn $name() {
                    let $db = $crate::TestDb::new($crate::TestBackend::Sqlite).expect("SQLite is always available");
                    $body
                }
            )*
        }
        mod postgres {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[test]
                fn $name() {
                    let Some($db) = $crate::TestDb::new($crate::TestBackend::Postgres) else { return };
                    $body
                }
            )*
        }
    };
}
