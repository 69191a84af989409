//! The storage suite: every test runs on a fresh SQLite database and again on a fresh
//! PostgreSQL database, through the same code path.

use advocase_domain::audit::{AuditAction, ChainBreak};
use advocase_domain::identity::{Actor, EmailAddress, OrganisationKind, Role};
use advocase_storage::accounts::{LockoutPolicy, NewUser};
use advocase_storage::audit::AuditQuery;
use advocase_storage::{Store, StoreError};
use advocase_testkit::{TestBackend, TestDb, on_both_backends};
use diesel::prelude::*;

const POLICY: LockoutPolicy = LockoutPolicy {
    attempts: 5,
    minutes: 15,
};

/// The English words of the error for `field`, as a person would read them.
fn words(invalid: &advocase_domain::validation::Invalid, field: &str) -> String {
    let message = invalid
        .message_for(field)
        .unwrap_or_else(|| panic!("no error for {field}: {invalid:?}"));
    advocase_i18n::Catalogue::english().message(message)
}

fn add_user(store: &Store, organisation_id: i64, email: &str, role: Role) -> Actor {
    let id = store
        .create_user(
            None,
            NewUser {
                organisation_id,
                email: EmailAddress::parse("email", email).unwrap(),
                display_name: email.to_string(),
                role,
                password_hash: Some("not-a-real-hash".into()),
                is_demo: false,
            },
        )
        .unwrap();
    Actor {
        user_id: id,
        organisation_id,
        role,
        address: Some("127.0.0.1".into()),
    }
}

/// Two providers with an administrator and an advocate each.
fn two_providers(store: &Store) -> (Actor, Actor, Actor, Actor) {
    let a = store
        .create_organisation(OrganisationKind::Provider, "North Advocacy")
        .unwrap();
    let b = store
        .create_organisation(OrganisationKind::Provider, "South Advocacy")
        .unwrap();
    (
        add_user(store, a, "admin@north.example", Role::Administrator),
        add_user(store, a, "advocate@north.example", Role::Advocate),
        add_user(store, b, "admin@south.example", Role::Administrator),
        add_user(store, b, "advocate@south.example", Role::Advocate),
    )
}

fn tamper(db: &TestDb, sql: &str) {
    use advocase_storage::DbConnection;
    let mut conn = DbConnection::establish(&db.url).unwrap();
    diesel::sql_query(sql).execute(&mut conn).unwrap();
}

/// The count a `SELECT COUNT(*) AS n …` statement gives, read straight from the database.
fn count_of(db: &TestDb, sql: &str) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = advocase_storage::DbConnection::establish(&db.url).unwrap();
    diesel::sql_query(sql)
        .get_result::<Count>(&mut conn)
        .unwrap()
        .n
}

on_both_backends! {
    fn migrations_leave_nothing_pending(db) {
        assert!(db.store.pending_migrations().unwrap().is_empty());
    }

    fn email_addresses_are_unique_whatever_their_case(db) {
        let org = db.store.create_organisation(OrganisationKind::Provider, "North").unwrap();
        add_user(&db.store, org, "ada@example.org", Role::Advocate);
        let duplicate = db.store.create_user(None, NewUser {
            organisation_id: org,
            email: EmailAddress::parse("email", "ADA@example.org").unwrap(),
            display_name: "Ada again".into(),
            role: Role::Advocate,
            password_hash: None,
            is_demo: false,
        });
        match duplicate {
            Err(StoreError::Invalid(invalid)) => assert!(invalid.message_for("email").is_some()),
            other => panic!("expected an email error, got {other:?}"),
        }
        assert_eq!(db.store.count_users().unwrap(), 1);
    }

    fn a_commissioner_cannot_join_a_provider(db) {
        let org = db.store.create_organisation(OrganisationKind::Provider, "North").unwrap();
        let result = db.store.create_user(None, NewUser {
            organisation_id: org,
            email: EmailAddress::parse("email", "c@example.org").unwrap(),
            display_name: "C".into(),
            role: Role::Commissioner,
            password_hash: None,
            is_demo: false,
        });
        assert!(matches!(result, Err(StoreError::Invalid(_))));
    }

    fn five_failed_sign_ins_lock_the_account(db) {
        let org = db.store.create_organisation(OrganisationKind::Provider, "North").unwrap();
        let actor = add_user(&db.store, org, "ada@example.org", Role::Advocate);
        for _ in 0..4 {
            assert!(!db.store.record_failed_sign_in(actor.user_id, None, POLICY).unwrap());
        }
        assert!(db.store.record_failed_sign_in(actor.user_id, None, POLICY).unwrap());
        let user = db.store.user_by_id(actor.user_id).unwrap().unwrap();
        assert!(user.is_locked(advocase_storage::now()));
    }

    fn an_administrator_cannot_see_an_account_of_another_provider(db) {
        let (north_admin, _, _, south_advocate) = two_providers(&db.store);
        let result = db.store.find_user(&north_admin, south_advocate.user_id);
        assert!(matches!(result, Err(StoreError::NotFound)));
        let missing = db.store.find_user(&north_admin, 999_999);
        assert!(matches!(missing, Err(StoreError::NotFound)));
    }

    fn an_advocate_cannot_see_a_colleagues_account(db) {
        let (north_admin, north_advocate, _, _) = two_providers(&db.store);
        assert!(matches!(db.store.find_user(&north_advocate, north_admin.user_id), Err(StoreError::NotFound)));
        assert_eq!(db.store.find_user(&north_advocate, north_advocate.user_id).unwrap().id, north_advocate.user_id);
    }

    fn every_read_and_every_refusal_is_in_the_audit_trail(db) {
        let (north_admin, _, south_admin, south_advocate) = two_providers(&db.store);
        db.store.find_user(&north_admin, north_admin.user_id).unwrap();
        let _ = db.store.find_user(&north_admin, south_advocate.user_id);
        let entries = db.store.search_audit(&north_admin, &AuditQuery::default()).unwrap();
        assert!(entries.iter().any(|e| e.action == "read" && e.record_id.as_deref() == Some(&north_admin.user_id.to_string())));
        assert!(entries.iter().any(|e| e.action == "denied" && e.record_id.as_deref() == Some(&south_advocate.user_id.to_string())));
        // The other provider's trail holds none of it.
        let theirs = db.store.search_audit(&south_admin, &AuditQuery { action: Some(AuditAction::Read), ..Default::default() }).unwrap();
        assert!(theirs.iter().all(|e| e.actor_user_id != Some(north_admin.user_id)));
    }

    fn reads_at_the_same_time_each_leave_one_entry_in_an_unbroken_chain(db) {
        let (north_admin, north_advocate, ..) = two_providers(&db.store);
        let before = count_of(&db, "SELECT COUNT(*) AS n FROM audit_entries");
        std::thread::scope(|threads| {
            for n in 0..8 {
                let (store, admin, advocate) = (&db.store, &north_admin, &north_advocate);
                threads.spawn(move || {
                    for _ in 0..10 {
                        let wanted = if n % 2 == 0 { admin.user_id } else { advocate.user_id };
                        assert_eq!(store.find_user(admin, wanted).unwrap().id, wanted);
                    }
                });
            }
        });
        assert_eq!(count_of(&db, "SELECT COUNT(*) AS n FROM audit_entries") - before, 80);
        let verification = db.store.verify_audit().unwrap().unwrap();
        assert!(verification.head_checked);
    }

    fn a_read_whose_entry_cannot_be_committed_gives_nothing_back(db) {
        let (north_admin, ..) = two_providers(&db.store);
        // Without its head row the chain takes no entry.
        tamper(&db, "CREATE TABLE saved_head AS SELECT * FROM audit_head");
        tamper(&db, "DELETE FROM audit_head");
        assert!(db.store.find_user(&north_admin, north_admin.user_id).is_err());
        tamper(&db, "INSERT INTO audit_head SELECT * FROM saved_head");
        assert_eq!(db.store.find_user(&north_admin, north_admin.user_id).unwrap().id, north_admin.user_id);
    }

    fn advocates_cannot_search_the_audit_trail(db) {
        let (_, north_advocate, _, _) = two_providers(&db.store);
        assert!(matches!(db.store.search_audit(&north_advocate, &AuditQuery::default()), Err(StoreError::NotFound)));
    }

    fn an_untouched_audit_trail_verifies_against_its_head(db) {
        let (north_admin, ..) = two_providers(&db.store);
        db.store.find_user(&north_admin, north_admin.user_id).unwrap();
        let verification = db.store.verify_audit().unwrap().unwrap();
        assert!(verification.head_checked);
        assert!(verification.entries >= 6);
    }

    fn a_single_byte_edit_in_the_audit_trail_is_detected(db) {
        let (north_admin, ..) = two_providers(&db.store);
        db.store.find_user(&north_admin, north_admin.user_id).unwrap();
        tamper(&db, "UPDATE audit_entries SET record_type = 'usex' WHERE sequence = 3");
        assert!(matches!(db.store.verify_audit().unwrap(), Err(ChainBreak::EditedContent { .. })));
    }

    fn deleting_the_last_audit_entry_is_detected(db) {
        let (north_admin, ..) = two_providers(&db.store);
        db.store.find_user(&north_admin, north_admin.user_id).unwrap();
        tamper(&db, "DELETE FROM audit_entries WHERE sequence = (SELECT MAX(sequence) FROM audit_entries)");
        assert!(matches!(db.store.verify_audit().unwrap(), Err(ChainBreak::Truncated { .. })));
    }

    fn deleting_an_entry_in_the_middle_is_detected(db) {
        let (north_admin, ..) = two_providers(&db.store);
        db.store.find_user(&north_admin, north_admin.user_id).unwrap();
        tamper(&db, "DELETE FROM audit_entries WHERE sequence = 2");
        assert!(matches!(db.store.verify_audit().unwrap(), Err(ChainBreak::Sequence { .. })));
    }

    fn a_two_factor_code_is_accepted_only_once(db) {
        let org = db.store.create_organisation(OrganisationKind::Provider, "North").unwrap();
        let actor = add_user(&db.store, org, "ada@example.org", Role::Advocate);
        let user = db.store.user_by_id(actor.user_id).unwrap().unwrap();
        let expires = advocase_storage::now() + chrono::Duration::hours(8);
        db.store.start_session(&user, "session-hash", expires, false, None).unwrap();
        assert!(db.store.accept_two_factor_step(&user, 1000, "session-hash", None).unwrap());
        assert!(!db.store.accept_two_factor_step(&user, 1000, "session-hash", None).unwrap());
        assert!(!db.store.accept_two_factor_step(&user, 999, "session-hash", None).unwrap());
        assert!(db.store.accept_two_factor_step(&user, 1001, "session-hash", None).unwrap());
        let (session, _) = db.store.session("session-hash").unwrap().unwrap();
        assert!(session.two_factor_passed);
    }

    fn idle_sessions_are_purged(db) {
        let org = db.store.create_organisation(OrganisationKind::Provider, "North").unwrap();
        let actor = add_user(&db.store, org, "ada@example.org", Role::Advocate);
        let user = db.store.user_by_id(actor.user_id).unwrap().unwrap();
        let expires = advocase_storage::now() + chrono::Duration::hours(8);
        db.store.start_session(&user, "old", expires, true, None).unwrap();
        db.store.start_session(&user, "fresh", expires, true, None).unwrap();
        db.store.touch_session("old", advocase_storage::now() - chrono::Duration::hours(1)).unwrap();
        let purged = db.store.purge_sessions(advocase_storage::now() - chrono::Duration::minutes(30)).unwrap();
        assert_eq!(purged, 1);
        assert!(db.store.session("old").unwrap().is_none());
        assert!(db.store.session("fresh").unwrap().is_some());
    }

    fn changing_a_password_ends_every_session(db) {
        let org = db.store.create_organisation(OrganisationKind::Provider, "North").unwrap();
        let actor = add_user(&db.store, org, "ada@example.org", Role::Advocate);
        let user = db.store.user_by_id(actor.user_id).unwrap().unwrap();
        let expires = advocase_storage::now() + chrono::Duration::hours(8);
        db.store.start_session(&user, "a", expires, true, None).unwrap();
        db.store.set_password(Some(&actor), actor.user_id, "new-hash").unwrap();
        assert!(db.store.session("a").unwrap().is_none());
    }

    fn a_job_lease_is_held_by_one_process_at_a_time(db) {
        let lease = chrono::Duration::minutes(5);
        assert!(db.store.take_job_lease("purge", "process-a", lease).unwrap());
        assert!(!db.store.take_job_lease("purge", "process-b", lease).unwrap());
        db.store.finish_job("purge", "process-a").unwrap();
        assert!(db.store.take_job_lease("purge", "process-b", lease).unwrap());
    }

    fn a_daily_job_runs_once_a_day_whichever_process_saw_it_due(db) {
        let lease = chrono::Duration::minutes(30);
        let day = chrono::Duration::days(1);
        // Both processes see the job due; the first runs it and finishes.
        assert!(db.store.job_finished_at("count").unwrap().is_none());
        assert!(db.store.take_due_job_lease("count", "process-a", lease, day).unwrap());
        assert!(!db.store.take_due_job_lease("count", "process-b", lease, day).unwrap());
        db.store.finish_job("count", "process-a").unwrap();
        // The lease is free again, but the job was done today: neither runs it again.
        assert!(!db.store.take_due_job_lease("count", "process-b", lease, day).unwrap());
        assert!(!db.store.take_due_job_lease("count", "process-a", lease, day).unwrap());
        // A day later it is due again.
        tamper(&db, "UPDATE job_leases SET last_finished_at = '2020-01-01 00:00:00' WHERE name = 'count'");
        assert!(db.store.take_due_job_lease("count", "process-b", lease, day).unwrap());
    }

    fn a_revoked_api_token_no_longer_signs_in(db) {
        let (north_admin, north_advocate, south_admin, _) = two_providers(&db.store);
        let id = db.store.issue_api_token(Some(&north_admin), north_advocate.user_id, "script", "token-hash").unwrap();
        assert_eq!(db.store.user_by_api_token("token-hash").unwrap().unwrap().id, north_advocate.user_id);
        assert!(matches!(db.store.revoke_api_token(&south_admin, id), Err(StoreError::NotFound)));
        db.store.revoke_api_token(&north_admin, id).unwrap();
        assert!(db.store.user_by_api_token("token-hash").unwrap().is_none());
    }

    fn an_operator_issues_a_token_for_a_live_staff_account_only(db) {
        let (north_admin, north_advocate, south_admin, _) = two_providers(&db.store);
        let id = db.store.issue_api_token(None, north_advocate.user_id, "monitoring", "operator-hash").unwrap();
        assert_eq!(db.store.user_by_api_token("operator-hash").unwrap().unwrap().id, north_advocate.user_id);
        let listed = db.store.list_api_tokens(&north_admin).unwrap();
        assert!(listed.iter().any(|(token, _)| token.id == id && token.created_by == north_advocate.user_id));
        // An administrator of another provider still cannot issue one for this account.
        assert!(matches!(
            db.store.issue_api_token(Some(&south_admin), north_advocate.user_id, "x", "other-hash"),
            Err(StoreError::NotFound)
        ));
        assert!(matches!(db.store.issue_api_token(None, 999_999, "x", "missing-hash"), Err(StoreError::NotFound)));
        db.store.disable_user(None, north_advocate.user_id).unwrap();
        assert!(matches!(
            db.store.issue_api_token(None, north_advocate.user_id, "x", "disabled-hash"),
            Err(StoreError::NotFound)
        ));
    }

    fn a_one_time_link_works_once(db) {
        let expires = advocase_storage::now() + chrono::Duration::hours(1);
        db.store.create_one_time_link("first_administrator", None, "link-hash", expires).unwrap();
        assert!(db.store.one_time_link_is_valid("first_administrator", "link-hash").unwrap());
        assert!(db.store.consume_one_time_link("first_administrator", "link-hash").unwrap());
        assert!(!db.store.consume_one_time_link("first_administrator", "link-hash").unwrap());
    }

    fn an_emailed_sign_in_code_signs_a_person_in_once(db) {
        let (north_admin, ..) = two_providers(&db.store);
        let person = add_user(&db.store, north_admin.organisation_id, "ada@example.org", Role::Person);
        let user = db.store.user_by_id(person.user_id).unwrap().unwrap();
        let expires = advocase_storage::now() + chrono::Duration::minutes(10);
        db.store.store_sign_in_code(&user, "code-hash", expires, None).unwrap();
        let session_expires = advocase_storage::now() + chrono::Duration::hours(1);
        assert!(!db.store.sign_in_with_code(&user, "another-hash", "session-0", session_expires, true, None).unwrap());
        assert!(db.store.session("session-0").unwrap().is_none(), "a wrong code opens no session");
        assert!(db.store.sign_in_with_code(&user, "code-hash", "session-1", session_expires, false, None).unwrap());
        let (session, _) = db.store.session("session-1").unwrap().expect("the right code opens a session");
        assert!(!session.two_factor_passed, "two-factor is still asked for when the caller says so");
        assert!(!db.store.sign_in_with_code(&user, "code-hash", "session-2", session_expires, true, None).unwrap(), "a code works once");
        assert!(db.store.session("session-2").unwrap().is_none());
        let entries = db.store.search_audit(&north_admin, &AuditQuery::default()).unwrap();
        let id = person.user_id.to_string();
        assert!(entries.iter().any(|e| e.action == AuditAction::Create.as_str() && e.record_type == "sign_in_code" && e.record_id.as_deref() == Some(id.as_str())));
        assert!(entries.iter().any(|e| e.action == AuditAction::SignIn.as_str() && e.record_id.as_deref() == Some(id.as_str()) && e.reason.as_deref() == Some("emailed code")));
    }

    fn a_newer_sign_in_code_replaces_the_earlier_one(db) {
        let org = db.store.create_organisation(OrganisationKind::Provider, "North").unwrap();
        let person = add_user(&db.store, org, "ada@example.org", Role::Person);
        let user = db.store.user_by_id(person.user_id).unwrap().unwrap();
        let before = advocase_storage::now() - chrono::Duration::seconds(1);
        assert!(!db.store.sign_in_code_sent_since(user.id, before).unwrap());
        let expires = advocase_storage::now() + chrono::Duration::minutes(10);
        db.store.store_sign_in_code(&user, "first-hash", expires, None).unwrap();
        assert!(db.store.sign_in_code_sent_since(user.id, before).unwrap());
        db.store.store_sign_in_code(&user, "second-hash", expires, None).unwrap();
        let session_expires = advocase_storage::now() + chrono::Duration::hours(1);
        assert!(!db.store.sign_in_with_code(&user, "first-hash", "session-1", session_expires, true, None).unwrap());
        assert!(db.store.sign_in_with_code(&user, "second-hash", "session-2", session_expires, true, None).unwrap());
        // A used code is gone when the next is stored, so the same digits can come again.
        db.store.store_sign_in_code(&user, "second-hash", expires, None).unwrap();
        assert!(db.store.sign_in_with_code(&user, "second-hash", "session-3", session_expires, true, None).unwrap());
    }

    fn an_expired_sign_in_code_signs_no_one_in(db) {
        let org = db.store.create_organisation(OrganisationKind::Provider, "North").unwrap();
        let person = add_user(&db.store, org, "ada@example.org", Role::Person);
        let user = db.store.user_by_id(person.user_id).unwrap().unwrap();
        let expires = advocase_storage::now() + chrono::Duration::minutes(10);
        db.store.store_sign_in_code(&user, "code-hash", expires, None).unwrap();
        tamper(&db, "UPDATE one_time_links SET expires_at = '2000-01-01 00:00:00'");
        let session_expires = advocase_storage::now() + chrono::Duration::hours(1);
        assert!(!db.store.sign_in_with_code(&user, "code-hash", "session-1", session_expires, true, None).unwrap());
        assert!(db.store.session("session-1").unwrap().is_none());
        assert_eq!(db.store.purge_sign_in_codes().unwrap(), 1, "the expired code is removed");
        assert_eq!(db.store.purge_sign_in_codes().unwrap(), 0);
    }

    fn a_sign_in_code_is_bound_to_its_account(db) {
        let org = db.store.create_organisation(OrganisationKind::Provider, "North").unwrap();
        let ada = add_user(&db.store, org, "ada@example.org", Role::Person);
        let ben = add_user(&db.store, org, "ben@example.org", Role::Person);
        let ada = db.store.user_by_id(ada.user_id).unwrap().unwrap();
        let ben = db.store.user_by_id(ben.user_id).unwrap().unwrap();
        let expires = advocase_storage::now() + chrono::Duration::minutes(10);
        db.store.store_sign_in_code(&ada, "ada-hash", expires, None).unwrap();
        let session_expires = advocase_storage::now() + chrono::Duration::hours(1);
        assert!(!db.store.sign_in_with_code(&ben, "ada-hash", "session-1", session_expires, true, None).unwrap());
        assert!(db.store.sign_in_with_code(&ada, "ada-hash", "session-2", session_expires, true, None).unwrap(), "a refused try by someone else does not use the code up");
    }

    fn only_a_live_unlocked_person_account_holds_or_uses_a_sign_in_code(db) {
        let (north_admin, north_advocate, ..) = two_providers(&db.store);
        let expires = advocase_storage::now() + chrono::Duration::minutes(10);
        let session_expires = advocase_storage::now() + chrono::Duration::hours(1);
        for staff in [&north_admin, &north_advocate] {
            let user = db.store.user_by_id(staff.user_id).unwrap().unwrap();
            assert!(matches!(db.store.store_sign_in_code(&user, "staff-hash", expires, None), Err(StoreError::NotFound)));
        }
        let person = add_user(&db.store, north_admin.organisation_id, "ada@example.org", Role::Person);
        let user = db.store.user_by_id(person.user_id).unwrap().unwrap();
        db.store.store_sign_in_code(&user, "code-hash", expires, None).unwrap();
        // A locked account cannot use its code, and the refusal does not use it up.
        for _ in 0..POLICY.attempts {
            db.store.record_failed_sign_in(user.id, None, POLICY).unwrap();
        }
        assert!(!db.store.sign_in_with_code(&user, "code-hash", "session-1", session_expires, true, None).unwrap());
        assert!(matches!(db.store.store_sign_in_code(&user, "other-hash", expires, None), Err(StoreError::NotFound)));
        tamper(&db, "UPDATE users SET locked_until = NULL");
        assert!(db.store.sign_in_with_code(&user, "code-hash", "session-2", session_expires, true, None).unwrap());
        db.store.store_sign_in_code(&user, "later-hash", expires, None).unwrap();
        db.store.disable_user(Some(&north_admin), user.id).unwrap();
        assert!(!db.store.sign_in_with_code(&user, "later-hash", "session-3", session_expires, true, None).unwrap());
        assert!(matches!(db.store.store_sign_in_code(&user, "disabled-hash", expires, None), Err(StoreError::NotFound)));
    }

    fn a_request_for_a_code_that_sent_none_is_in_the_audit_trail(db) {
        use advocase_storage::accounts::CodeNotSent;
        let (north_admin, north_advocate, ..) = two_providers(&db.store);
        let staff = db.store.user_by_id(north_advocate.user_id).unwrap().unwrap();
        db.store.record_sign_in_code_not_sent(Some(&staff), CodeNotSent::NoPersonAccount, Some("192.0.2.1".into())).unwrap();
        let entries = db.store.search_audit(&north_admin, &AuditQuery { action: Some(AuditAction::SignInFailed), ..Default::default() }).unwrap();
        let id = staff.id.to_string();
        assert!(entries.iter().any(|e| e.record_id.as_deref() == Some(id.as_str()) && e.address.as_deref() == Some("192.0.2.1") && e.reason.as_deref().is_some_and(|r| r.contains("no person's account"))));
        // Nothing was kept that could sign anyone in.
        let session_expires = advocase_storage::now() + chrono::Duration::hours(1);
        assert!(!db.store.sign_in_with_code(&staff, "any-hash", "session-1", session_expires, true, None).unwrap());
    }

    fn a_calendar_day_cannot_be_added_twice(db) {
        let (north_admin, ..) = two_providers(&db.store);
        let day = chrono::NaiveDate::from_ymd_opt(2031, 1, 1).unwrap();
        let nation = advocase_domain::clocks::Nation::EnglandAndWales;
        db.store.add_calendar_day(&north_admin, nation, day, "New Year's Day").unwrap();
        assert!(matches!(db.store.add_calendar_day(&north_admin, nation, day, "Again"), Err(StoreError::Invalid(_))));
        assert_eq!(db.store.added_calendar_days(nation).unwrap().len(), 1);
    }
}

