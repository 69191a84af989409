//! Online backups of the embedded SQLite database.

use crate::{Backend, DbConnection, Store, StoreError};
use diesel::prelude::*;
use std::path::Path;

impl Store {
    /// Writes a consistent copy of a running SQLite database to `target` with
    /// `VACUUM INTO`, which reads one snapshot while writers carry on. The copy is a
    /// complete database file that Advocase opens as it is. PostgreSQL installations use
    /// `pg_dump`, which the README describes.
    pub fn backup_to(&self, target: &Path) -> Result<(), StoreError> {
        if self.backend() != Backend::Sqlite {
            return Err(StoreError::Data(
                "advocase backup copies the embedded SQLite database; for PostgreSQL use pg_dump (see the README)".into(),
            ));
        }
        if target.exists() {
            return Err(StoreError::Data(format!(
                "{} already exists; choose a new file name",
                target.display()
            )));
        }
        let target = target
            .to_str()
            .ok_or_else(|| StoreError::Data("the backup path must be valid text".into()))?
            .to_string();
        let mut conn = self.conn()?;
        let DbConnection::Sqlite(sqlite) = &mut *conn else {
            return Err(StoreError::Data("not a SQLite database".into()));
        };
        diesel::sql_query("VACUUM INTO ?")
            .bind::<diesel::sql_types::Text, _>(target)
            .execute(sqlite)?;
        Ok(())
    }
}
