//! Organisations, staff accounts, sessions, API tokens and one-time links.

use crate::audit::AuditEvent;
use crate::schema::{api_tokens, one_time_links, organisations, sessions, users};
use crate::{DbConnection, Store, StoreError, now};
use advocase_domain::audit::AuditAction;
use advocase_domain::identity::{Actor, EmailAddress, OrganisationKind, Role};
use advocase_domain::validation::Invalid;
use advocase_i18n::msg;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = organisations)]
pub struct Organisation {
    pub id: i64,
    pub kind: String,
    pub name: String,
    pub created_at: NaiveDateTime,
}

impl Organisation {
    pub fn kind(&self) -> Option<OrganisationKind> {
        OrganisationKind::parse(&self.kind)
    }
}

/// A staff account as stored. The secrets in it (password hash, TOTP secret) never
/// leave the server; `Debug` leaves them out.
#[derive(Clone, Queryable, Selectable, Insertable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = users)]
pub struct UserRecord {
    pub id: i64,
    pub organisation_id: i64,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub password_hash: Option<String>,
    pub totp_secret: Option<String>,
    pub totp_last_step: Option<i64>,
    pub failed_sign_ins: i32,
    pub two_factor_failures: i32,
    pub locked_until: Option<NaiveDateTime>,
    pub disabled_at: Option<NaiveDateTime>,
    pub is_demo: bool,
    pub created_at: NaiveDateTime,
    pub version: i64,
}

impl std::fmt::Debug for UserRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRecord")
            .field("id", &self.id)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

impl UserRecord {
    pub fn role(&self) -> Result<Role, StoreError> {
        Role::parse(&self.role)
            .ok_or_else(|| StoreError::Data(format!("unknown role {:?}", self.role)))
    }

    pub fn is_locked(&self, at: NaiveDateTime) -> bool {
        self.locked_until.is_some_and(|until| until > at)
    }

    pub fn has_two_factor(&self) -> bool {
        self.totp_secret.is_some()
    }

    /// Builds the actor for a request made by this account.
    pub fn actor(&self, address: Option<String>) -> Result<Actor, StoreError> {
        Ok(Actor {
            user_id: self.id,
            organisation_id: self.organisation_id,
            role: self.role()?,
            address,
        })
    }
}

/// A new account, already parsed and validated.
#[derive(Debug)]
pub struct NewUser {
    pub organisation_id: i64,
    pub email: EmailAddress,
    pub display_name: String,
    pub role: Role,
    pub password_hash: Option<String>,
    pub is_demo: bool,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = sessions)]
pub struct SessionRecord {
    pub token_hash: String,
    pub user_id: i64,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub two_factor_passed: bool,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = api_tokens)]
pub struct ApiToken {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub token_hash: String,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

/// How failed sign-ins lock an account: after `attempts` failures in a row the account
/// is locked for `minutes`. Counted in the database, so it holds across processes.
#[derive(Debug, Clone, Copy)]
pub struct LockoutPolicy {
    pub attempts: i32,
    pub minutes: i64,
}

impl Store {
    pub fn create_organisation(
        &self,
        kind: OrganisationKind,
        name: &str,
    ) -> Result<i64, StoreError> {
        let name = name.to_string();
        self.write(|conn, trail| {
            let id: i64 = diesel::insert_into(organisations::table)
                .values((
                    organisations::kind.eq(kind.as_str()),
                    organisations::name.eq(&name),
                    organisations::created_at.eq(now()),
                ))
                .returning(organisations::id)
                .get_result(conn)?;
            trail.record(
                AuditEvent::anonymous(AuditAction::Create, "organisation", Some(id))
                    .in_organisation(Some(id)),
            );
            Ok(id)
        })
    }

    pub fn organisations(&self) -> Result<Vec<Organisation>, StoreError> {
        self.read(|conn| {
            Ok(organisations::table
                .select(Organisation::as_select())
                .order(organisations::id)
                .load(conn)?)
        })
    }

    pub fn organisation(&self, id: i64) -> Result<Organisation, StoreError> {
        self.read(|conn| {
            organisations::table
                .find(id)
                .select(Organisation::as_select())
                .first(conn)
                .optional()?
                .ok_or(StoreError::NotFound)
        })
    }

