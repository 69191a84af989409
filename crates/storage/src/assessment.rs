//! Self-assessments and the policies register.
//!
//! Who sees what is decided here, once: [`visible_assessments`] gives a commissioner
//! their own organisation's commissioning self-assessments and a provider's manager the
//! provider's Quality Performance Mark ones; [`visible_policies`] gives a manager their
//! provider's register. Everyone else sees none, and a record of another organisation
//! is answered exactly like one that does not exist. Evidence that points at a case is
//! checked against `casework::visible_cases` when it is written and filtered through
//! it again when it is read, so a sampled case never reveals more than the reader may
//! see.

use crate::audit::AuditEvent;
use crate::casework::visible_cases;
use crate::connection::MultiBackend;
use crate::schema::{
    cases, policies, self_assessment_items, self_assessment_links, self_assessments, users,
};
use crate::workforce::visible_staff;
use crate::{DbConnection, Store, StoreError, now, require_role};
use advocase_domain::assessment::{
    Assessment, Framework, Policy, PolicyOwner, Rating, counts, field,
};
use advocase_domain::audit::AuditAction;
use advocase_domain::identity::{Actor, Role};
use advocase_domain::validation::Invalid;
use advocase_i18n::msg;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::Bool;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = policies)]
pub struct PolicyRecord {
    pub id: i64,
    pub provider_id: i64,
    pub kind: String,
    pub title: Option<String>,
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    pub approved_on: Option<NaiveDate>,
    pub last_reviewed_on: Option<NaiveDate>,
    pub review_due_on: NaiveDate,
    pub location: Option<String>,
    pub recorded_by: i64,
    pub recorded_at: NaiveDateTime,
    pub version: i64,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = self_assessments)]
pub struct AssessmentRecord {
    pub id: i64,
    pub organisation_id: i64,
    pub framework: String,
    pub assessed_on: NaiveDate,
    pub completed_by: i64,
    pub recorded_at: NaiveDateTime,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = self_assessment_items)]
pub struct AssessmentItemRecord {
    pub assessment_id: i64,
    pub item: String,
    pub rating: String,
    pub strengths: Option<String>,
    pub actions: Option<String>,
    pub evidence: Option<String>,
}

impl AssessmentItemRecord {
    pub fn rating(&self) -> Rating {
        // The schema's CHECK allows only the three codes.
        Rating::parse(&self.rating).unwrap_or(Rating::Red)
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = self_assessment_links)]
pub struct AssessmentLinkRecord {
    pub id: i64,
    pub assessment_id: i64,
    pub item: String,
    pub policy_id: Option<i64>,
    pub page: Option<String>,
    pub case_id: Option<i64>,
}

/// A policy with the name of its owner, as the register shows it.
#[derive(Debug, Clone)]
pub struct PolicyRow {
    pub record: PolicyRecord,
    pub owner: String,
}

/// One line of an organisation's history of self-assessments.
#[derive(Debug, Clone)]
pub struct AssessmentSummary {
    pub record: AssessmentRecord,
    pub completed_by: String,
    pub green: usize,
    pub amber: usize,
    pub red: usize,
}

/// One self-assessment with everything its page shows, and the one before it.
#[derive(Debug, Clone)]
pub struct AssessmentFile {
    pub record: AssessmentRecord,
    pub completed_by: String,
    pub items: Vec<AssessmentItemRecord>,
    /// Evidence links; sampled cases only when the reader may see them now.
    pub links: Vec<AssessmentLinkRecord>,
    /// The policies linked as evidence: (id, kind, title).
    pub policies: Vec<(i64, String, Option<String>)>,
    pub previous: Option<(AssessmentRecord, Vec<AssessmentItemRecord>)>,
}

impl AssessmentFile {
    pub fn framework(&self) -> Framework {
        Framework::parse(&self.record.framework).unwrap_or(Framework::Qpm)
    }

    pub fn item(&self, code: &str) -> Option<&AssessmentItemRecord> {
        self.items.iter().find(|i| i.item == code)
    }

    /// The rating an item had in the previous self-assessment, if it had one.
    pub fn previous_rating(&self, code: &str) -> Option<Rating> {
        self.previous
            .as_ref()
            .and_then(|(_, items)| items.iter().find(|i| i.item == code))
            .map(AssessmentItemRecord::rating)
    }

    pub fn links_for(&self, code: &str) -> impl Iterator<Item = &AssessmentLinkRecord> {
        self.links.iter().filter(move |l| l.item == code)
    }

