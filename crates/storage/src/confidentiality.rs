//! Confidentiality and the records lifecycle: a manager's reason for opening a case,
//! emergency (break-glass) access, restricted records, consents to share and the
//! sharing check, breaches of confidentiality, subject access requests and the export
//! that answers them, legal holds, and destruction at the end of the retention period.
//!
//! Who may see a case is still decided in one place, `casework::visible_cases`; this
//! module adds the records that widen or narrow it (break-glass, restriction) and the
//! reason a manager gives before reading case content that is not theirs.

use crate::audit::AuditEvent;
use crate::casework::{
    CaseFile, hidden_people, load_case_contents, not_restricted_for, visible_case, visible_cases,
    visible_person,
};
use crate::referrals::{CaseRecord, PersonRecord, ReferralRecord};
use crate::schema::{
    allocations, api_tokens, attachments, audit_entries, break_glass, case_issues,
    case_view_reasons, case_work, cases, challenge_steps, challenges, complaints,
    confidentiality_breaches, conflicts, consents, contacts, destructions, equality_answers,
    legal_holds, one_time_links, organisations, people, person_accounts, rectification_requests,
    referral_decisions, referrals, restricted_access, retention_checks, safeguarding_concerns,
    self_assessment_links, service_concerns, sessions, subject_access_requests, users,
};
use crate::sealing::Keyring;
use crate::{DbConnection, Store, StoreError, now, require_role};
use advocase_domain::audit::AuditAction;
use advocase_domain::confidentiality::{
    ConsentFacts, ConsentScope, LawfulBasis, NewBreach, NewConsent, Requester, SharingRefusal,
    ViewReason, check_sharing, is_due_for_destruction,
};
use advocase_domain::identity::{Actor, OrganisationKind, Role};
use advocase_domain::validation::Invalid;
use advocase_i18n::msg;
use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;

/// What a manager's reason for opening records covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReasonTarget {
    /// One case.
    Case(i64),
    /// Every case of one person, for the person record.
    Person(i64),
}

/// Refuses to go on when `actor` is a manager who has not yet said why they are opening
/// one of `case_ids` that is not allocated to them. Only cases the actor may see are
/// considered, so the answer never reveals a case that is not theirs to see.
pub(crate) fn require_view_reason(
    conn: &mut DbConnection,
    actor: &Actor,
    case_ids: &[i64],
) -> Result<(), StoreError> {
    if actor.role != Role::Manager {
        return Ok(());
    }
    let without_reason: i64 = visible_cases(actor)
        .filter(cases::id.eq_any(case_ids))
        .filter(
            cases::advocate_id
                .is_null()
                .or(cases::advocate_id.ne(actor.user_id)),
        )
        .filter(diesel::dsl::not(diesel::dsl::exists(
            case_view_reasons::table
                .filter(case_view_reasons::case_id.eq(cases::id))
                .filter(case_view_reasons::user_id.eq(actor.user_id)),
        )))
        .count()
        .get_result(conn)?;
    if without_reason > 0 {
        return Err(StoreError::ReasonNeeded);
    }
    Ok(())
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = case_view_reasons)]
pub struct ViewReasonRecord {
    pub id: i64,
    pub case_id: i64,
    pub user_id: i64,
    pub reason: String,
    pub detail: Option<String>,
    pub given_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = restricted_access)]
pub struct RestrictedAccessRecord {
    pub person_id: i64,
    pub user_id: i64,
    pub granted_by: i64,
    pub granted_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = break_glass)]
pub struct BreakGlassRecord {
    pub id: i64,
    pub provider_id: i64,
    pub case_id: i64,
    pub user_id: i64,
    pub reason: String,
    pub opened_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub reviewed_by: Option<i64>,
    pub reviewed_at: Option<NaiveDateTime>,
}

/// A break-glass access waiting for a manager's review, with who opened it.
#[derive(Debug, Clone)]
pub struct BreakGlassRow {
    pub record: BreakGlassRecord,
    pub opened_by: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = consents)]
pub struct ConsentRecord {
    pub id: i64,
    pub provider_id: i64,
    pub person_id: i64,
    pub scope: String,
    pub recipient: String,
    pub basis: String,
    pub given_how: Option<String>,
    pub given_on: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    pub note: Option<String>,
    pub recorded_by: i64,
    pub recorded_at: NaiveDateTime,
    pub withdrawn_on: Option<NaiveDate>,
    pub withdrawn_by: Option<i64>,
}

impl ConsentRecord {
    fn facts(&self) -> Option<ConsentFacts> {
        Some(ConsentFacts {
            scope: ConsentScope::parse(&self.scope)?,
            recipient: self.recipient.clone(),
            basis: LawfulBasis::parse(&self.basis)?,
            given_on: self.given_on,
            valid_until: self.valid_until,
            withdrawn_on: self.withdrawn_on,
        })
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = confidentiality_breaches)]
pub struct BreachRecord {
    pub id: i64,
    pub provider_id: i64,
    pub person_id: i64,
    pub case_id: Option<i64>,
    pub decided_on: NaiveDate,
    pub ground: String,
    pub why: String,
    pub decided_by: String,
    pub who_was_told: String,
    pub person_told: bool,
    pub not_told_why: Option<String>,
    pub recorded_by: i64,
    pub recorded_at: NaiveDateTime,
}

/// A breach as a manager's list shows it.
#[derive(Debug, Clone)]
pub struct BreachRow {
    pub record: BreachRecord,
    pub person_name: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = subject_access_requests)]
pub struct SubjectAccessRecord {
    pub id: i64,
    pub provider_id: i64,
    pub person_id: i64,
    pub received_on: NaiveDate,
    pub due_on: NaiveDate,
    pub requested_by: String,
    pub recorded_by: i64,
    pub recorded_at: NaiveDateTime,
    pub answered_on: Option<NaiveDate>,
    pub answered_by: Option<i64>,
}

/// An open subject access request, with whose records it asks for.
#[derive(Debug, Clone)]
pub struct SubjectAccessRow {
    pub record: SubjectAccessRecord,
    pub person_name: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = legal_holds)]
pub struct LegalHoldRecord {
    pub person_id: i64,
    pub reason: String,
    pub placed_by: i64,
    pub placed_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = destructions)]
pub struct DestructionRecord {
    pub id: i64,
    pub provider_id: i64,
    pub destroyed_at: NaiveDateTime,
    pub approved_by: i64,
    pub record_class: String,
    pub former_id: i64,
    pub counts: String,
}

/// The confidentiality side of a person record: who it is restricted to, consents,
/// breaches, requests for records, and any legal hold.
#[derive(Debug, Clone, Default)]
pub struct PersonConfidentiality {
    /// The users named on a restriction (empty when the record is not restricted).
    pub restricted_to: Vec<(i64, String)>,
    pub consents: Vec<ConsentRecord>,
    pub breaches: Vec<BreachRecord>,
    pub subject_access: Vec<SubjectAccessRecord>,
    pub legal_hold: Option<LegalHoldRecord>,
}

