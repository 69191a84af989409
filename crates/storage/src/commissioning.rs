//! Contracts, the counts behind their monitoring reports, link meetings and demand.
//!
//! `visible_contracts` is the one place the rule for contracts is written: a
//! commissioner sees the contracts their organisation funds, a provider's manager the
//! provider's own, anybody else none. Every report count starts from a contract found
//! through it, so a commissioner can only ever count within their own contracts, and
//! what leaves this module is counts: no name, no case, no advocate.

use crate::audit::AuditEvent;
pub use crate::report_counts::equality_id;
use crate::report_counts::{after, count_reports};
use crate::schema::{
    contracts, demand_rates, link_meetings, meeting_actions, organisations, population_figures,
    referrals, report_snapshots,
};
use crate::{Store, StoreError, now, require_role};
use advocase_domain::audit::AuditAction;
use advocase_domain::clocks::{WorkingDayCalendar, uk_day_start};
use advocase_domain::identity::{Actor, OrganisationKind, Role};
use advocase_domain::reporting::{
    Breakdown, NewContract, Period, PopulationRow, ReportingPeriod, Targets, contract_periods,
    contract_years, duty_code, has_ended,
};
use advocase_domain::validation::Invalid;
use advocase_i18n::msg;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = contracts)]
pub struct ContractRecord {
    pub id: i64,
    pub provider_id: i64,
    pub commissioner_id: i64,
    pub name: String,
    pub duties: String,
    pub areas: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub core_funding_pence: i64,
    pub core_cases: i64,
    pub payment_per_case_pence: i64,
    pub reporting: String,
    pub threshold: i64,
    pub urgent_days: i64,
    pub standard_days: i64,
    pub target_imha_introduction: Option<i64>,
    pub target_first_contact: Option<i64>,
    pub target_declined: Option<i64>,
    pub target_outcomes_achieved: Option<i64>,
    pub target_feedback: Option<i64>,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
    pub version: i64,
}

impl ContractRecord {
    pub fn duty_codes(&self) -> Vec<String> {
        self.duties.split(',').map(str::to_string).collect()
    }

    pub fn area_names(&self) -> Vec<String> {
        self.areas.lines().map(str::to_string).collect()
    }

    /// Whether the contract pays for a case of `duty` for a person of `area`, referred
    /// on `received_on`: the same duties and areas its reports count.
    pub fn covers(&self, duty: &str, area: Option<&str>, received_on: NaiveDate) -> bool {
        self.duties.split(',').any(|d| d == duty)
            && area.is_some_and(|area| self.areas.lines().any(|a| a == area))
            && (self.starts_on..=self.ends_on).contains(&received_on)
    }

    /// The working days the contract allows from referral to first contact.
    pub fn first_contact_days(&self, urgent: bool) -> u32 {
        let days = if urgent {
            self.urgent_days
        } else {
            self.standard_days
        };
        days.clamp(0, i64::from(u32::MAX)) as u32
    }

    pub fn reporting_period(&self) -> ReportingPeriod {
        ReportingPeriod::parse(&self.reporting).unwrap_or(ReportingPeriod::Quarterly)
    }

    /// The threshold the contract's reports suppress with. A contract saved before the
    /// least threshold was raised may hold 1; it is read as the least allowed.
    pub fn threshold(&self) -> u64 {
        (self.threshold.max(0) as u64).max(advocase_domain::suppression::LEAST_THRESHOLD)
    }

    pub fn targets(&self) -> Targets {
        let t = |v: Option<i64>| v.map(|n| n.max(0) as u32);
        Targets {
            imha_introduction: t(self.target_imha_introduction),
            first_contact: t(self.target_first_contact),
            declined: t(self.target_declined),
            outcomes_achieved: t(self.target_outcomes_achieved),
            feedback_tenths: t(self.target_feedback),
        }
    }
}

/// A contract with the names of the two organisations.
#[derive(Debug, Clone)]
pub struct ContractRow {
    pub record: ContractRecord,
    pub provider: String,
    pub commissioner: String,
}

/// The counts of a finished period as first counted, as a row (for export and import).
#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = report_snapshots)]
pub struct ReportSnapshotRecord {
    pub contract_id: i64,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub version: i32,
    pub facts: String,
    pub counted_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = link_meetings)]
pub struct LinkMeetingRecord {
    pub id: i64,
    pub contract_id: i64,
    pub held_on: NaiveDate,
    pub attendees: String,
    pub discussed: String,
    pub recorded_by: i64,
    pub recorded_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = meeting_actions)]
pub struct MeetingActionRecord {
    pub id: i64,
    pub meeting_id: i64,
    pub action: String,
    pub owner: String,
    pub due_on: Option<NaiveDate>,
    pub done_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = population_figures)]
pub struct PopulationRecord {
    pub id: i64,
    pub commissioner_id: i64,
    pub area: String,
    pub year: i32,
    pub adults: i64,
    pub assessments: i64,
    pub imported_by: i64,
    pub imported_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = demand_rates)]
pub struct DemandRatesRecord {
    pub commissioner_id: i64,
    pub difficulty_permille: i64,
    pub no_individual_permille: i64,
    pub set_by: i64,
    pub set_at: NaiveDateTime,
}

/// A link meeting with its actions.
#[derive(Debug, Clone)]
pub struct Meeting {
    pub record: LinkMeetingRecord,
    pub actions: Vec<MeetingActionRecord>,
}

