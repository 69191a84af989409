//! The counts behind a contract's monitoring reports, before suppression.
//!
//! A report is asked for one period, but the annual report of a quarterly contract
//! needs its year and each of the year's quarters. Every count walks the provider's
//! cases, whatever the period's length, so the periods asked for together are counted
//! together: each count is made once over the span they cover, cut into segments where
//! any of them starts or ends, and each period's figure is the sum of the segments it
//! covers. A year and its quarters cost one walk, not five.

use crate::StoreError;
use crate::commissioning::{ContractRecord, ReportFacts};
use crate::schema::{
    case_issues, cases, complaints, contacts, equality_answers, feedback_responses, people,
    referral_decisions, referrals, safeguarding_concerns, service_signals,
};
use advocase_domain::clocks::{
    WorkingDayCalendar, first_contact_target_due, uk_day_start, uk_time,
};
use advocase_domain::reporting::{Breakdown, Period, is_urgent};
use advocase_domain::workforce::{CHARACTERISTICS, NOT_KNOWN, PREFER_NOT_TO_SAY};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::backend::Backend;
use diesel::dsl::{count_star, exists, not, sum};
use diesel::expression::{
    AppearsOnTable, IsContainedInGroupBy, SqlLiteral, ValidGrouping, is_aggregate,
    is_contained_in_group_by,
};
use diesel::prelude::*;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::Integer;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;
use std::hash::Hash;
use std::ops::Range;

// Outcomes are counted grouped by their own columns and their case's kind of advocacy
// together; Diesel allows columns of two tables in one GROUP BY only when told so.
diesel::allow_columns_to_appear_in_same_group_by_clause!(
    case_issues::outcome,
    case_issues::process,
    cases::duty,
);

/// The cases a contract counts: the provider's, of the duties it covers, for people whose
/// record names one of its areas.
#[diesel::dsl::auto_type]
fn in_contract(provider: i64, duties: Vec<String>, areas: Vec<String>) -> _ {
    cases::provider_id
        .eq(provider)
        .and(cases::duty.eq_any(duties))
        .and(people::local_authority.eq_any(areas).assume_not_null())
}

/// The UTC instant the UK day after `day` starts: system timestamps (received, opened,
/// closed, decided) are stored in UTC and a period runs from UK midnight to UK midnight.
pub(crate) fn after(day: NaiveDate) -> NaiveDateTime {
    uk_day_start(day.succ_opt().unwrap_or(day))
}

/// Midnight at the start of `day` on the UK wall clock, for times people record as they
/// read them (when a contact happened).
fn wall_clock_midnight(day: NaiveDate) -> NaiveDateTime {
    day.and_time(chrono::NaiveTime::MIN)
}

/// A cut in SQL text, for a column of system timestamps.
fn utc_cut(day: NaiveDate) -> String {
    uk_day_start(day).format("%Y-%m-%d %H:%M:%S").to_string()
}

/// A cut in SQL text, for a column of wall-clock times.
fn wall_clock_cut(day: NaiveDate) -> String {
    wall_clock_midnight(day)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// A cut in SQL text, for a column of dates.
fn date_cut(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

/// The span of several periods, cut at the day each of them starts and the day after
/// each ends. Segment `i` runs from `cuts[i]` to the day before `cuts[i + 1]`.
struct Segments {
    cuts: Vec<NaiveDate>,
}

impl Segments {
    fn new(periods: &[Period]) -> Self {
        let mut cuts: Vec<NaiveDate> = periods
            .iter()
            .flat_map(|p| [p.from, p.to.succ_opt().unwrap_or(p.to)])
            .collect();
        cuts.sort_unstable();
        cuts.dedup();
        Self { cuts }
    }

    /// The first and last day counted, if there is anything to count.
    fn span(&self) -> Option<Period> {
        match (self.cuts.first(), self.cuts.last()) {
            (Some(from), Some(end)) if from < end => Some(Period {
                from: *from,
                to: end.pred_opt().unwrap_or(*end),
            }),
            _ => None,
        }
    }

    /// How many segments the span is cut into.
    fn count(&self) -> usize {
        self.cuts.len().saturating_sub(1)
    }

    /// The segments a period covers.
    fn of_period(&self, period: Period) -> Range<usize> {
        let first = self.cuts.partition_point(|cut| *cut < period.from);
        let end = self.cuts.partition_point(|cut| *cut <= period.to);
        first..end
    }

    /// The segment a system timestamp falls in, if it falls in the span.
    fn of_instant(&self, at: NaiveDateTime) -> Option<usize> {
        let after_it = self.cuts.partition_point(|cut| uk_day_start(*cut) <= at);
        (after_it > 0 && after_it < self.cuts.len()).then(|| after_it - 1)
    }

    /// The segment of each row, as SQL comparing `column` with each cut written by `cut`.
    /// A row past the last cut, which the queries' own bounds leave out, would fall in
    /// no segment.
    fn sql(&self, column: &str, cut: fn(NaiveDate) -> String) -> SegmentOfRow {
        let mut text = String::from("CASE");
        for (segment, end) in self.cuts.iter().skip(1).enumerate() {
            let _ = write!(text, " WHEN {column} < '{}' THEN {segment}", cut(*end));
        }
        let _ = write!(text, " ELSE {} END", self.cuts.len());
        SegmentOfRow(diesel::dsl::sql::<Integer>(&text))
    }

    /// Counts made by segment, summed into each period's counts.
    fn per_period<K: Eq + Hash + Clone>(
        &self,
        periods: &[Period],
        rows: &[(i32, K, i64)],
    ) -> Vec<Vec<(K, i64)>> {
        periods
            .iter()
            .map(|period| {
                let covered = self.of_period(*period);
                let mut sums: HashMap<K, i64> = HashMap::new();
                for (segment, key, n) in rows {
                    if usize::try_from(*segment).is_ok_and(|s| covered.contains(&s)) {
                        *sums.entry(key.clone()).or_default() += n;
                    }
                }
                sums.into_iter().collect()
            })
            .collect()
    }
}

/// A whole number worked out from a row in SQL, to group counts by beside columns: the
/// segment a row falls in (a `CASE` over the cuts), or whether a column is filled in.
/// Diesel checks at compile time that every selected column is grouped by, and knows
/// nothing of a piece of SQL text; this type tells it that the text is no column, so
/// grouping by it and a column together is accepted. Everything is written into the
/// text rather than bound: PostgreSQL accepts a selected expression as grouped only when
/// the grouping one is written the same, and each bound parameter is numbered anew.
/// The text is made here from dates and column names, never from input.
#[derive(Debug, Clone)]
struct SegmentOfRow(SqlLiteral<Integer>);

impl SegmentOfRow {
    /// 1 where `column` is filled in, 0 where it is empty (NULL).
    fn filled_in(column: &str) -> Self {
        SegmentOfRow(diesel::dsl::sql::<Integer>(&format!(
            "CASE WHEN {column} IS NULL THEN 0 ELSE 1 END"
        )))
    }
}

impl Expression for SegmentOfRow {
    type SqlType = Integer;
}

impl<DB: Backend> QueryFragment<DB> for SegmentOfRow
where
    SqlLiteral<Integer>: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        self.0.walk_ast(pass)
    }
}

