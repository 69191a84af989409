//! A bank-holiday calendar file (`data/calendars/*.txt`, which an administrator may
//! extend), and the working-day arithmetic over what it reads.
//!
//! Beyond not panicking: a calendar written back as a file reads to the same calendar;
//! every holiday it holds is covered and is not a working day; and counting N working
//! days from a holiday lands on a working day that is exactly N working days later.
#![no_main]

use advocase_domain::clocks::{Nation, WorkingDayCalendar};
use chrono::Days;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte picks the nation; the rest is the file.
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let nation = Nation::ALL[usize::from(first) % Nation::ALL.len()];
    let Ok(calendar) = WorkingDayCalendar::parse(nation, text) else {
        return;
    };
    assert_eq!(calendar.nation(), nation);

    let mut written = String::new();
    for (date, name) in calendar.holidays() {
        written.push_str(&format!("{date} {name}\n"));
    }
    assert_eq!(
        WorkingDayCalendar::parse(nation, &written).as_ref(),
        Ok(&calendar),
        "written as {written:?}"
    );

    // A few holidays and short counts keep each run fast; the fuzzer supplies the
    // variety of calendars.
    for (date, _) in calendar.holidays().take(4) {
        assert!(calendar.covers(date));
        assert!(!calendar.is_working_day(date));
        let next = calendar
            .add_working_days(date, 0)
            .expect("a working day follows");
        assert!(next > date && calendar.is_working_day(next));
        let day_before = date.checked_sub_days(Days::new(1));
        for from in [Some(date), day_before].into_iter().flatten() {
            for n in 1..=(u32::from(first) % 12 + 1) {
                let due = calendar
                    .add_working_days(from, n)
                    .expect("a date within chrono's range");
                assert!(calendar.is_working_day(due), "{from} + {n} = {due}");
                assert_eq!(
                    calendar.working_days_between(from, due),
                    n,
                    "{from} + {n} = {due}"
                );
            }
        }
    }
});
