//! Loading many rows at once: batches of people with their referrals, cases and
//! casework, written in one transaction, for filling a demonstration installation with
//! realistic volumes.
//!
//! The caller assigns every id, starting after [`Store::largest_ids`], so nothing has to
//! be read back from the database while loading. The whole load is one transaction with
//! one audit entry: it happens entirely, or not at all. Free text is sealed before it
//! is written, as everywhere else: only a sealed batch can be loaded.

use crate::accounts::UserRecord;
use crate::audit::AuditEvent;
use crate::casework::{
    AdvocateSettingsRecord, AllocationRecord, ChallengeRecord, ChallengeStepRecord, ContactRecord,
    IssueRecord, WorkRecord,
};
use crate::referrals::{CaseRecord, DecisionRecord, PersonRecord, ReferralRecord};
use crate::schema::{
    advocate_settings, allocations, case_issues, case_work, cases, challenge_steps, challenges,
    contacts, equality_answers, organisations, people, referral_decisions, referrals, users,
};
use crate::sealing::Keyring;
use crate::workforce::NewEqualityAnswer;
use crate::{DbConnection, Store, StoreError};
use diesel::connection::SimpleConnection;
use diesel::dsl::max;
use diesel::prelude::*;

/// Rows per SQLite insert statement: enough that running the statement costs little
/// per row, few enough that the widest table (44 columns) stays far inside SQLite's
/// 32,766 bound parameters. Measured best among 16, 64 and 256.
const SQLITE_ROWS_PER_STATEMENT: usize = 64;

/// The page cache SQLite may use while loading, in KiB (negative means KiB to SQLite).
/// Loading touches index pages all over the file; a large cache keeps them in memory
/// instead of writing them out and reading them back many times.
const LOADING_CACHE: &str = "PRAGMA cache_size = -262144";
/// SQLite's own default page cache, restored when the load ends.
const NORMAL_CACHE: &str = "PRAGMA cache_size = -2000";

/// Rows for many tables, parents before children. Every row carries its id.
#[derive(Debug, Default)]
pub struct Batch {
    pub users: Vec<UserRecord>,
    pub advocate_settings: Vec<AdvocateSettingsRecord>,
    pub people: Vec<PersonRecord>,
    pub referrals: Vec<ReferralRecord>,
    pub decisions: Vec<DecisionRecord>,
    pub cases: Vec<CaseRecord>,
    pub allocations: Vec<AllocationRecord>,
    pub contacts: Vec<ContactRecord>,
    pub issues: Vec<IssueRecord>,
    pub work: Vec<WorkRecord>,
    pub challenges: Vec<ChallengeRecord>,
    pub challenge_steps: Vec<ChallengeStepRecord>,
    /// Numbered by the database, not the caller: nothing refers to them.
    pub equality: Vec<NewEqualityAnswer>,
}

/// A batch whose free text is sealed, ready to be written.
#[derive(Debug)]
pub struct SealedBatch(Batch);

impl Batch {
    /// Seals every free-text value in place under the current key, for the column it
    /// goes into, exactly as casework seals what staff type, so loaded notes are no more
    /// readable in a copy of the database than real ones. Sealing is the costly part of
    /// making rows, so the caller does it on its own thread, not the one writing.
    pub fn seal(mut self, keys: &Keyring) -> SealedBatch {
        seal_batch(keys, &mut self);
        SealedBatch(self)
    }
}

/// The largest id in use in each table whose ids the loader assigns (0 when empty).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TableIds {
    pub users: i64,
    pub people: i64,
    pub referrals: i64,
    pub cases: i64,
    pub allocations: i64,
    pub contacts: i64,
    pub case_issues: i64,
    pub case_work: i64,
    pub challenges: i64,
    pub challenge_steps: i64,
}

/// How many rows of each table a load wrote.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct BulkCounts {
    pub users: u64,
    pub advocate_settings: u64,
    pub people: u64,
    pub referrals: u64,
    pub decisions: u64,
    pub cases: u64,
    pub allocations: u64,
    pub contacts: u64,
    pub issues: u64,
    pub work: u64,
    pub challenges: u64,
    pub challenge_steps: u64,
    pub equality: u64,
}

