//! Safeguarding concerns, complaints about the service, feedback, and concerns about
//! other services with the signals that report them.
//!
//! A concern raised from a case is seen by whoever may see that case (the one rule in
//! `casework::visible_cases`); a concern raised on its own, about an adult who is not a
//! client, by the advocate who raised it and the provider's managers. Complaints,
//! feedback and signals are managers' business. Free text about people is sealed.

use crate::audit::AuditEvent;
use crate::casework::{may_work_on, visible_case, visible_cases, visible_person};
use crate::confidentiality::require_view_reason;
use crate::schema::{
    cases, complaints, confidentiality_breaches, feedback_responses, organisations, people,
    safeguarding_concerns, service_concerns, service_signals,
};
use crate::sealing::Keyring;
use crate::{Store, StoreError, now, require_role};
use advocase_domain::audit::AuditAction;
use advocase_domain::identity::{Actor, Role};
use advocase_domain::safeguarding::{
    ComplaintProgress, ComplaintSource, ConcernActions, ConcernTheme, FeedbackDuty, FeedbackFacts,
    NewComplaint, NewConcern, NewFeedback, NewServiceConcern, PlaceKind, ServiceConcernFacts,
    Severity, SignalBasis, place_key,
};
use advocase_domain::validation::Invalid;
use advocase_i18n::msg;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use std::collections::{BTreeSet, HashSet};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = safeguarding_concerns)]
pub struct ConcernRecord {
    pub id: i64,
    pub provider_id: i64,
    pub case_id: Option<i64>,
    pub person_id: Option<i64>,
    pub adult_name: Option<String>,
    pub raised_by: i64,
    pub raised_on: NaiveDate,
    pub category: String,
    pub what_happened: String,
    pub person_wants: String,
    pub immediate_risk: bool,
    pub breach_id: Option<i64>,
    pub local_authority_on: Option<NaiveDate>,
    pub local_authority_reference: Option<String>,
    pub police_on: Option<NaiveDate>,
    pub regulator_on: Option<NaiveDate>,
    pub outcome: Option<String>,
    pub closed_on: Option<NaiveDate>,
    pub closed_by: Option<i64>,
    pub touched_at: NaiveDateTime,
    pub recorded_at: NaiveDateTime,
}

/// A concern with the name of the adult at risk, opened for reading.
#[derive(Debug, Clone)]
pub struct ConcernRow {
    pub record: ConcernRecord,
    pub adult: String,
}

/// One concern and the breaches of confidentiality about the same person it may be
/// linked to, as (id, date decided).
#[derive(Debug, Clone)]
pub struct ConcernFile {
    pub concern: ConcernRow,
    pub breaches: Vec<(i64, NaiveDate)>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = complaints)]
pub struct ComplaintRecord {
    pub id: i64,
    pub provider_id: i64,
    pub kind: String,
    pub source: String,
    pub received_on: NaiveDate,
    pub complainant_name: String,
    pub how_to_reply: Option<String>,
    pub what_happened: String,
    pub person_id: Option<i64>,
    pub recorded_by: Option<i64>,
    pub stage: String,
    pub acknowledge_by: NaiveDate,
    pub respond_by: NaiveDate,
    pub acknowledged_on: Option<NaiveDate>,
    pub support_offered_on: Option<NaiveDate>,
    pub support_note: Option<String>,
    pub finding: Option<String>,
    pub response_sent_on: Option<NaiveDate>,
    pub lessons: Option<String>,
    pub recorded_at: NaiveDateTime,
}

/// A complaint and, when the reader may open it, the record of the person it was made
/// for, as (id, name).
#[derive(Debug, Clone)]
pub struct ComplaintFile {
    pub record: ComplaintRecord,
    pub person: Option<(i64, String)>,
}

/// A complaint or compliment made for a person, as their record lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonComplaint {
    pub id: i64,
    pub kind: String,
    pub received_on: NaiveDate,
    pub stage: String,
    pub response_sent_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = feedback_responses)]
pub struct FeedbackRecord {
    pub id: i64,
    pub provider_id: i64,
    pub submitted_on: NaiveDate,
    pub duty: Option<String>,
    pub filled_in: String,
    pub easy_read: bool,
    pub name: Option<String>,
    pub listened: i32,
    pub understood: i32,
    pub speak_up: i32,
    pub overall: i32,
    pub comment: Option<String>,
}

/// An answer to the questionnaire that says something in words, opened for a manager.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackComment {
    pub submitted_on: NaiveDate,
    pub duty: Option<FeedbackDuty>,
    pub with_help: bool,
    /// None when the person chose not to give it.
    pub name: Option<String>,
    pub comment: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = service_signals)]
pub struct SignalRecord {
    pub id: i64,
    pub provider_id: i64,
    pub place: String,
    pub place_kind: String,
    pub theme: String,
    pub basis: String,
    pub concern_count: i32,
    pub sent_on: NaiveDate,
    pub response_due: NaiveDate,
    pub response_received_on: Option<NaiveDate>,
    pub regulator_on: Option<NaiveDate>,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = service_concerns)]