fn export_text(store: &Store) -> String {
    let mut out = Vec::new();
    store.export(&mut out, &mut |_, _| {}).unwrap();
    String::from_utf8(out).unwrap()
}

fn populate(store: &Store) {
    let (north_admin, north_advocate, ..) = two_providers(store);
    let intake = add_user(
        store,
        north_admin.organisation_id,
        "intake@north.example",
        Role::IntakeWorker,
    );
    let answers = advocase_domain::referral::ReferralAnswers {
        referrer_kind: "self".into(),
        given_name: "Ada".into(),
        family_name: "Lovelace".into(),
        date_of_birth: "1960-12-10".into(),
        what_is_happening: "A needs assessment".into(),
        consent: "given".into(),
        care_act_process: "needs_assessment".into(),
        ..Default::default()
    };
    let referral = answers
        .parse(chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap())
        .unwrap();
    let id = store
        .submit_referral(
            north_admin.organisation_id,
            &referral,
            advocase_storage::referrals::Source::Public,
            None,
            "R-TEST-0001",
            "status-hash",
        )
        .unwrap();
    let decision = advocase_storage::referrals::DutyDecision {
        duty: "care_act".into(),
        suggested: "eligible".into(),
        accept: true,
        disagreement_reason: None,
        introduction_due: None,
    };
    store
        .decide_referral(
            &intake,
            id,
            1,
            &[decision],
            advocase_storage::referrals::PersonChoice::Create,
            None,
        )
        .unwrap();
    store
        .find_user(&north_admin, north_advocate.user_id)
        .unwrap();
    store
        .issue_api_token(Some(&north_admin), north_advocate.user_id, "script", "hash")
        .unwrap();
    let user = store.user_by_id(north_advocate.user_id).unwrap().unwrap();
    store
        .start_session(&user, "session", advocase_storage::now(), true, None)
        .unwrap();
    store
        .take_job_lease("purge", "me", chrono::Duration::minutes(1))
        .unwrap();
    store
        .add_calendar_day(
            &north_admin,
            advocase_domain::clocks::Nation::Scotland,
            chrono::NaiveDate::from_ymd_opt(2031, 1, 2).unwrap(),
            "2nd January",
        )
        .unwrap();
    workforce_storage::populate_workforce(store, &north_admin, &north_advocate);
    assessment_storage::populate_assessments(store, &north_admin);
}

#[test]
fn export_from_sqlite_then_import_into_postgresql_gives_identical_data() {
    let source = TestDb::new(TestBackend::Sqlite).unwrap();
    populate(&source.store);
    let Some(target) = TestDb::new(TestBackend::Postgres) else {
        return;
    };
    let exported = export_text(&source.store);
    target
        .store
        .import(&mut exported.as_bytes(), &mut |_, _| {})
        .unwrap();
    assert_eq!(export_text(&target.store), exported);
    // The audit chain still verifies on the new backend, and new ids follow the old.
    source.store.settle_audit_head();
    std::fs::copy(source.head_file(), target.head_file()).unwrap();
    assert!(target.store.verify_audit().unwrap().is_ok());
    target
        .store
        .create_organisation(OrganisationKind::Provider, "After import")
        .unwrap();
}

#[test]
fn export_from_postgresql_then_import_into_sqlite_gives_identical_data() {
    let Some(source) = TestDb::new(TestBackend::Postgres) else {
        return;
    };
    populate(&source.store);
    let target = TestDb::new(TestBackend::Sqlite).unwrap();
    let exported = export_text(&source.store);
    target
        .store
        .import(&mut exported.as_bytes(), &mut |_, _| {})
        .unwrap();
    assert_eq!(export_text(&target.store), exported);
}

#[test]
fn import_refuses_a_database_that_already_holds_an_installation() {
    let source = TestDb::new(TestBackend::Sqlite).unwrap();
    populate(&source.store);
    let exported = export_text(&source.store);
    let result = source
        .store
        .import(&mut exported.as_bytes(), &mut |_, _| {});
    assert!(matches!(result, Err(StoreError::Data(_))));
}

#[test]
fn a_malformed_export_line_imports_nothing() {
    let source = TestDb::new(TestBackend::Sqlite).unwrap();
    populate(&source.store);
    let mut exported = export_text(&source.store);
    exported.push_str("{\"table\":\"users\",\"row\":{\"id\":\"oops\"}}\n");
    let target = TestDb::new(TestBackend::Sqlite).unwrap();
    assert!(
        target
            .store
            .import(&mut exported.as_bytes(), &mut |_, _| {})
            .is_err()
    );
    assert!(target.store.organisations().unwrap().is_empty());
}

#[test]
fn every_table_of_the_schema_is_exported() {
    let db = TestDb::new(TestBackend::Sqlite).unwrap();
    let mut conn = advocase_storage::DbConnection::establish(&db.url).unwrap();
    #[derive(QueryableByName)]
    struct Name {
        #[diesel(sql_type = diesel::sql_types::Text)]
        name: String,
    }
    let tables: Vec<Name> = diesel::sql_query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '__diesel_schema_migrations' ORDER BY name",
    )
    .load(&mut conn)
    .unwrap();
    let mut exported: Vec<&str> = advocase_storage::transfer::TABLES.to_vec();
    exported.sort();
    let names: Vec<&str> = tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names, exported,
        "add new tables to installation_tables! in transfer.rs"
    );
}

mod referral_storage {
    use super::*;

    /// A self-referral with only what the form requires, for tests about the queue and
    /// the status link rather than the referral's content.
    fn plain_self_referral() -> advocase_domain::referral::NewReferral {
        advocase_domain::referral::ReferralAnswers {
            referrer_kind: "self".into(),
            given_name: "Ada".into(),
            family_name: "Lovelace".into(),
            what_is_happening: "Help".into(),
            consent: "given".into(),
            ..Default::default()
        }
        .parse(chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap())
        .unwrap()
    }

    on_both_backends! {
        fn an_accepted_referral_opens_one_case_per_duty_for_one_person(db) {
            let org = db.store.create_organisation(OrganisationKind::Provider, "North").unwrap();
            let intake = add_user(&db.store, org, "intake@north.example", Role::IntakeWorker);
            let answers = advocase_domain::referral::ReferralAnswers {
                referrer_kind: "self".into(),
                given_name: "Ada".into(),
                family_name: "Lovelace".into(),
                what_is_happening: "Detained, and a needs assessment".into(),
                consent: "given".into(),
                mha_status: "detained".into(),
                mha_section: "3".into(),
                safeguarding_concerns: "Her son takes her pension".into(),
                ..Default::default()
            };
            let referral = answers.parse(chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()).unwrap();
            let id = db.store.submit_referral(org, &referral, advocase_storage::referrals::Source::Public, None, "R-AAAA-BBBB", "h").unwrap();
            let decide = |duty: &str| advocase_storage::referrals::DutyDecision {
                duty: duty.into(),
                suggested: "eligible".into(),
                accept: true,
                disagreement_reason: None,
                introduction_due: None,
            };
            // A stale version is refused and changes nothing.
            let stale = db.store.decide_referral(&intake, id, 7, &[decide("imha")], advocase_storage::referrals::PersonChoice::Create, None);
            assert!(matches!(stale, Err(StoreError::Conflict)));
            let cases = db.store
                .decide_referral(&intake, id, 1, &[decide("imha"), decide("care_act")], advocase_storage::referrals::PersonChoice::Create, None)
                .unwrap();
            assert_eq!(cases.len(), 2);
            let waiting = db.store.waiting_list(&intake).unwrap();
            assert_eq!(waiting.len(), 2);
            assert!(waiting.iter().all(|w| w.case.person_id == waiting[0].case.person_id));
            assert!(waiting.iter().all(|w| w.detained && w.safeguarding_risk));
            assert!(waiting.iter().all(|w| w.reference == "R-AAAA-BBBB"));
            // The next referral about the same person finds the existing record.
            let again = db.store.submit_referral(org, &referral, advocase_storage::referrals::Source::Public, None, "R-CCCC-DDDD", "h2").unwrap();
            let record = db.store.find_referral(&intake, again).unwrap();
            let matches = db.store.matching_people(&intake, &record).unwrap();
            assert_eq!(matches.len(), 1);
            // A referral without concerns, about someone not detained, waits without
            // either mark.
            let calm = plain_self_referral();
            let calm_id = db.store.submit_referral(org, &calm, advocase_storage::referrals::Source::Public, None, "R-GGGG-HHHH", "calm").unwrap();
            db.store
                .decide_referral(&intake, calm_id, 1, &[decide("care_act")], advocase_storage::referrals::PersonChoice::Create, None)
                .unwrap();
            let waiting = db.store.waiting_list(&intake).unwrap();
            let calm_row = waiting.iter().find(|w| w.reference == "R-GGGG-HHHH").unwrap();
            assert!(!calm_row.detained && !calm_row.safeguarding_risk);
        }

        fn the_referral_status_link_shows_only_the_reference_and_status(db) {
            let org = db.store.create_organisation(OrganisationKind::Provider, "North").unwrap();
            let referral = plain_self_referral();
            db.store.submit_referral(org, &referral, advocase_storage::referrals::Source::Public, None, "R-EEEE-FFFF", "status").unwrap();
            let status = db.store.referral_status("status").unwrap();
            assert_eq!(status.reference, "R-EEEE-FFFF");
            assert_eq!(status.status, "received");
            assert!(matches!(db.store.referral_status("nope"), Err(StoreError::NotFound)));
        }

        fn an_advocate_cannot_see_the_referral_queue_or_a_referral(db) {
            let org = db.store.create_organisation(OrganisationKind::Provider, "North").unwrap();
            let other = db.store.create_organisation(OrganisationKind::Provider, "South").unwrap();
            let advocate = add_user(&db.store, org, "advocate@north.example", Role::Advocate);
            let foreign_intake = add_user(&db.store, other, "intake@south.example", Role::IntakeWorker);
            let referral = plain_self_referral();
            let id = db.store.submit_referral(org, &referral, advocase_storage::referrals::Source::Public, None, "R-GGGG-HHHH", "s").unwrap();
            assert!(matches!(db.store.referral_queue(&advocate), Err(StoreError::NotFound)));
            assert!(matches!(db.store.find_referral(&advocate, id), Err(StoreError::NotFound)));
            assert!(matches!(db.store.find_referral(&foreign_intake, id), Err(StoreError::NotFound)));
        }

        fn the_referral_queue_holds_undecided_referrals_oldest_first(db) {
            let org = db.store.create_organisation(OrganisationKind::Provider, "North").unwrap();
            let intake = add_user(&db.store, org, "intake@north.example", Role::IntakeWorker);
            let referral = plain_self_referral();
            let submit = |reference: &str, token: &str| {
                db.store.submit_referral(org, &referral, advocase_storage::referrals::Source::Public, None, reference, token).unwrap()
            };
            let (newer, older, decided) = (submit("R-AAAA-0001", "t1"), submit("R-AAAA-0002", "t2"), submit("R-AAAA-0003", "t3"));
            tamper(&db, &format!("UPDATE referrals SET received_at = '2026-11-20 09:00:00' WHERE id = {newer}"));
            tamper(&db, &format!("UPDATE referrals SET received_at = '2026-11-19 09:00:00' WHERE id = {older}"));
            tamper(&db, &format!("UPDATE referrals SET status = 'accepted' WHERE id = {decided}"));
            let queue: Vec<i64> = db.store.referral_queue(&intake).unwrap().iter().map(|r| r.id).collect();
            assert_eq!(queue, vec![older, newer]);
        }
    }
}

pub(crate) mod casework_storage {
    use super::*;
    use advocase_domain::casework::{
        ClosureAnswers, ConflictKind, ContactAnswers, OutcomeLevel, Process,
    };
    use advocase_storage::casework::{
        AdvocateSettingsRecord, NewChallenge, NewChallengeStep, case_status,
    };
    use advocase_storage::referrals::{DutyDecision, PersonChoice, Source};

    pub(crate) struct Provider {
        pub(crate) manager: Actor,
        pub(crate) first: Actor,
        pub(crate) second: Actor,
        pub(crate) case_id: i64,
        pub(crate) person_id: i64,
    }

    /// A provider with a manager, two advocates qualified for IMHA, and one accepted IMHA
    /// referral waiting for allocation.
    pub(crate) fn provider(store: &Store, name: &str) -> Provider {
        let org = store
            .create_organisation(OrganisationKind::Provider, name)
            .unwrap();
        let domain = name.to_lowercase();
        let manager = add_user(
            store,
            org,
            &format!("manager@{domain}.example"),
            Role::Manager,
        );
        let intake = add_user(
            store,
            org,
            &format!("intake@{domain}.example"),
            Role::IntakeWorker,
        );
        let first = add_user(
            store,
            org,
            &format!("first@{domain}.example"),
            Role::Advocate,
        );
        let second = add_user(
            store,
            org,
            &format!("second@{domain}.example"),
            Role::Advocate,
        );
        for advocate in [&first, &second] {
            store
                .set_advocate_settings(
                    &manager,
                    &AdvocateSettingsRecord {
                        duties: "imha,care_act".into(),
                        ..AdvocateSettingsRecord::unset(advocate.user_id)
                    },
                )
                .unwrap();
        }
        let answers = advocase_domain::referral::ReferralAnswers {
            referrer_kind: "self".into(),
            given_name: "Ada".into(),
            family_name: format!("Lovelace-{name}"),
            what_is_happening: "Detained".into(),
            consent: "given".into(),
            mha_status: "detained".into(),
            mha_section: "3".into(),
            ..Default::default()
        };
        let referral = answers
            .parse(chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap())
            .unwrap();
        let id = store
            .submit_referral(
                org,
                &referral,
                Source::Public,
                None,
                &format!("R-{name}"),
                &format!("h-{name}"),
            )
            .unwrap();
        let cases = store
            .decide_referral(
                &intake,
                id,
                1,
                &[DutyDecision {
                    duty: "imha".into(),
                    suggested: "eligible".into(),
                    accept: true,
                    disagreement_reason: None,
                    introduction_due: None,
                }],
                PersonChoice::Create,
                None,
            )
            .unwrap();
        store
            .give_view_reason(
                &manager,
                advocase_storage::confidentiality::ReasonTarget::Case(cases[0]),
                advocase_domain::confidentiality::ViewReason::Allocation,
                None,
            )
            .unwrap();
        let case = store.case_file(&manager, cases[0]).unwrap();
        Provider {
            manager,
            first,
            second,
            case_id: cases[0],
            person_id: case.person.id,
        }
    }

    pub(crate) fn contact(could_instruct: &str) -> advocase_domain::casework::NewContact {
        ContactAnswers {
            date: "2026-11-20".into(),
            time: "10:00".into(),
            mode: "in_person".into(),
            duration: "60".into(),
            discussed: "Her rights under section 3".into(),
            could_instruct: could_instruct.into(),
            approach: "rights_based".into(),
            ..Default::default()
        }
        .parse(chrono::NaiveDateTime::parse_from_str("2026-11-22 09:00", "%Y-%m-%d %H:%M").unwrap())
        .unwrap()
    }

