//! The workforce: staff profiles, qualifications and their evidence files, the
//! qualification rules allocation applies per duty, training, supervision and appraisal,
//! and equality answers.
//!
//! Who may see a member of staff is decided here, once, in [`visible_staff`]: a manager
//! sees every advocate and manager of their provider, an advocate only themselves, and
//! nobody else anyone. Supervision notes are narrower still: only the person supervised
//! and their supervisor read them ([`may_read_notes`]), so a manager who is neither sees
//! that a meeting happened but not what was said.

use crate::attachments::{check_document, keep_document, remove_documents};
use crate::audit::AuditEvent;
use crate::casework::{AdvocateSettingsRecord, case_status, list, visible_person};
use crate::connection::MultiBackend;
use crate::schema::{
    advocate_settings, allocation_rules, cases, equality_answers, people, qualification_evidence,
    qualifications, staff_profiles, supervisions, training_records, users,
};
use crate::sealing::Keyring;
use crate::{DbConnection, Store, StoreError, now, require_role};
use advocase_domain::audit::AuditAction;
use advocase_domain::identity::{Actor, Role};
use advocase_domain::validation::Invalid;
use advocase_domain::workforce::{
    AllocationRule, DEFAULT_GROUP_SUPERVISION_MONTHS, DEFAULT_SUPERVISION_MONTHS, Profile,
    Qualification, QualificationFact, QualificationStatus, RuleCheck, StaffFacts, Supervision,
    SupervisionKind, Training, TrainingKind, Unit, check_rule,
};
use advocase_i18n::msg;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::Bool;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = staff_profiles)]
pub struct StaffProfileRecord {
    pub user_id: i64,
    pub started_on: Option<NaiveDate>,
    pub employment: Option<String>,
    pub roles: String,
    pub availability: Option<String>,
    pub supervision_months: i32,
    pub supervisor_id: Option<i64>,
    pub version: i64,
    pub group_supervision_months: i32,
}

impl StaffProfileRecord {
    /// The row a checked profile is kept as, at `version`.
    pub fn of(user_id: i64, profile: &Profile, version: i64) -> Self {
        let roles: Vec<&str> = profile.roles.iter().map(|r| r.as_str()).collect();
        Self {
            user_id,
            started_on: profile.started_on,
            employment: profile.employment.map(|e| e.as_str().to_string()),
            roles: roles.join(","),
            availability: profile.availability.clone(),
            supervision_months: profile.supervision_months as i32,
            supervisor_id: profile.supervisor,
            version,
            group_supervision_months: profile.group_supervision_months as i32,
        }
    }

    /// The profile of someone nobody has filled in yet.
    pub fn unset(user_id: i64) -> Self {
        Self {
            user_id,
            started_on: None,
            employment: None,
            roles: String::new(),
            availability: None,
            supervision_months: DEFAULT_SUPERVISION_MONTHS as i32,
            supervisor_id: None,
            version: 0,
            group_supervision_months: DEFAULT_GROUP_SUPERVISION_MONTHS as i32,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = qualifications)]
pub struct QualificationRecord {
    pub id: i64,
    pub user_id: i64,
    pub unit: String,
    pub title: String,
    pub status: String,
    pub started_on: Option<NaiveDate>,
    pub achieved_on: Option<NaiveDate>,
    pub evidence: Option<String>,
    pub recorded_by: i64,
    pub recorded_at: NaiveDateTime,
    pub version: i64,
}

impl QualificationRecord {
    pub fn fact(&self) -> Option<QualificationFact> {
        Some(QualificationFact {
            unit: Unit::parse(&self.unit)?,
            status: QualificationStatus::parse(&self.status)?,
        })
    }
}

/// A file of evidence for a qualification, kept sealed like a case's documents.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = qualification_evidence)]
pub struct EvidenceRecord {
    pub id: i64,
    pub qualification_id: i64,
    /// Sealed as stored; opened in a [`StaffFile`].
    pub file_name: String,
    pub kind: String,
    pub size_bytes: i64,
    pub stored_as: String,
    pub uploaded_by: i64,
    pub uploaded_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = allocation_rules)]
pub struct AllocationRuleRecord {
    pub provider_id: i64,
    pub duty: String,
    pub units: String,
    pub minimum: String,
    pub grace_months: i32,
    pub set_by: i64,
    pub set_at: NaiveDateTime,
}

impl AllocationRuleRecord {
    pub fn rule(&self) -> AllocationRule {
        AllocationRule {
            units: list(&self.units)
                .iter()
                .filter_map(|u| Unit::parse(u))
                .collect(),
            minimum: QualificationStatus::parse(&self.minimum)
                .unwrap_or(QualificationStatus::Achieved),
            grace_months: self.grace_months.max(0) as u32,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = training_records)]
pub struct TrainingRecord {
    pub id: i64,
    pub user_id: i64,
    pub kind: String,
    pub title: Option<String>,
    pub completed_on: NaiveDate,
    pub renew_months: Option<i32>,
    pub recorded_by: i64,
    pub recorded_at: NaiveDateTime,
    pub version: i64,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = supervisions)]
pub struct SupervisionRecord {
    pub id: i64,
    pub user_id: i64,
    pub kind: String,
    pub held_on: NaiveDate,
    pub supervisor_id: Option<i64>,
    pub external_supervisor: Option<String>,
    pub notes: Option<String>,
    pub recorded_by: i64,
    pub recorded_at: NaiveDateTime,
    pub version: i64,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = equality_answers)]
pub struct EqualityAnswerRecord {
    pub id: i64,
    pub provider_id: i64,
    pub user_id: Option<i64>,
    pub person_id: Option<i64>,
    pub characteristic: String,
    pub answer: String,
    pub recorded_at: NaiveDateTime,
}

/// A supervision meeting as the actor may see it: the notes are `None` unless the actor
/// is the person supervised or their supervisor.
#[derive(Debug, Clone)]
pub struct SupervisionEntry {
    pub record: SupervisionRecord,
    pub may_read_notes: bool,
}