    pub fn policy(&self, id: i64) -> Option<&(i64, String, Option<String>)> {
        self.policies.iter().find(|p| p.0 == id)
    }
}

/// The framework an actor assesses: a commissioner their commissioning, a provider's
/// manager the service against the Quality Performance Mark; nobody else any.
pub fn framework_of(actor: &Actor) -> Option<Framework> {
    match actor.role {
        Role::Commissioner => Some(Framework::Commissioning),
        Role::Manager => Some(Framework::Qpm),
        _ => None,
    }
}

/// The self-assessments `actor` may see: this is the one place the rule is written.
pub(crate) fn visible_assessments(
    actor: &Actor,
) -> self_assessments::BoxedQuery<'static, MultiBackend> {
    let query = self_assessments::table
        .filter(self_assessments::organisation_id.eq(actor.organisation_id))
        .into_boxed();
    match framework_of(actor) {
        Some(framework) => query.filter(self_assessments::framework.eq(framework.as_str())),
        None => query.filter(false.into_sql::<Bool>()),
    }
}

/// The policies `actor` may see and keep: a manager's provider's register.
pub(crate) fn visible_policies(actor: &Actor) -> policies::BoxedQuery<'static, MultiBackend> {
    let query = policies::table
        .filter(policies::provider_id.eq(actor.organisation_id))
        .into_boxed();
    match actor.role {
        Role::Manager => query,
        _ => query.filter(false.into_sql::<Bool>()),
    }
}

/// The names of some accounts of the actor's organisation, by id.
fn names(
    conn: &mut DbConnection,
    actor: &Actor,
    ids: Vec<i64>,
) -> Result<Vec<(i64, String)>, StoreError> {
    Ok(users::table
        .filter(users::id.eq_any(ids))
        .filter(users::organisation_id.eq(actor.organisation_id))
        .select((users::id, users::display_name))
        .load(conn)?)
}

fn name_of(names: &[(i64, String)], id: i64) -> String {
    names
        .iter()
        .find(|(uid, _)| *uid == id)
        .map(|(_, name)| name.clone())
        .unwrap_or_default()
}

fn policy_rows(
    conn: &mut DbConnection,
    actor: &Actor,
    records: Vec<PolicyRecord>,
) -> Result<Vec<PolicyRow>, StoreError> {
    let owners = names(
        conn,
        actor,
        records.iter().filter_map(|r| r.owner_id).collect(),
    )?;
    Ok(records
        .into_iter()
        .map(|record| PolicyRow {
            owner: match (record.owner_id, &record.owner_name) {
                (Some(id), _) => name_of(&owners, id),
                (None, Some(name)) => name.clone(),
                (None, None) => String::new(),
            },
            record,
        })
        .collect())
}

/// Checks that a policy's owner, when a member of staff, is one the manager may see.
fn check_owner(conn: &mut DbConnection, actor: &Actor, policy: &Policy) -> Result<(), StoreError> {
    if let PolicyOwner::Staff(id) = policy.owner {
        let found: i64 = visible_staff(actor)
            .filter(users::id.eq(id))
            .count()
            .get_result(conn)?;
        if found != 1 {
            return Err(Invalid::one("owner", msg::POLICY_OWNER_INVALID).into());
        }
    }
    Ok(())
}

/// The answer when a required policy is entered a second time.
fn already_in_register(error: StoreError) -> StoreError {
    if error.is_unique_violation() {
        Invalid::one("kind", msg::POLICY_KIND_ALREADY_REGISTERED).into()
    } else {
        error
    }
}

fn owner_columns(policy: &Policy) -> (Option<i64>, Option<String>) {
    match &policy.owner {
        PolicyOwner::Staff(id) => (Some(*id), None),
        PolicyOwner::Named(name) => (None, Some(name.clone())),
    }
}