pub struct ServiceConcernRecord {
    pub id: i64,
    pub provider_id: i64,
    pub case_id: i64,
    pub place: String,
    pub place_key: String,
    pub place_kind: String,
    pub theme: String,
    pub severity: String,
    pub noted_on: NaiveDate,
    pub detail: String,
    pub signal_id: Option<i64>,
    pub recorded_by: i64,
    pub recorded_at: NaiveDateTime,
}

impl ServiceConcernRecord {
    /// The facts recurrence detection needs; `None` for a row with an unknown code.
    pub fn facts(&self) -> Option<ServiceConcernFacts> {
        Some(ServiceConcernFacts {
            id: self.id,
            case_id: self.case_id,
            place: self.place.clone(),
            place_kind: PlaceKind::parse(&self.place_kind)?,
            theme: ConcernTheme::parse(&self.theme)?,
            severity: Severity::parse(&self.severity)?,
            noted_on: self.noted_on,
            signalled: self.signal_id.is_some(),
        })
    }
}

/// A signal as a commissioner sees it: the provider that sent it, the place and theme,
/// counts and dates. No name, no case number, no words written about a person.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CommissionerSignal {
    pub id: i64,
    pub advocacy_provider: String,
    pub place: String,
    pub place_kind: String,
    pub theme: String,
    pub basis: String,
    pub concern_count: i32,
    pub sent_on: NaiveDate,
    pub response_due: NaiveDate,
    pub response_received_on: Option<NaiveDate>,
    pub regulator_on: Option<NaiveDate>,
}

/// What a manager turns into a signal.
#[derive(Debug, Clone)]
pub struct NewSignal {
    pub concern_ids: Vec<i64>,
    pub place: String,
    pub place_kind: PlaceKind,
    pub theme: ConcernTheme,
    pub basis: SignalBasis,
    pub sent_on: NaiveDate,
    pub response_due: NaiveDate,
}

/// Of `case_ids`, those `actor` may see, through the one need-to-know rule. The lists
/// here are short (a provider's concerns, not its cases), so the candidates are read
/// first and the rule applied to their cases.
fn visible_case_ids(
    conn: &mut crate::DbConnection,
    actor: &Actor,
    case_ids: impl Iterator<Item = i64>,
) -> Result<HashSet<i64>, StoreError> {
    let wanted: BTreeSet<i64> = case_ids.collect();
    if wanted.is_empty() {
        return Ok(HashSet::new());
    }
    let mut seen = HashSet::new();
    let wanted: Vec<i64> = wanted.into_iter().collect();
    // Bounded batches keep every query under the databases' limits on bound values.
    for batch in wanted.chunks(1_000) {
        let ids: Vec<i64> = visible_cases(actor)
            .filter(cases::id.eq_any(batch))
            .select(cases::id)
            .load(conn)?;
        seen.extend(ids);
    }
    Ok(seen)
}

/// The concerns among `candidates` that `actor` may see: those on cases they may see,
/// and those raised on their own (about someone who is not a client) by them or, for a
/// manager, by anyone at the provider.
fn visible_concerns(
    conn: &mut crate::DbConnection,
    actor: &Actor,
    candidates: Vec<ConcernRecord>,
) -> Result<Vec<ConcernRecord>, StoreError> {
    if !matches!(actor.role, Role::Manager | Role::Advocate) {
        return Ok(Vec::new());
    }
    let cases = visible_case_ids(conn, actor, candidates.iter().filter_map(|c| c.case_id))?;
    Ok(candidates
        .into_iter()
        .filter(|c| c.provider_id == actor.organisation_id)
        .filter(|c| match c.case_id {
            Some(case_id) => cases.contains(&case_id),
            None => actor.role == Role::Manager || c.raised_by == actor.user_id,
        })
        .collect())
}

/// One concern, if `actor` may see it.
fn visible_concern(
    conn: &mut crate::DbConnection,
    actor: &Actor,
    id: i64,
) -> Result<Option<ConcernRecord>, StoreError> {
    let candidate: Vec<ConcernRecord> = safeguarding_concerns::table
        .filter(safeguarding_concerns::id.eq(id))
        .filter(safeguarding_concerns::provider_id.eq(actor.organisation_id))
        .select(ConcernRecord::as_select())
        .load(conn)?;
    Ok(visible_concerns(conn, actor, candidate)?.into_iter().next())
}

fn open_concern(
    conn: &mut crate::DbConnection,
    keys: &Keyring,
    mut record: ConcernRecord,
) -> Result<ConcernRow, StoreError> {
    record.what_happened =
        keys.reveal("safeguarding_concerns.what_happened", &record.what_happened);
    record.person_wants = keys.reveal("safeguarding_concerns.person_wants", &record.person_wants);
    if let Some(outcome) = record.outcome.as_mut() {
        *outcome = keys.reveal("safeguarding_concerns.outcome", outcome);
    }
    let adult = match (record.person_id, record.adult_name.as_deref()) {
        (_, Some(name)) => keys.reveal("safeguarding_concerns.adult_name", name),
        (Some(person_id), None) => {
            let (given, family): (String, String) = people::table
                .find(person_id)
                .select((people::given_name, people::family_name))
                .first(conn)?;
            format!("{given} {family}")
        }
        (None, None) => String::new(),
    };
    Ok(ConcernRow { record, adult })
}

