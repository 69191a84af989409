//! Statutory clocks: working-day and calendar-month deadlines.
//!
//! Advocacy services are held to time standards that count working days (for example,
//! an IMHA must be introduced within 3 working days of compulsion) or calendar months
//! (a subject access request must be answered within one month). Working days are
//! Monday to Friday except the bank holidays of the nation the service works in, so the
//! bank holidays are shipped as data (`data/calendars/*.txt`) that an administrator can
//! extend without a new release, rather than written into code.
//!
//! Everything here is pure: the shipped calendars are compiled into the binary with
//! `include_str!`, and any days an administrator adds are passed in by the caller.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Days, Months, NaiveDate, NaiveDateTime, Weekday};
use serde::{Deserialize, Serialize};

/// A timestamp the system stamped in UTC as it reads on the UK wall clock (GMT or BST).
/// The four nations keep UK time, so the date something happened is the UK date: a
/// referral received at 00:30 on 1 April in summer (23:30 UTC on 31 March) was received
/// on 1 April.
pub fn uk_time(utc: NaiveDateTime) -> NaiveDateTime {
    utc.and_utc()
        .with_timezone(&chrono_tz::Europe::London)
        .naive_local()
}

/// The UTC instant at which a UK date begins, for selecting system timestamps (stored
/// in UTC) by UK date. UK clocks change at 01:00 and 02:00, so midnight always exists
/// and is never doubled.
pub fn uk_day_start(day: NaiveDate) -> NaiveDateTime {
    use chrono::TimeZone;
    let midnight = day.and_time(chrono::NaiveTime::MIN);
    chrono_tz::Europe::London
        .from_local_datetime(&midnight)
        .earliest()
        .map(|at| at.naive_utc())
        .unwrap_or(midnight)
}

/// The interval, in calendar days, between regular contacts with a person who is
/// subject to the Mental Health Act, used when a contract does not set its own.
pub const DEFAULT_REGULAR_CONTACT_INTERVAL_DAYS: u32 = 28;

/// The number of working days within which an IMHA must be introduced after
/// compulsion or renewal.
pub const IMHA_INTRODUCTION_WORKING_DAYS: u32 = 3;

/// The number of calendar months within which a subject access request must be
/// answered (before any extension).
pub const SUBJECT_ACCESS_MONTHS: u32 = 1;

/// The first and last years that every shipped calendar is promised to cover.
pub const SHIPPED_YEARS: std::ops::RangeInclusive<i32> = 2015..=2030;

const ENGLAND_AND_WALES_TXT: &str = include_str!("../../../data/calendars/england-and-wales.txt");
const SCOTLAND_TXT: &str = include_str!("../../../data/calendars/scotland.txt");
const NORTHERN_IRELAND_TXT: &str = include_str!("../../../data/calendars/northern-ireland.txt");

/// Why a clock could not be computed or its inputs could not be read.
///
/// The messages are plain English because they are shown to administrators and
/// command-line users, not only to developers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    /// The nation name is not one of the three the calendars exist for.
    #[error("unknown nation \"{0}\": use england-and-wales, scotland or northern-ireland")]
    UnknownNation(String),
    /// The text is not a date written as `YYYY-MM-DD`, or names a day that does not exist.
    #[error("\"{text}\" is not a valid date: {problem}")]
    InvalidDate {
        /// The text as given.
        text: String,
        /// What is wrong with it.
        problem: DateProblem,
    },
    /// A line of a calendar file is not a comment, a blank line or `YYYY-MM-DD  Name`.
    #[error("line {line} of the {nation} calendar is not valid: {reason}")]
    CalendarLine {
        /// The calendar being read.
        nation: Nation,
        /// The 1-based line number, so an administrator can find the line in an editor.
        line: usize,
        /// What is wrong with the line.
        reason: String,
    },
}

/// What is wrong with a date that could not be read. The command line words it here, as
/// the clocks contract has it; the pages word it from the catalogue by its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateProblem {
    /// Not written as `YYYY-MM-DD`.
    Shape,
    Year,
    Month,
    /// A day the month does not have, such as 31 April.
    Day,
}

impl DateProblem {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Shape => "shape",
            Self::Year => "year",
            Self::Month => "month",
            Self::Day => "day",
        }
    }
}

impl fmt::Display for DateProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Shape => "write dates as YYYY-MM-DD, for example 2025-12-23",
            Self::Year => "the year is out of range",
            Self::Month => "the month must be between 01 and 12",
            Self::Day => "that day does not exist in that month",
        })
    }
}

/// A nation of the United Kingdom with its own set of bank holidays.
///
/// England and Wales share one set; Scotland and Northern Ireland each have their own.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Nation {
    /// England and Wales, the default because most services work there.
    #[default]
    EnglandAndWales,
    /// Scotland, which has 2 January, St Andrew's Day and an early-August summer
    /// holiday, but no Easter Monday.
    Scotland,
    /// Northern Ireland, which has England's holidays plus St Patrick's Day and the
    /// Battle of the Boyne.
    NorthernIreland,
}