/// Everything the workforce pages show about one member of staff.
#[derive(Debug, Clone)]
pub struct StaffFile {
    pub user_id: i64,
    pub name: String,
    pub role: Role,
    pub profile: StaffProfileRecord,
    pub settings: AdvocateSettingsRecord,
    pub qualifications: Vec<QualificationRecord>,
    /// Files of evidence for those qualifications, their names opened.
    pub evidence: Vec<EvidenceRecord>,
    pub training: Vec<TrainingRecord>,
    pub supervisions: Vec<SupervisionEntry>,
    /// The names of colleagues named on the file (supervisors), by user id.
    pub staff_names: Vec<(i64, String)>,
    /// How many advocates the provider has now, which decides whether group
    /// supervision is owed.
    pub advocates_in_provider: usize,
}

impl StaffFile {
    pub fn qualification_facts(&self) -> Vec<QualificationFact> {
        self.qualifications
            .iter()
            .filter_map(|q| q.fact())
            .collect()
    }

    /// The facts that decide what is due for this member of staff.
    pub fn facts(&self) -> StaffFacts {
        let last = |kinds: &[SupervisionKind]| {
            self.supervisions
                .iter()
                .filter(|s| {
                    SupervisionKind::parse(&s.record.kind).is_some_and(|k| kinds.contains(&k))
                })
                .map(|s| s.record.held_on)
                .max()
        };
        StaffFacts {
            is_advocate: self.role == Role::Advocate,
            started_on: self.profile.started_on,
            qualifications: self.qualification_facts(),
            training: self
                .training
                .iter()
                .filter_map(|t| {
                    Some((
                        TrainingKind::parse(&t.kind)?,
                        t.completed_on,
                        t.renew_months.map(|m| m.max(0) as u32),
                    ))
                })
                .collect(),
            last_supervision: last(&[SupervisionKind::Individual]),
            supervision_months: self.profile.supervision_months.max(1) as u32,
            last_group_supervision: last(&[SupervisionKind::Group]),
            group_supervision_months: self.profile.group_supervision_months.max(1) as u32,
            advocates_in_provider: self.advocates_in_provider,
            last_appraisal: last(&[SupervisionKind::Appraisal]),
        }
    }

    pub fn staff_name(&self, id: i64) -> &str {
        self.staff_names
            .iter()
            .find(|(uid, _)| *uid == id)
            .map_or("", |(_, name)| name.as_str())
    }
}

/// A case allocated now whose duty's rule an advocate would no longer meet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelyingCase {
    pub case_id: i64,
    /// `None` when the person's record is restricted from the reader.
    pub person_name: Option<String>,
    pub duty: String,
}

/// A change to an advocate's qualifications, before it is made.
#[derive(Debug, Clone)]
pub enum QualificationChange {
    /// A new qualification, or a change to the one with this id.
    Save {
        id: Option<i64>,
        qualification: Qualification,
    },
    Remove {
        id: i64,
    },
}

/// How many people answered each (characteristic, answer), for staff and for people
/// served.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EqualityCounts {
    pub staff: Vec<(String, String, u64)>,
    pub people: Vec<(String, String, u64)>,
}

/// The staff `actor` may see: this is the one place the rule is written.
pub(crate) fn visible_staff(actor: &Actor) -> users::BoxedQuery<'static, MultiBackend> {
    let query = users::table
        .filter(users::organisation_id.eq(actor.organisation_id))
        .filter(users::disabled_at.is_null())
        .filter(users::role.eq_any([Role::Advocate.as_str(), Role::Manager.as_str()]))
        .into_boxed();
    match actor.role {
        Role::Manager => query,
        Role::Advocate => query.filter(users::id.eq(actor.user_id)),
        _ => query.filter(false.into_sql::<Bool>()),
    }
}

/// Whether `actor` reads the notes of a supervision: only the person supervised and
/// their supervisor do.
pub fn may_read_notes(actor: &Actor, record: &SupervisionRecord) -> bool {
    record.user_id == actor.user_id || record.supervisor_id == Some(actor.user_id)
}

/// Who records training: a manager for any of their staff, anyone for themselves.
/// Whether the member of staff is one the actor may see is checked by `staff_member`.
fn may_record_training(actor: &Actor, user_id: i64) -> Result<(), StoreError> {
    if actor.role == Role::Manager || user_id == actor.user_id {
        Ok(())
    } else {
        Err(StoreError::NotFound)
    }
}

/// Refuses a meeting that names the person supervised as their own supervisor.
fn not_own_supervisor(user_id: i64, supervision: &Supervision) -> Result<(), StoreError> {
    if supervision.supervisor == Some(user_id) {
        return Err(Invalid::one("supervisor", msg::SUPERVISOR_NOT_THEMSELVES).into());
    }
    Ok(())
}

/// Whether `qualification_id` is a qualification of `user_id`, a member of staff the
/// actor may see: the rule for evidence files, so that only the holder and the managers
/// of their provider add or open them. Anything else is `NotFound`.
fn visible_qualification(
    conn: &mut DbConnection,
    actor: &Actor,
    user_id: i64,
    qualification_id: i64,
) -> Result<(), StoreError> {
    staff_member(conn, actor, user_id)?;
    let held: i64 = qualifications::table
        .filter(qualifications::id.eq(qualification_id))
        .filter(qualifications::user_id.eq(user_id))
        .count()
        .get_result(conn)?;
    if held == 1 {
        Ok(())
    } else {
        Err(StoreError::NotFound)
    }
}

/// The id and name of a member of staff the actor may see, or `NotFound`.
fn staff_member(
    conn: &mut DbConnection,
    actor: &Actor,
    user_id: i64,
) -> Result<(i64, String, String), StoreError> {
    visible_staff(actor)
        .filter(users::id.eq(user_id))
        .select((users::id, users::display_name, users::role))
        .first(conn)
        .optional()?
        .ok_or(StoreError::NotFound)
}