fn open_complaint(keys: &Keyring, mut record: ComplaintRecord) -> ComplaintRecord {
    record.complainant_name = keys.reveal("complaints.complainant_name", &record.complainant_name);
    record.what_happened = keys.reveal("complaints.what_happened", &record.what_happened);
    for (column, value) in [
        ("complaints.how_to_reply", &mut record.how_to_reply),
        ("complaints.support_note", &mut record.support_note),
        ("complaints.lessons", &mut record.lessons),
    ] {
        if let Some(text) = value.as_mut() {
            *text = keys.reveal(column, text);
        }
    }
    record
}

/// Finds a concern the actor may see and change: on a case, one they may work on; on
/// its own, the advocate who raised it or a manager.
fn concern_to_change(
    conn: &mut crate::DbConnection,
    actor: &Actor,
    id: i64,
) -> Result<ConcernRecord, StoreError> {
    let record = visible_concern(conn, actor, id)?.ok_or(StoreError::NotFound)?;
    if let Some(case_id) = record.case_id {
        let case = visible_case(conn, actor, case_id)?.ok_or(StoreError::NotFound)?;
        if !may_work_on(actor, &case) {
            return Err(StoreError::NotFound);
        }
    }
    Ok(record)
}

impl Store {
    // -----------------------------------------------------------------------------------
    // Safeguarding concerns
    // -----------------------------------------------------------------------------------

    /// Raises a safeguarding concern, from a case the actor works on or on its own (then
    /// the name of the adult at risk is typed and sealed).
    pub fn raise_concern(
        &self,
        actor: &Actor,
        case_id: Option<i64>,
        concern: &NewConcern,
    ) -> Result<i64, StoreError> {
        if !matches!(actor.role, Role::Advocate | Role::Manager) {
            return Err(StoreError::NotFound);
        }
        let keys = self.keys()?;
        self.write(|conn, trail| {
            let person_id = match case_id {
                Some(case_id) => {
                    let case = visible_case(conn, actor, case_id)?.ok_or(StoreError::NotFound)?;
                    if !may_work_on(actor, &case) {
                        return Err(StoreError::NotFound);
                    }
                    Some(case.person_id)
                }
                None => None,
            };
            let adult_name = match (person_id, concern.adult_name.as_deref()) {
                (Some(_), _) => None,
                (None, Some(name)) => Some(keys.seal("safeguarding_concerns.adult_name", name)),
                (None, None) => {
                    return Err(Invalid::one("adult_name", msg::CONCERN_ADULT_NAME_MISSING).into());
                }
            };
            let stamp = now();
            let id: i64 = diesel::insert_into(safeguarding_concerns::table)
                .values((
                    safeguarding_concerns::provider_id.eq(actor.organisation_id),
                    safeguarding_concerns::case_id.eq(case_id),
                    safeguarding_concerns::person_id.eq(person_id),
                    safeguarding_concerns::adult_name.eq(adult_name),
                    safeguarding_concerns::raised_by.eq(actor.user_id),
                    safeguarding_concerns::raised_on.eq(concern.raised_on),
                    safeguarding_concerns::category.eq(concern.category.as_str()),
                    safeguarding_concerns::what_happened.eq(keys.seal(
                        "safeguarding_concerns.what_happened",
                        &concern.what_happened,
                    )),
                    safeguarding_concerns::person_wants
                        .eq(keys.seal("safeguarding_concerns.person_wants", &concern.person_wants)),
                    safeguarding_concerns::immediate_risk.eq(concern.immediate_risk),
                    safeguarding_concerns::touched_at.eq(stamp),
                    safeguarding_concerns::recorded_at.eq(stamp),
                ))
                .returning(safeguarding_concerns::id)
                .get_result(conn)?;
            trail.record(AuditEvent::by(
                actor,
                AuditAction::Create,
                "safeguarding_concern",
                Some(id),
            ));
            Ok(id)
        })
    }

    /// The concerns the actor may see, open ones first and then the newest. Audited as
    /// one read of the list.
    pub fn concerns(&self, actor: &Actor, open_only: bool) -> Result<Vec<ConcernRow>, StoreError> {
        let keys = self.keys()?;
        self.write(|conn, trail| {
            let mut query = safeguarding_concerns::table
                .filter(safeguarding_concerns::provider_id.eq(actor.organisation_id))
                .into_boxed();
            if open_only {
                query = query.filter(safeguarding_concerns::closed_on.is_null());
            }
            let candidates: Vec<ConcernRecord> = query
                .order((
                    safeguarding_concerns::closed_on.is_not_null().asc(),
                    safeguarding_concerns::raised_on.asc(),
                    safeguarding_concerns::id.asc(),
                ))
                .select(ConcernRecord::as_select())
                .load(conn)?;
            let records = visible_concerns(conn, actor, candidates)?;
            trail.record(AuditEvent::by(
                actor,
                AuditAction::Read,
                "safeguarding_concern_list",
                None,
            ));
            records
                .into_iter()
                .map(|record| open_concern(conn, keys, record))
                .collect()
        })
    }