impl BulkCounts {
    fn add(&mut self, batch: &Batch) {
        let n = |rows: usize| rows as u64;
        self.users += n(batch.users.len());
        self.advocate_settings += n(batch.advocate_settings.len());
        self.people += n(batch.people.len());
        self.referrals += n(batch.referrals.len());
        self.decisions += n(batch.decisions.len());
        self.cases += n(batch.cases.len());
        self.allocations += n(batch.allocations.len());
        self.contacts += n(batch.contacts.len());
        self.issues += n(batch.issues.len());
        self.work += n(batch.work.len());
        self.challenges += n(batch.challenges.len());
        self.challenge_steps += n(batch.challenge_steps.len());
        self.equality += n(batch.equality.len());
    }

    /// Every row written, all tables together.
    pub fn rows(&self) -> u64 {
        self.users
            + self.advocate_settings
            + self.people
            + self.referrals
            + self.decisions
            + self.cases
            + self.allocations
            + self.contacts
            + self.issues
            + self.work
            + self.challenges
            + self.challenge_steps
            + self.equality
    }
}

/// What an installation holds, to tell an empty database from a demonstration and from
/// a real one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Census {
    pub organisations: i64,
    pub users: i64,
    /// Accounts not marked as demonstration accounts.
    pub real_users: i64,
}

/// Inserts `rows` into `table`, consuming them. Record fields are named after their
/// columns, so each listed column takes the field of the same name, bound as a plain
/// value (a missing one as NULL, never as the column's default).
///
/// Each backend is written to the way it is fastest. PostgreSQL takes the whole batch
/// of a table as one `COPY … FROM STDIN` in its binary format: no statement to parse or
/// plan per row, no limit on bound parameters. SQLite runs in this process, where
/// compiling a statement costs more than running it: it gets statements of a fixed
/// number of rows, which Diesel compiles once and keeps, and single rows for the few
/// left over.
macro_rules! insert_rows {
    ($conn:ident, $table:ident, $rows:expr, [$($column:ident),+ $(,)?]) => {{
        let rows = $rows;
        match &mut *$conn {
            DbConnection::Sqlite(c) => {
                let whole = rows.len() / SQLITE_ROWS_PER_STATEMENT;
                let mut rows = rows.into_iter();
                for _ in 0..whole {
                    let values: [_; SQLITE_ROWS_PER_STATEMENT] = std::array::from_fn(|_| {
                        let row = rows
                            .next()
                            .unwrap_or_else(|| unreachable!("whole statements are counted from the rows"));
                        ($($table::$column.eq(row.$column),)+)
                    });
                    diesel::insert_into($table::table).values(values).execute(c)?;
                }
                for row in rows {
                    diesel::insert_into($table::table)
                        .values(($($table::$column.eq(row.$column),)+))
                        .execute(c)?;
                }
            }
            DbConnection::Postgresql(c) => {
                if !rows.is_empty() {
                    let values: Vec<_> = rows
                        .iter()
                        .map(|row| ($($table::$column.eq(&row.$column),)+))
                        .collect();
                    diesel::copy_from($table::table).from_insertable(values).execute(c)?;
                }
            }
        }
    }};
}