    /// Creates an account. `by` is the administrator doing it, or `None` for the
    /// operator's command line and the demo. The role must fit the organisation's kind.
    pub fn create_user(&self, by: Option<&Actor>, user: NewUser) -> Result<i64, StoreError> {
        let organisation = self.organisation(user.organisation_id)?;
        if let Some(actor) = by
            && (!actor.may_manage_users() || actor.organisation_id != organisation.id)
        {
            return Err(StoreError::NotFound);
        }
        if organisation.kind() != Some(user.role.organisation_kind()) {
            return Err(Invalid::one(
                "role",
                msg::ACCOUNT_ROLE_WRONG_ORGANISATION
                    .with("role", user.role.as_str())
                    .with("kind", &organisation.kind),
            )
            .into());
        }
        let result = self.write(|conn, trail| {
            let id: i64 = diesel::insert_into(users::table)
                .values((
                    users::organisation_id.eq(user.organisation_id),
                    users::email.eq(user.email.as_str()),
                    users::display_name.eq(&user.display_name),
                    users::role.eq(user.role.as_str()),
                    users::password_hash.eq(&user.password_hash),
                    users::is_demo.eq(user.is_demo),
                    users::created_at.eq(now()),
                ))
                .returning(users::id)
                .get_result(conn)?;
            trail.record(AuditEvent::by_or_operator(
                by,
                user.organisation_id,
                AuditAction::Create,
                "user",
                Some(id),
            ));
            Ok(id)
        });
        match result {
            Err(e) if e.is_unique_violation() => {
                Err(Invalid::one("email", msg::ACCOUNT_EMAIL_TAKEN).into())
            }
            other => other,
        }
    }

    pub fn count_users(&self) -> Result<i64, StoreError> {
        self.read(|conn| Ok(users::table.count().get_result(conn)?))
    }

    /// The account for a sign-in attempt. Not audited here: the attempt itself is.
    pub fn user_by_email(&self, email: &EmailAddress) -> Result<Option<UserRecord>, StoreError> {
        let email = email.as_str().to_string();
        self.read(|conn| {
            Ok(users::table
                .filter(users::email.eq(email))
                .select(UserRecord::as_select())
                .first(conn)
                .optional()?)
        })
    }

    /// The account behind a session or token. Internal to authentication.
    pub fn user_by_id(&self, id: i64) -> Result<Option<UserRecord>, StoreError> {
        self.read(|conn| {
            Ok(users::table
                .find(id)
                .select(UserRecord::as_select())
                .first(conn)
                .optional()?)
        })
    }

    /// Counts a failed sign-in and locks the account once the policy's limit is hit.
    /// Returns whether the account is now locked.
    pub fn record_failed_sign_in(
        &self,
        user_id: i64,
        address: Option<String>,
        policy: LockoutPolicy,
    ) -> Result<bool, StoreError> {
        self.write(|conn, trail| {
            let (failures, organisation): (i32, i64) = diesel::update(users::table.find(user_id))
                .set(users::failed_sign_ins.eq(users::failed_sign_ins + 1))
                .returning((users::failed_sign_ins, users::organisation_id))
                .get_result(conn)?;
            let locked = failures >= policy.attempts;
            let mut event = AuditEvent::anonymous(AuditAction::SignInFailed, "user", Some(user_id))
                .in_organisation(Some(organisation))
                .from_address(address.clone());
            if locked {
                let until = now() + chrono::Duration::minutes(policy.minutes);
                diesel::update(users::table.find(user_id))
                    .set((users::locked_until.eq(until), users::failed_sign_ins.eq(0)))
                    .execute(conn)?;
                trail.record(event.clone());
                event = AuditEvent::anonymous(AuditAction::SignInLocked, "user", Some(user_id))
                    .in_organisation(Some(organisation))
                    .from_address(address);
            }
            trail.record(event);
            Ok(locked)
        })
    }

    /// Records an attempt for an address that has no account, so that password spraying
    /// shows in the trail too.
    pub fn record_unknown_sign_in(&self, address: Option<String>) -> Result<(), StoreError> {
        self.write(|_, trail| {
            trail.record(
                AuditEvent::anonymous(AuditAction::SignInFailed, "user", None)
                    .from_address(address),
            );
            Ok(())
        })
    }

    /// Starts a session for an account whose password was right, clearing the failure
    /// count. `two_factor_passed` is true only where the account may skip two-factor.
    pub fn start_session(
        &self,
        user: &UserRecord,
        token_hash: &str,
        expires_at: NaiveDateTime,
        two_factor_passed: bool,
        address: Option<String>,
    ) -> Result<(), StoreError> {
        self.write(|conn, trail| {
            let event = open_session(conn, user, token_hash, expires_at, two_factor_passed)?;
            trail.record(event.from_address(address));
            Ok(())
        })
    }

    pub fn session(
        &self,
        token_hash: &str,
    ) -> Result<Option<(SessionRecord, UserRecord)>, StoreError> {
        let token_hash = token_hash.to_string();
        self.read(|conn| {
            Ok(sessions::table
                .inner_join(users::table)
                .filter(sessions::token_hash.eq(token_hash))
                .select((SessionRecord::as_select(), UserRecord::as_select()))
                .first(conn)
                .optional()?)
        })
    }

    /// Moves the idle clock of a session on. Not audited: it is bookkeeping.
    pub fn touch_session(&self, token_hash: &str, at: NaiveDateTime) -> Result<(), StoreError> {
        let token_hash = token_hash.to_string();
        self.read(|conn| {
            diesel::update(sessions::table.find(token_hash))
                .set(sessions::last_seen_at.eq(at))
                .execute(conn)?;
            Ok(())
        })
    }