    /// One concern, with the breaches about the same person it may be linked to. A
    /// manager opening a concern on a case not theirs gives a reason first, as for the
    /// case itself.
    pub fn concern_file(&self, actor: &Actor, id: i64) -> Result<ConcernFile, StoreError> {
        let keys = self.keys()?;
        self.read_scoped(actor, "safeguarding_concern", id, |conn| {
            let Some(record) = visible_concern(conn, actor, id)? else {
                return Ok(None);
            };
            if let Some(case_id) = record.case_id {
                require_view_reason(conn, actor, &[case_id])?;
            }
            let breaches = match record.person_id {
                Some(person_id) => confidentiality_breaches::table
                    .filter(confidentiality_breaches::person_id.eq(person_id))
                    .filter(confidentiality_breaches::provider_id.eq(actor.organisation_id))
                    .order(confidentiality_breaches::decided_on.desc())
                    .select((
                        confidentiality_breaches::id,
                        confidentiality_breaches::decided_on,
                    ))
                    .load(conn)?,
                None => Vec::new(),
            };
            Ok(Some(ConcernFile {
                concern: open_concern(conn, keys, record)?,
                breaches,
            }))
        })
    }

    /// Records who the concern was reported to, and when.
    pub fn record_concern_actions(
        &self,
        actor: &Actor,
        id: i64,
        actions: &ConcernActions,
    ) -> Result<(), StoreError> {
        self.write(|conn, trail| {
            let record = concern_to_change(conn, actor, id)?;
            if record.closed_on.is_some() {
                return Err(StoreError::Conflict);
            }
            diesel::update(safeguarding_concerns::table.find(id))
                .set((
                    safeguarding_concerns::local_authority_on.eq(actions.local_authority_on),
                    safeguarding_concerns::local_authority_reference
                        .eq(actions.local_authority_reference.as_deref()),
                    safeguarding_concerns::police_on.eq(actions.police_on),
                    safeguarding_concerns::regulator_on.eq(actions.regulator_on),
                    safeguarding_concerns::touched_at.eq(now()),
                ))
                .execute(conn)?;
            trail.record(
                AuditEvent::by(actor, AuditAction::Update, "safeguarding_concern", Some(id))
                    .because("actions"),
            );
            Ok(())
        })
    }

    /// Links a concern to a breach of confidentiality about the same person, which
    /// raising the concern justified.
    pub fn link_breach(&self, actor: &Actor, id: i64, breach_id: i64) -> Result<(), StoreError> {
        self.write(|conn, trail| {
            let record = concern_to_change(conn, actor, id)?;
            let same_person: i64 = confidentiality_breaches::table
                .filter(confidentiality_breaches::id.eq(breach_id))
                .filter(confidentiality_breaches::provider_id.eq(actor.organisation_id))
                .filter(
                    confidentiality_breaches::person_id
                        .nullable()
                        .eq(record.person_id),
                )
                .count()
                .get_result(conn)?;
            if same_person == 0 {
                return Err(Invalid::one("breach", msg::CONCERN_BREACH_OTHER_PERSON).into());
            }
            diesel::update(safeguarding_concerns::table.find(id))
                .set((
                    safeguarding_concerns::breach_id.eq(breach_id),
                    safeguarding_concerns::touched_at.eq(now()),
                ))
                .execute(conn)?;
            trail.record(
                AuditEvent::by(actor, AuditAction::Update, "safeguarding_concern", Some(id))
                    .because("breach linked"),
            );
            Ok(())
        })
    }

    /// Closes a concern with its outcome. Only a manager closes a concern, and never
    /// without an outcome; a closed concern is not closed again.
    pub fn close_concern(
        &self,
        actor: &Actor,
        id: i64,
        closed_on: NaiveDate,
        outcome: &str,
    ) -> Result<(), StoreError> {
        require_role(actor, &[Role::Manager])?;
        if outcome.trim().is_empty() {
            return Err(Invalid::one("outcome", msg::CONCERN_OUTCOME_MISSING).into());
        }
        let keys = self.keys()?;
        self.write(|conn, trail| {
            let record = concern_to_change(conn, actor, id)?;
            if closed_on < record.raised_on {
                return Err(Invalid::one("closed_on", msg::CONCERN_CLOSED_BEFORE_RAISED).into());
            }
            let changed = diesel::update(
                safeguarding_concerns::table
                    .find(id)
                    .filter(safeguarding_concerns::closed_on.is_null()),
            )
            .set((
                safeguarding_concerns::outcome
                    .eq(keys.seal("safeguarding_concerns.outcome", outcome.trim())),
                safeguarding_concerns::closed_on.eq(closed_on),
                safeguarding_concerns::closed_by.eq(actor.user_id),
                safeguarding_concerns::touched_at.eq(now()),
            ))
            .execute(conn)?;
            if changed == 0 {
                return Err(StoreError::Conflict);
            }
            trail.record(
                AuditEvent::by(actor, AuditAction::Update, "safeguarding_concern", Some(id))
                    .because("closed"),
            );
            Ok(())
        })
    }

