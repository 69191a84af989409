//! A person reading their own records: the account staff invite them to, the read-only
//! view of everything held about them (the same content as a subject access export,
//! without other people's details), and their requests to correct it.
//!
//! A person's account never passes through `casework::visible_cases`, which gives
//! non-staff roles nothing; it reads one person record, the one its account is linked
//! to, and nothing else.

use crate::accounts::{NewUser, insert_invited_user};
use crate::audit::AuditEvent;
use crate::casework::visible_person;
use crate::confidentiality::{SubjectAccessExport, build_export};
use crate::referrals::{CaseRecord, PersonRecord};
use crate::schema::{cases, people, person_accounts, rectification_requests, users};
use crate::{Store, StoreError, now};
use advocase_domain::audit::AuditAction;
use advocase_domain::identity::{Actor, EmailAddress, Role};
use advocase_domain::validation::Invalid;
use advocase_i18n::msg;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = person_accounts)]
pub struct PersonAccountRecord {
    pub user_id: i64,
    pub person_id: i64,
    pub invited_by: i64,
    pub invited_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = rectification_requests)]
pub struct RectificationRecord {
    pub id: i64,
    pub provider_id: i64,
    pub person_id: i64,
    pub asked_at: NaiveDateTime,
    pub what_is_wrong: String,
    pub should_say: Option<String>,
    pub answered_at: Option<NaiveDateTime>,
    pub answered_by: Option<i64>,
    pub corrected: Option<bool>,
    pub answer: Option<String>,
}

/// A person's own records, as they see them.
#[derive(Debug, Clone)]
pub struct OwnRecords {
    pub export: SubjectAccessExport,
    pub corrections: Vec<RectificationRecord>,
}

fn open_request(keys: &crate::sealing::Keyring, r: &mut RectificationRecord) {
    r.what_is_wrong = keys.reveal("rectification_requests.what_is_wrong", &r.what_is_wrong);
    for (column, value) in [
        ("rectification_requests.should_say", &mut r.should_say),
        ("rectification_requests.answer", &mut r.answer),
    ] {
        if let Some(text) = value.as_mut() {
            *text = keys.reveal(column, text);
        }
    }
}

fn load_requests(
    conn: &mut crate::DbConnection,
    keys: &crate::sealing::Keyring,
    person_id: i64,
) -> Result<Vec<RectificationRecord>, StoreError> {
    let mut rows: Vec<RectificationRecord> = rectification_requests::table
        .filter(rectification_requests::person_id.eq(person_id))
        .order(rectification_requests::asked_at.desc())
        .select(RectificationRecord::as_select())
        .load(conn)?;
    for r in &mut rows {
        open_request(keys, r);
    }
    Ok(rows)
}

/// The person record a person's account reads, if the actor is such an account.
fn own_person(conn: &mut crate::DbConnection, actor: &Actor) -> Result<PersonRecord, StoreError> {
    if actor.role != Role::Person {
        return Err(StoreError::NotFound);
    }
    person_accounts::table
        .inner_join(people::table.on(people::id.eq(person_accounts::person_id)))
        .filter(person_accounts::user_id.eq(actor.user_id))
        .filter(people::provider_id.eq(actor.organisation_id))
        .select(PersonRecord::as_select())
        .first(conn)
        .optional()?
        .ok_or(StoreError::NotFound)
}

impl Store {
    /// Gives a person their own sign-in: an account of the `person` role linked to
    /// their record, without a password, and the one-time link with which they choose
    /// one. Staff who may see the person (their advocate or a manager) invite them.
    pub fn invite_person(
        &self,
        actor: &Actor,
        person_id: i64,
        email: &EmailAddress,
        link_hash: &str,
        expires_at: NaiveDateTime,
    ) -> Result<i64, StoreError> {
        // Only a manager gives this, having said why they opened the record: an advocate
        // (whose access to a case may be brief) could otherwise make an account that
        // reads the whole record for good.
        if actor.role != Role::Manager {
            return Err(StoreError::NotFound);
        }
        let result = self.write(|conn, trail| {
            let person = visible_person(conn, actor, person_id)?.ok_or(StoreError::NotFound)?;
            let case_ids: Vec<i64> = cases::table
                .filter(cases::person_id.eq(person_id))
                .select(cases::id)
                .load(conn)?;
            crate::confidentiality::require_view_reason(conn, actor, &case_ids)?;
            let existing: i64 = person_accounts::table
                .filter(person_accounts::person_id.eq(person_id))
                .count()
                .get_result(conn)?;
            if existing > 0 {
                return Err(Invalid::one("email", msg::ACCOUNT_PERSON_HAS_SIGN_IN).into());
            }
            let user = NewUser {
                organisation_id: actor.organisation_id,
                email: email.clone(),
                display_name: format!("{} {}", person.given_name, person.family_name),
                role: Role::Person,
                password_hash: None,
                is_demo: false,
            };
            let user_id = insert_invited_user(conn, trail, actor, &user, link_hash, expires_at)?;
            diesel::insert_into(person_accounts::table)
                .values(PersonAccountRecord {
                    user_id,
                    person_id,
                    invited_by: actor.user_id,
                    invited_at: now(),
                })
                .execute(conn)?;
            trail.record(
                AuditEvent::by(actor, AuditAction::Create, "person", Some(person_id))
                    .because("own sign-in"),
            );
            Ok(user_id)
        });
        match result {
            Err(e) if e.is_unique_violation() => {
                Err(Invalid::one("email", msg::ACCOUNT_EMAIL_TAKEN).into())
            }
            other => other,
        }
    }