/// Refuses evidence the actor may not link: a policy outside their register, or a case
/// they cannot see. Both answers are the same whether the record exists or not.
fn check_evidence(
    conn: &mut DbConnection,
    actor: &Actor,
    assessment: &Assessment,
) -> Result<(), StoreError> {
    let mut invalid = Invalid::default();
    for item in &assessment.items {
        if !item.policies.is_empty() {
            let known: Vec<i64> = visible_policies(actor)
                .filter(policies::id.eq_any(&item.policies))
                .select(policies::id)
                .load(conn)?;
            if known.len() != item.policies.len() {
                invalid.push(
                    field("policies", item.item),
                    msg::ASSESSMENT_POLICIES_INVALID,
                );
            }
        }
        if !item.cases.is_empty() {
            let seen: Vec<i64> = visible_cases(actor)
                .filter(cases::id.eq_any(&item.cases))
                .select(cases::id)
                .load(conn)?;
            if let Some(unseen) = item.cases.iter().find(|id| !seen.contains(id)) {
                invalid.push(
                    field("cases", item.item),
                    msg::ASSESSMENT_CASE_NOT_SEEN.with("case", *unseen),
                );
            }
        }
    }
    invalid.into_result().map_err(StoreError::from)
}

fn load_file(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
) -> Result<Option<AssessmentFile>, StoreError> {
    let Some(record) = visible_assessments(actor)
        .filter(self_assessments::id.eq(id))
        .select(AssessmentRecord::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let items: Vec<AssessmentItemRecord> = self_assessment_items::table
        .filter(self_assessment_items::assessment_id.eq(id))
        .select(AssessmentItemRecord::as_select())
        .load(conn)?;
    let mut links: Vec<AssessmentLinkRecord> = self_assessment_links::table
        .filter(self_assessment_links::assessment_id.eq(id))
        .order(self_assessment_links::id.asc())
        .select(AssessmentLinkRecord::as_select())
        .load(conn)?;
    let linked_cases: Vec<i64> = links.iter().filter_map(|l| l.case_id).collect();
    let seen: Vec<i64> = visible_cases(actor)
        .filter(cases::id.eq_any(&linked_cases))
        .select(cases::id)
        .load(conn)?;
    links.retain(|l| l.case_id.is_none_or(|c| seen.contains(&c)));
    let policy_ids: Vec<i64> = links.iter().filter_map(|l| l.policy_id).collect();
    let policies: Vec<(i64, String, Option<String>)> = visible_policies(actor)
        .filter(policies::id.eq_any(&policy_ids))
        .select((policies::id, policies::kind, policies::title))
        .load(conn)?;
    let previous: Option<AssessmentRecord> = visible_assessments(actor)
        .filter(
            self_assessments::assessed_on
                .lt(record.assessed_on)
                .or(self_assessments::assessed_on
                    .eq(record.assessed_on)
                    .and(self_assessments::id.lt(record.id))),
        )
        .order((
            self_assessments::assessed_on.desc(),
            self_assessments::id.desc(),
        ))
        .select(AssessmentRecord::as_select())
        .first(conn)
        .optional()?;
    let previous = match previous {
        Some(before) => {
            let items: Vec<AssessmentItemRecord> = self_assessment_items::table
                .filter(self_assessment_items::assessment_id.eq(before.id))
                .select(AssessmentItemRecord::as_select())
                .load(conn)?;
            Some((before, items))
        }
        None => None,
    };
    let completed_by = name_of(
        &names(conn, actor, vec![record.completed_by])?,
        record.completed_by,
    );
    Ok(Some(AssessmentFile {
        record,
        completed_by,
        items,
        links,
        policies,
        previous,
    }))
}

impl Store {
    /// Records a self-assessment of the actor's organisation. The framework must be the
    /// actor's own; evidence is checked (see [`check_evidence`]) before anything is
    /// written, and a refusal stores nothing.
    pub fn record_self_assessment(
        &self,
        actor: &Actor,
        assessment: &Assessment,
    ) -> Result<i64, StoreError> {
        if framework_of(actor) != Some(assessment.framework) {
            return Err(StoreError::NotFound);
        }
        self.write(|conn, trail| {
            check_evidence(conn, actor, assessment)?;
            let id = diesel::insert_into(self_assessments::table)
                .values((
                    self_assessments::organisation_id.eq(actor.organisation_id),
                    self_assessments::framework.eq(assessment.framework.as_str()),
                    self_assessments::assessed_on.eq(assessment.assessed_on),
                    self_assessments::completed_by.eq(actor.user_id),
                    self_assessments::recorded_at.eq(now()),
                    self_assessments::note.eq(&assessment.note),
                ))
                .returning(self_assessments::id)
                .get_result::<i64>(conn)?;
            for item in &assessment.items {
                let code = item.item.as_str();
                diesel::insert_into(self_assessment_items::table)
                    .values((
                        self_assessment_items::assessment_id.eq(id),
                        self_assessment_items::item.eq(code),
                        self_assessment_items::rating.eq(item.rating.as_str()),
                        self_assessment_items::strengths.eq(&item.strengths),
                        self_assessment_items::actions.eq(&item.actions),
                        self_assessment_items::evidence.eq(&item.evidence),
                    ))
                    .execute(conn)?;
                let links = item
                    .policies
                    .iter()
                    .map(|p| (Some(*p), None, None))
                    .chain(item.pages.iter().map(|p| (None, Some(p.clone()), None)))
                    .chain(item.cases.iter().map(|c| (None, None, Some(*c))));
                for (policy_id, page, case_id) in links {
                    diesel::insert_into(self_assessment_links::table)
                        .values((
                            self_assessment_links::assessment_id.eq(id),
                            self_assessment_links::item.eq(code),
                            self_assessment_links::policy_id.eq(policy_id),
                            self_assessment_links::page.eq(page),
                            self_assessment_links::case_id.eq(case_id),
                        ))
                        .execute(conn)?;
                }
            }
            let (green, amber, red) = counts(assessment.items.iter().map(|i| i.rating));
            trail.record(
                AuditEvent::by(actor, AuditAction::Create, "self_assessment", Some(id)).because(
                    format!(
                        "{}: {green} green, {amber} amber, {red} red",
                        assessment.framework.as_str()
                    ),
                ),
            );
            Ok(id)
        })
    }

    /// Every self-assessment of the actor's organisation in their framework, newest
    /// first, with who completed it and its counts of each colour.
    pub fn self_assessments(&self, actor: &Actor) -> Result<Vec<AssessmentSummary>, StoreError> {
        if framework_of(actor).is_none() {
            return Err(StoreError::NotFound);
        }
        self.read(|conn| {
            let records: Vec<AssessmentRecord> = visible_assessments(actor)
                .order((
                    self_assessments::assessed_on.desc(),
                    self_assessments::id.desc(),
                ))
                .select(AssessmentRecord::as_select())
                .load(conn)?;
            let ids: Vec<i64> = records.iter().map(|r| r.id).collect();
            let ratings: Vec<(i64, String)> = self_assessment_items::table
                .filter(self_assessment_items::assessment_id.eq_any(&ids))
                .select((
                    self_assessment_items::assessment_id,
                    self_assessment_items::rating,
                ))
                .load(conn)?;
            let people = names(
                conn,
                actor,
                records.iter().map(|r| r.completed_by).collect(),
            )?;
            Ok(records
                .into_iter()
                .map(|record| {
                    let (green, amber, red) = counts(
                        ratings
                            .iter()
                            .filter(|(id, _)| *id == record.id)
                            .filter_map(|(_, r)| Rating::parse(r)),
                    );
                    AssessmentSummary {
                        completed_by: name_of(&people, record.completed_by),
                        record,
                        green,
                        amber,
                        red,
                    }
                })
                .collect())
        })
    }

    /// One self-assessment with its evidence and the one before it, audited as a read
    /// (or, for one that is not the actor's, as a denied access).
    pub fn self_assessment(&self, actor: &Actor, id: i64) -> Result<AssessmentFile, StoreError> {
        self.read_scoped(actor, "self_assessment", id, |conn| {
            load_file(conn, actor, id)
        })
    }

    /// The newest self-assessment of the actor's organisation, if there is one.
    pub fn latest_self_assessment(
        &self,
        actor: &Actor,
    ) -> Result<Option<AssessmentFile>, StoreError> {
        if framework_of(actor).is_none() {
            return Err(StoreError::NotFound);
        }
        self.read(|conn| {
            let newest: Option<i64> = visible_assessments(actor)
                .order((
                    self_assessments::assessed_on.desc(),
                    self_assessments::id.desc(),
                ))
                .select(self_assessments::id)
                .first(conn)
                .optional()?;
            match newest {
                Some(id) => load_file(conn, actor, id),
                None => Ok(None),
            }
        })
    }

    /// The manager's provider's register of policies and procedures.
    pub fn policies(&self, actor: &Actor) -> Result<Vec<PolicyRow>, StoreError> {
        require_role(actor, &[Role::Manager])?;
        self.read(|conn| {
            let records: Vec<PolicyRecord> = visible_policies(actor)
                .order((policies::review_due_on.asc(), policies::id.asc()))
                .select(PolicyRecord::as_select())
                .load(conn)?;
            policy_rows(conn, actor, records)
        })
    }

    /// One policy of the register, audited as a read or as a denied access.
    pub fn policy(&self, actor: &Actor, id: i64) -> Result<PolicyRow, StoreError> {
        self.read_scoped(actor, "policy", id, |conn| {
            let record: Option<PolicyRecord> = visible_policies(actor)
                .filter(policies::id.eq(id))
                .select(PolicyRecord::as_select())
                .first(conn)
                .optional()?;
            Ok(match record {
                Some(record) => policy_rows(conn, actor, vec![record])?.pop(),
                None => None,
            })
        })
    }

    /// The staff a manager may name as a policy's owner.
    pub fn policy_owners(&self, actor: &Actor) -> Result<Vec<(i64, String)>, StoreError> {
        require_role(actor, &[Role::Manager])?;
        self.read(|conn| {
            Ok(visible_staff(actor)
                .order(users::display_name.asc())
                .select((users::id, users::display_name))
                .load(conn)?)
        })
    }

    /// How many of the register's policies are past their review date on `today`.
    pub fn overdue_policy_count(&self, actor: &Actor, today: NaiveDate) -> Result<i64, StoreError> {
        require_role(actor, &[Role::Manager])?;
        self.read(|conn| {
            Ok(visible_policies(actor)
                .filter(policies::review_due_on.lt(today))
                .count()
                .get_result(conn)?)
        })
    }

    /// Adds a policy or procedure to the register.
    pub fn add_policy(&self, actor: &Actor, policy: &Policy) -> Result<i64, StoreError> {
        require_role(actor, &[Role::Manager])?;
        self.write(|conn, trail| {
            check_owner(conn, actor, policy)?;
            let (owner_id, owner_name) = owner_columns(policy);
            let id = diesel::insert_into(policies::table)
                .values((
                    policies::provider_id.eq(actor.organisation_id),
                    policies::kind.eq(policy.kind.as_str()),
                    policies::title.eq(&policy.title),
                    policies::owner_id.eq(owner_id),
                    policies::owner_name.eq(owner_name),
                    policies::approved_on.eq(policy.approved_on),
                    policies::last_reviewed_on.eq(policy.last_reviewed_on),
                    policies::review_due_on.eq(policy.review_due_on),
                    policies::location.eq(&policy.location),
                    policies::recorded_by.eq(actor.user_id),
                    policies::recorded_at.eq(now()),
                ))
                .returning(policies::id)
                .get_result::<i64>(conn)
                .map_err(|e| already_in_register(e.into()))?;
            trail.record(
                AuditEvent::by(actor, AuditAction::Create, "policy", Some(id))
                    .because(policy.kind.as_str()),
            );
            Ok(id)
        })
    }

    /// Changes a policy, refusing with `Conflict` when someone saved it since `version`
    /// was read.
    pub fn update_policy(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        policy: &Policy,
    ) -> Result<(), StoreError> {
        require_role(actor, &[Role::Manager])?;
        self.write(|conn, trail| {
            let current: Option<i64> = visible_policies(actor)
                .filter(policies::id.eq(id))
                .select(policies::version)
                .first(conn)
                .optional()?;
            match current {
                None => return Err(StoreError::NotFound),
                Some(saved) if saved != version => return Err(StoreError::Conflict),
                Some(_) => {}
            }
            check_owner(conn, actor, policy)?;
            let (owner_id, owner_name) = owner_columns(policy);
            let changed = diesel::update(
                policies::table
                    .filter(policies::id.eq(id))
                    .filter(policies::provider_id.eq(actor.organisation_id))
                    .filter(policies::version.eq(version)),
            )
            .set((
                policies::kind.eq(policy.kind.as_str()),
                policies::title.eq(&policy.title),
                policies::owner_id.eq(owner_id),
                policies::owner_name.eq(owner_name),
                policies::approved_on.eq(policy.approved_on),
                policies::last_reviewed_on.eq(policy.last_reviewed_on),
                policies::review_due_on.eq(policy.review_due_on),
                policies::location.eq(&policy.location),
                policies::recorded_by.eq(actor.user_id),
                policies::recorded_at.eq(now()),
                policies::version.eq(version + 1),
            ))
            .execute(conn)
            .map_err(|e| already_in_register(e.into()))?;
            if changed != 1 {
                return Err(StoreError::Conflict);
            }
            trail.record(
                AuditEvent::by(actor, AuditAction::Update, "policy", Some(id))
                    .because(policy.kind.as_str()),
            );
            Ok(())
        })
    }
}