    // -----------------------------------------------------------------------------------
    // Complaints and compliments
    // -----------------------------------------------------------------------------------

    /// Stores a complaint or compliment with its two clock dates. `by` is the member of
    /// staff recording it on the person's behalf, or `None` for the public page. `about`
    /// links it to the person's record; only staff who may open that record can link
    /// it, and anyone else is told the record does not exist.
    pub fn submit_complaint(
        &self,
        provider_id: i64,
        by: Option<&Actor>,
        about: Option<i64>,
        source: ComplaintSource,
        complaint: &NewComplaint,
        (acknowledge_by, respond_by): (NaiveDate, NaiveDate),
    ) -> Result<i64, StoreError> {
        if by.is_some_and(|actor| actor.role != Role::Manager && actor.role != Role::Advocate) {
            return Err(StoreError::NotFound);
        }
        let keys = self.keys()?;
        self.write(|conn, trail| {
            let is_provider: i64 = organisations::table
                .filter(organisations::id.eq(provider_id))
                .filter(organisations::kind.eq("provider"))
                .count()
                .get_result(conn)?;
            if is_provider == 0 || by.is_some_and(|a| a.organisation_id != provider_id) {
                return Err(StoreError::NotFound);
            }
            if let Some(person_id) = about {
                let Some(actor) = by else {
                    return Err(StoreError::NotFound);
                };
                visible_person(conn, actor, person_id)?.ok_or(StoreError::NotFound)?;
            }
            let id: i64 = diesel::insert_into(complaints::table)
                .values((
                    complaints::provider_id.eq(provider_id),
                    complaints::kind.eq(complaint.kind.as_str()),
                    complaints::source.eq(source.as_str()),
                    complaints::received_on.eq(complaint.received_on),
                    complaints::complainant_name
                        .eq(keys.seal("complaints.complainant_name", &complaint.complainant_name)),
                    complaints::how_to_reply.eq(complaint
                        .how_to_reply
                        .as_deref()
                        .map(|t| keys.seal("complaints.how_to_reply", t))),
                    complaints::what_happened
                        .eq(keys.seal("complaints.what_happened", &complaint.what_happened)),
                    complaints::person_id.eq(about),
                    complaints::recorded_by.eq(by.map(|a| a.user_id)),
                    complaints::stage.eq("informal"),
                    complaints::acknowledge_by.eq(acknowledge_by),
                    complaints::respond_by.eq(respond_by),
                    complaints::recorded_at.eq(now()),
                ))
                .returning(complaints::id)
                .get_result(conn)?;
            trail.record(AuditEvent::by_or_operator(
                by,
                provider_id,
                AuditAction::Create,
                "complaint",
                Some(id),
            ));
            Ok(id)
        })
    }

    /// Every complaint and compliment of the provider, those still to answer first.
    /// Managers only; audited as one read.
    pub fn complaints(&self, actor: &Actor) -> Result<Vec<ComplaintRecord>, StoreError> {
        require_role(actor, &[Role::Manager])?;
        let keys = self.keys()?;
        self.write(|conn, trail| {
            let rows: Vec<ComplaintRecord> = complaints::table
                .filter(complaints::provider_id.eq(actor.organisation_id))
                .order((
                    complaints::response_sent_on.is_not_null().asc(),
                    complaints::respond_by.asc(),
                    complaints::id.asc(),
                ))
                .select(ComplaintRecord::as_select())
                .load(conn)?;
            trail.record(AuditEvent::by(
                actor,
                AuditAction::Read,
                "complaint_list",
                None,
            ));
            Ok(rows.into_iter().map(|r| open_complaint(keys, r)).collect())
        })
    }

    /// One complaint, for a manager of its provider, with the person it was made for
    /// when the manager may open their record.
    pub fn complaint(&self, actor: &Actor, id: i64) -> Result<ComplaintFile, StoreError> {
        let keys = self.keys()?;
        self.read_scoped(actor, "complaint", id, |conn| {
            if actor.role != Role::Manager {
                return Ok(None);
            }
            let Some(record) = complaints::table
                .filter(complaints::id.eq(id))
                .filter(complaints::provider_id.eq(actor.organisation_id))
                .select(ComplaintRecord::as_select())
                .first(conn)
                .optional()?
            else {
                return Ok(None);
            };
            let person = match record.person_id {
                Some(person_id) => visible_person(conn, actor, person_id)?
                    .map(|p| (p.id, format!("{} {}", p.given_name, p.family_name))),
                None => None,
            };
            Ok(Some(ComplaintFile {
                record: open_complaint(keys, record),
                person,
            }))
        })
    }