    pub fn end_session(&self, token_hash: &str, actor: Option<&Actor>) -> Result<(), StoreError> {
        let token_hash = token_hash.to_string();
        self.write(|conn, trail| {
            diesel::delete(sessions::table.find(token_hash)).execute(conn)?;
            if let Some(actor) = actor {
                trail.record(AuditEvent::by(
                    actor,
                    AuditAction::SignOut,
                    "user",
                    Some(actor.user_id),
                ));
            }
            Ok(())
        })
    }

    /// Ends every session of the actor's account, on every device.
    pub fn end_all_sessions(&self, actor: &Actor) -> Result<usize, StoreError> {
        self.write(|conn, trail| {
            let ended = end_sessions_of(conn, actor.user_id)?;
            trail.record(AuditEvent::by(
                actor,
                AuditAction::SignOutEverywhere,
                "user",
                Some(actor.user_id),
            ));
            Ok(ended)
        })
    }

    /// Removes sessions past their absolute time-out or idle since `idle_before`.
    pub fn purge_sessions(&self, idle_before: NaiveDateTime) -> Result<usize, StoreError> {
        self.read(|conn| {
            Ok(diesel::delete(
                sessions::table.filter(
                    sessions::expires_at
                        .lt(now())
                        .or(sessions::last_seen_at.lt(idle_before)),
                ),
            )
            .execute(conn)?)
        })
    }

    /// Stores a newly enrolled TOTP secret and marks the enrolling session as past
    /// two-factor. The code that proved the enrolment is used up (`step`).
    pub fn enrol_two_factor(
        &self,
        actor: &Actor,
        secret: &str,
        step: i64,
        token_hash: &str,
    ) -> Result<(), StoreError> {
        let (secret, token_hash) = (secret.to_string(), token_hash.to_string());
        self.write(|conn, trail| {
            // Only an account without two-factor may enrol: a second, racing set-up
            // never replaces a secret already in use.
            let enrolled = diesel::update(
                users::table
                    .find(actor.user_id)
                    .filter(users::totp_secret.is_null()),
            )
            .set((
                users::totp_secret.eq(&secret),
                users::totp_last_step.eq(step),
                users::version.eq(users::version + 1),
            ))
            .execute(conn)?;
            if enrolled != 1 {
                return Err(StoreError::Conflict);
            }
            diesel::update(sessions::table.find(&token_hash))
                .set(sessions::two_factor_passed.eq(true))
                .execute(conn)?;
            trail.record(AuditEvent::by(
                actor,
                AuditAction::TwoFactorEnrolled,
                "user",
                Some(actor.user_id),
            ));
            Ok(())
        })
    }

    /// Accepts a TOTP code's time step for the account if no code of this step or a later
    /// one was accepted before, so every code works once. On success the session is
    /// marked as past two-factor. Returns whether the step was accepted.
    pub fn accept_two_factor_step(
        &self,
        user: &UserRecord,
        step: i64,
        token_hash: &str,
        address: Option<String>,
    ) -> Result<bool, StoreError> {
        let token_hash = token_hash.to_string();
        self.write(|conn, trail| {
            let accepted = diesel::update(
                users::table.find(user.id).filter(
                    users::totp_last_step
                        .is_null()
                        .or(users::totp_last_step.lt(step)),
                ),
            )
            .set(users::totp_last_step.eq(step))
            .execute(conn)?
                == 1;
            if accepted {
                diesel::update(sessions::table.find(&token_hash))
                    .set(sessions::two_factor_passed.eq(true))
                    .execute(conn)?;
                trail.record(
                    AuditEvent::anonymous(AuditAction::SignIn, "user", Some(user.id))
                        .in_organisation(Some(user.organisation_id))
                        .from_address(address)
                        .because("two-factor code accepted"),
                );
            }
            Ok(accepted)
        })
    }

    /// Counts a wrong two-factor code. At the policy's limit the account is locked and
    /// every session of it that has not passed two-factor ends, so opening new sessions
    /// with the password gives no fresh guesses. Returns whether the account is now
    /// locked.
    pub fn record_failed_two_factor(
        &self,
        user: &UserRecord,
        address: Option<String>,
        policy: LockoutPolicy,
    ) -> Result<bool, StoreError> {
        self.write(|conn, trail| {
            let failures: i32 = diesel::update(users::table.find(user.id))
                .set(users::two_factor_failures.eq(users::two_factor_failures + 1))
                .returning(users::two_factor_failures)
                .get_result(conn)?;
            let event = |action| {
                AuditEvent::anonymous(action, "user", Some(user.id))
                    .in_organisation(Some(user.organisation_id))
                    .from_address(address.clone())
            };
            trail.record(event(AuditAction::TwoFactorFailed));
            let locked = failures >= policy.attempts;
            if locked {
                let until = now() + chrono::Duration::minutes(policy.minutes);
                diesel::update(users::table.find(user.id))
                    .set((
                        users::locked_until.eq(until),
                        users::two_factor_failures.eq(0),
                    ))
                    .execute(conn)?;
                diesel::delete(
                    sessions::table
                        .filter(sessions::user_id.eq(user.id))
                        .filter(sessions::two_factor_passed.eq(false)),
                )
                .execute(conn)?;
                trail.record(event(AuditAction::SignInLocked));
            }
            Ok(locked)
        })
    }