impl Nation {
    /// Every nation, in a fixed order, so that callers can list or check them all.
    pub const ALL: [Nation; 3] = [
        Nation::EnglandAndWales,
        Nation::Scotland,
        Nation::NorthernIreland,
    ];

    /// Reads a nation from its exact machine name (`england-and-wales`, `scotland` or
    /// `northern-ireland`); anything else is refused so that a typing mistake cannot
    /// silently select the wrong bank holidays.
    pub fn parse(text: &str) -> Result<Self, ClockError> {
        Self::ALL
            .into_iter()
            .find(|nation| nation.as_str() == text)
            .ok_or_else(|| ClockError::UnknownNation(text.to_owned()))
    }

    /// The machine name of the nation, as accepted by [`Nation::parse`] and used as the
    /// calendar file name.
    pub fn as_str(self) -> &'static str {
        match self {
            Nation::EnglandAndWales => "england-and-wales",
            Nation::Scotland => "scotland",
            Nation::NorthernIreland => "northern-ireland",
        }
    }

    /// The shipped calendar text for this nation, compiled into the binary so that the
    /// server and the command line read the same data.
    fn shipped_text(self) -> &'static str {
        match self {
            Nation::EnglandAndWales => ENGLAND_AND_WALES_TXT,
            Nation::Scotland => SCOTLAND_TXT,
            Nation::NorthernIreland => NORTHERN_IRELAND_TXT,
        }
    }
}

impl fmt::Display for Nation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Nation {
    type Err = ClockError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

/// Reads a date written exactly as `YYYY-MM-DD`.
///
/// Other spellings (`23/12/2025`, `2025-1-5`, surrounding spaces) are refused rather than
/// guessed at, because in the UK and the US the same digits can mean different days and a
/// wrong guess would give a wrong statutory deadline.
pub fn parse_iso_date(text: &str) -> Result<NaiveDate, ClockError> {
    let invalid = |problem| ClockError::InvalidDate {
        text: text.to_owned(),
        problem,
    };
    let bytes = text.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shape_ok {
        return Err(invalid(DateProblem::Shape));
    }
    // The shape check above guarantees these slices are ASCII digits, so they parse.
    let number = |range: std::ops::Range<usize>| -> u32 {
        text[range]
            .bytes()
            .fold(0, |acc, b| acc * 10 + u32::from(b - b'0'))
    };
    let (year, month, day) = (number(0..4), number(5..7), number(8..10));
    let year = i32::try_from(year).map_err(|_| invalid(DateProblem::Year))?;
    if !(1..=12).contains(&month) {
        return Err(invalid(DateProblem::Month));
    }
    NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| invalid(DateProblem::Day))
}

/// The working days of one nation: Monday to Friday, except its bank holidays.
///
/// Build it with [`WorkingDayCalendar::shipped`] for the data that comes with Advocase,
/// then add any days an administrator has added with
/// [`WorkingDayCalendar::with_extra_days`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingDayCalendar {
    nation: Nation,
    /// Bank holidays and their names; the names let a screen explain why a day was skipped.
    holidays: BTreeMap<NaiveDate, String>,
    /// Years for which the data has at least one bank holiday, taken to mean that an
    /// administrator or the shipped data has listed that year's holidays.
    years: BTreeSet<i32>,
}

impl WorkingDayCalendar {
    /// The calendar shipped with Advocase for a nation, covering at least 2015 to 2030.
    ///
    /// The shipped files are checked by this module's tests, so a parse failure here
    /// would be a build defect rather than something a user could cause.
    pub fn shipped(nation: Nation) -> Self {
        match Self::parse(nation, nation.shipped_text()) {
            Ok(calendar) => calendar,
            Err(error) => panic!("the shipped calendar is invalid: {error}"),
        }
    }

    /// Reads a calendar file: one bank holiday per line as `YYYY-MM-DD` followed by
    /// whitespace and a name, with `#` comment lines and blank lines ignored.
    ///
    /// A bad line is reported with its line number so an administrator who extended the
    /// file can find and fix it. The name may be left out; a duplicate date is harmless.
    pub fn parse(nation: Nation, text: &str) -> Result<Self, ClockError> {
        let mut holidays = BTreeMap::new();
        for (index, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = |reason: String| ClockError::CalendarLine {
                nation,
                line: index + 1,
                reason,
            };
            let (date_text, name) = match line.find(char::is_whitespace) {
                Some(at) => (&line[..at], line[at..].trim()),
                None => (line, ""),
            };
            let date = parse_iso_date(date_text).map_err(|error| {
                bad(format!(
                    "expected \"YYYY-MM-DD  Name\" ({error}), found \"{line}\""
                ))
            })?;
            holidays.insert(date, name.to_owned());
        }
        let years = holidays.keys().map(Datelike::year).collect();
        Ok(Self {
            nation,
            holidays,
            years,
        })
    }

