//! The service's clock. Advocase serves the four nations of the United Kingdom, which
//! keep UK time, so "today" and the time a contact happened are read on the UK wall
//! clock (GMT or BST), not in UTC: a visit at 10:30 in summer is 10:30, and a deadline
//! falls on the UK date. Timestamps the system itself stamps stay in UTC.

use chrono::{NaiveDate, NaiveDateTime, Utc};

/// The current UK wall-clock time.
pub fn local_now() -> NaiveDateTime {
    local(Utc::now().naive_utc())
}

/// Today's date in the UK.
pub fn today() -> NaiveDate {
    local_now().date()
}

/// A timestamp the system stamped (UTC) as it reads on the UK wall clock.
pub fn local(utc: NaiveDateTime) -> NaiveDateTime {
    advocase_domain::clocks::uk_time(utc)
}