    /// Records how a complaint is going. A response dated before the complaint was
    /// received is refused, whatever the form said.
    pub fn update_complaint(
        &self,
        actor: &Actor,
        id: i64,
        progress: &ComplaintProgress,
    ) -> Result<(), StoreError> {
        require_role(actor, &[Role::Manager])?;
        let keys = self.keys()?;
        self.write(|conn, trail| {
            let received_on: NaiveDate = complaints::table
                .filter(complaints::id.eq(id))
                .filter(complaints::provider_id.eq(actor.organisation_id))
                .select(complaints::received_on)
                .first(conn)
                .optional()?
                .ok_or(StoreError::NotFound)?;
            if progress.response_sent_on.is_some_and(|d| d < received_on) {
                return Err(Invalid::one(
                    "response_sent_on",
                    msg::COMPLAINT_RESPONSE_BEFORE_RECEIVED,
                )
                .into());
            }
            let seal =
                |column: &str, text: &Option<String>| text.as_deref().map(|t| keys.seal(column, t));
            diesel::update(complaints::table.find(id))
                .set((
                    complaints::stage.eq(progress.stage.as_str()),
                    complaints::acknowledged_on.eq(progress.acknowledged_on),
                    complaints::support_offered_on.eq(progress.support_offered_on),
                    complaints::support_note
                        .eq(seal("complaints.support_note", &progress.support_note)),
                    complaints::finding.eq(progress.finding.map(|f| f.as_str())),
                    complaints::response_sent_on.eq(progress.response_sent_on),
                    complaints::lessons.eq(seal("complaints.lessons", &progress.lessons)),
                ))
                .execute(conn)?;
            trail.record(AuditEvent::by(
                actor,
                AuditAction::Update,
                "complaint",
                Some(id),
            ));
            Ok(())
        })
    }

    // -----------------------------------------------------------------------------------
    // Feedback
    // -----------------------------------------------------------------------------------

    /// Stores an answer to the questionnaire. Anonymous answers carry no name.
    pub fn submit_feedback(
        &self,
        provider_id: i64,
        feedback: &NewFeedback,
        easy_read: bool,
        submitted_on: NaiveDate,
    ) -> Result<i64, StoreError> {
        let keys = self.keys()?;
        self.write(|conn, trail| {
            let is_provider: i64 = organisations::table
                .filter(organisations::id.eq(provider_id))
                .filter(organisations::kind.eq("provider"))
                .count()
                .get_result(conn)?;
            if is_provider == 0 {
                return Err(StoreError::NotFound);
            }
            let [listened, understood, speak_up, overall] = feedback.scores;
            let id: i64 = diesel::insert_into(feedback_responses::table)
                .values((
                    feedback_responses::provider_id.eq(provider_id),
                    feedback_responses::submitted_on.eq(submitted_on),
                    feedback_responses::duty.eq(feedback.duty.map(FeedbackDuty::as_str)),
                    feedback_responses::filled_in.eq(feedback.filled_in.as_str()),
                    feedback_responses::easy_read.eq(easy_read),
                    feedback_responses::name.eq(feedback
                        .name
                        .as_deref()
                        .map(|n| keys.seal("feedback_responses.name", n))),
                    feedback_responses::listened.eq(listened),
                    feedback_responses::understood.eq(understood),
                    feedback_responses::speak_up.eq(speak_up),
                    feedback_responses::overall.eq(overall),
                    feedback_responses::comment.eq(feedback
                        .comment
                        .as_deref()
                        .map(|c| keys.seal("feedback_responses.comment", c))),
                ))
                .returning(feedback_responses::id)
                .get_result(conn)?;
            trail.record(
                AuditEvent::anonymous(AuditAction::Create, "feedback_response", Some(id))
                    .in_organisation(Some(provider_id)),
            );
            Ok(id)
        })
    }

    /// The scores of every answer at the provider, without names or comments: what the
    /// summary per quarter and duty is made from. Managers only.
    pub fn feedback_facts(&self, actor: &Actor) -> Result<Vec<FeedbackFacts>, StoreError> {
        require_role(actor, &[Role::Manager])?;
        self.read(|conn| {
            let rows: Vec<FeedbackRecord> = feedback_responses::table
                .filter(feedback_responses::provider_id.eq(actor.organisation_id))
                .select(FeedbackRecord::as_select())
                .load(conn)?;
            // Names and comments stay sealed: the summary needs only the scores.
            Ok(rows
                .into_iter()
                .map(|r| FeedbackFacts {
                    submitted_on: r.submitted_on,
                    duty: r.duty.as_deref().and_then(FeedbackDuty::parse),
                    with_help: r.filled_in == "with_help",
                    scores: [r.listened, r.understood, r.speak_up, r.overall],
                })
                .collect())
        })
    }

