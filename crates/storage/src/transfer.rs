//! `advocase export` and `import`: a whole installation as one file of JSON lines, so it
//! can move between SQLite and PostgreSQL (either way) or to a new machine.
//!
//! The first line names the format and the migrations the data was written under; each
//! further line is one row: `{"table": "users", "row": {…}}`. Tables are written parents
//! first, so importing in file order satisfies every foreign key.

use crate::schema::*;
use crate::{Backend, DbConnection, Store, StoreError};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use std::io::{BufRead, Write};

const FORMAT: &str = "advocase-export";
const FORMAT_VERSION: u32 = 1;
const PAGE: i64 = 5_000;

#[derive(Serialize, Deserialize)]
struct Header {
    format: String,
    version: u32,
    migrations: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct Line<T> {
    table: String,
    row: T,
}

#[derive(Queryable, Insertable, Serialize, Deserialize)]
#[diesel(table_name = one_time_links)]
struct OneTimeLinkRow {
    token_hash: String,
    purpose: String,
    user_id: Option<i64>,
    created_at: NaiveDateTime,
    expires_at: NaiveDateTime,
    used_at: Option<NaiveDateTime>,
}

#[derive(Queryable, Insertable, Serialize, Deserialize)]
#[diesel(table_name = audit_entries)]
struct AuditEntryRow {
    id: i64,
    sequence: i64,
    at: String,
    actor_user_id: Option<i64>,
    organisation_id: Option<i64>,
    action: String,
    record_type: String,
    record_id: Option<String>,
    ip: Option<String>,
    reason: Option<String>,
    content_hash: String,
    chain_hash: String,
    #[serde(default)]
    content_destroyed: bool,
}

#[derive(Queryable, Insertable, Serialize, Deserialize)]
#[diesel(table_name = audit_head)]
struct AuditHeadRow {
    id: i32,
    sequence: i64,
    chain_hash: String,
}

#[derive(Queryable, Insertable, Serialize, Deserialize)]
#[diesel(table_name = job_leases)]
struct JobLeaseRow {
    name: String,
    holder: Option<String>,
    leased_until: Option<NaiveDateTime>,
    last_finished_at: Option<NaiveDateTime>,
}

#[derive(Queryable, Insertable, Serialize, Deserialize)]
#[diesel(table_name = calendar_days)]
struct CalendarDayRow {
    nation: String,
    day: NaiveDate,
    name: String,
    added_by: Option<i64>,
    added_at: NaiveDateTime,
}

/// A stored document as exported: its sealed bytes (still sealed: an export opens only
/// with the installation's key file) written as base64, not as a JSON array of numbers.
#[derive(Queryable, Insertable, Serialize, Deserialize)]
#[diesel(table_name = documents)]
struct DocumentRow {
    stored_as: String,
    key_id: String,
    #[serde(with = "base64_bytes")]
    sealed: Vec<u8>,
}

mod base64_bytes {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD as BASE64;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], out: S) -> Result<S::Ok, S::Error> {
        out.serialize_str(&BASE64.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(input: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(input)?;
        BASE64.decode(text).map_err(serde::de::Error::custom)
    }
}

/// Documents per page of an export: each is up to ten megabytes.
const DOCUMENT_PAGE: i64 = 8;

/// Reports how far a long export or import has gone: the table and rows done so far.
pub type Progress<'a> = &'a mut dyn FnMut(&str, u64);

/// Declares, once, every table of the installation in foreign-key order: how to read it
/// page by page and how to write a row back. Large tables are paged by their key so that
/// a table of millions of rows (or of large documents) is never held in memory; the
/// small tables are read whole.
macro_rules! installation_tables {
    ($( $name:literal => $table:ident, $row:ty, $key:tt $(, $paged:ident $(($page:expr))?)? ; )*) => {
        /// The names of every table, in the order they are exported and imported.
        pub const TABLES: &[&str] = &[$($name),*];

        fn export_tables(conn: &mut DbConnection, out: &mut dyn Write, progress: Progress) -> Result<u64, StoreError> {
            let mut total = 0u64;
            $(
                total += installation_tables!(@export conn, out, progress, $name, $table, $row, $key $(, $paged $(($page))?)?);
            )*
            Ok(total)
        }

        fn import_line(conn: &mut DbConnection, table: &str, row: serde_json::Value) -> Result<(), StoreError> {
            match table {
                $(
                    $name => {
                        let row: $row = serde_json::from_value(row)
                            .map_err(|e| StoreError::Data(format!("a row of {} is malformed: {e}", $name)))?;
                        diesel::insert_into($table::table).values(row).execute(conn)?;
                    }
                )*
                other => return Err(StoreError::Data(format!("unknown table {other:?} in the export"))),
            }
            Ok(())
        }
    };
    (@export $conn:ident, $out:ident, $progress:ident, $name:literal, $table:ident, $row:ty, $key:ident, paged) => {
        installation_tables!(@export $conn, $out, $progress, $name, $table, $row, $key, paged_by(PAGE))
    };
    (@export $conn:ident, $out:ident, $progress:ident, $name:literal, $table:ident, $row:ty, $key:ident, paged_by($page:expr)) => {{
        let mut last = None;
        let mut count = 0u64;
        loop {
            let mut query = $table::table.order($table::$key.asc()).limit($page).into_boxed();
            if let Some(last) = last.take() {
                query = query.filter($table::$key.gt(last));
            }
            let rows: Vec<$row> = query.load($conn)?;
            let Some(tail) = rows.last() else { break };
            last = Some(tail.$key.to_owned());
            for row in &rows {
                write_line($out, $name, row)?;
            }
            count += rows.len() as u64;
            $progress($name, count);
        }
        count
    }};
    (@export $conn:ident, $out:ident, $progress:ident, $name:literal, $table:ident, $row:ty, ($($key:ident),+)) => {{
        let rows: Vec<$row> = $table::table.order(($($table::$key.asc()),+)).load($conn)?;
        for row in &rows {
            write_line($out, $name, row)?;
        }
        $progress($name, rows.len() as u64);
        rows.len() as u64
    }};
    (@export $conn:ident, $out:ident, $progress:ident, $name:literal, $table:ident, $row:ty, $key:ident) => {{
        let rows: Vec<$row> = $table::table.order($table::$key.asc()).load($conn)?;
        for row in &rows {
            write_line($out, $name, row)?;
        }
        $progress($name, rows.len() as u64);
        rows.len() as u64
    }};
}

installation_tables! {
    "organisations" => organisations, crate::accounts::Organisation, id, paged;
    "users" => users, crate::accounts::UserRecord, id, paged;
    "one_time_links" => one_time_links, OneTimeLinkRow, token_hash;
    "sessions" => sessions, crate::accounts::SessionRecord, token_hash;
    "api_tokens" => api_tokens, crate::accounts::ApiToken, id, paged;
    "audit_entries" => audit_entries, AuditEntryRow, id, paged;
    "audit_head" => audit_head, AuditHeadRow, id;
    "job_leases" => job_leases, JobLeaseRow, name;
    "calendar_days" => calendar_days, CalendarDayRow, (nation, day);
    "people" => people, crate::referrals::PersonRecord, id, paged;
    "referrals" => referrals, crate::referrals::ReferralRecord, id, paged;
    "referral_decisions" => referral_decisions, crate::referrals::DecisionRecord, (referral_id, duty);
    "cases" => cases, crate::referrals::CaseRecord, id, paged;
    "advocate_settings" => advocate_settings, crate::casework::AdvocateSettingsRecord, user_id;
    "conflicts" => conflicts, crate::casework::ConflictRecord, id, paged;
    "allocations" => allocations, crate::casework::AllocationRecord, id, paged;
    "contacts" => contacts, crate::casework::ContactRecord, id, paged;
    "case_issues" => case_issues, crate::casework::IssueRecord, id, paged;
    "case_work" => case_work, crate::casework::WorkRecord, id, paged;
    "challenges" => challenges, crate::casework::ChallengeRecord, id, paged;
    "challenge_steps" => challenge_steps, crate::casework::ChallengeStepRecord, id, paged;
    "restricted_access" => restricted_access, crate::confidentiality::RestrictedAccessRecord, (person_id, user_id);
    "case_view_reasons" => case_view_reasons, crate::confidentiality::ViewReasonRecord, id, paged;
    "break_glass" => break_glass, crate::confidentiality::BreakGlassRecord, id, paged;
    "consents" => consents, crate::confidentiality::ConsentRecord, id, paged;
    "confidentiality_breaches" => confidentiality_breaches, crate::confidentiality::BreachRecord, id, paged;
    "subject_access_requests" => subject_access_requests, crate::confidentiality::SubjectAccessRecord, id, paged;
    "legal_holds" => legal_holds, crate::confidentiality::LegalHoldRecord, person_id;
    "destructions" => destructions, crate::confidentiality::DestructionRecord, id, paged;
    "person_accounts" => person_accounts, crate::person_access::PersonAccountRecord, user_id;
    "rectification_requests" => rectification_requests, crate::person_access::RectificationRecord, id, paged;
    "attachments" => attachments, crate::attachments::AttachmentRecord, id, paged;
    "staff_profiles" => staff_profiles, crate::workforce::StaffProfileRecord, user_id;
    "qualifications" => qualifications, crate::workforce::QualificationRecord, id, paged;
    "qualification_evidence" => qualification_evidence, crate::workforce::EvidenceRecord, id, paged;
    "documents" => documents, DocumentRow, stored_as, paged_by(DOCUMENT_PAGE);
    "allocation_rules" => allocation_rules, crate::workforce::AllocationRuleRecord, (provider_id, duty);
    "training_records" => training_records, crate::workforce::TrainingRecord, id, paged;
    "supervisions" => supervisions, crate::workforce::SupervisionRecord, id, paged;
    "equality_answers" => equality_answers, crate::workforce::EqualityAnswerRecord, id, paged;
    "safeguarding_concerns" => safeguarding_concerns, crate::safeguarding::ConcernRecord, id, paged;
    "complaints" => complaints, crate::safeguarding::ComplaintRecord, id, paged;
    "feedback_responses" => feedback_responses, crate::safeguarding::FeedbackRecord, id, paged;
    "service_signals" => service_signals, crate::safeguarding::SignalRecord, id, paged;
    "service_concerns" => service_concerns, crate::safeguarding::ServiceConcernRecord, id, paged;
    "contracts" => contracts, crate::commissioning::ContractRecord, id, paged;
    "link_meetings" => link_meetings, crate::commissioning::LinkMeetingRecord, id, paged;
    "meeting_actions" => meeting_actions, crate::commissioning::MeetingActionRecord, id, paged;
    "population_figures" => population_figures, crate::commissioning::PopulationRecord, id, paged;
    "demand_rates" => demand_rates, crate::commissioning::DemandRatesRecord, commissioner_id;
    "policies" => policies, crate::assessment::PolicyRecord, id, paged;
    "self_assessments" => self_assessments, crate::assessment::AssessmentRecord, id, paged;
    "self_assessment_items" => self_assessment_items, crate::assessment::AssessmentItemRecord, (assessment_id, item);
    "self_assessment_links" => self_assessment_links, crate::assessment::AssessmentLinkRecord, id, paged;
    "retention_checks" => retention_checks, crate::confidentiality::RetentionCheck, provider_id;
    "report_snapshots" => report_snapshots, crate::commissioning::ReportSnapshotRecord, (contract_id, period_from, period_to);
}

/// Tables whose `id` comes from an identity sequence in PostgreSQL; after an import the
/// sequences are moved past the imported ids.
const IDENTITY_TABLES: &[&str] = &[
    "organisations",
    "users",
    "api_tokens",
    "audit_entries",
    "people",
    "referrals",
    "cases",
    "conflicts",
    "allocations",
    "contacts",
    "case_issues",
    "case_work",
    "challenges",
    "challenge_steps",
    "case_view_reasons",
    "break_glass",
    "consents",
    "confidentiality_breaches",
    "subject_access_requests",
    "destructions",
    "rectification_requests",
    "attachments",
    "qualifications",
    "qualification_evidence",
    "training_records",
    "supervisions",
    "equality_answers",
    "safeguarding_concerns",
    "complaints",
    "feedback_responses",
    "service_signals",
    "service_concerns",
    "contracts",
    "link_meetings",
    "meeting_actions",
    "population_figures",
    "policies",
    "self_assessments",
    "self_assessment_links",
];

fn write_line<T: Serialize>(out: &mut dyn Write, table: &str, row: &T) -> Result<(), StoreError> {
    serde_json::to_writer(
        &mut *out,
        &Line {
            table: table.to_string(),
            row,
        },
    )
    .map_err(|e| StoreError::Data(e.to_string()))?;
    out.write_all(b"\n")?;
    Ok(())
}

impl Store {
    /// Writes the whole installation. Runs in one read transaction, so the copy is
    /// consistent even while the server is serving.
    pub fn export(&self, out: &mut dyn Write, progress: Progress) -> Result<u64, StoreError> {
        let mut conn = self.conn()?;
        let migrations = applied_migrations(&mut conn)?;
        let header = Header {
            format: FORMAT.into(),
            version: FORMAT_VERSION,
            migrations,
        };
        serde_json::to_writer(&mut *out, &header).map_err(|e| StoreError::Data(e.to_string()))?;
        out.write_all(b"\n")?;
        let count = conn.transaction(|conn| {
            // On PostgreSQL a plain transaction sees each statement's own snapshot;
            // one snapshot for the whole export makes the copy consistent.
            if matches!(**conn, DbConnection::Postgresql(_)) {
                diesel::sql_query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    .execute(conn)?;
            }
            export_tables(conn, out, progress)
        })?;
        out.flush()?;
        Ok(count)
    }

