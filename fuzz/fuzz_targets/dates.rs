//! The date and time answers typed into forms and given on the command line:
//! `referral::parse_date` (every form's dates), `casework::required_date` and
//! `casework::parse_minutes`, `clocks::parse_iso_date` (calendars, bank holidays, the
//! command line) and `advocase deadline` as a whole.
//!
//! Beyond not panicking: an accepted form date lies in 1900–2100 and reads the same
//! when written back in either order; an ISO date writes back to exactly the text it
//! came from; a deadline is a covered working day, N working days after its start or
//! the first working day on or after the same day N months later.
#![no_main]

use advocase_domain::casework::{parse_minutes, required_date};
use advocase_domain::clocks::{Nation, WorkingDayCalendar, deadline_for_cli, parse_iso_date};
use advocase_domain::referral::parse_date;
use advocase_i18n::label;
use chrono::{Datelike, Months};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    form_dates(text);
    iso_dates(text);
    minutes(text);
    deadline(text);
});

fn form_dates(text: &str) {
    match parse_date("date", label::DATE, text) {
        Ok(Some(date)) => {
            assert!(
                (1900..=2100).contains(&date.year()),
                "{text:?} read as {date}"
            );
            for written in [date.to_string(), date.format("%d/%m/%Y").to_string()] {
                assert_eq!(parse_date("date", label::DATE, &written), Ok(Some(date)));
            }
            assert_eq!(required_date("date", label::DATE, text), Ok(date));
        }
        Ok(None) => {
            assert!(text.trim().is_empty());
            assert!(required_date("date", label::DATE, text).is_err());
        }
        Err(error) => {
            assert_eq!(error.field, "date");
            assert!(required_date("date", label::DATE, text).is_err());
        }
    }
}

fn iso_dates(text: &str) {
    if let Ok(date) = parse_iso_date(text) {
        assert_eq!(date.to_string(), text);
        if (1900..=2100).contains(&date.year()) {
            assert_eq!(parse_date("date", label::DATE, text), Ok(Some(date)));
        }
    }
}

fn minutes(text: &str) {
    if let Ok(minutes) = parse_minutes("minutes", text) {
        assert!(
            (1..=24 * 60).contains(&minutes),
            "{text:?} read as {minutes}"
        );
        assert_eq!(parse_minutes("minutes", &minutes.to_string()), Ok(minutes));
    }
}

/// Reads up to four lines as `advocase deadline` takes them: the start, the count, `w`
/// or `m` for working days or months, and the nation.
fn deadline(text: &str) {
    let mut lines = text.split('\n');
    let (Some(from), Some(count)) = (lines.next(), lines.next()) else {
        return;
    };
    let months = lines.next() == Some("m");
    let nation = lines.next();
    let (working_days, months_count) = if months {
        (None, Some(count))
    } else {
        (Some(count), None)
    };
    let Ok(due) = deadline_for_cli(from, working_days, months_count, nation, &[]) else {
        return;
    };
    let start = parse_iso_date(from).expect("an accepted start is a date");
    let n: u32 = count.parse().expect("an accepted count is a number");
    let calendar = WorkingDayCalendar::shipped(nation.map_or(Nation::default(), |name| {
        Nation::parse(name).expect("an accepted nation")
    }));
    assert!(
        calendar.covers(due) && calendar.is_working_day(due),
        "{due}"
    );
    if months {
        let same_day = start
            .checked_add_months(Months::new(n))
            .expect("a date within chrono's range");
        assert!(due >= same_day);
        assert_eq!(
            calendar.working_days_between(same_day, due),
            u32::from(due > same_day)
        );
        assert!(due == same_day || !calendar.is_working_day(same_day));
    } else if n > 0 {
        assert_eq!(
            calendar.working_days_between(start, due),
            n,
            "{start} + {n}"
        );
    } else {
        assert!(due >= start);
        assert_eq!(
            calendar.working_days_between(start, due),
            u32::from(due > start)
        );
    }
}