/// A running contract's next link meeting and its open actions (see
/// [`Store::link_meeting_reminders`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingReminder {
    pub contract_id: i64,
    pub contract_name: String,
    pub next_due: NaiveDate,
    pub open_actions: usize,
    pub overdue_actions: usize,
}

/// A link meeting as recorded, checked at the edge.
#[derive(Debug, Clone)]
pub struct NewMeeting {
    pub held_on: NaiveDate,
    pub attendees: String,
    pub discussed: String,
    /// (action, owner, due)
    pub actions: Vec<(String, String, Option<NaiveDate>)>,
}

/// The raw counts of one contract and period, before suppression. Nothing in it is
/// about one person: counts, and lists of day counts for medians.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct ReportFacts {
    pub breakdowns: Vec<Breakdown>,
    /// Working days from referral to first contact, urgent and other referrals.
    pub first_contact_days: (Vec<i64>, Vec<i64>),
    /// Days each case waiting at the end of the period had waited.
    pub waits: Vec<i64>,
    pub contact_minutes: u64,
    /// (within target, later) for first contact; (met, missed) for IMHA introductions.
    pub first_contact: (u64, u64),
    pub imha: (u64, u64),
    /// (declined, all decisions)
    pub declined: (u64, u64),
    /// (achieved, all outcomes)
    pub outcomes: (u64, u64),
    /// (responses, sum of the overall answers)
    pub feedback: (u64, u64),
}

impl ReportFacts {
    pub fn breakdown(&self, id: &str) -> Option<&Breakdown> {
        self.breakdowns.iter().find(|b| b.id == id)
    }
}

/// The contracts an organisation may see in a role: as commissioner those it funds, as
/// provider those it delivers. Ids are positive, so -1 matches nothing.
#[diesel::dsl::auto_type]
fn visible_contracts(as_commissioner: i64, as_provider: i64) -> _ {
    contracts::table.filter(
        contracts::commissioner_id
            .eq(as_commissioner)
            .or(contracts::provider_id.eq(as_provider)),
    )
}

fn contract_scope(actor: &Actor) -> (i64, i64) {
    let when = |role: Role| {
        if actor.role == role {
            actor.organisation_id
        } else {
            -1
        }
    };
    (when(Role::Commissioner), when(Role::Manager))
}

fn find_contract(
    conn: &mut crate::DbConnection,
    actor: &Actor,
    contract_id: i64,
) -> Result<Option<ContractRecord>, StoreError> {
    let (commissioner, provider) = contract_scope(actor);
    Ok(visible_contracts(commissioner, provider)
        .filter(contracts::id.eq(contract_id))
        .select(ContractRecord::as_select())
        .first(conn)
        .optional()?)
}

/// Refuses a commissioner that is not a commissioning organisation, naming the field.
fn check_commissioner(
    conn: &mut crate::DbConnection,
    commissioner_id: i64,
) -> Result<(), StoreError> {
    let kind: Option<String> = organisations::table
        .find(commissioner_id)
        .select(organisations::kind)
        .first(conn)
        .optional()?;
    if kind.as_deref() != Some(OrganisationKind::Commissioner.as_str()) {
        return Err(Invalid::one("commissioner", msg::CONTRACT_COMMISSIONER_MISSING).into());
    }
    Ok(())
}

/// The terms of a contract its form sets, as stored: written the same way when the
/// contract is recorded and when it is changed.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = contracts, treat_none_as_null = true)]
struct ContractTerms<'a> {
    commissioner_id: i64,
    name: &'a str,
    duties: String,
    areas: String,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    core_funding_pence: i64,
    core_cases: i64,
    payment_per_case_pence: i64,
    reporting: &'static str,
    threshold: i64,
    urgent_days: i64,
    standard_days: i64,
    target_imha_introduction: Option<i64>,
    target_first_contact: Option<i64>,
    target_declined: Option<i64>,
    target_outcomes_achieved: Option<i64>,
    target_feedback: Option<i64>,
}

/// The terms `count_reports` counts by, besides the provider: a change of any of them
/// changes the figures of a period already counted.
const COUNTED_TERMS: &[&str] = &[
    "duties",
    "areas",
    "starts_on",
    "ends_on",
    "reporting",
    "urgent_days",
    "standard_days",
];

impl<'a> ContractTerms<'a> {
    fn of(contract: &'a NewContract) -> Self {
        let t = |v: Option<u32>| v.map(i64::from);
        Self {
            commissioner_id: contract.commissioner_id,
            name: &contract.name,
            duties: contract
                .duties
                .iter()
                .map(|d| duty_code(*d))
                .collect::<Vec<_>>()
                .join(","),
            areas: contract.areas.join("\n"),
            starts_on: contract.starts_on,
            ends_on: contract.ends_on,
            core_funding_pence: contract.core_funding_pence,
            core_cases: contract.core_cases,
            payment_per_case_pence: contract.payment_per_case_pence,
            reporting: contract.reporting.as_str(),
            threshold: contract.threshold as i64,
            urgent_days: i64::from(contract.urgent_days),
            standard_days: i64::from(contract.standard_days),
            target_imha_introduction: t(contract.targets.imha_introduction),
            target_first_contact: t(contract.targets.first_contact),
            target_declined: t(contract.targets.declined),
            target_outcomes_achieved: t(contract.targets.outcomes_achieved),
            target_feedback: t(contract.targets.feedback_tenths),
        }
    }