/// Writes one batch, parents first so that every foreign key already points at a row.
fn insert_batch(conn: &mut DbConnection, batch: SealedBatch) -> Result<(), StoreError> {
    let SealedBatch(batch) = batch;
    insert_rows!(
        conn,
        users,
        batch.users,
        [
            id,
            organisation_id,
            email,
            display_name,
            role,
            password_hash,
            totp_secret,
            totp_last_step,
            failed_sign_ins,
            two_factor_failures,
            locked_until,
            disabled_at,
            is_demo,
            created_at,
            version,
        ]
    );
    insert_rows!(
        conn,
        advocate_settings,
        batch.advocate_settings,
        [user_id, duties, areas, languages, gender, capacity, version]
    );
    insert_rows!(
        conn,
        people,
        batch.people,
        [
            id,
            provider_id,
            given_name,
            family_name,
            date_of_birth,
            postcode,
            name_key,
            postcode_key,
            phone,
            email,
            address,
            local_authority,
            placed_out_of_area,
            is_prisoner,
            language,
            needs_interpreter,
            uses_bsl,
            wants_easy_read,
            preferred_contact,
            created_at,
            version,
            gender_preference,
            communication_needs,
        ]
    );
    insert_rows!(
        conn,
        referrals,
        batch.referrals,
        [
            id,
            provider_id,
            reference,
            status_token_hash,
            source,
            referrer_kind,
            referrer_name,
            referrer_organisation,
            referrer_role,
            referrer_email,
            referrer_phone,
            referrer_relationship,
            given_name,
            family_name,
            date_of_birth,
            postcode,
            address,
            phone,
            email,
            local_authority,
            placed_out_of_area,
            is_prisoner,
            language,
            needs_interpreter,
            uses_bsl,
            wants_easy_read,
            preferred_contact,
            what_is_happening,
            meeting_date,
            deadline_date,
            compulsion_date,
            safeguarding_concerns,
            risk_to_visitor,
            consent,
            consent_note,
            eligibility_answers,
            status,
            status_reason,
            person_id,
            received_at,
            created_by,
            decided_by,
            decided_at,
            version,
        ]
    );
    insert_rows!(
        conn,
        referral_decisions,
        batch.decisions,
        [
            referral_id,
            duty,
            suggested,
            decision,
            disagreement_reason,
            decided_by,
            decided_at,
        ]
    );
    insert_rows!(
        conn,
        cases,
        batch.cases,
        [
            id,
            provider_id,
            person_id,
            referral_id,
            duty,
            status,
            opened_at,
            introduction_due,
            version,
            advocate_id,
            allocated_at,
            closed_at,
            closed_by,
            closure_reason,
            handed_over_to,
            self_advocacy,
            closure_note,
            open_tasks_reason,
            reopens_case_id,
        ]
    );
    insert_rows!(
        conn,
        allocations,
        batch.allocations,
        [
            id,
            case_id,
            advocate_id,
            allocated_by,
            allocated_at,
            reason,
            override_reason,
            ended_at,
        ]
    );
    insert_rows!(
        conn,
        contacts,
        batch.contacts,
        [
            id,
            case_id,
            occurred_at,
            mode,
            duration_minutes,
            present,
            discussed,
            agreed,
            could_instruct,
            approach,
            recorded_by,
            recorded_at,
        ]
    );
    insert_rows!(
        conn,
        case_issues,
        batch.issues,
        [
            id,
            case_id,
            in_their_words,
            process,
            outcome,
            outcome_in_their_words,
            outcome_recorded_at,
            created_by,
            created_at,
            version,
        ]
    );
    insert_rows!(
        conn,
        case_work,
        batch.work,
        [
            id,
            case_id,
            kind,
            description,
            due_on,
            done_on,
            response_due,
            response_received_on,
            response,
            minutes,
            created_by,
            created_at,
            version,
        ]
    );
    insert_rows!(
        conn,
        challenges,
        batch.challenges,
        [
            id,
            case_id,
            decision,
            decision_maker,
            raised_on,
            reply_due,
            concluded_on,
            result,
            created_by,
            created_at,
            version,
        ]
    );
    insert_rows!(
        conn,
        challenge_steps,
        batch.challenge_steps,
        [
            id,
            challenge_id,
            step,
            taken_on,
            outcome,
            recorded_by,
            recorded_at,
        ]
    );
    insert_rows!(
        conn,
        equality_answers,
        batch.equality,
        [
            provider_id,
            user_id,
            person_id,
            characteristic,
            answer,
            recorded_at,
        ]
    );
    Ok(())
}

/// Reads the largest id of each table the loader assigns ids in.
fn largest_ids(conn: &mut DbConnection) -> Result<TableIds, StoreError> {
    macro_rules! largest {
        ($table:ident) => {
            $table::table
                .select(max($table::id))
                .first::<Option<i64>>(conn)?
                .unwrap_or(0)
        };
    }
    Ok(TableIds {
        users: largest!(users),
        people: largest!(people),
        referrals: largest!(referrals),
        cases: largest!(cases),
        allocations: largest!(allocations),
        contacts: largest!(contacts),
        case_issues: largest!(case_issues),
        case_work: largest!(case_work),
        challenges: largest!(challenges),
        challenge_steps: largest!(challenge_steps),
    })
}

/// The tables whose PostgreSQL identity sequences a load moves past the ids it wrote.
const LOADED_IDENTITY_TABLES: &[&str] = &[
    "users",
    "people",
    "referrals",
    "cases",
    "allocations",
    "contacts",
    "case_issues",
    "case_work",
    "challenges",
    "challenge_steps",
];

impl Store {
    /// How many organisations and accounts there are, and how many accounts are real
    /// (not demonstration accounts).
    pub fn census(&self) -> Result<Census, StoreError> {
        self.read(|conn| {
            Ok(Census {
                organisations: organisations::table.count().get_result(conn)?,
                users: users::table.count().get_result(conn)?,
                real_users: users::table
                    .filter(users::is_demo.eq(false))
                    .count()
                    .get_result(conn)?,
            })
        })
    }

