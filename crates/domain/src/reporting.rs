//! Contracts and the anonymised monitoring reports commissioners see (DOMAIN.md §10–11).
//!
//! A report is a list of breakdowns, each one column of counts with its total, suppressed
//! through [`crate::suppression`]. Two breakdowns may count the same things in different
//! ways (referrals by who referred and by area): each is protected against its own
//! total, which both share. Anything else published beside them is made only of counts
//! already shown (a share whose every count is published; an annual figure whose every
//! quarter is), so it cannot be subtracted to reveal a hidden one. Reports cover exactly
//! the contract's own finished periods, never a period a reader chose or one still
//! running: two periods a day apart would give away that day's counts by difference.

use crate::eligibility::Duty;
use crate::referral::parse_date;
use crate::suppression::{Cell, suppress};
use crate::validation::{FieldError, Invalid, required_text};
use advocase_i18n::{MessageKey, label, msg};
use chrono::{Datelike, Months, NaiveDate};
use std::borrow::Cow;

codes! {
    /// How often a contract is reported on.
    ReportingPeriod {
        Quarterly => "quarterly",
        Annual => "annual",
    }
}

codes! {
    /// The key performance indicators a contract can set targets for.
    Kpi {
        ImhaIntroduction => "imha_introduction",
        FirstContact => "first_contact",
        Declined => "declined",
        OutcomesAchieved => "outcomes_achieved",
        Feedback => "feedback",
    }
}

/// The longest contract name.
pub const MAX_NAME: usize = 200;

/// A contract as typed on the form. Money is in pounds, shares in whole per cent.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ContractAnswers {
    pub name: String,
    pub commissioner: String,
    pub duties: Vec<String>,
    pub areas: String,
    pub starts_on: String,
    pub ends_on: String,
    pub core_funding: String,
    pub core_cases: String,
    pub payment_per_case: String,
    pub reporting: String,
    pub threshold: String,
    pub urgent_days: String,
    pub standard_days: String,
    pub target_imha_introduction: String,
    pub target_first_contact: String,
    pub target_declined: String,
    pub target_outcomes_achieved: String,
    pub target_feedback: String,
}

/// The targets a contract sets. Shares are whole per cent; the feedback target is the
/// average answer out of 5 to one decimal place, kept in tenths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Targets {
    pub imha_introduction: Option<u32>,
    pub first_contact: Option<u32>,
    /// The most referrals declined, as a share: lower is better.
    pub declined: Option<u32>,
    pub outcomes_achieved: Option<u32>,
    pub feedback_tenths: Option<u32>,
}

/// A contract, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewContract {
    pub name: String,
    pub commissioner_id: i64,
    pub duties: Vec<Duty>,
    /// The local authority areas covered; people are counted by the area on their record.
    pub areas: Vec<String>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub core_funding_pence: i64,
    pub core_cases: i64,
    pub payment_per_case_pence: i64,
    pub reporting: ReportingPeriod,
    pub threshold: u64,
    /// Working days from referral to first contact, for urgent and for other referrals.
    pub urgent_days: u32,
    pub standard_days: u32,
    pub targets: Targets,
}

/// The duty codes a contract may cover: the statutory duties.
pub fn duty_code(duty: Duty) -> &'static str {
    match duty {
        Duty::CareAct => "care_act",
        Duty::Imha => "imha",
        Duty::Imca => "imca",
        Duty::NhsComplaints => "nhs_complaints",
    }
}

pub fn parse_duty(code: &str) -> Option<Duty> {
    Duty::ALL.into_iter().find(|d| duty_code(*d) == code.trim())
}

fn whole(field: &str, label: MessageKey, value: &str, max: i64) -> Result<i64, FieldError> {
    let text = value.trim().replace(',', "");
    let number: i64 = text
        .parse()
        .map_err(|_| FieldError::new(field, msg::NUMBER_NOT_WHOLE.with("label", label)))?;
    if !(0..=max).contains(&number) {
        return Err(FieldError::new(
            field,
            msg::NUMBER_OUT_OF_RANGE
                .with("label", label)
                .with("max", max),
        ));
    }
    Ok(number)
}

fn optional_percent(
    field: &str,
    label: MessageKey,
    value: &str,
) -> Result<Option<u32>, FieldError> {
    let text = value.trim().trim_end_matches('%');
    if text.is_empty() {
        return Ok(None);
    }
    match text.parse::<u32>() {
        Ok(n) if n <= 100 => Ok(Some(n)),
        _ => Err(FieldError::new(
            field,
            msg::CONTRACT_TARGET_SHARE_INVALID.with("label", label),
        )),
    }
}