    /// Whether a person already has their own sign-in, for the person record.
    pub fn has_own_sign_in(&self, actor: &Actor, person_id: i64) -> Result<bool, StoreError> {
        self.read(|conn| {
            visible_person(conn, actor, person_id)?.ok_or(StoreError::NotFound)?;
            let n: i64 = person_accounts::table
                .inner_join(users::table.on(users::id.eq(person_accounts::user_id)))
                .filter(person_accounts::person_id.eq(person_id))
                .filter(users::disabled_at.is_null())
                .count()
                .get_result(conn)?;
            Ok(n > 0)
        })
    }

    /// Everything held about the signed-in person, and their correction requests.
    /// Audited as a read of their record.
    pub fn own_records(&self, actor: &Actor) -> Result<OwnRecords, StoreError> {
        let keys = self.keys()?;
        self.write(|conn, trail| {
            let person = own_person(conn, actor)?;
            let person_id = person.id;
            let case_rows: Vec<CaseRecord> = cases::table
                .filter(cases::person_id.eq(person_id))
                .order(cases::opened_at.asc())
                .select(CaseRecord::as_select())
                .load(conn)?;
            let export = build_export(conn, keys, person, case_rows)?;
            let corrections = load_requests(conn, keys, person_id)?;
            trail.record(AuditEvent::by(
                actor,
                AuditAction::Read,
                "person",
                Some(person_id),
            ));
            Ok(OwnRecords {
                export,
                corrections,
            })
        })
    }

    /// A person asks for something in their records to be corrected.
    pub fn ask_correction(
        &self,
        actor: &Actor,
        what_is_wrong: &str,
        should_say: Option<&str>,
    ) -> Result<i64, StoreError> {
        let keys = self.keys()?;
        self.write(|conn, trail| {
            let person = own_person(conn, actor)?;
            let id: i64 = diesel::insert_into(rectification_requests::table)
                .values((
                    rectification_requests::provider_id.eq(person.provider_id),
                    rectification_requests::person_id.eq(person.id),
                    rectification_requests::asked_at.eq(now()),
                    rectification_requests::what_is_wrong
                        .eq(keys.seal("rectification_requests.what_is_wrong", what_is_wrong)),
                    rectification_requests::should_say
                        .eq(should_say.map(|t| keys.seal("rectification_requests.should_say", t))),
                ))
                .returning(rectification_requests::id)
                .get_result(conn)?;
            trail.record(AuditEvent::by(
                actor,
                AuditAction::Create,
                "rectification_request",
                Some(id),
            ));
            Ok(id)
        })
    }

    /// A person's correction requests, for staff who may see the person.
    pub fn corrections(
        &self,
        actor: &Actor,
        person_id: i64,
    ) -> Result<Vec<RectificationRecord>, StoreError> {
        let keys = self.keys()?;
        self.read(|conn| {
            visible_person(conn, actor, person_id)?.ok_or(StoreError::NotFound)?;
            load_requests(conn, keys, person_id)
        })
    }

    /// One correction request, for staff who may see its person.
    pub fn correction(
        &self,
        actor: &Actor,
        request_id: i64,
    ) -> Result<RectificationRecord, StoreError> {
        let keys = self.keys()?;
        self.read(|conn| {
            let mut request: RectificationRecord = rectification_requests::table
                .filter(rectification_requests::id.eq(request_id))
                .filter(rectification_requests::provider_id.eq(actor.organisation_id))
                .select(RectificationRecord::as_select())
                .first(conn)
                .optional()?
                .ok_or(StoreError::NotFound)?;
            visible_person(conn, actor, request.person_id)?.ok_or(StoreError::NotFound)?;
            open_request(keys, &mut request);
            Ok(request)
        })
    }

    /// Answers a correction request: whether the record was corrected, and what the
    /// person is told. Returns the person.
    pub fn answer_correction(
        &self,
        actor: &Actor,
        request_id: i64,
        corrected: bool,
        answer: &str,
    ) -> Result<i64, StoreError> {
        let keys = self.keys()?;
        self.write(|conn, trail| {
            let person_id: i64 = rectification_requests::table
                .filter(rectification_requests::id.eq(request_id))
                .filter(rectification_requests::provider_id.eq(actor.organisation_id))
                .select(rectification_requests::person_id)
                .first(conn)
                .optional()?
                .ok_or(StoreError::NotFound)?;
            visible_person(conn, actor, person_id)?.ok_or(StoreError::NotFound)?;
            let changed = diesel::update(
                rectification_requests::table
                    .filter(rectification_requests::id.eq(request_id))
                    .filter(rectification_requests::answered_at.is_null()),
            )
            .set((
                rectification_requests::answered_at.eq(now()),
                rectification_requests::answered_by.eq(actor.user_id),
                rectification_requests::corrected.eq(corrected),
                rectification_requests::answer
                    .eq(keys.seal("rectification_requests.answer", answer)),
            ))
            .execute(conn)?;
            if changed == 0 {
                return Err(StoreError::Conflict);
            }
            trail.record(AuditEvent::by(
                actor,
                AuditAction::Update,
                "rectification_request",
                Some(request_id),
            ));
            Ok(person_id)
        })
    }
}