    /// Sets a new password hash. `by` is the account holder or an administrator of the
    /// same organisation, or `None` for the operator's command line. Every session of the
    /// account ends, so a stolen session does not outlive a password change.
    pub fn set_password(
        &self,
        by: Option<&Actor>,
        user_id: i64,
        hash: &str,
    ) -> Result<(), StoreError> {
        let hash = hash.to_string();
        let target = self.user_by_id(user_id)?.ok_or(StoreError::NotFound)?;
        if let Some(actor) = by
            && actor.user_id != user_id
            && !(actor.may_manage_users() && actor.organisation_id == target.organisation_id)
        {
            return Err(StoreError::NotFound);
        }
        self.write(|conn, trail| {
            diesel::update(users::table.find(user_id))
                .set((
                    users::password_hash.eq(&hash),
                    users::failed_sign_ins.eq(0),
                    users::locked_until.eq(None::<NaiveDateTime>),
                    users::version.eq(users::version + 1),
                ))
                .execute(conn)?;
            end_sessions_of(conn, user_id)?;
            trail.record(AuditEvent::by_or_operator(
                by,
                target.organisation_id,
                AuditAction::PasswordChanged,
                "user",
                Some(user_id),
            ));
            Ok(())
        })
    }

    /// Disables an account and ends its sessions and tokens.
    pub fn disable_user(&self, by: Option<&Actor>, user_id: i64) -> Result<(), StoreError> {
        let target = self.user_by_id(user_id)?.ok_or(StoreError::NotFound)?;
        if let Some(actor) = by
            && (!actor.may_manage_users() || actor.organisation_id != target.organisation_id)
        {
            return Err(StoreError::NotFound);
        }
        self.write(|conn, trail| {
            let at = now();
            diesel::update(users::table.find(user_id))
                .set((
                    users::disabled_at.eq(at),
                    users::version.eq(users::version + 1),
                ))
                .execute(conn)?;
            end_sessions_of(conn, user_id)?;
            diesel::update(
                api_tokens::table
                    .filter(api_tokens::user_id.eq(user_id))
                    .filter(api_tokens::revoked_at.is_null()),
            )
            .set(api_tokens::revoked_at.eq(at))
            .execute(conn)?;
            trail.record(AuditEvent::by_or_operator(
                by,
                target.organisation_id,
                AuditAction::Disable,
                "user",
                Some(user_id),
            ));
            Ok(())
        })
    }

    /// The accounts of the actor's organisation, for administrators.
    pub fn list_users(&self, actor: &Actor) -> Result<Vec<UserRecord>, StoreError> {
        if !actor.may_manage_users() {
            return Err(StoreError::NotFound);
        }
        self.write(|conn, trail| {
            // People who use the service are not staff: their accounts are managed from
            // their record, and their names are not an administrator's business.
            let list = users::table
                .filter(users::organisation_id.eq(actor.organisation_id))
                .filter(users::role.ne(Role::Person.as_str()))
                .order(users::display_name)
                .select(UserRecord::as_select())
                .load(conn)?;
            trail.record(AuditEvent::by(actor, AuditAction::Read, "user_list", None));
            Ok(list)
        })
    }

    /// One account, as another member of staff sees it: only within the actor's own
    /// organisation, and only for administrators or the account holder. Anything else
    /// is "not found", exactly as for an account that does not exist. Both are audited.
    pub fn find_user(&self, actor: &Actor, user_id: i64) -> Result<UserRecord, StoreError> {
        self.read_scoped(actor, "user", user_id, |conn| {
            let found: Option<UserRecord> = users::table
                .find(user_id)
                .filter(users::organisation_id.eq(actor.organisation_id))
                .select(UserRecord::as_select())
                .first(conn)
                .optional()?;
            Ok(found.filter(|u| actor.may_manage_users() || u.id == actor.user_id))
        })
    }

