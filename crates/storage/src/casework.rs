//! Casework: who may see which case (decided here, once), allocation with the
//! conflict-of-interest block, contacts, the issues and work of a case, challenges,
//! outcomes, closure and re-opening, caseloads and the person record.
//!
//! Every function that reads or changes a case goes through [`visible_cases`], so the
//! need-to-know rule lives in one query: an advocate sees the cases allocated to them
//! (and, for a few hours, one opened in an emergency), a manager every case of their
//! provider, nobody else sees case content at all, and a restricted person's cases only
//! the users named on the restriction see.

use crate::audit::AuditEvent;
use crate::connection::MultiBackend;
use crate::referrals::{CaseRecord, PersonRecord};
use crate::schema::{
    advocate_settings, allocations, break_glass, case_issues, case_work, cases, challenge_steps,
    challenges, conflicts, contacts, people, restricted_access, users,
};
use crate::sealing::Keyring;
use crate::{DbConnection, Store, StoreError, now};
use advocase_domain::audit::AuditAction;
use advocase_domain::casework::{
    Candidate, CaseFacts, CaseNeeds, ChallengeStep, Closure, ConflictKind, Gender, NewContact,
    OutcomeLevel, Process, WorkKind,
};
use advocase_domain::identity::{Actor, Role};
use advocase_domain::validation::Invalid;
use advocase_i18n::msg;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::count_star;
use diesel::prelude::*;
use diesel::sql_types::Bool;

/// The statuses a case moves through.
pub mod case_status {
    /// Accepted, on the waiting list, no advocate yet.
    pub const WAITING: &str = "waiting";
    /// An advocate holds it.
    pub const ALLOCATED: &str = "allocated";
    pub const CLOSED: &str = "closed";
}

/// The cases `actor` may see. This is the one place the need-to-know rule for case
/// content is written: every query in this module starts from it.
///
/// An advocate sees the cases allocated to them and any case they opened in an
/// emergency (break-glass) until that access expires; a manager sees every case of the
/// provider; nobody else sees any. A restricted person's cases are hidden from everyone
/// not named on the restriction, whatever their role.
pub(crate) fn visible_cases(actor: &Actor) -> cases::BoxedQuery<'static, MultiBackend> {
    let query = cases::table
        .filter(cases::provider_id.eq(actor.organisation_id))
        .filter(diesel::dsl::not(
            cases::person_id.eq_any(hidden_people(actor.user_id)),
        ))
        .into_boxed();
    match actor.role {
        Role::Advocate => query.filter(
            cases::advocate_id.eq(actor.user_id).or(cases::id.eq_any(
                break_glass::table
                    .filter(break_glass::user_id.eq(actor.user_id))
                    .filter(break_glass::expires_at.gt(now()))
                    .select(break_glass::case_id),
            )),
        ),
        Role::Manager => query,
        _ => query.filter(false.into_sql::<Bool>()),
    }
}

/// The people whose record is restricted to named users that do not include `user_id`.
/// A plain (not boxed) query, so it can sit inside other queries on either backend.
#[diesel::dsl::auto_type]
pub(crate) fn hidden_people(user_id: i64) -> _ {
    people::table
        .filter(people::restricted.eq(true))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            restricted_access::table
                .filter(restricted_access::person_id.eq(people::id))
                .filter(restricted_access::user_id.eq(user_id)),
        )))
        .select(people::id)
}

/// True for a person `user_id` may see despite restrictions: the record is not
/// restricted, or the user is named on it. For queries that already read `people`.
#[diesel::dsl::auto_type]
pub(crate) fn not_restricted_for(user_id: i64) -> _ {
    people::restricted.eq(false).or(diesel::dsl::exists(
        restricted_access::table
            .filter(restricted_access::person_id.eq(people::id))
            .filter(restricted_access::user_id.eq(user_id)),
    ))
}

/// One case, if `actor` may see it.
pub(crate) fn visible_case(
    conn: &mut DbConnection,
    actor: &Actor,
    case_id: i64,
) -> Result<Option<CaseRecord>, StoreError> {
    Ok(visible_cases(actor)
        .filter(cases::id.eq(case_id))
        .select(CaseRecord::as_select())
        .first(conn)
        .optional()?)
}

/// Whether `actor` may change the work of a case they can see: the allocated advocate,
/// or a manager of the provider.
pub(crate) fn may_work_on(actor: &Actor, case: &CaseRecord) -> bool {
    match actor.role {
        Role::Manager => true,
        Role::Advocate => case.advocate_id == Some(actor.user_id),
        _ => false,
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = advocate_settings)]
pub struct AdvocateSettingsRecord {
    pub user_id: i64,
    pub duties: String,
    pub areas: String,
    pub languages: String,
    pub gender: Option<String>,
    pub capacity: i32,
    pub version: i64,
}

impl AdvocateSettingsRecord {
    /// The settings of an advocate nobody has set up yet: no duties, so not offered.
    pub fn unset(user_id: i64) -> Self {
        Self {
            user_id,
            duties: String::new(),
            areas: String::new(),
            languages: String::new(),
            gender: None,
            capacity: 20,
            version: 0,
        }
    }
}

/// Splits a stored comma-separated list.
pub fn list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .collect()
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = conflicts)]
pub struct ConflictRecord {
    pub id: i64,
    pub provider_id: i64,
    pub advocate_id: i64,
    pub person_id: i64,
    pub kind: String,
    pub note: Option<String>,
    pub recorded_by: i64,
    pub recorded_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = allocations)]
pub struct AllocationRecord {
    pub id: i64,
    pub case_id: i64,
    pub advocate_id: i64,
    pub allocated_by: i64,
    pub allocated_at: NaiveDateTime,
    pub reason: Option<String>,
    pub override_reason: Option<String>,
    pub ended_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = contacts)]
pub struct ContactRecord {
    pub id: i64,
    pub case_id: i64,
    pub occurred_at: NaiveDateTime,
    pub mode: String,
    pub duration_minutes: i32,
    pub present: Option<String>,
    pub discussed: String,
    pub agreed: Option<String>,
    pub could_instruct: bool,
    pub approach: Option<String>,
    pub recorded_by: i64,
    pub recorded_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = case_issues)]
pub struct IssueRecord {
    pub id: i64,
    pub case_id: i64,
    pub in_their_words: String,
    pub process: String,
    pub outcome: Option<String>,
    pub outcome_in_their_words: Option<String>,
    pub outcome_recorded_at: Option<NaiveDateTime>,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
    pub version: i64,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = case_work)]
pub struct WorkRecord {
    pub id: i64,
    pub case_id: i64,
    pub kind: String,
    pub description: String,
    pub due_on: Option<NaiveDate>,
    pub done_on: Option<NaiveDate>,
    pub response_due: Option<NaiveDate>,
    pub response_received_on: Option<NaiveDate>,
    pub response: Option<String>,
    pub minutes: Option<i32>,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
    pub version: i64,
}

impl WorkRecord {
    /// Open until done, and for a concerns report until the authority has replied.
    pub fn is_open(&self) -> bool {
        self.done_on.is_none()
            || (self.response_due.is_some() && self.response_received_on.is_none())
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = challenges)]
pub struct ChallengeRecord {
    pub id: i64,
    pub case_id: i64,
    pub decision: String,
    pub decision_maker: String,
    pub raised_on: NaiveDate,
    pub reply_due: Option<NaiveDate>,
    pub concluded_on: Option<NaiveDate>,
    pub result: Option<String>,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
    pub version: i64,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = challenge_steps)]