    /// The names of the terms that differ from those saved, for the audit entry and to
    /// decide whether the kept counts still hold. The areas are compared as stored, in
    /// order: the kept counts list the areas in the contract's order.
    fn changed_from(&self, saved: &ContractRecord) -> Vec<&'static str> {
        let targets_changed = (
            self.target_imha_introduction,
            self.target_first_contact,
            self.target_declined,
            self.target_outcomes_achieved,
            self.target_feedback,
        ) != (
            saved.target_imha_introduction,
            saved.target_first_contact,
            saved.target_declined,
            saved.target_outcomes_achieved,
            saved.target_feedback,
        );
        [
            ("name", self.name != saved.name),
            (
                "commissioner",
                self.commissioner_id != saved.commissioner_id,
            ),
            ("duties", self.duties != saved.duties),
            ("areas", self.areas != saved.areas),
            ("starts_on", self.starts_on != saved.starts_on),
            ("ends_on", self.ends_on != saved.ends_on),
            (
                "funding",
                (
                    self.core_funding_pence,
                    self.core_cases,
                    self.payment_per_case_pence,
                ) != (
                    saved.core_funding_pence,
                    saved.core_cases,
                    saved.payment_per_case_pence,
                ),
            ),
            ("reporting", self.reporting != saved.reporting),
            ("threshold", self.threshold != saved.threshold),
            ("urgent_days", self.urgent_days != saved.urgent_days),
            ("standard_days", self.standard_days != saved.standard_days),
            ("targets", targets_changed),
        ]
        .into_iter()
        .filter(|(_, changed)| *changed)
        .map(|(term, _)| term)
        .collect()
    }
}

impl Store {
    /// The commissioning organisations a manager can record a contract with.
    pub fn commissioners(&self, actor: &Actor) -> Result<Vec<(i64, String)>, StoreError> {
        require_role(actor, &[Role::Manager])?;
        self.read(|conn| {
            Ok(organisations::table
                .filter(organisations::kind.eq(OrganisationKind::Commissioner.as_str()))
                .order(organisations::name.asc())
                .select((organisations::id, organisations::name))
                .load(conn)?)
        })
    }

    /// Records a contract between the manager's provider and a commissioner.
    pub fn create_contract(
        &self,
        actor: &Actor,
        contract: &NewContract,
    ) -> Result<i64, StoreError> {
        require_role(actor, &[Role::Manager])?;
        self.write(|conn, trail| {
            check_commissioner(conn, contract.commissioner_id)?;
            let id: i64 = diesel::insert_into(contracts::table)
                .values((
                    ContractTerms::of(contract),
                    contracts::provider_id.eq(actor.organisation_id),
                    contracts::created_by.eq(actor.user_id),
                    contracts::created_at.eq(now()),
                    contracts::version.eq(1),
                ))
                .returning(contracts::id)
                .get_result(conn)?;
            trail.record(AuditEvent::by(
                actor,
                AuditAction::Create,
                "contract",
                Some(id),
            ));
            Ok(id)
        })
    }

    /// Changes a contract of the manager's provider to `contract`, unless someone has
    /// changed it since the manager read it at `version_seen`
    /// (`StoreError::Conflict`). A contract the actor may not change is not found.
    ///
    /// When the change alters what the reports count (the kinds of advocacy, the areas,
    /// the term, how often it reports or the days to first contact), the counts kept
    /// for its finished periods were counted by terms it no longer has: they are
    /// discarded in the same write, so each period is counted again by the new terms
    /// the next time it is asked for. A change of the name, the commissioner, the
    /// funding, the targets or the threshold keeps them: none of those is counted, the
    /// targets and the threshold are applied to the kept counts when a report is shown.
    pub fn change_contract(
        &self,
        actor: &Actor,
        contract_id: i64,
        version_seen: i64,
        contract: &NewContract,
    ) -> Result<(), StoreError> {
        require_role(actor, &[Role::Manager])?;
        self.write(|conn, trail| {
            let Some(saved) = find_contract(conn, actor, contract_id)? else {
                return Err(StoreError::NotFound);
            };
            if saved.version != version_seen {
                return Err(StoreError::Conflict);
            }
            check_commissioner(conn, contract.commissioner_id)?;
            let terms = ContractTerms::of(contract);
            let changed = terms.changed_from(&saved);
            // Once a period's figures are kept they are published: counting them again
            // by other terms, or showing them under a lower threshold, would let the old
            // and new figures be set side by side to work out a count the first hid. A
            // new commissioner would also be given the old one's reports and meetings.
            let mut fixed = Invalid::default();
            for term in changed.iter().filter(|t| COUNTED_TERMS.contains(t)) {
                fixed.push(*term, msg::CONTRACT_TERM_PUBLISHED);
            }
            if changed.contains(&"commissioner") {
                fixed.push("commissioner", msg::CONTRACT_COMMISSIONER_PUBLISHED);
            }
            if contract.threshold < saved.threshold() {
                fixed.push("threshold", msg::CONTRACT_THRESHOLD_PUBLISHED);
            }
            // Only a change of what is fixed asks whether anything is published yet.
            if !fixed.0.is_empty()
                && diesel::select(diesel::dsl::exists(
                    report_snapshots::table.filter(report_snapshots::contract_id.eq(contract_id)),
                ))
                .get_result::<bool>(conn)?
            {
                return Err(fixed.into());
            }
            let updated = diesel::update(
                contracts::table
                    .filter(contracts::id.eq(contract_id))
                    .filter(contracts::provider_id.eq(actor.organisation_id))
                    .filter(contracts::version.eq(version_seen)),
            )
            .set((&terms, contracts::version.eq(version_seen + 1)))
            .execute(conn)?;
            if updated != 1 {
                return Err(StoreError::Conflict);
            }
            let what = if changed.is_empty() {
                "nothing changed".to_string()
            } else {
                format!("changed {}", changed.join(", "))
            };
            trail.record(
                AuditEvent::by(actor, AuditAction::Update, "contract", Some(contract_id))
                    .because(what),
            );
            Ok(())
        })
    }