impl QueryId for SegmentOfRow {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<QS> AppearsOnTable<QS> for SegmentOfRow {}

impl<QS> SelectableExpression<QS> for SegmentOfRow {}

impl<GroupBy> ValidGrouping<GroupBy> for SegmentOfRow {
    type IsAggregate = is_aggregate::Never;
}

impl<C: Column> IsContainedInGroupBy<C> for SegmentOfRow {
    type Output = is_contained_in_group_by::No;
}

/// Adds one breakdown to each period's facts.
fn push_each(
    all: &mut [ReportFacts],
    id: &'static str,
    per_period: Vec<Vec<(String, i64)>>,
    order: &[&str],
) {
    for (facts, rows) in all.iter_mut().zip(per_period) {
        facts.breakdowns.push(Breakdown {
            id: id.into(),
            rows: counts(rows, order),
        });
    }
}

fn counts(rows: Vec<(String, i64)>, order: &[&str]) -> Vec<(String, u64)> {
    let found: HashMap<String, i64> = rows.into_iter().collect();
    let mut out: Vec<(String, u64)> = order
        .iter()
        .map(|code| {
            (
                code.to_string(),
                found.get(*code).copied().unwrap_or(0).max(0) as u64,
            )
        })
        .collect();
    // Anything recorded under a code not in the list still counts, as "other".
    let other: i64 = found
        .iter()
        .filter(|(code, _)| !order.contains(&code.as_str()))
        .map(|(_, n)| *n)
        .sum();
    if other > 0 {
        out.push(("other".into(), other as u64));
    }
    out
}

const REFERRER_KINDS: &[&str] = &["self", "professional", "family_or_friend", "other"];
const CONTACT_MODES: &[&str] = &["in_person", "phone", "video", "letter", "other"];
const CLOSURE_REASONS: &[&str] = &[
    "completed",
    "handed_over",
    "moved_area",
    "withdrew",
    "died",
    "duty_ended",
];
const OUTCOME_LEVELS: &[&str] = &["achieved", "partly", "not_achieved"];
const PROCESSES: &[&str] = &[
    "assessment",
    "planning",
    "review",
    "safeguarding_enquiry",
    "safeguarding_adult_review",
    "care_review",
    "tribunal",
    "complaint",
    "other",
];
const ABUSE_CATEGORIES: &[&str] = &[
    "physical",
    "domestic",
    "sexual",
    "psychological",
    "financial",
    "modern_slavery",
    "discriminatory",
    "organisational",
    "neglect",
    "self_neglect",
];

/// The counts of each of `periods` of one contract, in the order given, all finished
/// periods of the contract's own (the caller checks).
pub(crate) fn count_reports(
    conn: &mut crate::DbConnection,
    contract: &ContractRecord,
    periods: &[Period],
    calendar: &WorkingDayCalendar,
    today: NaiveDate,
) -> Result<Vec<ReportFacts>, StoreError> {
    let segments = Segments::new(periods);
    let mut all: Vec<ReportFacts> = periods.iter().map(|_| ReportFacts::default()).collect();
    let Some(span) = segments.span() else {
        return Ok(all);
    };
    let provider = contract.provider_id;
    let duties = contract.duty_codes();
    let areas = contract.area_names();
    let (start, end) = (uk_day_start(span.from), after(span.to));
    let scope = || in_contract(provider, duties.clone(), areas.clone());
    let duty_order: Vec<&str> = duties.iter().map(String::as_str).collect();
    let area_order: Vec<&str> = areas.iter().map(String::as_str).collect();

    // Activity: referrals from the contract's areas, by who referred, by area and by the
    // kinds of advocacy they were considered for. A referral decided only for kinds the
    // contract does not cover is another contract's; one not decided yet may be this
    // one's, and is counted.
    // Written with EXISTS, not `NOT IN (subquery)`: PostgreSQL runs the latter row by
    // row once a million decisions no longer fit its memory for hashing.
    let decisions =
        || referral_decisions::table.filter(referral_decisions::referral_id.eq(referrals::id));
    let received = || {
        referrals::table
            .filter(referrals::provider_id.eq(provider))
            .filter(referrals::local_authority.eq_any(areas.clone()))
            .filter(referrals::received_at.ge(start))
            .filter(referrals::received_at.lt(end))
    };
    let referral_rows = || {
        received().filter(not(exists(decisions())).or(exists(
            decisions().filter(referral_decisions::duty.eq_any(duties.clone())),
        )))
    };
    let received_in = || segments.sql("referrals.received_at", utc_cut);
    let by_referrer: Vec<(i32, String, i64)> = referral_rows()
        .group_by((received_in(), referrals::referrer_kind))
        .select((received_in(), referrals::referrer_kind, count_star()))
        .load(conn)?;
    push_each(
        &mut all,
        "referrals-by-referrer",
        segments.per_period(periods, &by_referrer),
        REFERRER_KINDS,
    );
    let by_area: Vec<(i32, Option<String>, i64)> = referral_rows()
        .group_by((received_in(), referrals::local_authority))
        .select((received_in(), referrals::local_authority, count_star()))
        .load(conn)?;
    let by_area: Vec<(i32, String, i64)> = by_area
        .into_iter()
        .filter_map(|(s, a, n)| a.map(|a| (s, a, n)))
        .collect();
    push_each(
        &mut all,
        "referrals-by-area",
        segments.per_period(periods, &by_area),
        &area_order,
    );

    // Joined with a decision for one of the contract's duties, a referral is in scope.
    let considered: Vec<(i32, String, i64)> = received()
        .inner_join(referral_decisions::table.on(referral_decisions::referral_id.eq(referrals::id)))
        .filter(referral_decisions::duty.eq_any(duties.clone()))
        .group_by((received_in(), referral_decisions::duty))
        .select((received_in(), referral_decisions::duty, count_star()))
        .load(conn)?;
    let undecided: Vec<(i32, i64)> = received()
        .filter(not(exists(decisions())))
        .group_by(received_in())
        .select((received_in(), count_star()))
        .load(conn)?;
    let undecided: Vec<(i32, String, i64)> = undecided
        .into_iter()
        .map(|(s, n)| (s, "not_decided".to_string(), n))
        .collect();
    for ((facts, considered), undecided) in all
        .iter_mut()
        .zip(segments.per_period(periods, &considered))
        .zip(segments.per_period(periods, &undecided))
    {
        let mut rows = counts(considered, &duty_order);
        let undecided: i64 = undecided.iter().map(|(_, n)| n).sum();
        rows.push(("not_decided".into(), undecided.max(0) as u64));
        facts.breakdowns.push(Breakdown {
            id: "referrals-by-duty".into(),
            rows,
        });
    }

    let case_rows = || cases::table.inner_join(people::table.on(people::id.eq(cases::person_id)));
    let opened_in = || segments.sql("cases.opened_at", utc_cut);
    let opened: Vec<(i32, String, i64)> = case_rows()
        .filter(scope())
        .filter(cases::opened_at.ge(start))
        .filter(cases::opened_at.lt(end))
        .group_by((opened_in(), cases::duty))
        .select((opened_in(), cases::duty, count_star()))
        .load(conn)?;
    push_each(
        &mut all,
        "cases-opened-by-duty",
        segments.per_period(periods, &opened),
        &duty_order,
    );
    let closed_in = || segments.sql("cases.closed_at", utc_cut);
    let closed: Vec<(i32, Option<String>, i64)> = case_rows()
        .filter(scope())
        .filter(cases::closed_at.ge(start))
        .filter(cases::closed_at.lt(end))
        .group_by((closed_in(), cases::closure_reason))
        .select((closed_in(), cases::closure_reason, count_star()))
        .load(conn)?;
    let closed: Vec<(i32, String, i64)> = closed
        .into_iter()
        .map(|(s, r, n)| (s, r.unwrap_or_else(|| "other".into()), n))
        .collect();
    push_each(
        &mut all,
        "cases-closed-by-reason",
        segments.per_period(periods, &closed),
        CLOSURE_REASONS,
    );
    let happened_in = || segments.sql("contacts.occurred_at", wall_clock_cut);
    let contact_rows: Vec<(i32, String, i64, Option<i64>)> = contacts::table
        .inner_join(cases::table.on(cases::id.eq(contacts::case_id)))
        .inner_join(people::table.on(people::id.eq(cases::person_id)))
        .filter(scope())
        .filter(contacts::occurred_at.ge(wall_clock_midnight(span.from)))
        .filter(
            contacts::occurred_at.lt(wall_clock_midnight(span.to.succ_opt().unwrap_or(span.to))),
        )
        .group_by((happened_in(), contacts::mode))
        .select((
            happened_in(),
            contacts::mode,
            count_star(),
            sum(contacts::duration_minutes),
        ))
        .load(conn)?;
    let contacts_by_mode: Vec<(i32, String, i64)> = contact_rows
        .iter()
        .map(|(s, mode, n, _)| (*s, mode.clone(), *n))
        .collect();
    let minutes: Vec<(i32, (), i64)> = contact_rows
        .iter()
        .map(|(s, _, _, minutes)| (*s, (), minutes.unwrap_or(0)))
        .collect();
    for (facts, minutes) in all.iter_mut().zip(segments.per_period(periods, &minutes)) {
        facts.contact_minutes = minutes.iter().map(|(_, m)| (*m).max(0) as u64).sum();
    }
    push_each(
        &mut all,
        "contacts-by-mode",
        segments.per_period(periods, &contacts_by_mode),
        CONTACT_MODES,
    );

    count_first_contacts(
        conn, contract, periods, &segments, &mut all, calendar, today,
    )?;

    // The waiting list at the end of each period: open, and no advocate yet. One read
    // finds every case waiting at the end of any of the periods.
    let earliest_end = periods.iter().map(|p| after(p.to)).min().unwrap_or(end);
    let waiting: Vec<(NaiveDateTime, Option<NaiveDateTime>, Option<NaiveDateTime>)> = case_rows()
        .filter(scope())
        .filter(cases::opened_at.lt(end))
        .filter(
            cases::allocated_at
                .is_null()
                .or(cases::allocated_at.ge(earliest_end)),
        )
        .filter(
            cases::closed_at
                .is_null()
                .or(cases::closed_at.ge(earliest_end)),
        )
        .select((cases::opened_at, cases::allocated_at, cases::closed_at))
        .load(conn)?;
    for (facts, period) in all.iter_mut().zip(periods) {
        let end = after(period.to);
        facts.waits = waiting
            .iter()
            .filter(|(opened, allocated, closed)| {
                *opened < end
                    && allocated.is_none_or(|at| at >= end)
                    && closed.is_none_or(|at| at >= end)
            })
            .map(|(opened, _, _)| (period.to - uk_time(*opened).date()).num_days().max(0))
            .collect();
        facts.breakdowns.push(Breakdown {
            id: "waiting-at-end".into(),
            rows: vec![("waiting".into(), facts.waits.len() as u64)],
        });
    }

    // Unmet need: decisions declined, and why, judged against the engine's suggestion.
    let decided_in = || segments.sql("referral_decisions.decided_at", utc_cut);
    let decided: Vec<(i32, String, String, i64)> = referral_decisions::table
        .inner_join(referrals::table.on(referrals::id.eq(referral_decisions::referral_id)))
        .filter(referrals::provider_id.eq(provider))
        .filter(referrals::local_authority.eq_any(areas.clone()))
        .filter(referral_decisions::duty.eq_any(duties.clone()))
        .filter(referral_decisions::decided_at.ge(start))
        .filter(referral_decisions::decided_at.lt(end))
        .group_by((
            decided_in(),
            referral_decisions::decision,
            referral_decisions::suggested,
        ))
        .select((
            decided_in(),
            referral_decisions::decision,
            referral_decisions::suggested,
            count_star(),
        ))
        .load(conn)?;
    let decided: Vec<(i32, (String, String), i64)> = decided
        .into_iter()
        .map(|(s, decision, suggested, n)| (s, (decision, suggested), n))
        .collect();
    for (facts, decisions) in all.iter_mut().zip(segments.per_period(periods, &decided)) {
        let mut why: BTreeMap<&str, u64> = BTreeMap::new();
        let mut every = 0;
        for ((decision, suggested), n) in &decisions {
            let n = (*n).max(0) as u64;
            every += n;
            if decision == "decline" {
                let reason = match suggested.as_str() {
                    "not_eligible" => "not_eligible",
                    "needs_information" => "needs_information",
                    _ => "declined_although_eligible",
                };
                *why.entry(reason).or_default() += n;
            }
        }
        facts.declined = (why.values().sum(), every);
        facts.breakdowns.push(Breakdown {
            id: "declined-why".into(),
            rows: [
                "not_eligible",
                "needs_information",
                "declined_although_eligible",
            ]
            .iter()
            .map(|r| (r.to_string(), why.get(r).copied().unwrap_or(0)))
            .collect(),
        });
    }

    count_outcomes(conn, contract, periods, &segments, &mut all)?;

    // Feedback for the contract's kinds of advocacy (or not said).
    let submitted_in = || segments.sql("feedback_responses.submitted_on", date_cut);
    let feedback: Vec<(i32, i64, Option<i64>)> = feedback_responses::table
        .filter(feedback_responses::provider_id.eq(provider))
        .filter(feedback_responses::submitted_on.ge(span.from))
        .filter(feedback_responses::submitted_on.le(span.to))
        .filter(
            feedback_responses::duty
                .eq_any(duties.clone())
                .or(feedback_responses::duty.is_null()),
        )
        .group_by(submitted_in())
        .select((
            submitted_in(),
            count_star(),
            sum(feedback_responses::overall),
        ))
        .load(conn)?;
    let responses: Vec<(i32, (), i64)> = feedback.iter().map(|(s, n, _)| (*s, (), *n)).collect();
    let overall: Vec<(i32, (), i64)> = feedback
        .iter()
        .map(|(s, _, sum)| (*s, (), sum.unwrap_or(0)))
        .collect();
    for ((facts, responses), overall) in all
        .iter_mut()
        .zip(segments.per_period(periods, &responses))
        .zip(segments.per_period(periods, &overall))
    {
        let total = |rows: Vec<((), i64)>| rows.iter().map(|(_, n)| (*n).max(0) as u64).sum();
        facts.feedback = (total(responses), total(overall));
        facts.breakdowns.push(Breakdown {
            id: "feedback-responses".into(),
            rows: vec![("responses".into(), facts.feedback.0)],
        });
    }

    // Safeguarding concerns raised on the contract's cases; complaints and signals are
    // the provider's and not tied to one contract.
    let raised_in = || segments.sql("safeguarding_concerns.raised_on", date_cut);
    let concerns: Vec<(i32, String, i64)> = safeguarding_concerns::table
        .inner_join(cases::table.on(cases::id.nullable().eq(safeguarding_concerns::case_id)))
        .inner_join(people::table.on(people::id.eq(cases::person_id)))
        .filter(scope())
        .filter(safeguarding_concerns::raised_on.ge(span.from))
        .filter(safeguarding_concerns::raised_on.le(span.to))
        .group_by((raised_in(), safeguarding_concerns::category))
        .select((raised_in(), safeguarding_concerns::category, count_star()))
        .load(conn)?;
    push_each(
        &mut all,
        "concerns-by-category",
        segments.per_period(periods, &concerns),
        ABUSE_CATEGORIES,
    );
    let complained_in = || segments.sql("complaints.received_on", date_cut);
    let complaint_rows: Vec<(i32, String, i64)> = complaints::table
        .filter(complaints::provider_id.eq(provider))
        .filter(complaints::received_on.ge(span.from))
        .filter(complaints::received_on.le(span.to))
        .group_by((complained_in(), complaints::kind))
        .select((complained_in(), complaints::kind, count_star()))
        .load(conn)?;
    push_each(
        &mut all,
        "complaints-by-kind",
        segments.per_period(periods, &complaint_rows),
        &["complaint", "compliment"],
    );
    let sent_in = || segments.sql("service_signals.sent_on", date_cut);
    let signals: Vec<(i32, i64)> = service_signals::table
        .filter(service_signals::provider_id.eq(provider))
        .filter(service_signals::sent_on.ge(span.from))
        .filter(service_signals::sent_on.le(span.to))
        .group_by(sent_in())
        .select((sent_in(), count_star()))
        .load(conn)?;
    let signals: Vec<(i32, String, i64)> = signals
        .into_iter()
        .map(|(s, n)| (s, "signals".to_string(), n))
        .collect();
    push_each(
        &mut all,
        "signals-sent",
        segments.per_period(periods, &signals),
        &["signals"],
    );

    count_equality(conn, contract, periods, &segments, &mut all)?;
    Ok(all)
}

/// Process: time from referral to first contact, for the cases opened in each period.
/// A case's first contact may come after its period; one not made yet counts as late
/// once its target day has passed by the end of the period (or today, if sooner).
fn count_first_contacts(
    conn: &mut crate::DbConnection,
    contract: &ContractRecord,
    periods: &[Period],
    segments: &Segments,
    all: &mut [ReportFacts],
    calendar: &WorkingDayCalendar,
    today: NaiveDate,
) -> Result<(), StoreError> {
    let Some(span) = segments.span() else {
        return Ok(());
    };
    let mut timing = vec![[0u64; 5]; periods.len()];
    // The cases are read a month at a time, so that at most a month's are held in
    // memory: a year can open hundreds of thousands.
    let mut month = span.from;
    loop {
        let month_end = month
            .checked_add_months(chrono::Months::new(1))
            .and_then(|next| next.pred_opt())
            .map_or(span.to, |end| end.min(span.to));
        count_first_contacts_opened(
            conn,
            contract,
            Period {
                from: month,
                to: month_end,
            },
            (periods, segments),
            all,
            &mut timing,
            (calendar, today),
        )?;
        match month_end.succ_opt() {
            Some(next) if month_end < span.to => month = next,
            _ => break,
        }
    }
    let covers_imha = contract.duty_codes().iter().any(|d| d == "imha");
    for (facts, timing) in all.iter_mut().zip(timing) {
        facts.first_contact = (timing[0] + timing[2], timing[1] + timing[3]);
        facts.breakdowns.push(Breakdown {
            id: "first-contact".into(),
            rows: vec![
                ("urgent_within".into(), timing[0]),
                ("urgent_later".into(), timing[1]),
                ("standard_within".into(), timing[2]),
                ("standard_later".into(), timing[3]),
                ("not_yet_due".into(), timing[4]),
            ],
        });
        if covers_imha {
            facts.breakdowns.push(Breakdown {
                id: "imha-introduction".into(),
                rows: vec![
                    ("met".into(), facts.imha.0),
                    ("missed".into(), facts.imha.1),
                ],
            });
        }
    }
    Ok(())
}

/// [`count_first_contacts`] for the cases opened in one stretch of the span (`opened`),
/// adding to each period's facts and to its `timing` counts.
fn count_first_contacts_opened(
    conn: &mut crate::DbConnection,
    contract: &ContractRecord,
    opened: Period,
    (periods, segments): (&[Period], &Segments),
    all: &mut [ReportFacts],
    timing: &mut [[u64; 5]],
    (calendar, today): (&WorkingDayCalendar, NaiveDate),
) -> Result<(), StoreError> {
    let (start, end) = (uk_day_start(opened.from), after(opened.to));
    let scope = in_contract(
        contract.provider_id,
        contract.duty_codes(),
        contract.area_names(),
    );
    type Opened = (
        i64,
        NaiveDateTime,
        String,
        Option<NaiveDate>,
        NaiveDateTime,
        Option<NaiveDate>,
        bool,
        Option<NaiveDate>,
        Option<NaiveDate>,
    );
    let opened_cases: Vec<Opened> = cases::table
        .inner_join(people::table.on(people::id.eq(cases::person_id)))
        .inner_join(referrals::table.on(referrals::id.eq(cases::referral_id)))
        .filter(scope)
        .filter(cases::opened_at.ge(start))
        .filter(cases::opened_at.lt(end))
        .select((
            cases::id,
            cases::opened_at,
            cases::duty,
            cases::introduction_due,
            referrals::received_at,
            referrals::compulsion_date,
            // Sealed when given, so only whether there are any can be read here.
            referrals::safeguarding_concerns.is_not_null(),
            referrals::meeting_date,
            referrals::deadline_date,
        ))
        .load(conn)?;
    let ids: Vec<i64> = opened_cases.iter().map(|c| c.0).collect();
    let mut first_contacts: HashMap<i64, NaiveDate> = HashMap::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<(i64, Option<NaiveDateTime>)> = contacts::table
            .filter(contacts::case_id.eq_any(chunk))
            .group_by(contacts::case_id)
            .select((contacts::case_id, diesel::dsl::min(contacts::occurred_at)))
            .load(conn)?;
        first_contacts.extend(
            rows.into_iter()
                .filter_map(|(id, at)| at.map(|at| (id, at.date()))),
        );
    }
    for (
        id,
        opened_at,
        duty,
        introduction_due,
        received_at,
        compulsion,
        safeguarding,
        meeting,
        deadline,
    ) in &opened_cases
    {
        let Some(segment) = segments.of_instant(*opened_at) else {
            continue;
        };
        let received = uk_time(*received_at).date();
        let urgent = is_urgent(
            received,
            *compulsion,
            *safeguarding,
            // The nearer of the meeting and the deadline decides.
            [*meeting, *deadline].into_iter().flatten().min(),
        );
        let due = first_contact_target_due(calendar, received, contract.first_contact_days(urgent));
        let first = first_contacts.get(id).copied();
        let worked = first.map(|day| i64::from(calendar.working_days_between(received, day)));
        for ((facts, period), timing) in all.iter_mut().zip(periods).zip(timing.iter_mut()) {
            if !segments.of_period(*period).contains(&segment) {
                continue;
            }
            let measured_to = today.min(period.to);
            let slot = match first {
                Some(day) if day <= due => 0,
                Some(_) => 1,
                None if due < measured_to => 1,
                None => 2,
            };
            let index = match (urgent, slot) {
                (_, 2) => 4,
                (true, slot) => slot,
                (false, slot) => slot + 2,
            };
            timing[index] += 1;
            if let Some(worked) = worked {
                if urgent {
                    facts.first_contact_days.0.push(worked);
                } else {
                    facts.first_contact_days.1.push(worked);
                }
            }
            if duty == "imha"
                && let Some(due) = introduction_due
            {
                match first {
                    Some(day) if day <= *due => facts.imha.0 += 1,
                    Some(_) => facts.imha.1 += 1,
                    None if *due < measured_to => facts.imha.1 += 1,
                    None => {}
                }
            }
        }
    }
    Ok(())
}