pub struct ChallengeStepRecord {
    pub id: i64,
    pub challenge_id: i64,
    pub step: String,
    pub taken_on: NaiveDate,
    pub outcome: Option<String>,
    pub recorded_by: i64,
    pub recorded_at: NaiveDateTime,
}

/// Everything about one case that its page shows.
#[derive(Debug, Clone)]
pub struct CaseFile {
    pub case: CaseRecord,
    pub person: PersonRecord,
    pub advocate_name: Option<String>,
    pub allocations: Vec<(AllocationRecord, String)>,
    pub contacts: Vec<ContactRecord>,
    pub issues: Vec<IssueRecord>,
    pub work: Vec<WorkRecord>,
    pub challenges: Vec<(ChallengeRecord, Vec<ChallengeStepRecord>)>,
    /// The names of the staff who recorded anything here, by user id.
    pub staff_names: Vec<(i64, String)>,
    /// Documents kept on the case, their names opened.
    pub attachments: Vec<crate::attachments::AttachmentRecord>,
}

impl CaseFile {
    /// Issues without an outcome, work not finished and challenges not concluded.
    pub fn open_tasks(&self) -> usize {
        self.issues.iter().filter(|i| i.outcome.is_none()).count()
            + self.work.iter().filter(|w| w.is_open()).count()
            + self
                .challenges
                .iter()
                .filter(|(c, _)| c.concluded_on.is_none())
                .count()
    }

    /// Minutes spent: contacts and other work.
    pub fn minutes_spent(&self) -> i64 {
        self.contacts
            .iter()
            .map(|c| i64::from(c.duration_minutes))
            .sum::<i64>()
            + self
                .work
                .iter()
                .filter_map(|w| w.minutes)
                .map(i64::from)
                .sum::<i64>()
    }

    pub fn staff_name(&self, id: i64) -> &str {
        self.staff_names
            .iter()
            .find(|(uid, _)| *uid == id)
            .map_or("", |(_, name)| name.as_str())
    }

    /// The facts that decide what is due on this case.
    pub fn facts(&self) -> CaseFacts {
        let first = self.contacts.iter().map(|c| c.occurred_at.date()).min();
        let last = self.contacts.iter().map(|c| c.occurred_at.date()).max();
        CaseFacts {
            duty: self.case.duty.clone(),
            introduction_due: self.case.introduction_due,
            first_contact: first,
            last_contact: last,
            open_work: self
                .work
                .iter()
                .filter(|w| w.done_on.is_none())
                .filter_map(|w| Some((WorkKind::parse(&w.kind)?, w.due_on?)))
                .collect(),
            responses_due: self
                .work
                .iter()
                .filter(|w| w.done_on.is_some() && w.response_received_on.is_none())
                .filter_map(|w| w.response_due)
                .chain(
                    self.challenges
                        .iter()
                        .filter(|(c, _)| c.concluded_on.is_none())
                        .filter_map(|(c, _)| c.reply_due),
                )
                .collect(),
        }
    }
}

/// One case on a caseload, with what decides what is due.
#[derive(Debug, Clone)]
pub struct CaseloadRow {
    pub case: CaseRecord,
    pub person_name: String,
    pub advocate_name: Option<String>,
    pub facts: CaseFacts,
}

/// An advocate of the provider with their settings and open caseload.
#[derive(Debug, Clone)]
pub struct AdvocateRow {
    pub user_id: i64,
    pub name: String,
    pub settings: AdvocateSettingsRecord,
    pub open_cases: i64,
}

/// The person record: the person, the cases of theirs the actor may see, and the
/// conflicts of interest recorded about them.
#[derive(Debug, Clone)]
pub struct PersonFile {
    pub person: PersonRecord,
    pub cases: Vec<CaseFile>,
    pub conflicts: Vec<(ConflictRecord, String)>,
    pub confidentiality: crate::confidentiality::PersonConfidentiality,
    /// Complaints and compliments staff recorded for the person; only managers, who
    /// handle complaints, see them.
    pub complaints: Vec<crate::safeguarding::PersonComplaint>,
}

/// The details of a person that staff may correct.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PersonDetails {
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub language: Option<String>,
    pub needs_interpreter: bool,
    pub uses_bsl: bool,
    pub wants_easy_read: bool,
    pub preferred_contact: Option<String>,
    pub gender_preference: Option<Gender>,
    pub communication_needs: Option<String>,
}

impl PersonDetails {
    pub fn of(person: &PersonRecord) -> Self {
        Self {
            phone: person.phone.clone(),
            email: person.email.clone(),
            address: person.address.clone(),
            language: person.language.clone(),
            needs_interpreter: person.needs_interpreter,
            uses_bsl: person.uses_bsl,
            wants_easy_read: person.wants_easy_read,
            preferred_contact: person.preferred_contact.clone(),
            gender_preference: person.gender_preference.as_deref().and_then(Gender::parse),
            communication_needs: person.communication_needs.clone(),
        }
    }
}

/// A new challenge of a decision, with its first step.
#[derive(Debug, Clone)]
pub struct NewChallenge {
    pub decision: String,
    pub decision_maker: String,
    pub raised_on: NaiveDate,
    pub step: ChallengeStep,
    pub reply_due: Option<NaiveDate>,
}

/// A further step of a challenge, or its conclusion.
#[derive(Debug, Clone)]
pub struct NewChallengeStep {
    pub step: ChallengeStep,
    pub taken_on: NaiveDate,
    pub outcome: Option<String>,
    pub reply_due: Option<NaiveDate>,
    /// The final result, when this step ends the challenge.
    pub concluded: Option<String>,
}

/// A new piece of work on a case.
#[derive(Debug, Clone)]
pub struct NewWork {
    pub kind: WorkKind,
    pub description: String,
    pub due_on: Option<NaiveDate>,
    pub minutes: Option<u32>,
}

/// The finishing of a piece of work.
#[derive(Debug, Clone)]
pub struct WorkDone {
    pub done_on: NaiveDate,
    /// For a concerns report: when the authority's reply is due.
    pub response_due: Option<NaiveDate>,
    pub response_received_on: Option<NaiveDate>,
    pub response: Option<String>,
    pub minutes: Option<u32>,
}

fn staff_names(conn: &mut DbConnection, ids: Vec<i64>) -> Result<Vec<(i64, String)>, StoreError> {
    Ok(users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::display_name))
        .load(conn)?)
}

/// Opens every sealed text of a loaded case, in place.
fn reveal(keys: &Keyring, file: &mut CaseFile) {
    let open = |column: &str, value: &mut String| *value = keys.reveal(column, value);
    let open_some = |column: &str, value: &mut Option<String>| keys.reveal_some(column, value);
    for c in &mut file.contacts {
        open_some("contacts.present", &mut c.present);
        open("contacts.discussed", &mut c.discussed);
        open_some("contacts.agreed", &mut c.agreed);
    }
    for i in &mut file.issues {
        open("case_issues.in_their_words", &mut i.in_their_words);
        open_some(
            "case_issues.outcome_in_their_words",
            &mut i.outcome_in_their_words,
        );
    }
    for w in &mut file.work {
        open("case_work.description", &mut w.description);
        open_some("case_work.response", &mut w.response);
    }
    for (c, steps) in &mut file.challenges {
        open("challenges.decision", &mut c.decision);
        open_some("challenges.result", &mut c.result);
        for step in steps {
            open_some("challenge_steps.outcome", &mut step.outcome);
        }
    }
    for a in &mut file.attachments {
        open("attachments.file_name", &mut a.file_name);
    }
    open_some("cases.closure_note", &mut file.case.closure_note);
    open_some("cases.open_tasks_reason", &mut file.case.open_tasks_reason);
}

