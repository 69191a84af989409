//! Referrals from the public form and from staff, the intake queue, triage decisions
//! per duty, the people and cases an accepted referral creates, and the waiting list.

use crate::audit::AuditEvent;
use crate::commissioning::ContractRecord;
use crate::schema::{cases, contracts, organisations, people, referral_decisions, referrals};
use crate::sealing::Keyring;
use crate::{DbConnection, Store, StoreError, now};
use advocase_domain::audit::AuditAction;
use advocase_domain::identity::{Actor, OrganisationKind, Role};
use advocase_domain::referral::NewReferral;
use advocase_domain::reporting::is_urgent;
use advocase_domain::validation::Invalid;
use advocase_i18n::msg;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

/// Where a referral came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The form anyone can use without signing in.
    Public,
    /// Entered by a member of staff.
    Staff,
}

/// The statuses a referral moves through.
pub mod status {
    pub const RECEIVED: &str = "received";
    pub const ACCEPTED: &str = "accepted";
    pub const DECLINED: &str = "declined";
    pub const ON_HOLD: &str = "on_hold";
    pub const WITHDRAWN: &str = "withdrawn";
}

/// Who may work with referrals: intake workers and managers of the provider.
fn may_triage(actor: &Actor) -> bool {
    matches!(actor.role, Role::IntakeWorker | Role::Manager)
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = referrals)]
pub struct ReferralRecord {
    pub id: i64,
    pub provider_id: i64,
    pub reference: String,
    pub status_token_hash: String,
    pub source: String,
    pub referrer_kind: String,
    pub referrer_name: Option<String>,
    pub referrer_organisation: Option<String>,
    pub referrer_role: Option<String>,
    pub referrer_email: Option<String>,
    pub referrer_phone: Option<String>,
    pub referrer_relationship: Option<String>,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: Option<NaiveDate>,
    pub postcode: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub local_authority: Option<String>,
    pub placed_out_of_area: bool,
    pub is_prisoner: bool,
    pub language: Option<String>,
    pub needs_interpreter: bool,
    pub uses_bsl: bool,
    pub wants_easy_read: bool,
    pub preferred_contact: Option<String>,
    pub what_is_happening: String,
    pub meeting_date: Option<NaiveDate>,
    pub deadline_date: Option<NaiveDate>,
    pub compulsion_date: Option<NaiveDate>,
    pub safeguarding_concerns: Option<String>,
    pub risk_to_visitor: Option<String>,
    pub consent: String,
    pub consent_note: Option<String>,
    pub eligibility_answers: String,
    pub status: String,
    pub status_reason: Option<String>,
    pub person_id: Option<i64>,
    pub received_at: NaiveDateTime,
    pub created_by: Option<i64>,
    pub decided_by: Option<i64>,
    pub decided_at: Option<NaiveDateTime>,
    pub version: i64,
}

impl ReferralRecord {
    /// The record with its free text opened for showing. What the referrer wrote about
    /// the person is sealed at rest like every note.
    pub(crate) fn opened(mut self, keys: &Keyring) -> Self {
        self.what_is_happening =
            keys.reveal("referrals.what_is_happening", &self.what_is_happening);
        keys.reveal_some(
            "referrals.safeguarding_concerns",
            &mut self.safeguarding_concerns,
        );
        keys.reveal_some("referrals.risk_to_visitor", &mut self.risk_to_visitor);
        keys.reveal_some("referrals.consent_note", &mut self.consent_note);
        self
    }

    /// The stored eligibility answers, read back through the contract's parser.
    pub fn eligibility(&self) -> advocase_domain::eligibility::EligibilityRequest {
        stored_eligibility(&self.eligibility_answers)
    }

    pub fn is_detained(&self) -> bool {
        detained_by(&self.eligibility_answers)
    }
}

/// Stored eligibility answers read back through the contract's parser.
fn stored_eligibility(answers: &str) -> advocase_domain::eligibility::EligibilityRequest {
    advocase_domain::eligibility::parse_request(answers).unwrap_or_default()
}

/// Whether stored eligibility answers say the person is detained under the Mental
/// Health Act.
fn detained_by(answers: &str) -> bool {
    stored_eligibility(answers)
        .mental_health_act
        .and_then(|m| m.status)
        .is_some_and(|s| {
            matches!(
                s,
                advocase_domain::eligibility::MentalHealthActStatus::Detained
            )
        })
}