    on_both_backends! {
        fn a_search_by_name_finds_only_people_the_searcher_may_open(db) {
            let p = provider(&db.store, "North");
            let names = |found: Vec<advocase_storage::referrals::PersonRecord>| -> Vec<String> {
                found.into_iter().map(|p| format!("{} {}", p.given_name, p.family_name)).collect()
            };
            for text in ["love", "LOVELACE-north", "Ada Love", "Lovelace-North Ad"] {
                assert_eq!(names(db.store.search_people(&p.manager, text).unwrap()), vec!["Ada Lovelace-North"], "{text}");
            }
            for text in ["lovf", "ada", "Bob Lovelace-North", "", "   ", "%", "' OR 1=1 --", "zzzz"] {
                assert!(db.store.search_people(&p.manager, text).unwrap().is_empty(), "{text}");
            }
            // Another provider's manager, and intake, find no one here.
            let south = provider(&db.store, "South");
            assert_eq!(names(db.store.search_people(&south.manager, "love").unwrap()), vec!["Ada Lovelace-South"]);
            let intake = add_user(&db.store, p.manager.organisation_id, "intake-search@north.example", Role::IntakeWorker);
            assert!(matches!(db.store.search_people(&intake, "love"), Err(StoreError::NotFound)));
            // An advocate finds the people of their own cases only.
            assert!(db.store.search_people(&p.first, "love").unwrap().is_empty());
            let case = db.store.case_file(&p.manager, p.case_id).unwrap();
            db.store.allocate(&p.manager, p.case_id, case.case.version, p.first.user_id, None, None, chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()).unwrap();
            assert_eq!(names(db.store.search_people(&p.first, "love").unwrap()), vec!["Ada Lovelace-North"]);
            assert!(db.store.search_people(&p.second, "love").unwrap().is_empty());
            // A record restricted to named staff is found by them only.
            let other_manager = add_user(&db.store, p.manager.organisation_id, "manager2-search@north.example", Role::Manager);
            db.store.restrict_person(&p.manager, p.person_id, &[]).unwrap();
            assert!(db.store.search_people(&other_manager, "love").unwrap().is_empty());
            assert_eq!(db.store.search_people(&p.manager, "love").unwrap().len(), 1);
        }

        fn a_conflicted_advocate_cannot_be_allocated_by_any_path(db) {
            let p = provider(&db.store, "North");
            db.store.record_conflict(&p.manager, p.person_id, p.first.user_id, ConflictKind::Related, Some("Her cousin")).unwrap();
            let case = db.store.case_file(&p.manager, p.case_id).unwrap();
            let refused = db.store.allocate(&p.manager, p.case_id, case.case.version, p.first.user_id, None, Some("urgent"), chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap());
            match refused {
                Err(StoreError::Invalid(invalid)) => assert!(words(&invalid, "advocate").contains("conflict of interest")),
                other => panic!("expected the conflict block, got {other:?}"),
            }
            // Nothing changed: still waiting, no allocation.
            let after = db.store.case_file(&p.manager, p.case_id).unwrap();
            assert_eq!(after.case.status, case_status::WAITING);
            assert!(after.allocations.is_empty());
            db.store.allocate(&p.manager, p.case_id, case.case.version, p.second.user_id, None, None, chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()).unwrap();
            let after = db.store.case_file(&p.manager, p.case_id).unwrap();
            assert_eq!(after.case.advocate_id, Some(p.second.user_id));
            assert_eq!(after.case.status, case_status::ALLOCATED);
        }

        fn an_advocate_sees_only_their_own_cases_and_every_read_is_audited(db) {
            let p = provider(&db.store, "North");
            let other = provider(&db.store, "South");
            let case = db.store.case_file(&p.manager, p.case_id).unwrap();
            db.store.allocate(&p.manager, p.case_id, case.case.version, p.first.user_id, None, None, chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()).unwrap();
            assert!(db.store.case_file(&p.first, p.case_id).is_ok());
            assert!(matches!(db.store.case_file(&p.second, p.case_id), Err(StoreError::NotFound)));
            assert!(matches!(db.store.case_file(&other.manager, p.case_id), Err(StoreError::NotFound)));
            assert!(matches!(db.store.person_file(&p.second, p.person_id), Err(StoreError::NotFound)));
            assert!(db.store.person_file(&p.first, p.person_id).is_ok());
            assert!(matches!(db.store.record_contact(&p.second, p.case_id, &contact("yes")), Err(StoreError::NotFound)));
            assert_eq!(db.store.caseload(&p.first, None).unwrap().len(), 1);
            assert_eq!(db.store.caseload(&p.second, None).unwrap().len(), 0);
            let entries = db.store.search_audit(&p.manager, &AuditQuery {
                record_type: Some("case".into()),
                ..Default::default()
            }).unwrap();
            let case_id = p.case_id.to_string();
            assert!(entries.iter().any(|e| e.actor_user_id == Some(p.first.user_id) && e.action == AuditAction::Read.as_str() && e.record_id.as_deref() == Some(case_id.as_str())));
            assert!(entries.iter().any(|e| e.actor_user_id == Some(p.second.user_id) && e.action == AuditAction::Denied.as_str()));
        }

        fn reallocation_needs_a_reason_and_a_stale_version_is_refused(db) {
            let p = provider(&db.store, "North");
            db.store.allocate(&p.manager, p.case_id, 1, p.first.user_id, None, None, chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()).unwrap();
            assert!(matches!(db.store.allocate(&p.manager, p.case_id, 1, p.second.user_id, Some("leave"), Some("leave"), chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()), Err(StoreError::Conflict)));
            let no_reason = db.store.allocate(&p.manager, p.case_id, 2, p.second.user_id, None, Some("x"), chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap());
            assert!(matches!(no_reason, Err(StoreError::Invalid(ref i)) if i.message_for("reason").is_some()));
            db.store.allocate(&p.manager, p.case_id, 2, p.second.user_id, Some("Long-term leave"), Some("Only other IMHA advocate"), chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()).unwrap();
            let file = db.store.case_file(&p.manager, p.case_id).unwrap();
            assert_eq!(file.allocations.len(), 2);
            assert!(file.allocations[0].0.ended_at.is_some());
            assert!(file.allocations[1].0.ended_at.is_none());
            // The first advocate no longer sees the case.
            assert!(matches!(db.store.case_file(&p.first, p.case_id), Err(StoreError::NotFound)));
        }

        fn a_case_is_worked_and_closed_only_with_a_reason_for_open_tasks(db) {
            let p = provider(&db.store, "North");
            db.store.allocate(&p.manager, p.case_id, 1, p.first.user_id, None, None, chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()).unwrap();
            let a = &p.first;
            db.store.record_contact(a, p.case_id, &contact("no")).unwrap();
            let issue = db.store.add_issue(a, p.case_id, "I want to go home", Process::Tribunal).unwrap();
            let challenge = db.store.add_challenge(a, p.case_id, &NewChallenge {
                decision: "Leave refused".into(),
                decision_maker: "Responsible clinician".into(),
                raised_on: chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
                step: advocase_domain::casework::ChallengeStep::Informal,
                reply_due: None,
            }).unwrap();
            let file = db.store.case_file(a, p.case_id).unwrap();
            assert_eq!(file.open_tasks(), 2);
            assert_eq!(file.contacts[0].approach.as_deref(), Some("rights_based"));
            let closure = ClosureAnswers { reason: "completed".into(), self_advocacy: "more".into(), ..Default::default() }
                .parse(0)
                .unwrap();
            let refused = db.store.close_case(a, p.case_id, file.case.version, &closure);
            assert!(matches!(refused, Err(StoreError::Invalid(ref i)) if i.message_for("open_tasks_reason").is_some()));
            // A stale outcome form is refused, then the current one is accepted.
            assert!(matches!(db.store.record_outcome(a, p.case_id, issue, 9, OutcomeLevel::Achieved, None), Err(StoreError::Conflict)));
            db.store.record_outcome(a, p.case_id, issue, 1, OutcomeLevel::Achieved, Some("I am going home")).unwrap();
            db.store.add_challenge_step(a, p.case_id, challenge, 1, &NewChallengeStep {
                step: advocase_domain::casework::ChallengeStep::InWriting,
                taken_on: chrono::NaiveDate::from_ymd_opt(2026, 11, 21).unwrap(),
                outcome: Some("Leave granted".into()),
                reply_due: None,
                concluded: Some("Decision changed".into()),
            }).unwrap();
            let file = db.store.case_file(a, p.case_id).unwrap();
            assert_eq!(file.open_tasks(), 0);
            db.store.close_case(a, p.case_id, file.case.version, &closure).unwrap();
            let closed = db.store.case_file(a, p.case_id).unwrap();
            assert_eq!(closed.case.status, case_status::CLOSED);
            // A closed case takes no more contacts.
            assert!(matches!(db.store.record_contact(a, p.case_id, &contact("yes")), Err(StoreError::Invalid(_))));
            // The closed case leaves the advocate's caseload; a manager re-opens it to the same advocate.
            assert!(db.store.caseload(a, None).unwrap().is_empty());
            let today = closed.case.closed_at.unwrap().date();
            let reopened = db.store.reopen_case(&p.manager, p.case_id, 90, today).unwrap();
            let again = db.store.case_file(a, reopened).unwrap();
            assert_eq!(again.case.reopens_case_id, Some(p.case_id));
            assert_eq!(again.case.advocate_id, Some(a.user_id));
            assert!(matches!(db.store.reopen_case(&p.manager, p.case_id, 90, today), Err(StoreError::Invalid(_))));
            let late = today + chrono::Days::new(91);
            let other_case = provider(&db.store, "South");
            db.store.allocate(&other_case.manager, other_case.case_id, 1, other_case.first.user_id, None, None, chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()).unwrap();
            let file = db.store.case_file(&other_case.manager, other_case.case_id).unwrap();
            db.store.close_case(&other_case.manager, other_case.case_id, file.case.version, &closure).unwrap();
            assert!(matches!(db.store.reopen_case(&other_case.manager, other_case.case_id, 90, late), Err(StoreError::Invalid(_))));
        }

        fn notes_are_sealed_at_rest_and_still_read_after_key_rotation(db) {
            let p = provider(&db.store, "North");
            db.store.allocate(&p.manager, p.case_id, 1, p.first.user_id, None, None, chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()).unwrap();
            let a = &p.first;
            let note = "Marmalade-unique-note about her section 3 rights";
            let mut contact = contact("yes");
            contact.discussed = note.into();
            contact.agreed = Some("Agreed-unique-text".into());
            contact.present = Some("Present-unique-text".into());
            db.store.record_contact(a, p.case_id, &contact).unwrap();
            let issue = db.store.add_issue(a, p.case_id, "Issue-unique-words", Process::Review).unwrap();
            db.store.record_outcome(a, p.case_id, issue, 1, OutcomeLevel::Partly, Some("Outcome-unique-words")).unwrap();
            db.store.add_work(a, p.case_id, &advocase_storage::casework::NewWork {
                kind: advocase_domain::casework::WorkKind::ConcernsReport,
                description: "Work-unique-words".into(),
                due_on: None,
                minutes: Some(30),
            }).unwrap();
            let challenge = db.store.add_challenge(a, p.case_id, &NewChallenge {
                decision: "Decision-unique-words".into(),
                decision_maker: "The team".into(),
                raised_on: chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
                step: advocase_domain::casework::ChallengeStep::Informal,
                reply_due: None,
            }).unwrap();
            db.store.add_challenge_step(a, p.case_id, challenge, 1, &NewChallengeStep {
                step: advocase_domain::casework::ChallengeStep::InWriting,
                taken_on: chrono::NaiveDate::from_ymd_opt(2026, 11, 21).unwrap(),
                outcome: Some("Step-unique-words".into()),
                reply_due: None,
                concluded: Some("Result-unique-words".into()),
            }).unwrap();
            let words = [note, "Agreed-unique-text", "Present-unique-text", "Issue-unique-words", "Outcome-unique-words", "Work-unique-words", "Decision-unique-words", "Step-unique-words", "Result-unique-words"];
            // Every sealed column holds sealed text only.
            use advocase_storage::DbConnection;
            #[derive(diesel::QueryableByName)]
            struct Value {
                #[diesel(sql_type = diesel::sql_types::Text)]
                value: String,
            }
            let raw_values = |db: &TestDb| -> Vec<String> {
                let mut conn = DbConnection::establish(&db.url).unwrap();
                let mut all = Vec::new();
                for (table, column) in advocase_storage::rotation::SEALED_COLUMNS {
                    let rows: Vec<Value> = diesel::sql_query(format!("SELECT {column} AS value FROM {table} WHERE {column} IS NOT NULL"))
                        .load(&mut conn)
                        .unwrap();
                    all.extend(rows.into_iter().map(|r| r.value));
                }
                all
            };
            let before = raw_values(&db);
            assert!(before.len() >= words.len());
            for value in &before {
                assert!(value.starts_with("enc1:"), "a sealed column holds {value}");
                for word in words {
                    assert!(!value.contains(word));
                }
            }
            // On SQLite, not a byte of the database files holds the text.
            if db.url.ends_with(".sqlite3") {
                for suffix in ["", "-wal"] {
                    if let Ok(bytes) = std::fs::read(format!("{}{suffix}", db.url)) {
                        for word in words {
                            assert!(!bytes.windows(word.len()).any(|w| w == word.as_bytes()), "{word} in the database file");
                        }
                    }
                }
            }
            let file = db.store.case_file(a, p.case_id).unwrap();
            assert_eq!(file.contacts[0].discussed, note);
            assert_eq!(file.issues[0].outcome_in_their_words.as_deref(), Some("Outcome-unique-words"));
            // Rotation re-seals everything under a new key, documents included, and
            // everything still reads.
            let document = db.store.add_attachment(a, p.case_id, "letter.pdf", b"%PDF-1.4 Rotated-letter").unwrap();
            let old_key = db.store.keys().unwrap().current_id();
            let resealed = db.store.rotate_keys(&mut |_, _| {}).unwrap();
            // The document and its sealed file name.
            assert_eq!(resealed as usize, before.len() + 2);
            let (_, _, bytes) = db.store.attachment(a, document).unwrap();
            assert_eq!(bytes, b"%PDF-1.4 Rotated-letter");
            let new_key = db.store.keys().unwrap().current_id();
            assert_ne!(old_key, new_key);
            for value in raw_values(&db) {
                assert!(value.starts_with(&format!("enc1:{new_key}:")));
            }
            let file = db.store.case_file(a, p.case_id).unwrap();
            assert_eq!(file.contacts[0].discussed, note);
            assert_eq!(file.contacts[0].agreed.as_deref(), Some("Agreed-unique-text"));
            assert_eq!(file.challenges[0].0.result.as_deref(), Some("Result-unique-words"));
            assert_eq!(file.work[0].description, "Work-unique-words");
            // A store opened on the key file as rotation left it reads the notes too.
            let again = Store::open(&db.url, None).unwrap()
                .with_keys(advocase_storage::sealing::Keyring::open(&db.dir.join("advocase.keys")).unwrap());
            assert_eq!(again.case_file(a, p.case_id).unwrap().contacts[0].discussed, note);
            // A damaged value is reported in words, and the page's other notes still read.
            let mut conn = DbConnection::establish(&db.url).unwrap();
            diesel::sql_query("UPDATE case_issues SET in_their_words = 'enc1:zz:AAAA'").execute(&mut conn).unwrap();
            let file = db.store.case_file(a, p.case_id).unwrap();
            assert_eq!(file.issues[0].in_their_words, advocase_storage::sealing::UNREADABLE);
            assert_eq!(file.contacts[0].discussed, note);
        }

        fn text_an_earlier_version_kept_in_the_clear_is_sealed_once(db) {
            use advocase_storage::DbConnection;
            let p = provider(&db.store, "North");
            // A referral written before its free text was sealed.
            tamper(&db, "UPDATE referrals SET what_is_happening = 'Plain-unique-words', consent_note = 'Plain-note'");
            #[derive(diesel::QueryableByName)]
            struct Row {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                id: i64,
                #[diesel(sql_type = diesel::sql_types::Text)]
                what_is_happening: String,
            }
            let rows = || -> Vec<Row> {
                let mut conn = DbConnection::establish(&db.url).unwrap();
                diesel::sql_query("SELECT id, what_is_happening FROM referrals").load(&mut conn).unwrap()
            };
            assert!(db.store.seal_values_kept_in_the_clear().unwrap() >= 2);
            let sealed = rows();
            assert!(sealed.iter().all(|r| r.what_is_happening.starts_with("enc1:")));
            let referral = db.store.find_referral(&p.manager, sealed[0].id).unwrap();
            assert_eq!(referral.what_is_happening, "Plain-unique-words");
            assert_eq!(referral.consent_note.as_deref(), Some("Plain-note"));
            // Each column is looked at once per database: a later start reads no table.
            tamper(&db, "UPDATE referrals SET what_is_happening = 'Plain-again'");
            assert_eq!(db.store.seal_values_kept_in_the_clear().unwrap(), 0);
            // The check at start-up takes only sealed values as samples of the key.
            assert!(db.store.sealed_samples().unwrap().iter().all(|(_, v)| v.starts_with("enc1:")));
        }

        fn a_stale_edit_of_a_person_is_refused_not_overwritten(db) {
            let p = provider(&db.store, "North");
            let file = db.store.person_file(&p.manager, p.person_id).unwrap();
            let mut details = advocase_storage::casework::PersonDetails::of(&file.person);
            details.communication_needs = Some("Uses Makaton".into());
            db.store.update_person(&p.manager, p.person_id, file.person.version, &details).unwrap();
            details.communication_needs = Some("Something else".into());
            assert!(matches!(db.store.update_person(&p.manager, p.person_id, file.person.version, &details), Err(StoreError::Conflict)));
            let now = db.store.current_person(&p.manager, p.person_id).unwrap();
            assert_eq!(now.communication_needs.as_deref(), Some("Uses Makaton"));
        }
    }
}

mod confidentiality_storage {
    use super::casework_storage::{contact, provider};
    use super::*;
    use advocase_domain::confidentiality::{
        BreachAnswers, ConsentAnswers, ConsentScope, LawfulBasis, Requester, SharingRefusal,
        ViewReason,
    };
    use advocase_storage::confidentiality::ReasonTarget;
    use chrono::NaiveDate;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// A second manager of the same provider, who has given no reasons yet.
    fn another_manager(store: &Store, p: &super::casework_storage::Provider, email: &str) -> Actor {
        add_user(store, p.manager.organisation_id, email, Role::Manager)
    }

    fn allocate_first(store: &Store, p: &super::casework_storage::Provider) {
        let case = store.case_file(&p.manager, p.case_id).unwrap();
        store
            .allocate(
                &p.manager,
                p.case_id,
                case.case.version,
                p.first.user_id,
                None,
                None,
                chrono::Utc::now().date_naive(),
            )
            .unwrap();
    }