    /// The contracts the actor may see, newest first.
    pub fn contracts(&self, actor: &Actor) -> Result<Vec<ContractRow>, StoreError> {
        let (commissioner, provider) = contract_scope(actor);
        self.write(|conn, trail| {
            let records: Vec<ContractRecord> = visible_contracts(commissioner, provider)
                .order((contracts::starts_on.desc(), contracts::id.desc()))
                .select(ContractRecord::as_select())
                .load(conn)?;
            trail.record(AuditEvent::by(
                actor,
                AuditAction::Read,
                "contract_list",
                None,
            ));
            named(conn, records)
        })
    }

    /// One contract, if the actor may see it; otherwise not found, as for a contract
    /// that does not exist.
    pub fn contract(&self, actor: &Actor, contract_id: i64) -> Result<ContractRow, StoreError> {
        self.read_scoped(actor, "contract", contract_id, |conn| match find_contract(
            conn,
            actor,
            contract_id,
        )? {
            Some(record) => Ok(named(conn, vec![record])?.pop()),
            None => Ok(None),
        })
    }

    /// The counts behind a contract's report for one period. The period must be one of
    /// the contract's (the page checks it with `reporting::parse_period`).
    pub fn report_facts(
        &self,
        actor: &Actor,
        contract_id: i64,
        period: Period,
        calendar: &WorkingDayCalendar,
        today: NaiveDate,
    ) -> Result<ReportFacts, StoreError> {
        let mut facts =
            self.report_facts_by_period(actor, contract_id, &[period], calendar, today)?;
        facts.pop().ok_or(StoreError::NotFound)
    }

    /// The counts of several periods of one contract, in the order asked, as one audited
    /// read: the annual report of a quarterly contract needs the year and each quarter,
    /// and one read records one access and costs one durable write, not five.
    ///
    /// A period is counted once, the first time its report is asked for, and those
    /// counts are kept (`report_snapshots`) and given every time after: figures once
    /// published never change, so no two versions of a report can be compared to work
    /// out a count that suppression hid. Counting runs before the audited write, so a
    /// large count never holds up everybody else's writes; the write keeps the counts
    /// unless another request kept its own first, and then gives those. A contract
    /// changed between the count and the write is counted again by its new terms: what
    /// was counted by its old ones is neither kept nor given.
    pub fn report_facts_by_period(
        &self,
        actor: &Actor,
        contract_id: i64,
        periods: &[Period],
        calendar: &WorkingDayCalendar,
        today: NaiveDate,
    ) -> Result<Vec<ReportFacts>, StoreError> {
        // A change saved while counting is rare; a reader caught by one every time is
        // told so rather than kept waiting for ever.
        for _ in 0..3 {
            match self.report_facts_once(actor, contract_id, periods, calendar, today) {
                Err(StoreError::Conflict) => continue,
                answer => return answer,
            }
        }
        Err(StoreError::Conflict)
    }

    /// One attempt of [`Store::report_facts_by_period`]: `Conflict` when the contract
    /// changed between the count and the write.
    fn report_facts_once(
        &self,
        actor: &Actor,
        contract_id: i64,
        periods: &[Period],
        calendar: &WorkingDayCalendar,
        today: NaiveDate,
    ) -> Result<Vec<ReportFacts>, StoreError> {
        let counted = self.read(|conn| {
            conn.transaction(|conn| {
                let Some(contract) = find_contract(conn, actor, contract_id)? else {
                    return Ok(None);
                };
                // Checked here as well as on the page: only a finished period of the
                // contract's own is ever counted.
                let quarters = contract_periods(
                    contract.starts_on,
                    contract.ends_on,
                    contract.reporting_period(),
                );
                let years = contract_years(contract.starts_on, contract.ends_on);
                let mut kept = Vec::with_capacity(periods.len());
                for period in periods {
                    let own = quarters.contains(period) || years.contains(period);
                    if !own || !has_ended(*period, today) {
                        return Err(
                            Invalid::one("from", msg::REPORT_PERIOD_NOT_FINISHED_OR_OWN).into()
                        );
                    }
                    kept.push(kept_report(conn, contract_id, *period)?);
                }
                // The periods not kept yet are counted together, in one walk.
                let uncounted: Vec<Period> = periods
                    .iter()
                    .zip(&kept)
                    .filter(|(_, kept)| kept.is_none())
                    .map(|(period, _)| *period)
                    .collect();
                let mut counted =
                    count_reports(conn, &contract, &uncounted, calendar, today)?.into_iter();
                let mut facts = Vec::with_capacity(periods.len());
                for kept in kept {
                    facts.push(match kept {
                        Some(kept) => (kept, false),
                        None => (counted.next().ok_or(StoreError::NotFound)?, true),
                    });
                }
                Ok::<_, StoreError>(Some((contract.version, facts)))
            })
        })?;
        // A write, not an audited read: the first counts of a period are kept here.
        self.write(|conn, trail| {
            // Asked again inside the audited write, so that a contract taken out of the
            // actor's sight meanwhile is a denied access, not a read.
            let current = find_contract(conn, actor, contract_id)?;
            // A contract changed meanwhile was counted by terms it no longer has, and its
            // kept counts may have been discarded since they were read: nothing counted
            // by the old terms is kept or given, and the reader asks again.
            if let (Some(current), Some((counted_version, _))) = (&current, &counted)
                && current.version != *counted_version
            {
                return Err(StoreError::Conflict);
            }
            let counted = counted
                .filter(|_| current.is_some())
                .map(|(_, facts)| facts);
            trail.record(crate::audited_access(
                actor,
                counted.is_some(),
                "contract_report",
                contract_id,
            ));
            let Some(counted) = counted else {
                return Ok(None);
            };
            let mut facts = Vec::with_capacity(counted.len());
            for (period, (counts, fresh)) in periods.iter().zip(counted) {
                if !fresh {
                    facts.push(counts);
                } else if let Some(kept) = kept_report(conn, contract_id, *period)? {
                    facts.push(kept);
                } else {
                    keep_report(conn, contract_id, *period, &counts)?;
                    facts.push(counts);
                }
            }
            Ok(Some(facts))
        })?
        .ok_or(StoreError::NotFound)
    }