/// Pounds as typed ("12,500" or "12500.50") in pence.
fn pounds(field: &str, label: MessageKey, value: &str) -> Result<i64, FieldError> {
    let text = value.trim().trim_start_matches('£').replace(',', "");
    let wrong = || FieldError::new(field, msg::POUNDS_INVALID.with("label", label));
    if !text.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return Err(wrong());
    }
    let (whole_pounds, pence) = match text.split_once('.') {
        Some((p, d)) if d.len() == 2 => (p, d),
        Some(_) => return Err(wrong()),
        None => (text.as_str(), "00"),
    };
    let pounds: i64 = whole_pounds.parse().map_err(|_| wrong())?;
    let pence: i64 = pence.parse().map_err(|_| wrong())?;
    if !(0..=1_000_000_000).contains(&pounds) {
        return Err(wrong());
    }
    Ok(pounds * 100 + pence)
}

impl ContractAnswers {
    pub fn parse(&self) -> Result<NewContract, Invalid> {
        let mut invalid = Invalid::default();
        let name = invalid.check(required_text(
            "name",
            label::CONTRACTS_NAME,
            &self.name,
            MAX_NAME,
        ));
        let commissioner_id = invalid.check(
            self.commissioner
                .trim()
                .parse::<i64>()
                .map_err(|_| FieldError::new("commissioner", msg::CONTRACT_COMMISSIONER_MISSING)),
        );
        let named: Vec<Duty> = self.duties.iter().filter_map(|d| parse_duty(d)).collect();
        let all_known = named.len() == self.duties.len();
        // A duty or an area named twice would be counted twice, and the difference
        // between two totals would then give its count back.
        let mut duties: Vec<Duty> = Vec::new();
        for duty in named {
            if !duties.contains(&duty) {
                duties.push(duty);
            }
        }
        if duties.is_empty() || !all_known {
            invalid.push("duties", msg::CONTRACT_DUTIES_MISSING);
        }
        let mut areas: Vec<String> = Vec::new();
        for area in self.areas.split([',', '\n']).map(str::trim) {
            if !area.is_empty() && !areas.iter().any(|a| a.eq_ignore_ascii_case(area)) {
                areas.push(area.to_string());
            }
        }
        if areas.is_empty() {
            invalid.push("areas", msg::CONTRACT_AREAS_MISSING);
        }
        let starts_on = invalid.check(crate::casework::required_date(
            "starts_on",
            label::DATE_THE_CONTRACT_STARTS,
            &self.starts_on,
        ));
        let ends_on = invalid.check(crate::casework::required_date(
            "ends_on",
            label::DATE_THE_CONTRACT_ENDS,
            &self.ends_on,
        ));
        if let (Some(start), Some(end)) = (starts_on, ends_on)
            && end < start
        {
            invalid.push("ends_on", msg::CONTRACT_ENDS_BEFORE_START);
        }
        let core_funding_pence = invalid.check(pounds(
            "core_funding",
            label::CORE_FUNDING_A_YEAR,
            &self.core_funding,
        ));
        let core_cases = invalid.check(whole(
            "core_cases",
            label::CASES_THE_CORE_FUNDING_COVERS_A_YEAR,
            &self.core_cases,
            1_000_000,
        ));
        let payment_per_case_pence = invalid.check(pounds(
            "payment_per_case",
            label::PAYMENT_FOR_EACH_CASE_ABOVE_THAT,
            &self.payment_per_case,
        ));
        let reporting = ReportingPeriod::parse(&self.reporting);
        if reporting.is_none() {
            invalid.push("reporting", msg::CONTRACT_REPORTING_MISSING);
        }
        let threshold = if self.threshold.trim().is_empty() {
            Some(crate::suppression::DEFAULT_THRESHOLD as i64)
        } else {
            match whole(
                "threshold",
                label::LARGEST_COUNT_NOT_SHOWN,
                &self.threshold,
                20,
            ) {
                Ok(n) if n >= crate::suppression::LEAST_THRESHOLD as i64 => Some(n),
                Ok(_) => {
                    invalid.push("threshold", msg::CONTRACT_THRESHOLD_INVALID);
                    None
                }
                Err(e) => {
                    invalid.0.push(e);
                    None
                }
            }
        };
        let urgent_days = invalid.check(whole(
            "urgent_days",
            label::WORKING_DAYS_TO_FIRST_CONTACT_FOR_URGENT_REFERRALS,
            &self.urgent_days,
            60,
        ));
        let standard_days = invalid.check(whole(
            "standard_days",
            label::WORKING_DAYS_TO_FIRST_CONTACT_FOR_OTHER_REFERRALS,
            &self.standard_days,
            60,
        ));
        let targets = Targets {
            imha_introduction: invalid
                .check(optional_percent(
                    "target_imha_introduction",
                    label::TARGET_FOR_IMHA_INTRODUCTIONS,
                    &self.target_imha_introduction,
                ))
                .flatten(),
            first_contact: invalid
                .check(optional_percent(
                    "target_first_contact",
                    label::TARGET_FOR_FIRST_CONTACT,
                    &self.target_first_contact,
                ))
                .flatten(),
            declined: invalid
                .check(optional_percent(
                    "target_declined",
                    label::TARGET_FOR_REFERRALS_DECLINED,
                    &self.target_declined,
                ))
                .flatten(),
            outcomes_achieved: invalid
                .check(optional_percent(
                    "target_outcomes_achieved",
                    label::TARGET_FOR_OUTCOMES_ACHIEVED,
                    &self.target_outcomes_achieved,
                ))
                .flatten(),
            feedback_tenths: invalid
                .check(feedback_target(&self.target_feedback))
                .flatten(),
        };
        // An urgent referral is one that cannot wait as long as others.
        if let (Some(urgent), Some(standard)) = (urgent_days, standard_days)
            && urgent > standard
        {
            invalid.push("urgent_days", msg::CONTRACT_URGENT_LONGER);
        }
        // The IMHA standard is counted on IMHA cases only: a contract without them
        // would show a target nothing is ever measured against.
        if targets.imha_introduction.is_some() && !duties.contains(&Duty::Imha) {
            invalid.push(
                "target_imha_introduction",
                msg::CONTRACT_IMHA_TARGET_WITHOUT_IMHA,
            );
        }
        invalid.into_result()?;
        Ok(NewContract {
            name: name.unwrap_or_default(),
            commissioner_id: commissioner_id.unwrap_or_default(),
            duties,
            areas,
            starts_on: starts_on.unwrap_or_default(),
            ends_on: ends_on.unwrap_or_default(),
            core_funding_pence: core_funding_pence.unwrap_or_default(),
            core_cases: core_cases.unwrap_or_default(),
            payment_per_case_pence: payment_per_case_pence.unwrap_or_default(),
            reporting: reporting.unwrap_or(ReportingPeriod::Quarterly),
            threshold: threshold.unwrap_or_default() as u64,
            urgent_days: urgent_days.unwrap_or_default() as u32,
            standard_days: standard_days.unwrap_or_default() as u32,
            targets,
        })
    }
}