    on_both_backends! {
        fn a_manager_gives_a_reason_before_first_opening_a_case_and_the_advocate_never_does(db) {
            let p = provider(&db.store, "North");
            allocate_first(&db.store, &p);
            let other = another_manager(&db.store, &p, "other@north.example");
            assert!(matches!(db.store.case_file(&other, p.case_id), Err(StoreError::ReasonNeeded)));
            assert!(matches!(db.store.person_file(&other, p.person_id), Err(StoreError::ReasonNeeded)));
            // A case of another provider is not found, never "reason needed".
            let south = provider(&db.store, "South");
            assert!(matches!(db.store.case_file(&other, south.case_id), Err(StoreError::NotFound)));
            assert!(matches!(
                db.store.give_view_reason(&other, ReasonTarget::Case(south.case_id), ViewReason::Supervision, None),
                Err(StoreError::NotFound)
            ));
            db.store.give_view_reason(&other, ReasonTarget::Person(p.person_id), ViewReason::Supervision, Some("Monthly file check")).unwrap();
            assert!(db.store.case_file(&other, p.case_id).is_ok());
            assert!(db.store.person_file(&other, p.person_id).is_ok());
            // The allocated advocate opens the case without being asked.
            assert!(db.store.case_file(&p.first, p.case_id).is_ok());
            let entries = db.store.search_audit(&admin_of(&db.store, &p), &AuditQuery {
                record_type: Some("case_view_reason".into()),
                ..Default::default()
            }).unwrap();
            assert_eq!(entries.len(), 2, "one reason for the setup, one for the second manager");
        }

        fn break_glass_opens_a_case_for_a_few_hours_and_is_flagged_to_managers(db) {
            let p = provider(&db.store, "North");
            allocate_first(&db.store, &p);
            assert!(matches!(db.store.case_file(&p.second, p.case_id), Err(StoreError::NotFound)));
            // Another provider's case number is refused as if it did not exist.
            let south = provider(&db.store, "South");
            match db.store.open_break_glass(&p.second, south.case_id, "Urgent", 4) {
                Err(StoreError::Invalid(invalid)) => assert!(invalid.message_for("case_number").is_some()),
                other => panic!("expected a refusal, got {other:?}"),
            }
            db.store.open_break_glass(&p.second, p.case_id, "First advocate off sick; tribunal tomorrow", 4).unwrap();
            let file = db.store.case_file(&p.second, p.case_id).unwrap();
            assert_eq!(file.case.id, p.case_id);
            // The emergency case is not added to the second advocate's caseload.
            assert!(db.store.caseload(&p.second, None).unwrap().is_empty());
            let to_review = db.store.break_glass_to_review(&p.manager).unwrap();
            assert_eq!(to_review.len(), 1);
            assert_eq!(to_review[0].record.reason, "First advocate off sick; tribunal tomorrow");
            assert!(matches!(db.store.break_glass_to_review(&p.second), Err(StoreError::NotFound)));
            db.store.review_break_glass(&p.manager, to_review[0].record.id).unwrap();
            assert!(db.store.break_glass_to_review(&p.manager).unwrap().is_empty());
            // An access that has run out opens nothing.
            let third = add_user(&db.store, p.manager.organisation_id, "third@north.example", Role::Advocate);
            db.store.open_break_glass(&third, p.case_id, "Cover", 0).unwrap();
            assert!(matches!(db.store.case_file(&third, p.case_id), Err(StoreError::NotFound)));
        }

        fn a_restricted_record_is_hidden_from_everyone_not_named(db) {
            let p = provider(&db.store, "North");
            allocate_first(&db.store, &p);
            let other = another_manager(&db.store, &p, "other@north.example");
            db.store.give_view_reason(&other, ReasonTarget::Case(p.case_id), ViewReason::Supervision, None).unwrap();
            db.store.restrict_person(&p.manager, p.person_id, &[p.first.user_id]).unwrap();
            // The restricting manager and the named advocate still see it.
            assert!(db.store.person_file(&p.manager, p.person_id).is_ok());
            assert!(db.store.case_file(&p.first, p.case_id).is_ok());
            let file = db.store.person_file(&p.manager, p.person_id).unwrap();
            assert_eq!(file.confidentiality.restricted_to.len(), 2);
            // Another manager of the same provider sees nothing, anywhere.
            assert!(matches!(db.store.case_file(&other, p.case_id), Err(StoreError::NotFound)));
            assert!(matches!(db.store.person_file(&other, p.person_id), Err(StoreError::NotFound)));
            assert!(db.store.caseload(&other, None).unwrap().iter().all(|row| row.case.id != p.case_id));
            // Nor can an advocate break the glass on it.
            assert!(matches!(db.store.open_break_glass(&p.second, p.case_id, "Urgent", 4), Err(StoreError::Invalid(_))));
            // Nor can a stranger be named.
            let south = provider(&db.store, "South");
            assert!(matches!(db.store.restrict_person(&p.manager, p.person_id, &[south.first.user_id]), Err(StoreError::Invalid(_))));
            db.store.lift_restriction(&p.manager, p.person_id).unwrap();
            assert!(db.store.case_file(&other, p.case_id).is_ok());
        }

        fn sharing_is_checked_against_consents_and_refusals_say_why(db) {
            let p = provider(&db.store, "North");
            let today = day(2026, 11, 22);
            assert_eq!(
                db.store.check_share(&p.manager, p.person_id, ConsentScope::CaseSummary, "GP", today).unwrap(),
                Err(SharingRefusal::NothingRecorded)
            );
            let consent = ConsentAnswers {
                scope: "case_summary".into(),
                recipient: "GP".into(),
                basis: "consent".into(),
                given_how: "written".into(),
                given_on: "1/11/2026".into(),
                note: "Consent-note-unique".into(),
                ..Default::default()
            }.parse(today).unwrap();
            let id = db.store.add_consent(&p.manager, p.person_id, &consent).unwrap();
            assert_eq!(
                db.store.check_share(&p.manager, p.person_id, ConsentScope::CaseSummary, "gp", today).unwrap(),
                Ok(LawfulBasis::Consent)
            );
            db.store.withdraw_consent(&p.manager, id, day(2026, 11, 20)).unwrap();
            assert_eq!(
                db.store.check_share(&p.manager, p.person_id, ConsentScope::CaseSummary, "GP", today).unwrap(),
                Err(SharingRefusal::Withdrawn(day(2026, 11, 20)))
            );
            // An advocate of another case cannot record or check anything about this person.
            assert!(matches!(db.store.add_consent(&p.second, p.person_id, &consent), Err(StoreError::NotFound)));
            let file = db.store.person_file(&p.manager, p.person_id).unwrap();
            assert_eq!(file.confidentiality.consents[0].note.as_deref(), Some("Consent-note-unique"));
        }

        fn breaches_are_recorded_sealed_and_listed_for_managers_only(db) {
            let p = provider(&db.store, "North");
            allocate_first(&db.store, &p);
            let breach = BreachAnswers {
                decided_on: "20/11/2026".into(),
                ground: "risk_to_others".into(),
                why: "Breach-why-unique".into(),
                decided_by: "Service manager".into(),
                who_was_told: "Police".into(),
                person_told: "no".into(),
                not_told_why: "Would increase the risk".into(),
            }.parse(day(2026, 11, 22)).unwrap();
            db.store.record_breach(&p.first, p.person_id, Some(p.case_id), &breach).unwrap();
            let listed = db.store.breaches(&p.manager).unwrap();
            assert_eq!(listed.len(), 1);
            assert_eq!(listed[0].record.why, "Breach-why-unique");
            assert!(listed[0].person_name.starts_with("Ada "));
            assert!(matches!(db.store.breaches(&p.first), Err(StoreError::NotFound)));
            // Another provider's manager sees none of it.
            let south = provider(&db.store, "South");
            assert!(db.store.breaches(&south.manager).unwrap().is_empty());
            assert!(matches!(db.store.record_breach(&south.manager, p.person_id, None, &breach), Err(StoreError::NotFound)));
        }

        fn a_subject_access_export_holds_everything_about_the_person_and_nothing_else(db) {
            let p = provider(&db.store, "North");
            allocate_first(&db.store, &p);
            let mut visit = contact("yes");
            visit.discussed = "Export-discussed-unique".into();
            visit.present = Some("Third-party-name-unique".into());
            db.store.record_contact(&p.first, p.case_id, &visit).unwrap();
            // Someone else at the same provider, whose records must not appear.
            let other = provider(&db.store, "North2");
            let mut theirs = contact("yes");
            theirs.discussed = "Other-person-unique".into();
            db.store.give_view_reason(&p.manager, ReasonTarget::Case(other.case_id), ViewReason::Allocation, None).ok();
            // What the referrer said about the person is theirs to see; the referrer's
            // own name is not.
            let keys = db.store.keys().unwrap();
            for (person, words) in [(p.person_id, "Referral-words-unique"), (other.person_id, "Other-referral-unique")] {
                tamper(&db, &format!(
                    "UPDATE referrals SET what_is_happening = '{}', referrer_name = 'Referrer-name-unique' WHERE person_id = {person}",
                    keys.seal("referrals.what_is_happening", words)
                ));
            }
            let request = db.store.record_subject_access(&p.manager, p.person_id, day(2026, 11, 2), Requester::Person, day(2026, 12, 2)).unwrap();
            assert_eq!(db.store.open_subject_access_requests(&p.manager).unwrap().len(), 1);
            let export = db.store.subject_access_export(&p.manager, p.person_id).unwrap();
            let json = serde_json::to_string(&export).unwrap();
            assert!(json.contains("Export-discussed-unique"));
            assert!(json.contains("Lovelace-North"));
            assert!(!json.contains("Third-party-name-unique"), "who else was present is a third party's data");
            assert!(!json.contains("Other-person-unique"));
            assert!(!json.contains("Lovelace-North2"));
            assert_eq!(export.referrals.len(), 1);
            assert_eq!(export.referrals[0].what_is_happening, "Referral-words-unique");
            assert!(!json.contains("Other-referral-unique"));
            assert!(!json.contains("Referrer-name-unique"), "the referrer's name is their own data");
            assert!(export.access_log.iter().any(|e| e.action == "read"));
            assert!(matches!(db.store.subject_access_export(&p.first, p.person_id), Err(StoreError::NotFound)));
            match db.store.answer_subject_access(&p.manager, request, day(2026, 11, 1)) {
                Err(StoreError::Invalid(invalid)) => assert!(invalid.message_for("answered_on").is_some()),
                other => panic!("expected a refusal, got {other:?}"),
            }
            db.store.answer_subject_access(&p.manager, request, day(2026, 11, 22)).unwrap();
            assert!(db.store.open_subject_access_requests(&p.manager).unwrap().is_empty());
        }

        fn a_document_and_its_record_are_saved_together_in_the_database(db) {
            let p = provider(&db.store, "Kept");
            allocate_first(&db.store, &p);
            let letter = b"%PDF-1.4 Kept-letter-unique";
            // Refused by the case's rule: neither the record nor its bytes are written.
            assert!(matches!(db.store.add_attachment(&p.second, p.case_id, "kept.pdf", letter), Err(StoreError::NotFound)));
            assert!(db.stored_documents().is_empty());
            let document = db.store.add_attachment(&p.first, p.case_id, "kept.pdf", letter).unwrap();
            let stored = db.stored_documents();
            assert_eq!(stored.len(), 1);
            assert!(!stored[0].windows(4).any(|b| b == b"%PDF"));
            assert!(!stored[0].windows(11).any(|b| b == b"Kept-letter"));
            // Nothing is kept beside the database.
            assert!(!db.store.attachments_dir().unwrap().exists());
            // Sealed bytes moved into another document's row do not open.
            let other = db.store.add_attachment(&p.first, p.case_id, "other.pdf", b"%PDF-1.4 other").unwrap();
            tamper(&db, &format!(
                "UPDATE documents SET sealed = (SELECT sealed FROM documents d JOIN attachments a ON a.stored_as = d.stored_as WHERE a.id = {document}) \
                 WHERE stored_as = (SELECT stored_as FROM attachments WHERE id = {other})"
            ));
            assert!(matches!(db.store.attachment(&p.first, other), Err(StoreError::Data(_))));
            assert_eq!(db.store.attachment(&p.first, document).unwrap().2, letter);
        }

        fn documents_kept_as_files_by_an_earlier_version_move_into_the_database(db) {
            let p = provider(&db.store, "Moved");
            allocate_first(&db.store, &p);
            let letter = b"%PDF-1.4 Moved-letter";
            let document = db.store.add_attachment(&p.first, p.case_id, "moved.pdf", letter).unwrap();
            // The data folder as an earlier version left it: the sealed document in a
            // file named as its row names it, nothing in the table, and a file that no
            // row names (a crash between sealing a file and writing its row).
            #[derive(diesel::QueryableByName)]
            struct Name {
                #[diesel(sql_type = diesel::sql_types::Text)]
                stored_as: String,
            }
            let mut conn = advocase_storage::DbConnection::establish(&db.url).unwrap();
            let name = diesel::sql_query("SELECT stored_as FROM attachments").load::<Name>(&mut conn).unwrap().remove(0).stored_as;
            tamper(&db, "DELETE FROM documents");
            let dir = db.store.attachments_dir().unwrap();
            std::fs::create_dir_all(&dir).unwrap();
            let keys = db.store.keys().unwrap();
            keys.seal_from(&letter[..], &dir.join(&name)).unwrap();
            keys.seal_from(&b"%PDF-1.4 orphan"[..], &dir.join("00ff")).unwrap();
            assert!(db.store.attachment(&p.first, document).is_err());
            assert_eq!(db.store.move_documents_into_database().unwrap(), 1);
            assert_eq!(db.store.attachment(&p.first, document).unwrap().2, letter);
            assert_eq!(db.stored_documents().len(), 1);
            assert!(!dir.exists(), "the folder is gone once empty");
            // The next start finds nothing to move.
            assert_eq!(db.store.move_documents_into_database().unwrap(), 0);
        }

        fn retention_destroys_exactly_the_people_past_their_period_and_not_held(db) {
            // Three people: last activity 7 years and 1 day ago (destroyed), 7 years less
            // a day ago (kept), and 8 years ago under a legal hold (kept).
            let today = day(2026, 11, 22);
            let gone = provider(&db.store, "Gone");
            let kept = provider(&db.store, "Kept");
            let held = provider(&db.store, "Held");
            let mut note = contact("yes");
            note.discussed = "Gone-note-unique".into();
            allocate_first(&db.store, &gone);
            db.store.record_contact(&gone.first, gone.case_id, &note).unwrap();
            db.store.add_attachment(&gone.first, gone.case_id, "Gone-letter.pdf", b"%PDF-1.4 Gone-letter").unwrap();
            assert_eq!(db.stored_documents().len(), 1);
            let consent = ConsentAnswers {
                scope: "case_summary".into(), recipient: "GP".into(), basis: "consent".into(),
                given_how: "verbal".into(), given_on: "1/11/2019".into(), ..Default::default()
            }.parse(today).unwrap();
            db.store.add_consent(&gone.manager, gone.person_id, &consent).unwrap();
            for (p, when) in [(&gone, "2019-11-21"), (&kept, "2019-11-23"), (&held, "2018-11-22")] {
                tamper(&db, &format!("UPDATE contacts SET occurred_at = '{when} 10:00:00' WHERE case_id = {}", p.case_id));
                tamper(&db, &format!("UPDATE cases SET status = 'closed', opened_at = '{when} 09:00:00', closed_at = '{when} 11:00:00' WHERE id = {}", p.case_id));
                tamper(&db, &format!("UPDATE people SET created_at = '{when} 08:00:00' WHERE id = {}", p.person_id));
            }
            // Gone had their own sign-in and asked for a correction: both go too.
            let expires = chrono::Utc::now().naive_utc() + chrono::Duration::days(1);
            let email = advocase_domain::identity::EmailAddress::parse("email", "gone@example.org").unwrap();
            let account = db.store.invite_person(&gone.manager, gone.person_id, &email, "gone-link", expires).unwrap();
            let person_actor = Actor { user_id: account, organisation_id: gone.manager.organisation_id, role: Role::Person, address: None };
            let correction = db.store.ask_correction(&person_actor, "Gone-correction-unique", None).unwrap();
            // A correction waiting for an answer keeps the record; answered, it does not.
            assert!(db.store.retention_review(&gone.manager, today, 7).unwrap().is_empty());
            db.store.answer_correction(&gone.manager, correction, false, "It was right").unwrap();
            db.store.place_legal_hold(&held.manager, held.person_id, "Court proceedings").unwrap();
            // Each provider's manager sees only their own candidates.
            let listed = db.store.retention_review(&gone.manager, today, 7).unwrap();
            assert_eq!(listed.iter().map(|c| c.person_id).collect::<Vec<_>>(), vec![gone.person_id]);
            assert!(db.store.retention_review(&kept.manager, today, 7).unwrap().is_empty());
            let held_list = db.store.retention_review(&held.manager, today, 7).unwrap();
            assert_eq!(held_list.len(), 1);
            assert_eq!(held_list[0].held.as_deref(), Some("Court proceedings"));
            // The daily check counts the same people for each provider's home page, and
            // destroys nothing.
            let check = |manager: &Actor| {
                let found = db.store.retention_check(manager).unwrap().unwrap();
                (found.people_due, found.people_held)
            };
            assert!(db.store.retention_check(&gone.manager).unwrap().is_none(), "not yet run");
            assert!(db.store.check_retention(today, 7).unwrap() >= 3);
            assert_eq!(check(&gone.manager), (1, 0));
            assert_eq!(check(&kept.manager), (0, 0));
            assert_eq!(check(&held.manager), (0, 1));
            assert!(matches!(db.store.retention_check(&gone.first), Err(StoreError::NotFound)));
            assert!(db.store.person_file(&gone.manager, gone.person_id).is_ok());
            // An advocate cannot destroy; a manager cannot destroy another provider's
            // people, nor a held or kept person even when named.
            assert!(matches!(db.store.destroy_people(&gone.first, &[gone.person_id], today, 7), Err(StoreError::NotFound)));
            assert_eq!(db.store.destroy_people(&kept.manager, &[gone.person_id, kept.person_id], today, 7).unwrap(), 0);
            assert_eq!(db.store.destroy_people(&held.manager, &[held.person_id], today, 7).unwrap(), 0);
            assert_eq!(db.store.destroy_people(&gone.manager, &[gone.person_id], today, 7).unwrap(), 1);
            assert_eq!(check(&gone.manager), (0, 0), "a destruction brings the count up to date");
            assert!(matches!(db.store.person_file(&gone.manager, gone.person_id), Err(StoreError::NotFound)));
            assert!(db.store.person_file(&kept.manager, kept.person_id).is_ok());
            assert!(db.store.person_file(&held.manager, held.person_id).is_ok());
            let log = db.store.destructions(&gone.manager).unwrap();
            assert_eq!(log.len(), 1);
            assert!(log[0].counts.contains("\"contacts\":1"));
            assert!(!log[0].counts.contains("Lovelace"));
            // The audit trail still verifies.
            assert!(db.store.verify_audit().unwrap().is_ok());
            // No table holds the name any more; on SQLite, no byte of the files does.
            let export = {
                let mut out = Vec::new();
                db.store.export(&mut out, &mut |_, _| {}).unwrap();
                String::from_utf8(out).unwrap()
            };
            assert!(!export.contains("Lovelace-Gone"));
            assert!(!export.contains("gone@example.org"));
            assert!(db.store.user_by_id(account).unwrap().is_none());
            assert!(db.stored_documents().is_empty(), "the sealed document is gone too");
            assert!(export.contains("Lovelace-Kept"));
            if db.url.ends_with(".sqlite3") {
                for suffix in ["", "-wal"] {
                    if let Ok(bytes) = std::fs::read(format!("{}{suffix}", db.url)) {
                        for word in ["Lovelace-Gone", "Gone-note-unique", "gone@example.org"] {
                            assert!(!bytes.windows(word.len()).any(|w| w == word.as_bytes()), "{word} in the database file{suffix}");
                        }
                    }
                }
            }
        }

        fn a_person_reads_exactly_their_own_records(db) {
            let p = provider(&db.store, "North");
            let other = provider(&db.store, "North2");
            let expires = chrono::Utc::now().naive_utc() + chrono::Duration::days(1);
            let email = advocase_domain::identity::EmailAddress::parse("email", "ada@example.org").unwrap();
            // Only staff who may see the person invite them.
            assert!(matches!(db.store.invite_person(&p.second, p.person_id, &email, "l1", expires), Err(StoreError::NotFound)));
            let account = db.store.invite_person(&p.manager, p.person_id, &email, "l2", expires).unwrap();
            let me = Actor { user_id: account, organisation_id: p.manager.organisation_id, role: Role::Person, address: None };
            let own = db.store.own_records(&me).unwrap();
            assert!(own.export.person.family_name.ends_with("North"));
            assert_eq!(own.export.cases.len(), 1);
            assert_eq!(own.export.cases[0].case_number, p.case_id);
            assert_ne!(own.export.cases[0].case_number, other.case_id);
            // The case rules give a person's account nothing of anyone's.
            assert!(matches!(db.store.case_file(&me, p.case_id), Err(StoreError::NotFound)));
            assert!(matches!(db.store.person_file(&me, p.person_id), Err(StoreError::NotFound)));
            // Staff have no own records.
            assert!(matches!(db.store.own_records(&p.manager), Err(StoreError::NotFound)));
            let id = db.store.ask_correction(&me, "Correction-unique", Some("Should say this")).unwrap();
            assert_eq!(db.store.corrections(&p.manager, p.person_id).unwrap()[0].what_is_wrong, "Correction-unique");
            assert!(matches!(db.store.answer_correction(&other.manager, id, true, "x"), Err(StoreError::NotFound)));
            db.store.answer_correction(&p.manager, id, false, "It was right").unwrap();
            assert!(matches!(db.store.answer_correction(&p.manager, id, true, "again"), Err(StoreError::Conflict)));
            assert_eq!(db.store.own_records(&me).unwrap().corrections[0].answer.as_deref(), Some("It was right"));
        }
    }

    fn admin_of(store: &Store, p: &super::casework_storage::Provider) -> Actor {
        add_user(
            store,
            p.manager.organisation_id,
            "auditor@north.example",
            Role::Administrator,
        )
    }
}

mod workforce_storage {
    use super::*;
    use advocase_domain::casework::rank;
    use advocase_domain::workforce::{
        AllocationRule, ProfileAnswers, QualificationAnswers, QualificationStatus,
        SupervisionAnswers, TrainingAnswers, Unit,
    };
    use advocase_storage::workforce::QualificationChange;
    use casework_storage::provider;

    fn today() -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    fn imha_rule() -> AllocationRule {
        AllocationRule {
            units: vec![Unit::Imha],
            minimum: QualificationStatus::WorkingTowards,
            grace_months: 0,
        }
    }

    fn unit_405(status: &str) -> advocase_domain::workforce::Qualification {
        QualificationAnswers {
            unit: "405".into(),
            status: status.into(),
            started_on: "2026-09-01".into(),
            ..Default::default()
        }
        .parse(today())
        .unwrap()
    }

    /// Everything the workforce tables hold, for the export and import tests.
    pub(super) fn populate_workforce(store: &Store, admin: &Actor, advocate: &Actor) {
        let manager = add_user(
            store,
            admin.organisation_id,
            "manager@north.example",
            Role::Manager,
        );
        let profile = ProfileAnswers {
            started_on: "2026-01-05".into(),
            employment: "employed".into(),
            roles: vec!["peer".into()],
            supervision_months: "1".into(),
            group_supervision_months: "2".into(),
            supervisor: manager.user_id.to_string(),
            ..Default::default()
        }
        .parse(&[manager.user_id])
        .unwrap();
        store
            .set_profile(&manager, advocate.user_id, &profile, 0)
            .unwrap();
        let qualification = store
            .save_qualification(
                &manager,
                advocate.user_id,
                None,
                &unit_405("working_towards"),
                false,
                today(),
            )
            .unwrap();
        store
            .add_qualification_evidence(
                advocate,
                advocate.user_id,
                qualification,
                "certificate.pdf",
                b"%PDF-1.4 certificate",
            )
            .unwrap();
        store
            .set_allocation_rule(&manager, "imha", Some(&imha_rule()))
            .unwrap();
        let training = TrainingAnswers {
            kind: "safeguarding".into(),
            completed_on: "2026-02-01".into(),
            renew_months: "12".into(),
            ..Default::default()
        };
        store
            .add_training(
                &manager,
                advocate.user_id,
                &training.parse(today()).unwrap(),
            )
            .unwrap();
        let meeting = SupervisionAnswers {
            kind: "individual".into(),
            held_on: "2026-11-01".into(),
            supervisor: manager.user_id.to_string(),
            notes: "Caseload and wellbeing".into(),
            ..Default::default()
        };
        store
            .add_supervision(
                &manager,
                advocate.user_id,
                &meeting.parse(today(), &[manager.user_id]).unwrap(),
            )
            .unwrap();
        store
            .set_own_equality(advocate, &[("sex", "female".to_string())])
            .unwrap();
    }