/// Loads a case the actor may see, with everything on it, its free text opened.
pub(crate) fn load_case_file(
    conn: &mut DbConnection,
    keys: &Keyring,
    actor: &Actor,
    case_id: i64,
) -> Result<Option<CaseFile>, StoreError> {
    let Some(case) = visible_case(conn, actor, case_id)? else {
        return Ok(None);
    };
    load_case_contents(conn, keys, case).map(Some)
}

/// Loads everything on a case already found, its free text opened. Callers decide who
/// may see it: staff through [`visible_case`], a person only for their own record.
pub(crate) fn load_case_contents(
    conn: &mut DbConnection,
    keys: &Keyring,
    case: CaseRecord,
) -> Result<CaseFile, StoreError> {
    let case_id = case.id;
    let person = people::table
        .find(case.person_id)
        .select(PersonRecord::as_select())
        .first(conn)?;
    let allocation_rows: Vec<AllocationRecord> = allocations::table
        .filter(allocations::case_id.eq(case_id))
        .order(allocations::allocated_at.asc())
        .select(AllocationRecord::as_select())
        .load(conn)?;
    let contacts = contacts::table
        .filter(contacts::case_id.eq(case_id))
        .order((contacts::occurred_at.desc(), contacts::id.desc()))
        .select(ContactRecord::as_select())
        .load(conn)?;
    let issues = case_issues::table
        .filter(case_issues::case_id.eq(case_id))
        .order(case_issues::id.asc())
        .select(IssueRecord::as_select())
        .load(conn)?;
    let work = case_work::table
        .filter(case_work::case_id.eq(case_id))
        .order(case_work::id.asc())
        .select(WorkRecord::as_select())
        .load(conn)?;
    let challenge_rows: Vec<ChallengeRecord> = challenges::table
        .filter(challenges::case_id.eq(case_id))
        .order(challenges::id.asc())
        .select(ChallengeRecord::as_select())
        .load(conn)?;
    let ids: Vec<i64> = challenge_rows.iter().map(|c| c.id).collect();
    let steps: Vec<ChallengeStepRecord> = challenge_steps::table
        .filter(challenge_steps::challenge_id.eq_any(&ids))
        .order((challenge_steps::taken_on.asc(), challenge_steps::id.asc()))
        .select(ChallengeStepRecord::as_select())
        .load(conn)?;
    let challenges = challenge_rows
        .into_iter()
        .map(|c| {
            let own = steps
                .iter()
                .filter(|s| s.challenge_id == c.id)
                .cloned()
                .collect();
            (c, own)
        })
        .collect();
    let mut ids: Vec<i64> = allocation_rows
        .iter()
        .flat_map(|a| [a.advocate_id, a.allocated_by])
        .chain(contacts.iter().map(|c: &ContactRecord| c.recorded_by))
        .chain(case.advocate_id)
        .chain(case.closed_by)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let names = staff_names(conn, ids)?;
    let name_of = |id: i64| {
        names
            .iter()
            .find(|(uid, _)| *uid == id)
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    };
    let attachments = crate::schema::attachments::table
        .filter(crate::schema::attachments::case_id.eq(case_id))
        .order(crate::schema::attachments::uploaded_at.desc())
        .select(crate::attachments::AttachmentRecord::as_select())
        .load(conn)?;
    let mut file = CaseFile {
        attachments,
        advocate_name: case.advocate_id.map(name_of),
        allocations: allocation_rows
            .into_iter()
            .map(|a| {
                let name = name_of(a.advocate_id);
                (a, name)
            })
            .collect(),
        case,
        person,
        contacts,
        issues,
        work,
        challenges,
        staff_names: names,
    };
    reveal(keys, &mut file);
    Ok(file)
}

/// Loads a case the actor may see for a change, refusing a closed case.
fn case_for_work(
    conn: &mut DbConnection,
    actor: &Actor,
    case_id: i64,
) -> Result<CaseRecord, StoreError> {
    let case = visible_case(conn, actor, case_id)?.ok_or(StoreError::NotFound)?;
    if !may_work_on(actor, &case) {
        return Err(StoreError::NotFound);
    }
    // A manager gives a reason before opening a case that is not theirs; writing to it
    // asks the same, so a form posted without opening the case first is no way round.
    crate::confidentiality::require_view_reason(conn, actor, &[case_id])?;
    if case.status == case_status::CLOSED {
        return Err(Invalid::one("case", msg::CASE_CLOSED_REOPEN_FIRST).into());
    }
    Ok(case)
}

/// Counts the open cases of each advocate.
fn open_caseloads(
    conn: &mut DbConnection,
    provider_id: i64,
) -> Result<Vec<(Option<i64>, i64)>, StoreError> {
    Ok(cases::table
        .filter(cases::provider_id.eq(provider_id))
        .filter(cases::status.eq(case_status::ALLOCATED))
        .group_by(cases::advocate_id)
        .select((cases::advocate_id, count_star()))
        .load(conn)?)
}

impl Store {
    /// One case with everything on it, audited as a read (or a denied access).
    pub fn case_file(&self, actor: &Actor, case_id: i64) -> Result<CaseFile, StoreError> {
        let keys = self.keys()?;
        self.read_scoped(actor, "case", case_id, |conn| {
            crate::confidentiality::require_view_reason(conn, actor, &[case_id])?;
            load_case_file(conn, keys, actor, case_id)
        })
    }