fn feedback_target(value: &str) -> Result<Option<u32>, FieldError> {
    let text = value.trim();
    if text.is_empty() {
        return Ok(None);
    }
    match text.parse::<f64>() {
        Ok(n) if (1.0..=5.0).contains(&n) => Ok(Some((n * 10.0).round() as u32)),
        _ => Err(FieldError::new(
            "target_feedback",
            msg::CONTRACT_TARGET_FEEDBACK_INVALID,
        )),
    }
}

/// One reporting period of a contract, both days included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// How many days the period covers, both ends included.
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// From the first day of any of `periods` to the last day of any, if there are any.
    pub fn spanning(periods: &[Period]) -> Option<Period> {
        Some(Period {
            from: periods.iter().map(|p| p.from).min()?,
            to: periods.iter().map(|p| p.to).max()?,
        })
    }
}

/// The contract's reporting periods from its start: quarters or years, the last one cut
/// at the end of the contract.
pub fn contract_periods(
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    reporting: ReportingPeriod,
) -> Vec<Period> {
    let months = match reporting {
        ReportingPeriod::Quarterly => 3,
        ReportingPeriod::Annual => 12,
    };
    contract_blocks(starts_on, ends_on, months)
}

/// The contract's years, for the annual report.
pub fn contract_years(starts_on: NaiveDate, ends_on: NaiveDate) -> Vec<Period> {
    contract_blocks(starts_on, ends_on, 12)
}

fn contract_blocks(starts_on: NaiveDate, ends_on: NaiveDate, months: u32) -> Vec<Period> {
    let mut periods = Vec::new();
    let mut index = 0;
    while let Some(from) = starts_on
        .checked_add_months(Months::new(months * index))
        .filter(|from| *from <= ends_on)
    {
        let next = starts_on
            .checked_add_months(Months::new(months * (index + 1)))
            .and_then(|d| d.pred_opt())
            .unwrap_or(ends_on);
        periods.push(Period {
            from,
            to: next.min(ends_on),
        });
        index += 1;
    }
    periods
}