    /// Loads an export into this database, which must be freshly migrated and hold no
    /// installation yet. Everything is loaded in one transaction: a bad line leaves the
    /// database as it was.
    pub fn import(&self, input: &mut dyn BufRead, progress: Progress) -> Result<u64, StoreError> {
        let mut conn = self.conn()?;
        let mut lines = input.lines();
        let header: Header = match lines.next() {
            Some(line) => serde_json::from_str(&line?)
                .map_err(|_| StoreError::Data("this file is not an Advocase export".into()))?,
            None => return Err(StoreError::Data("the export file is empty".into())),
        };
        if header.format != FORMAT || header.version != FORMAT_VERSION {
            return Err(StoreError::Data(
                "this file is not an Advocase export of a known version".into(),
            ));
        }
        let here = applied_migrations(&mut conn)?;
        if header.migrations != here {
            return Err(StoreError::Data(format!(
                "the export was written at schema {:?} but this database is at {:?}; run the same version of Advocase on both",
                header.migrations.last(),
                here.last()
            )));
        }
        let existing: i64 = organisations::table.count().get_result(&mut *conn)?;
        if existing > 0 {
            return Err(StoreError::Data(
                "the target database already holds an installation; import only into an empty one"
                    .into(),
            ));
        }
        let backend = self.backend();
        conn.transaction(|conn| {
            // The migration seeds the audit head; the export carries the real one.
            diesel::delete(audit_head::table).execute(conn)?;
            let mut count = 0u64;
            let mut current = String::new();
            for (number, line) in lines.enumerate() {
                let line = line?;
                if line.trim().is_empty() {
                    continue;
                }
                let Line { table, row }: Line<serde_json::Value> = serde_json::from_str(&line)
                    .map_err(|e| StoreError::Data(format!("line {} of the export is malformed: {e}", number + 2)))?;
                import_line(conn, &table, row)?;
                count += 1;
                if table != current || count.is_multiple_of(PAGE as u64) {
                    progress(&table, count);
                    current = table;
                }
            }
            if backend == Backend::Postgres {
                for table in IDENTITY_TABLES {
                    diesel::sql_query(format!(
                        "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
                    ))
                    .execute(conn)?;
                }
            }
            Ok(count)
        })
        .inspect(|_| {
            // A whole installation arrived at once: statistics for the planner now, not
            // whenever autovacuum gets to it (see `Store::bulk_load`).
            if backend == Backend::Postgres
                && let Err(error) =
                    diesel::connection::SimpleConnection::batch_execute(&mut *conn, "ANALYZE")
            {
                tracing::warn!(%error, "could not gather statistics after the import");
            }
        })
    }
}

diesel::table! {
    __diesel_schema_migrations (version) {
        version -> Text,
    }
}

fn applied_migrations(conn: &mut DbConnection) -> Result<Vec<String>, StoreError> {
    Ok(__diesel_schema_migrations::table
        .select(__diesel_schema_migrations::version)
        .order(__diesel_schema_migrations::version)
        .load(conn)?)
}