    /// Whether the counts of every one of `periods` of a contract are kept, so that
    /// asking for them reads and counts nothing. Says nothing about what they are, and
    /// is asked only about a contract its reader has been shown.
    pub fn reports_kept(&self, contract_id: i64, periods: &[Period]) -> Result<bool, StoreError> {
        self.read(|conn| {
            for period in periods {
                if !is_kept(conn, contract_id, *period)? {
                    return Ok(false);
                }
            }
            Ok(true)
        })
    }

    /// Counts and keeps, in the background, the figures of finished periods that no one
    /// has asked for yet, so that a report opens at once instead of counting a year of
    /// records while its reader waits. Only periods that ended at least `settle_days`
    /// before `today` are counted: records are often entered some days late, and the
    /// first count is the one kept. At most `limit` periods are counted in one call, each
    /// contract's on its own read and its own short audited write, so a long backlog
    /// never holds the database for long. Answers how many periods were counted and kept.
    pub fn count_settled_reports(
        &self,
        calendar: &WorkingDayCalendar,
        today: NaiveDate,
        settle_days: u32,
        limit: usize,
    ) -> Result<usize, StoreError> {
        let Some(settled) = today.checked_sub_days(chrono::Days::new(u64::from(settle_days)))
        else {
            return Ok(0);
        };
        let due = self.read(|conn| {
            let contracts: Vec<ContractRecord> = contracts::table
                .order(contracts::id.asc())
                .select(ContractRecord::as_select())
                .load(conn)?;
            let mut due = Vec::new();
            for contract in contracts {
                let mut periods = contract_periods(
                    contract.starts_on,
                    contract.ends_on,
                    contract.reporting_period(),
                );
                periods.extend(contract_years(contract.starts_on, contract.ends_on));
                periods.sort_by_key(|p| (p.from, p.to));
                periods.dedup();
                for period in periods {
                    if due.len() == limit {
                        return Ok(due);
                    }
                    if period.to < settled
                        && has_ended(period, today)
                        && !is_kept(conn, contract.id, period)?
                    {
                        due.push((contract.clone(), period));
                    }
                }
            }
            Ok(due)
        })?;
        // `due` lists each contract's periods together, and a contract's periods are
        // counted in one walk over its records: a year and its quarters cost about
        // what the year alone does.
        let mut kept = 0;
        for of_contract in due.chunk_by(|(a, _), (b, _)| a.id == b.id) {
            let contract = &of_contract[0].0;
            let periods: Vec<Period> = of_contract.iter().map(|(_, period)| *period).collect();
            let counts = self.read(|conn| {
                conn.transaction(|conn| count_reports(conn, contract, &periods, calendar, today))
            })?;
            kept += self.write(|conn, trail| {
                // A contract changed since it was read was counted by terms it no longer
                // has: nothing is kept, and the next run counts it by the new ones.
                let version: Option<i64> = contracts::table
                    .find(contract.id)
                    .select(contracts::version)
                    .first(conn)
                    .optional()?;
                if version != Some(contract.version) {
                    return Ok(0);
                }
                let mut kept = 0;
                for (period, counts) in periods.iter().zip(&counts) {
                    if is_kept(conn, contract.id, *period)? {
                        continue;
                    }
                    keep_report(conn, contract.id, *period, counts)?;
                    kept += 1;
                    trail.record(
                        AuditEvent::anonymous(
                            AuditAction::Create,
                            "contract_report",
                            Some(contract.id),
                        )
                        .in_organisation(Some(contract.provider_id))
                        .because(format!(
                            "figures for {} to {} counted and kept in the background",
                            period.from, period.to
                        )),
                    );
                }
                Ok(kept)
            })?;
        }
        Ok(kept)
    }