    /// The largest id in use in each table a load assigns ids in: a load numbers its
    /// rows from the next one.
    pub fn largest_ids(&self) -> Result<TableIds, StoreError> {
        self.read(largest_ids)
    }

    /// Writes every batch `batches` yields in one transaction, with one audit entry,
    /// which `describe` makes from the counts (so it never holds personal data). The
    /// batches are taken one at a time, so only the batch being written is in memory.
    ///
    /// `numbered_after` is what [`Store::largest_ids`] said when the rows were numbered;
    /// if anything was written since, the load is refused before it starts, as ids
    /// would clash. `progress` hears the running counts after each batch.
    pub fn bulk_load(
        &self,
        numbered_after: &TableIds,
        batches: impl IntoIterator<Item = SealedBatch>,
        progress: &mut dyn FnMut(&BulkCounts),
        describe: impl FnOnce(&BulkCounts) -> AuditEvent,
    ) -> Result<BulkCounts, StoreError> {
        let sqlite = matches!(self.backend(), crate::Backend::Sqlite);
        let counts = self.write(|conn, trail| {
            if largest_ids(conn)? != *numbered_after {
                return Err(StoreError::Conflict);
            }
            if sqlite {
                conn.batch_execute(LOADING_CACHE)?;
            }
            // Only a load into a database with no people yet (the demonstration's staff
            // may be there) sets the indexes aside: building an index
            // again costs as much as the rows already there, which a small load into a
            // large database would pay for nothing. On PostgreSQL the load is bound by
            // the server's own work on each row (6 % faster without indexes, measured),
            // and dropping an index would lock its table against every reader until
            // the load commits.
            let filling = sqlite && numbered_after.people == 0 && numbered_after.contacts == 0;
            let loaded = if filling {
                set_indexes_aside(conn)
            } else {
                Ok(Vec::new())
            }
            .and_then(|indexes| {
                let counts = load_all(conn, batches, progress)?;
                for index in &indexes {
                    conn.batch_execute(index)?;
                }
                Ok(counts)
            });
            if sqlite {
                conn.batch_execute(NORMAL_CACHE)?;
            }
            let counts = loaded?;
            if !sqlite {
                for table in LOADED_IDENTITY_TABLES {
                    diesel::sql_query(format!(
                        "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
                    ))
                    .execute(conn)?;
                }
            }
            trail.record(describe(&counts));
            Ok(counts)
        })?;
        if sqlite {
            // The load went through the write-ahead log; copying it into the database
            // now and emptying it leaves no log the size of the whole load on disk.
            self.read(|conn| Ok(conn.batch_execute("PRAGMA wal_checkpoint(TRUNCATE)")?))?;
        } else {
            // PostgreSQL plans from table statistics, and autovacuum gathers them only
            // in its own time: until then a table of ten million rows planned as the
            // empty table it was picks a full parallel scan where one index read
            // would do (a report's first-contact lookups took seconds each).
            self.read(|conn| Ok(conn.batch_execute("ANALYZE")?))?;
        }
        Ok(counts)
    }
}

/// Drops the secondary indexes of the SQLite tables a load writes, inside its transaction,
/// and answers the statements that make them again. Keeping an index in order row by
/// row scatters writes over the whole file; building it once at the end sorts. If the
/// load fails, the transaction's rollback brings the indexes back with everything else.
fn set_indexes_aside(conn: &mut DbConnection) -> Result<Vec<String>, StoreError> {
    #[derive(QueryableByName)]
    struct Index {
        #[diesel(sql_type = diesel::sql_types::Text)]
        name: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        sql: String,
    }
    let tables = LOADED_TABLES
        .iter()
        .map(|t| format!("'{t}'"))
        .collect::<Vec<_>>()
        .join(", ");
    // Indexes SQLite makes itself for keys and UNIQUE constraints have no SQL and stay,
    // and so do unique indexes: a foreign key may refer to one, and a duplicate should
    // be refused at its row.
    let query = format!(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL \
         AND sql NOT LIKE 'CREATE UNIQUE%' AND tbl_name IN ({tables})"
    );
    let indexes: Vec<Index> = diesel::sql_query(query).load(conn)?;
    for index in &indexes {
        conn.batch_execute(&format!("DROP INDEX \"{}\"", index.name))?;
    }
    Ok(indexes.into_iter().map(|i| i.sql).collect())
}

/// Every table a load writes rows into.
const LOADED_TABLES: &[&str] = &[
    "users",
    "advocate_settings",
    "people",
    "referrals",
    "referral_decisions",
    "cases",
    "allocations",
    "contacts",
    "case_issues",
    "case_work",
    "challenges",
    "challenge_steps",
    "equality_answers",
];