    /// Adds days that an administrator has declared bank holidays (for example a newly
    /// announced one-off day), on top of the data already loaded.
    pub fn with_extra_days(mut self, days: impl IntoIterator<Item = NaiveDate>) -> Self {
        for day in days {
            self.years.insert(day.year());
            self.holidays
                .entry(day)
                .or_insert_with(|| "Added by an administrator".to_owned());
        }
        self
    }

    /// The nation whose bank holidays this calendar holds.
    pub fn nation(&self) -> Nation {
        self.nation
    }

    /// The name of the bank holiday on `date`, if it is one, so that a screen can say why
    /// a day was not counted.
    pub fn holiday_name(&self, date: NaiveDate) -> Option<&str> {
        self.holidays.get(&date).map(String::as_str)
    }

    /// Every bank holiday in date order with its name, so that a screen can list them and
    /// so that a calendar file an administrator extended can be merged onto the shipped
    /// one with [`WorkingDayCalendar::with_extra_days`].
    pub fn holidays(&self) -> impl Iterator<Item = (NaiveDate, &str)> + '_ {
        self.holidays
            .iter()
            .map(|(day, name)| (*day, name.as_str()))
    }

    /// Tells whether the data lists bank holidays for the year of `date`.
    ///
    /// Outside the covered years every weekday counts as a working day, which would
    /// give deadlines that are too early; callers should warn or refuse.
    pub fn covers(&self, date: NaiveDate) -> bool {
        self.years.contains(&date.year())
    }

    /// Tells whether `date` is a working day: Monday to Friday and not a bank holiday.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        !is_weekend(date) && !self.holidays.contains_key(&date)
    }

    /// The Nth working day after `from`, where `from` is day 0.
    ///
    /// With `n = 0` the answer is `from` itself if it is a working day, else the next
    /// working day, because an event on a closed day is handled on the next open one.
    /// Returns `None` only if the answer would be past the last date chrono can hold.
    pub fn add_working_days(&self, from: NaiveDate, n: u32) -> Option<NaiveDate> {
        let mut date = from;
        if n == 0 {
            while !self.is_working_day(date) {
                date = date.succ_opt()?;
            }
            return Some(date);
        }
        let last_holiday = self.holidays.keys().next_back().copied();
        let mut remaining = n;
        while remaining > 0 {
            if last_holiday.is_none_or(|last| date >= last) {
                // No bank holidays lie ahead, so only weekends need skipping and the rest
                // can be counted in whole weeks instead of day by day.
                return add_weekdays(date, remaining);
            }
            date = date.succ_opt()?;
            if self.is_working_day(date) {
                remaining -= 1;
            }
        }
        Some(date)
    }

    /// How many working days lie after `from` up to and including `to`: 0 on the same
    /// day or when `to` is earlier. An event on Friday is one working day old on Monday.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        let mut count = 0;
        let mut date = from;
        while date < to {
            match date.succ_opt() {
                Some(next) => date = next,
                None => break,
            }
            if self.is_working_day(date) {
                count += 1;
            }
        }
        count
    }

    /// The subject-access clock: the same day of the month `months` months after `from`;
    /// if that day does not exist, the last day of that month; if the result is not a
    /// working day, the next working day.
    ///
    /// Returns `None` only if the answer would be past the last date chrono can hold.
    pub fn add_months_for_subject_access(&self, from: NaiveDate, months: u32) -> Option<NaiveDate> {
        // chrono clamps to the last day of the month when the day does not exist.
        let same_day = from.checked_add_months(Months::new(months))?;
        self.add_working_days(same_day, 0)
    }
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The `n`th weekday after `date`, ignoring bank holidays; used once no more bank
/// holidays lie ahead so that very large counts do not loop day by day.
fn add_weekdays(date: NaiveDate, n: u32) -> Option<NaiveDate> {
    // Counting weekdays after a Saturday or Sunday is the same as after the Friday before.
    let friday_back = match date.weekday() {
        Weekday::Sat => 1,
        Weekday::Sun => 2,
        _ => 0,
    };
    let start = date.checked_sub_days(Days::new(friday_back))?;
    let offset = u64::from(start.weekday().num_days_from_monday()) + u64::from(n);
    let monday =
        start.checked_sub_days(Days::new(u64::from(start.weekday().num_days_from_monday())))?;
    monday.checked_add_days(Days::new(offset / 5 * 7 + offset % 5))
}

/// The last day by which an IMHA must be introduced: the end of the 3rd working day
/// after the compulsion or renewal date.
///
/// Saturates at chrono's last date rather than panicking, which only matters for dates
/// no real record can hold.
pub fn imha_introduction_due(
    calendar: &WorkingDayCalendar,
    compulsion_date: NaiveDate,
) -> NaiveDate {
    calendar
        .add_working_days(compulsion_date, IMHA_INTRODUCTION_WORKING_DAYS)
        .unwrap_or(NaiveDate::MAX)
}