    /// Issues an API token for a live staff account: by an administrator of the
    /// account's organisation, or, when `by` is `None`, by an operator at the command
    /// line. The token table names a creator, and an operator has no account, so a token
    /// an operator issued names its holder; the audit entry says the operator issued it.
    pub fn issue_api_token(
        &self,
        by: Option<&Actor>,
        user_id: i64,
        name: &str,
        token_hash: &str,
    ) -> Result<i64, StoreError> {
        let target = match by {
            Some(actor) => {
                let target = self.find_user(actor, user_id)?;
                if !actor.may_manage_users() {
                    return Err(StoreError::NotFound);
                }
                target
            }
            None => self.user_by_id(user_id)?.ok_or(StoreError::NotFound)?,
        };
        let is_staff = target.role().map(|r| r.is_staff()).unwrap_or(false);
        if target.disabled_at.is_some() || !is_staff {
            return Err(StoreError::NotFound);
        }
        let created_by = by.map_or(user_id, |actor| actor.user_id);
        let (name, token_hash) = (name.to_string(), token_hash.to_string());
        self.write(|conn, trail| {
            let id: i64 = diesel::insert_into(api_tokens::table)
                .values((
                    api_tokens::user_id.eq(user_id),
                    api_tokens::name.eq(&name),
                    api_tokens::token_hash.eq(&token_hash),
                    api_tokens::created_by.eq(created_by),
                    api_tokens::created_at.eq(now()),
                ))
                .returning(api_tokens::id)
                .get_result(conn)?;
            trail.record(AuditEvent::by_or_operator(
                by,
                target.organisation_id,
                AuditAction::TokenIssued,
                "api_token",
                Some(id),
            ));
            Ok(id)
        })
    }

    pub fn revoke_api_token(&self, actor: &Actor, token_id: i64) -> Result<(), StoreError> {
        if !actor.may_manage_users() {
            return Err(StoreError::NotFound);
        }
        self.write(|conn, trail| {
            let owned: Option<i64> = api_tokens::table
                .inner_join(users::table.on(users::id.eq(api_tokens::user_id)))
                .filter(api_tokens::id.eq(token_id))
                .filter(users::organisation_id.eq(actor.organisation_id))
                .select(api_tokens::id)
                .first(conn)
                .optional()?;
            if owned.is_none() {
                return Err(StoreError::NotFound);
            }
            diesel::update(api_tokens::table.find(token_id))
                .set(api_tokens::revoked_at.eq(now()))
                .execute(conn)?;
            trail.record(AuditEvent::by(
                actor,
                AuditAction::TokenRevoked,
                "api_token",
                Some(token_id),
            ));
            Ok(())
        })
    }

    /// The API tokens of the administrator's organisation, newest first.
    pub fn list_api_tokens(&self, actor: &Actor) -> Result<Vec<(ApiToken, String)>, StoreError> {
        if !actor.may_manage_users() {
            return Err(StoreError::NotFound);
        }
        self.read(|conn| {
            Ok(api_tokens::table
                .inner_join(users::table.on(users::id.eq(api_tokens::user_id)))
                .filter(users::organisation_id.eq(actor.organisation_id))
                .order(api_tokens::id.desc())
                .select((ApiToken::as_select(), users::display_name))
                .load(conn)?)
        })
    }

    /// The live account behind a bearer token, noting that the token was used.
    pub fn user_by_api_token(&self, token_hash: &str) -> Result<Option<UserRecord>, StoreError> {
        let token_hash = token_hash.to_string();
        self.read(|conn| {
            let found: Option<(i64, UserRecord)> = api_tokens::table
                .inner_join(users::table.on(users::id.eq(api_tokens::user_id)))
                .filter(api_tokens::token_hash.eq(token_hash))
                .filter(api_tokens::revoked_at.is_null())
                .filter(users::disabled_at.is_null())
                .select((api_tokens::id, UserRecord::as_select()))
                .first(conn)
                .optional()?;
            if let Some((id, _)) = &found {
                diesel::update(api_tokens::table.find(*id))
                    .set(api_tokens::last_used_at.eq(now()))
                    .execute(conn)?;
            }
            Ok(found.map(|(_, user)| user))
        })
    }

    pub fn create_one_time_link(
        &self,
        purpose: &str,
        user_id: Option<i64>,
        token_hash: &str,
        expires_at: NaiveDateTime,
    ) -> Result<(), StoreError> {
        self.read(|conn| {
            diesel::insert_into(one_time_links::table)
                .values((
                    one_time_links::token_hash.eq(token_hash),
                    one_time_links::purpose.eq(purpose),
                    one_time_links::user_id.eq(user_id),
                    one_time_links::created_at.eq(now()),
                    one_time_links::expires_at.eq(expires_at),
                ))
                .execute(conn)?;
            Ok(())
        })
    }

    /// Whether a one-time link is still good, without using it up.
    pub fn one_time_link_is_valid(
        &self,
        purpose: &str,
        token_hash: &str,
    ) -> Result<bool, StoreError> {
        self.read(|conn| {
            let found: i64 = one_time_links::table
                .filter(one_time_links::token_hash.eq(token_hash))
                .filter(one_time_links::purpose.eq(purpose))
                .filter(one_time_links::used_at.is_null())
                .filter(one_time_links::expires_at.gt(now()))
                .count()
                .get_result(conn)?;
            Ok(found == 1)
        })
    }