    /// The answers at the provider that say something in words, newest first, with the
    /// name of those who gave it: for managers to read, and audited as a read of them
    /// all.
    pub fn feedback_comments(&self, actor: &Actor) -> Result<Vec<FeedbackComment>, StoreError> {
        require_role(actor, &[Role::Manager])?;
        let keys = self.keys()?;
        self.write(|conn, trail| {
            let rows: Vec<FeedbackRecord> = feedback_responses::table
                .filter(feedback_responses::provider_id.eq(actor.organisation_id))
                .filter(feedback_responses::comment.is_not_null())
                .order((
                    feedback_responses::submitted_on.desc(),
                    feedback_responses::id.desc(),
                ))
                .select(FeedbackRecord::as_select())
                .load(conn)?;
            trail.record(AuditEvent::by(
                actor,
                AuditAction::Read,
                "feedback_comment_list",
                None,
            ));
            Ok(rows
                .into_iter()
                .map(|r| FeedbackComment {
                    submitted_on: r.submitted_on,
                    duty: r.duty.as_deref().and_then(FeedbackDuty::parse),
                    with_help: r.filled_in == "with_help",
                    name: r.name.map(|n| keys.reveal("feedback_responses.name", &n)),
                    comment: r
                        .comment
                        .map(|c| keys.reveal("feedback_responses.comment", &c))
                        .unwrap_or_default(),
                })
                .collect())
        })
    }

    // -----------------------------------------------------------------------------------
    // Concerns about other services, and signals
    // -----------------------------------------------------------------------------------

    /// Records a concern about another service seen through the work on a case.
    pub fn record_service_concern(
        &self,
        actor: &Actor,
        case_id: i64,
        concern: &NewServiceConcern,
    ) -> Result<i64, StoreError> {
        let keys = self.keys()?;
        self.write(|conn, trail| {
            let case = visible_case(conn, actor, case_id)?.ok_or(StoreError::NotFound)?;
            if !may_work_on(actor, &case) {
                return Err(StoreError::NotFound);
            }
            let id: i64 = diesel::insert_into(service_concerns::table)
                .values((
                    service_concerns::provider_id.eq(actor.organisation_id),
                    service_concerns::case_id.eq(case_id),
                    service_concerns::place.eq(&concern.place),
                    service_concerns::place_key.eq(place_key(&concern.place)),
                    service_concerns::place_kind.eq(concern.place_kind.as_str()),
                    service_concerns::theme.eq(concern.theme.as_str()),
                    service_concerns::severity.eq(concern.severity.as_str()),
                    service_concerns::noted_on.eq(concern.noted_on),
                    service_concerns::detail
                        .eq(keys.seal("service_concerns.detail", &concern.detail)),
                    service_concerns::recorded_by.eq(actor.user_id),
                    service_concerns::recorded_at.eq(now()),
                ))
                .returning(service_concerns::id)
                .get_result(conn)?;
            trail.record(AuditEvent::by(
                actor,
                AuditAction::Create,
                "service_concern",
                Some(id),
            ));
            Ok(id)
        })
    }

    /// Every concern about other services at the provider noted on or after `since`,
    /// its free text opened. Managers only; audited as one read.
    pub fn service_concerns(
        &self,
        actor: &Actor,
        since: NaiveDate,
    ) -> Result<Vec<ServiceConcernRecord>, StoreError> {
        require_role(actor, &[Role::Manager])?;
        let keys = self.keys()?;
        self.write(|conn, trail| {
            let candidates: Vec<ServiceConcernRecord> = service_concerns::table
                .filter(service_concerns::provider_id.eq(actor.organisation_id))
                .filter(service_concerns::noted_on.ge(since))
                .order((
                    service_concerns::noted_on.desc(),
                    service_concerns::id.desc(),
                ))
                .select(ServiceConcernRecord::as_select())
                .load(conn)?;
            let cases = visible_case_ids(conn, actor, candidates.iter().map(|c| c.case_id))?;
            let mut rows: Vec<ServiceConcernRecord> = candidates
                .into_iter()
                .filter(|c| cases.contains(&c.case_id))
                .collect();
            for row in &mut rows {
                row.detail = keys.reveal("service_concerns.detail", &row.detail);
            }
            trail.record(AuditEvent::by(
                actor,
                AuditAction::Read,
                "service_concern_list",
                None,
            ));
            Ok(rows)
        })
    }

    /// Turns concerns into a signal to the provider of the place and the commissioner.
    /// Every concern must be the provider's and not yet signalled.
    pub fn create_signal(&self, actor: &Actor, signal: &NewSignal) -> Result<i64, StoreError> {
        require_role(actor, &[Role::Manager])?;
        if signal.concern_ids.is_empty() {
            return Err(Invalid::one("concerns", msg::SIGNAL_CONCERNS_MISSING).into());
        }
        self.write(|conn, trail| {
            let open: i64 = service_concerns::table
                .filter(service_concerns::id.eq_any(&signal.concern_ids))
                .filter(service_concerns::provider_id.eq(actor.organisation_id))
                .filter(service_concerns::signal_id.is_null())
                .count()
                .get_result(conn)?;
            if open as usize != signal.concern_ids.len() {
                return Err(StoreError::Conflict);
            }
            let id: i64 = diesel::insert_into(service_signals::table)
                .values((
                    service_signals::provider_id.eq(actor.organisation_id),
                    service_signals::place.eq(&signal.place),
                    service_signals::place_kind.eq(signal.place_kind.as_str()),
                    service_signals::theme.eq(signal.theme.as_str()),
                    service_signals::basis.eq(signal.basis.as_str()),
                    service_signals::concern_count.eq(signal.concern_ids.len() as i32),
                    service_signals::sent_on.eq(signal.sent_on),
                    service_signals::response_due.eq(signal.response_due),
                    service_signals::created_by.eq(actor.user_id),
                    service_signals::created_at.eq(now()),
                ))
                .returning(service_signals::id)
                .get_result(conn)?;
            diesel::update(
                service_concerns::table.filter(service_concerns::id.eq_any(&signal.concern_ids)),
            )
            .set(service_concerns::signal_id.eq(id))
            .execute(conn)?;
            trail.record(AuditEvent::by(
                actor,
                AuditAction::Create,
                "service_signal",
                Some(id),
            ));
            Ok(id)
        })
    }