fn load_all(
    conn: &mut DbConnection,
    batches: impl IntoIterator<Item = SealedBatch>,
    progress: &mut dyn FnMut(&BulkCounts),
) -> Result<BulkCounts, StoreError> {
    let mut counts = BulkCounts::default();
    for batch in batches {
        counts.add(&batch.0);
        insert_batch(conn, batch)?;
        progress(&counts);
    }
    Ok(counts)
}

/// Seals the free text of a batch in place: every column of
/// [`crate::rotation::SEALED_COLUMNS`] a batch holds.
fn seal_batch(keys: &Keyring, batch: &mut Batch) {
    let seal = |column: &str, value: &mut String| *value = keys.seal(column, value);
    let seal_some = |column: &str, value: &mut Option<String>| {
        if let Some(text) = value.as_mut() {
            *text = keys.seal(column, text);
        }
    };
    for c in &mut batch.contacts {
        seal_some("contacts.present", &mut c.present);
        seal("contacts.discussed", &mut c.discussed);
        seal_some("contacts.agreed", &mut c.agreed);
    }
    for i in &mut batch.issues {
        seal("case_issues.in_their_words", &mut i.in_their_words);
        seal_some(
            "case_issues.outcome_in_their_words",
            &mut i.outcome_in_their_words,
        );
    }
    for w in &mut batch.work {
        seal("case_work.description", &mut w.description);
        seal_some("case_work.response", &mut w.response);
    }
    for c in &mut batch.challenges {
        seal("challenges.decision", &mut c.decision);
        seal_some("challenges.result", &mut c.result);
    }
    for step in &mut batch.challenge_steps {
        seal_some("challenge_steps.outcome", &mut step.outcome);
    }
    for r in &mut batch.referrals {
        seal("referrals.what_is_happening", &mut r.what_is_happening);
        seal_some(
            "referrals.safeguarding_concerns",
            &mut r.safeguarding_concerns,
        );
        seal_some("referrals.risk_to_visitor", &mut r.risk_to_visitor);
        seal_some("referrals.consent_note", &mut r.consent_note);
    }
    for case in &mut batch.cases {
        seal_some("cases.closure_note", &mut case.closure_note);
        seal_some("cases.open_tasks_reason", &mut case.open_tasks_reason);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> chrono::NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 1, 5)
            .and_then(|d| d.and_hms_opt(10, 0, 0))
            .unwrap()
    }

    /// One row of every table with sealed text, every sealed field filled in.
    fn batch() -> Batch {
        let text = || Some("words".to_string());
        Batch {
            referrals: vec![ReferralRecord {
                id: 1,
                provider_id: 1,
                reference: "R-1".into(),
                status_token_hash: "h".into(),
                source: "staff".into(),
                referrer_kind: "self".into(),
                referrer_name: None,
                referrer_organisation: None,
                referrer_role: None,
                referrer_email: None,
                referrer_phone: None,
                referrer_relationship: None,
                given_name: "Ada".into(),
                family_name: "Lovelace".into(),
                date_of_birth: None,
                postcode: None,
                address: None,
                phone: None,
                email: None,
                local_authority: None,
                placed_out_of_area: false,
                is_prisoner: false,
                language: None,
                needs_interpreter: false,
                uses_bsl: false,
                wants_easy_read: false,
                preferred_contact: None,
                what_is_happening: "words".into(),
                meeting_date: None,
                deadline_date: None,
                compulsion_date: None,
                safeguarding_concerns: text(),
                risk_to_visitor: text(),
                consent: "given".into(),
                consent_note: text(),
                eligibility_answers: "{}".into(),
                status: "accepted".into(),
                status_reason: None,
                person_id: Some(1),
                received_at: at(),
                created_by: None,
                decided_by: None,
                decided_at: None,
                version: 1,
            }],
            cases: vec![CaseRecord {
                id: 1,
                provider_id: 1,
                person_id: 1,
                referral_id: 1,
                duty: "imha".into(),
                status: "closed".into(),
                opened_at: at(),
                introduction_due: None,
                version: 3,
                advocate_id: Some(2),
                allocated_at: Some(at()),
                closed_at: Some(at()),
                closed_by: Some(2),
                closure_reason: Some("completed".into()),
                handed_over_to: None,
                self_advocacy: Some("more".into()),
                closure_note: text(),
                open_tasks_reason: text(),
                reopens_case_id: None,
            }],
            contacts: vec![ContactRecord {
                id: 1,
                case_id: 1,
                occurred_at: at(),
                mode: "phone".into(),
                duration_minutes: 20,
                present: text(),
                discussed: "words".into(),
                agreed: text(),
                could_instruct: true,
                approach: None,
                recorded_by: 2,
                recorded_at: at(),
            }],
            issues: vec![IssueRecord {
                id: 1,
                case_id: 1,
                in_their_words: "words".into(),
                process: "review".into(),
                outcome: Some("achieved".into()),
                outcome_in_their_words: text(),
                outcome_recorded_at: Some(at()),
                created_by: 2,
                created_at: at(),
                version: 2,
            }],
            work: vec![WorkRecord {
                id: 1,
                case_id: 1,
                kind: "concerns_report".into(),
                description: "words".into(),
                due_on: None,
                done_on: Some(at().date()),
                response_due: Some(at().date()),
                response_received_on: Some(at().date()),
                response: text(),
                minutes: Some(30),
                created_by: 2,
                created_at: at(),
                version: 3,
            }],
            challenges: vec![ChallengeRecord {
                id: 1,
                case_id: 1,
                decision: "words".into(),
                decision_maker: "The council".into(),
                raised_on: at().date(),
                reply_due: None,
                concluded_on: Some(at().date()),
                result: text(),
                created_by: 2,
                created_at: at(),
                version: 2,
            }],
            challenge_steps: vec![ChallengeStepRecord {
                id: 1,
                challenge_id: 1,
                step: "informal".into(),
                taken_on: at().date(),
                outcome: text(),
                recorded_by: 2,
                recorded_at: at(),
            }],
            ..Batch::default()
        }
    }

    #[test]
    fn sealing_a_batch_seals_every_sealed_column_for_its_own_column() {
        let keys = Keyring::generate();
        let SealedBatch(sealed) = batch().seal(&keys);
        for (table, column) in crate::rotation::SEALED_COLUMNS {
            let value = match (*table, *column) {
                ("contacts", "present") => sealed.contacts[0].present.clone(),
                ("contacts", "discussed") => Some(sealed.contacts[0].discussed.clone()),
                ("contacts", "agreed") => sealed.contacts[0].agreed.clone(),
                ("case_issues", "in_their_words") => Some(sealed.issues[0].in_their_words.clone()),
                ("case_issues", "outcome_in_their_words") => {
                    sealed.issues[0].outcome_in_their_words.clone()
                }
                ("case_work", "description") => Some(sealed.work[0].description.clone()),
                ("case_work", "response") => sealed.work[0].response.clone(),
                ("challenges", "decision") => Some(sealed.challenges[0].decision.clone()),
                ("challenges", "result") => sealed.challenges[0].result.clone(),
                ("challenge_steps", "outcome") => sealed.challenge_steps[0].outcome.clone(),
                ("cases", "closure_note") => sealed.cases[0].closure_note.clone(),
                ("cases", "open_tasks_reason") => sealed.cases[0].open_tasks_reason.clone(),
                ("referrals", "what_is_happening") => {
                    Some(sealed.referrals[0].what_is_happening.clone())
                }
                ("referrals", "safeguarding_concerns") => {
                    sealed.referrals[0].safeguarding_concerns.clone()
                }
                ("referrals", "risk_to_visitor") => sealed.referrals[0].risk_to_visitor.clone(),
                ("referrals", "consent_note") => sealed.referrals[0].consent_note.clone(),
                // Tables the loader never writes.
                (
                    "case_view_reasons"
                    | "break_glass"
                    | "consents"
                    | "confidentiality_breaches"
                    | "rectification_requests"
                    | "attachments"
                    | "qualification_evidence"
                    | "safeguarding_concerns"
                    | "complaints"
                    | "feedback_responses"
                    | "service_concerns",
                    _,
                ) => {
                    continue;
                }
                // Demonstration loads carry no supervision records, so no notes to seal.
                ("supervisions", "notes") => continue,
                other => panic!("bulk loading does not seal {other:?}"),
            };
            let value = value.unwrap_or_default();
            let column = format!("{table}.{column}");
            assert_eq!(
                keys.open_value(&column, &value).unwrap(),
                "words",
                "{column}"
            );
        }
        // What is not free text stays as it was.
        assert_eq!(sealed.challenges[0].decision_maker, "The council");
        assert_eq!(sealed.contacts[0].mode, "phone");
    }
}