    /// Records a link meeting on a contract, with its actions.
    pub fn record_meeting(
        &self,
        actor: &Actor,
        contract_id: i64,
        meeting: &NewMeeting,
    ) -> Result<i64, StoreError> {
        self.write(|conn, trail| {
            if find_contract(conn, actor, contract_id)?.is_none() {
                return Err(StoreError::NotFound);
            }
            let id: i64 = diesel::insert_into(link_meetings::table)
                .values((
                    link_meetings::contract_id.eq(contract_id),
                    link_meetings::held_on.eq(meeting.held_on),
                    link_meetings::attendees.eq(&meeting.attendees),
                    link_meetings::discussed.eq(&meeting.discussed),
                    link_meetings::recorded_by.eq(actor.user_id),
                    link_meetings::recorded_at.eq(now()),
                ))
                .returning(link_meetings::id)
                .get_result(conn)?;
            for (action, owner, due) in &meeting.actions {
                diesel::insert_into(meeting_actions::table)
                    .values((
                        meeting_actions::meeting_id.eq(id),
                        meeting_actions::action.eq(action),
                        meeting_actions::owner.eq(owner),
                        meeting_actions::due_on.eq(due),
                    ))
                    .execute(conn)?;
            }
            trail.record(AuditEvent::by(
                actor,
                AuditAction::Create,
                "link_meeting",
                Some(id),
            ));
            Ok(id)
        })
    }

    /// Marks a meeting's action done.
    pub fn complete_action(
        &self,
        actor: &Actor,
        contract_id: i64,
        action_id: i64,
        done_on: NaiveDate,
    ) -> Result<(), StoreError> {
        self.write(|conn, trail| {
            if find_contract(conn, actor, contract_id)?.is_none() {
                return Err(StoreError::NotFound);
            }
            let meeting_ids = link_meetings::table
                .filter(link_meetings::contract_id.eq(contract_id))
                .select(link_meetings::id);
            let changed = diesel::update(
                meeting_actions::table
                    .filter(meeting_actions::id.eq(action_id))
                    .filter(meeting_actions::meeting_id.eq_any(meeting_ids))
                    .filter(meeting_actions::done_on.is_null()),
            )
            .set(meeting_actions::done_on.eq(done_on))
            .execute(conn)?;
            if changed == 0 {
                return Err(StoreError::NotFound);
            }
            trail.record(AuditEvent::by(
                actor,
                AuditAction::Update,
                "meeting_action",
                Some(action_id),
            ));
            Ok(())
        })
    }

    /// A contract's link meetings, newest first.
    pub fn meetings(&self, actor: &Actor, contract_id: i64) -> Result<Vec<Meeting>, StoreError> {
        self.read_scoped(actor, "link_meetings", contract_id, |conn| {
            if find_contract(conn, actor, contract_id)?.is_none() {
                return Ok(None);
            }
            let records: Vec<LinkMeetingRecord> = link_meetings::table
                .filter(link_meetings::contract_id.eq(contract_id))
                .order((link_meetings::held_on.desc(), link_meetings::id.desc()))
                .select(LinkMeetingRecord::as_select())
                .load(conn)?;
            let ids: Vec<i64> = records.iter().map(|m| m.id).collect();
            let actions: Vec<MeetingActionRecord> = meeting_actions::table
                .filter(meeting_actions::meeting_id.eq_any(&ids))
                .order(meeting_actions::id.asc())
                .select(MeetingActionRecord::as_select())
                .load(conn)?;
            Ok(Some(
                records
                    .into_iter()
                    .map(|record| Meeting {
                        actions: actions
                            .iter()
                            .filter(|a| a.meeting_id == record.id)
                            .cloned()
                            .collect(),
                        record,
                    })
                    .collect(),
            ))
        })
    }

    /// For each running contract the actor may see: when its next link meeting is due
    /// and how many actions agreed at its meetings are still open, and overdue. For the
    /// home pages of managers and commissioners (every contract) and a contract's
    /// meetings page (`only` that one); nothing in it is about a person.
    pub fn link_meeting_reminders(
        &self,
        actor: &Actor,
        today: NaiveDate,
        only: Option<i64>,
    ) -> Result<Vec<MeetingReminder>, StoreError> {
        let (commissioner, provider) = contract_scope(actor);
        self.read(|conn| {
            let mut query = visible_contracts(commissioner, provider).into_boxed();
            if let Some(id) = only {
                query = query.filter(contracts::id.eq(id));
            }
            let running: Vec<(i64, String, NaiveDate)> = query
                .filter(contracts::starts_on.le(today))
                .filter(contracts::ends_on.ge(today))
                .order((contracts::starts_on.asc(), contracts::id.asc()))
                .select((contracts::id, contracts::name, contracts::starts_on))
                .load(conn)?;
            let ids: Vec<i64> = running.iter().map(|(id, _, _)| *id).collect();
            let last_held: Vec<(i64, Option<NaiveDate>)> = link_meetings::table
                .filter(link_meetings::contract_id.eq_any(&ids))
                .group_by(link_meetings::contract_id)
                .select((
                    link_meetings::contract_id,
                    diesel::dsl::max(link_meetings::held_on),
                ))
                .load(conn)?;
            let open: Vec<(i64, Option<NaiveDate>)> = meeting_actions::table
                .inner_join(
                    link_meetings::table.on(link_meetings::id.eq(meeting_actions::meeting_id)),
                )
                .filter(link_meetings::contract_id.eq_any(&ids))
                .filter(meeting_actions::done_on.is_null())
                .select((link_meetings::contract_id, meeting_actions::due_on))
                .load(conn)?;
            Ok(running
                .into_iter()
                .map(|(id, name, starts_on)| {
                    let last = last_held
                        .iter()
                        .find(|(contract, _)| *contract == id)
                        .and_then(|(_, held)| *held);
                    let actions = open.iter().filter(|(contract, _)| *contract == id);
                    MeetingReminder {
                        contract_id: id,
                        contract_name: name,
                        next_due: advocase_domain::reporting::next_link_meeting_due(
                            starts_on, last,
                        ),
                        open_actions: actions.clone().count(),
                        overdue_actions: actions
                            .filter(|(_, due)| due.is_some_and(|d| d < today))
                            .count(),
                    }
                })
                .collect())
        })
    }