    on_both_backends! {
        fn an_advocate_short_of_the_imha_rule_is_offered_once_405_is_in_progress(db) {
            let p = provider(&db.store, "North");
            db.store.set_allocation_rule(&p.manager, "imha", Some(&imha_rule())).unwrap();
            let case = db.store.case_file(&p.manager, p.case_id).unwrap().case;
            let (candidates, needs) = db.store.allocation_candidates(&p.manager, &case).unwrap();
            assert_eq!(needs.rule, Some(imha_rule()));
            assert!(rank(&candidates, &needs, today()).iter().all(|s| !s.offered));
            // Storage refuses it too, whatever the form showed.
            match db.store.allocate(&p.manager, p.case_id, case.version, p.first.user_id, None, None, today()) {
                Err(StoreError::Invalid(invalid)) => assert!(words(&invalid, "advocate").contains("unit 405 is not started")),
                other => panic!("expected a refusal, got {other:?}"),
            }
            db.store.save_qualification(&p.manager, p.first.user_id, None, &unit_405("working_towards"), false, today()).unwrap();
            let (candidates, needs) = db.store.allocation_candidates(&p.manager, &case).unwrap();
            let ranked = rank(&candidates, &needs, today());
            assert_eq!(ranked[0].user_id, p.first.user_id);
            assert!(ranked[0].offered);
            db.store.allocate(&p.manager, p.case_id, case.version, p.first.user_id, None, None, today()).unwrap();
            // Removing the rule offers everyone set up for the duty again.
            db.store.set_allocation_rule(&p.manager, "imha", None).unwrap();
            assert!(db.store.allocation_rules(&p.manager).unwrap().is_empty());
        }

        fn downgrading_a_qualification_a_current_allocation_relies_on_needs_confirmation(db) {
            let p = provider(&db.store, "North");
            db.store.set_allocation_rule(&p.manager, "imha", Some(&imha_rule())).unwrap();
            let id = db.store.save_qualification(&p.manager, p.first.user_id, None, &unit_405("working_towards"), false, today()).unwrap();
            db.store.allocate(&p.manager, p.case_id, 1, p.first.user_id, None, None, today()).unwrap();
            let downgrade = unit_405("not_started");
            let change = QualificationChange::Save { id: Some(id), qualification: downgrade.clone() };
            let relying = db.store.relying_cases(&p.manager, p.first.user_id, &change, today()).unwrap();
            assert_eq!(relying.len(), 1);
            assert_eq!(relying[0].case_id, p.case_id);
            assert!(relying[0].person_name.as_deref().unwrap().starts_with("Ada "));
            // Once the record is restricted, another manager learns only the case number.
            db.store.restrict_person(&p.manager, p.person_id, &[p.first.user_id]).unwrap();
            let colleague = add_user(&db.store, p.manager.organisation_id, "manager2@north.example", Role::Manager);
            let seen = db.store.relying_cases(&colleague, p.first.user_id, &change, today()).unwrap();
            assert_eq!((seen[0].case_id, seen[0].person_name.as_deref()), (p.case_id, None));
            assert!(db.store.relying_cases(&p.manager, p.first.user_id, &change, today()).unwrap()[0].person_name.is_some());
            match db.store.save_qualification(&p.manager, p.first.user_id, Some((id, 1)), &downgrade, false, today()) {
                Err(StoreError::Invalid(invalid)) => assert!(words(&invalid, "confirm").contains(&format!("case {}", p.case_id))),
                other => panic!("expected a request to confirm, got {other:?}"),
            }
            let removal = db.store.remove_qualification(&p.manager, p.first.user_id, id, false, today());
            assert!(matches!(removal, Err(StoreError::Invalid(_))));
            // Confirmed, the change goes ahead; a stale version is refused.
            db.store.save_qualification(&p.manager, p.first.user_id, Some((id, 1)), &downgrade, true, today()).unwrap();
            assert!(matches!(
                db.store.save_qualification(&p.manager, p.first.user_id, Some((id, 1)), &unit_405("working_towards"), true, today()),
                Err(StoreError::Conflict)
            ));
            // Nothing relies on a unit that is no longer counted.
            db.store.remove_qualification(&p.manager, p.first.user_id, id, false, today()).unwrap();
            assert!(db.store.staff_file(&p.manager, p.first.user_id).unwrap().qualifications.is_empty());
        }

        fn supervision_notes_are_sealed_and_read_only_by_the_supervisee_and_the_supervisor(db) {
            let p = provider(&db.store, "North");
            let supervisor = add_user(&db.store, p.manager.organisation_id, "supervisor@north.example", Role::Manager);
            let meeting = SupervisionAnswers {
                kind: "individual".into(),
                held_on: "2026-11-20".into(),
                supervisor: supervisor.user_id.to_string(),
                notes: "Supervision-unique-notes".into(),
                ..Default::default()
            };
            db.store.add_supervision(&p.manager, p.first.user_id, &meeting.parse(today(), &[supervisor.user_id]).unwrap()).unwrap();
            let notes = |actor: &Actor| db.store.staff_file(actor, p.first.user_id).unwrap().supervisions[0].record.notes.clone();
            assert_eq!(notes(&p.first).as_deref(), Some("Supervision-unique-notes"));
            assert_eq!(notes(&supervisor).as_deref(), Some("Supervision-unique-notes"));
            // Another manager sees the meeting happened, not what was said.
            let seen = db.store.staff_file(&p.manager, p.first.user_id).unwrap();
            assert_eq!(seen.supervisions.len(), 1);
            assert!(!seen.supervisions[0].may_read_notes);
            assert_eq!(seen.supervisions[0].record.notes, None);
            use advocase_storage::DbConnection;
            #[derive(diesel::QueryableByName)]
            struct Value {
                #[diesel(sql_type = diesel::sql_types::Text)]
                notes: String,
            }
            let mut conn = DbConnection::establish(&db.url).unwrap();
            let raw: Vec<Value> = diesel::sql_query("SELECT notes FROM supervisions").load(&mut conn).unwrap();
            assert!(raw[0].notes.starts_with("enc1:"));
            assert!(!raw[0].notes.contains("Supervision-unique-notes"));
            // The notes' column is rotated with the rest.
            assert!(advocase_storage::rotation::SEALED_COLUMNS.contains(&("supervisions", "notes")));
        }

        fn staff_files_are_seen_by_the_person_and_their_providers_managers_only(db) {
            let p = provider(&db.store, "North");
            let south = provider(&db.store, "South");
            let org = p.manager.organisation_id;
            let intake = add_user(&db.store, org, "intake2@north.example", Role::IntakeWorker);
            let commissioner_org = db.store.create_organisation(OrganisationKind::Commissioner, "Council").unwrap();
            let commissioner = add_user(&db.store, commissioner_org, "officer@council.example", Role::Commissioner);
            assert!(db.store.staff_file(&p.first, p.first.user_id).is_ok());
            assert!(db.store.staff_file(&p.manager, p.first.user_id).is_ok());
            for (actor, id) in [
                (&p.first, p.second.user_id),
                (&south.manager, p.first.user_id),
                (&intake, p.first.user_id),
                (&commissioner, p.first.user_id),
            ] {
                assert!(matches!(db.store.staff_file(actor, id), Err(StoreError::NotFound)));
            }
            assert!(matches!(db.store.workforce(&p.first), Err(StoreError::NotFound)));
            assert!(matches!(db.store.save_qualification(&p.first, p.first.user_id, None, &unit_405("working_towards"), false, today()), Err(StoreError::NotFound)));
            assert!(matches!(db.store.save_qualification(&south.manager, p.first.user_id, None, &unit_405("working_towards"), false, today()), Err(StoreError::NotFound)));
            let names: Vec<String> = db.store.workforce(&p.manager).unwrap().into_iter().map(|f| f.name).collect();
            assert_eq!(names, vec!["first@north.example", "manager@north.example", "second@north.example"]);
            // Every read and refusal is in the audit trail.
            let entries = db.store.search_audit(&p.manager, &AuditQuery { record_type: Some("staff_profile".into()), ..Default::default() }).unwrap();
            assert!(entries.iter().any(|e| e.action == AuditAction::Denied.as_str()));
            assert!(entries.iter().any(|e| e.action == AuditAction::Read.as_str()));
        }

        fn an_advocate_records_their_own_training_and_availability_but_not_anothers(db) {
            let p = provider(&db.store, "North");
            let training = TrainingAnswers { kind: "network_event".into(), title: "Regional advocacy network".into(), completed_on: "2026-10-10".into(), ..Default::default() }.parse(today()).unwrap();
            db.store.add_training(&p.first, p.first.user_id, &training).unwrap();
            assert!(matches!(db.store.add_training(&p.first, p.second.user_id, &training), Err(StoreError::NotFound)));
            db.store.set_own_availability(&p.first, Some("Mondays to Wednesdays"), 0).unwrap();
            assert!(matches!(db.store.set_own_availability(&p.first, Some("Fridays"), 0), Err(StoreError::Conflict)));
            let file = db.store.staff_file(&p.first, p.first.user_id).unwrap();
            assert_eq!(file.profile.availability.as_deref(), Some("Mondays to Wednesdays"));
            assert_eq!(file.training[0].title.as_deref(), Some("Regional advocacy network"));
        }

        fn group_supervision_is_owed_by_advocates_only_while_the_provider_has_more_than_one(db) {
            use advocase_domain::workforce::{StaffDueKind, staff_due};
            let p = provider(&db.store, "North");
            let profile = ProfileAnswers {
                started_on: "2026-01-05".into(),
                supervision_months: "1".into(),
                group_supervision_months: "2".into(),
                ..Default::default()
            }
            .parse(&[])
            .unwrap();
            db.store.set_profile(&p.manager, p.first.user_id, &profile, 0).unwrap();
            let group_due = |actor: &Actor| {
                let file = db.store.staff_file(actor, p.first.user_id).unwrap();
                staff_due(&file.facts(), today()).into_iter().find(|d| d.kind == StaffDueKind::GroupSupervision).map(|d| d.due)
            };
            // The advocate sees only themselves, yet is told they have a colleague.
            assert_eq!(group_due(&p.first), Some(chrono::NaiveDate::from_ymd_opt(2026, 3, 5).unwrap()));
            assert_eq!(group_due(&p.manager), group_due(&p.first));
            let meeting = SupervisionAnswers {
                kind: "group".into(),
                held_on: "2026-11-10".into(),
                supervisor: p.manager.user_id.to_string(),
                ..Default::default()
            };
            db.store.add_supervision(&p.manager, p.first.user_id, &meeting.parse(today(), &[p.manager.user_id]).unwrap()).unwrap();
            assert_eq!(group_due(&p.first), Some(chrono::NaiveDate::from_ymd_opt(2027, 1, 10).unwrap()));
            // With the only colleague gone, there is no group to attend.
            db.store.disable_user(None, p.second.user_id).unwrap();
            assert_eq!(group_due(&p.first), None);
            let file = db.store.staff_file(&p.manager, p.first.user_id).unwrap();
            assert_eq!(file.profile.group_supervision_months, 2);
        }

        fn training_is_corrected_by_a_manager_or_the_person_themselves_and_a_stale_correction_is_refused(db) {
            let p = provider(&db.store, "North");
            let south = provider(&db.store, "South");
            let typed = |title: &str, on: &str| TrainingAnswers { kind: "network_event".into(), title: title.into(), completed_on: on.into(), ..Default::default() }.parse(today()).unwrap();
            let id = db.store.add_training(&p.first, p.first.user_id, &typed("Regional network", "2026-10-10")).unwrap();
            assert_eq!(db.store.staff_file(&p.first, p.first.user_id).unwrap().training[0].version, 1);
            db.store.correct_training(&p.manager, p.first.user_id, id, 1, &typed("Regional advocacy network", "2026-10-11")).unwrap();
            // The advocate's form was opened before the manager saved: refused, not lost.
            assert!(matches!(db.store.correct_training(&p.first, p.first.user_id, id, 1, &typed("Mine", "2026-10-10")), Err(StoreError::Conflict)));
            db.store.correct_training(&p.first, p.first.user_id, id, 2, &typed("Regional advocacy network (North)", "2026-10-11")).unwrap();
            // A colleague, another provider's manager, or the record under someone else's
            // file are answered as a record that does not exist.
            for (actor, user) in [(&p.second, p.first.user_id), (&south.manager, p.first.user_id), (&p.manager, p.second.user_id)] {
                assert!(matches!(db.store.correct_training(actor, user, id, 3, &typed("Taken over", "2026-10-10")), Err(StoreError::NotFound)));
            }
            let file = db.store.staff_file(&p.first, p.first.user_id).unwrap();
            assert_eq!(file.training.len(), 1);
            assert_eq!(file.training[0].title.as_deref(), Some("Regional advocacy network (North)"));
            assert_eq!(file.training[0].completed_on, chrono::NaiveDate::from_ymd_opt(2026, 10, 11).unwrap());
            assert_eq!(file.training[0].version, 3);
            let entries = db.store.search_audit(&p.manager, &AuditQuery { record_type: Some("training".into()), ..Default::default() }).unwrap();
            assert_eq!(entries.iter().filter(|e| e.action == AuditAction::Update.as_str()).count(), 2);
        }

        fn supervision_is_corrected_by_managers_and_notes_stay_with_who_may_read_them(db) {
            let p = provider(&db.store, "North");
            let supervisor = add_user(&db.store, p.manager.organisation_id, "supervisor@north.example", Role::Manager);
            let staff = [supervisor.user_id, p.manager.user_id];
            let typed = |held_on: &str, by: i64, notes: &str| SupervisionAnswers {
                kind: "individual".into(),
                held_on: held_on.into(),
                supervisor: by.to_string(),
                notes: notes.into(),
                ..Default::default()
            }.parse(today(), &staff).unwrap();
            let id = db.store.add_supervision(&p.manager, p.first.user_id, &typed("2026-11-20", supervisor.user_id, "Correct-notes-unique")).unwrap();
            // A manager who may not read the notes corrects the date; the notes stay.
            db.store.correct_supervision(&p.manager, p.first.user_id, id, 1, &typed("2026-11-19", supervisor.user_id, "")).unwrap();
            let seen = db.store.staff_file(&p.first, p.first.user_id).unwrap();
            assert_eq!(seen.supervisions[0].record.notes.as_deref(), Some("Correct-notes-unique"));
            assert_eq!(seen.supervisions[0].record.held_on, chrono::NaiveDate::from_ymd_opt(2026, 11, 19).unwrap());
            // Nor can they make themselves the supervisor, and so a reader of the notes.
            match db.store.correct_supervision(&p.manager, p.first.user_id, id, 2, &typed("2026-11-19", p.manager.user_id, "")) {
                Err(StoreError::Invalid(invalid)) => assert!(words(&invalid, "supervisor").contains("confidential")),
                other => panic!("expected a refusal, got {other:?}"),
            }
            // The supervisor corrects the notes; a stale form and an advocate are refused.
            db.store.correct_supervision(&supervisor, p.first.user_id, id, 2, &typed("2026-11-19", supervisor.user_id, "Corrected-notes-unique")).unwrap();
            assert!(matches!(db.store.correct_supervision(&supervisor, p.first.user_id, id, 2, &typed("2026-11-18", supervisor.user_id, "")), Err(StoreError::Conflict)));
            assert!(matches!(db.store.correct_supervision(&p.first, p.first.user_id, id, 3, &typed("2026-11-18", supervisor.user_id, "")), Err(StoreError::NotFound)));
            let mut own = typed("2026-11-18", supervisor.user_id, "");
            own.supervisor = Some(p.first.user_id);
            assert!(matches!(db.store.correct_supervision(&supervisor, p.first.user_id, id, 3, &own), Err(StoreError::Invalid(_))));
            assert!(matches!(db.store.correct_supervision(&supervisor, p.second.user_id, id, 3, &typed("2026-11-18", supervisor.user_id, "")), Err(StoreError::NotFound)));
            let seen = db.store.staff_file(&supervisor, p.first.user_id).unwrap();
            assert_eq!(seen.supervisions[0].record.notes.as_deref(), Some("Corrected-notes-unique"));
            assert_eq!(seen.supervisions[0].record.version, 3);
            let mut conn = advocase_storage::DbConnection::establish(&db.url).unwrap();
            #[derive(diesel::QueryableByName)]
            struct Value {
                #[diesel(sql_type = diesel::sql_types::Text)]
                notes: String,
            }
            let raw: Vec<Value> = diesel::sql_query("SELECT notes FROM supervisions").load(&mut conn).unwrap();
            assert!(raw[0].notes.starts_with("enc1:"));
            let entries = db.store.search_audit(&supervisor, &AuditQuery { record_type: Some("supervision".into()), ..Default::default() }).unwrap();
            assert_eq!(entries.iter().filter(|e| e.action == AuditAction::Update.as_str()).count(), 2);
        }

        fn qualification_evidence_is_sealed_and_opened_only_by_the_holder_and_their_managers(db) {
            let p = provider(&db.store, "North");
            let south = provider(&db.store, "South");
            let commissioner_org = db.store.create_organisation(OrganisationKind::Commissioner, "Council").unwrap();
            let commissioner = add_user(&db.store, commissioner_org, "officer@council.example", Role::Commissioner);
            let intake = add_user(&db.store, p.manager.organisation_id, "intake2@north.example", Role::IntakeWorker);
            let held = db.store.save_qualification(&p.manager, p.first.user_id, None, &unit_405("working_towards"), false, today()).unwrap();
            let colleagues = db.store.save_qualification(&p.manager, p.second.user_id, None, &unit_405("working_towards"), false, today()).unwrap();
            let pdf = b"%PDF-1.4\nEvidence-unique-words\n%%EOF\n";
            let own = db.store.add_qualification_evidence(&p.first, p.first.user_id, held, "Certificate-name-unique.pdf", pdf).unwrap();
            let png = b"\x89PNG\r\n\x1a\nassessor record";
            db.store.add_qualification_evidence(&p.manager, p.first.user_id, held, "assessor.png", png).unwrap();
            // Nobody else adds to it, and a qualification is only reached through its holder.
            for (actor, user, qualification) in [
                (&p.second, p.first.user_id, held),
                (&south.manager, p.first.user_id, held),
                (&intake, p.first.user_id, held),
                (&commissioner, p.first.user_id, held),
                (&p.first, p.first.user_id, colleagues),
                (&p.manager, p.first.user_id, colleagues),
            ] {
                assert!(matches!(db.store.add_qualification_evidence(actor, user, qualification, "x.pdf", pdf), Err(StoreError::NotFound)));
            }
            // The checks of a case's documents apply: a program is not a certificate.
            match db.store.add_qualification_evidence(&p.first, p.first.user_id, held, "x.pdf", b"MZ\x90\x00") {
                Err(StoreError::Invalid(invalid)) => assert!(words(&invalid, "document").contains("PDF, a PNG or a JPEG")),
                other => panic!("expected a refusal, got {other:?}"),
            }
            let (name, kind, bytes) = db.store.qualification_evidence(&p.manager, own).unwrap();
            assert_eq!((name.as_str(), kind.as_str(), bytes.as_slice()), ("Certificate-name-unique.pdf", "pdf", &pdf[..]));
            assert_eq!(db.store.qualification_evidence(&p.first, own).unwrap().2, pdf);
            for actor in [&p.second, &south.manager, &intake, &commissioner] {
                assert!(matches!(db.store.qualification_evidence(actor, own), Err(StoreError::NotFound)));
            }
            assert!(matches!(db.store.qualification_evidence(&p.manager, own + 1000), Err(StoreError::NotFound)));
            let file = db.store.staff_file(&p.first, p.first.user_id).unwrap();
            let names: Vec<&str> = file.evidence.iter().map(|e| e.file_name.as_str()).collect();
            assert_eq!(names, vec!["Certificate-name-unique.pdf", "assessor.png"]);
            assert!(file.evidence.iter().all(|e| e.qualification_id == held));
            // At rest neither the file nor its name can be read.
            assert_eq!(db.stored_documents().len(), 2);
            for bytes in db.stored_documents() {
                assert!(!bytes.windows(15).any(|b| b == b"Evidence-unique"));
                assert!(!bytes.windows(4).any(|b| b == b"%PDF"));
            }
            #[derive(diesel::QueryableByName)]
            struct Value {
                #[diesel(sql_type = diesel::sql_types::Text)]
                file_name: String,
            }
            let mut conn = advocase_storage::DbConnection::establish(&db.url).unwrap();
            let raw: Vec<Value> = diesel::sql_query("SELECT file_name FROM qualification_evidence").load(&mut conn).unwrap();
            assert!(raw.iter().all(|v| v.file_name.starts_with("enc1:") && !v.file_name.contains("Certificate")));
            // Every opening and every refusal is in the audit trail.
            let entries = db.store.search_audit(&p.manager, &AuditQuery { record_type: Some("qualification_evidence".into()), ..Default::default() }).unwrap();
            for action in [AuditAction::Create, AuditAction::Read, AuditAction::Denied] {
                assert!(entries.iter().any(|e| e.action == action.as_str()), "{action:?}");
            }
            // One file goes on its own, for the holder or their managers only; the other stays.
            let assessor = file.evidence.iter().find(|e| e.file_name == "assessor.png").unwrap().id;
            for actor in [&p.second, &south.manager, &intake, &commissioner] {
                assert!(matches!(db.store.remove_qualification_evidence(actor, p.first.user_id, assessor), Err(StoreError::NotFound)));
            }
            assert!(matches!(db.store.remove_qualification_evidence(&p.manager, p.second.user_id, assessor), Err(StoreError::NotFound)));
            db.store.remove_qualification_evidence(&p.first, p.first.user_id, assessor).unwrap();
            assert!(matches!(db.store.remove_qualification_evidence(&p.first, p.first.user_id, assessor), Err(StoreError::NotFound)));
            assert_eq!(db.stored_documents().len(), 1);
            let left: Vec<i64> = db.store.staff_file(&p.first, p.first.user_id).unwrap().evidence.iter().map(|e| e.id).collect();
            assert_eq!(left, [own]);
            // A qualification recorded by mistake goes with its evidence, files included.
            db.store.remove_qualification(&p.manager, p.first.user_id, held, false, today()).unwrap();
            assert!(matches!(db.store.qualification_evidence(&p.manager, own), Err(StoreError::NotFound)));
            assert!(db.stored_documents().is_empty());
            assert!(db.store.staff_file(&p.first, p.first.user_id).unwrap().evidence.is_empty());
        }

        fn equality_counts_come_from_staff_and_people_of_the_provider_only(db) {
            let p = provider(&db.store, "North");
            let south = provider(&db.store, "South");
            db.store.set_own_equality(&p.first, &[("sex", "female".to_string()), ("ethnicity", "white".to_string())]).unwrap();
            db.store.set_own_equality(&p.second, &[("sex", "female".to_string())]).unwrap();
            db.store.set_own_equality(&south.first, &[("sex", "male".to_string())]).unwrap();
            db.store.set_person_equality(&p.manager, p.person_id, &[("sex", "male".to_string())]).unwrap();
            assert!(matches!(db.store.set_person_equality(&south.manager, p.person_id, &[]), Err(StoreError::NotFound)));
            assert_eq!(db.store.own_equality(&p.first).unwrap().len(), 2);
            let counts = db.store.equality_counts(&p.manager).unwrap();
            assert!(counts.staff.contains(&("sex".to_string(), "female".to_string(), 2)));
            assert!(!counts.staff.iter().any(|(_, a, _)| a == "male"));
            assert_eq!(counts.people, vec![("sex".to_string(), "male".to_string(), 1)]);
            assert!(matches!(db.store.equality_counts(&p.first), Err(StoreError::NotFound)));
            // Answers are replaced, not added to.
            db.store.set_own_equality(&p.first, &[]).unwrap();
            assert!(db.store.own_equality(&p.first).unwrap().is_empty());
        }
    }
}