    /// The cases on a caseload, with what decides what is due: an advocate's own, or for
    /// a manager every open case of the provider (or one advocate's, when named).
    pub fn caseload(
        &self,
        actor: &Actor,
        advocate: Option<i64>,
    ) -> Result<Vec<CaseloadRow>, StoreError> {
        if !matches!(actor.role, Role::Advocate | Role::Manager) {
            return Err(StoreError::NotFound);
        }
        // An advocate's caseload is the cases allocated to them, not any case they
        // may open for a while in an emergency.
        let advocate = match actor.role {
            Role::Advocate => Some(actor.user_id),
            _ => advocate,
        };
        self.read_audited(|conn, trail| {
            let mut query = visible_cases(actor).filter(cases::status.eq(case_status::ALLOCATED));
            if let Some(advocate) = advocate {
                query = query.filter(cases::advocate_id.eq(advocate));
            }
            let rows: Vec<CaseRecord> = query
                .order(cases::id.asc())
                .select(CaseRecord::as_select())
                .load(conn)?;
            let case_ids: Vec<i64> = rows.iter().map(|c| c.id).collect();
            let person_ids: Vec<i64> = rows.iter().map(|c| c.person_id).collect();
            let names: Vec<(i64, String, String)> = people::table
                .filter(people::id.eq_any(&person_ids))
                .select((people::id, people::given_name, people::family_name))
                .load(conn)?;
            let advocates = staff_names(conn, rows.iter().filter_map(|c| c.advocate_id).collect())?;
            let contact_span: Vec<(i64, Option<NaiveDateTime>, Option<NaiveDateTime>)> =
                contacts::table
                    .filter(contacts::case_id.eq_any(&case_ids))
                    .group_by(contacts::case_id)
                    .select((
                        contacts::case_id,
                        diesel::dsl::min(contacts::occurred_at),
                        diesel::dsl::max(contacts::occurred_at),
                    ))
                    .load(conn)?;
            let work: Vec<WorkRecord> = case_work::table
                .filter(case_work::case_id.eq_any(&case_ids))
                .select(WorkRecord::as_select())
                .load(conn)?;
            let open_challenges: Vec<(i64, Option<NaiveDate>)> = challenges::table
                .filter(challenges::case_id.eq_any(&case_ids))
                .filter(challenges::concluded_on.is_null())
                .select((challenges::case_id, challenges::reply_due))
                .load(conn)?;
            trail.record(
                AuditEvent::by(actor, AuditAction::Read, "caseload", advocate)
                    .because(format!("{} cases", rows.len())),
            );
            Ok(rows
                .into_iter()
                .map(|case| {
                    let person_name = names
                        .iter()
                        .find(|(id, _, _)| *id == case.person_id)
                        .map(|(_, g, f)| format!("{g} {f}"))
                        .unwrap_or_default();
                    let advocate_name = case.advocate_id.and_then(|a| {
                        advocates
                            .iter()
                            .find(|(id, _)| *id == a)
                            .map(|(_, n)| n.clone())
                    });
                    let span = contact_span.iter().find(|(id, _, _)| *id == case.id);
                    let own_work: Vec<&WorkRecord> =
                        work.iter().filter(|w| w.case_id == case.id).collect();
                    let facts = CaseFacts {
                        duty: case.duty.clone(),
                        introduction_due: case.introduction_due,
                        first_contact: span.and_then(|(_, first, _)| first.map(|f| f.date())),
                        last_contact: span.and_then(|(_, _, last)| last.map(|l| l.date())),
                        open_work: own_work
                            .iter()
                            .filter(|w| w.done_on.is_none())
                            .filter_map(|w| Some((WorkKind::parse(&w.kind)?, w.due_on?)))
                            .collect(),
                        responses_due: own_work
                            .iter()
                            .filter(|w| w.done_on.is_some() && w.response_received_on.is_none())
                            .filter_map(|w| w.response_due)
                            .chain(
                                open_challenges
                                    .iter()
                                    .filter(|(id, _)| *id == case.id)
                                    .filter_map(|(_, due)| *due),
                            )
                            .collect(),
                    };
                    CaseloadRow {
                        case,
                        person_name,
                        advocate_name,
                        facts,
                    }
                })
                .collect())
        })
    }

    /// The provider's advocates, with their allocation settings and open caseload, for
    /// managers.
    pub fn advocates(&self, actor: &Actor) -> Result<Vec<AdvocateRow>, StoreError> {
        if actor.role != Role::Manager {
            return Err(StoreError::NotFound);
        }
        self.read(|conn| advocate_rows(conn, actor.organisation_id))
    }

    /// Sets what allocation weighs about an advocate. `version` is the version the
    /// manager saw (0 for an advocate never set up).
    pub fn set_advocate_settings(
        &self,
        actor: &Actor,
        settings: &AdvocateSettingsRecord,
    ) -> Result<(), StoreError> {
        if actor.role != Role::Manager {
            return Err(StoreError::NotFound);
        }
        self.write(|conn, trail| {
            let advocate: i64 = users::table
                .filter(users::id.eq(settings.user_id))
                .filter(users::organisation_id.eq(actor.organisation_id))
                .filter(users::role.eq(Role::Advocate.as_str()))
                .count()
                .get_result(conn)?;
            if advocate != 1 {
                return Err(StoreError::NotFound);
            }
            let current: Option<i64> = advocate_settings::table
                .find(settings.user_id)
                .select(advocate_settings::version)
                .first(conn)
                .optional()?;
            match current {
                None if settings.version == 0 => {
                    diesel::insert_into(advocate_settings::table)
                        .values(AdvocateSettingsRecord {
                            version: 1,
                            ..settings.clone()
                        })
                        .execute(conn)?;
                }
                Some(version) if version == settings.version => {
                    diesel::update(advocate_settings::table.find(settings.user_id))
                        .set((
                            advocate_settings::duties.eq(&settings.duties),
                            advocate_settings::areas.eq(&settings.areas),
                            advocate_settings::languages.eq(&settings.languages),
                            advocate_settings::gender.eq(&settings.gender),
                            advocate_settings::capacity.eq(settings.capacity),
                            advocate_settings::version.eq(version + 1),
                        ))
                        .execute(conn)?;
                }
                _ => return Err(StoreError::Conflict),
            }
            trail.record(AuditEvent::by(
                actor,
                AuditAction::Update,
                "advocate_settings",
                Some(settings.user_id),
            ));
            Ok(())
        })
    }

    /// The provider's advocates as the ranking sees them for one case (duties, area,
    /// languages, gender, caseload, continuity with this person, any conflict and their
    /// qualifications), and what the case asks of them, the duty's rule included.
    pub fn allocation_candidates(
        &self,
        actor: &Actor,
        case: &CaseRecord,
    ) -> Result<(Vec<Candidate>, CaseNeeds), StoreError> {
        if actor.role != Role::Manager || case.provider_id != actor.organisation_id {
            return Err(StoreError::NotFound);
        }
        self.read(|conn| {
            Ok((
                candidates(conn, actor.organisation_id, case)?,
                needs_of(conn, case)?,
            ))
        })
    }

    /// Allocates (or re-allocates) a case to an advocate on `today`. A conflict of
    /// interest between the advocate and the person, or an advocate short of the duty's
    /// qualification rule, is refused here as well as in the ranking, so no path around
    /// the form can allocate it. Re-allocation needs a reason.
    #[allow(clippy::too_many_arguments)]
    pub fn allocate(
        &self,
        actor: &Actor,
        case_id: i64,
        version: i64,
        advocate_id: i64,
        reason: Option<&str>,
        override_reason: Option<&str>,
        today: NaiveDate,
    ) -> Result<(), StoreError> {
        if actor.role != Role::Manager {
            return Err(StoreError::NotFound);
        }
        self.write(|conn, trail| {
            let case = visible_case(conn, actor, case_id)?.ok_or(StoreError::NotFound)?;
            if case.version != version {
                return Err(StoreError::Conflict);
            }
            if case.status == case_status::CLOSED {
                return Err(Invalid::one("advocate", msg::ALLOCATION_CASE_CLOSED).into());
            }
            let advocate: Option<String> = users::table
                .filter(users::id.eq(advocate_id))
                .filter(users::organisation_id.eq(actor.organisation_id))
                .filter(users::role.eq(Role::Advocate.as_str()))
                .filter(users::disabled_at.is_null())
                .select(users::display_name)
                .first(conn)
                .optional()?;
            let Some(advocate_name) = advocate else {
                return Err(Invalid::one("advocate", msg::ALLOCATE_CHOOSE).into());
            };
            if case.advocate_id == Some(advocate_id) {
                return Err(Invalid::one(
                    "advocate",
                    msg::ALLOCATION_ALREADY_HOLDS.with("advocate", advocate_name),
                )
                .into());
            }
            let all = candidates(conn, actor.organisation_id, &case)?;
            let suggestions = advocase_domain::casework::rank(&all, &needs_of(conn, &case)?, today);
            advocase_domain::casework::check_allocation(&suggestions, advocate_id, override_reason)
                .map_err(Invalid::from)?;
            let reallocating = case.advocate_id.is_some();
            if reallocating && reason.is_none_or(|r| r.trim().is_empty()) {
                return Err(Invalid::one("reason", msg::REALLOCATION_REASON_MISSING).into());
            }
            let at = now();
            diesel::update(
                allocations::table
                    .filter(allocations::case_id.eq(case_id))
                    .filter(allocations::ended_at.is_null()),
            )
            .set(allocations::ended_at.eq(at))
            .execute(conn)?;
            diesel::insert_into(allocations::table)
                .values((
                    allocations::case_id.eq(case_id),
                    allocations::advocate_id.eq(advocate_id),
                    allocations::allocated_by.eq(actor.user_id),
                    allocations::allocated_at.eq(at),
                    allocations::reason.eq(reason.filter(|r| !r.trim().is_empty())),
                    allocations::override_reason
                        .eq(override_reason.filter(|r| !r.trim().is_empty())),
                ))
                .execute(conn)?;
            let changed = diesel::update(
                cases::table
                    .find(case_id)
                    .filter(cases::version.eq(version)),
            )
            .set((
                cases::advocate_id.eq(advocate_id),
                cases::allocated_at.eq(at),
                cases::status.eq(case_status::ALLOCATED),
                cases::version.eq(version + 1),
            ))
            .execute(conn)?;
            if changed != 1 {
                return Err(StoreError::Conflict);
            }
            trail.record(
                AuditEvent::by(actor, AuditAction::Update, "case", Some(case_id)).because(
                    if reallocating {
                        "re-allocated"
                    } else {
                        "allocated"
                    },
                ),
            );
            Ok(())
        })
    }