/// The period asked for by its first and last days, which must be one of `periods`.
pub fn parse_period(
    from: &str,
    to: &str,
    periods: &[Period],
    today: NaiveDate,
) -> Result<Period, Invalid> {
    let mut invalid = Invalid::default();
    let from = invalid
        .check(parse_date("from", label::FIRST_DAY_OF_THE_PERIOD, from))
        .flatten();
    let to = invalid
        .check(parse_date("to", label::LAST_DAY_OF_THE_PERIOD, to))
        .flatten();
    invalid.into_result()?;
    let (Some(from), Some(to)) = (from, to) else {
        return Err(Invalid::one("from", msg::REPORT_PERIOD_INVALID));
    };
    if to < from {
        return Err(Invalid::one("to", msg::REPORT_PERIOD_ENDS_BEFORE_START));
    }
    let period = periods
        .iter()
        .copied()
        .find(|p| p.from == from && p.to == to)
        .ok_or_else(|| Invalid::one("from", msg::REPORT_PERIOD_NOT_THE_CONTRACTS))?;
    if !has_ended(period, today) {
        return Err(Invalid::one("to", msg::REPORT_PERIOD_NOT_ENDED));
    }
    Ok(period)
}

/// Whether a period is over, so its report may be published. A period still running
/// is never reported: the same report read on two days would give away the one day's
/// referrals between them.
pub fn has_ended(period: Period, today: NaiveDate) -> bool {
    period.to < today
}

/// A referral is urgent when statute sets a clock on it or someone may be at risk: it
/// has an IMHA compulsion date, a safeguarding concern, or a meeting or deadline within a
/// week of being received. The contract sets the first-contact target for each.
pub fn is_urgent(
    received_on: NaiveDate,
    compulsion_date: Option<NaiveDate>,
    safeguarding: bool,
    meeting_or_deadline: Option<NaiveDate>,
) -> bool {
    compulsion_date.is_some()
        || safeguarding
        || meeting_or_deadline.is_some_and(|d| (d - received_on).num_days() <= 7)
}

/// The counts of one breakdown, each under a category code. Its id is usually a
/// constant; one read back from a stored report owns its text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Breakdown {
    pub id: Cow<'static, str>,
    pub rows: Vec<(String, u64)>,
}

/// A breakdown as published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedTable {
    pub id: Cow<'static, str>,
    pub rows: Vec<(String, Cell)>,
    pub total: Cell,
}

/// Suppresses a breakdown for publication.
pub fn publish(breakdown: &Breakdown, threshold: u64) -> PublishedTable {
    let counts: Vec<u64> = breakdown.rows.iter().map(|(_, n)| *n).collect();
    let column = suppress(&counts, threshold);
    PublishedTable {
        id: breakdown.id.clone(),
        rows: breakdown
            .rows
            .iter()
            .map(|(code, _)| code.clone())
            .zip(column.cells)
            .collect(),
        total: column.total,
    }
}

/// A share in whole per cent, published only when neither the part nor the rest is a
/// small count: 3 of 20 as 15% beside a total of 20 would give the 3 back.
pub fn share(part: u64, whole: u64, threshold: u64) -> Option<u32> {
    let small = |n: u64| (1..=threshold).contains(&n);
    if whole == 0 || part > whole || small(part) || small(whole - part) {
        return None;
    }
    Some(((part * 100 + whole / 2) / whole) as u32)
}

/// The middle value, published only when more than `threshold` values stand behind it.
pub fn median(values: &mut [i64], threshold: u64) -> Option<i64> {
    if (values.len() as u64) <= threshold {
        return None;
    }
    values.sort_unstable();
    Some(values[values.len() / 2])
}

/// How a KPI stands in a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KpiState {
    Met,
    Missed,
    /// No target set.
    NoTarget,
    /// Too few figures to publish, or nothing yet to measure.
    NotShown,
}

/// One KPI's result: the published figure (per cent, or tenths for feedback) and its
/// state against the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KpiResult {
    pub kpi: Kpi,
    pub actual: Option<u32>,
    pub target: Option<u32>,
    pub state: KpiState,
}

/// Judges a KPI's figure against its target; for declined referrals lower is better.
pub fn judge(kpi: Kpi, actual: Option<u32>, target: Option<u32>) -> KpiResult {
    let state = match (actual, target) {
        (_, None) => KpiState::NoTarget,
        (None, Some(_)) => KpiState::NotShown,
        (Some(a), Some(t)) => {
            let met = if kpi == Kpi::Declined { a <= t } else { a >= t };
            if met { KpiState::Met } else { KpiState::Missed }
        }
    };
    KpiResult {
        kpi,
        actual,
        target,
        state,
    }
}

/// The quarter or year a date falls in, for the period list: "April to June 2026".
pub fn period_months(period: Period) -> (u32, i32, u32, i32) {
    (
        period.from.month(),
        period.from.year(),
        period.to.month(),
        period.to.year(),
    )
}

/// One row of population figures as imported: an area and its counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PopulationRow {
    /// The line of the file it came from, for naming it in an error.
    pub line: usize,
    pub area: String,
    pub year: i32,
    pub adults: i64,
    pub assessments: i64,
}