mod safeguarding_storage {
    use super::casework_storage::provider;
    use super::*;
    use advocase_domain::safeguarding::{
        CloseConcernAnswers, ComplaintAnswers, ComplaintProgressAnswers, ComplaintSource,
        ConcernActionsAnswers, ConcernAnswers, ConcernTheme, PlaceKind, ServiceConcernAnswers,
        SignalBasis,
    };
    use advocase_storage::safeguarding::NewSignal;
    use chrono::NaiveDate;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn concern(adult_name: &str) -> advocase_domain::safeguarding::NewConcern {
        ConcernAnswers {
            adult_name: adult_name.into(),
            raised_on: "20/11/2026".into(),
            category: "financial".into(),
            what_happened: "Concern-what-unique".into(),
            person_wants: "Concern-wants-unique".into(),
            immediate_risk: "no".into(),
        }
        .parse(day(2026, 11, 22), adult_name.is_empty())
        .unwrap()
    }

    fn allocate_first(store: &Store, p: &super::casework_storage::Provider) {
        let case = store.case_file(&p.manager, p.case_id).unwrap();
        store
            .allocate(
                &p.manager,
                p.case_id,
                case.case.version,
                p.first.user_id,
                None,
                None,
                chrono::Utc::now().date_naive(),
            )
            .unwrap();
    }

    on_both_backends! {
        fn a_concern_is_closed_only_by_a_manager_and_only_with_an_outcome(db) {
            let p = provider(&db.store, "North");
            allocate_first(&db.store, &p);
            let id = db.store.raise_concern(&p.first, Some(p.case_id), &concern("")).unwrap();
            // The advocate of another case cannot raise one on this case.
            assert!(matches!(db.store.raise_concern(&p.second, Some(p.case_id), &concern("")), Err(StoreError::NotFound)));
            let actions = ConcernActionsAnswers {
                local_authority_on: "21/11/2026".into(),
                local_authority_reference: "SG-1".into(),
                ..Default::default()
            }.parse(day(2026, 11, 22), day(2026, 11, 20)).unwrap();
            db.store.record_concern_actions(&p.first, id, &actions).unwrap();
            // The advocate who raised it cannot close it.
            assert!(matches!(db.store.close_concern(&p.first, id, day(2026, 11, 22), "Done"), Err(StoreError::NotFound)));
            // A manager cannot close it without an outcome, nor before it was raised.
            assert!(matches!(db.store.close_concern(&p.manager, id, day(2026, 11, 22), "  "), Err(StoreError::Invalid(_))));
            assert!(matches!(db.store.close_concern(&p.manager, id, day(2026, 11, 19), "Done"), Err(StoreError::Invalid(_))));
            assert_eq!(db.store.concerns(&p.manager, true).unwrap().len(), 1);
            let (on, outcome) = CloseConcernAnswers { closed_on: "22/11/2026".into(), outcome: "Council enquiry opened".into() }
                .parse(day(2026, 11, 22), day(2026, 11, 20)).unwrap();
            db.store.close_concern(&p.manager, id, on, &outcome).unwrap();
            assert!(matches!(db.store.close_concern(&p.manager, id, on, &outcome), Err(StoreError::Conflict)));
            assert!(db.store.concerns(&p.manager, true).unwrap().is_empty());
            let file = db.store.concern_file(&p.first, id).unwrap();
            assert_eq!(file.concern.record.outcome.as_deref(), Some("Council enquiry opened"));
            assert_eq!(file.concern.record.closed_by, Some(p.manager.user_id));
            assert_eq!(file.concern.record.local_authority_reference.as_deref(), Some("SG-1"));
            assert!(file.concern.adult.starts_with("Ada Lovelace"));
            // The database itself refuses a closure without an outcome.
            let other = db.store.raise_concern(&p.first, Some(p.case_id), &concern("")).unwrap();
            let mut conn = advocase_storage::DbConnection::establish(&db.url).unwrap();
            let sql = format!("UPDATE safeguarding_concerns SET closed_on = '2026-11-22' WHERE id = {other}");
            assert!(diesel::sql_query(sql).execute(&mut conn).is_err());
            // Free text is sealed at rest.
            #[derive(diesel::QueryableByName)]
            struct Value {
                #[diesel(sql_type = diesel::sql_types::Text)]
                value: String,
            }
            let raw: Vec<Value> = diesel::sql_query("SELECT what_happened AS value FROM safeguarding_concerns").load(&mut conn).unwrap();
            assert!(raw.iter().all(|v| v.value.starts_with("enc1:")));
        }

        fn a_concern_about_someone_not_a_client_is_seen_by_who_raised_it_and_managers_only(db) {
            let p = provider(&db.store, "North");
            let id = db.store.raise_concern(&p.first, None, &concern("Neighbour-name-unique")).unwrap();
            assert_eq!(db.store.concern_file(&p.first, id).unwrap().concern.adult, "Neighbour-name-unique");
            assert_eq!(db.store.concerns(&p.manager, false).unwrap().len(), 1);
            assert!(db.store.concerns(&p.second, false).unwrap().is_empty());
            assert!(matches!(db.store.concern_file(&p.second, id), Err(StoreError::NotFound)));
            // Another provider sees nothing of it, nor of its complaints or signals.
            let south = provider(&db.store, "South");
            assert!(db.store.concerns(&south.manager, false).unwrap().is_empty());
            assert!(matches!(db.store.concern_file(&south.manager, id), Err(StoreError::NotFound)));
            assert!(matches!(db.store.close_concern(&south.manager, id, day(2026, 11, 22), "x"), Err(StoreError::NotFound)));
            let complaint = ComplaintAnswers {
                kind: "complaint".into(),
                complainant_name: "Sam".into(),
                how_to_reply: "sam@example.org".into(),
                what_happened: "Nobody called back".into(),
                ..Default::default()
            }.parse(day(2026, 11, 22)).unwrap();
            let c = db.store.submit_complaint(p.manager.organisation_id, None, None, ComplaintSource::Public, &complaint, (day(2026, 11, 25), day(2026, 12, 18))).unwrap();
            assert!(db.store.complaints(&south.manager).unwrap().is_empty());
            assert!(matches!(db.store.complaint(&south.manager, c), Err(StoreError::NotFound)));
            assert!(matches!(db.store.complaints(&p.first), Err(StoreError::NotFound)));
            assert_eq!(db.store.complaints(&p.manager).unwrap()[0].complainant_name, "Sam");
        }

        fn a_complaint_made_for_a_person_is_linked_by_staff_who_may_open_their_record_only(db) {
            let p = provider(&db.store, "North");
            allocate_first(&db.store, &p);
            let complaint = ComplaintAnswers {
                kind: "complaint".into(),
                complainant_name: "The person".into(),
                how_to_reply: "Through the person's record".into(),
                what_happened: "My advocate missed the meeting".into(),
                ..Default::default()
            }.parse(day(2026, 11, 22)).unwrap();
            let clocks = (day(2026, 11, 25), day(2026, 12, 18));
            let submit = |by: Option<&Actor>| db.store.submit_complaint(p.manager.organisation_id, by, Some(p.person_id), ComplaintSource::Staff, &complaint, clocks);
            // The advocate of the person's case may record it; a colleague without a case
            // for the person, and the public page, are told the person does not exist.
            let id = submit(Some(&p.first)).unwrap();
            assert!(matches!(submit(Some(&p.second)), Err(StoreError::NotFound)));
            assert!(matches!(submit(None), Err(StoreError::NotFound)));
            assert_eq!(db.store.complaints(&p.manager).unwrap().len(), 1);
            let file = db.store.complaint(&p.manager, id).unwrap();
            assert_eq!(file.record.person_id, Some(p.person_id));
            assert_eq!(file.person.as_ref().map(|(id, _)| *id), Some(p.person_id));
            // The manager sees it on the person's record; the advocate, whom it may be
            // about, does not.
            let listed = db.store.person_file(&p.manager, p.person_id).unwrap().complaints;
            assert_eq!(listed.iter().map(|c| c.id).collect::<Vec<_>>(), [id]);
            assert!(db.store.person_file(&p.first, p.person_id).unwrap().complaints.is_empty());
        }

        fn a_complaint_response_before_the_complaint_is_refused(db) {
            let p = provider(&db.store, "North");
            let complaint = ComplaintAnswers {
                kind: "complaint".into(),
                complainant_name: "Sam".into(),
                how_to_reply: "01234 567890".into(),
                what_happened: "Late".into(),
                received_on: "20/11/2026".into(),
            }.parse(day(2026, 11, 22)).unwrap();
            let id = db.store.submit_complaint(p.manager.organisation_id, Some(&p.manager), None, ComplaintSource::Staff, &complaint, (day(2026, 11, 25), day(2026, 12, 18))).unwrap();
            let mut progress = ComplaintProgressAnswers {
                stage: "formal".into(),
                finding: "upheld".into(),
                response_sent_on: "21/11/2026".into(),
                lessons: "Lessons-unique".into(),
                ..Default::default()
            }.parse(day(2026, 11, 22), day(2026, 11, 20)).unwrap();
            progress.response_sent_on = Some(day(2026, 11, 19));
            assert!(matches!(db.store.update_complaint(&p.manager, id, &progress), Err(StoreError::Invalid(_))));
            progress.response_sent_on = Some(day(2026, 11, 21));
            db.store.update_complaint(&p.manager, id, &progress).unwrap();
            let stored = db.store.complaint(&p.manager, id).unwrap().record;
            assert_eq!(stored.lessons.as_deref(), Some("Lessons-unique"));
            assert_eq!(stored.stage, "formal");
        }

        fn concerns_about_a_place_become_a_signal_that_commissioners_see_without_personal_data(db) {
            let p = provider(&db.store, "North");
            allocate_first(&db.store, &p);
            let answers = ServiceConcernAnswers {
                place: "Elm House".into(),
                place_kind: "care_home".into(),
                theme: "dignity".into(),
                severity: "serious".into(),
                noted_on: "20/11/2026".into(),
                detail: "Detail-about-Ada-unique".into(),
            }.parse(day(2026, 11, 22)).unwrap();
            let id = db.store.record_service_concern(&p.first, p.case_id, &answers).unwrap();
            assert!(matches!(db.store.record_service_concern(&p.second, p.case_id, &answers), Err(StoreError::NotFound)));
            let listed = db.store.service_concerns(&p.manager, day(2026, 1, 1)).unwrap();
            assert_eq!(listed.len(), 1);
            assert_eq!(listed[0].detail, "Detail-about-Ada-unique");
            let south = provider(&db.store, "South");
            assert!(db.store.service_concerns(&south.manager, day(2026, 1, 1)).unwrap().is_empty());
            let signal = NewSignal {
                concern_ids: vec![id],
                place: "Elm House".into(),
                place_kind: PlaceKind::CareHome,
                theme: ConcernTheme::Dignity,
                basis: SignalBasis::Serious,
                sent_on: day(2026, 11, 22),
                response_due: day(2026, 12, 18),
            };
            let signal_id = db.store.create_signal(&p.manager, &signal).unwrap();
            // A concern is signalled once.
            assert!(matches!(db.store.create_signal(&p.manager, &signal), Err(StoreError::Conflict)));
            assert!(matches!(db.store.record_signal_date(&p.manager, signal_id, false, day(2026, 11, 21)), Err(StoreError::Invalid(_))));
            db.store.record_signal_date(&p.manager, signal_id, true, day(2026, 11, 22)).unwrap();
            assert!(matches!(db.store.record_signal_date(&south.manager, signal_id, true, day(2026, 11, 22)), Err(StoreError::NotFound)));
            let council = db.store.create_organisation(OrganisationKind::Commissioner, "County Council").unwrap();
            let commissioner = add_user(&db.store, council, "officer@council.example", Role::Commissioner);
            // A council sees the signals of the providers it funds, and only those.
            assert!(db.store.signals_for_commissioner(&commissioner).unwrap().is_empty());
            let contract = advocase_domain::reporting::ContractAnswers {
                name: "IMHA".into(),
                commissioner: council.to_string(),
                duties: vec!["imha".into()],
                areas: "Northshire".into(),
                starts_on: "2026-04-01".into(),
                ends_on: "2029-03-31".into(),
                core_funding: "1000".into(),
                core_cases: "10".into(),
                payment_per_case: "100".into(),
                reporting: "annual".into(),
                urgent_days: "2".into(),
                standard_days: "5".into(),
                ..Default::default()
            }
            .parse()
            .unwrap();
            db.store.create_contract(&p.manager, &contract).unwrap();
            let seen = db.store.signals_for_commissioner(&commissioner).unwrap();
            assert_eq!(seen.len(), 1);
            assert_eq!(seen[0].regulator_on, Some(day(2026, 11, 22)));
            let json = serde_json::to_string(&seen).unwrap();
            for personal in ["Lovelace", "Ada", "Detail-about", "case", "person"] {
                assert!(!json.contains(personal), "{personal} in {json}");
            }
            assert!(matches!(db.store.signals_for_commissioner(&p.manager), Err(StoreError::NotFound)));
        }

        fn feedback_keeps_names_and_words_sealed_and_shows_them_only_to_the_providers_managers(db) {
            use advocase_domain::safeguarding::{FeedbackAnswers, FeedbackDuty};
            let north = provider(&db.store, "North");
            let south = provider(&db.store, "South");
            let answer = |name: &str, comment: &str, overall: &str| FeedbackAnswers {
                duty: "imha".into(),
                filled_in: "with_help".into(),
                anonymous: if name.is_empty() { "yes" } else { "no" }.into(),
                name: name.into(),
                listened: "4".into(),
                understood: "5".into(),
                speak_up: "3".into(),
                overall: overall.into(),
                comment: comment.into(),
            }.parse().unwrap();
            let north_org = north.manager.organisation_id;
            db.store.submit_feedback(north_org, &answer("Feedback-Name-Unique", "Feedback-words-unique", "5"), false, day(2026, 10, 2)).unwrap();
            db.store.submit_feedback(north_org, &answer("", "", "2"), true, day(2026, 11, 3)).unwrap();
            db.store.submit_feedback(south.manager.organisation_id, &answer("", "South-words", "1"), false, day(2026, 11, 3)).unwrap();
            // Only a provider can be answered about.
            assert!(matches!(db.store.submit_feedback(-1, &answer("", "", "3"), false, day(2026, 11, 3)), Err(StoreError::NotFound)));

            let facts = db.store.feedback_facts(&north.manager).unwrap();
            assert_eq!(facts.len(), 2);
            assert!(facts.iter().all(|f| f.with_help && f.duty == Some(FeedbackDuty::Imha)));
            let comments = db.store.feedback_comments(&north.manager).unwrap();
            assert_eq!(comments.len(), 1, "only answers with words, only this provider's");
            assert_eq!(comments[0].name.as_deref(), Some("Feedback-Name-Unique"));
            assert_eq!(comments[0].comment, "Feedback-words-unique");
            assert!(matches!(db.store.feedback_comments(&north.first), Err(StoreError::NotFound)));
            assert!(matches!(db.store.feedback_facts(&north.first), Err(StoreError::NotFound)));

            #[derive(diesel::QueryableByName)]
            struct Sealed {
                #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
                name: Option<String>,
                #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
                comment: Option<String>,
            }
            let mut conn = advocase_storage::DbConnection::establish(&db.url).unwrap();
            let raw: Vec<Sealed> = diesel::sql_query("SELECT name, comment FROM feedback_responses").load(&mut conn).unwrap();
            for value in raw.iter().flat_map(|r| [&r.name, &r.comment]).flatten() {
                assert!(value.starts_with("enc1:"), "{value} is stored in the clear");
            }
        }
    }
}

mod commissioning_storage {
    use super::*;
    use advocase_domain::clocks::WorkingDayCalendar;
    use advocase_domain::reporting::{ContractAnswers, contract_periods};
    use advocase_storage::referrals::{DutyDecision, PersonChoice, Source};
    use chrono::NaiveDate;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn today() -> NaiveDate {
        chrono::Utc::now().date_naive()
    }

    /// The contract's first quarter, finished: 1 January to 31 March 2025.
    fn first_quarter() -> advocase_domain::reporting::Period {
        contract_periods(
            day(2025, 1, 1),
            day(2099, 12, 31),
            advocase_domain::reporting::ReportingPeriod::Quarterly,
        )[0]
    }

    /// Moves every referral, decision and case into the first quarter, as if they had
    /// happened then: reports cover finished periods only.
    /// The setting with nine accepted referrals from Northshire, all dated in the
    /// contract's first quarter, and the calendar to count them with.
    fn nine_referrals_in_the_first_quarter(db: &TestDb) -> (Setting, WorkingDayCalendar) {
        let s = setting(&db.store);
        for n in 0..9 {
            accepted(&db.store, &s, n, "Northshire");
        }
        into_first_quarter(db);
        (
            s,
            WorkingDayCalendar::shipped(advocase_domain::clocks::Nation::EnglandAndWales),
        )
    }

    fn into_first_quarter(db: &TestDb) {
        tamper(
            db,
            "UPDATE referrals SET received_at = '2025-02-10 10:00:00'",
        );
        tamper(
            db,
            "UPDATE referral_decisions SET decided_at = '2025-02-11 10:00:00'",
        );
        tamper(db, "UPDATE cases SET opened_at = '2025-02-11 10:00:00'");
    }

    struct Setting {
        manager: Actor,
        intake: Actor,
        advocate: Actor,
        commissioner: Actor,
        other_commissioner: Actor,
        other_manager: Actor,
        contract: i64,
    }

    /// The setting's contract as its manager typed it, for the council `council`.
    fn contract_answers(council: i64) -> ContractAnswers {
        ContractAnswers {
            name: "Care Act and IMHA".into(),
            commissioner: council.to_string(),
            duties: vec!["care_act".into(), "imha".into()],
            areas: "Northshire".into(),
            starts_on: "2025-01-01".into(),
            ends_on: "2099-12-31".into(),
            core_funding: "100000".into(),
            core_cases: "200".into(),
            payment_per_case: "300".into(),
            reporting: "quarterly".into(),
            urgent_days: "2".into(),
            standard_days: "5".into(),
            ..Default::default()
        }
    }

    fn setting(store: &Store) -> Setting {
        let provider = store
            .create_organisation(OrganisationKind::Provider, "North Advocacy")
            .unwrap();
        let other = store
            .create_organisation(OrganisationKind::Provider, "South Advocacy")
            .unwrap();
        let council = store
            .create_organisation(OrganisationKind::Commissioner, "Northshire Council")
            .unwrap();
        let other_council = store
            .create_organisation(OrganisationKind::Commissioner, "Southby Council")
            .unwrap();
        let manager = add_user(store, provider, "manager@north.example", Role::Manager);
        let contract = contract_answers(council).parse().unwrap();
        let contract = store.create_contract(&manager, &contract).unwrap();
        Setting {
            intake: add_user(store, provider, "intake@north.example", Role::IntakeWorker),
            advocate: add_user(store, provider, "advocate@north.example", Role::Advocate),
            commissioner: add_user(store, council, "c@northshire.example", Role::Commissioner),
            other_commissioner: add_user(
                store,
                other_council,
                "c@southby.example",
                Role::Commissioner,
            ),
            other_manager: add_user(store, other, "manager@south.example", Role::Manager),
            manager,
            contract,
        }
    }

