//! `advocase keys rotate`: every sealed value re-sealed under a new key while the
//! service keeps running.
//!
//! The new key goes first in the key file before anything is re-sealed, so a running
//! server (which looks at the file every quarter of a second) seals new text under it
//! within that time and still opens the old. Rows are re-sealed in small transactions, each update
//! guarded by the value it read, so an edit made meanwhile is never overwritten. Passes
//! repeat until none under an old key is left; only then is the old key dropped.

use crate::{Backend, DbConnection, Store, StoreError};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

/// Every column that holds sealed text, with its table. A new sealed column is added
/// here, or rotation would leave it under a retired key (a test checks the list against
/// what casework writes).
pub const SEALED_COLUMNS: &[(&str, &str)] = &[
    ("contacts", "present"),
    ("contacts", "discussed"),
    ("contacts", "agreed"),
    ("case_issues", "in_their_words"),
    ("case_issues", "outcome_in_their_words"),
    ("case_work", "description"),
    ("case_work", "response"),
    ("challenges", "decision"),
    ("challenges", "result"),
    ("challenge_steps", "outcome"),
    ("cases", "closure_note"),
    ("cases", "open_tasks_reason"),
    ("case_view_reasons", "detail"),
    ("break_glass", "reason"),
    ("consents", "note"),
    ("confidentiality_breaches", "why"),
    ("confidentiality_breaches", "who_was_told"),
    ("confidentiality_breaches", "not_told_why"),
    ("rectification_requests", "what_is_wrong"),
    ("rectification_requests", "should_say"),
    ("rectification_requests", "answer"),
    ("attachments", "file_name"),
    ("supervisions", "notes"),
    ("qualification_evidence", "file_name"),
    ("safeguarding_concerns", "adult_name"),
    ("safeguarding_concerns", "what_happened"),
    ("safeguarding_concerns", "person_wants"),
    ("safeguarding_concerns", "outcome"),
    ("complaints", "complainant_name"),
    ("complaints", "how_to_reply"),
    ("complaints", "what_happened"),
    ("complaints", "support_note"),
    ("complaints", "lessons"),
    ("feedback_responses", "name"),
    ("feedback_responses", "comment"),
    ("service_concerns", "detail"),
    ("referrals", "what_is_happening"),
    ("referrals", "safeguarding_concerns"),
    ("referrals", "risk_to_visitor"),
    ("referrals", "consent_note"),
];

const BATCH: i64 = 500;

/// Stored documents re-sealed per transaction.
const DOCUMENT_BATCH: i64 = 8;

#[derive(QueryableByName)]
struct SealedRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    value: String,
}

impl Store {
    /// Re-seals everything under a new key and retires the old ones. Returns how many
    /// values were re-sealed. `progress` hears each table and column as it is done.
    pub fn rotate_keys(&self, progress: &mut dyn FnMut(&str, u64)) -> Result<u64, StoreError> {
        let keys = self.keys()?;
        keys.add_current_key()?;
        let key_added = std::time::Instant::now();
        // A server goes on sealing under the old key until it next looks at the key
        // file. Only a pass that starts after every server has noticed, and after the
        // writes in progress then have committed, may end the rotation; a value sealed
        // more than a second before its own write began could still be missed.
        let all_noticed =
            crate::sealing::ROTATION_NOTICED_WITHIN + std::time::Duration::from_secs(1);
        let mut total = 0;
        loop {
            let pass_started = key_added.elapsed();
            if pass_started >= all_noticed {
                // Writers take their turn one at a time (on SQLite the write lock, on
                // PostgreSQL the audit chain's head row), so an empty write waits for
                // the write in progress, however long, to commit. Behind a load in
                // another process that outlasts SQLite's busy timeout it fails, and
                // the rotation stops with both keys kept.
                self.write(|_, _| Ok(()))?;
            }
            let mut this_pass = 0;
            for (table, column) in SEALED_COLUMNS {
                let done = self.reseal_column(table, column)?;
                progress(&format!("{table}.{column}"), done);
                this_pass += done;
            }
            // Stored documents are re-sealed too, or they would not open once the old
            // key is retired.
            let documents = self.reseal_documents()?;
            progress("documents", documents);
            this_pass += documents;
            total += this_pass;
            if this_pass == 0 && pass_started >= all_noticed {
                break;
            }
            // A server that sealed with the old key just before it noticed the new one
            // may have committed since this pass read its table: look again, once every
            // server has noticed.
            std::thread::sleep(
                all_noticed
                    .saturating_sub(key_added.elapsed())
                    .max(std::time::Duration::from_millis(200)),
            );
        }
        keys.retire_old_keys()?;
        self.write(|_conn, trail| {
            trail.record(
                crate::audit::AuditEvent::anonymous(
                    advocase_domain::audit::AuditAction::Update,
                    "encryption_keys",
                    None,
                )
                .because(format!(
                    "rotated to key {}; {total} values re-sealed",
                    keys.current_id()
                )),
            );
            Ok(())
        })?;
        Ok(total)
    }