    /// Records a conflict of interest between an advocate and a person. An advocate
    /// records their own, about a person they can see; a manager records anyone's.
    pub fn record_conflict(
        &self,
        actor: &Actor,
        person_id: i64,
        advocate_id: i64,
        kind: ConflictKind,
        note: Option<&str>,
    ) -> Result<(), StoreError> {
        let allowed = match actor.role {
            Role::Manager => true,
            Role::Advocate => advocate_id == actor.user_id,
            _ => false,
        };
        if !allowed {
            return Err(StoreError::NotFound);
        }
        self.write(|conn, trail| {
            visible_person(conn, actor, person_id)?.ok_or(StoreError::NotFound)?;
            let advocate: i64 = users::table
                .filter(users::id.eq(advocate_id))
                .filter(users::organisation_id.eq(actor.organisation_id))
                .filter(users::role.eq(Role::Advocate.as_str()))
                .count()
                .get_result(conn)?;
            if advocate != 1 {
                return Err(Invalid::one("advocate", msg::ALLOCATE_CHOOSE).into());
            }
            let inserted = diesel::insert_into(conflicts::table)
                .values((
                    conflicts::provider_id.eq(actor.organisation_id),
                    conflicts::advocate_id.eq(advocate_id),
                    conflicts::person_id.eq(person_id),
                    conflicts::kind.eq(kind.as_str()),
                    conflicts::note.eq(note),
                    conflicts::recorded_by.eq(actor.user_id),
                    conflicts::recorded_at.eq(now()),
                ))
                .execute(conn)
                .map_err(StoreError::from);
            match inserted {
                Err(e) if e.is_unique_violation() => {
                    return Err(Invalid::one("advocate", msg::CONFLICT_ALREADY_RECORDED).into());
                }
                other => other?,
            };
            trail.record(
                AuditEvent::by(actor, AuditAction::Create, "conflict", Some(person_id))
                    .because(kind.as_str()),
            );
            Ok(())
        })
    }

    /// Records a contact on a case.
    pub fn record_contact(
        &self,
        actor: &Actor,
        case_id: i64,
        contact: &NewContact,
    ) -> Result<i64, StoreError> {
        let keys = self.keys()?;
        self.write(|conn, trail| {
            case_for_work(conn, actor, case_id)?;
            let id: i64 = diesel::insert_into(contacts::table)
                .values((
                    contacts::case_id.eq(case_id),
                    contacts::occurred_at.eq(contact.occurred_at),
                    contacts::mode.eq(contact.mode.as_str()),
                    contacts::duration_minutes.eq(contact.duration_minutes as i32),
                    contacts::present
                        .eq(keys.seal_some("contacts.present", contact.present.as_deref())),
                    contacts::discussed.eq(keys.seal("contacts.discussed", &contact.discussed)),
                    contacts::agreed
                        .eq(keys.seal_some("contacts.agreed", contact.agreed.as_deref())),
                    contacts::could_instruct.eq(contact.could_instruct),
                    contacts::approach.eq(contact.approach.map(|a| a.as_str())),
                    contacts::recorded_by.eq(actor.user_id),
                    contacts::recorded_at.eq(now()),
                ))
                .returning(contacts::id)
                .get_result(conn)?;
            trail.record(AuditEvent::by(
                actor,
                AuditAction::Create,
                "contact",
                Some(id),
            ));
            Ok(id)
        })
    }

    /// Adds an issue the person wants to work on, in their words.
    pub fn add_issue(
        &self,
        actor: &Actor,
        case_id: i64,
        in_their_words: &str,
        process: Process,
    ) -> Result<i64, StoreError> {
        let keys = self.keys()?;
        self.write(|conn, trail| {
            case_for_work(conn, actor, case_id)?;
            let id: i64 = diesel::insert_into(case_issues::table)
                .values((
                    case_issues::case_id.eq(case_id),
                    case_issues::in_their_words
                        .eq(keys.seal("case_issues.in_their_words", in_their_words)),
                    case_issues::process.eq(process.as_str()),
                    case_issues::created_by.eq(actor.user_id),
                    case_issues::created_at.eq(now()),
                ))
                .returning(case_issues::id)
                .get_result(conn)?;
            trail.record(AuditEvent::by(
                actor,
                AuditAction::Create,
                "case_issue",
                Some(id),
            ));
            Ok(id)
        })
    }

    /// Records (or corrects) the outcome of an issue. `version` is the version the
    /// form was showing: a change since then is refused, never overwritten.
    pub fn record_outcome(
        &self,
        actor: &Actor,
        case_id: i64,
        issue_id: i64,
        version: i64,
        outcome: OutcomeLevel,
        in_their_words: Option<&str>,
    ) -> Result<(), StoreError> {
        let keys = self.keys()?;
        self.write(|conn, trail| {
            case_for_work(conn, actor, case_id)?;
            let changed = diesel::update(
                case_issues::table
                    .find(issue_id)
                    .filter(case_issues::case_id.eq(case_id))
                    .filter(case_issues::version.eq(version)),
            )
            .set((
                case_issues::outcome.eq(outcome.as_str()),
                case_issues::outcome_in_their_words
                    .eq(keys.seal_some("case_issues.outcome_in_their_words", in_their_words)),
                case_issues::outcome_recorded_at.eq(now()),
                case_issues::version.eq(version + 1),
            ))
            .execute(conn)?;
            if changed != 1 {
                let exists: i64 = case_issues::table
                    .find(issue_id)
                    .filter(case_issues::case_id.eq(case_id))
                    .count()
                    .get_result(conn)?;
                return Err(if exists == 1 {
                    StoreError::Conflict
                } else {
                    StoreError::NotFound
                });
            }
            trail.record(
                AuditEvent::by(actor, AuditAction::Update, "case_issue", Some(issue_id))
                    .because(outcome.as_str()),
            );
            Ok(())
        })
    }