/// Parses a CSV of population figures with the header `area,year,adults,assessments`. A
/// bad row is named by its line and column and nothing is imported.
pub fn parse_population_csv(text: &str) -> Result<Vec<PopulationRow>, Invalid> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.to_ascii_lowercase()).collect(),
        Err(_) => return Err(Invalid::one("file", msg::POPULATION_FILE_NOT_CSV)),
    };
    let expected = ["area", "year", "adults", "assessments"];
    if headers != expected {
        return Err(Invalid::one("file", msg::POPULATION_FILE_HEADERS));
    }
    let mut rows = Vec::new();
    // Each area and year with the line it was first on, lower-cased as areas match.
    let mut first_lines: std::collections::HashMap<(String, i64), usize> = Default::default();
    for (index, record) in reader.records().enumerate() {
        // The reader skips blank lines and does not count them in its own line
        // numbers, and a row's position may be that of the blank lines before it, so
        // its line is worked out from the text: the lines before it, and the blank
        // ones it starts with.
        let line_at = |position: Option<&csv::Position>| {
            let start = position.map(|p| p.byte() as usize)?;
            let (before, after) = (text.get(..start)?, text.get(start..)?);
            let blank = after
                .chars()
                .take_while(|c| matches!(c, '\n' | '\r'))
                .filter(|c| *c == '\n')
                .count();
            Some(before.matches('\n').count() + blank + 1)
        };
        let line_at = |position: Option<&csv::Position>| line_at(position).unwrap_or(index + 2);
        let record = record.map_err(|e| {
            Invalid::one(
                "file",
                msg::POPULATION_LINE_UNREADABLE.with("line", line_at(e.position())),
            )
        })?;
        let line = line_at(record.position());
        if record.len() != 4 {
            return Err(Invalid::one(
                "file",
                msg::POPULATION_LINE_COLUMNS
                    .with("line", line)
                    .with("columns", record.len()),
            ));
        }
        let area = record[0].to_string();
        if area.is_empty() {
            return Err(Invalid::one(
                "file",
                msg::POPULATION_LINE_AREA_MISSING.with("line", line),
            ));
        }
        let number = |column: usize, name: &str, max: i64| -> Result<i64, Invalid> {
            record[column]
                .replace(',', "")
                .parse::<i64>()
                .ok()
                .filter(|n| (0..=max).contains(n))
                .ok_or_else(|| {
                    Invalid::one(
                        "file",
                        msg::POPULATION_LINE_NUMBER_INVALID
                            .with("line", line)
                            .with("column", name)
                            .with("value", &record[column])
                            .with("max", max),
                    )
                })
        };
        let year = number(1, "year", 2100)?;
        if year < 2000 {
            return Err(Invalid::one(
                "file",
                msg::POPULATION_LINE_YEAR_TOO_EARLY.with("line", line),
            ));
        }
        let (adults, assessments) = (
            number(2, "adults", 100_000_000)?,
            number(3, "assessments", 100_000_000)?,
        );
        // Assessments are of adults living in the area, so there cannot be more of
        // them than adults: the columns are most likely swapped.
        if assessments > adults {
            return Err(Invalid::one(
                "file",
                msg::POPULATION_LINE_MORE_ASSESSMENTS.with("line", line),
            ));
        }
        // A second row for the same area and year would silently replace the first.
        if let Some(first) = first_lines.insert((area.to_lowercase(), year), line) {
            return Err(Invalid::one(
                "file",
                msg::POPULATION_LINE_DUPLICATE
                    .with("line", line)
                    .with("first", first),
            ));
        }
        rows.push(PopulationRow {
            line,
            area,
            year: year as i32,
            adults,
            assessments,
        });
    }
    if rows.is_empty() {
        return Err(Invalid::one("file", msg::POPULATION_FILE_NO_FIGURES));
    }
    Ok(rows)
}

/// Expected referrals for an area over `covered_days`, from a year of `year_days`: the
/// assessments in the year, times the share of people with substantial difficulty in
/// being involved, times the share of those without an appropriate individual to
/// support them (both in tenths of a per cent), times the days covered over the days
/// in the year. Referrals are compared over the reporting periods that have ended,
/// whole: in October a year's expected figure is set against three quarters'
/// referrals, and a contract year from April against its twelve months.
pub fn expected_referrals(
    assessments: i64,
    difficulty_permille: i64,
    no_individual_permille: i64,
    covered_days: i64,
    year_days: i64,
) -> i64 {
    let whole = 1_000_000 * year_days.max(1);
    (assessments * difficulty_permille * no_individual_permille * covered_days.max(0) + whole / 2)
        / whole
}