fn load_staff_files(
    conn: &mut DbConnection,
    keys: &Keyring,
    actor: &Actor,
    only: Option<i64>,
) -> Result<Vec<StaffFile>, StoreError> {
    let mut query = visible_staff(actor).order(users::display_name.asc());
    if let Some(id) = only {
        query = query.filter(users::id.eq(id));
    }
    let people: Vec<(i64, String, String)> = query
        .select((users::id, users::display_name, users::role))
        .load(conn)?;
    let ids: Vec<i64> = people.iter().map(|p| p.0).collect();
    let profiles: Vec<StaffProfileRecord> = staff_profiles::table
        .filter(staff_profiles::user_id.eq_any(&ids))
        .select(StaffProfileRecord::as_select())
        .load(conn)?;
    let settings: Vec<AdvocateSettingsRecord> = advocate_settings::table
        .filter(advocate_settings::user_id.eq_any(&ids))
        .select(AdvocateSettingsRecord::as_select())
        .load(conn)?;
    let held: Vec<QualificationRecord> = qualifications::table
        .filter(qualifications::user_id.eq_any(&ids))
        .order((qualifications::unit.asc(), qualifications::title.asc()))
        .select(QualificationRecord::as_select())
        .load(conn)?;
    let held_ids: Vec<i64> = held.iter().map(|q| q.id).collect();
    let evidence: Vec<EvidenceRecord> = qualification_evidence::table
        .filter(qualification_evidence::qualification_id.eq_any(&held_ids))
        .order((
            qualification_evidence::uploaded_at.asc(),
            qualification_evidence::id.asc(),
        ))
        .select(EvidenceRecord::as_select())
        .load(conn)?;
    let training: Vec<TrainingRecord> = training_records::table
        .filter(training_records::user_id.eq_any(&ids))
        .order((
            training_records::completed_on.desc(),
            training_records::id.desc(),
        ))
        .select(TrainingRecord::as_select())
        .load(conn)?;
    let meetings: Vec<SupervisionRecord> = supervisions::table
        .filter(supervisions::user_id.eq_any(&ids))
        .order((supervisions::held_on.desc(), supervisions::id.desc()))
        .select(SupervisionRecord::as_select())
        .load(conn)?;
    let mut named: Vec<i64> = profiles
        .iter()
        .filter_map(|p| p.supervisor_id)
        .chain(meetings.iter().filter_map(|m| m.supervisor_id))
        .collect();
    named.sort_unstable();
    named.dedup();
    let staff_names: Vec<(i64, String)> = users::table
        .filter(users::id.eq_any(named))
        .filter(users::organisation_id.eq(actor.organisation_id))
        .select((users::id, users::display_name))
        .load(conn)?;
    // Counted over the whole provider, not over what the actor sees: an advocate sees
    // only themselves, yet owes group supervision when they have colleagues.
    let advocates_in_provider: i64 = users::table
        .filter(users::organisation_id.eq(actor.organisation_id))
        .filter(users::role.eq(Role::Advocate.as_str()))
        .filter(users::disabled_at.is_null())
        .count()
        .get_result(conn)?;
    Ok(people
        .into_iter()
        .map(|(user_id, name, role)| StaffFile {
            role: Role::parse(&role).unwrap_or(Role::Advocate),
            profile: profiles
                .iter()
                .find(|p| p.user_id == user_id)
                .cloned()
                .unwrap_or_else(|| StaffProfileRecord::unset(user_id)),
            settings: settings
                .iter()
                .find(|s| s.user_id == user_id)
                .cloned()
                .unwrap_or_else(|| AdvocateSettingsRecord::unset(user_id)),
            qualifications: held
                .iter()
                .filter(|q| q.user_id == user_id)
                .cloned()
                .collect(),
            evidence: evidence
                .iter()
                .filter(|e| {
                    held.iter()
                        .any(|q| q.id == e.qualification_id && q.user_id == user_id)
                })
                .map(|e| EvidenceRecord {
                    file_name: keys.reveal("qualification_evidence.file_name", &e.file_name),
                    ..e.clone()
                })
                .collect(),
            training: training
                .iter()
                .filter(|t| t.user_id == user_id)
                .cloned()
                .collect(),
            supervisions: meetings
                .iter()
                .filter(|m| m.user_id == user_id)
                .map(|m| {
                    let may_read = may_read_notes(actor, m);
                    let mut record = m.clone();
                    record.notes = if may_read {
                        record
                            .notes
                            .as_deref()
                            .map(|n| keys.reveal("supervisions.notes", n))
                    } else {
                        None
                    };
                    SupervisionEntry {
                        record,
                        may_read_notes: may_read,
                    }
                })
                .collect(),
            staff_names: staff_names.clone(),
            advocates_in_provider: advocates_in_provider.max(0) as usize,
            user_id,
            name,
        })
        .collect())
}

/// The provider's rule for a duty, if it set one.
pub(crate) fn rule_for(
    conn: &mut DbConnection,
    provider_id: i64,
    duty: &str,
) -> Result<Option<AllocationRule>, StoreError> {
    Ok(allocation_rules::table
        .filter(allocation_rules::provider_id.eq(provider_id))
        .filter(allocation_rules::duty.eq(duty))
        .select(AllocationRuleRecord::as_select())
        .first(conn)
        .optional()?
        .map(|r| r.rule()))
}

/// An advocate's qualifications and start date, as the ranking weighs them.
pub(crate) type HeldQualifications = (i64, Vec<QualificationFact>, Option<NaiveDate>);

/// The qualifications and start dates of some advocates, in the order of `user_ids`.
pub(crate) fn qualification_facts(
    conn: &mut DbConnection,
    user_ids: &[i64],
) -> Result<Vec<HeldQualifications>, StoreError> {
    let held: Vec<QualificationRecord> = qualifications::table
        .filter(qualifications::user_id.eq_any(user_ids))
        .select(QualificationRecord::as_select())
        .load(conn)?;
    let started: Vec<(i64, Option<NaiveDate>)> = staff_profiles::table
        .filter(staff_profiles::user_id.eq_any(user_ids))
        .select((staff_profiles::user_id, staff_profiles::started_on))
        .load(conn)?;
    Ok(user_ids
        .iter()
        .map(|id| {
            (
                *id,
                held.iter()
                    .filter(|q| q.user_id == *id)
                    .filter_map(|q| q.fact())
                    .collect(),
                started
                    .iter()
                    .find(|(uid, _)| uid == id)
                    .and_then(|(_, s)| *s),
            )
        })
        .collect())
}