    /// Uses up a one-time link, answering whether it was valid. Marking it used in the
    /// same statement that checks it means two requests cannot both use it.
    pub fn consume_one_time_link(
        &self,
        purpose: &str,
        token_hash: &str,
    ) -> Result<bool, StoreError> {
        self.read(|conn| Ok(use_link(conn, purpose, token_hash)?.is_some()))
    }
}

/// What a one-time link is for.
pub mod link_purpose {
    /// Creates the first administrator of a new installation.
    pub const FIRST_ADMINISTRATOR: &str = "first_administrator";
    /// Lets a newly invited member of staff (or one whose password was reset) choose a
    /// password.
    pub const SET_PASSWORD: &str = "set_password";
    /// A code emailed to a person who uses the service, which signs them in once
    /// instead of their password. Its hash is bound to the account, so the same six
    /// digits sent to two people are two different links.
    pub const SIGN_IN_CODE: &str = "sign_in_code";
}

impl Store {
    /// Uses up the first-administrator link and creates the provider and its first
    /// administrator, all in one transaction: a second use of the link, or any failure,
    /// creates nothing.
    pub fn set_up_installation(
        &self,
        link_hash: &str,
        organisation_name: &str,
        display_name: &str,
        email: &EmailAddress,
        password_hash: &str,
    ) -> Result<UserRecord, StoreError> {
        let result = self.write(|conn, trail| {
            let at = now();
            if use_link(conn, link_purpose::FIRST_ADMINISTRATOR, link_hash)?.is_none() {
                return Err(StoreError::NotFound);
            }
            let organisation: i64 = diesel::insert_into(organisations::table)
                .values((
                    organisations::kind.eq(OrganisationKind::Provider.as_str()),
                    organisations::name.eq(organisation_name),
                    organisations::created_at.eq(at),
                ))
                .returning(organisations::id)
                .get_result(conn)?;
            // `RETURNING` a whole row is not available through the two-backend
            // connection, so the new id comes back and the row is read by it.
            let user_id: i64 = diesel::insert_into(users::table)
                .values((
                    users::organisation_id.eq(organisation),
                    users::email.eq(email.as_str()),
                    users::display_name.eq(display_name),
                    users::role.eq(Role::Administrator.as_str()),
                    users::password_hash.eq(password_hash),
                    users::created_at.eq(at),
                ))
                .returning(users::id)
                .get_result(conn)?;
            let user: UserRecord = users::table
                .find(user_id)
                .select(UserRecord::as_select())
                .first(conn)?;
            trail.record(
                AuditEvent::anonymous(AuditAction::Create, "organisation", Some(organisation))
                    .in_organisation(Some(organisation)),
            );
            trail.record(
                AuditEvent::anonymous(AuditAction::Create, "user", Some(user.id))
                    .in_organisation(Some(organisation)),
            );
            Ok(user)
        });
        match result {
            Err(e) if e.is_unique_violation() => {
                Err(Invalid::one("email", msg::ACCOUNT_EMAIL_TAKEN).into())
            }
            other => other,
        }
    }

    /// Uses up a set-password link and sets the password of the account it names.
    pub fn use_password_link(
        &self,
        link_hash: &str,
        password_hash: &str,
    ) -> Result<UserRecord, StoreError> {
        self.write(|conn, trail| {
            let Some(Some(user_id)) = use_link(conn, link_purpose::SET_PASSWORD, link_hash)? else {
                return Err(StoreError::NotFound);
            };
            let updated = diesel::update(
                users::table
                    .find(user_id)
                    .filter(users::disabled_at.is_null()),
            )
            .set((
                users::password_hash.eq(password_hash),
                users::failed_sign_ins.eq(0),
                users::locked_until.eq(None::<NaiveDateTime>),
                users::version.eq(users::version + 1),
            ))
            .execute(conn)?;
            if updated != 1 {
                return Err(StoreError::NotFound);
            }
            let user: UserRecord = users::table
                .find(user_id)
                .select(UserRecord::as_select())
                .first(conn)?;
            end_sessions_of(conn, user_id)?;
            trail.record(
                AuditEvent::anonymous(AuditAction::PasswordChanged, "user", Some(user_id))
                    .in_organisation(Some(user.organisation_id)),
            );
            Ok(user)
        })
    }
}

impl Store {
    /// Adds an account without a password together with the one-time link its owner
    /// uses to choose one, in one transaction: never an account without its link.
    pub fn invite_user(
        &self,
        actor: &Actor,
        user: NewUser,
        link_hash: &str,
        expires_at: NaiveDateTime,
    ) -> Result<i64, StoreError> {
        let organisation = self.organisation(user.organisation_id)?;
        if !actor.may_manage_users() || actor.organisation_id != organisation.id {
            return Err(StoreError::NotFound);
        }
        if organisation.kind() != Some(user.role.organisation_kind()) {
            return Err(Invalid::one("role", msg::ACCOUNT_ROLE_INVALID_FOR_ORGANISATION).into());
        }
        let result = self.write(|conn, trail| {
            insert_invited_user(conn, trail, actor, &user, link_hash, expires_at)
        });
        match result {
            Err(e) if e.is_unique_violation() => {
                Err(Invalid::one("email", msg::ACCOUNT_EMAIL_TAKEN).into())
            }
            other => other,
        }
    }
}

/// How an emailed sign-in code ended, for the audit trail, when none was stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeNotSent {
    /// No live, unlocked account of a person who uses the service has the address:
    /// unknown addresses, staff (who sign in with a password and two-factor), and
    /// disabled or locked accounts all end here, and all get the same page.
    NoPersonAccount,
    /// A code went to the account a moment ago; another now would only fill their inbox.
    SentMomentsAgo,
    /// The mail server could not be reached or refused the message.
    MailFailed,
}