    /// Adds a meeting, letter or report to a case.
    pub fn add_work(&self, actor: &Actor, case_id: i64, work: &NewWork) -> Result<i64, StoreError> {
        let keys = self.keys()?;
        self.write(|conn, trail| {
            case_for_work(conn, actor, case_id)?;
            let id: i64 = diesel::insert_into(case_work::table)
                .values((
                    case_work::case_id.eq(case_id),
                    case_work::kind.eq(work.kind.as_str()),
                    case_work::description
                        .eq(keys.seal("case_work.description", &work.description)),
                    case_work::due_on.eq(work.due_on),
                    case_work::minutes.eq(work.minutes.map(|m| m as i32)),
                    case_work::created_by.eq(actor.user_id),
                    case_work::created_at.eq(now()),
                ))
                .returning(case_work::id)
                .get_result(conn)?;
            trail.record(AuditEvent::by(
                actor,
                AuditAction::Create,
                "case_work",
                Some(id),
            ));
            Ok(id)
        })
    }

    /// Marks a piece of work done, or records the authority's reply to a concerns report.
    pub fn finish_work(
        &self,
        actor: &Actor,
        case_id: i64,
        work_id: i64,
        version: i64,
        done: &WorkDone,
    ) -> Result<(), StoreError> {
        let keys = self.keys()?;
        self.write(|conn, trail| {
            case_for_work(conn, actor, case_id)?;
            let current: WorkRecord = case_work::table
                .find(work_id)
                .filter(case_work::case_id.eq(case_id))
                .select(WorkRecord::as_select())
                .first(conn)
                .optional()?
                .ok_or(StoreError::NotFound)?;
            if current.version != version {
                return Err(StoreError::Conflict);
            }
            let minutes = done.minutes.map(|m| m as i32).or(current.minutes);
            let changed = diesel::update(
                case_work::table
                    .find(work_id)
                    .filter(case_work::version.eq(version)),
            )
            .set((
                case_work::done_on.eq(done.done_on),
                case_work::response_due.eq(done.response_due.or(current.response_due)),
                case_work::response_received_on
                    .eq(done.response_received_on.or(current.response_received_on)),
                case_work::response.eq(keys
                    .seal_some("case_work.response", done.response.as_deref())
                    .or(current.response.clone())),
                case_work::minutes.eq(minutes),
                case_work::version.eq(version + 1),
            ))
            .execute(conn)?;
            if changed != 1 {
                return Err(StoreError::Conflict);
            }
            trail.record(AuditEvent::by(
                actor,
                AuditAction::Update,
                "case_work",
                Some(work_id),
            ));
            Ok(())
        })
    }

    /// Records a challenge to a decision, with its first step.
    pub fn add_challenge(
        &self,
        actor: &Actor,
        case_id: i64,
        challenge: &NewChallenge,
    ) -> Result<i64, StoreError> {
        let keys = self.keys()?;
        self.write(|conn, trail| {
            case_for_work(conn, actor, case_id)?;
            let at = now();
            let id: i64 = diesel::insert_into(challenges::table)
                .values((
                    challenges::case_id.eq(case_id),
                    challenges::decision.eq(keys.seal("challenges.decision", &challenge.decision)),
                    challenges::decision_maker.eq(&challenge.decision_maker),
                    challenges::raised_on.eq(challenge.raised_on),
                    challenges::reply_due.eq(challenge.reply_due),
                    challenges::created_by.eq(actor.user_id),
                    challenges::created_at.eq(at),
                ))
                .returning(challenges::id)
                .get_result(conn)?;
            diesel::insert_into(challenge_steps::table)
                .values((
                    challenge_steps::challenge_id.eq(id),
                    challenge_steps::step.eq(challenge.step.as_str()),
                    challenge_steps::taken_on.eq(challenge.raised_on),
                    challenge_steps::recorded_by.eq(actor.user_id),
                    challenge_steps::recorded_at.eq(at),
                ))
                .execute(conn)?;
            trail.record(AuditEvent::by(
                actor,
                AuditAction::Create,
                "challenge",
                Some(id),
            ));
            Ok(id)
        })
    }

    /// Records the next step of a challenge (or the outcome of the current one), and
    /// its conclusion when it ends.
    pub fn add_challenge_step(
        &self,
        actor: &Actor,
        case_id: i64,
        challenge_id: i64,
        version: i64,
        step: &NewChallengeStep,
    ) -> Result<(), StoreError> {
        let keys = self.keys()?;
        self.write(|conn, trail| {
            case_for_work(conn, actor, case_id)?;
            let current: ChallengeRecord = challenges::table
                .find(challenge_id)
                .filter(challenges::case_id.eq(case_id))
                .select(ChallengeRecord::as_select())
                .first(conn)
                .optional()?
                .ok_or(StoreError::NotFound)?;
            if current.version != version {
                return Err(StoreError::Conflict);
            }
            if current.concluded_on.is_some() {
                return Err(Invalid::one("step", msg::CHALLENGE_ALREADY_CONCLUDED).into());
            }
            if step.taken_on < current.raised_on {
                return Err(Invalid::one("taken_on", msg::CHALLENGE_STEP_BEFORE_RAISED).into());
            }
            diesel::insert_into(challenge_steps::table)
                .values((
                    challenge_steps::challenge_id.eq(challenge_id),
                    challenge_steps::step.eq(step.step.as_str()),
                    challenge_steps::taken_on.eq(step.taken_on),
                    challenge_steps::outcome
                        .eq(keys.seal_some("challenge_steps.outcome", step.outcome.as_deref())),
                    challenge_steps::recorded_by.eq(actor.user_id),
                    challenge_steps::recorded_at.eq(now()),
                ))
                .execute(conn)?;
            diesel::update(challenges::table.find(challenge_id))
                .set((
                    challenges::reply_due.eq(step.reply_due),
                    challenges::concluded_on.eq(step.concluded.as_ref().map(|_| step.taken_on)),
                    challenges::result
                        .eq(keys.seal_some("challenges.result", step.concluded.as_deref())),
                    challenges::version.eq(version + 1),
                ))
                .execute(conn)?;
            trail.record(
                AuditEvent::by(actor, AuditAction::Update, "challenge", Some(challenge_id))
                    .because(step.step.as_str()),
            );
            Ok(())
        })
    }

    /// Closes a case. Open tasks are counted again inside the transaction, so a task
    /// added while the form was open still needs the reason.
    pub fn close_case(
        &self,
        actor: &Actor,
        case_id: i64,
        version: i64,
        closure: &Closure,
    ) -> Result<(), StoreError> {
        let keys = self.keys()?;
        self.write(|conn, trail| {
            let case = case_for_work(conn, actor, case_id)?;
            if case.version != version {
                return Err(StoreError::Conflict);
            }
            let file = load_case_file(conn, keys, actor, case_id)?.ok_or(StoreError::NotFound)?;
            let open = file.open_tasks();
            if open > 0 && closure.open_tasks_reason.is_none() {
                return Err(Invalid::one(
                    "open_tasks_reason",
                    msg::CLOSURE_OPEN_TASKS.with("count", open),
                )
                .into());
            }
            let at = now();
            let changed = diesel::update(
                cases::table
                    .find(case_id)
                    .filter(cases::version.eq(version)),
            )
            .set((
                cases::status.eq(case_status::CLOSED),
                cases::closed_at.eq(at),
                cases::closed_by.eq(actor.user_id),
                cases::closure_reason.eq(closure.reason.as_str()),
                cases::handed_over_to.eq(&closure.handed_over_to),
                cases::self_advocacy.eq(closure.self_advocacy.as_str()),
                cases::closure_note
                    .eq(keys.seal_some("cases.closure_note", closure.note.as_deref())),
                cases::open_tasks_reason.eq(keys.seal_some(
                    "cases.open_tasks_reason",
                    closure.open_tasks_reason.as_deref(),
                )),
                cases::version.eq(version + 1),
            ))
            .execute(conn)?;
            if changed != 1 {
                return Err(StoreError::Conflict);
            }
            diesel::update(
                allocations::table
                    .filter(allocations::case_id.eq(case_id))
                    .filter(allocations::ended_at.is_null()),
            )
            .set(allocations::ended_at.eq(at))
            .execute(conn)?;
            trail.record(
                AuditEvent::by(actor, AuditAction::Update, "case", Some(case_id))
                    .because(format!("closed: {}", closure.reason.as_str())),
            );
            Ok(())
        })
    }