/// Loads the confidentiality records of a person the caller has already found visible,
/// their free text opened.
pub(crate) fn load_person_confidentiality(
    conn: &mut DbConnection,
    keys: &Keyring,
    person: &PersonRecord,
) -> Result<PersonConfidentiality, StoreError> {
    let restricted_to = if person.restricted {
        restricted_access::table
            .inner_join(users::table.on(users::id.eq(restricted_access::user_id)))
            .filter(restricted_access::person_id.eq(person.id))
            .order(users::display_name.asc())
            .select((users::id, users::display_name))
            .load(conn)?
    } else {
        Vec::new()
    };
    let mut consent_rows: Vec<ConsentRecord> = consents::table
        .filter(consents::person_id.eq(person.id))
        .order((consents::given_on.desc(), consents::id.desc()))
        .select(ConsentRecord::as_select())
        .load(conn)?;
    for c in &mut consent_rows {
        keys.reveal_some("consents.note", &mut c.note);
    }
    let mut breach_rows: Vec<BreachRecord> = confidentiality_breaches::table
        .filter(confidentiality_breaches::person_id.eq(person.id))
        .order(confidentiality_breaches::decided_on.desc())
        .select(BreachRecord::as_select())
        .load(conn)?;
    for b in &mut breach_rows {
        open_breach(keys, b);
    }
    let subject_access = subject_access_requests::table
        .filter(subject_access_requests::person_id.eq(person.id))
        .order(subject_access_requests::received_on.desc())
        .select(SubjectAccessRecord::as_select())
        .load(conn)?;
    let legal_hold = legal_holds::table
        .find(person.id)
        .select(LegalHoldRecord::as_select())
        .first(conn)
        .optional()?;
    Ok(PersonConfidentiality {
        restricted_to,
        consents: consent_rows,
        breaches: breach_rows,
        subject_access,
        legal_hold,
    })
}

fn open_breach(keys: &Keyring, breach: &mut BreachRecord) {
    breach.why = keys.reveal("confidentiality_breaches.why", &breach.why);
    breach.who_was_told = keys.reveal(
        "confidentiality_breaches.who_was_told",
        &breach.who_was_told,
    );
    keys.reveal_some(
        "confidentiality_breaches.not_told_why",
        &mut breach.not_told_why,
    );
}

/// Everything held about one person, as the answer to a subject access request:
/// their details, every case with its contacts, issues, work and challenges, consents,
/// breaches, requests, and who opened or changed their records. Third parties' personal
/// data is left out: the referrer's details and who else was present at a contact.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SubjectAccessExport {
    pub produced_at: NaiveDateTime,
    pub person: ExportPerson,
    pub referrals: Vec<ExportReferral>,
    pub cases: Vec<ExportCase>,
    pub consents: Vec<ConsentRecord>,
    pub breaches: Vec<BreachRecord>,
    pub subject_access_requests: Vec<SubjectAccessRecord>,
    /// Who opened, changed or exported this person's records, and when.
    pub access_log: Vec<AccessLogEntry>,
}

/// The person's own details, as held.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ExportPerson {
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: Option<NaiveDate>,
    pub address: Option<String>,
    pub postcode: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub local_authority: Option<String>,
    pub language: Option<String>,
    pub needs_interpreter: bool,
    pub uses_bsl: bool,
    pub wants_easy_read: bool,
    pub preferred_contact: Option<String>,
    pub gender_preference: Option<String>,
    pub communication_needs: Option<String>,
    pub first_recorded: NaiveDateTime,
}

/// A referral about the person, as the referrer told it. Who referred is given only as
/// a kind (a professional, a relative, themselves): the referrer's name and contact
/// details are theirs, not the person's.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ExportReferral {
    pub reference: String,
    pub received_at: NaiveDateTime,
    pub referrer_kind: String,
    pub what_is_happening: String,
    pub safeguarding_concerns: Option<String>,
    pub risk_to_visitor: Option<String>,
    pub consent: String,
    pub consent_note: Option<String>,
    pub status: String,
    pub status_reason: Option<String>,
}

/// One case in the export, with the advocates' names.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ExportCase {
    pub case_number: i64,
    pub duty: String,
    pub status: String,
    pub opened_at: NaiveDateTime,
    pub closed_at: Option<NaiveDateTime>,
    pub closure_reason: Option<String>,
    pub closure_note: Option<String>,
    pub advocates: Vec<String>,
    pub contacts: Vec<crate::casework::ContactRecord>,
    pub issues: Vec<crate::casework::IssueRecord>,
    pub work: Vec<crate::casework::WorkRecord>,
    pub challenges: Vec<(
        crate::casework::ChallengeRecord,
        Vec<crate::casework::ChallengeStepRecord>,
    )>,
    /// Staff names by user id, for the "recorded by" of each entry.
    pub staff_names: Vec<(i64, String)>,
}

impl ExportCase {
    fn from_file(file: CaseFile) -> Self {
        let mut advocates: Vec<String> = file
            .allocations
            .iter()
            .map(|(_, name)| name.clone())
            .collect();
        advocates.dedup();
        let mut contacts = file.contacts;
        // Who else was present is their personal data, not the person's.
        for contact in &mut contacts {
            contact.present = None;
        }
        Self {
            case_number: file.case.id,
            duty: file.case.duty,
            status: file.case.status,
            opened_at: file.case.opened_at,
            closed_at: file.case.closed_at,
            closure_reason: file.case.closure_reason,
            closure_note: file.case.closure_note,
            advocates,
            contacts,
            issues: file.issues,
            work: file.work,
            challenges: file.challenges,
            staff_names: file.staff_names,
        }
    }
}

/// One access to the person's records.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AccessLogEntry {
    pub at: String,
    pub by: Option<String>,
    pub action: String,
    pub record: String,
}

/// A person whose retention period has ended, as the manager's review lists them.
#[derive(Debug, Clone)]
pub struct RetentionCandidate {
    pub person_id: i64,
    pub name: String,
    pub last_activity: NaiveDate,
    /// The reason of a legal hold, which stops destruction.
    pub held: Option<String>,
}

/// What the daily retention check found at one provider: counts only.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = retention_checks)]
pub struct RetentionCheck {
    pub provider_id: i64,
    pub checked_at: NaiveDateTime,
    /// People past the retention period whom nothing holds back.
    pub people_due: i64,
    /// People past it who are under a legal hold.
    pub people_held: i64,
}

/// Counts the people past the retention period at a provider and keeps the counts.
fn count_retention(
    conn: &mut DbConnection,
    provider_id: i64,
    today: NaiveDate,
    years: u32,
) -> Result<RetentionCheck, StoreError> {
    let found = retention_candidates(conn, provider_id, None, today, years)?;
    let held = found.iter().filter(|c| c.held.is_some()).count() as i64;
    Ok(RetentionCheck {
        provider_id,
        checked_at: now(),
        people_due: found.len() as i64 - held,
        people_held: held,
    })
}

/// Replaces what the last retention check found at the check's provider.
fn keep_retention_check(conn: &mut DbConnection, check: &RetentionCheck) -> Result<(), StoreError> {
    diesel::delete(retention_checks::table.find(check.provider_id)).execute(conn)?;
    diesel::insert_into(retention_checks::table)
        .values(check)
        .execute(conn)?;
    Ok(())
}