impl CodeNotSent {
    fn reason(self) -> &'static str {
        match self {
            Self::NoPersonAccount => "sign-in code not sent: no person's account at the address",
            Self::SentMomentsAgo => "sign-in code not sent: one was sent moments ago",
            Self::MailFailed => "sign-in code could not be sent",
        }
    }
}

/// The live, unlocked account of a person who uses the service, if `user` still is one.
/// Read inside the transaction that relies on it, so a disable or lock-out in between
/// is seen.
fn live_person_account(
    conn: &mut DbConnection,
    user_id: i64,
    at: NaiveDateTime,
) -> Result<bool, StoreError> {
    let found: i64 = users::table
        .find(user_id)
        .filter(users::role.eq(Role::Person.as_str()))
        .filter(users::disabled_at.is_null())
        .filter(users::locked_until.is_null().or(users::locked_until.le(at)))
        .count()
        .get_result(conn)?;
    Ok(found == 1)
}

impl Store {
    /// Whether a sign-in code was stored for the account since `since`: a second
    /// request so soon sends nothing more.
    pub fn sign_in_code_sent_since(
        &self,
        user_id: i64,
        since: NaiveDateTime,
    ) -> Result<bool, StoreError> {
        self.read(|conn| {
            let found: i64 = one_time_links::table
                .filter(one_time_links::purpose.eq(link_purpose::SIGN_IN_CODE))
                .filter(one_time_links::user_id.eq(user_id))
                .filter(one_time_links::used_at.is_null())
                .filter(one_time_links::created_at.gt(since))
                .count()
                .get_result(conn)?;
            Ok(found > 0)
        })
    }

    /// Keeps the hash of a sign-in code that was just emailed to a person, replacing
    /// every earlier code of their account, so only the newest email's code works.
    /// Only a live, unlocked account of a person who uses the service can hold one;
    /// for any other the answer is `NotFound` and nothing is written.
    pub fn store_sign_in_code(
        &self,
        user: &UserRecord,
        code_hash: &str,
        expires_at: NaiveDateTime,
        address: Option<String>,
    ) -> Result<(), StoreError> {
        self.write(|conn, trail| {
            let at = now();
            if !live_person_account(conn, user.id, at)? {
                return Err(StoreError::NotFound);
            }
            // Earlier codes go, used or not: the newest email is the one that counts,
            // and the same six digits drawn again must not meet an old row's key.
            diesel::delete(
                one_time_links::table
                    .filter(one_time_links::purpose.eq(link_purpose::SIGN_IN_CODE))
                    .filter(one_time_links::user_id.eq(user.id)),
            )
            .execute(conn)?;
            diesel::insert_into(one_time_links::table)
                .values((
                    one_time_links::token_hash.eq(code_hash),
                    one_time_links::purpose.eq(link_purpose::SIGN_IN_CODE),
                    one_time_links::user_id.eq(Some(user.id)),
                    one_time_links::created_at.eq(at),
                    one_time_links::expires_at.eq(expires_at),
                ))
                .execute(conn)?;
            trail.record(
                AuditEvent::anonymous(AuditAction::Create, "sign_in_code", Some(user.id))
                    .in_organisation(Some(user.organisation_id))
                    .from_address(address)
                    .because("emailed to the account's address"),
            );
            Ok(())
        })
    }

    /// Removes sign-in codes that can no longer sign anyone in (used or expired), so
    /// the database keeps no hash of a short code longer than it must.
    pub fn purge_sign_in_codes(&self) -> Result<usize, StoreError> {
        self.read(|conn| {
            Ok(diesel::delete(
                one_time_links::table
                    .filter(one_time_links::purpose.eq(link_purpose::SIGN_IN_CODE))
                    .filter(
                        one_time_links::used_at
                            .is_not_null()
                            .or(one_time_links::expires_at.le(now())),
                    ),
            )
            .execute(conn)?)
        })
    }

    /// Records a request for a sign-in code that stored none, with why. `user` is the
    /// account at the address, if there is one (a member of staff, say), so that
    /// someone probing staff addresses shows in the trail.
    pub fn record_sign_in_code_not_sent(
        &self,
        user: Option<&UserRecord>,
        why: CodeNotSent,
        address: Option<String>,
    ) -> Result<(), StoreError> {
        self.write(|_, trail| {
            trail.record(
                AuditEvent::anonymous(AuditAction::SignInFailed, "user", user.map(|u| u.id))
                    .in_organisation(user.map(|u| u.organisation_id))
                    .from_address(address)
                    .because(why.reason()),
            );
            Ok(())
        })
    }