/// What the waiting list needs of a referral. Its free text, sealed and the largest
/// part of the row, is left in the database: at a million people the list reads 254
/// referrals on every view of it and of the home page.
#[derive(Queryable, Selectable)]
#[diesel(table_name = referrals)]
struct WaitingReferral {
    reference: String,
    received_at: NaiveDateTime,
    compulsion_date: Option<NaiveDate>,
    meeting_date: Option<NaiveDate>,
    deadline_date: Option<NaiveDate>,
    eligibility_answers: String,
    #[diesel(select_expression = referrals::safeguarding_concerns.is_not_null())]
    #[diesel(select_expression_type = diesel::dsl::IsNotNull<referrals::safeguarding_concerns>)]
    safeguarding_risk: bool,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = people)]
pub struct PersonRecord {
    pub id: i64,
    pub provider_id: i64,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: Option<NaiveDate>,
    pub postcode: Option<String>,
    pub name_key: String,
    pub postcode_key: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub local_authority: Option<String>,
    pub placed_out_of_area: bool,
    pub is_prisoner: bool,
    pub language: Option<String>,
    pub needs_interpreter: bool,
    pub uses_bsl: bool,
    pub wants_easy_read: bool,
    pub preferred_contact: Option<String>,
    pub created_at: NaiveDateTime,
    pub version: i64,
    pub gender_preference: Option<String>,
    pub communication_needs: Option<String>,
    #[serde(default)]
    pub restricted: bool,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = referral_decisions)]
pub struct DecisionRecord {
    pub referral_id: i64,
    pub duty: String,
    pub suggested: String,
    pub decision: String,
    pub disagreement_reason: Option<String>,
    pub decided_by: i64,
    pub decided_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = cases)]
pub struct CaseRecord {
    pub id: i64,
    pub provider_id: i64,
    pub person_id: i64,
    pub referral_id: i64,
    pub duty: String,
    pub status: String,
    pub opened_at: NaiveDateTime,
    pub introduction_due: Option<NaiveDate>,
    pub version: i64,
    pub advocate_id: Option<i64>,
    pub allocated_at: Option<NaiveDateTime>,
    pub closed_at: Option<NaiveDateTime>,
    pub closed_by: Option<i64>,
    pub closure_reason: Option<String>,
    pub handed_over_to: Option<String>,
    pub self_advocacy: Option<String>,
    pub closure_note: Option<String>,
    pub open_tasks_reason: Option<String>,
    pub reopens_case_id: Option<i64>,
}

/// What the referrer's private status link shows: no one's personal data.
#[derive(Debug, Clone)]
pub struct ReferralStatus {
    pub reference: String,
    pub status: String,
    pub received_at: NaiveDateTime,
}

/// Intake's decision on one duty.
#[derive(Debug, Clone)]
pub struct DutyDecision {
    pub duty: String,
    /// What the engine suggested: `eligible`, `not_eligible` or `needs_information`.
    pub suggested: String,
    pub accept: bool,
    pub disagreement_reason: Option<String>,
    /// For an accepted IMHA duty: the introduction deadline.
    pub introduction_due: Option<NaiveDate>,
}

/// Whether an accepted referral joins an existing person record or starts one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonChoice {
    Link(i64),
    Create,
}

/// The lower-cased "family given" key that duplicate matching compares.
pub fn name_key(given: &str, family: &str) -> String {
    format!(
        "{} {}",
        family.trim().to_lowercase(),
        given.trim().to_lowercase()
    )
}

/// What a search for a person by name looks up, as (start of the family name, start of
/// the given name): one word is the start of a family name; two words are a given name
/// and a family name in either order ("Ada Love" and "Lovelace Ad" both find Ada
/// Lovelace). The family name is a range of the name index; the given name is checked
/// on the rows found.
pub fn name_search_prefixes(text: &str) -> Vec<(String, Option<String>)> {
    let words: Vec<String> = text
        .split_whitespace()
        .map(str::to_lowercase)
        .take(2)
        .collect();
    match words.as_slice() {
        [] => Vec::new(),
        [one] => vec![(one.clone(), None)],
        [first, second, ..] => vec![
            (second.clone(), Some(first.clone())),
            (first.clone(), Some(second.clone())),
        ],
    }
}