    /// Refers someone from `area`, accepts the Care Act duty, and returns the person.
    fn accepted(store: &Store, s: &Setting, n: usize, area: &str) -> i64 {
        let answers = advocase_domain::referral::ReferralAnswers {
            referrer_kind: "professional".into(),
            referrer_name: "A social worker".into(),
            referrer_organisation: "Northshire adult social care".into(),
            referrer_email: "sw@northshire.example".into(),
            given_name: format!("Person{n}"),
            family_name: "Example".into(),
            local_authority: area.into(),
            what_is_happening: "A needs assessment".into(),
            consent: "given".into(),
            care_act_process: "needs_assessment".into(),
            ..Default::default()
        };
        let referral = answers.parse(day(2026, 11, 22)).unwrap();
        let id = store
            .submit_referral(
                s.manager.organisation_id,
                &referral,
                Source::Staff,
                Some(&s.intake),
                &format!("R-{n}"),
                &format!("h-{n}"),
            )
            .unwrap();
        store
            .decide_referral(
                &s.intake,
                id,
                1,
                &[DutyDecision {
                    duty: "care_act".into(),
                    suggested: "eligible".into(),
                    accept: true,
                    disagreement_reason: None,
                    introduction_due: None,
                }],
                PersonChoice::Create,
                None,
            )
            .unwrap();
        store
            .find_referral(&s.intake, id)
            .unwrap()
            .person_id
            .unwrap()
    }

    on_both_backends! {
        fn only_the_funding_commissioner_and_the_providers_managers_see_a_contract(db) {
            let s = setting(&db.store);
            assert_eq!(db.store.contracts(&s.commissioner).unwrap().len(), 1);
            assert_eq!(db.store.contracts(&s.manager).unwrap().len(), 1);
            db.store.contract(&s.commissioner, s.contract).unwrap();
            for outsider in [&s.other_commissioner, &s.other_manager, &s.advocate, &s.intake] {
                assert!(db.store.contracts(outsider).unwrap().is_empty());
                assert!(matches!(db.store.contract(outsider, s.contract), Err(StoreError::NotFound)));
            }
            let calendar = WorkingDayCalendar::shipped(advocase_domain::clocks::Nation::EnglandAndWales);
            assert!(matches!(
                db.store.report_facts(&s.other_commissioner, s.contract, first_quarter(), &calendar, today()),
                Err(StoreError::NotFound)
            ));
            // A commissioner cannot record a contract, nor a manager name a provider as
            // the commissioner.
            assert!(matches!(db.store.commissioners(&s.commissioner), Err(StoreError::NotFound)));
        }

        fn the_waiting_list_carries_the_first_contact_target_of_the_contract_that_covers_a_case(db) {
            let s = setting(&db.store);
            let covered = accepted(&db.store, &s, 1, "Northshire");
            let elsewhere = accepted(&db.store, &s, 2, "Elsewhere");
            let waiting = db.store.waiting_list(&s.intake).unwrap();
            let days = |person: i64| waiting.iter().find(|w| w.case.person_id == person).unwrap().first_contact_days;
            // A Care Act referral with nothing pressing is not urgent: the standard 5 days.
            assert_eq!(days(covered), Some(5));
            // No contract pays for a person from outside its areas, so no target applies.
            assert_eq!(days(elsewhere), None);
        }

        fn a_report_period_runs_from_uk_midnight_to_uk_midnight(db) {
            let s = setting(&db.store);
            let late = accepted(&db.store, &s, 1, "Northshire");
            let later = accepted(&db.store, &s, 2, "Northshire");
            // British Summer Time began on 30 March 2025: 22:30 UTC on 31 March is 23:30
            // that evening in the UK, and 23:30 UTC is 00:30 on 1 April.
            for (person, utc) in [(late, "2025-03-31 22:30:00"), (later, "2025-03-31 23:30:00")] {
                tamper(&db, &format!(
                    "UPDATE referrals SET received_at = '{utc}' WHERE id = (SELECT referral_id FROM cases WHERE person_id = {person})"
                ));
                tamper(&db, &format!("UPDATE cases SET opened_at = '{utc}' WHERE person_id = {person}"));
            }
            let quarters = contract_periods(day(2025, 1, 1), day(2099, 12, 31), advocase_domain::reporting::ReportingPeriod::Quarterly);
            let calendar = WorkingDayCalendar::shipped(advocase_domain::clocks::Nation::EnglandAndWales);
            let referred = |period| {
                let facts = db.store.report_facts(&s.commissioner, s.contract, period, &calendar, today()).unwrap();
                let opened = facts.breakdown("cases-opened-by-duty").unwrap().rows.iter().find(|(c, _)| c == "care_act").unwrap().1;
                let received = facts.breakdown("referrals-by-area").unwrap().rows.iter().find(|(c, _)| c == "Northshire").unwrap().1;
                (received, opened)
            };
            assert_eq!(referred(quarters[0]), (1, 1), "the first quarter ends at UK midnight");
            assert_eq!(referred(quarters[1]), (1, 1), "the second starts at UK midnight");
        }

        fn a_report_counts_only_the_contracts_areas_and_duties(db) {
            let s = setting(&db.store);
            let mut people = Vec::new();
            for n in 0..4 {
                people.push(accepted(&db.store, &s, n, "Northshire"));
            }
            accepted(&db.store, &s, 9, "Elsewhere");
            // A referral from the area decided only for IMCA, which the contract does not
            // pay for, is another contract's.
            let imca = accepted(&db.store, &s, 8, "Northshire");
            tamper(&db, &format!(
                "UPDATE referral_decisions SET duty = 'imca' WHERE referral_id = (SELECT referral_id FROM cases WHERE person_id = {imca})"
            ));
            tamper(&db, &format!("UPDATE cases SET duty = 'imca' WHERE person_id = {imca}"));
            for person in &people[..3] {
                tamper(&db, &format!(
                    "INSERT INTO equality_answers (provider_id, person_id, characteristic, answer, recorded_at) VALUES ({}, {person}, 'ethnicity', 'asian', '2026-11-22 10:00:00')",
                    s.manager.organisation_id
                ));
            }
            into_first_quarter(&db);
            let calendar = WorkingDayCalendar::shipped(advocase_domain::clocks::Nation::EnglandAndWales);
            // The quarter running now is not reported.
            let running = contract_periods(day(2025, 1, 1), day(2099, 12, 31), advocase_domain::reporting::ReportingPeriod::Quarterly)
                .into_iter()
                .find(|p| p.from <= today() && today() <= p.to)
                .unwrap();
            assert!(matches!(db.store.report_facts(&s.commissioner, s.contract, running, &calendar, today()), Err(StoreError::Invalid(_))));
            let facts = db.store.report_facts(&s.commissioner, s.contract, first_quarter(), &calendar, today()).unwrap();
            let count = |id: &str, code: &str| facts.breakdown(id).unwrap().rows.iter().find(|(c, _)| c == code).unwrap().1;
            assert_eq!(count("referrals-by-area", "Northshire"), 4);
            assert_eq!(count("referrals-by-referrer", "professional"), 4);
            assert_eq!(count("referrals-by-duty", "care_act"), 4);
            assert_eq!(count("referrals-by-duty", "imha"), 0);
            assert_eq!(count("referrals-by-duty", "not_decided"), 0);
            assert!(facts.breakdown("referrals-by-duty").unwrap().rows.iter().all(|(c, _)| c != "imca" && c != "other"));
            assert_eq!(count("cases-opened-by-duty", "care_act"), 4);
            assert_eq!(count("equality-ethnicity", "asian"), 3);
            assert_eq!(count("equality-ethnicity", "not_known"), 1);
            assert_eq!(count("waiting-at-end", "waiting"), 4);
            assert!(facts.breakdown("referrals-by-area").unwrap().rows.iter().all(|(c, _)| c != "Elsewhere"));

            // Several periods in one read give what each would alone, and record one
            // access; one period not the contract's own or not finished refuses them all.
            let accesses = || count_of(&db, "SELECT COUNT(*) AS n FROM audit_entries WHERE record_type = 'contract_report'");
            let before = accesses();
            let both = db.store.report_facts_by_period(&s.commissioner, s.contract, &[first_quarter(), first_quarter()], &calendar, today()).unwrap();
            assert_eq!(both.len(), 2);
            assert!(both.iter().all(|f| format!("{f:?}") == format!("{facts:?}")));
            assert_eq!(accesses(), before + 1);
            assert!(matches!(
                db.store.report_facts_by_period(&s.commissioner, s.contract, &[first_quarter(), running], &calendar, today()),
                Err(StoreError::Invalid(_))
            ));
        }

        fn a_finished_period_keeps_the_figures_it_was_first_reported_with(db) {
            let (s, calendar) = nine_referrals_in_the_first_quarter(&db);
            let northshire = |actor: &Actor| {
                let facts = db.store.report_facts(actor, s.contract, first_quarter(), &calendar, today()).unwrap();
                facts.breakdown("referrals-by-area").unwrap().rows.iter().find(|(c, _)| c == "Northshire").unwrap().1
            };
            assert_eq!(northshire(&s.commissioner), 9);
            // A referral entered late, dated in the quarter already reported: had the
            // report counted it, 9 then 10 would give away a count of one.
            accepted(&db.store, &s, 9, "Northshire");
            into_first_quarter(&db);
            assert_eq!(northshire(&s.commissioner), 9);
            assert_eq!(northshire(&s.manager), 9, "the provider sees the same figures");
            // Counts kept in an older shape are counted again, once.
            tamper(&db, "UPDATE report_snapshots SET version = 0");
            assert_eq!(northshire(&s.commissioner), 10);
            tamper(&db, "UPDATE referrals SET received_at = '2025-07-10 10:00:00' WHERE id = (SELECT MIN(id) FROM referrals)");
            assert_eq!(northshire(&s.commissioner), 10);
            // Someone the contract is not for still finds nothing, kept counts or not.
            assert!(matches!(
                db.store.report_facts(&s.other_commissioner, s.contract, first_quarter(), &calendar, today()),
                Err(StoreError::NotFound)
            ));
        }

        fn a_year_and_its_quarters_counted_together_match_each_counted_alone(db) {
            let s = setting(&db.store);
            // One person a quarter, and one at each edge of the quarter British Summer
            // Time began in; referred, decided and opened the same moment (UTC). Every
            // other one is allocated, met and has an outcome later (wall clock), the last
            // of those after the year.
            let moments = [
                ("2025-02-10 10:00:00", Some("2025-02-17")),
                ("2025-03-31 22:30:00", None),
                ("2025-03-31 23:30:00", Some("2025-04-08")),
                ("2025-05-20 09:00:00", None),
                ("2025-08-05 14:00:00", Some("2025-08-12")),
                ("2025-11-30 16:00:00", None),
                ("2025-12-31 23:59:59", Some("2026-01-05")),
            ];
            for (n, (at, met)) in moments.iter().enumerate() {
                let person = accepted(&db.store, &s, n, "Northshire");
                let case = format!("(SELECT id FROM cases WHERE person_id = {person})");
                tamper(&db, &format!("UPDATE referrals SET received_at = '{at}' WHERE id = (SELECT referral_id FROM cases WHERE person_id = {person})"));
                tamper(&db, &format!("UPDATE referral_decisions SET decided_at = '{at}' WHERE referral_id = (SELECT referral_id FROM cases WHERE person_id = {person})"));
                tamper(&db, &format!("UPDATE cases SET opened_at = '{at}' WHERE person_id = {person}"));
                if let Some(met) = met {
                    tamper(&db, &format!("UPDATE cases SET allocated_at = '{met} 09:00:00' WHERE id = {case}"));
                    tamper(&db, &format!(
                        "INSERT INTO contacts (case_id, occurred_at, mode, duration_minutes, discussed, could_instruct, recorded_by, recorded_at) \
                         VALUES ({case}, '{met} 10:00:00', 'phone', {}, 'x', TRUE, {}, '{met} 10:00:00')",
                        30 + n, s.advocate.user_id
                    ));
                    tamper(&db, &format!(
                        "INSERT INTO case_issues (case_id, in_their_words, process, outcome, outcome_recorded_at, created_by, created_at, version) \
                         VALUES ({case}, 'x', 'assessment', 'achieved', '{met} 11:00:00', {}, '{met} 11:00:00', 1)",
                        s.advocate.user_id
                    ));
                }
                if n % 4 == 0 {
                    tamper(&db, &format!("UPDATE cases SET closed_at = '2025-12-01 12:00:00', closure_reason = 'completed' WHERE id = {case}"));
                }
                tamper(&db, &format!(
                    "INSERT INTO equality_answers (provider_id, person_id, characteristic, answer, recorded_at) VALUES ({}, {person}, 'ethnicity', '{}', '2026-11-22 10:00:00')",
                    s.manager.organisation_id,
                    if n % 3 == 0 { "asian" } else { "white" }
                ));
            }
            let calendar = WorkingDayCalendar::shipped(advocase_domain::clocks::Nation::EnglandAndWales);
            let year = advocase_domain::reporting::contract_years(day(2025, 1, 1), day(2099, 12, 31))[0];
            let mut periods = vec![year];
            periods.extend(contract_periods(day(2025, 1, 1), day(2025, 12, 31), advocase_domain::reporting::ReportingPeriod::Quarterly));
            assert_eq!(periods.len(), 5);
            let together = db.store.report_facts_by_period(&s.commissioner, s.contract, &periods, &calendar, today()).unwrap();
            tamper(&db, "DELETE FROM report_snapshots");
            for (period, together) in periods.iter().zip(&together) {
                let alone = db.store.report_facts(&s.commissioner, s.contract, *period, &calendar, today()).unwrap();
                assert_eq!(format!("{together:?}"), format!("{alone:?}"), "{period:?}");
            }
            let count = |facts: &advocase_storage::commissioning::ReportFacts, id: &str, code: &str| {
                facts.breakdown(id).unwrap().rows.iter().find(|(c, _)| c == code).unwrap().1
            };
            // The year is the sum of its quarters where it should be, and the edges fall
            // where UK midnight puts them.
            assert_eq!(count(&together[0], "referrals-by-area", "Northshire"), 7);
            let by_quarter: Vec<u64> = together[1..].iter().map(|f| count(f, "cases-opened-by-duty", "care_act")).collect();
            assert_eq!(by_quarter, [2, 2, 1, 2]);
            assert_eq!(count(&together[0], "contacts-by-mode", "phone"), 3);
            assert_eq!(together[0].contact_minutes, 30 + 32 + 34);
            assert_eq!(count(&together[0], "outcomes-by-level", "achieved"), 3);
            assert_eq!(count(&together[0], "outcomes-by-process", "assessment"), 3);
            assert_eq!(count(&together[0], "outcomes-by-duty", "care_act"), 3);
            assert_eq!(count(&together[0], "outcomes-own-view", "not_recorded"), 3);
            assert_eq!(together[0].outcomes, (3, 3));
            // Every case opened in the year is timed once, whichever month it opened in.
            let timed: u64 = together[0].breakdown("first-contact").unwrap().rows.iter().map(|(_, n)| n).sum();
            assert_eq!(timed, 7);
            assert_eq!(together[0].first_contact_days.0.len() + together[0].first_contact_days.1.len(), 4);
            assert_eq!(count(&together[4], "waiting-at-end", "waiting"), 4);
            assert_eq!(count(&together[0], "waiting-at-end", "waiting"), 4);
            assert_eq!(count(&together[0], "equality-ethnicity", "asian"), 3);
            assert_eq!(count(&together[0], "cases-closed-by-reason", "completed"), 2);
        }

        fn finished_periods_are_counted_in_the_background_once_they_have_settled(db) {
            let (s, calendar) = nine_referrals_in_the_first_quarter(&db);
            // No period of a contract that started in 2025 ended a hundred years ago.
            assert_eq!(db.store.count_settled_reports(&calendar, today(), 36_500, 10).unwrap(), 0);
            // A backlog is worked through a few periods at a time, each counted once.
            assert_eq!(db.store.count_settled_reports(&calendar, today(), 14, 3).unwrap(), 3);
            let mut runs = 1;
            while db.store.count_settled_reports(&calendar, today(), 14, 3).unwrap() > 0 {
                runs += 1;
                assert!(runs < 20, "the background count never ran out of periods");
            }
            assert!(runs >= 3, "seven finished quarters and a year take three runs of three");
            // A referral entered late changes nothing: the figures were kept when counted.
            accepted(&db.store, &s, 9, "Northshire");
            into_first_quarter(&db);
            let facts = db.store.report_facts(&s.commissioner, s.contract, first_quarter(), &calendar, today()).unwrap();
            let received = facts.breakdown("referrals-by-area").unwrap().rows.iter().find(|(c, _)| c == "Northshire").unwrap().1;
            assert_eq!(received, 9);
            let counted = count_of(
                &db,
                "SELECT COUNT(*) AS n FROM audit_entries WHERE record_type = 'contract_report' AND actor_user_id IS NULL",
            );
            assert!(counted >= 7, "each background count is in the audit trail");
        }

        fn a_change_of_name_funding_threshold_or_targets_keeps_the_kept_figures(db) {
            let (s, calendar) = nine_referrals_in_the_first_quarter(&db);
            assert_eq!(northshire_in_first_quarter(&db.store, &s, &calendar), 9);
            assert_eq!(kept(&db, s.contract), 1);
            // A referral entered late, dated in the quarter already reported.
            accepted(&db.store, &s, 9, "Northshire");
            into_first_quarter(&db);
            let renamed = changed(&db.store, &s, |a| {
                a.name = "Care Act and IMHA in Northshire".into();
                a.core_funding = "120000".into();
                a.threshold = "9".into();
                a.target_declined = "10".into();
            });
            db.store.change_contract(&s.manager, s.contract, 1, &renamed).unwrap();
            let saved = db.store.contract(&s.commissioner, s.contract).unwrap().record;
            assert_eq!(saved.name, "Care Act and IMHA in Northshire");
            assert_eq!((saved.version, saved.core_funding_pence, saved.threshold, saved.target_declined), (2, 12_000_000, 9, Some(10)));
            // Nothing the reports count changed, so the figures already kept stay.
            assert_eq!(kept(&db, s.contract), 1);
            assert_eq!(northshire_in_first_quarter(&db.store, &s, &calendar), 9);
            let audited = changes_audited(&db.store, &s);
            assert_eq!(audited.len(), 1);
            assert!(audited[0].contains("changed name, funding, threshold, targets"), "{}", audited[0]);
        }

        fn what_the_reports_count_is_fixed_once_one_is_counted(db) {
            let (s, calendar) = nine_referrals_in_the_first_quarter(&db);
            // Before any report is counted, what they count may still change.
            let wider = changed(&db.store, &s, |a| a.areas = "Northshire, Southby".into());
            db.store.change_contract(&s.manager, s.contract, 1, &wider).unwrap();
            assert_eq!(kept(&db, s.contract), 0);
            assert_eq!(northshire_in_first_quarter(&db.store, &s, &calendar), 9);
            assert_eq!(kept(&db, s.contract), 1);
            // After it, a change of the areas or the days to first contact, or a lower
            // threshold, would let old and new figures be compared: each is refused by
            // its field, and nothing changes.
            let narrower = changed(&db.store, &s, |a| {
                a.areas = "Northshire".into();
                a.standard_days = "10".into();
                a.threshold = "5".into();
            });
            match db.store.change_contract(&s.manager, s.contract, 2, &narrower) {
                Err(StoreError::Invalid(invalid)) => {
                    for field in ["areas", "standard_days", "threshold"] {
                        assert!(invalid.message_for(field).is_some(), "{field}: {invalid:?}");
                    }
                }
                other => panic!("expected the counted terms to be refused, got {other:?}"),
            }
            let saved = db.store.contract(&s.manager, s.contract).unwrap().record;
            assert_eq!((saved.version, saved.areas.as_str(), saved.standard_days), (2, "Northshire\nSouthby", 5));
            assert_eq!(kept(&db, s.contract), 1);
            assert_eq!(northshire_in_first_quarter(&db.store, &s, &calendar), 9);
            let audited = changes_audited(&db.store, &s);
            assert_eq!(audited.len(), 1, "only the change made is in the audit trail");
            assert!(audited[0].contains("changed areas"), "{}", audited[0]);
        }

        fn a_stale_change_of_a_contract_is_refused_and_changes_nothing(db) {
            let s = setting(&db.store);
            let first = changed(&db.store, &s, |a| a.name = "First".into());
            let second = changed(&db.store, &s, |a| a.name = "Second".into());
            db.store.change_contract(&s.manager, s.contract, 1, &first).unwrap();
            // Another manager still holding the form as it was at version 1.
            assert!(matches!(db.store.change_contract(&s.manager, s.contract, 1, &second), Err(StoreError::Conflict)));
            let saved = db.store.contract(&s.manager, s.contract).unwrap().record;
            assert_eq!((saved.name.as_str(), saved.version), ("First", 2));
            // A commissioner that is no commissioning organisation is refused by field.
            let provider = changed(&db.store, &s, |a| a.commissioner = s.manager.organisation_id.to_string());
            match db.store.change_contract(&s.manager, s.contract, 2, &provider) {
                Err(StoreError::Invalid(invalid)) => assert!(invalid.message_for("commissioner").is_some()),
                other => panic!("expected a commissioner error, got {other:?}"),
            }
            let saved = db.store.contract(&s.manager, s.contract).unwrap().record;
            assert_eq!((saved.name.as_str(), saved.version), ("First", 2));
            assert_eq!(changes_audited(&db.store, &s).len(), 1);
        }

        fn only_the_providers_managers_change_a_contract(db) {
            let s = setting(&db.store);
            let renamed = changed(&db.store, &s, |a| a.name = "Renamed".into());
            for outsider in [&s.commissioner, &s.other_commissioner, &s.other_manager, &s.advocate, &s.intake] {
                assert!(
                    matches!(db.store.change_contract(outsider, s.contract, 1, &renamed), Err(StoreError::NotFound)),
                    "{:?}", outsider.role
                );
            }
            // Not theirs is answered as not there.
            assert!(matches!(db.store.change_contract(&s.manager, 999_999, 1, &renamed), Err(StoreError::NotFound)));
            let saved = db.store.contract(&s.manager, s.contract).unwrap().record;
            assert_eq!((saved.name.as_str(), saved.version), ("Care Act and IMHA", 1));
            assert!(changes_audited(&db.store, &s).is_empty());
        }
    }