codes! {
    /// How an area's referrals compare with those expected. The demand page takes the
    /// referrals from the counts the reports published (and shows no band when one was
    /// hidden), so neither the band nor the expected figure a commissioner sets can be
    /// used to ask about a hidden count.
    DemandBand {
        WellBelow => "well_below",
        Below => "below",
        AsExpected => "as_expected",
        Above => "above",
    }
}

/// The band of `actual` referrals against `expected`: well below under half, below
/// under three quarters, above over one and a quarter times.
pub fn demand_band(actual: u64, expected: i64) -> Option<DemandBand> {
    if expected <= 0 {
        return None;
    }
    let (actual, expected) = (actual as i64 * 4, expected);
    Some(if actual < expected * 2 {
        DemandBand::WellBelow
    } else if actual < expected * 3 {
        DemandBand::Below
    } else if actual <= expected * 5 {
        DemandBand::AsExpected
    } else {
        DemandBand::Above
    })
}

/// A count published only to the nearest ten, and "fewer than 10" below that: for
/// breakdowns that overlap the reports' own (referrals by team in a calendar year), so
/// subtracting one from the other cannot give an exact hidden figure.
pub fn to_nearest_ten(count: u64) -> Option<u64> {
    (count >= 10).then(|| (count + 5) / 10 * 10)
}