/// The first key after every key that starts with `prefix`, so a search is a range
/// scan of the name index on either database: "smi" gives "smj"; trailing characters
/// that have no plain next one ("z", "9", accented letters) are dropped first, which
/// widens the range safely. None when nothing is left: no upper bound.
pub fn name_search_upper_bound(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let next = match last {
            'a'..='y' | '0'..='8' => char::from_u32(last as u32 + 1),
            _ => None,
        };
        if let Some(next) = next {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

fn postcode_key(postcode: Option<&str>) -> Option<String> {
    postcode.map(|p| {
        p.chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_uppercase()
    })
}

/// One row of the waiting list, before prioritisation.
#[derive(Debug, Clone)]
pub struct WaitingRow {
    pub case: CaseRecord,
    pub person_name: String,
    pub reference: String,
    pub detained: bool,
    pub safeguarding_risk: bool,
    pub meeting_date: Option<NaiveDate>,
    pub deadline_date: Option<NaiveDate>,
    pub received_at: NaiveDateTime,
    /// The working days to first contact set by the provider's contract that covers the
    /// case (the shortest, if several do), for its urgency; `None` when no contract does.
    pub first_contact_days: Option<u32>,
}

impl Store {
    /// The providers a member of the public may refer to, by name.
    pub fn providers(&self) -> Result<Vec<(i64, String)>, StoreError> {
        self.read(|conn| {
            Ok(organisations::table
                .filter(organisations::kind.eq(OrganisationKind::Provider.as_str()))
                .order(organisations::name)
                .select((organisations::id, organisations::name))
                .load(conn)?)
        })
    }

    /// Stores a new referral for `provider_id`. `by` is the member of staff entering it,
    /// or `None` for the public form.
    pub fn submit_referral(
        &self,
        provider_id: i64,
        referral: &NewReferral,
        source: Source,
        by: Option<&Actor>,
        reference: &str,
        status_token_hash: &str,
    ) -> Result<i64, StoreError> {
        if let Some(actor) = by
            && (!may_triage(actor) || actor.organisation_id != provider_id)
        {
            return Err(StoreError::NotFound);
        }
        let provider = self.organisation(provider_id)?;
        if provider.kind() != Some(OrganisationKind::Provider) {
            return Err(Invalid::one("provider", msg::REFERRAL_PROVIDER_INVALID).into());
        }
        let keys = self.keys()?;
        self.write(|conn, trail| {
            let r = referral;
            let id: i64 =
                diesel::insert_into(referrals::table)
                    .values((
                        (
                            referrals::provider_id.eq(provider_id),
                            referrals::reference.eq(reference),
                            referrals::status_token_hash.eq(status_token_hash),
                            referrals::source.eq(match source {
                                Source::Public => "public",
                                Source::Staff => "staff",
                            }),
                            referrals::referrer_kind.eq(r.referrer_kind.as_str()),
                            referrals::referrer_name.eq(&r.referrer_name),
                            referrals::referrer_organisation.eq(&r.referrer_organisation),
                            referrals::referrer_role.eq(&r.referrer_role),
                            referrals::referrer_email.eq(&r.referrer_email),
                            referrals::referrer_phone.eq(&r.referrer_phone),
                            referrals::referrer_relationship.eq(&r.referrer_relationship),
                            referrals::given_name.eq(&r.given_name),
                            referrals::family_name.eq(&r.family_name),
                            referrals::date_of_birth.eq(r.date_of_birth),
                            referrals::postcode.eq(&r.postcode),
                            referrals::address.eq(&r.address),
                        ),
                        (
                            referrals::phone.eq(&r.phone),
                            referrals::email.eq(&r.email),
                            referrals::local_authority.eq(&r.local_authority),
                            referrals::placed_out_of_area.eq(r.placed_out_of_area),
                            referrals::is_prisoner.eq(r.is_prisoner),
                            referrals::language.eq(&r.language),
                            referrals::needs_interpreter.eq(r.needs_interpreter),
                            referrals::uses_bsl.eq(r.uses_bsl),
                            referrals::wants_easy_read.eq(r.wants_easy_read),
                            referrals::preferred_contact.eq(&r.preferred_contact),
                            referrals::what_is_happening
                                .eq(keys.seal("referrals.what_is_happening", &r.what_is_happening)),
                            referrals::meeting_date.eq(r.meeting_date),
                            referrals::deadline_date.eq(r.deadline_date),
                            referrals::compulsion_date.eq(r.compulsion_date),
                            referrals::safeguarding_concerns.eq(keys.seal_some(
                                "referrals.safeguarding_concerns",
                                r.safeguarding_concerns.as_deref(),
                            )),
                            referrals::risk_to_visitor.eq(keys.seal_some(
                                "referrals.risk_to_visitor",
                                r.risk_to_visitor.as_deref(),
                            )),
                        ),
                        (
                            referrals::consent.eq(r.consent.as_str()),
                            referrals::consent_note.eq(
                                keys.seal_some("referrals.consent_note", r.consent_note.as_deref())
                            ),
                            referrals::eligibility_answers.eq(r.eligibility_json()),
                            referrals::status.eq(status::RECEIVED),
                            referrals::received_at.eq(now()),
                            referrals::created_by.eq(by.map(|a| a.user_id)),
                        ),
                    ))
                    .returning(referrals::id)
                    .get_result(conn)?;
            trail.record(AuditEvent::by_or_operator(
                by,
                provider_id,
                AuditAction::Create,
                "referral",
                Some(id),
            ));
            Ok(id)
        })
    }

    /// What the private status link shows. Nothing personal, so not audited.
    pub fn referral_status(&self, status_token_hash: &str) -> Result<ReferralStatus, StoreError> {
        self.read(|conn| {
            referrals::table
                .filter(referrals::status_token_hash.eq(status_token_hash))
                .select((
                    referrals::reference,
                    referrals::status,
                    referrals::received_at,
                ))
                .first::<(String, String, NaiveDateTime)>(conn)
                .optional()?
                .map(|(reference, status, received_at)| ReferralStatus {
                    reference,
                    status,
                    received_at,
                })
                .ok_or(StoreError::NotFound)
        })
    }

    /// The referrals waiting for a decision (received or on hold), oldest first.
    pub fn referral_queue(&self, actor: &Actor) -> Result<Vec<ReferralRecord>, StoreError> {
        if !may_triage(actor) {
            return Err(StoreError::NotFound);
        }
        let keys = self.keys()?;
        self.read_audited(|conn, trail| {
            // Sorted here, not by the database: asked to sort, SQLite walks the index on
            // (provider, received) to avoid a sort, which means reading every referral
            // the provider ever had (seconds with a million), instead of the few still
            // waiting for a decision that the index on (provider, status) finds.
            let mut list: Vec<ReferralRecord> = referrals::table
                .filter(referrals::provider_id.eq(actor.organisation_id))
                .filter(referrals::status.eq_any([status::RECEIVED, status::ON_HOLD]))
                .select(ReferralRecord::as_select())
                .load(conn)?;
            list.sort_by_key(|r| (r.received_at, r.id));
            trail.record(AuditEvent::by(
                actor,
                AuditAction::Read,
                "referral_queue",
                None,
            ));
            Ok(list.into_iter().map(|r| r.opened(keys)).collect())
        })
    }

    /// One referral, for intake and managers of its provider.
    pub fn find_referral(&self, actor: &Actor, id: i64) -> Result<ReferralRecord, StoreError> {
        let allowed = may_triage(actor);
        let keys = self.keys()?;
        self.read_scoped(actor, "referral", id, |conn| {
            if !allowed {
                return Ok(None);
            }
            Ok(referrals::table
                .find(id)
                .filter(referrals::provider_id.eq(actor.organisation_id))
                .select(ReferralRecord::as_select())
                .first::<ReferralRecord>(conn)
                .optional()?
                .map(|r| r.opened(keys)))
        })
    }

    /// The decisions recorded on a referral that [`Store::find_referral`] returned (and
    /// audited) for the actor; reading them is part of that same read.
    pub fn referral_decisions(
        &self,
        referral: &ReferralRecord,
    ) -> Result<Vec<DecisionRecord>, StoreError> {
        self.read(|conn| {
            Ok(referral_decisions::table
                .filter(referral_decisions::referral_id.eq(referral.id))
                .select(DecisionRecord::as_select())
                .load(conn)?)
        })
    }

    /// People of the provider who may be the person a referral is about: the same name,
    /// or the same date of birth with the same family name, first name or postcode, or
    /// the same postcode and family name. Intake chooses; nothing is merged silently.
    pub fn matching_people(
        &self,
        actor: &Actor,
        referral: &ReferralRecord,
    ) -> Result<Vec<PersonRecord>, StoreError> {
        if !may_triage(actor) || referral.provider_id != actor.organisation_id {
            return Err(StoreError::NotFound);
        }
        let key = name_key(&referral.given_name, &referral.family_name);
        let family = referral.family_name.trim().to_lowercase();
        let given = referral.given_name.trim().to_lowercase();
        let postcode = postcode_key(referral.postcode.as_deref());
        let born = referral.date_of_birth;
        self.write(|conn, trail| {
            let mut candidates: Vec<PersonRecord> = people::table
                .filter(people::provider_id.eq(actor.organisation_id))
                .filter(crate::casework::not_restricted_for(actor.user_id))
                .filter(
                    people::name_key
                        .eq(&key)
                        .or(people::date_of_birth
                            .eq(born)
                            .and(born.is_some().into_sql::<diesel::sql_types::Bool>()))
                        .or(people::postcode_key
                            .eq(&postcode)
                            .and(postcode.is_some().into_sql::<diesel::sql_types::Bool>())),
                )
                .select(PersonRecord::as_select())
                .limit(200)
                .load(conn)?;
            candidates.retain(|p| {
                let their_family = p.family_name.trim().to_lowercase();
                let their_given = p.given_name.trim().to_lowercase();
                p.name_key == key
                    || (born.is_some()
                        && p.date_of_birth == born
                        && (their_family == family
                            || their_given == given
                            || (postcode.is_some() && p.postcode_key == postcode)))
                    || (postcode.is_some() && p.postcode_key == postcode && their_family == family)
            });
            candidates.truncate(10);
            for person in &candidates {
                trail.record(
                    AuditEvent::by(actor, AuditAction::Read, "person", Some(person.id))
                        .because("possible match for a referral"),
                );
            }
            Ok(candidates)
        })
    }

    /// Records intake's decision on every duty, and for the duties accepted, links or
    /// creates the person record and opens one waiting case per duty, all in one
    /// transaction. A referral changed since it was read (`version`) is refused.
    pub fn decide_referral(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        decisions: &[DutyDecision],
        person: PersonChoice,
        decline_reason: Option<&str>,
    ) -> Result<Vec<i64>, StoreError> {
        let referral = self.find_referral(actor, id)?;
        if referral.version != version {
            return Err(StoreError::Conflict);
        }
        if referral.status != status::RECEIVED && referral.status != status::ON_HOLD {
            return Err(Invalid::one("decision", msg::REFERRAL_ALREADY_DECIDED).into());
        }
        self.write(|conn, trail| {
            let at = now();
            let bumped = diesel::update(
                referrals::table
                    .find(id)
                    .filter(referrals::version.eq(version)),
            )
            .set(referrals::version.eq(version + 1))
            .execute(conn)?;
            if bumped != 1 {
                return Err(StoreError::Conflict);
            }
            for decision in decisions {
                diesel::insert_into(referral_decisions::table)
                    .values((
                        referral_decisions::referral_id.eq(id),
                        referral_decisions::duty.eq(&decision.duty),
                        referral_decisions::suggested.eq(&decision.suggested),
                        referral_decisions::decision.eq(if decision.accept {
                            "accept"
                        } else {
                            "decline"
                        }),
                        referral_decisions::disagreement_reason.eq(&decision.disagreement_reason),
                        referral_decisions::decided_by.eq(actor.user_id),
                        referral_decisions::decided_at.eq(at),
                    ))
                    .execute(conn)?;
            }
            let accepted: Vec<&DutyDecision> = decisions.iter().filter(|d| d.accept).collect();
            let mut opened = Vec::new();
            let mut person_id = None;
            if !accepted.is_empty() {
                let pid = match person {
                    PersonChoice::Link(pid) => {
                        let exists: i64 = people::table
                            .filter(people::id.eq(pid))
                            .filter(people::provider_id.eq(actor.organisation_id))
                            .count()
                            .get_result(conn)?;
                        if exists != 1 {
                            return Err(Invalid::one("person", msg::REF_PERSON_INVALID).into());
                        }
                        pid
                    }
                    PersonChoice::Create => create_person(conn, &referral, at)?,
                };
                trail.record(
                    AuditEvent::by(actor, AuditAction::Update, "person", Some(pid))
                        .because(format!("referral {}", referral.reference)),
                );
                person_id = Some(pid);
                for decision in accepted {
                    let case_id: i64 = diesel::insert_into(cases::table)
                        .values((
                            cases::provider_id.eq(actor.organisation_id),
                            cases::person_id.eq(pid),
                            cases::referral_id.eq(id),
                            cases::duty.eq(&decision.duty),
                            cases::status.eq(crate::casework::case_status::WAITING),
                            cases::opened_at.eq(at),
                            cases::introduction_due.eq(decision.introduction_due),
                        ))
                        .returning(cases::id)
                        .get_result(conn)?;
                    trail.record(AuditEvent::by(
                        actor,
                        AuditAction::Create,
                        "case",
                        Some(case_id),
                    ));
                    opened.push(case_id);
                }
            }
            let new_status = if opened.is_empty() {
                status::DECLINED
            } else {
                status::ACCEPTED
            };
            diesel::update(referrals::table.find(id))
                .set((
                    referrals::status.eq(new_status),
                    referrals::status_reason.eq(decline_reason),
                    referrals::person_id.eq(person_id),
                    referrals::decided_by.eq(actor.user_id),
                    referrals::decided_at.eq(at),
                ))
                .execute(conn)?;
            trail.record(
                AuditEvent::by(actor, AuditAction::Update, "referral", Some(id))
                    .because(new_status),
            );
            Ok(opened)
        })
    }

    /// Puts a referral on hold, withdraws it, or re-opens it, with the reason.
    pub fn set_referral_status(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        new_status: &str,
        reason: &str,
    ) -> Result<(), StoreError> {
        let referral = self.find_referral(actor, id)?;
        let allowed = match new_status {
            status::ON_HOLD | status::WITHDRAWN => {
                referral.status == status::RECEIVED || referral.status == status::ON_HOLD
            }
            status::RECEIVED => {
                referral.status == status::ON_HOLD
                    || referral.status == status::WITHDRAWN
                    || referral.status == status::DECLINED
            }
            _ => false,
        };
        if !allowed {
            return Err(Invalid::one("status", msg::REFERRAL_STATUS_CHANGE_INVALID).into());
        }
        let reopening_declined =
            referral.status == status::DECLINED && new_status == status::RECEIVED;
        self.write(|conn, trail| {
            let changed = diesel::update(
                referrals::table
                    .find(id)
                    .filter(referrals::version.eq(version)),
            )
            .set((
                referrals::status.eq(new_status),
                referrals::status_reason.eq(reason),
                referrals::version.eq(version + 1),
            ))
            .execute(conn)?;
            if changed != 1 {
                return Err(StoreError::Conflict);
            }
            // A re-opened declined referral is decided afresh; the version check above
            // comes first, so a stale request removes nothing.
            if reopening_declined {
                diesel::delete(
                    referral_decisions::table.filter(referral_decisions::referral_id.eq(id)),
                )
                .execute(conn)?;
            }
            trail.record(
                AuditEvent::by(actor, AuditAction::Update, "referral", Some(id))
                    .because(format!("{new_status}: {reason}")),
            );
            Ok(())
        })
    }

    /// The accepted cases not yet allocated, with what prioritisation weighs.
    pub fn waiting_list(&self, actor: &Actor) -> Result<Vec<WaitingRow>, StoreError> {
        if !matches!(actor.role, Role::IntakeWorker | Role::Manager) {
            return Err(StoreError::NotFound);
        }
        self.read_audited(|conn, trail| {
            type Row = (CaseRecord, String, String, Option<String>, WaitingReferral);
            let rows: Vec<Row> = cases::table
                .inner_join(people::table)
                .inner_join(referrals::table)
                .filter(cases::provider_id.eq(actor.organisation_id))
                .filter(cases::status.eq(crate::casework::case_status::WAITING))
                .filter(crate::casework::not_restricted_for(actor.user_id))
                .select((
                    CaseRecord::as_select(),
                    people::given_name,
                    people::family_name,
                    people::local_authority,
                    WaitingReferral::as_select(),
                ))
                .load(conn)?;
            let contracts: Vec<ContractRecord> = contracts::table
                .filter(contracts::provider_id.eq(actor.organisation_id))
                .select(ContractRecord::as_select())
                .load(conn)?;
            trail.record(AuditEvent::by(
                actor,
                AuditAction::Read,
                "waiting_list",
                None,
            ));
            Ok(rows
                .into_iter()
                .map(|(case, given, family, area, referral)| {
                    let received_on = advocase_domain::clocks::uk_time(referral.received_at).date();
                    let urgent = is_urgent(
                        received_on,
                        referral.compulsion_date,
                        referral.safeguarding_risk,
                        [referral.meeting_date, referral.deadline_date]
                            .into_iter()
                            .flatten()
                            .min(),
                    );
                    let first_contact_days = contracts
                        .iter()
                        .filter(|c| c.covers(&case.duty, area.as_deref(), received_on))
                        .map(|c| c.first_contact_days(urgent))
                        .min();
                    WaitingRow {
                        first_contact_days,
                        person_name: format!("{given} {family}"),
                        detained: detained_by(&referral.eligibility_answers),
                        reference: referral.reference,
                        safeguarding_risk: referral.safeguarding_risk,
                        meeting_date: referral.meeting_date,
                        deadline_date: referral.deadline_date,
                        received_at: referral.received_at,
                        case,
                    }
                })
                .collect())
        })
    }
}

fn create_person(
    conn: &mut DbConnection,
    r: &ReferralRecord,
    at: NaiveDateTime,
) -> Result<i64, StoreError> {
    Ok(diesel::insert_into(people::table)
        .values((
            people::provider_id.eq(r.provider_id),
            people::given_name.eq(&r.given_name),
            people::family_name.eq(&r.family_name),
            people::date_of_birth.eq(r.date_of_birth),
            people::postcode.eq(&r.postcode),
            people::name_key.eq(name_key(&r.given_name, &r.family_name)),
            people::postcode_key.eq(postcode_key(r.postcode.as_deref())),
            people::phone.eq(&r.phone),
            people::email.eq(&r.email),
            people::address.eq(&r.address),
            people::local_authority.eq(&r.local_authority),
            people::placed_out_of_area.eq(r.placed_out_of_area),
            people::is_prisoner.eq(r.is_prisoner),
            people::language.eq(&r.language),
            people::needs_interpreter.eq(r.needs_interpreter),
            (
                people::uses_bsl.eq(r.uses_bsl),
                people::wants_easy_read.eq(r.wants_easy_read),
                people::preferred_contact.eq(&r.preferred_contact),
                people::created_at.eq(at),
            ),
        ))
        .returning(people::id)
        .get_result(conn)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_search_looks_up_family_names_and_both_orders_of_two_words() {
        assert!(name_search_prefixes("  ").is_empty());
        assert_eq!(
            name_search_prefixes("Love"),
            vec![("love".to_string(), None)]
        );
        assert_eq!(
            name_search_prefixes("Ada LOVE extra"),
            vec![
                ("love".to_string(), Some("ada".to_string())),
                ("ada".to_string(), Some("love".to_string()))
            ]
        );
    }

    #[test]
    fn the_upper_bound_is_after_every_key_with_the_prefix() {
        assert_eq!(name_search_upper_bound("smi").as_deref(), Some("smj"));
        assert_eq!(name_search_upper_bound("smz").as_deref(), Some("sn"));
        assert_eq!(name_search_upper_bound("love a").as_deref(), Some("love b"));
        assert_eq!(name_search_upper_bound("zz"), None);
        assert_eq!(name_search_upper_bound("zoë").as_deref(), Some("zp"));
        for (prefix, key) in [("smi", "smith jo"), ("smz", "smzz"), ("zoë", "zoëy")] {
            let upper = name_search_upper_bound(prefix).unwrap();
            assert!(key.starts_with(prefix) && key < upper.as_str());
        }
    }
}