/// The date by which the next regular contact is due: `interval_days` calendar days
/// after the last contact (use [`DEFAULT_REGULAR_CONTACT_INTERVAL_DAYS`] when the
/// contract sets none).
///
/// Calendar days, not working days, because "regular" contact is about how long a person
/// goes without seeing their advocate, and that does not pause for weekends.
pub fn regular_contact_due(last_contact: NaiveDate, interval_days: u32) -> NaiveDate {
    last_contact
        .checked_add_days(Days::new(u64::from(interval_days)))
        .unwrap_or(NaiveDate::MAX)
}

/// The target date for first contact after a referral: `working_days` working days after
/// the referral date, with the count set per contract and priority.
pub fn first_contact_target_due(
    calendar: &WorkingDayCalendar,
    referral_date: NaiveDate,
    working_days: u32,
) -> NaiveDate {
    calendar
        .add_working_days(referral_date, working_days)
        .unwrap_or(NaiveDate::MAX)
}

/// The date by which a subject access request must be answered: one calendar month after
/// the request, rolled forward to a working day (before any extension).
pub fn subject_access_due(calendar: &WorkingDayCalendar, request_date: NaiveDate) -> NaiveDate {
    calendar
        .add_months_for_subject_access(request_date, SUBJECT_ACCESS_MONTHS)
        .unwrap_or(NaiveDate::MAX)
}

/// Reads a count given on the command line: only plain digits are accepted, so that a
/// negative or mistyped number is refused rather than misread.
fn parse_count(flag: &str, text: &str) -> Result<u32, String> {
    if text.starts_with('-') {
        return Err(format!("{flag} cannot be negative (got \"{text}\")"));
    }
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{flag} must be a whole number (got \"{text}\")"));
    }
    text.parse()
        .map_err(|_| format!("{flag} is too large (got \"{text}\")"))
}