    /// The setting's contract as saved now, with `change` made to it as typed.
    fn changed(
        store: &Store,
        s: &Setting,
        change: impl FnOnce(&mut ContractAnswers),
    ) -> advocase_domain::reporting::NewContract {
        let council = store
            .contract(&s.manager, s.contract)
            .unwrap()
            .record
            .commissioner_id;
        let mut answers = contract_answers(council);
        change(&mut answers);
        answers.parse().unwrap()
    }

    /// The referrals from Northshire in the first quarter's report, as the
    /// commissioner reads it.
    fn northshire_in_first_quarter(
        store: &Store,
        s: &Setting,
        calendar: &WorkingDayCalendar,
    ) -> u64 {
        let facts = store
            .report_facts(
                &s.commissioner,
                s.contract,
                first_quarter(),
                calendar,
                today(),
            )
            .unwrap();
        facts
            .breakdown("referrals-by-area")
            .unwrap()
            .rows
            .iter()
            .find(|(c, _)| c == "Northshire")
            .unwrap()
            .1
    }

    /// How many periods of a contract have their counts kept.
    fn kept(db: &TestDb, contract: i64) -> i64 {
        count_of(
            db,
            &format!("SELECT COUNT(*) AS n FROM report_snapshots WHERE contract_id = {contract}"),
        )
    }

    /// Why each change to the setting's contract was made, as the audit trail says,
    /// oldest first.
    fn changes_audited(store: &Store, s: &Setting) -> Vec<String> {
        let mut entries = store
            .search_audit(
                &s.manager,
                &AuditQuery {
                    action: Some(AuditAction::Update),
                    record_type: Some("contract".into()),
                    record_id: Some(s.contract.to_string()),
                    ..Default::default()
                },
            )
            .unwrap();
        entries.reverse();
        entries
            .into_iter()
            .map(|e| e.reason.unwrap_or_default())
            .collect()
    }
}

mod assessment_storage {
    use super::casework_storage::provider;
    use super::*;
    use advocase_domain::assessment::{
        Assessment, AssessmentAnswers, Framework, ItemAnswers, Policy, PolicyAnswers, Rating,
    };
    use chrono::NaiveDate;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    /// Every item of `framework` rated `rating`, except those named in `overrides`.
    fn assessment(
        framework: Framework,
        on: &str,
        rating: &str,
        overrides: &[(&str, &str)],
        evidence: impl Fn(&str, &mut ItemAnswers),
    ) -> Assessment {
        AssessmentAnswers {
            assessed_on: on.into(),
            note: String::new(),
            items: framework
                .items()
                .into_iter()
                .map(|item| {
                    let code = item.as_str();
                    let rating = overrides
                        .iter()
                        .find(|(c, _)| *c == code)
                        .map_or(rating, |(_, r)| *r);
                    let mut answers = ItemAnswers {
                        rating: rating.into(),
                        strengths: "Strong here".into(),
                        actions: "Act here".into(),
                        ..Default::default()
                    };
                    evidence(code, &mut answers);
                    (code.to_string(), answers)
                })
                .collect(),
        }
        .parse(framework, today(), |item| item.as_str().to_string())
        .unwrap()
    }

    fn qpm(on: &str, overrides: &[(&str, &str)]) -> Assessment {
        assessment(Framework::Qpm, on, "green", overrides, |_, _| {})
    }

    fn policy(kind: &str, owner: &Actor, due: &str) -> Policy {
        PolicyAnswers {
            kind: kind.into(),
            title: if kind == "other" {
                "Lone working".into()
            } else {
                String::new()
            },
            owner: owner.user_id.to_string(),
            last_reviewed_on: "2025-01-10".into(),
            review_due_on: due.into(),
            ..Default::default()
        }
        .parse(today())
        .unwrap()
    }

    fn council(store: &Store, name: &str) -> Actor {
        let org = store
            .create_organisation(OrganisationKind::Commissioner, name)
            .unwrap();
        add_user(
            store,
            org,
            &format!("officer@{}.example", name.to_lowercase()),
            Role::Commissioner,
        )
    }

    /// A provider's manager with one QPM self-assessment linking a policy, a figures
    /// page and a case, and a policies register. For the export round trip.
    pub(super) fn populate_assessments(store: &Store, admin: &Actor) {
        let manager = add_user(
            store,
            admin.organisation_id,
            "assessor@north.example",
            Role::Manager,
        );
        let policy_id = store
            .add_policy(&manager, &policy("confidentiality", &manager, "2027-01-10"))
            .unwrap();
        let case_id: i64 = store
            .read(|conn| {
                use advocase_storage::schema::cases;
                Ok(cases::table
                    .filter(cases::provider_id.eq(admin.organisation_id))
                    .select(cases::id)
                    .first(conn)?)
            })
            .unwrap();
        let with_evidence = assessment(Framework::Qpm, "2026-11-01", "amber", &[], |code, a| {
            if code == "confidentiality" {
                a.policies = vec![policy_id.to_string()];
                a.pages = "/breaches".into();
                a.cases = case_id.to_string();
                a.evidence = "Breaches log reviewed".into();
            }
        });
        store
            .record_self_assessment(&manager, &with_evidence)
            .unwrap();
        let officer = council(store, "County");
        store
            .record_self_assessment(
                &officer,
                &assessment(
                    Framework::Commissioning,
                    "2026-10-01",
                    "red",
                    &[],
                    |_, _| {},
                ),
            )
            .unwrap();
    }

    on_both_backends! {
        fn a_manager_keeps_a_history_of_qpm_self_assessments_newest_first(db) {
            let p = provider(&db.store, "North");
            let first = db.store.record_self_assessment(&p.manager, &qpm("2026-05-01", &[("independence", "red"), ("equality", "amber")])).unwrap();
            let second = db.store.record_self_assessment(&p.manager, &qpm("2026-11-01", &[("independence", "amber"), ("confidentiality", "red")])).unwrap();
            let history = db.store.self_assessments(&p.manager).unwrap();
            assert_eq!(history.iter().map(|h| h.record.id).collect::<Vec<_>>(), vec![second, first]);
            assert_eq!((history[0].green, history[0].amber, history[0].red), (6, 1, 1));
            assert_eq!((history[1].green, history[1].amber, history[1].red), (6, 1, 1));
            assert_eq!(history[0].completed_by, "manager@north.example");
            let file = db.store.self_assessment(&p.manager, second).unwrap();
            assert_eq!(file.items.len(), 8);
            assert_eq!(file.previous.as_ref().map(|(r, _)| r.id), Some(first));
            assert_eq!(file.previous_rating("independence"), Some(Rating::Red));
            assert_eq!(file.previous_rating("confidentiality"), Some(Rating::Green));
            assert_eq!(file.item("equality").unwrap().rating(), Rating::Green);
            // The earliest has nothing before it; the latest is the newest.
            assert!(db.store.self_assessment(&p.manager, first).unwrap().previous.is_none());
            assert_eq!(db.store.latest_self_assessment(&p.manager).unwrap().unwrap().record.id, second);
        }

        fn nobody_but_the_organisation_sees_its_self_assessments(db) {
            let p = provider(&db.store, "North");
            let south = provider(&db.store, "South");
            let officer = council(&db.store, "County");
            let other_officer = council(&db.store, "Borough");
            let mine = db.store.record_self_assessment(&p.manager, &qpm("2026-11-01", &[])).unwrap();
            let theirs = db.store.record_self_assessment(&officer, &assessment(Framework::Commissioning, "2026-11-01", "amber", &[], |_, _| {})).unwrap();
            let admin = add_user(&db.store, p.manager.organisation_id, "admin@north.example", Role::Administrator);
            let intake = add_user(&db.store, p.manager.organisation_id, "intake2@north.example", Role::IntakeWorker);
            for (who, actor, visible) in [
                ("advocate", &p.first, None),
                ("intake worker", &intake, None),
                ("administrator", &admin, None),
                ("another provider's manager", &south.manager, None),
                ("another council's commissioner", &other_officer, None),
                ("the commissioner", &officer, Some(theirs)),
                ("the manager", &p.manager, Some(mine)),
            ] {
                for id in [mine, theirs] {
                    let answer = db.store.self_assessment(actor, id);
                    if visible == Some(id) {
                        assert!(answer.is_ok(), "{who} reads their own");
                    } else {
                        assert!(matches!(answer, Err(StoreError::NotFound)), "{who} reads {id}");
                    }
                }
                assert!(matches!(db.store.self_assessment(actor, 999_999), Err(StoreError::NotFound)));
                let history = db.store.self_assessments(actor);
                match visible {
                    Some(id) => assert_eq!(history.unwrap().iter().map(|h| h.record.id).collect::<Vec<_>>(), vec![id]),
                    None => assert!(history.map(|h| h.is_empty()).unwrap_or(true), "{who} lists none"),
                }
            }
            // Each records only its own framework.
            assert!(matches!(db.store.record_self_assessment(&officer, &qpm("2026-11-01", &[])), Err(StoreError::NotFound)));
            assert!(matches!(db.store.record_self_assessment(&p.first, &qpm("2026-11-01", &[])), Err(StoreError::NotFound)));
            // A refused read is in the audit trail.
            let entries = db.store.search_audit(&south.manager, &AuditQuery { action: Some(AuditAction::Denied), ..Default::default() }).unwrap();
            assert!(entries.iter().any(|e| e.record_type == "self_assessment" && e.record_id.as_deref() == Some(&mine.to_string())));
        }

        fn evidence_must_be_the_providers_own_policy_and_a_case_the_manager_may_see(db) {
            let p = provider(&db.store, "North");
            let south = provider(&db.store, "South");
            let own = db.store.add_policy(&p.manager, &policy("confidentiality", &p.manager, "2027-01-10")).unwrap();
            let foreign = db.store.add_policy(&south.manager, &policy("confidentiality", &south.manager, "2027-01-10")).unwrap();
            let with = |policy: i64, case: i64| assessment(Framework::Qpm, "2026-11-01", "green", &[], move |code, a| {
                if code == "confidentiality" {
                    a.policies = vec![policy.to_string()];
                    a.cases = case.to_string();
                    a.pages = "/breaches".into();
                }
            });
            match db.store.record_self_assessment(&p.manager, &with(foreign, p.case_id)) {
                Err(StoreError::Invalid(invalid)) => {
                    assert_eq!(words(&invalid, "policies-confidentiality"), "Choose policies from the register");
                    assert!(invalid.message_for("cases-confidentiality").is_none());
                }
                other => panic!("expected a policy error, got {other:?}"),
            }
            // Another provider's case and a case that does not exist get the same words.
            let refused: Vec<String> = [south.case_id, 999_999].iter().map(|case| {
                match db.store.record_self_assessment(&p.manager, &with(own, *case)) {
                    Err(StoreError::Invalid(invalid)) => words(&invalid, "cases-confidentiality").replace(&case.to_string(), "N"),
                    other => panic!("expected a case error, got {other:?}"),
                }
            }).collect();
            assert_eq!(refused[0], refused[1]);
            assert!(db.store.self_assessments(&p.manager).unwrap().is_empty(), "nothing was stored");
            // A restricted person's case is evidence only for those named on it.
            let colleague = add_user(&db.store, p.manager.organisation_id, "colleague@north.example", Role::Manager);
            let id = db.store.record_self_assessment(&p.manager, &with(own, p.case_id)).unwrap();
            db.store.restrict_person(&p.manager, p.person_id, &[p.manager.user_id]).unwrap();
            assert!(matches!(db.store.record_self_assessment(&colleague, &with(own, p.case_id)), Err(StoreError::Invalid(_))));
            let seen = db.store.self_assessment(&colleague, id).unwrap();
            assert!(seen.links.iter().all(|l| l.case_id.is_none()), "the restricted case is left out");
            assert_eq!(seen.links.len(), 2);
            let file = db.store.self_assessment(&p.manager, id).unwrap();
            let links: Vec<_> = file.links_for("confidentiality").collect();
            assert_eq!(links.len(), 3);
            assert!(links.iter().any(|l| l.case_id == Some(p.case_id)));
            assert!(links.iter().any(|l| l.page.as_deref() == Some("/breaches")));
            assert_eq!(file.policy(own).map(|p| p.1.as_str()), Some("confidentiality"));
        }

        fn the_database_refuses_a_rating_without_its_words_and_a_link_off_the_site(db) {
            let p = provider(&db.store, "North");
            let id = db.store.record_self_assessment(&p.manager, &qpm("2026-11-01", &[])).unwrap();
            let mut conn = advocase_storage::DbConnection::establish(&db.url).unwrap();
            for sql in [
                format!("UPDATE self_assessment_items SET strengths = NULL WHERE assessment_id = {id} AND item = 'equality'"),
                format!("UPDATE self_assessment_items SET rating = 'red', actions = NULL WHERE assessment_id = {id} AND item = 'equality'"),
                format!("INSERT INTO self_assessment_links (assessment_id, item, page) VALUES ({id}, 'equality', '//evil.example')"),
                format!("INSERT INTO self_assessment_links (assessment_id, item, page, case_id) VALUES ({id}, 'equality', '/quality', {})", p.case_id),
            ] {
                assert!(diesel::sql_query(&sql).execute(&mut conn).is_err(), "{sql}");
            }
        }

        fn a_sampled_case_stops_being_evidence_when_the_person_is_destroyed(db) {
            let p = provider(&db.store, "North");
            let sampled = assessment(Framework::Qpm, "2026-11-01", "green", &[], |code, a| {
                if code == "supporting_advocates" {
                    a.cases = p.case_id.to_string();
                }
            });
            let id = db.store.record_self_assessment(&p.manager, &sampled).unwrap();
            tamper(&db, &format!("UPDATE cases SET status = 'closed', opened_at = '2018-01-01 09:00:00', closed_at = '2018-01-01 11:00:00' WHERE id = {}", p.case_id));
            tamper(&db, &format!("UPDATE people SET created_at = '2018-01-01 08:00:00' WHERE id = {}", p.person_id));
            assert_eq!(db.store.destroy_people(&p.manager, &[p.person_id], today(), 7).unwrap(), 1);
            let file = db.store.self_assessment(&p.manager, id).unwrap();
            assert!(file.links.is_empty());
            assert_eq!(file.item("supporting_advocates").unwrap().rating(), Rating::Green);
        }

        fn a_manager_keeps_the_policies_register(db) {
            let p = provider(&db.store, "North");
            let south = provider(&db.store, "South");
            let id = db.store.add_policy(&p.manager, &policy("complaints", &p.first, "2026-10-01")).unwrap();
            db.store.add_policy(&p.manager, &policy("training", &p.manager, "2027-10-01")).unwrap();
            db.store.add_policy(&p.manager, &policy("other", &p.manager, "2026-01-01")).unwrap();
            db.store.add_policy(&p.manager, &policy("other", &p.manager, "2027-01-01")).unwrap();
            let register = db.store.policies(&p.manager).unwrap();
            assert_eq!(register.len(), 4);
            let complaints = register.iter().find(|r| r.record.id == id).unwrap();
            assert_eq!(complaints.owner, "first@north.example");
            assert_eq!(db.store.overdue_policy_count(&p.manager, today()).unwrap(), 2);
            // A required policy is in the register once.
            match db.store.add_policy(&p.manager, &policy("complaints", &p.manager, "2027-01-01")) {
                Err(StoreError::Invalid(invalid)) => assert!(invalid.message_for("kind").is_some()),
                other => panic!("expected a duplicate error, got {other:?}"),
            }
            // Its owner works for the provider.
            match db.store.add_policy(&p.manager, &policy("safety_of_staff", &south.manager, "2027-01-01")) {
                Err(StoreError::Invalid(invalid)) => assert_eq!(words(&invalid, "owner"), "Choose the owner from the list"),
                other => panic!("expected an owner error, got {other:?}"),
            }
            // A change made from a stale version is refused, and the saved one stays.
            let reviewed = policy("complaints", &p.manager, "2027-11-01");
            db.store.update_policy(&p.manager, id, 1, &reviewed).unwrap();
            assert!(matches!(db.store.update_policy(&p.manager, id, 1, &policy("complaints", &p.first, "2028-01-01")), Err(StoreError::Conflict)));
            let saved = db.store.policy(&p.manager, id).unwrap();
            assert_eq!(saved.record.version, 2);
            assert_eq!(saved.record.review_due_on, NaiveDate::from_ymd_opt(2027, 11, 1).unwrap());
            assert_eq!(db.store.overdue_policy_count(&p.manager, today()).unwrap(), 1);
            // Nobody else reads or changes the register.
            let officer = council(&db.store, "County");
            for actor in [&south.manager, &p.first, &officer] {
                assert!(matches!(db.store.policy(actor, id), Err(StoreError::NotFound)));
                assert!(matches!(db.store.update_policy(actor, id, 2, &reviewed), Err(StoreError::NotFound)));
            }
            assert!(matches!(db.store.policies(&p.first), Err(StoreError::NotFound)));
            assert!(db.store.policies(&south.manager).unwrap().is_empty());
            assert!(matches!(db.store.add_policy(&p.first, &reviewed), Err(StoreError::NotFound)));
        }
    }
}

/// A bulk load into an empty SQLite database sets the indexes of the tables it fills
/// aside while it writes; a load that fails part of the way leaves the database as it
/// found it, indexes and all, and wrote none of its rows.
#[test]
fn a_failed_bulk_load_leaves_the_indexes_and_no_rows_behind() {
    use advocase_storage::bulk::Batch;
    use advocase_storage::workforce::NewEqualityAnswer;
    let db = TestDb::new(TestBackend::Sqlite).unwrap();
    let indexes = || advocase_testkit::sqlite_indexes(&db.store);
    let before = indexes();
    assert!(
        before.iter().any(|(name, _)| name == "contacts_case"),
        "{before:?}"
    );
    let answer = |provider_id| NewEqualityAnswer {
        provider_id,
        user_id: None,
        person_id: None,
        characteristic: "sex".into(),
        answer: "prefer_not_to_say".into(),
        recorded_at: chrono::NaiveDate::from_ymd_opt(2026, 1, 5)
            .and_then(|d| d.and_hms_opt(10, 0, 0))
            .unwrap(),
    };
    let provider = db
        .store
        .create_organisation(OrganisationKind::Provider, "North")
        .unwrap();
    let keys = db.store.keys().unwrap();
    // The first batch is good; the second names a provider that does not exist.
    let batches = [
        Batch {
            equality: vec![answer(provider)],
            ..Batch::default()
        },
        Batch {
            equality: vec![answer(provider + 1000)],
            ..Batch::default()
        },
    ]
    .map(|batch| batch.seal(keys));
    let numbered_after = db.store.largest_ids().unwrap();
    let loaded = db
        .store
        .bulk_load(&numbered_after, batches, &mut |_| {}, |_| {
            advocase_storage::audit::AuditEvent::anonymous(AuditAction::Create, "demo_data", None)
        });
    assert!(loaded.is_err(), "the load with a bad row failed");
    assert_eq!(indexes(), before);
    assert_eq!(
        count_of(&db, "SELECT COUNT(*) AS n FROM equality_answers"),
        0
    );
    assert_eq!(
        count_of(
            &db,
            "SELECT COUNT(*) AS n FROM audit_entries WHERE record_type = 'demo_data'"
        ),
        0
    );
}