/// The cases allocated to an advocate now whose duty's rule they meet with their
/// qualifications as they are, but would not after `change`.
fn relying_cases_in(
    conn: &mut DbConnection,
    actor: &Actor,
    user_id: i64,
    change: &QualificationChange,
    today: NaiveDate,
) -> Result<Vec<RelyingCase>, StoreError> {
    let facts = qualification_facts(conn, &[user_id])?;
    let (_, before, started_on) = facts.into_iter().next().unwrap_or((user_id, vec![], None));
    let held: Vec<QualificationRecord> = qualifications::table
        .filter(qualifications::user_id.eq(user_id))
        .select(QualificationRecord::as_select())
        .load(conn)?;
    let (replaced, added) = match change {
        QualificationChange::Save { id, qualification } => (
            *id,
            Some(QualificationFact {
                unit: qualification.unit,
                status: qualification.status,
            }),
        ),
        QualificationChange::Remove { id } => (Some(*id), None),
    };
    let after: Vec<QualificationFact> = held
        .iter()
        .filter(|q| Some(q.id) != replaced)
        .filter_map(|q| q.fact())
        .chain(added)
        .collect();
    let allocated: Vec<(i64, i64, String)> = cases::table
        .filter(cases::provider_id.eq(actor.organisation_id))
        .filter(cases::advocate_id.eq(user_id))
        .filter(cases::status.eq(case_status::ALLOCATED))
        .order(cases::id.asc())
        .select((cases::id, cases::person_id, cases::duty))
        .load(conn)?;
    let mut relying = Vec::new();
    for (case_id, person_id, duty) in allocated {
        let Some(rule) = rule_for(conn, actor.organisation_id, &duty)? else {
            continue;
        };
        let met = |held: &[QualificationFact]| {
            !matches!(
                check_rule(&rule, held, started_on, today),
                RuleCheck::NotMet { .. }
            )
        };
        if met(&before) && !met(&after) {
            // A manager kept out of a restricted record learns only that a case relies
            // on the qualification, not whose it is.
            let name: Option<(String, String)> = people::table
                .find(person_id)
                .filter(crate::casework::not_restricted_for(actor.user_id))
                .select((people::given_name, people::family_name))
                .first(conn)
                .optional()?;
            relying.push(RelyingCase {
                case_id,
                person_name: name.map(|(given, family)| format!("{given} {family}")),
                duty,
            });
        }
    }
    Ok(relying)
}

/// Refuses a change that leaves current allocations short of their rule unless the
/// manager confirmed it, naming the cases.
fn check_reliance(
    conn: &mut DbConnection,
    actor: &Actor,
    user_id: i64,
    change: &QualificationChange,
    today: NaiveDate,
    confirmed: bool,
) -> Result<Vec<RelyingCase>, StoreError> {
    let relying = relying_cases_in(conn, actor, user_id, change, today)?;
    if !relying.is_empty() && !confirmed {
        let cases: Vec<String> = relying.iter().map(|r| format!("{}", r.case_id)).collect();
        return Err(Invalid::one(
            "confirm",
            msg::QUALIFICATION_RELIED_ON.with("cases", cases.join(", case ")),
        )
        .into());
    }
    Ok(relying)
}

impl Store {
    /// One member of staff's workforce file, audited as a read (or a denied access).
    pub fn staff_file(&self, actor: &Actor, user_id: i64) -> Result<StaffFile, StoreError> {
        let keys = self.keys()?;
        self.read_scoped(actor, "staff_profile", user_id, |conn| {
            Ok(load_staff_files(conn, keys, actor, Some(user_id))?
                .into_iter()
                .next())
        })
    }

    /// Every member of staff a manager may see, with their files: the compliance page.
    pub fn workforce(&self, actor: &Actor) -> Result<Vec<StaffFile>, StoreError> {
        require_role(actor, &[Role::Manager])?;
        let keys = self.keys()?;
        self.write(|conn, trail| {
            let files = load_staff_files(conn, keys, actor, None)?;
            trail.record(
                AuditEvent::by(actor, AuditAction::Read, "workforce", None)
                    .because(format!("{} staff", files.len())),
            );
            Ok(files)
        })
    }

    /// The managers of the actor's provider, who may be chosen as supervisors.
    pub fn supervisors(&self, actor: &Actor) -> Result<Vec<(i64, String)>, StoreError> {
        require_role(actor, &[Role::Manager])?;
        self.read(|conn| {
            Ok(users::table
                .filter(users::organisation_id.eq(actor.organisation_id))
                .filter(users::role.eq(Role::Manager.as_str()))
                .filter(users::disabled_at.is_null())
                .order(users::display_name.asc())
                .select((users::id, users::display_name))
                .load(conn)?)
        })
    }

    /// Sets a member of staff's working profile. `version` is the version the manager
    /// saw (0 for a profile never filled in).
    pub fn set_profile(
        &self,
        actor: &Actor,
        user_id: i64,
        profile: &Profile,
        version: i64,
    ) -> Result<(), StoreError> {
        require_role(actor, &[Role::Manager])?;
        self.write(|conn, trail| {
            staff_member(conn, actor, user_id)?;
            if let Some(supervisor) = profile.supervisor {
                let manager: i64 = users::table
                    .filter(users::id.eq(supervisor))
                    .filter(users::organisation_id.eq(actor.organisation_id))
                    .filter(users::role.eq(Role::Manager.as_str()))
                    .count()
                    .get_result(conn)?;
                if manager != 1 || supervisor == user_id {
                    return Err(
                        Invalid::one("supervisor", msg::SUPERVISOR_NOT_THEMSELVES_INVALID).into(),
                    );
                }
            }
            let record = StaffProfileRecord::of(user_id, profile, version + 1);
            write_profile(conn, &record, version)?;
            trail.record(AuditEvent::by(
                actor,
                AuditAction::Update,
                "staff_profile",
                Some(user_id),
            ));
            Ok(())
        })
    }

    /// Sets the actor's own availability, the part of the profile staff keep up to
    /// date themselves.
    pub fn set_own_availability(
        &self,
        actor: &Actor,
        availability: Option<&str>,
        version: i64,
    ) -> Result<(), StoreError> {
        self.write(|conn, trail| {
            staff_member(conn, actor, actor.user_id)?;
            let current: StaffProfileRecord = staff_profiles::table
                .find(actor.user_id)
                .select(StaffProfileRecord::as_select())
                .first(conn)
                .optional()?
                .unwrap_or_else(|| StaffProfileRecord::unset(actor.user_id));
            let record = StaffProfileRecord {
                availability: availability.map(str::to_string),
                version: version + 1,
                ..current
            };
            write_profile(conn, &record, version)?;
            trail.record(
                AuditEvent::by(
                    actor,
                    AuditAction::Update,
                    "staff_profile",
                    Some(actor.user_id),
                )
                .because("availability"),
            );
            Ok(())
        })
    }