/// Computes the answer to `advocase deadline`, validating every argument as the command
/// line gives it, so that the command only has to print the date or the message.
///
/// Exactly one of `working_days` and `months` must be given. `nation` defaults to
/// England and Wales. `extra_days` are bank holidays an administrator has added. The
/// answer is refused when the dates involved fall in a year the calendar does not cover,
/// because a deadline that ignores that year's bank holidays could be too early.
pub fn deadline_for_cli(
    from: &str,
    working_days: Option<&str>,
    months: Option<&str>,
    nation: Option<&str>,
    extra_days: &[NaiveDate],
) -> Result<NaiveDate, String> {
    let from_date = parse_iso_date(from).map_err(|error| format!("--from: {error}"))?;
    let nation = match nation {
        Some(text) => Nation::parse(text).map_err(|error| format!("--nation: {error}"))?,
        None => Nation::default(),
    };
    let calendar = WorkingDayCalendar::shipped(nation).with_extra_days(extra_days.iter().copied());
    let not_covered = |year: i32| {
        format!(
            "the {nation} bank-holiday calendar does not cover {year}; an administrator can \
             add that year's bank holidays to the calendar"
        )
    };
    if !calendar.covers(from_date) {
        return Err(not_covered(from_date.year()));
    }
    // Refuse before counting if the answer must lie beyond the covered years, so that a
    // huge count is answered at once.
    let last_covered = calendar.years.last().copied().unwrap_or(from_date.year());
    let days_left_in_data = NaiveDate::from_ymd_opt(last_covered, 12, 31)
        .map_or(0, |end| (end - from_date).num_days().max(0));
    let due = match (working_days, months) {
        (Some(text), None) => {
            let n = parse_count("--working-days", text)?;
            if i64::from(n) > days_left_in_data {
                return Err(not_covered(last_covered + 1));
            }
            calendar.add_working_days(from_date, n)
        }
        (None, Some(text)) => {
            let n = parse_count("--months", text)?;
            if i64::from(n) > days_left_in_data / 28 + 1 {
                return Err(not_covered(last_covered + 1));
            }
            calendar.add_months_for_subject_access(from_date, n)
        }
        (Some(_), Some(_)) => {
            return Err("give either --working-days or --months, not both".to_owned());
        }
        (None, None) => {
            return Err("give either --working-days N or --months N".to_owned());
        }
    }
    .ok_or_else(|| "the deadline is too far in the future to compute".to_owned())?;
    if let Some(year) = (from_date.year()..=due.year()).find(|year| !calendar.years.contains(year))
    {
        return Err(not_covered(year));
    }
    Ok(due)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(text: &str) -> NaiveDate {
        parse_iso_date(text).expect("test dates are valid")
    }

    fn ew() -> WorkingDayCalendar {
        WorkingDayCalendar::shipped(Nation::EnglandAndWales)
    }

    #[test]
    fn system_timestamps_read_on_the_uk_clock_in_summer_and_winter() {
        let at = |text: &str| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap();
        // 23:30 UTC on 31 March 2026 is 00:30 BST on 1 April.
        assert_eq!(uk_time(at("2026-03-31 23:30")), at("2026-04-01 00:30"));
        assert_eq!(uk_time(at("2026-01-31 23:30")), at("2026-01-31 23:30"));
        // A UK day in summer starts at 23:00 UTC the day before; in winter at midnight.
        assert_eq!(uk_day_start(date("2026-04-01")), at("2026-03-31 23:00"));
        assert_eq!(uk_day_start(date("2026-12-01")), at("2026-12-01 00:00"));
        // The days the clocks change start at midnight on the clock of the day before.
        assert_eq!(uk_day_start(date("2026-03-29")), at("2026-03-29 00:00"));
        assert_eq!(uk_day_start(date("2026-10-25")), at("2026-10-24 23:00"));
    }

    fn scotland() -> WorkingDayCalendar {
        WorkingDayCalendar::shipped(Nation::Scotland)
    }

    fn ni() -> WorkingDayCalendar {
        WorkingDayCalendar::shipped(Nation::NorthernIreland)
    }

    fn plus(calendar: &WorkingDayCalendar, from: &str, n: u32) -> NaiveDate {
        calendar.add_working_days(date(from), n).expect("in range")
    }

    fn months(calendar: &WorkingDayCalendar, from: &str, n: u32) -> NaiveDate {
        calendar
            .add_months_for_subject_access(date(from), n)
            .expect("in range")
    }

    #[test]
    fn compulsion_on_tuesday_23_december_2025_is_due_tuesday_30_december() {
        assert_eq!(
            imha_introduction_due(&ew(), date("2025-12-23")),
            date("2025-12-30")
        );
        for nation in Nation::ALL {
            let calendar = WorkingDayCalendar::shipped(nation);
            assert_eq!(plus(&calendar, "2025-12-23", 3), date("2025-12-30"));
        }
    }

    #[test]
    fn zero_working_days_from_a_working_day_is_that_day() {
        assert_eq!(plus(&ew(), "2025-12-23", 0), date("2025-12-23"));
    }

    #[test]
    fn zero_working_days_from_a_weekend_or_bank_holiday_is_the_next_working_day() {
        assert_eq!(plus(&ew(), "2025-12-27", 0), date("2025-12-29"));
        assert_eq!(plus(&ew(), "2025-12-25", 0), date("2025-12-29"));
        assert_eq!(plus(&ew(), "2025-04-18", 0), date("2025-04-22"));
    }

    #[test]
    fn good_friday_and_easter_monday_are_skipped_across_years_in_england_and_wales() {
        // Thursday before Easter plus one working day is the Tuesday after Easter.
        for (thursday, tuesday) in [
            ("2016-03-24", "2016-03-29"),
            ("2019-04-18", "2019-04-23"),
            ("2024-03-28", "2024-04-02"),
            ("2025-04-17", "2025-04-22"),
            ("2027-03-25", "2027-03-30"),
            ("2030-04-18", "2030-04-23"),
        ] {
            assert_eq!(plus(&ew(), thursday, 1), date(tuesday), "from {thursday}");
            assert_eq!(plus(&ni(), thursday, 1), date(tuesday), "from {thursday}");
        }
    }

    #[test]
    fn scotland_has_good_friday_but_not_easter_monday() {
        assert!(!scotland().is_working_day(date("2025-04-18")));
        assert!(scotland().is_working_day(date("2025-04-21")));
        assert_eq!(plus(&scotland(), "2025-04-17", 1), date("2025-04-21"));
    }

    #[test]
    fn substitute_days_for_christmas_and_new_year_are_not_working_days() {
        let calendar = ew();
        for day in [
            "2020-12-28",
            "2021-12-27",
            "2021-12-28",
            "2022-01-03",
            "2022-12-26",
            "2022-12-27",
            "2023-01-02",
            "2027-12-27",
            "2027-12-28",
        ] {
            assert!(!calendar.is_working_day(date(day)), "{day}");
        }
        assert_eq!(plus(&calendar, "2021-12-24", 1), date("2021-12-29"));
        assert_eq!(plus(&calendar, "2021-12-31", 1), date("2022-01-04"));
        assert_eq!(plus(&calendar, "2022-12-30", 1), date("2023-01-03"));
    }

    #[test]
    fn the_moved_and_one_off_bank_holidays_of_2020_2022_and_2023_are_honoured() {
        let calendar = ew();
        // 2020: the early May bank holiday moved to Friday 8 May for VE day.
        assert!(calendar.is_working_day(date("2020-05-04")));
        assert!(!calendar.is_working_day(date("2020-05-08")));
        // 2022: spring bank holiday moved to 2 June, plus the Platinum Jubilee on 3 June.
        assert!(calendar.is_working_day(date("2022-05-30")));
        assert_eq!(plus(&calendar, "2022-06-01", 1), date("2022-06-06"));
    }

    #[test]
    fn the_state_funeral_on_19_september_2022_is_not_a_working_day_in_any_nation() {
        for nation in Nation::ALL {
            let calendar = WorkingDayCalendar::shipped(nation);
            assert_eq!(
                plus(&calendar, "2022-09-16", 1),
                date("2022-09-20"),
                "{nation}"
            );
        }
    }

    #[test]
    fn the_coronation_on_8_may_2023_is_not_a_working_day_in_any_nation() {
        for nation in Nation::ALL {
            let calendar = WorkingDayCalendar::shipped(nation);
            assert!(!calendar.is_working_day(date("2023-05-01")), "{nation}");
            assert_eq!(
                plus(&calendar, "2023-05-05", 1),
                date("2023-05-09"),
                "{nation}"
            );
        }
    }

    #[test]
    fn scotland_has_2_january_with_its_substitutes() {
        let calendar = scotland();
        assert!(!calendar.is_working_day(date("2025-01-02")));
        assert!(ew().is_working_day(date("2025-01-02")));
        assert_eq!(plus(&calendar, "2024-12-31", 1), date("2025-01-03"));
        // 2022: 1 Jan a Saturday, so Monday 3 and Tuesday 4 January are both holidays.
        assert_eq!(plus(&calendar, "2021-12-31", 1), date("2022-01-05"));
        // 2023: 1 Jan a Sunday, so Monday 2 and Tuesday 3 January are both holidays.
        assert_eq!(plus(&calendar, "2022-12-30", 1), date("2023-01-04"));
    }

    #[test]
    fn scotland_has_st_andrews_day_moved_to_monday_at_a_weekend() {
        let calendar = scotland();
        assert!(!calendar.is_working_day(date("2023-11-30")));
        assert!(!calendar.is_working_day(date("2025-12-01")));
        assert!(!calendar.is_working_day(date("2024-12-02")));
        assert!(ew().is_working_day(date("2023-11-30")));
    }

    #[test]
    fn scotland_has_its_summer_bank_holiday_on_the_first_monday_of_august() {
        assert!(!scotland().is_working_day(date("2025-08-04")));
        assert!(scotland().is_working_day(date("2025-08-25")));
        assert!(!ew().is_working_day(date("2025-08-25")));
    }

    #[test]
    fn northern_ireland_has_st_patricks_day_and_the_boyne_with_substitutes() {
        let calendar = ni();
        assert!(!calendar.is_working_day(date("2025-03-17")));
        assert!(!calendar.is_working_day(date("2024-03-18")));
        assert!(!calendar.is_working_day(date("2024-07-12")));
        assert!(!calendar.is_working_day(date("2025-07-14")));
        assert!(ew().is_working_day(date("2025-03-17")));
        assert!(ew().is_working_day(date("2025-07-14")));
        assert_eq!(plus(&calendar, "2025-07-11", 1), date("2025-07-15"));
    }

    #[test]
    fn one_month_from_31_january_2025_is_28_february_2025() {
        assert_eq!(months(&ew(), "2025-01-31", 1), date("2025-02-28"));
        assert_eq!(
            subject_access_due(&ew(), date("2025-01-31")),
            date("2025-02-28")
        );
    }

    #[test]
    fn one_month_from_31_january_2024_is_29_february_2024_in_a_leap_year() {
        assert_eq!(months(&ew(), "2024-01-31", 1), date("2024-02-29"));
    }

    #[test]
    fn a_month_end_on_a_weekend_rolls_to_the_next_working_day() {
        // 28 February 2026 is a Saturday.
        assert_eq!(months(&ew(), "2026-01-31", 1), date("2026-03-02"));
        // 30 November 2025 is a Sunday; in Scotland Monday 1 December is St Andrew's Day.
        assert_eq!(months(&ew(), "2025-10-31", 1), date("2025-12-01"));
        assert_eq!(months(&scotland(), "2025-10-31", 1), date("2025-12-02"));
    }

    #[test]
    fn a_month_landing_on_a_bank_holiday_rolls_to_the_next_working_day() {
        // 26 May 2025 is the spring bank holiday.
        assert_eq!(months(&ew(), "2025-04-26", 1), date("2025-05-27"));
    }

    #[test]
    fn a_month_landing_on_christmas_day_rolls_past_boxing_day_and_the_weekend() {
        assert_eq!(months(&ew(), "2025-11-25", 1), date("2025-12-29"));
    }

    #[test]
    fn zero_months_from_a_working_day_is_that_day() {
        assert_eq!(months(&ew(), "2025-06-10", 0), date("2025-06-10"));
    }

    #[test]
    fn regular_contact_counts_calendar_days() {
        assert_eq!(
            regular_contact_due(date("2025-12-20"), DEFAULT_REGULAR_CONTACT_INTERVAL_DAYS),
            date("2026-01-17")
        );
    }

    #[test]
    fn first_contact_target_counts_working_days() {
        assert_eq!(
            first_contact_target_due(&ew(), date("2025-12-19"), 7),
            date("2026-01-02")
        );
    }

    #[test]
    fn every_shipped_calendar_covers_2015_to_2030_with_at_least_8_days_each_year() {
        for nation in Nation::ALL {
            let calendar = WorkingDayCalendar::parse(nation, nation.shipped_text())
                .expect("shipped calendar parses");
            for year in SHIPPED_YEARS {
                let count = calendar
                    .holidays
                    .keys()
                    .filter(|day| day.year() == year)
                    .count();
                assert!(count >= 8, "{nation} has {count} days in {year}");
                assert!(calendar.covers(NaiveDate::from_ymd_opt(year, 6, 1).expect("valid")));
            }
            assert!(!calendar.covers(date("2014-06-01")), "{nation}");
            for day in calendar.holidays.keys() {
                assert!(!is_weekend(*day), "{nation} lists a weekend day {day}");
            }
        }
    }

    #[test]
    fn the_shipped_england_and_wales_calendar_matches_the_known_2025_dates() {
        let days: Vec<String> = ew()
            .holidays
            .keys()
            .filter(|day| day.year() == 2025)
            .map(|day| day.to_string())
            .collect();
        assert_eq!(
            days,
            [
                "2025-01-01",
                "2025-04-18",
                "2025-04-21",
                "2025-05-05",
                "2025-05-26",
                "2025-08-25",
                "2025-12-25",
                "2025-12-26"
            ]
        );
    }

    #[test]
    fn a_bad_line_in_a_calendar_gives_an_error_naming_the_line() {
        let text = "# comment\n\n2025-01-01  New Year's Day\n01/05/2025 Early May\n";
        let error =
            WorkingDayCalendar::parse(Nation::EnglandAndWales, text).expect_err("line 4 is bad");
        assert!(
            matches!(error, ClockError::CalendarLine { line: 4, .. }),
            "{error:?}"
        );
        assert!(error.to_string().contains("line 4"), "{error}");
    }

    #[test]
    fn an_impossible_date_in_a_calendar_is_refused() {
        let error = WorkingDayCalendar::parse(Nation::Scotland, "2025-02-30  Nonsense\n")
            .expect_err("30 February does not exist");
        assert!(
            matches!(error, ClockError::CalendarLine { line: 1, .. }),
            "{error:?}"
        );
    }

    #[test]
    fn a_calendar_line_without_a_name_and_with_crlf_is_accepted() {
        let calendar = WorkingDayCalendar::parse(Nation::EnglandAndWales, "2031-01-01\r\n# x\r\n")
            .expect("valid");
        assert!(!calendar.is_working_day(date("2031-01-01")));
        assert!(calendar.covers(date("2031-07-01")));
    }

    #[test]
    fn extra_days_added_by_an_administrator_are_not_working_days() {
        let calendar = ew().with_extra_days([date("2025-12-31")]);
        let admin_file =
            WorkingDayCalendar::parse(Nation::EnglandAndWales, "2031-01-01  x\n").expect("valid");
        let merged = ew().with_extra_days(admin_file.holidays().map(|(day, _)| day));
        assert!(merged.covers(date("2031-03-01")));
        assert!(!merged.is_working_day(date("2031-01-01")));
        assert!(!merged.is_working_day(date("2025-12-25")));
        assert!(!calendar.is_working_day(date("2025-12-31")));
        assert_eq!(plus(&calendar, "2025-12-30", 1), date("2026-01-02"));
        assert_eq!(
            calendar.holiday_name(date("2025-12-25")),
            Some("Christmas Day")
        );
    }

    #[test]
    fn nations_parse_only_from_their_exact_names() {
        for nation in Nation::ALL {
            assert_eq!(Nation::parse(nation.as_str()), Ok(nation));
        }
        assert_eq!(Nation::default(), Nation::EnglandAndWales);
        for bad in ["wales", "England-and-Wales", "", " scotland", "ni"] {
            assert!(Nation::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn iso_dates_are_accepted_only_as_yyyy_mm_dd() {
        assert_eq!(
            parse_iso_date("2025-12-23"),
            Ok(NaiveDate::from_ymd_opt(2025, 12, 23).expect("valid"))
        );
        for bad in [
            "23/12/2025",
            "2025-1-05",
            "2025-12-23 ",
            "20251223",
            "2025-13-01",
            "2025-02-29",
            "+025-12-23",
            "",
        ] {
            let error = parse_iso_date(bad).expect_err(bad);
            assert!(error.to_string().contains("not a valid date"), "{error}");
        }
    }

    #[test]
    fn the_cli_deadline_matches_the_contract_examples() {
        let no_extra: &[NaiveDate] = &[];
        assert_eq!(
            deadline_for_cli("2025-12-23", Some("3"), None, None, no_extra),
            Ok(date("2025-12-30"))
        );
        assert_eq!(
            deadline_for_cli(
                "2025-01-31",
                None,
                Some("1"),
                Some("england-and-wales"),
                no_extra
            ),
            Ok(date("2025-02-28"))
        );
        assert_eq!(
            deadline_for_cli("2024-12-31", Some("1"), None, Some("scotland"), no_extra),
            Ok(date("2025-01-03"))
        );
        assert_eq!(
            deadline_for_cli(
                "2025-07-11",
                Some("1"),
                None,
                Some("northern-ireland"),
                no_extra
            ),
            Ok(date("2025-07-15"))
        );
        assert_eq!(
            deadline_for_cli("2025-12-27", Some("0"), None, None, no_extra),
            Ok(date("2025-12-29"))
        );
    }

    #[test]
    fn the_cli_deadline_honours_days_added_by_an_administrator() {
        assert_eq!(
            deadline_for_cli("2025-12-30", Some("1"), None, None, &[date("2025-12-31")]),
            Ok(date("2026-01-02"))
        );
    }

    #[test]
    fn the_cli_deadline_refuses_a_negative_count() {
        let error =
            deadline_for_cli("2025-12-23", Some("-1"), None, None, &[]).expect_err("negative");
        assert!(error.contains("negative"), "{error}");
        let error =
            deadline_for_cli("2025-12-23", None, Some("-1"), None, &[]).expect_err("negative");
        assert!(error.contains("negative"), "{error}");
    }

    #[test]
    fn the_cli_deadline_refuses_bad_input_with_a_plain_message() {
        let cases = [
            ("23/12/2025", Some("3"), None, None, "YYYY-MM-DD"),
            ("2025-02-30", Some("3"), None, None, "does not exist"),
            ("2025-12-23", Some("three"), None, None, "whole number"),
            ("2025-12-23", Some(""), None, None, "whole number"),
            ("2025-12-23", Some("99999999999"), None, None, "too large"),
            (
                "2025-12-23",
                Some("3"),
                None,
                Some("wales"),
                "unknown nation",
            ),
            ("2025-12-23", Some("3"), Some("1"), None, "not both"),
            ("2025-12-23", None, None, None, "either"),
        ];
        for (from, working_days, months, nation, expected) in cases {
            let error =
                deadline_for_cli(from, working_days, months, nation, &[]).expect_err(expected);
            assert!(
                error.contains(expected),
                "{error} should mention {expected}"
            );
        }
    }

    #[test]
    fn the_cli_deadline_refuses_years_the_calendar_does_not_cover() {
        let error = deadline_for_cli("2040-01-02", Some("3"), None, None, &[])
            .expect_err("2040 is not covered");
        assert!(error.contains("2040"), "{error}");
        let error = deadline_for_cli("2030-12-20", Some("10"), None, None, &[])
            .expect_err("runs into 2031");
        assert!(error.contains("2031"), "{error}");
        let error = deadline_for_cli("2025-01-02", Some("4000000000"), None, None, &[])
            .expect_err("far past the data");
        assert!(error.contains("does not cover"), "{error}");
        let error = deadline_for_cli("2025-01-02", None, Some("4000000000"), None, &[])
            .expect_err("far past the data");
        assert!(error.contains("does not cover"), "{error}");
    }

    #[test]
    fn counting_working_days_past_the_last_holiday_skips_only_weekends() {
        let calendar = WorkingDayCalendar::parse(Nation::EnglandAndWales, "").expect("empty");
        // Friday 2 January 2026 plus 1 is Monday 5 January; Saturday plus 5 is Friday.
        assert_eq!(plus(&calendar, "2026-01-02", 1), date("2026-01-05"));
        assert_eq!(plus(&calendar, "2026-01-03", 5), date("2026-01-09"));
        assert_eq!(plus(&calendar, "2026-01-04", 6), date("2026-01-12"));
        assert!(calendar.add_working_days(NaiveDate::MAX, 1).is_none());
        assert_eq!(
            imha_introduction_due(&calendar, NaiveDate::MAX),
            NaiveDate::MAX
        );
    }

    fn count_by_stepping(calendar: &WorkingDayCalendar, from: NaiveDate, n: u32) -> NaiveDate {
        let mut date = from;
        let mut remaining = n;
        while remaining > 0 {
            date = date.succ_opt().expect("in range");
            if calendar.is_working_day(date) {
                remaining -= 1;
            }
        }
        date
    }

    proptest! {
        #[test]
        fn adding_working_days_agrees_with_stepping_one_day_at_a_time(
            offset in 0u32..6000,
            n in 1u32..400,
            nation_index in 0usize..3,
        ) {
            let calendar = WorkingDayCalendar::shipped(Nation::ALL[nation_index]);
            let from = date("2014-06-01") + Days::new(u64::from(offset));
            let due = calendar.add_working_days(from, n).expect("in range");
            prop_assert!(calendar.is_working_day(due));
            prop_assert_eq!(due, count_by_stepping(&calendar, from, n));
        }

        #[test]
        fn the_subject_access_deadline_is_a_working_day_not_before_the_same_day_next_month(
            offset in 0u32..5800,
        ) {
            let calendar = ew();
            let from = date("2015-01-01") + Days::new(u64::from(offset));
            let due = calendar.add_months_for_subject_access(from, 1).expect("in range");
            prop_assert!(calendar.is_working_day(due));
            let clamped = from.checked_add_months(Months::new(1)).expect("in range");
            prop_assert!(due >= clamped);
            prop_assert!((due - clamped).num_days() <= 5);
        }
    }
}