/// Outcomes recorded in each period, by level, by process, by duty, and whether the
/// person's own view of it is recorded.
fn count_outcomes(
    conn: &mut crate::DbConnection,
    contract: &ContractRecord,
    periods: &[Period],
    segments: &Segments,
    all: &mut [ReportFacts],
) -> Result<(), StoreError> {
    let Some(span) = segments.span() else {
        return Ok(());
    };
    let duties = contract.duty_codes();
    let duty_order: Vec<&str> = duties.iter().map(String::as_str).collect();
    // Counted in the database, by segment and every way the report breaks them down:
    // a year holds hundreds of thousands of outcomes, and loading each one would hold
    // them all in memory at once for the length of the count.
    let recorded_in = || segments.sql("case_issues.outcome_recorded_at", utc_cut);
    let own_view = || SegmentOfRow::filled_in("case_issues.outcome_in_their_words");
    type Outcomes = (i32, Option<String>, String, String, i32, i64);
    let outcome_rows: Vec<Outcomes> = case_issues::table
        .inner_join(cases::table.on(cases::id.eq(case_issues::case_id)))
        .inner_join(people::table.on(people::id.eq(cases::person_id)))
        .filter(in_contract(
            contract.provider_id,
            duties.clone(),
            contract.area_names(),
        ))
        .filter(case_issues::outcome_recorded_at.ge(uk_day_start(span.from)))
        .filter(case_issues::outcome_recorded_at.lt(after(span.to)))
        .group_by((
            recorded_in(),
            case_issues::outcome,
            case_issues::process,
            cases::duty,
            own_view(),
        ))
        .select((
            recorded_in(),
            case_issues::outcome,
            case_issues::process,
            cases::duty,
            own_view(),
            count_star(),
        ))
        .load(conn)?;
    let by = |key: fn(&Outcomes) -> String| -> Vec<(i32, String, i64)> {
        outcome_rows
            .iter()
            .map(|row| (row.0, key(row), row.5))
            .collect()
    };
    let levels = segments.per_period(periods, &by(|r| r.1.clone().unwrap_or_default()));
    let processes = segments.per_period(periods, &by(|r| r.2.clone()));
    let by_duty = segments.per_period(periods, &by(|r| r.3.clone()));
    let own_views = segments.per_period(
        periods,
        &by(|r| {
            if r.4 == 1 {
                "recorded".into()
            } else {
                "not_recorded".into()
            }
        }),
    );
    for (((facts, levels), (processes, by_duty)), own_views) in all
        .iter_mut()
        .zip(levels)
        .zip(processes.into_iter().zip(by_duty))
        .zip(own_views)
    {
        let levels = counts(levels, OUTCOME_LEVELS);
        facts.outcomes = (
            levels
                .iter()
                .find(|(c, _)| c == "achieved")
                .map(|(_, n)| *n)
                .unwrap_or(0),
            levels.iter().map(|(_, n)| n).sum(),
        );
        facts.breakdowns.push(Breakdown {
            id: "outcomes-by-level".into(),
            rows: levels,
        });
        facts.breakdowns.push(Breakdown {
            id: "outcomes-by-process".into(),
            rows: counts(processes, PROCESSES),
        });
        facts.breakdowns.push(Breakdown {
            id: "outcomes-by-duty".into(),
            rows: counts(by_duty, &duty_order),
        });
        facts.breakdowns.push(Breakdown {
            id: "outcomes-own-view".into(),
            rows: counts(own_views, &["recorded", "not_recorded"]),
        });
    }
    Ok(())
}