    /// The provider's signals, those awaiting a response first. Managers only.
    pub fn signals(&self, actor: &Actor) -> Result<Vec<SignalRecord>, StoreError> {
        require_role(actor, &[Role::Manager])?;
        self.read(|conn| {
            Ok(service_signals::table
                .filter(service_signals::provider_id.eq(actor.organisation_id))
                .order((
                    service_signals::response_received_on.is_not_null().asc(),
                    service_signals::response_due.asc(),
                    service_signals::id.asc(),
                ))
                .select(SignalRecord::as_select())
                .load(conn)?)
        })
    }

    /// Records a date against one of the provider's signals: the response received, or
    /// the report to the regulator. The date may not be before the signal was sent.
    pub fn record_signal_date(
        &self,
        actor: &Actor,
        id: i64,
        regulator: bool,
        on: NaiveDate,
    ) -> Result<(), StoreError> {
        require_role(actor, &[Role::Manager])?;
        self.write(|conn, trail| {
            let sent_on: NaiveDate = service_signals::table
                .filter(service_signals::id.eq(id))
                .filter(service_signals::provider_id.eq(actor.organisation_id))
                .select(service_signals::sent_on)
                .first(conn)
                .optional()?
                .ok_or(StoreError::NotFound)?;
            if on < sent_on {
                return Err(Invalid::one("on", msg::SIGNAL_DATE_BEFORE_SENT).into());
            }
            let target = service_signals::table.find(id);
            if regulator {
                diesel::update(target)
                    .set(service_signals::regulator_on.eq(on))
                    .execute(conn)?;
            } else {
                diesel::update(target)
                    .set(service_signals::response_received_on.eq(on))
                    .execute(conn)?;
            }
            trail.record(
                AuditEvent::by(actor, AuditAction::Update, "service_signal", Some(id))
                    .because(if regulator { "regulator" } else { "response" }),
            );
            Ok(())
        })
    }

    /// Signals as commissioners see them, from the providers they fund under a contract:
    /// a place, a theme, counts and dates, and nothing about any person.
    pub fn signals_for_commissioner(
        &self,
        actor: &Actor,
    ) -> Result<Vec<CommissionerSignal>, StoreError> {
        if actor.role != Role::Commissioner {
            return Err(StoreError::NotFound);
        }
        self.write(|conn, trail| {
            // Only the providers the commissioner funds: another council's providers'
            // signals are theirs to see.
            let funded = crate::schema::contracts::table
                .filter(crate::schema::contracts::commissioner_id.eq(actor.organisation_id))
                .select(crate::schema::contracts::provider_id);
            let rows: Vec<(SignalRecord, String)> = service_signals::table
                .inner_join(
                    organisations::table.on(organisations::id.eq(service_signals::provider_id)),
                )
                .filter(service_signals::provider_id.eq_any(funded))
                .order((service_signals::sent_on.desc(), service_signals::id.desc()))
                .select((SignalRecord::as_select(), organisations::name))
                .load(conn)?;
            trail.record(AuditEvent::by(
                actor,
                AuditAction::Read,
                "service_signal_list",
                None,
            ));
            Ok(rows
                .into_iter()
                .map(|(s, provider)| CommissionerSignal {
                    id: s.id,
                    advocacy_provider: provider,
                    place: s.place,
                    place_kind: s.place_kind,
                    theme: s.theme,
                    basis: s.basis,
                    concern_count: s.concern_count,
                    sent_on: s.sent_on,
                    response_due: s.response_due,
                    response_received_on: s.response_received_on,
                    regulator_on: s.regulator_on,
                })
                .collect())
        })
    }
}

/// The complaints and compliments recorded for a person, newest first. The caller has
/// already checked that the reader may open the person's record.
pub(crate) fn person_complaints(
    conn: &mut crate::DbConnection,
    person_id: i64,
) -> Result<Vec<PersonComplaint>, StoreError> {
    let rows: Vec<(i64, String, NaiveDate, String, Option<NaiveDate>)> = complaints::table
        .filter(complaints::person_id.eq(person_id))
        .order((complaints::received_on.desc(), complaints::id.desc()))
        .select((
            complaints::id,
            complaints::kind,
            complaints::received_on,
            complaints::stage,
            complaints::response_sent_on,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(id, kind, received_on, stage, response_sent_on)| PersonComplaint {
                id,
                kind,
                received_on,
                stage,
                response_sent_on,
            },
        )
        .collect())
}