    /// The cases that rely on a qualification as it is, for the confirmation page.
    pub fn relying_cases(
        &self,
        actor: &Actor,
        user_id: i64,
        change: &QualificationChange,
        today: NaiveDate,
    ) -> Result<Vec<RelyingCase>, StoreError> {
        require_role(actor, &[Role::Manager])?;
        self.write(|conn, trail| {
            staff_member(conn, actor, user_id)?;
            let relying = relying_cases_in(conn, actor, user_id, change, today)?;
            trail.record(
                AuditEvent::by(actor, AuditAction::Read, "caseload", Some(user_id)).because(
                    format!("{} cases relying on a qualification", relying.len()),
                ),
            );
            Ok(relying)
        })
    }

    /// Records a qualification, or changes one (`id` and the `version` the manager saw).
    /// A change that would leave a current allocation short of its duty's rule is
    /// refused unless `confirmed`, and then noted in the audit trail with the cases.
    pub fn save_qualification(
        &self,
        actor: &Actor,
        user_id: i64,
        existing: Option<(i64, i64)>,
        qualification: &Qualification,
        confirmed: bool,
        today: NaiveDate,
    ) -> Result<i64, StoreError> {
        require_role(actor, &[Role::Manager])?;
        self.write(|conn, trail| {
            staff_member(conn, actor, user_id)?;
            let change = QualificationChange::Save {
                id: existing.map(|(id, _)| id),
                qualification: qualification.clone(),
            };
            let relying = check_reliance(conn, actor, user_id, &change, today, confirmed)?;
            let id = match existing {
                None => {
                    let inserted = diesel::insert_into(qualifications::table)
                        .values((
                            qualifications::user_id.eq(user_id),
                            qualifications::unit.eq(qualification.unit.as_str()),
                            qualifications::title.eq(&qualification.title),
                            qualifications::status.eq(qualification.status.as_str()),
                            qualifications::started_on.eq(qualification.started_on),
                            qualifications::achieved_on.eq(qualification.achieved_on),
                            qualifications::evidence.eq(&qualification.evidence),
                            qualifications::recorded_by.eq(actor.user_id),
                            qualifications::recorded_at.eq(now()),
                        ))
                        .returning(qualifications::id)
                        .get_result::<i64>(conn)
                        .map_err(StoreError::from);
                    match inserted {
                        Err(e) if e.is_unique_violation() => {
                            return Err(
                                Invalid::one("unit", msg::QUALIFICATION_ALREADY_RECORDED).into()
                            );
                        }
                        other => other?,
                    }
                }
                Some((id, version)) => {
                    let changed = diesel::update(
                        qualifications::table
                            .filter(qualifications::id.eq(id))
                            .filter(qualifications::user_id.eq(user_id))
                            .filter(qualifications::version.eq(version)),
                    )
                    .set((
                        qualifications::status.eq(qualification.status.as_str()),
                        qualifications::started_on.eq(qualification.started_on),
                        qualifications::achieved_on.eq(qualification.achieved_on),
                        qualifications::evidence.eq(&qualification.evidence),
                        qualifications::recorded_by.eq(actor.user_id),
                        qualifications::recorded_at.eq(now()),
                        qualifications::version.eq(version + 1),
                    ))
                    .execute(conn)?;
                    if changed != 1 {
                        return Err(StoreError::Conflict);
                    }
                    id
                }
            };
            let mut why = format!(
                "unit {} {}",
                qualification.unit.as_str(),
                qualification.status.as_str()
            );
            if !relying.is_empty() {
                let ids: Vec<i64> = relying.iter().map(|r| r.case_id).collect();
                why.push_str(&format!("; confirmed although cases {ids:?} rely on it"));
            }
            let event =
                AuditEvent::by(actor, AuditAction::Update, "qualification", Some(id)).because(why);
            trail.record(event);
            Ok(id)
        })
    }

    /// Removes a qualification recorded in error, with the same confirmation as a
    /// downgrade when current allocations rely on it.
    pub fn remove_qualification(
        &self,
        actor: &Actor,
        user_id: i64,
        id: i64,
        confirmed: bool,
        today: NaiveDate,
    ) -> Result<(), StoreError> {
        require_role(actor, &[Role::Manager])?;
        self.write(|conn, trail| {
            staff_member(conn, actor, user_id)?;
            let change = QualificationChange::Remove { id };
            let relying = check_reliance(conn, actor, user_id, &change, today, confirmed)?;
            // Its evidence goes with it, rows and sealed documents. Evidence of a
            // qualification of someone else is never read here, as the removal below
            // then finds nothing and undoes this.
            let files: Vec<String> = qualification_evidence::table
                .filter(qualification_evidence::qualification_id.eq(id))
                .select(qualification_evidence::stored_as)
                .load(conn)?;
            diesel::delete(
                qualification_evidence::table
                    .filter(qualification_evidence::qualification_id.eq(id)),
            )
            .execute(conn)?;
            remove_documents(conn, &files)?;
            let removed = diesel::delete(
                qualifications::table
                    .filter(qualifications::id.eq(id))
                    .filter(qualifications::user_id.eq(user_id)),
            )
            .execute(conn)?;
            if removed != 1 {
                return Err(StoreError::NotFound);
            }
            trail.record(
                AuditEvent::by(actor, AuditAction::Update, "qualification", Some(id)).because(
                    format!(
                        "removed with {} evidence files; cases relying on it: {:?}",
                        files.len(),
                        relying.iter().map(|r| r.case_id).collect::<Vec<_>>()
                    ),
                ),
            );
            Ok(())
        })
    }