    /// Re-opens a closed case as a new case linked to it, when it closed no more than
    /// `within_days` days before `today`. It goes back to the same advocate when they
    /// still work here and have no conflict; otherwise onto the waiting list.
    pub fn reopen_case(
        &self,
        actor: &Actor,
        case_id: i64,
        within_days: u32,
        today: NaiveDate,
    ) -> Result<i64, StoreError> {
        if actor.role != Role::Manager {
            return Err(StoreError::NotFound);
        }
        self.write(|conn, trail| {
            let case = visible_case(conn, actor, case_id)?.ok_or(StoreError::NotFound)?;
            let Some(closed_at) = case.closed_at else {
                return Err(Invalid::one("case", msg::CASE_REOPEN_NOT_CLOSED).into());
            };
            let age = (today - advocase_domain::clocks::uk_time(closed_at).date()).num_days();
            if age > i64::from(within_days) {
                return Err(Invalid::one(
                    "case",
                    msg::CASE_REOPEN_TOO_LATE.with("days", within_days),
                )
                .into());
            }
            let reopened: i64 = cases::table
                .filter(cases::reopens_case_id.eq(case_id))
                .count()
                .get_result(conn)?;
            if reopened > 0 {
                return Err(Invalid::one("case", msg::CASE_REOPEN_ALREADY_REOPENED).into());
            }
            let same_advocate = match case.advocate_id.or_else(|| {
                allocations::table
                    .filter(allocations::case_id.eq(case_id))
                    .order(allocations::allocated_at.desc())
                    .select(allocations::advocate_id)
                    .first(conn)
                    .ok()
            }) {
                Some(advocate) => {
                    let active: i64 = users::table
                        .filter(users::id.eq(advocate))
                        .filter(users::disabled_at.is_null())
                        .count()
                        .get_result(conn)?;
                    let conflicted: i64 = conflicts::table
                        .filter(conflicts::advocate_id.eq(advocate))
                        .filter(conflicts::person_id.eq(case.person_id))
                        .count()
                        .get_result(conn)?;
                    (active == 1 && conflicted == 0).then_some(advocate)
                }
                None => None,
            };
            let at = now();
            let new_id: i64 = diesel::insert_into(cases::table)
                .values((
                    cases::provider_id.eq(case.provider_id),
                    cases::person_id.eq(case.person_id),
                    cases::referral_id.eq(case.referral_id),
                    cases::duty.eq(&case.duty),
                    cases::status.eq(if same_advocate.is_some() {
                        case_status::ALLOCATED
                    } else {
                        case_status::WAITING
                    }),
                    cases::opened_at.eq(at),
                    cases::advocate_id.eq(same_advocate),
                    cases::allocated_at.eq(same_advocate.map(|_| at)),
                    cases::reopens_case_id.eq(case_id),
                ))
                .returning(cases::id)
                .get_result(conn)?;
            if let Some(advocate) = same_advocate {
                diesel::insert_into(allocations::table)
                    .values((
                        allocations::case_id.eq(new_id),
                        allocations::advocate_id.eq(advocate),
                        allocations::allocated_by.eq(actor.user_id),
                        allocations::allocated_at.eq(at),
                        allocations::reason.eq("re-opened with the same advocate"),
                    ))
                    .execute(conn)?;
            }
            trail.record(
                AuditEvent::by(actor, AuditAction::Create, "case", Some(new_id))
                    .because(format!("re-opens case {case_id}")),
            );
            Ok(new_id)
        })
    }

    /// The person record: the person and the cases of theirs the actor may see, with
    /// the conflicts of interest recorded about them. Audited as a read of the person.
    pub fn person_file(&self, actor: &Actor, person_id: i64) -> Result<PersonFile, StoreError> {
        let keys = self.keys()?;
        self.read_scoped(actor, "person", person_id, |conn| {
            let Some(person) = visible_person(conn, actor, person_id)? else {
                return Ok(None);
            };
            let case_ids: Vec<i64> = visible_cases(actor)
                .filter(cases::person_id.eq(person_id))
                .order(cases::opened_at.desc())
                .select(cases::id)
                .load(conn)?;
            crate::confidentiality::require_view_reason(conn, actor, &case_ids)?;
            let mut files = Vec::new();
            for id in case_ids {
                if let Some(file) = load_case_file(conn, keys, actor, id)? {
                    files.push(file);
                }
            }
            let conflict_rows: Vec<(ConflictRecord, String)> = conflicts::table
                .inner_join(users::table.on(users::id.eq(conflicts::advocate_id)))
                .filter(conflicts::person_id.eq(person_id))
                .select((ConflictRecord::as_select(), users::display_name))
                .load(conn)?;
            let confidentiality =
                crate::confidentiality::load_person_confidentiality(conn, keys, &person)?;
            let complaints = if actor.role == Role::Manager {
                crate::safeguarding::person_complaints(conn, person_id)?
            } else {
                Vec::new()
            };
            Ok(Some(PersonFile {
                person,
                cases: files,
                conflicts: conflict_rows,
                confidentiality,
                complaints,
            }))
        })
    }

    /// Corrects a person's contact details, communication needs and preferences.
    /// `version` is the version the form showed; a change since is refused.
    pub fn update_person(
        &self,
        actor: &Actor,
        person_id: i64,
        version: i64,
        details: &PersonDetails,
    ) -> Result<(), StoreError> {
        self.write(|conn, trail| {
            let person = visible_person(conn, actor, person_id)?.ok_or(StoreError::NotFound)?;
            if person.version != version {
                return Err(StoreError::Conflict);
            }
            let changed = diesel::update(
                people::table
                    .find(person_id)
                    .filter(people::version.eq(version)),
            )
            .set((
                people::phone.eq(&details.phone),
                people::email.eq(&details.email),
                people::address.eq(&details.address),
                people::language.eq(&details.language),
                people::needs_interpreter.eq(details.needs_interpreter),
                people::uses_bsl.eq(details.uses_bsl),
                people::wants_easy_read.eq(details.wants_easy_read),
                people::preferred_contact.eq(&details.preferred_contact),
                people::gender_preference.eq(details.gender_preference.map(|g| g.as_str())),
                people::communication_needs.eq(&details.communication_needs),
                people::version.eq(version + 1),
            ))
            .execute(conn)?;
            if changed != 1 {
                return Err(StoreError::Conflict);
            }
            trail.record(AuditEvent::by(
                actor,
                AuditAction::Update,
                "person",
                Some(person_id),
            ));
            Ok(())
        })
    }