    /// Replaces a commissioner's population figures for the areas and years in `rows`,
    /// all in one transaction. Each area must be one a contract of theirs names, matched
    /// without regard to capitals and stored as the contract spells it: figures for an
    /// area no contract names would never meet a referral, and the same area typed
    /// another way must replace its figures, not sit beside them.
    pub fn import_population(
        &self,
        actor: &Actor,
        rows: &[PopulationRow],
    ) -> Result<usize, StoreError> {
        require_role(actor, &[Role::Commissioner])?;
        self.write(|conn, trail| {
            let named: Vec<String> = contracts::table
                .filter(contracts::commissioner_id.eq(actor.organisation_id))
                .select(ContractRecord::as_select())
                .load::<ContractRecord>(conn)?
                .iter()
                .flat_map(ContractRecord::area_names)
                .collect();
            let at = now();
            for row in rows {
                let Some(area) = named.iter().find(|a| a.eq_ignore_ascii_case(&row.area)) else {
                    return Err(Invalid::one(
                        "file",
                        msg::POPULATION_LINE_AREA_UNKNOWN
                            .with("line", row.line)
                            .with("area", &row.area),
                    )
                    .into());
                };
                let kept: Vec<(i64, String)> = population_figures::table
                    .filter(population_figures::commissioner_id.eq(actor.organisation_id))
                    .filter(population_figures::year.eq(row.year))
                    .select((population_figures::id, population_figures::area))
                    .load(conn)?;
                let replaced: Vec<i64> = kept
                    .into_iter()
                    .filter(|(_, kept)| kept.eq_ignore_ascii_case(area))
                    .map(|(id, _)| id)
                    .collect();
                diesel::delete(
                    population_figures::table.filter(population_figures::id.eq_any(&replaced)),
                )
                .execute(conn)?;
                diesel::insert_into(population_figures::table)
                    .values((
                        population_figures::commissioner_id.eq(actor.organisation_id),
                        population_figures::area.eq(area),
                        population_figures::year.eq(row.year),
                        population_figures::adults.eq(row.adults),
                        population_figures::assessments.eq(row.assessments),
                        population_figures::imported_by.eq(actor.user_id),
                        population_figures::imported_at.eq(at),
                    ))
                    .execute(conn)?;
            }
            trail.record(AuditEvent::by(
                actor,
                AuditAction::Create,
                "population_figures",
                None,
            ));
            Ok(rows.len())
        })
    }

    /// Sets the expected rates a commissioner's demand analysis uses.
    pub fn set_demand_rates(
        &self,
        actor: &Actor,
        difficulty_permille: i64,
        no_individual_permille: i64,
    ) -> Result<(), StoreError> {
        require_role(actor, &[Role::Commissioner])?;
        self.write(|conn, trail| {
            diesel::delete(demand_rates::table.find(actor.organisation_id)).execute(conn)?;
            diesel::insert_into(demand_rates::table)
                .values((
                    demand_rates::commissioner_id.eq(actor.organisation_id),
                    demand_rates::difficulty_permille.eq(difficulty_permille),
                    demand_rates::no_individual_permille.eq(no_individual_permille),
                    demand_rates::set_by.eq(actor.user_id),
                    demand_rates::set_at.eq(now()),
                ))
                .execute(conn)?;
            trail.record(AuditEvent::by(
                actor,
                AuditAction::Update,
                "demand_rates",
                None,
            ));
            Ok(())
        })
    }