/// Equality: the people who started advocacy under the contract in each period (their
/// first case under it opened then), so that a year is the sum of its quarters.
fn count_equality(
    conn: &mut crate::DbConnection,
    contract: &ContractRecord,
    periods: &[Period],
    segments: &Segments,
    all: &mut [ReportFacts],
) -> Result<(), StoreError> {
    let Some(span) = segments.span() else {
        return Ok(());
    };
    let firsts: Vec<(i64, Option<NaiveDateTime>)> = cases::table
        .inner_join(people::table.on(people::id.eq(cases::person_id)))
        .filter(in_contract(
            contract.provider_id,
            contract.duty_codes(),
            contract.area_names(),
        ))
        .filter(cases::opened_at.lt(after(span.to)))
        .group_by(cases::person_id)
        .select((cases::person_id, diesel::dsl::min(cases::opened_at)))
        .load(conn)?;
    // Who started in each segment, and their answers, counted a segment at a time.
    let mut started: Vec<Vec<i64>> = vec![Vec::new(); segments.count()];
    for (person, first) in firsts {
        if let Some(segment) = first.and_then(|at| segments.of_instant(at)) {
            started[segment].push(person);
        }
    }
    let mut answers: Vec<HashMap<(String, String), u64>> = Vec::with_capacity(started.len());
    for people in &started {
        let mut found: HashMap<(String, String), u64> = HashMap::new();
        for chunk in people.chunks(500) {
            let rows: Vec<(String, String, i64)> = equality_answers::table
                .filter(equality_answers::person_id.eq_any(chunk))
                .group_by((equality_answers::characteristic, equality_answers::answer))
                .select((
                    equality_answers::characteristic,
                    equality_answers::answer,
                    count_star(),
                ))
                .load(conn)?;
            for (c, a, n) in rows {
                *found.entry((c, a)).or_default() += n.max(0) as u64;
            }
        }
        answers.push(found);
    }
    for (facts, period) in all.iter_mut().zip(periods) {
        let covered = segments.of_period(*period);
        let people: u64 = covered.clone().map(|s| started[s].len() as u64).sum();
        for characteristic in CHARACTERISTICS {
            let mut rows: Vec<(String, u64)> = characteristic
                .answers
                .iter()
                .chain([PREFER_NOT_TO_SAY].iter())
                .map(|a| {
                    let key = (characteristic.code.to_string(), a.to_string());
                    let n = covered
                        .clone()
                        .map(|s| answers[s].get(&key).copied().unwrap_or(0))
                        .sum();
                    (a.to_string(), n)
                })
                .collect();
            let answered: u64 = rows.iter().map(|(_, n)| n).sum();
            // Not known: said so, or never asked.
            rows.push((NOT_KNOWN.to_string(), people.saturating_sub(answered)));
            facts.breakdowns.push(Breakdown {
                id: equality_id(characteristic.code).into(),
                rows,
            });
        }
    }
    Ok(())
}