    /// The person as stored now, without auditing: for showing what changed after a
    /// refused edit, to someone who has just read it.
    pub fn current_person(
        &self,
        actor: &Actor,
        person_id: i64,
    ) -> Result<PersonRecord, StoreError> {
        self.read(|conn| visible_person(conn, actor, person_id)?.ok_or(StoreError::NotFound))
    }
}

/// A person the actor may see: a manager any person of the provider, an advocate a
/// person with a case allocated to them.
/// The most people a search by name shows: enough to choose from, and a prompt to type
/// more of the name when there are more.
pub const SEARCH_LIMIT: usize = 50;

impl Store {
    /// People whose name starts as typed (see [`crate::referrals::name_search_prefixes`]),
    /// in name order, among those the actor may open: a manager, the provider's people
    /// not restricted from them; an advocate, the people of their cases. Audited as one
    /// read, without the words searched for, which may be a name.
    pub fn search_people(
        &self,
        actor: &Actor,
        text: &str,
    ) -> Result<Vec<PersonRecord>, StoreError> {
        crate::require_role(actor, &[Role::Manager, Role::Advocate])?;
        let prefixes = crate::referrals::name_search_prefixes(text);
        if prefixes.is_empty() {
            return Ok(Vec::new());
        }
        self.read_audited(|conn, trail| {
            let mut found: Vec<PersonRecord> = Vec::new();
            for (prefix, given) in &prefixes {
                let mut query = people::table
                    .filter(people::provider_id.eq(actor.organisation_id))
                    .filter(not_restricted_for(actor.user_id))
                    .filter(people::name_key.ge(prefix))
                    .into_boxed();
                if let Some(upper) = crate::referrals::name_search_upper_bound(prefix) {
                    query = query.filter(people::name_key.lt(upper));
                }
                // An advocate finds the people of the cases allocated to them; emergency
                // access opens one case, not a way to look people up.
                if actor.role == Role::Advocate {
                    query = query.filter(
                        people::id.eq_any(
                            cases::table
                                .filter(cases::provider_id.eq(actor.organisation_id))
                                .filter(cases::advocate_id.eq(actor.user_id))
                                .select(cases::person_id),
                        ),
                    );
                }
                // The range may be wider than the prefix (see the upper bound), so more
                // are read than shown and the exact match is made here.
                let rows: Vec<PersonRecord> = query
                    .order(people::name_key.asc())
                    .limit(4 * SEARCH_LIMIT as i64)
                    .select(PersonRecord::as_select())
                    .load(conn)?;
                found.extend(rows.into_iter().filter(|p| {
                    p.name_key.starts_with(prefix.as_str())
                        && given.as_ref().is_none_or(|g| {
                            p.given_name.trim().to_lowercase().starts_with(g.as_str())
                        })
                }));
            }
            found.sort_by(|a, b| a.name_key.cmp(&b.name_key).then(a.id.cmp(&b.id)));
            found.dedup_by_key(|p| p.id);
            found.truncate(SEARCH_LIMIT + 1);
            trail.record(
                AuditEvent::by(actor, AuditAction::Read, "person_search", None)
                    .because(format!("{} found", found.len().min(SEARCH_LIMIT))),
            );
            Ok(found)
        })
    }
}

pub(crate) fn visible_person(
    conn: &mut DbConnection,
    actor: &Actor,
    person_id: i64,
) -> Result<Option<PersonRecord>, StoreError> {
    let query = people::table
        .filter(people::id.eq(person_id))
        .filter(people::provider_id.eq(actor.organisation_id))
        .filter(not_restricted_for(actor.user_id))
        .select(PersonRecord::as_select());
    let visible = match actor.role {
        Role::Manager => true,
        Role::Advocate => {
            let allocated: i64 = visible_cases(actor)
                .filter(cases::person_id.eq(person_id))
                .count()
                .get_result(conn)?;
            allocated > 0
        }
        _ => false,
    };
    if !visible {
        return Ok(None);
    }
    Ok(query.first(conn).optional()?)
}

fn advocate_rows(
    conn: &mut DbConnection,
    provider_id: i64,
) -> Result<Vec<AdvocateRow>, StoreError> {
    let rows: Vec<(i64, String, Option<AdvocateSettingsRecord>)> = users::table
        .left_join(advocate_settings::table)
        .filter(users::organisation_id.eq(provider_id))
        .filter(users::role.eq(Role::Advocate.as_str()))
        .filter(users::disabled_at.is_null())
        .order(users::display_name.asc())
        .select((
            users::id,
            users::display_name,
            Option::<AdvocateSettingsRecord>::as_select(),
        ))
        .load(conn)?;
    let loads = open_caseloads(conn, provider_id)?;
    Ok(rows
        .into_iter()
        .map(|(user_id, name, settings)| AdvocateRow {
            open_cases: loads
                .iter()
                .find(|(a, _)| *a == Some(user_id))
                .map_or(0, |(_, n)| *n),
            settings: settings.unwrap_or_else(|| AdvocateSettingsRecord::unset(user_id)),
            user_id,
            name,
        })
        .collect())
}

fn candidates(
    conn: &mut DbConnection,
    provider_id: i64,
    case: &CaseRecord,
) -> Result<Vec<Candidate>, StoreError> {
    let advocates = advocate_rows(conn, provider_id)?;
    let ids: Vec<i64> = advocates.iter().map(|a| a.user_id).collect();
    let mut held = crate::workforce::qualification_facts(conn, &ids)?;
    let supporting: Vec<Option<i64>> = cases::table
        .filter(cases::person_id.eq(case.person_id))
        .filter(cases::status.eq(case_status::ALLOCATED))
        .filter(cases::id.ne(case.id))
        .select(cases::advocate_id)
        .load(conn)?;
    let conflicted: Vec<(i64, String)> = conflicts::table
        .filter(conflicts::person_id.eq(case.person_id))
        .select((conflicts::advocate_id, conflicts::kind))
        .load(conn)?;
    Ok(advocates
        .into_iter()
        .zip(held.iter_mut())
        .map(|(a, (_, qualifications, started_on))| Candidate {
            qualifications: std::mem::take(qualifications),
            started_on: *started_on,
            user_id: a.user_id,
            name: a.name,
            duties: list(&a.settings.duties),
            areas: list(&a.settings.areas),
            languages: list(&a.settings.languages),
            gender: a.settings.gender.as_deref().and_then(Gender::parse),
            capacity: a.settings.capacity.max(0) as u32,
            caseload: a.open_cases.max(0) as u32,
            supports_person: supporting.contains(&Some(a.user_id)),
            conflict: conflicted
                .iter()
                .find(|(id, _)| *id == a.user_id)
                .and_then(|(_, kind)| ConflictKind::parse(kind)),
        })
        .collect())
}

/// What a case asks of its advocate: from the person record, and the provider's
/// qualification rule for the duty.
fn needs_of(conn: &mut DbConnection, case: &CaseRecord) -> Result<CaseNeeds, StoreError> {
    let person: PersonRecord = people::table
        .find(case.person_id)
        .select(PersonRecord::as_select())
        .first(conn)?;
    Ok(CaseNeeds {
        duty: case.duty.clone(),
        local_authority: person.local_authority.clone(),
        language: person.language.clone(),
        gender_preference: person.gender_preference.as_deref().and_then(Gender::parse),
        rule: crate::workforce::rule_for(conn, case.provider_id, &case.duty)?,
    })
}