/// How many rows of each kind one destruction removed.
pub type DestructionCounts = Vec<(&'static str, usize)>;

impl Store {
    /// Records why a manager is opening a case (or every case of a person) that is not
    /// allocated to them, so the case page can be shown. Audited.
    pub fn give_view_reason(
        &self,
        actor: &Actor,
        target: ReasonTarget,
        reason: ViewReason,
        detail: Option<&str>,
    ) -> Result<(), StoreError> {
        require_role(actor, &[Role::Manager])?;
        let keys = self.keys()?;
        self.write(|conn, trail| {
            let case_ids: Vec<i64> = match target {
                ReasonTarget::Case(id) => visible_cases(actor)
                    .filter(cases::id.eq(id))
                    .select(cases::id)
                    .load(conn)?,
                ReasonTarget::Person(id) => visible_cases(actor)
                    .filter(cases::person_id.eq(id))
                    .select(cases::id)
                    .load(conn)?,
            };
            if case_ids.is_empty() {
                return Err(StoreError::NotFound);
            }
            let given: Vec<i64> = case_view_reasons::table
                .filter(case_view_reasons::user_id.eq(actor.user_id))
                .filter(case_view_reasons::case_id.eq_any(&case_ids))
                .select(case_view_reasons::case_id)
                .load(conn)?;
            let sealed = detail.map(|d| keys.seal("case_view_reasons.detail", d));
            for case_id in case_ids.into_iter().filter(|id| !given.contains(id)) {
                diesel::insert_into(case_view_reasons::table)
                    .values((
                        case_view_reasons::case_id.eq(case_id),
                        case_view_reasons::user_id.eq(actor.user_id),
                        case_view_reasons::reason.eq(reason.as_str()),
                        case_view_reasons::detail.eq(sealed.as_deref()),
                        case_view_reasons::given_at.eq(now()),
                    ))
                    .execute(conn)?;
                trail.record(
                    AuditEvent::by(
                        actor,
                        AuditAction::Create,
                        "case_view_reason",
                        Some(case_id),
                    )
                    .because(reason.as_str()),
                );
            }
            Ok(())
        })
    }

    /// Opens emergency access for an advocate to a case of their provider that is not
    /// allocated to them, for `hours`. The reason is sealed; managers see the access
    /// until one of them reviews it. A restricted person's case cannot be opened this
    /// way by someone not named on the restriction. Returns the case and the expiry.
    pub fn open_break_glass(
        &self,
        actor: &Actor,
        case_id: i64,
        reason: &str,
        hours: u32,
    ) -> Result<NaiveDateTime, StoreError> {
        if actor.role != Role::Advocate {
            return Err(StoreError::NotFound);
        }
        let keys = self.keys()?;
        self.write(|conn, trail| {
            let exists: i64 = cases::table
                .filter(cases::id.eq(case_id))
                .filter(cases::provider_id.eq(actor.organisation_id))
                .filter(diesel::dsl::not(
                    cases::person_id.eq_any(hidden_people(actor.user_id)),
                ))
                // An advocate with a conflict of interest about the person may not open
                // their case by this route either.
                .filter(diesel::dsl::not(diesel::dsl::exists(
                    conflicts::table
                        .filter(conflicts::person_id.eq(cases::person_id))
                        .filter(conflicts::advocate_id.eq(actor.user_id)),
                )))
                .count()
                .get_result(conn)?;
            if exists == 0 {
                return Err(Invalid::one("case_number", msg::BREAK_GLASS_CASE_NOT_FOUND).into());
            }
            let opened_at = now();
            let expires_at = opened_at + Duration::hours(i64::from(hours));
            let id: i64 = diesel::insert_into(break_glass::table)
                .values((
                    break_glass::provider_id.eq(actor.organisation_id),
                    break_glass::case_id.eq(case_id),
                    break_glass::user_id.eq(actor.user_id),
                    break_glass::reason.eq(keys.seal("break_glass.reason", reason)),
                    break_glass::opened_at.eq(opened_at),
                    break_glass::expires_at.eq(expires_at),
                ))
                .returning(break_glass::id)
                .get_result(conn)?;
            trail.record(
                AuditEvent::by(actor, AuditAction::BreakGlass, "case", Some(case_id))
                    .because(format!("break_glass {id}")),
            );
            Ok(expires_at)
        })
    }

    /// Break-glass accesses no manager has reviewed yet, newest first.
    pub fn break_glass_to_review(&self, actor: &Actor) -> Result<Vec<BreakGlassRow>, StoreError> {
        require_role(actor, &[Role::Manager])?;
        let keys = self.keys()?;
        self.read(|conn| {
            let rows: Vec<(BreakGlassRecord, String)> = break_glass::table
                .inner_join(users::table.on(users::id.eq(break_glass::user_id)))
                .filter(break_glass::provider_id.eq(actor.organisation_id))
                .filter(break_glass::reviewed_at.is_null())
                .order(break_glass::opened_at.desc())
                .select((BreakGlassRecord::as_select(), users::display_name))
                .load(conn)?;
            Ok(rows
                .into_iter()
                .map(|(mut record, opened_by)| {
                    record.reason = keys.reveal("break_glass.reason", &record.reason);
                    BreakGlassRow { record, opened_by }
                })
                .collect())
        })
    }

    /// Marks a break-glass access as reviewed by a manager. It still ends at its expiry.
    pub fn review_break_glass(&self, actor: &Actor, id: i64) -> Result<(), StoreError> {
        require_role(actor, &[Role::Manager])?;
        self.write(|conn, trail| {
            let changed = diesel::update(
                break_glass::table
                    .filter(break_glass::id.eq(id))
                    .filter(break_glass::provider_id.eq(actor.organisation_id))
                    .filter(break_glass::reviewed_at.is_null()),
            )
            .set((
                break_glass::reviewed_by.eq(actor.user_id),
                break_glass::reviewed_at.eq(now()),
            ))
            .execute(conn)?;
            if changed == 0 {
                return Err(StoreError::NotFound);
            }
            trail.record(AuditEvent::by(
                actor,
                AuditAction::Update,
                "break_glass",
                Some(id),
            ));
            Ok(())
        })
    }

    /// Restricts a person's record to the named users of the provider. The manager who
    /// restricts it is always named, so nobody locks themselves out.
    pub fn restrict_person(
        &self,
        actor: &Actor,
        person_id: i64,
        named: &[i64],
    ) -> Result<(), StoreError> {
        require_role(actor, &[Role::Manager])?;
        self.write(|conn, trail| {
            visible_person(conn, actor, person_id)?.ok_or(StoreError::NotFound)?;
            let mut asked: Vec<i64> = named.to_vec();
            asked.sort_unstable();
            asked.dedup();
            let mut users_named: Vec<i64> = users::table
                .filter(users::id.eq_any(&asked))
                .filter(users::organisation_id.eq(actor.organisation_id))
                .select(users::id)
                .load(conn)?;
            if users_named.len() != asked.len() {
                return Err(Invalid::one("named", msg::RESTRICTION_NAMED_INVALID).into());
            }
            if !users_named.contains(&actor.user_id) {
                users_named.push(actor.user_id);
            }
            diesel::delete(
                restricted_access::table.filter(restricted_access::person_id.eq(person_id)),
            )
            .execute(conn)?;
            for user_id in users_named {
                diesel::insert_into(restricted_access::table)
                    .values(RestrictedAccessRecord {
                        person_id,
                        user_id,
                        granted_by: actor.user_id,
                        granted_at: now(),
                    })
                    .execute(conn)?;
            }
            diesel::update(people::table.find(person_id))
                .set(people::restricted.eq(true))
                .execute(conn)?;
            trail.record(
                AuditEvent::by(actor, AuditAction::Update, "person", Some(person_id))
                    .because("restricted"),
            );
            Ok(())
        })
    }

    /// Lifts a restriction: the usual need-to-know rule applies again.
    pub fn lift_restriction(&self, actor: &Actor, person_id: i64) -> Result<(), StoreError> {
        require_role(actor, &[Role::Manager])?;
        self.write(|conn, trail| {
            visible_person(conn, actor, person_id)?.ok_or(StoreError::NotFound)?;
            diesel::delete(
                restricted_access::table.filter(restricted_access::person_id.eq(person_id)),
            )
            .execute(conn)?;
            diesel::update(people::table.find(person_id))
                .set(people::restricted.eq(false))
                .execute(conn)?;
            trail.record(
                AuditEvent::by(actor, AuditAction::Update, "person", Some(person_id))
                    .because("restriction lifted"),
            );
            Ok(())
        })
    }

    /// Records a consent to share (or another lawful basis) for a person.
    pub fn add_consent(
        &self,
        actor: &Actor,
        person_id: i64,
        consent: &NewConsent,
    ) -> Result<i64, StoreError> {
        let keys = self.keys()?;
        self.write(|conn, trail| {
            visible_person(conn, actor, person_id)?.ok_or(StoreError::NotFound)?;
            let id: i64 = diesel::insert_into(consents::table)
                .values((
                    consents::provider_id.eq(actor.organisation_id),
                    consents::person_id.eq(person_id),
                    consents::scope.eq(consent.scope.as_str()),
                    consents::recipient.eq(&consent.recipient),
                    consents::basis.eq(consent.basis.as_str()),
                    consents::given_how.eq(consent.given_how.map(|g| g.as_str())),
                    consents::given_on.eq(consent.given_on),
                    consents::valid_until.eq(consent.valid_until),
                    consents::note.eq(consent
                        .note
                        .as_deref()
                        .map(|n| keys.seal("consents.note", n))),
                    consents::recorded_by.eq(actor.user_id),
                    consents::recorded_at.eq(now()),
                ))
                .returning(consents::id)
                .get_result(conn)?;
            trail.record(AuditEvent::by(
                actor,
                AuditAction::Create,
                "consent",
                Some(id),
            ));
            Ok(id)
        })
    }

    /// Withdraws a consent from `on`. It stays on the record, dated.
    pub fn withdraw_consent(
        &self,
        actor: &Actor,
        consent_id: i64,
        on: NaiveDate,
    ) -> Result<i64, StoreError> {
        self.write(|conn, trail| {
            let person_id: i64 = consents::table
                .filter(consents::id.eq(consent_id))
                .filter(consents::provider_id.eq(actor.organisation_id))
                .select(consents::person_id)
                .first(conn)
                .optional()?
                .ok_or(StoreError::NotFound)?;
            visible_person(conn, actor, person_id)?.ok_or(StoreError::NotFound)?;
            let changed = diesel::update(
                consents::table
                    .filter(consents::id.eq(consent_id))
                    .filter(consents::withdrawn_on.is_null()),
            )
            .set((
                consents::withdrawn_on.eq(on),
                consents::withdrawn_by.eq(actor.user_id),
            ))
            .execute(conn)?;
            if changed == 0 {
                return Err(StoreError::Conflict);
            }
            trail.record(
                AuditEvent::by(actor, AuditAction::Update, "consent", Some(consent_id))
                    .because("withdrawn"),
            );
            Ok(person_id)
        })
    }

    /// Decides whether information about a person may be shared with `recipient`, on
    /// the consents recorded. Both an allowed share and a refusal are audited.
    pub fn check_share(
        &self,
        actor: &Actor,
        person_id: i64,
        scope: ConsentScope,
        recipient: &str,
        today: NaiveDate,
    ) -> Result<Result<LawfulBasis, SharingRefusal>, StoreError> {
        self.write(|conn, trail| {
            visible_person(conn, actor, person_id)?.ok_or(StoreError::NotFound)?;
            let facts: Vec<ConsentFacts> = consents::table
                .filter(consents::person_id.eq(person_id))
                .select(ConsentRecord::as_select())
                .load(conn)?
                .iter()
                .filter_map(ConsentRecord::facts)
                .collect();
            let decision = check_sharing(&facts, scope, recipient, today);
            let outcome = match decision {
                Ok(basis) => format!("{} allowed: {}", scope.as_str(), basis.as_str()),
                Err(_) => format!("{} refused", scope.as_str()),
            };
            trail.record(
                AuditEvent::by(actor, AuditAction::Share, "person", Some(person_id))
                    .because(outcome),
            );
            Ok(decision)
        })
    }

    /// Records a breach of confidentiality about a person, optionally on one of their
    /// cases. Its reasons are sealed.
    pub fn record_breach(
        &self,
        actor: &Actor,
        person_id: i64,
        case_id: Option<i64>,
        breach: &NewBreach,
    ) -> Result<i64, StoreError> {
        let keys = self.keys()?;
        self.write(|conn, trail| {
            visible_person(conn, actor, person_id)?.ok_or(StoreError::NotFound)?;
            if let Some(case_id) = case_id {
                let case = visible_case(conn, actor, case_id)?.ok_or(StoreError::NotFound)?;
                if case.person_id != person_id {
                    return Err(StoreError::NotFound);
                }
            }
            let id: i64 = diesel::insert_into(confidentiality_breaches::table)
                .values((
                    confidentiality_breaches::provider_id.eq(actor.organisation_id),
                    confidentiality_breaches::person_id.eq(person_id),
                    confidentiality_breaches::case_id.eq(case_id),
                    confidentiality_breaches::decided_on.eq(breach.decided_on),
                    confidentiality_breaches::ground.eq(breach.ground.as_str()),
                    confidentiality_breaches::why
                        .eq(keys.seal("confidentiality_breaches.why", &breach.why)),
                    confidentiality_breaches::decided_by.eq(&breach.decided_by),
                    confidentiality_breaches::who_was_told.eq(keys.seal(
                        "confidentiality_breaches.who_was_told",
                        &breach.who_was_told,
                    )),
                    confidentiality_breaches::person_told.eq(breach.person_told),
                    confidentiality_breaches::not_told_why.eq(breach
                        .not_told_why
                        .as_deref()
                        .map(|t| keys.seal("confidentiality_breaches.not_told_why", t))),
                    confidentiality_breaches::recorded_by.eq(actor.user_id),
                    confidentiality_breaches::recorded_at.eq(now()),
                ))
                .returning(confidentiality_breaches::id)
                .get_result(conn)?;
            trail.record(AuditEvent::by(
                actor,
                AuditAction::Create,
                "confidentiality_breach",
                Some(id),
            ));
            Ok(id)
        })
    }

    /// Every breach of confidentiality recorded at the provider, newest first: a
    /// manager's list. Audited as one read.
    pub fn breaches(&self, actor: &Actor) -> Result<Vec<BreachRow>, StoreError> {
        require_role(actor, &[Role::Manager])?;
        let keys = self.keys()?;
        self.write(|conn, trail| {
            let rows: Vec<(BreachRecord, String, String)> = confidentiality_breaches::table
                .inner_join(people::table.on(people::id.eq(confidentiality_breaches::person_id)))
                .filter(confidentiality_breaches::provider_id.eq(actor.organisation_id))
                .filter(not_restricted_for(actor.user_id))
                .order((
                    confidentiality_breaches::decided_on.desc(),
                    confidentiality_breaches::id.desc(),
                ))
                .select((
                    BreachRecord::as_select(),
                    people::given_name,
                    people::family_name,
                ))
                .load(conn)?;
            trail.record(AuditEvent::by(
                actor,
                AuditAction::Read,
                "confidentiality_breach_list",
                None,
            ));
            Ok(rows
                .into_iter()
                .map(|(mut record, given, family)| {
                    open_breach(keys, &mut record);
                    BreachRow {
                        record,
                        person_name: format!("{given} {family}"),
                    }
                })
                .collect())
        })
    }

    /// Logs a request for a person's records with its due date.
    pub fn record_subject_access(
        &self,
        actor: &Actor,
        person_id: i64,
        received_on: NaiveDate,
        requested_by: Requester,
        due_on: NaiveDate,
    ) -> Result<i64, StoreError> {
        require_role(actor, &[Role::Manager])?;
        self.write(|conn, trail| {
            visible_person(conn, actor, person_id)?.ok_or(StoreError::NotFound)?;
            let id: i64 = diesel::insert_into(subject_access_requests::table)
                .values((
                    subject_access_requests::provider_id.eq(actor.organisation_id),
                    subject_access_requests::person_id.eq(person_id),
                    subject_access_requests::received_on.eq(received_on),
                    subject_access_requests::due_on.eq(due_on),
                    subject_access_requests::requested_by.eq(requested_by.as_str()),
                    subject_access_requests::recorded_by.eq(actor.user_id),
                    subject_access_requests::recorded_at.eq(now()),
                ))
                .returning(subject_access_requests::id)
                .get_result(conn)?;
            trail.record(AuditEvent::by(
                actor,
                AuditAction::Create,
                "subject_access_request",
                Some(id),
            ));
            Ok(id)
        })
    }

    /// Marks a subject access request answered on `on`. Returns the person.
    pub fn answer_subject_access(
        &self,
        actor: &Actor,
        request_id: i64,
        on: NaiveDate,
    ) -> Result<i64, StoreError> {
        require_role(actor, &[Role::Manager])?;
        self.write(|conn, trail| {
            let request: SubjectAccessRecord = subject_access_requests::table
                .filter(subject_access_requests::id.eq(request_id))
                .filter(subject_access_requests::provider_id.eq(actor.organisation_id))
                .select(SubjectAccessRecord::as_select())
                .first(conn)
                .optional()?
                .ok_or(StoreError::NotFound)?;
            visible_person(conn, actor, request.person_id)?.ok_or(StoreError::NotFound)?;
            if on < request.received_on {
                return Err(Invalid::one(
                    "answered_on",
                    msg::SUBJECT_ACCESS_ANSWERED_BEFORE_RECEIVED,
                )
                .into());
            }
            let changed = diesel::update(
                subject_access_requests::table
                    .filter(subject_access_requests::id.eq(request_id))
                    .filter(subject_access_requests::answered_on.is_null()),
            )
            .set((
                subject_access_requests::answered_on.eq(on),
                subject_access_requests::answered_by.eq(actor.user_id),
            ))
            .execute(conn)?;
            if changed == 0 {
                return Err(StoreError::Conflict);
            }
            trail.record(AuditEvent::by(
                actor,
                AuditAction::Update,
                "subject_access_request",
                Some(request_id),
            ));
            Ok(request.person_id)
        })
    }

    /// Subject access requests not yet answered, the earliest due first.
    pub fn open_subject_access_requests(
        &self,
        actor: &Actor,
    ) -> Result<Vec<SubjectAccessRow>, StoreError> {
        require_role(actor, &[Role::Manager])?;
        self.read(|conn| {
            let rows: Vec<(SubjectAccessRecord, String, String)> = subject_access_requests::table
                .inner_join(people::table.on(people::id.eq(subject_access_requests::person_id)))
                .filter(subject_access_requests::provider_id.eq(actor.organisation_id))
                .filter(subject_access_requests::answered_on.is_null())
                .filter(not_restricted_for(actor.user_id))
                .order(subject_access_requests::due_on.asc())
                .select((
                    SubjectAccessRecord::as_select(),
                    people::given_name,
                    people::family_name,
                ))
                .load(conn)?;
            Ok(rows
                .into_iter()
                .map(|(record, given, family)| SubjectAccessRow {
                    record,
                    person_name: format!("{given} {family}"),
                })
                .collect())
        })
    }

    /// Everything held about a person, for a subject access request. Audited as an
    /// export. Every case of theirs is included, whoever it is allocated to, so a
    /// manager produces it.
    pub fn subject_access_export(
        &self,
        actor: &Actor,
        person_id: i64,
    ) -> Result<SubjectAccessExport, StoreError> {
        require_role(actor, &[Role::Manager])?;
        let keys = self.keys()?;
        self.write(|conn, trail| {
            let person = visible_person(conn, actor, person_id)?.ok_or(StoreError::NotFound)?;
            let case_rows: Vec<CaseRecord> = visible_cases(actor)
                .filter(cases::person_id.eq(person_id))
                .order(cases::opened_at.asc())
                .select(CaseRecord::as_select())
                .load(conn)?;
            let case_ids: Vec<i64> = case_rows.iter().map(|c| c.id).collect();
            require_view_reason(conn, actor, &case_ids)?;
            let export = build_export(conn, keys, person, case_rows)?;
            trail.record(AuditEvent::by(
                actor,
                AuditAction::Export,
                "person",
                Some(person_id),
            ));
            Ok(export)
        })
    }

    /// Stops a person's records being destroyed, with the reason.
    pub fn place_legal_hold(
        &self,
        actor: &Actor,
        person_id: i64,
        reason: &str,
    ) -> Result<(), StoreError> {
        require_role(actor, &[Role::Manager])?;
        self.write(|conn, trail| {
            visible_person(conn, actor, person_id)?.ok_or(StoreError::NotFound)?;
            diesel::delete(legal_holds::table.find(person_id)).execute(conn)?;
            diesel::insert_into(legal_holds::table)
                .values(LegalHoldRecord {
                    person_id,
                    reason: reason.to_string(),
                    placed_by: actor.user_id,
                    placed_at: now(),
                })
                .execute(conn)?;
            trail.record(
                AuditEvent::by(actor, AuditAction::Update, "person", Some(person_id))
                    .because("legal hold placed"),
            );
            Ok(())
        })
    }

    /// Lifts a legal hold.
    pub fn lift_legal_hold(&self, actor: &Actor, person_id: i64) -> Result<(), StoreError> {
        require_role(actor, &[Role::Manager])?;
        self.write(|conn, trail| {
            visible_person(conn, actor, person_id)?.ok_or(StoreError::NotFound)?;
            diesel::delete(legal_holds::table.find(person_id)).execute(conn)?;
            trail.record(
                AuditEvent::by(actor, AuditAction::Update, "person", Some(person_id))
                    .because("legal hold lifted"),
            );
            Ok(())
        })
    }

    /// The people whose last activity (a contact, a case opened or closed, the record
    /// made) was more than `years` before `today` and who have no open case: the dry
    /// run of destruction. People under a legal hold are listed with its reason and are
    /// not destroyed.
    pub fn retention_review(
        &self,
        actor: &Actor,
        today: NaiveDate,
        years: u32,
    ) -> Result<Vec<RetentionCandidate>, StoreError> {
        require_role(actor, &[Role::Manager])?;
        self.write(|conn, trail| {
            let found = retention_candidates(
                conn,
                actor.organisation_id,
                Some(actor.user_id),
                today,
                years,
            )?;
            trail.record(AuditEvent::by(
                actor,
                AuditAction::Read,
                "retention_review",
                None,
            ));
            Ok(found)
        })
    }

    /// The daily retention check: counts, for every provider, the people past the
    /// retention period on `today` (and those of them under a legal hold), and keeps
    /// the counts for the managers' home page. Nothing is destroyed: a manager reviews
    /// the list and approves. Returns how many providers were checked.
    pub fn check_retention(&self, today: NaiveDate, years: u32) -> Result<usize, StoreError> {
        // Counted on a read transaction first: at a million people the count takes
        // seconds, and every other write would wait for it inside the write.
        let checks = self.read(|conn| {
            conn.transaction(|conn| {
                let providers: Vec<i64> = organisations::table
                    .filter(organisations::kind.eq(OrganisationKind::Provider.as_str()))
                    .select(organisations::id)
                    .load(conn)?;
                providers
                    .into_iter()
                    .map(|provider_id| count_retention(conn, provider_id, today, years))
                    .collect::<Result<Vec<_>, StoreError>>()
            })
        })?;
        self.write(|conn, trail| {
            for check in &checks {
                keep_retention_check(conn, check)?;
            }
            trail.record(AuditEvent::anonymous(
                AuditAction::Read,
                "retention_check",
                None,
            ));
            Ok(checks.len())
        })
    }

    /// What the last retention check found at the manager's provider, if it ran.
    pub fn retention_check(&self, actor: &Actor) -> Result<Option<RetentionCheck>, StoreError> {
        require_role(actor, &[Role::Manager])?;
        self.read(|conn| {
            Ok(retention_checks::table
                .find(actor.organisation_id)
                .select(RetentionCheck::as_select())
                .first(conn)
                .optional()?)
        })
    }

    /// Destroys the personal data of the named people, each checked again as past its
    /// retention period and not held. Their rows go for good; audit entries about
    /// their records keep only their hashes; a destruction log without personal data
    /// records what went. Returns how many people were destroyed.
    pub fn destroy_people(
        &self,
        actor: &Actor,
        person_ids: &[i64],
        today: NaiveDate,
        years: u32,
    ) -> Result<usize, StoreError> {
        require_role(actor, &[Role::Manager])?;
        let destroyed = self.write(|conn, trail| {
            let due: Vec<i64> = retention_candidates(
                conn,
                actor.organisation_id,
                Some(actor.user_id),
                today,
                years,
            )?
            .into_iter()
            .filter(|c| c.held.is_none() && person_ids.contains(&c.person_id))
            .map(|c| c.person_id)
            .collect();
            for person_id in &due {
                let counts = destroy_person(conn, *person_id)?;
                let counts_json = serde_json::to_string(
                    &counts
                        .iter()
                        .cloned()
                        .collect::<std::collections::BTreeMap<_, _>>(),
                )
                .map_err(|e| StoreError::Data(e.to_string()))?;
                diesel::insert_into(destructions::table)
                    .values((
                        destructions::provider_id.eq(actor.organisation_id),
                        destructions::destroyed_at.eq(now()),
                        destructions::approved_by.eq(actor.user_id),
                        destructions::record_class.eq("person"),
                        destructions::former_id.eq(person_id),
                        destructions::counts.eq(counts_json),
                    ))
                    .execute(conn)?;
                trail.record(AuditEvent::by(
                    actor,
                    AuditAction::Destroy,
                    "person",
                    Some(*person_id),
                ));
            }
            // The count the managers' home page shows is brought up to date at once.
            let check = count_retention(conn, actor.organisation_id, today, years)?;
            keep_retention_check(conn, &check)?;
            Ok(due.len())
        })?;
        if destroyed > 0 {
            self.clear_freed_pages()?;
        }
        Ok(destroyed)
    }

    /// The active staff of the manager's provider who could be named on a restriction:
    /// everyone but commissioners, as (id, name, role).
    pub fn colleagues(&self, actor: &Actor) -> Result<Vec<(i64, String, String)>, StoreError> {
        require_role(actor, &[Role::Manager])?;
        self.read(|conn| {
            Ok(users::table
                .filter(users::organisation_id.eq(actor.organisation_id))
                .filter(users::disabled_at.is_null())
                .filter(users::role.ne(Role::Commissioner.as_str()))
                .order(users::display_name.asc())
                .select((users::id, users::display_name, users::role))
                .load(conn)?)
        })
    }

    /// The destruction log of the provider, newest first.
    pub fn destructions(&self, actor: &Actor) -> Result<Vec<DestructionRecord>, StoreError> {
        require_role(actor, &[Role::Manager])?;
        self.read(|conn| {
            Ok(destructions::table
                .filter(destructions::provider_id.eq(actor.organisation_id))
                .order(destructions::id.desc())
                .limit(200)
                .select(DestructionRecord::as_select())
                .load(conn)?)
        })
    }
}

/// Everything held about a person whose cases the caller has already chosen: for a
/// subject access request (the cases the manager may see) or for the person's own
/// sign-in (all of theirs).
pub(crate) fn build_export(
    conn: &mut DbConnection,
    keys: &Keyring,
    person: PersonRecord,
    case_rows: Vec<CaseRecord>,
) -> Result<SubjectAccessExport, StoreError> {
    let case_ids: Vec<i64> = case_rows.iter().map(|c| c.id).collect();
    let referral_ids: Vec<i64> = case_rows.iter().map(|c| c.referral_id).collect();
    let referral_rows: Vec<ReferralRecord> = referrals::table
        .filter(referrals::provider_id.eq(person.provider_id))
        .filter(
            referrals::person_id
                .eq(person.id)
                .or(referrals::id.eq_any(&referral_ids)),
        )
        .order(referrals::received_at.asc())
        .select(ReferralRecord::as_select())
        .load(conn)?;
    let referrals = referral_rows
        .into_iter()
        .map(|r| r.opened(keys))
        .map(|r| ExportReferral {
            reference: r.reference,
            received_at: r.received_at,
            referrer_kind: r.referrer_kind,
            what_is_happening: r.what_is_happening,
            safeguarding_concerns: r.safeguarding_concerns,
            risk_to_visitor: r.risk_to_visitor,
            consent: r.consent,
            consent_note: r.consent_note,
            status: r.status,
            status_reason: r.status_reason,
        })
        .collect();
    let mut exported = Vec::new();
    for case in case_rows {
        exported.push(ExportCase::from_file(load_case_contents(conn, keys, case)?));
    }
    let confidentiality = load_person_confidentiality(conn, keys, &person)?;
    let access_log = access_log(conn, person.id, &case_ids)?;
    Ok(SubjectAccessExport {
        produced_at: now(),
        person: ExportPerson {
            given_name: person.given_name,
            family_name: person.family_name,
            date_of_birth: person.date_of_birth,
            address: person.address,
            postcode: person.postcode,
            phone: person.phone,
            email: person.email,
            local_authority: person.local_authority,
            language: person.language,
            needs_interpreter: person.needs_interpreter,
            uses_bsl: person.uses_bsl,
            wants_easy_read: person.wants_easy_read,
            preferred_contact: person.preferred_contact,
            gender_preference: person.gender_preference,
            communication_needs: person.communication_needs,
            first_recorded: person.created_at,
        },
        referrals,
        cases: exported,
        consents: confidentiality.consents,
        breaches: confidentiality.breaches,
        subject_access_requests: confidentiality.subject_access,
        access_log,
    })
}

/// Who opened, changed or exported a person's records: the audit entries about the
/// person and their cases, with the staff member's name.
fn access_log(
    conn: &mut DbConnection,
    person_id: i64,
    case_ids: &[i64],
) -> Result<Vec<AccessLogEntry>, StoreError> {
    let case_keys: Vec<String> = case_ids.iter().map(i64::to_string).collect();
    // (when, who, action, record type, record id)
    type AccessRow = (String, Option<String>, String, String, Option<String>);
    let rows: Vec<AccessRow> = audit_entries::table
        .left_join(users::table.on(users::id.nullable().eq(audit_entries::actor_user_id)))
        .filter(
            audit_entries::record_type
                .eq("person")
                .and(audit_entries::record_id.eq(person_id.to_string()))
                .or(audit_entries::record_type
                    .eq("case")
                    .and(audit_entries::record_id.eq_any(case_keys))),
        )
        .order(audit_entries::sequence.asc())
        .select((
            audit_entries::at,
            users::display_name.nullable(),
            audit_entries::action,
            audit_entries::record_type,
            audit_entries::record_id,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(at, by, action, record_type, record_id)| AccessLogEntry {
            at,
            by,
            action: action.replace('_', " "),
            record: match record_id {
                Some(id) if record_type == "case" => format!("case {id}"),
                _ => "person record".to_string(),
            },
        })
        .collect())
}

/// The people of the actor's provider past their retention period with no open case.
fn retention_candidates(
    conn: &mut DbConnection,
    provider_id: i64,
    visible_to: Option<i64>,
    today: NaiveDate,
    years: u32,
) -> Result<Vec<RetentionCandidate>, StoreError> {
    use diesel::dsl::max;
    let mut people_query = people::table
        .filter(people::provider_id.eq(provider_id))
        .into_boxed();
    // A manager is shown only the people they may see; the daily check counts everyone.
    if let Some(user_id) = visible_to {
        people_query = people_query.filter(not_restricted_for(user_id));
    }
    // Written as NOT EXISTS, which both databases run as an anti-join: PostgreSQL runs
    // `NOT IN (subquery)` row by row once the subquery outgrows its memory for hashing,
    // and at a million people the daily check then never finished.
    let people_rows: Vec<(i64, NaiveDateTime)> = people_query
        .filter(diesel::dsl::not(diesel::dsl::exists(
            cases::table
                .filter(cases::person_id.eq(people::id))
                .filter(cases::status.ne(crate::casework::case_status::CLOSED)),
        )))
        // A request for their records or for a correction waiting for an answer keeps
        // them: destroying what was asked for is not an answer.
        .filter(diesel::dsl::not(diesel::dsl::exists(
            subject_access_requests::table
                .filter(subject_access_requests::person_id.eq(people::id))
                .filter(subject_access_requests::answered_on.is_null()),
        )))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            rectification_requests::table
                .filter(rectification_requests::person_id.eq(people::id))
                .filter(rectification_requests::answered_at.is_null()),
        )))
        .select((people::id, people::created_at))
        .load(conn)?;
    let last_contact: Vec<(i64, Option<NaiveDateTime>)> = contacts::table
        .inner_join(cases::table)
        .filter(cases::provider_id.eq(provider_id))
        .group_by(cases::person_id)
        .select((cases::person_id, max(contacts::occurred_at)))
        .load(conn)?;
    let last_case: Vec<(i64, Option<NaiveDateTime>, Option<NaiveDateTime>)> = cases::table
        .filter(cases::provider_id.eq(provider_id))
        .group_by(cases::person_id)
        .select((
            cases::person_id,
            max(cases::opened_at),
            max(cases::closed_at),
        ))
        .load(conn)?;
    let contact_by: std::collections::HashMap<i64, NaiveDateTime> = last_contact
        .into_iter()
        .filter_map(|(id, at)| at.map(|at| (id, at)))
        .collect();
    let case_by: std::collections::HashMap<i64, NaiveDateTime> = last_case
        .into_iter()
        .filter_map(|(id, opened, closed)| opened.max(closed).map(|at| (id, at)))
        .collect();
    let holds: std::collections::HashMap<i64, String> = legal_holds::table
        .select((legal_holds::person_id, legal_holds::reason))
        .load(conn)?
        .into_iter()
        .collect();
    let due: Vec<(i64, NaiveDate)> = people_rows
        .into_iter()
        .filter_map(|(id, created)| {
            let last = [
                Some(created),
                contact_by.get(&id).copied(),
                case_by.get(&id).copied(),
            ]
            .into_iter()
            .flatten()
            .max()?
            .date();
            is_due_for_destruction(last, today, years).then_some((id, last))
        })
        .collect();
    // Names are read only for the people found, not for everyone looked at: at a
    // million people that would be most of the check's memory.
    let mut names: std::collections::HashMap<i64, String> = Default::default();
    for chunk in due.chunks(500) {
        let ids: Vec<i64> = chunk.iter().map(|(id, _)| *id).collect();
        let rows: Vec<(i64, String, String)> = people::table
            .filter(people::id.eq_any(ids))
            .select((people::id, people::given_name, people::family_name))
            .load(conn)?;
        names.extend(
            rows.into_iter()
                .map(|(id, given, family)| (id, format!("{given} {family}"))),
        );
    }
    let mut found: Vec<RetentionCandidate> = due
        .into_iter()
        .map(|(id, last)| RetentionCandidate {
            person_id: id,
            name: names.remove(&id).unwrap_or_default(),
            last_activity: last,
            held: holds.get(&id).cloned(),
        })
        .collect();
    found.sort_by_key(|c| c.last_activity);
    Ok(found)
}