    /// Adds a file of evidence (a certificate, an assessor's record) to a qualification:
    /// a manager to any of their staff's, a member of staff to their own. The file is
    /// checked and sealed as a case's documents are.
    pub fn add_qualification_evidence(
        &self,
        actor: &Actor,
        user_id: i64,
        qualification_id: i64,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<i64, StoreError> {
        // Refuse before checking or writing anything for a record the actor may not see.
        self.read(|conn| visible_qualification(conn, actor, user_id, qualification_id))?;
        let kind = check_document(file_name, bytes)?;
        let keys = self.keys()?;
        self.write(|conn, trail| {
            visible_qualification(conn, actor, user_id, qualification_id)?;
            let stored_as = keep_document(conn, keys, bytes)?;
            let id: i64 = diesel::insert_into(qualification_evidence::table)
                .values((
                    qualification_evidence::qualification_id.eq(qualification_id),
                    qualification_evidence::file_name
                        .eq(keys.seal("qualification_evidence.file_name", file_name.trim())),
                    qualification_evidence::kind.eq(kind),
                    qualification_evidence::size_bytes.eq(bytes.len() as i64),
                    qualification_evidence::stored_as.eq(&stored_as),
                    qualification_evidence::uploaded_by.eq(actor.user_id),
                    qualification_evidence::uploaded_at.eq(now()),
                ))
                .returning(qualification_evidence::id)
                .get_result(conn)?;
            trail.record(
                AuditEvent::by(
                    actor,
                    AuditAction::Create,
                    "qualification_evidence",
                    Some(id),
                )
                .because(format!("qualification {qualification_id}")),
            );
            Ok(id)
        })
    }

    /// One file of evidence, opened: its name, kind and bytes, for the holder of the
    /// qualification and the managers of their provider only; anyone else is answered
    /// as for a file that does not exist. Audited as a read (or a denied access).
    pub fn qualification_evidence(
        &self,
        actor: &Actor,
        evidence_id: i64,
    ) -> Result<(String, String, Vec<u8>), StoreError> {
        let keys = self.keys()?;
        let record = self.read_scoped(actor, "qualification_evidence", evidence_id, |conn| {
            let Some((record, holder)) = qualification_evidence::table
                .inner_join(
                    qualifications::table
                        .on(qualifications::id.eq(qualification_evidence::qualification_id)),
                )
                .filter(qualification_evidence::id.eq(evidence_id))
                .select((EvidenceRecord::as_select(), qualifications::user_id))
                .first::<(EvidenceRecord, i64)>(conn)
                .optional()?
            else {
                return Ok(None);
            };
            match staff_member(conn, actor, holder) {
                Ok(_) => Ok(Some(record)),
                Err(StoreError::NotFound) => Ok(None),
                Err(other) => Err(other),
            }
        })?;
        let bytes = self.document_bytes(&record.stored_as)?;
        Ok((
            keys.reveal("qualification_evidence.file_name", &record.file_name),
            record.kind,
            bytes,
        ))
    }

    /// Removes one file of evidence from a qualification of `user_id` (added by mistake,
    /// or replaced by a better copy): the holder or their provider's managers, as for
    /// adding one; anyone else is answered as for a file that does not exist. Its sealed
    /// bytes go in the same transaction as its row.
    pub fn remove_qualification_evidence(
        &self,
        actor: &Actor,
        user_id: i64,
        evidence_id: i64,
    ) -> Result<(), StoreError> {
        self.write(|conn, trail| {
            staff_member(conn, actor, user_id)?;
            let (qualification_id, stored_as): (i64, String) = qualification_evidence::table
                .inner_join(
                    qualifications::table
                        .on(qualifications::id.eq(qualification_evidence::qualification_id)),
                )
                .filter(qualification_evidence::id.eq(evidence_id))
                .filter(qualifications::user_id.eq(user_id))
                .select((
                    qualification_evidence::qualification_id,
                    qualification_evidence::stored_as,
                ))
                .first(conn)
                .optional()?
                .ok_or(StoreError::NotFound)?;
            diesel::delete(qualification_evidence::table.find(evidence_id)).execute(conn)?;
            remove_documents(conn, &[stored_as])?;
            trail.record(
                AuditEvent::by(
                    actor,
                    AuditAction::Update,
                    "qualification_evidence",
                    Some(evidence_id),
                )
                .because(format!("removed from qualification {qualification_id}")),
            );
            Ok(())
        })
    }

    /// The provider's qualification rules, by duty. Settings, not personal data.
    pub fn allocation_rules(
        &self,
        actor: &Actor,
    ) -> Result<Vec<(String, AllocationRule)>, StoreError> {
        require_role(actor, &[Role::Manager])?;
        self.read(|conn| {
            let rows: Vec<AllocationRuleRecord> = allocation_rules::table
                .filter(allocation_rules::provider_id.eq(actor.organisation_id))
                .order(allocation_rules::duty.asc())
                .select(AllocationRuleRecord::as_select())
                .load(conn)?;
            Ok(rows
                .into_iter()
                .map(|r| (r.duty.clone(), r.rule()))
                .collect())
        })
    }

    /// Sets (or, with `None`, removes) the provider's qualification rule for a duty.
    pub fn set_allocation_rule(
        &self,
        actor: &Actor,
        duty: &str,
        rule: Option<&AllocationRule>,
    ) -> Result<(), StoreError> {
        require_role(actor, &[Role::Manager])?;
        self.write(|conn, trail| {
            diesel::delete(
                allocation_rules::table
                    .filter(allocation_rules::provider_id.eq(actor.organisation_id))
                    .filter(allocation_rules::duty.eq(duty)),
            )
            .execute(conn)?;
            let mut event = AuditEvent::by(actor, AuditAction::Update, "allocation_rule", None);
            if let Some(rule) = rule {
                let units: Vec<&str> = rule.units.iter().map(|u| u.as_str()).collect();
                diesel::insert_into(allocation_rules::table)
                    .values(AllocationRuleRecord {
                        provider_id: actor.organisation_id,
                        duty: duty.to_string(),
                        units: units.join(","),
                        minimum: rule.minimum.as_str().to_string(),
                        grace_months: rule.grace_months as i32,
                        set_by: actor.user_id,
                        set_at: now(),
                    })
                    .execute(conn)?;
                event = event.because(format!(
                    "{duty}: {} {}, {} months' grace",
                    units.join(" "),
                    rule.minimum.as_str(),
                    rule.grace_months
                ));
            } else {
                event = event.because(format!("{duty}: no rule"));
            }
            trail.record(event);
            Ok(())
        })
    }

    /// Records training attended: a manager for any of their staff, anyone for
    /// themselves.
    pub fn add_training(
        &self,
        actor: &Actor,
        user_id: i64,
        training: &Training,
    ) -> Result<i64, StoreError> {
        may_record_training(actor, user_id)?;
        self.write(|conn, trail| {
            staff_member(conn, actor, user_id)?;
            let id: i64 = diesel::insert_into(training_records::table)
                .values((
                    training_records::user_id.eq(user_id),
                    training_records::kind.eq(training.kind.as_str()),
                    training_records::title.eq(&training.title),
                    training_records::completed_on.eq(training.completed_on),
                    training_records::renew_months.eq(training.renew_months.map(|m| m as i32)),
                    training_records::recorded_by.eq(actor.user_id),
                    training_records::recorded_at.eq(now()),
                ))
                .returning(training_records::id)
                .get_result(conn)?;
            trail.record(
                AuditEvent::by(actor, AuditAction::Create, "training", Some(id))
                    .because(training.kind.as_str()),
            );
            Ok(id)
        })
    }

    /// Records a supervision meeting or appraisal, sealing its notes. Managers record
    /// them, their own included (external supervision).
    pub fn add_supervision(
        &self,
        actor: &Actor,
        user_id: i64,
        supervision: &Supervision,
    ) -> Result<i64, StoreError> {
        require_role(actor, &[Role::Manager])?;
        let keys = self.keys()?;
        self.write(|conn, trail| {
            staff_member(conn, actor, user_id)?;
            not_own_supervisor(user_id, supervision)?;
            let id: i64 = diesel::insert_into(supervisions::table)
                .values((
                    supervisions::user_id.eq(user_id),
                    supervisions::kind.eq(supervision.kind.as_str()),
                    supervisions::held_on.eq(supervision.held_on),
                    supervisions::supervisor_id.eq(supervision.supervisor),
                    supervisions::external_supervisor.eq(&supervision.external_supervisor),
                    supervisions::notes.eq(supervision
                        .notes
                        .as_deref()
                        .map(|n| keys.seal("supervisions.notes", n))),
                    supervisions::recorded_by.eq(actor.user_id),
                    supervisions::recorded_at.eq(now()),
                ))
                .returning(supervisions::id)
                .get_result(conn)?;
            trail.record(
                AuditEvent::by(actor, AuditAction::Create, "supervision", Some(id))
                    .because(supervision.kind.as_str()),
            );
            Ok(id)
        })
    }

    /// Corrects a training record, with the same permission as recording one. `version`
    /// is the version the form showed; a record changed since is refused as `Conflict`.
    pub fn correct_training(
        &self,
        actor: &Actor,
        user_id: i64,
        id: i64,
        version: i64,
        training: &Training,
    ) -> Result<(), StoreError> {
        may_record_training(actor, user_id)?;
        self.write(|conn, trail| {
            staff_member(conn, actor, user_id)?;
            let record = training_records::table
                .filter(training_records::id.eq(id))
                .filter(training_records::user_id.eq(user_id));
            let changed = diesel::update(record.filter(training_records::version.eq(version)))
                .set((
                    training_records::kind.eq(training.kind.as_str()),
                    training_records::title.eq(&training.title),
                    training_records::completed_on.eq(training.completed_on),
                    training_records::renew_months.eq(training.renew_months.map(|m| m as i32)),
                    training_records::recorded_by.eq(actor.user_id),
                    training_records::recorded_at.eq(now()),
                    training_records::version.eq(version + 1),
                ))
                .execute(conn)?;
            if changed != 1 {
                // The record is there but someone else changed it first, or it is not.
                let there: i64 = record.count().get_result(conn)?;
                return Err(if there > 0 {
                    StoreError::Conflict
                } else {
                    StoreError::NotFound
                });
            }
            trail.record(
                AuditEvent::by(actor, AuditAction::Update, "training", Some(id))
                    .because(training.kind.as_str()),
            );
            Ok(())
        })
    }

    /// Corrects a supervision meeting or appraisal; managers only, as for recording one.
    /// The notes are confidential to the person supervised and their supervisor, so a
    /// manager who is neither leaves them as they are, and cannot change who supervised
    /// a meeting with notes, which would let someone new read them.
    pub fn correct_supervision(
        &self,
        actor: &Actor,
        user_id: i64,
        id: i64,
        version: i64,
        supervision: &Supervision,
    ) -> Result<(), StoreError> {
        require_role(actor, &[Role::Manager])?;
        let keys = self.keys()?;
        self.write(|conn, trail| {
            staff_member(conn, actor, user_id)?;
            not_own_supervisor(user_id, supervision)?;
            let current: SupervisionRecord = supervisions::table
                .filter(supervisions::id.eq(id))
                .filter(supervisions::user_id.eq(user_id))
                .select(SupervisionRecord::as_select())
                .first(conn)
                .optional()?
                .ok_or(StoreError::NotFound)?;
            if current.version != version {
                return Err(StoreError::Conflict);
            }
            let notes = if may_read_notes(actor, &current) {
                supervision
                    .notes
                    .as_deref()
                    .map(|n| keys.seal("supervisions.notes", n))
            } else {
                if current.notes.is_some() && supervision.supervisor != current.supervisor_id {
                    return Err(Invalid::one(
                        "supervisor",
                        msg::SUPERVISION_SUPERVISOR_NOTES_CONFIDENTIAL,
                    )
                    .into());
                }
                current.notes
            };
            let changed = diesel::update(
                supervisions::table
                    .filter(supervisions::id.eq(id))
                    .filter(supervisions::version.eq(version)),
            )
            .set((
                supervisions::kind.eq(supervision.kind.as_str()),
                supervisions::held_on.eq(supervision.held_on),
                supervisions::supervisor_id.eq(supervision.supervisor),
                supervisions::external_supervisor.eq(&supervision.external_supervisor),
                supervisions::notes.eq(notes),
                supervisions::recorded_by.eq(actor.user_id),
                supervisions::recorded_at.eq(now()),
                supervisions::version.eq(version + 1),
            ))
            .execute(conn)?;
            if changed != 1 {
                return Err(StoreError::Conflict);
            }
            trail.record(
                AuditEvent::by(actor, AuditAction::Update, "supervision", Some(id))
                    .because(supervision.kind.as_str()),
            );
            Ok(())
        })
    }

    /// The actor's own equality answers, as (characteristic, answer).
    pub fn own_equality(&self, actor: &Actor) -> Result<Vec<(String, String)>, StoreError> {
        self.read_scoped(actor, "equality_answers", actor.user_id, |conn| {
            staff_member(conn, actor, actor.user_id)?;
            Ok(Some(
                equality_answers::table
                    .filter(equality_answers::user_id.eq(actor.user_id))
                    .select((equality_answers::characteristic, equality_answers::answer))
                    .load(conn)?,
            ))
        })
    }

    /// Replaces the actor's own equality answers. Only they give them; nobody else
    /// sees them one by one.
    pub fn set_own_equality(
        &self,
        actor: &Actor,
        answers: &[(&str, String)],
    ) -> Result<(), StoreError> {
        self.write(|conn, trail| {
            staff_member(conn, actor, actor.user_id)?;
            diesel::delete(
                equality_answers::table.filter(equality_answers::user_id.eq(actor.user_id)),
            )
            .execute(conn)?;
            insert_answers(
                conn,
                actor.organisation_id,
                Some(actor.user_id),
                None,
                answers,
            )?;
            trail.record(AuditEvent::by(
                actor,
                AuditAction::Update,
                "equality_answers",
                Some(actor.user_id),
            ));
            Ok(())
        })
    }

    /// The equality answers recorded about a person the actor may see.
    pub fn person_equality(
        &self,
        actor: &Actor,
        person_id: i64,
    ) -> Result<Vec<(String, String)>, StoreError> {
        self.read_scoped(actor, "person_equality", person_id, |conn| {
            if visible_person(conn, actor, person_id)?.is_none() {
                return Ok(None);
            }
            Ok(Some(
                equality_answers::table
                    .filter(equality_answers::person_id.eq(person_id))
                    .select((equality_answers::characteristic, equality_answers::answer))
                    .load(conn)?,
            ))
        })
    }

    /// Replaces the equality answers recorded about a person the actor may see.
    pub fn set_person_equality(
        &self,
        actor: &Actor,
        person_id: i64,
        answers: &[(&str, String)],
    ) -> Result<(), StoreError> {
        self.write(|conn, trail| {
            visible_person(conn, actor, person_id)?.ok_or(StoreError::NotFound)?;
            diesel::delete(
                equality_answers::table.filter(equality_answers::person_id.eq(person_id)),
            )
            .execute(conn)?;
            insert_answers(conn, actor.organisation_id, None, Some(person_id), answers)?;
            trail.record(AuditEvent::by(
                actor,
                AuditAction::Update,
                "person_equality",
                Some(person_id),
            ));
            Ok(())
        })
    }

    /// How many of the provider's staff and of the people it serves gave each answer.
    /// Counts only; suppression of small numbers is the page's, through
    /// `advocase_domain::suppression`.
    pub fn equality_counts(&self, actor: &Actor) -> Result<EqualityCounts, StoreError> {
        require_role(actor, &[Role::Manager])?;
        self.write(|conn, trail| {
            let staff_ids: Vec<i64> = visible_staff(actor).select(users::id).load(conn)?;
            let staff: Vec<(String, String, i64)> = equality_answers::table
                .filter(equality_answers::provider_id.eq(actor.organisation_id))
                .filter(equality_answers::user_id.eq_any(&staff_ids))
                .group_by((equality_answers::characteristic, equality_answers::answer))
                .select((
                    equality_answers::characteristic,
                    equality_answers::answer,
                    diesel::dsl::count_star(),
                ))
                .load(conn)?;
            let people: Vec<(String, String, i64)> = equality_answers::table
                .filter(equality_answers::provider_id.eq(actor.organisation_id))
                .filter(equality_answers::person_id.is_not_null())
                .group_by((equality_answers::characteristic, equality_answers::answer))
                .select((
                    equality_answers::characteristic,
                    equality_answers::answer,
                    diesel::dsl::count_star(),
                ))
                .load(conn)?;
            trail.record(AuditEvent::by(
                actor,
                AuditAction::Read,
                "equality_comparison",
                None,
            ));
            let counts = |rows: Vec<(String, String, i64)>| {
                rows.into_iter()
                    .map(|(c, a, n)| (c, a, n.max(0) as u64))
                    .collect()
            };
            Ok(EqualityCounts {
                staff: counts(staff),
                people: counts(people),
            })
        })
    }
}

fn write_profile(
    conn: &mut DbConnection,
    record: &StaffProfileRecord,
    version: i64,
) -> Result<(), StoreError> {
    let current: Option<i64> = staff_profiles::table
        .find(record.user_id)
        .select(staff_profiles::version)
        .first(conn)
        .optional()?;
    match current {
        None if version == 0 => {
            diesel::insert_into(staff_profiles::table)
                .values(record)
                .execute(conn)?;
        }
        Some(saved) if saved == version => {
            diesel::update(staff_profiles::table.find(record.user_id))
                .set((
                    staff_profiles::started_on.eq(record.started_on),
                    staff_profiles::employment.eq(&record.employment),
                    staff_profiles::roles.eq(&record.roles),
                    staff_profiles::availability.eq(&record.availability),
                    staff_profiles::supervision_months.eq(record.supervision_months),
                    staff_profiles::group_supervision_months.eq(record.group_supervision_months),
                    staff_profiles::supervisor_id.eq(record.supervisor_id),
                    staff_profiles::version.eq(record.version),
                ))
                .execute(conn)?;
        }
        _ => return Err(StoreError::Conflict),
    }
    Ok(())
}

/// One equality answer to write, by a member of staff about themselves or recorded
/// about a person served (exactly one of the two ids is set); the database numbers it.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = equality_answers)]
pub struct NewEqualityAnswer {
    pub provider_id: i64,
    pub user_id: Option<i64>,
    pub person_id: Option<i64>,
    pub characteristic: String,
    pub answer: String,
    pub recorded_at: NaiveDateTime,
}

fn insert_answers(
    conn: &mut DbConnection,
    provider_id: i64,
    user_id: Option<i64>,
    person_id: Option<i64>,
    answers: &[(&str, String)],
) -> Result<(), StoreError> {
    let recorded_at = now();
    let rows: Vec<NewEqualityAnswer> = answers
        .iter()
        .map(|(characteristic, answer)| NewEqualityAnswer {
            provider_id,
            user_id,
            person_id,
            characteristic: characteristic.to_string(),
            answer: answer.clone(),
            recorded_at,
        })
        .collect();
    for row in &rows {
        diesel::insert_into(equality_answers::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}