    fn reseal_column(&self, table: &str, column: &str) -> Result<u64, StoreError> {
        let keys = self.keys()?;
        let sealed_for = format!("{table}.{column}");
        self.reseal_where(
            table,
            column,
            &format!("enc1:{}:%", keys.current_id()),
            |stored| {
                // A value that does not open stays as it is: rotation must not turn a
                // damaged value into a well-formed one that hides the damage.
                let opened = keys.open_value(&sealed_for, stored).ok();
                if opened.is_none() {
                    tracing::error!(
                        table,
                        column,
                        "a sealed value could not be opened during rotation"
                    );
                }
                opened
            },
        )
    }

    /// Re-seals under the current key every stored document (case attachments and
    /// qualification evidence) sealed under another, a few per transaction: documents
    /// are up to ten megabytes each, so a batch holds little memory and a short lock.
    /// Returns how many were re-sealed.
    fn reseal_documents(&self) -> Result<u64, StoreError> {
        let keys = self.keys()?;
        let mut total = 0;
        let mut after: Option<String> = None;
        loop {
            let (done, last) = self.write(|conn, _trail| {
                crate::attachments::reseal_documents(conn, keys, after.as_deref(), DOCUMENT_BATCH)
            })?;
            total += done;
            match last {
                Some(last) => after = Some(last),
                None => return Ok(total),
            }
        }
    }

    /// Seals what an earlier version of Advocase kept in the clear in a column that is
    /// sealed now. Each column is looked at once per database: a job entry records
    /// that it was done, so later starts do not read the whole table again. Returns
    /// how many values were sealed.
    pub fn seal_values_kept_in_the_clear(&self) -> Result<u64, StoreError> {
        let mut total = 0;
        for (table, column) in SEALED_COLUMNS {
            let job = format!("seal {table}.{column}");
            if self.job_finished_at(&job)?.is_some() {
                continue;
            }
            let sealed =
                self.reseal_where(table, column, "enc1:%", |plain| Some(plain.to_string()))?;
            if sealed > 0 {
                tracing::info!(table, column, sealed, "sealed values kept in the clear");
            }
            total += sealed;
            self.mark_job_finished(&job)?;
        }
        Ok(total)
    }

    /// Re-seals, under the current key, every value of a column that is not like
    /// `not_like`, in batches, each update guarded by the value it read. `open` turns
    /// the stored value into the plain text, or None to leave it alone.
    fn reseal_where(
        &self,
        table: &str,
        column: &str,
        not_like: &str,
        open: impl Fn(&str) -> Option<String>,
    ) -> Result<u64, StoreError> {
        let keys = self.keys()?;
        let sealed_for = format!("{table}.{column}");
        let (select, update) = match self.backend() {
            Backend::Sqlite => (
                format!(
                    "SELECT id, {column} AS value FROM {table} WHERE {column} IS NOT NULL AND {column} NOT LIKE ? AND id > ? ORDER BY id LIMIT {BATCH}"
                ),
                format!("UPDATE {table} SET {column} = ? WHERE id = ? AND {column} = ?"),
            ),
            Backend::Postgres => (
                format!(
                    "SELECT id, {column} AS value FROM {table} WHERE {column} IS NOT NULL AND {column} NOT LIKE $1 AND id > $2 ORDER BY id LIMIT {BATCH}"
                ),
                format!("UPDATE {table} SET {column} = $1 WHERE id = $2 AND {column} = $3"),
            ),
        };
        let mut done = 0u64;
        let mut after = 0i64;
        loop {
            let rows: Vec<SealedRow> = self.read(|conn: &mut DbConnection| {
                Ok(diesel::sql_query(&select)
                    .bind::<Text, _>(not_like)
                    .bind::<BigInt, _>(after)
                    .load(conn)?)
            })?;
            let Some(last) = rows.last() else { break };
            after = last.id;
            self.write(|conn, _trail| {
                for row in &rows {
                    let Some(plain) = open(&row.value) else {
                        continue;
                    };
                    let changed = diesel::sql_query(&update)
                        .bind::<Text, _>(keys.seal(&sealed_for, &plain))
                        .bind::<BigInt, _>(row.id)
                        .bind::<Text, _>(&row.value)
                        .execute(conn)?;
                    done += changed as u64;
                }
                Ok::<_, StoreError>(())
            })?;
        }
        Ok(done)
    }
}

impl Store {
    /// One stored value from each sealed column that holds any, with the column, so
    /// that start-up can prove the key file opens this database before serving.
    pub fn sealed_samples(&self) -> Result<Vec<(String, String)>, StoreError> {
        self.read(|conn| {
            let mut samples = Vec::new();
            for (table, column) in SEALED_COLUMNS {
                let rows: Vec<SealedRow> = diesel::sql_query(format!(
                    "SELECT id, {column} AS value FROM {table} WHERE {column} LIKE 'enc1:%' ORDER BY id DESC LIMIT 1"
                ))
                .load(conn)?;
                samples.extend(rows.into_iter().map(|r| (format!("{table}.{column}"), r.value)));
            }
            Ok(samples)
        })
    }
}
