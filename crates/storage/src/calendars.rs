//! Bank holidays an administrator adds to the calendars shipped with Advocase.

use crate::audit::AuditEvent;
use crate::schema::calendar_days;
use crate::{Store, StoreError, now};
use advocase_domain::audit::AuditAction;
use advocase_domain::clocks::Nation;
use advocase_domain::identity::Actor;
use advocase_domain::validation::Invalid;
use advocase_i18n::msg;
use chrono::NaiveDate;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, serde::Serialize, serde::Deserialize)]
pub struct AddedDay {
    pub nation: String,
    pub day: NaiveDate,
    pub name: String,
}

impl Store {
    /// The days added for a nation, oldest first.
    pub fn added_calendar_days(&self, nation: Nation) -> Result<Vec<AddedDay>, StoreError> {
        self.read(|conn| {
            Ok(calendar_days::table
                .filter(calendar_days::nation.eq(nation.as_str()))
                .order(calendar_days::day)
                .select((
                    calendar_days::nation,
                    calendar_days::day,
                    calendar_days::name,
                ))
                .load(conn)?)
        })
    }

    pub fn add_calendar_day(
        &self,
        actor: &Actor,
        nation: Nation,
        day: NaiveDate,
        name: &str,
    ) -> Result<(), StoreError> {
        if !actor.may_manage_settings() {
            return Err(StoreError::NotFound);
        }
        let result = self.write(|conn, trail| {
            diesel::insert_into(calendar_days::table)
                .values((
                    calendar_days::nation.eq(nation.as_str()),
                    calendar_days::day.eq(day),
                    calendar_days::name.eq(name),
                    calendar_days::added_by.eq(actor.user_id),
                    calendar_days::added_at.eq(now()),
                ))
                .execute(conn)?;
            trail.record(
                AuditEvent::by(actor, AuditAction::Create, "calendar_day", None)
                    .because(format!("{} {day}", nation.as_str())),
            );
            Ok(())
        });
        match result {
            Err(e) if e.is_unique_violation() => {
                Err(Invalid::one("day", msg::CALENDAR_DAY_ALREADY_ADDED).into())
            }
            other => other,
        }
    }
}