/// Link meetings between commissioner and provider are held each quarter (seed 003
/// §13): the next is due three months after the last one, or three months after the
/// contract started when none has been held.
pub fn next_link_meeting_due(starts_on: NaiveDate, last_held_on: Option<NaiveDate>) -> NaiveDate {
    let from = last_held_on.map_or(starts_on, |held| held.max(starts_on));
    from.checked_add_months(Months::new(3)).unwrap_or(from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn answers() -> ContractAnswers {
        ContractAnswers {
            name: "Care Act and IMHA advocacy".into(),
            commissioner: "2".into(),
            duties: vec!["care_act".into(), "imha".into()],
            areas: "Northshire, Southby".into(),
            starts_on: "2026-04-01".into(),
            ends_on: "2029-03-31".into(),
            core_funding: "250,000".into(),
            core_cases: "400".into(),
            payment_per_case: "350.50".into(),
            reporting: "quarterly".into(),
            threshold: String::new(),
            urgent_days: "2".into(),
            standard_days: "5".into(),
            target_imha_introduction: "95".into(),
            target_declined: "10%".into(),
            target_feedback: "4.2".into(),
            ..Default::default()
        }
    }

    #[test]
    fn urgent_referrals_may_not_wait_longer_and_an_imha_target_needs_imha() {
        let mut slower = answers();
        slower.urgent_days = "9".into();
        slower.standard_days = "2".into();
        let invalid = slower.parse().unwrap_err();
        assert!(invalid.message_for("urgent_days").is_some());
        let mut same = answers();
        same.urgent_days = "5".into();
        assert!(same.parse().is_ok(), "the same time for both is allowed");
        let mut care_act_only = answers();
        care_act_only.duties = vec!["care_act".into()];
        let invalid = care_act_only.parse().unwrap_err();
        assert!(invalid.message_for("target_imha_introduction").is_some());
        care_act_only.target_imha_introduction = String::new();
        assert!(care_act_only.parse().is_ok());
    }

    #[test]
    fn a_duty_or_area_named_twice_counts_once_and_negative_money_is_refused() {
        let mut twice = answers();
        twice.areas = "Northshire, northshire, Southby".into();
        twice.duties = vec!["imha".into(), "care_act".into(), "imha".into()];
        let contract = twice.parse().unwrap();
        assert_eq!(contract.areas, vec!["Northshire", "Southby"]);
        assert_eq!(contract.duties, vec![Duty::Imha, Duty::CareAct]);
        let mut negative = answers();
        negative.payment_per_case = "0.-5".into();
        negative.core_funding = "-0.50".into();
        let invalid = negative.parse().unwrap_err();
        assert!(invalid.message_for("payment_per_case").is_some());
        assert!(invalid.message_for("core_funding").is_some());
    }

    #[test]
    fn a_contract_is_checked_with_money_in_pence_and_the_default_threshold() {
        let contract = answers().parse().unwrap();
        assert_eq!(contract.duties, vec![Duty::CareAct, Duty::Imha]);
        assert_eq!(contract.areas, vec!["Northshire", "Southby"]);
        assert_eq!(contract.core_funding_pence, 25_000_000);
        assert_eq!(contract.payment_per_case_pence, 35_050);
        assert_eq!(contract.threshold, 7);
        assert_eq!(contract.targets.declined, Some(10));
        assert_eq!(contract.targets.feedback_tenths, Some(42));
        assert_eq!(contract.targets.first_contact, None);
    }

    #[test]
    fn a_threshold_below_two_is_refused_because_ones_would_show() {
        for low in ["0", "1"] {
            let mut form = answers();
            form.threshold = low.into();
            let invalid = form.parse().unwrap_err();
            assert!(invalid.message_for("threshold").is_some(), "{low}");
        }
        let mut form = answers();
        form.threshold = "2".into();
        assert_eq!(form.parse().unwrap().threshold, 2);
    }

    #[test]
    fn a_contract_that_ends_before_it_starts_is_refused_by_field() {
        let mut wrong = answers();
        wrong.ends_on = "2026-03-31".into();
        wrong.duties = vec!["gardening".into()];
        wrong.target_imha_introduction = "120".into();
        let invalid = wrong.parse().unwrap_err();
        assert!(crate::validation::words_for(&invalid, "ends_on").contains("end on or after"));
        assert!(invalid.message_for("duties").is_some());
        assert!(invalid.message_for("target_imha_introduction").is_some());
    }

    #[test]
    fn periods_are_quarters_from_the_start_cut_at_the_end() {
        let periods = contract_periods(
            day("2026-04-01"),
            day("2027-01-15"),
            ReportingPeriod::Quarterly,
        );
        assert_eq!(
            periods,
            vec![
                Period {
                    from: day("2026-04-01"),
                    to: day("2026-06-30")
                },
                Period {
                    from: day("2026-07-01"),
                    to: day("2026-09-30")
                },
                Period {
                    from: day("2026-10-01"),
                    to: day("2026-12-31")
                },
                Period {
                    from: day("2027-01-01"),
                    to: day("2027-01-15")
                },
            ]
        );
        let years = contract_years(day("2026-04-01"), day("2029-03-31"));
        assert_eq!(years.len(), 3);
        assert_eq!(years[2].to, day("2029-03-31"));
    }

    #[test]
    fn only_the_contracts_own_finished_periods_can_be_reported() {
        let periods = contract_periods(
            day("2026-04-01"),
            day("2027-03-31"),
            ReportingPeriod::Quarterly,
        );
        let today = day("2026-11-22");
        let field = |from: &str, to: &str, name: &str| {
            crate::validation::words_for(
                &parse_period(from, to, &periods, today).unwrap_err(),
                name,
            )
        };
        assert_eq!(
            parse_period("2026-07-01", "2026-09-30", &periods, today).unwrap(),
            periods[1]
        );
        assert!(field("2026-09-30", "2026-07-01", "to").contains("end on or after"));
        assert!(field("2026-07-01", "2026-09-29", "from").contains("own reporting periods"));
        assert!(field("2026-10-01", "2026-12-31", "to").contains("not ended"));
        assert!(!field("yesterday", "2026-09-30", "from").is_empty());
    }

    #[test]
    fn a_share_is_not_published_when_the_part_or_the_rest_is_small() {
        assert_eq!(share(17, 20, 7), None);
        assert_eq!(share(3, 20, 7), None);
        assert_eq!(share(12, 20, 7), Some(60));
        assert_eq!(share(20, 20, 7), Some(100));
        assert_eq!(share(0, 0, 7), None);
    }

    #[test]
    fn a_median_needs_more_values_than_the_threshold() {
        assert_eq!(median(&mut [5, 1, 3], 7), None);
        assert_eq!(median(&mut [9, 1, 3, 4, 5, 6, 7, 8, 2], 7), Some(5));
    }

    #[test]
    fn declined_referrals_meet_their_target_by_staying_under_it() {
        assert_eq!(judge(Kpi::Declined, Some(8), Some(10)).state, KpiState::Met);
        assert_eq!(
            judge(Kpi::FirstContact, Some(8), Some(10)).state,
            KpiState::Missed
        );
        assert_eq!(
            judge(Kpi::FirstContact, None, Some(10)).state,
            KpiState::NotShown
        );
        assert_eq!(
            judge(Kpi::Feedback, Some(40), None).state,
            KpiState::NoTarget
        );
    }

    #[test]
    fn urgency_comes_from_statute_risk_or_a_date_within_a_week() {
        let received = day("2026-11-02");
        assert!(is_urgent(received, Some(day("2026-11-01")), false, None));
        assert!(is_urgent(received, None, true, None));
        assert!(is_urgent(received, None, false, Some(day("2026-11-09"))));
        assert!(!is_urgent(received, None, false, Some(day("2026-11-10"))));
    }

    #[test]
    fn a_published_breakdown_hides_its_small_counts() {
        let table = publish(
            &Breakdown {
                id: "ethnicity".into(),
                rows: vec![
                    ("asian".into(), 3),
                    ("white".into(), 40),
                    ("black".into(), 12),
                ],
            },
            7,
        );
        assert_eq!(table.rows[0].1, Cell::Small);
        assert_eq!(table.rows[2].1, Cell::Hidden);
        assert_eq!(table.total, Cell::Shown(55));
    }

    #[test]
    fn a_population_csv_names_the_bad_row_and_column() {
        let good = "area,year,adults,assessments\nNorthshire,2026,\"250,000\",4100\nSouthby,2026,90000,1500\n";
        let rows = parse_population_csv(good).unwrap();
        assert_eq!(rows[0].adults, 250_000);
        assert_eq!(rows[1].area, "Southby");
        let bad =
            "area,year,adults,assessments\nNorthshire,2026,250000,4100\nSouthby,2026,lots,1500\n";
        let message = crate::validation::words_for(&parse_population_csv(bad).unwrap_err(), "file");
        assert!(message.contains("Line 3, column adults"), "{message}");
        let header = parse_population_csv("place,year\nX,2026\n").unwrap_err();
        assert!(crate::validation::words_for(&header, "file").contains("column names"));
        let twice =
            "area,year,adults,assessments\nSouthby,2026,90000,1500\nsouthby,2026,91000,1600\n";
        let message =
            crate::validation::words_for(&parse_population_csv(twice).unwrap_err(), "file");
        assert!(message.contains("Line 3, column area"), "{message}");
        assert!(message.contains("line 2"), "{message}");
        let gap = "area,year,adults,assessments\nSouthby,2026,90000,1500\n\nNorthshire,2026,x,1\n";
        let message = crate::validation::words_for(&parse_population_csv(gap).unwrap_err(), "file");
        assert!(message.contains("Line 4, column adults"), "{message}");
        let swapped = "area,year,adults,assessments\nSouthby,2026,1500,90000\n";
        let message =
            crate::validation::words_for(&parse_population_csv(swapped).unwrap_err(), "file");
        assert!(message.contains("Line 2, column assessments"), "{message}");
    }

    #[test]
    fn demand_is_published_as_a_band_and_team_counts_to_the_nearest_ten() {
        assert_eq!(demand_band(35, 600), Some(DemandBand::WellBelow));
        assert_eq!(demand_band(300, 600), Some(DemandBand::Below));
        assert_eq!(demand_band(450, 600), Some(DemandBand::AsExpected));
        assert_eq!(demand_band(750, 600), Some(DemandBand::AsExpected));
        assert_eq!(demand_band(751, 600), Some(DemandBand::Above));
        assert_eq!(demand_band(5, 0), None);
        assert_eq!(to_nearest_ten(9), None);
        assert_eq!(to_nearest_ten(14), Some(10));
        assert_eq!(to_nearest_ten(15), Some(20));
    }

    #[test]
    fn periods_span_from_the_first_start_to_the_last_end() {
        let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        let period = |from, to| Period { from, to };
        assert_eq!(
            Period::spanning(&[period(day(7, 1), day(9, 30)), period(day(4, 1), day(6, 30)),]),
            Some(period(day(4, 1), day(9, 30)))
        );
        assert_eq!(Period::spanning(&[]), None);
    }

    #[test]
    fn a_period_counts_both_its_ends() {
        let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        assert_eq!(
            Period {
                from: day(1, 1),
                to: day(3, 31)
            }
            .days(),
            90
        );
        assert_eq!(
            Period {
                from: day(4, 1),
                to: day(4, 1)
            }
            .days(),
            1
        );
    }

    #[test]
    fn expected_referrals_multiply_the_two_rates_and_the_share_of_the_year() {
        // 4,000 assessments, 60% with substantial difficulty, 25% of those without an
        // appropriate individual: 600 expected in a whole year.
        assert_eq!(expected_referrals(4000, 600, 250, 365, 365), 600);
        // Three quarters of 2026 (1 January to 30 September): 273 of 365 days.
        assert_eq!(expected_referrals(4000, 600, 250, 273, 365), 449);
        assert_eq!(expected_referrals(4000, 600, 250, 0, 365), 0);
        // A period that runs into the next year counts all its days.
        assert_eq!(expected_referrals(4000, 600, 250, 730, 365), 1200);
    }

    #[test]
    fn link_meetings_fall_due_a_quarter_after_the_last_or_the_start() {
        let start = day("2026-04-01");
        assert_eq!(next_link_meeting_due(start, None), day("2026-07-01"));
        assert_eq!(
            next_link_meeting_due(start, Some(day("2026-08-31"))),
            day("2026-11-30")
        );
        // A meeting held before the contract began does not make the first one overdue.
        assert_eq!(
            next_link_meeting_due(start, Some(day("2026-02-01"))),
            day("2026-07-01")
        );
    }
}