    /// A commissioner's demand figures for a calendar year: each area's population and
    /// assessments, the expected rates, and the referrals from professionals by team
    /// to the providers they fund (the page rounds these). Referrals by area come from
    /// the published reports instead, never from here.
    pub fn demand(&self, actor: &Actor, year: i32) -> Result<DemandFacts, StoreError> {
        require_role(actor, &[Role::Commissioner])?;
        self.write(|conn, trail| {
            let figures: Vec<PopulationRecord> = population_figures::table
                .filter(population_figures::commissioner_id.eq(actor.organisation_id))
                .filter(population_figures::year.eq(year))
                .order(population_figures::area.asc())
                .select(PopulationRecord::as_select())
                .load(conn)?;
            let rates: Option<DemandRatesRecord> = demand_rates::table
                .find(actor.organisation_id)
                .select(DemandRatesRecord::as_select())
                .first(conn)
                .optional()?;
            let funded: Vec<ContractRecord> = contracts::table
                .filter(contracts::commissioner_id.eq(actor.organisation_id))
                .select(ContractRecord::as_select())
                .load(conn)?;
            let (from, to) = (
                NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default(),
                NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or_default(),
            );
            // Teams are counted over what the commissioner funds: each provider's
            // referrals from the areas of its own contracts with them that ran in the
            // year, not another commissioner's work in the same place.
            let funded: Vec<ContractRecord> = funded
                .into_iter()
                .filter(|c| c.starts_on <= to && c.ends_on >= from)
                .collect();
            let mut providers: Vec<i64> = funded.iter().map(|c| c.provider_id).collect();
            providers.sort_unstable();
            providers.dedup();
            let mut areas: Vec<String> = funded.iter().flat_map(|c| c.area_names()).collect();
            areas.sort_unstable();
            areas.dedup();
            let by_team: Vec<(i64, Option<String>, Option<String>, i64)> = referrals::table
                .filter(referrals::provider_id.eq_any(&providers))
                .filter(referrals::local_authority.eq_any(&areas))
                .filter(referrals::referrer_kind.eq("professional"))
                .filter(referrals::received_at.ge(uk_day_start(from)))
                .filter(referrals::received_at.lt(after(to)))
                .group_by((
                    referrals::provider_id,
                    referrals::local_authority,
                    referrals::referrer_organisation,
                ))
                .select((
                    referrals::provider_id,
                    referrals::local_authority,
                    referrals::referrer_organisation,
                    diesel::dsl::count_star(),
                ))
                .load(conn)?;
            let by_team = by_team.into_iter().filter(|(provider, area, _, _)| {
                funded.iter().any(|c| {
                    c.provider_id == *provider
                        && area
                            .as_deref()
                            .is_some_and(|area| c.area_names().iter().any(|a| a == area))
                })
            });
            trail.record(AuditEvent::by(actor, AuditAction::Read, "demand", None));
            let mut teams: BTreeMap<String, u64> = BTreeMap::new();
            for (_, _, team, n) in by_team {
                let team = team.map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
                *teams
                    .entry(team.unwrap_or_else(|| "not_given".into()))
                    .or_default() += n.max(0) as u64;
            }
            Ok(DemandFacts {
                areas: figures
                    .into_iter()
                    .map(|f| DemandArea {
                        area: f.area,
                        adults: f.adults,
                        assessments: f.assessments,
                    })
                    .collect(),
                rates: rates.map(|r| (r.difficulty_permille, r.no_individual_permille)),
                teams: teams.into_iter().collect(),
            })
        })
    }
}

/// One area's demand figures.
#[derive(Debug, Clone)]
pub struct DemandArea {
    pub area: String,
    pub adults: i64,
    pub assessments: i64,
}

#[derive(Debug, Clone, Default)]
pub struct DemandFacts {
    pub areas: Vec<DemandArea>,
    /// (difficulty, no appropriate individual), in tenths of a per cent.
    pub rates: Option<(i64, i64)>,
    /// Referrals by referring team (professional referrers' organisations).
    pub teams: Vec<(String, u64)>,
}

fn named(
    conn: &mut crate::DbConnection,
    records: Vec<ContractRecord>,
) -> Result<Vec<ContractRow>, StoreError> {
    let names: HashMap<i64, String> = organisations::table
        .select((organisations::id, organisations::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    Ok(records
        .into_iter()
        .map(|record| ContractRow {
            provider: names.get(&record.provider_id).cloned().unwrap_or_default(),
            commissioner: names
                .get(&record.commissioner_id)
                .cloned()
                .unwrap_or_default(),
            record,
        })
        .collect())
}

/// The shape of the counts kept in `report_snapshots`. Raise it when `ReportFacts`
/// changes: a period kept in an older shape is counted again the next time it is asked
/// for, the one time its figures can change.
const SNAPSHOT_VERSION: i32 = 2;

/// The counts kept for a period, if they were kept in the current shape.
fn kept_report(
    conn: &mut crate::DbConnection,
    contract_id: i64,
    period: Period,
) -> Result<Option<ReportFacts>, StoreError> {
    let kept: Option<String> = report_snapshots::table
        .find((contract_id, period.from, period.to))
        .filter(report_snapshots::version.eq(SNAPSHOT_VERSION))
        .select(report_snapshots::facts)
        .first(conn)
        .optional()?;
    kept.map(|text| {
        serde_json::from_str(&text)
            .map_err(|e| StoreError::Data(format!("the kept counts of a report do not read: {e}")))
    })
    .transpose()
}

/// Whether a period's counts are kept in the current shape, without reading them.
fn is_kept(
    conn: &mut crate::DbConnection,
    contract_id: i64,
    period: Period,
) -> Result<bool, StoreError> {
    Ok(report_snapshots::table
        .find((contract_id, period.from, period.to))
        .filter(report_snapshots::version.eq(SNAPSHOT_VERSION))
        .select(report_snapshots::contract_id)
        .first::<i64>(conn)
        .optional()?
        .is_some())
}

/// Keeps a period's counts, replacing any kept in an older shape.
fn keep_report(
    conn: &mut crate::DbConnection,
    contract_id: i64,
    period: Period,
    facts: &ReportFacts,
) -> Result<(), StoreError> {
    let text = serde_json::to_string(facts)
        .map_err(|e| StoreError::Data(format!("the counts of a report do not write: {e}")))?;
    diesel::delete(report_snapshots::table.find((contract_id, period.from, period.to)))
        .execute(conn)?;
    diesel::insert_into(report_snapshots::table)
        .values((
            report_snapshots::contract_id.eq(contract_id),
            report_snapshots::period_from.eq(period.from),
            report_snapshots::period_to.eq(period.to),
            report_snapshots::version.eq(SNAPSHOT_VERSION),
            report_snapshots::facts.eq(text),
            report_snapshots::counted_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}