    /// Signs a person in with an emailed code: uses the code up and opens the session
    /// in one transaction, exactly as a right password opens one. Answers `false`, and
    /// writes nothing, when the code is not the account's newest, is used or expired, or
    /// the account is no longer a live, unlocked person's; the caller counts that as a
    /// failed sign-in.
    pub fn sign_in_with_code(
        &self,
        user: &UserRecord,
        code_hash: &str,
        token_hash: &str,
        expires_at: NaiveDateTime,
        two_factor_passed: bool,
        address: Option<String>,
    ) -> Result<bool, StoreError> {
        self.write(|conn, trail| {
            let at = now();
            if !live_person_account(conn, user.id, at)? {
                return Ok(false);
            }
            // Checked and used up in one statement, so two requests with the same code
            // cannot both sign in.
            let used = diesel::update(
                one_time_links::table
                    .filter(one_time_links::token_hash.eq(code_hash))
                    .filter(one_time_links::purpose.eq(link_purpose::SIGN_IN_CODE))
                    .filter(one_time_links::user_id.eq(user.id))
                    .filter(one_time_links::used_at.is_null())
                    .filter(one_time_links::expires_at.gt(at)),
            )
            .set(one_time_links::used_at.eq(at))
            .execute(conn)?;
            if used != 1 {
                return Ok(false);
            }
            let event = open_session(conn, user, token_hash, expires_at, two_factor_passed)?;
            trail.record(event.from_address(address).because("emailed code"));
            Ok(true)
        })
    }
}

/// Inserts an account without a password and the one-time link its owner uses to
/// choose one, with their audit entries, inside the caller's transaction.
pub(crate) fn insert_invited_user(
    conn: &mut DbConnection,
    trail: &mut crate::audit::Trail,
    actor: &Actor,
    user: &NewUser,
    link_hash: &str,
    expires_at: NaiveDateTime,
) -> Result<i64, StoreError> {
    let at = now();
    let id: i64 = diesel::insert_into(users::table)
        .values((
            users::organisation_id.eq(user.organisation_id),
            users::email.eq(user.email.as_str()),
            users::display_name.eq(&user.display_name),
            users::role.eq(user.role.as_str()),
            users::is_demo.eq(false),
            users::created_at.eq(at),
        ))
        .returning(users::id)
        .get_result(conn)?;
    diesel::insert_into(one_time_links::table)
        .values((
            one_time_links::token_hash.eq(link_hash),
            one_time_links::purpose.eq(link_purpose::SET_PASSWORD),
            one_time_links::user_id.eq(Some(id)),
            one_time_links::created_at.eq(at),
            one_time_links::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    trail.record(AuditEvent::by(actor, AuditAction::Create, "user", Some(id)));
    trail.record(
        AuditEvent::by(actor, AuditAction::Create, "one_time_link", Some(id))
            .because("set password"),
    );
    Ok(id)
}

/// Ends every session of an account, on every device.
fn end_sessions_of(conn: &mut DbConnection, user_id: i64) -> Result<usize, StoreError> {
    Ok(diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id))).execute(conn)?)
}

/// Opens a session for an account that proved who it is, clearing its failure count,
/// and answers the audit entry of the sign-in for the caller to complete. Password and
/// emailed code sign-ins both come through here, so they start sessions alike.
fn open_session(
    conn: &mut DbConnection,
    user: &UserRecord,
    token_hash: &str,
    expires_at: NaiveDateTime,
    two_factor_passed: bool,
) -> Result<AuditEvent, StoreError> {
    diesel::update(users::table.find(user.id))
        .set((
            users::failed_sign_ins.eq(0),
            users::locked_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    let at = now();
    diesel::insert_into(sessions::table)
        .values((
            sessions::token_hash.eq(token_hash),
            sessions::user_id.eq(user.id),
            sessions::created_at.eq(at),
            sessions::last_seen_at.eq(at),
            sessions::expires_at.eq(expires_at),
            sessions::two_factor_passed.eq(two_factor_passed),
        ))
        .execute(conn)?;
    Ok(
        AuditEvent::anonymous(AuditAction::SignIn, "user", Some(user.id))
            .in_organisation(Some(user.organisation_id)),
    )
}

/// Uses up a one-time link if it is unused and unexpired, answering `Some(the account it
/// names)`, or `None` when it is not good. Checking and marking it used in one statement
/// means two requests can never both use it.
fn use_link(
    conn: &mut DbConnection,
    purpose: &str,
    token_hash: &str,
) -> Result<Option<Option<i64>>, StoreError> {
    let at = now();
    Ok(diesel::update(
        one_time_links::table
            .filter(one_time_links::token_hash.eq(token_hash))
            .filter(one_time_links::purpose.eq(purpose))
            .filter(one_time_links::used_at.is_null())
            .filter(one_time_links::expires_at.gt(at)),
    )
    .set(one_time_links::used_at.eq(at))
    .returning(one_time_links::user_id)
    .get_result(conn)
    .optional()?)
}