/// Deletes every row about one person, children first, and strips the free text of
/// audit entries about those rows. Returns the rows removed per table. The sealed bytes
/// of their documents go with their rows.
fn destroy_person(
    conn: &mut DbConnection,
    person_id: i64,
) -> Result<DestructionCounts, StoreError> {
    let case_ids: Vec<i64> = cases::table
        .filter(cases::person_id.eq(person_id))
        .select(cases::id)
        .load(conn)?;
    let referral_ids: Vec<i64> = referrals::table
        .filter(
            referrals::person_id.eq(person_id).or(referrals::id.eq_any(
                cases::table
                    .filter(cases::person_id.eq(person_id))
                    .select(cases::referral_id),
            )),
        )
        .select(referrals::id)
        .load(conn)?;
    let challenge_ids: Vec<i64> = challenges::table
        .filter(challenges::case_id.eq_any(&case_ids))
        .select(challenges::id)
        .load(conn)?;
    let issue_ids: Vec<i64> = case_issues::table
        .filter(case_issues::case_id.eq_any(&case_ids))
        .select(case_issues::id)
        .load(conn)?;
    let conflict_ids: Vec<i64> = conflicts::table
        .filter(conflicts::person_id.eq(person_id))
        .select(conflicts::id)
        .load(conn)?;
    let consent_ids: Vec<i64> = consents::table
        .filter(consents::person_id.eq(person_id))
        .select(consents::id)
        .load(conn)?;
    let breach_ids: Vec<i64> = confidentiality_breaches::table
        .filter(confidentiality_breaches::person_id.eq(person_id))
        .select(confidentiality_breaches::id)
        .load(conn)?;
    let request_ids: Vec<i64> = subject_access_requests::table
        .filter(subject_access_requests::person_id.eq(person_id))
        .select(subject_access_requests::id)
        .load(conn)?;
    let safeguarding_ids: Vec<i64> = safeguarding_concerns::table
        .filter(
            safeguarding_concerns::person_id
                .eq(person_id)
                .or(safeguarding_concerns::case_id.eq_any(&case_ids)),
        )
        .select(safeguarding_concerns::id)
        .load(conn)?;
    let service_concern_ids: Vec<i64> = service_concerns::table
        .filter(service_concerns::case_id.eq_any(&case_ids))
        .select(service_concerns::id)
        .load(conn)?;
    let complaint_ids: Vec<i64> = complaints::table
        .filter(complaints::person_id.eq(person_id))
        .select(complaints::id)
        .load(conn)?;
    let break_glass_ids: Vec<i64> = break_glass::table
        .filter(break_glass::case_id.eq_any(&case_ids))
        .select(break_glass::id)
        .load(conn)?;

    // The person's own sign-in, if they had one, goes with their record: its sessions,
    // links, and the account itself, which holds their name and email address.
    let own_accounts: Vec<i64> = person_accounts::table
        .filter(person_accounts::person_id.eq(person_id))
        .select(person_accounts::user_id)
        .load(conn)?;
    let correction_ids: Vec<i64> = rectification_requests::table
        .filter(rectification_requests::person_id.eq(person_id))
        .select(rectification_requests::id)
        .load(conn)?;
    let mut account_counts: DestructionCounts = vec![
        (
            "rectification_requests",
            diesel::delete(
                rectification_requests::table
                    .filter(rectification_requests::id.eq_any(&correction_ids)),
            )
            .execute(conn)?,
        ),
        (
            "person_accounts",
            diesel::delete(person_accounts::table.filter(person_accounts::person_id.eq(person_id)))
                .execute(conn)?,
        ),
        (
            "sessions",
            diesel::delete(sessions::table.filter(sessions::user_id.eq_any(&own_accounts)))
                .execute(conn)?,
        ),
        (
            "api_tokens",
            diesel::delete(api_tokens::table.filter(api_tokens::user_id.eq_any(&own_accounts)))
                .execute(conn)?,
        ),
        (
            "equality_answers",
            diesel::delete(
                equality_answers::table.filter(equality_answers::person_id.eq(person_id)),
            )
            .execute(conn)?,
        ),
        (
            "one_time_links",
            diesel::delete(
                one_time_links::table.filter(one_time_links::user_id.eq_any(&own_accounts)),
            )
            .execute(conn)?,
        ),
        (
            "users",
            diesel::delete(users::table.filter(users::id.eq_any(&own_accounts))).execute(conn)?,
        ),
    ];

    let attachment_rows: Vec<(i64, String)> = attachments::table
        .filter(attachments::case_id.eq_any(&case_ids))
        .select((attachments::id, attachments::stored_as))
        .load(conn)?;
    let attachment_ids: Vec<i64> = attachment_rows.iter().map(|(id, _)| *id).collect();
    let documents: Vec<String> = attachment_rows.into_iter().map(|(_, name)| name).collect();
    crate::attachments::remove_documents(conn, &documents)?;
    account_counts.push((
        "attachments",
        diesel::delete(attachments::table.filter(attachments::id.eq_any(&attachment_ids)))
            .execute(conn)?,
    ));

    // A later case that re-opens one of these keeps its own record.
    diesel::update(cases::table.filter(cases::reopens_case_id.eq_any(&case_ids)))
        .set(cases::reopens_case_id.eq(None::<i64>))
        .execute(conn)?;
    let mut counts: DestructionCounts = vec![
        (
            "challenge_steps",
            diesel::delete(
                challenge_steps::table.filter(challenge_steps::challenge_id.eq_any(&challenge_ids)),
            )
            .execute(conn)?,
        ),
        (
            "challenges",
            diesel::delete(challenges::table.filter(challenges::id.eq_any(&challenge_ids)))
                .execute(conn)?,
        ),
        (
            "case_work",
            diesel::delete(case_work::table.filter(case_work::case_id.eq_any(&case_ids)))
                .execute(conn)?,
        ),
        (
            "case_issues",
            diesel::delete(case_issues::table.filter(case_issues::id.eq_any(&issue_ids)))
                .execute(conn)?,
        ),
        (
            "contacts",
            diesel::delete(contacts::table.filter(contacts::case_id.eq_any(&case_ids)))
                .execute(conn)?,
        ),
        (
            "allocations",
            diesel::delete(allocations::table.filter(allocations::case_id.eq_any(&case_ids)))
                .execute(conn)?,
        ),
        (
            "case_view_reasons",
            diesel::delete(
                case_view_reasons::table.filter(case_view_reasons::case_id.eq_any(&case_ids)),
            )
            .execute(conn)?,
        ),
        (
            "break_glass",
            diesel::delete(break_glass::table.filter(break_glass::id.eq_any(&break_glass_ids)))
                .execute(conn)?,
        ),
        (
            "safeguarding_concerns",
            diesel::delete(
                safeguarding_concerns::table
                    .filter(safeguarding_concerns::id.eq_any(&safeguarding_ids)),
            )
            .execute(conn)?,
        ),
        (
            "service_concerns",
            diesel::delete(
                service_concerns::table.filter(service_concerns::id.eq_any(&service_concern_ids)),
            )
            .execute(conn)?,
        ),
        (
            "complaints",
            diesel::delete(complaints::table.filter(complaints::id.eq_any(&complaint_ids)))
                .execute(conn)?,
        ),
        (
            "confidentiality_breaches",
            diesel::delete(
                confidentiality_breaches::table
                    .filter(confidentiality_breaches::id.eq_any(&breach_ids)),
            )
            .execute(conn)?,
        ),
        (
            "consents",
            diesel::delete(consents::table.filter(consents::id.eq_any(&consent_ids)))
                .execute(conn)?,
        ),
        (
            "subject_access_requests",
            diesel::delete(
                subject_access_requests::table
                    .filter(subject_access_requests::id.eq_any(&request_ids)),
            )
            .execute(conn)?,
        ),
        (
            "conflicts",
            diesel::delete(conflicts::table.filter(conflicts::id.eq_any(&conflict_ids)))
                .execute(conn)?,
        ),
        (
            "restricted_access",
            diesel::delete(
                restricted_access::table.filter(restricted_access::person_id.eq(person_id)),
            )
            .execute(conn)?,
        ),
        // A case sampled as evidence in a self-assessment stops being evidence when
        // it is destroyed; the rating and its words stay.
        (
            "self_assessment_links",
            diesel::delete(
                self_assessment_links::table
                    .filter(self_assessment_links::case_id.eq_any(&case_ids)),
            )
            .execute(conn)?,
        ),
        (
            "cases",
            diesel::delete(cases::table.filter(cases::id.eq_any(&case_ids))).execute(conn)?,
        ),
        (
            "referral_decisions",
            diesel::delete(
                referral_decisions::table
                    .filter(referral_decisions::referral_id.eq_any(&referral_ids)),
            )
            .execute(conn)?,
        ),
        (
            "referrals",
            diesel::delete(referrals::table.filter(referrals::id.eq_any(&referral_ids)))
                .execute(conn)?,
        ),
        (
            "people",
            diesel::delete(people::table.find(person_id)).execute(conn)?,
        ),
    ];

    // Audit entries keep their hashes, so the chain still verifies; the free text
    // typed into them about these records goes.
    let about: Vec<(&str, &[i64])> = vec![
        ("person", std::slice::from_ref(&person_id)),
        ("case", &case_ids),
        ("referral", &referral_ids),
        ("case_issue", &issue_ids),
        ("challenge", &challenge_ids),
        ("conflict", &conflict_ids),
        ("consent", &consent_ids),
        ("confidentiality_breach", &breach_ids),
        ("subject_access_request", &request_ids),
        ("rectification_request", &correction_ids),
        ("attachment", &attachment_ids),
        ("user", &own_accounts),
        ("safeguarding_concern", &safeguarding_ids),
        ("service_concern", &service_concern_ids),
        ("complaint", &complaint_ids),
    ];
    for (record_type, ids) in about {
        let keys: Vec<String> = ids.iter().map(i64::to_string).collect();
        diesel::update(
            audit_entries::table
                .filter(audit_entries::record_type.eq(record_type))
                .filter(audit_entries::record_id.eq_any(keys)),
        )
        .set((
            audit_entries::reason.eq(None::<String>),
            audit_entries::ip.eq(None::<String>),
            audit_entries::content_destroyed.eq(true),
        ))
        .execute(conn)?;
    }
    counts.append(&mut account_counts);
    counts.retain(|(_, n)| *n > 0);
    Ok(counts)
}