/// The breakdown id of a protected characteristic's equality table.
pub fn equality_id(code: &str) -> &'static str {
    match code {
        "sex" => "equality-sex",
        "ethnicity" => "equality-ethnicity",
        "disability" => "equality-disability",
        "age" => "equality-age",
        "religion" => "equality-religion",
        "sexual_orientation" => "equality-sexual-orientation",
        "gender_reassignment" => "equality-gender-reassignment",
        "marriage" => "equality-marriage",
        "pregnancy" => "equality-pregnancy",
        _ => "equality-other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use advocase_domain::reporting::{ReportingPeriod, contract_periods, contract_years};

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn year_and_quarters() -> Vec<Period> {
        let (from, to) = (day(2025, 4, 1), day(2026, 3, 31));
        let mut periods = contract_years(from, to);
        periods.extend(contract_periods(from, to, ReportingPeriod::Quarterly));
        periods
    }

    #[test]
    fn a_year_covers_the_segments_of_its_quarters() {
        let periods = year_and_quarters();
        let segments = Segments::new(&periods);
        assert_eq!(segments.count(), 4);
        assert_eq!(segments.of_period(periods[0]), 0..4);
        for (n, quarter) in periods[1..].iter().enumerate() {
            assert_eq!(segments.of_period(*quarter), n..n + 1);
        }
        assert_eq!(segments.span(), Some(periods[0]));
    }

    #[test]
    fn a_moment_falls_in_the_segment_of_its_uk_day() {
        let segments = Segments::new(&year_and_quarters());
        let at = |text: &str| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").unwrap();
        // 1 April 2025 began at 23:00 UTC the evening before (British Summer Time).
        assert_eq!(segments.of_instant(at("2025-03-31 22:59:59")), None);
        assert_eq!(segments.of_instant(at("2025-03-31 23:00:00")), Some(0));
        assert_eq!(segments.of_instant(at("2025-06-30 22:59:59")), Some(0));
        assert_eq!(segments.of_instant(at("2025-06-30 23:00:00")), Some(1));
        // 1 January is midnight in UTC as well.
        assert_eq!(segments.of_instant(at("2026-01-01 00:00:00")), Some(3));
        assert_eq!(segments.of_instant(at("2026-03-31 22:59:59")), Some(3));
        assert_eq!(segments.of_instant(at("2026-03-31 23:00:00")), None);
    }

    #[test]
    fn the_segment_of_a_row_is_written_for_the_kind_of_column() {
        let segments = Segments::new(&[Period {
            from: day(2025, 4, 1),
            to: day(2025, 6, 30),
        }]);
        let text = |column, cut| {
            let SegmentOfRow(literal) = segments.sql(column, cut);
            diesel::debug_query::<diesel::sqlite::Sqlite, _>(&literal).to_string()
        };
        assert!(
            text("cases.opened_at", utc_cut)
                .starts_with("CASE WHEN cases.opened_at < '2025-06-30 23:00:00' THEN 0 ELSE 2 END")
        );
        assert!(
            text("contacts.occurred_at", wall_clock_cut)
                .starts_with("CASE WHEN contacts.occurred_at < '2025-07-01 00:00:00' THEN 0")
        );
        assert!(text("complaints.received_on", date_cut).contains("< '2025-07-01' THEN 0"));
    }

    #[test]
    fn counts_by_segment_sum_into_each_period() {
        let periods = year_and_quarters();
        let segments = Segments::new(&periods);
        let rows = vec![
            (0, "phone", 2),
            (1, "phone", 3),
            (3, "video", 1),
            (4, "phone", 9),
        ];
        let sums = segments.per_period(&periods, &rows);
        let mut year = sums[0].clone();
        year.sort();
        // The last row is past the span and counts nowhere.
        assert_eq!(year, vec![("phone", 5), ("video", 1)]);
        assert_eq!(sums[1], vec![("phone", 2)]);
        assert_eq!(sums[3], Vec::new());
        assert_eq!(sums[4], vec![("video", 1)]);
    }
}
