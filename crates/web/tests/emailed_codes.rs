//! Black-box tests of signing in with an emailed code: a person who uses the service
//! asks for a code, reads it in the email a real (test) SMTP server received, and signs
//! in with it once. Staff and unknown addresses get the same page and no email; wrong
//! and expired codes count like wrong passwords; without mail settings the pages do not
//! exist; and a mail server that is down is said plainly, with nothing kept.

mod common;

use advocase_domain::identity::EmailAddress;
use advocase_testkit::mail::{MailServer, unreachable_mail_url};
use advocase_web::WebConfig;
use axum::http::StatusCode;
use common::*;
use secrecy::SecretString;
use std::time::Duration;

const PERSON: &str = "ada@example.org";

fn mail_config(url: String) -> WebConfig {
    WebConfig {
        smtp_url: SecretString::from(url),
        mail_from: "North Advocacy <advocase@north.example>".into(),
        ..WebConfig::default()
    }
}

/// The allocated casework fixture on an app that sends mail to `url`, with the person
/// given their own sign-in at `PERSON`. They never choose a password: the emailed code
/// is their way in. Returns the fixture and the person's account.
async fn person_with_mail(url: String) -> (Casework, i64) {
    let w = allocated_casework_with(mail_config(url));
    let manager = w.app.session_for(w.manager);
    let invited = w
        .app
        .post_form(
            &format!("/people/{}/invite", w.person_id),
            Some(&manager),
            &encode(&[("email", PERSON)]),
        )
        .await;
    assert_eq!(invited.status, StatusCode::OK, "{}", invited.body);
    let user = account(&w.app, PERSON).expect("the invitation made an account");
    (w, user.id)
}

fn account(app: &TestApp, email: &str) -> Option<advocase_storage::accounts::UserRecord> {
    app.db
        .store
        .user_by_email(&EmailAddress::parse("email", email).unwrap())
        .unwrap()
}

async fn ask(app: &TestApp, email: &str) -> Answer {
    app.post_form("/sign-in/code", None, &encode(&[("email", email)]))
        .await
}

async fn enter(app: &TestApp, email: &str, code: &str) -> Answer {
    app.post_form(
        "/sign-in/code/enter",
        None,
        &encode(&[("email", email), ("code", code)]),
    )
    .await
}

/// The code in the newest email the server received.
fn newest_code(mail: &MailServer, count: usize) -> String {
    let messages = mail.wait_for(count, Duration::from_secs(5));
    assert_eq!(messages.len(), count, "emails received");
    messages
        .last()
        .unwrap()
        .digits_after("Your Advocase sign-in code is", 6)
        .expect("the email gives a six-digit code")
}

/// A six-digit code that is not `code`.
fn other_than(code: &str) -> String {
    if code == "000000" {
        "000001".into()
    } else {
        "000000".into()
    }
}

/// How many sign-in codes the database holds, read past the store.
fn stored_codes(app: &TestApp) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn =
        <advocase_storage::DbConnection as diesel::Connection>::establish(&app.db.url).unwrap();
    let rows: Vec<Count> = diesel::RunQueryDsl::load(
        diesel::sql_query(
            "SELECT COUNT(*) AS n FROM one_time_links WHERE purpose = 'sign_in_code'",
        ),
        &mut conn,
    )
    .unwrap();
    rows[0].n
}

/// What the database keeps of the one sign-in code it holds.
fn stored_code_hash(app: &TestApp) -> String {
    #[derive(diesel::QueryableByName)]
    struct Kept {
        #[diesel(sql_type = diesel::sql_types::Text)]
        token_hash: String,
    }
    let mut conn =
        <advocase_storage::DbConnection as diesel::Connection>::establish(&app.db.url).unwrap();
    let rows: Vec<Kept> = diesel::RunQueryDsl::load(
        diesel::sql_query("SELECT token_hash FROM one_time_links WHERE purpose = 'sign_in_code'"),
        &mut conn,
    )
    .unwrap();
    rows.into_iter().next().expect("a stored code").token_hash
}

fn tamper(app: &TestApp, sql: &str) {
    let mut conn =
        <advocase_storage::DbConnection as diesel::Connection>::establish(&app.db.url).unwrap();
    diesel::RunQueryDsl::execute(diesel::sql_query(sql), &mut conn).unwrap();
}

#[tokio::test]
async fn a_person_signs_in_once_with_the_code_from_their_email() {
    let mail = MailServer::start();
    let (w, person) = person_with_mail(mail.url()).await;
    let sign_in = w.app.get("/sign-in", None).await;
    assert!(
        sign_in
            .body
            .contains(r#"href="/sign-in/code">Sign in with a code sent to your email</a>"#),
        "{}",
        sign_in.body
    );
    let form = w.app.get("/sign-in/code", None).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains(r#"action="/sign-in/code""#));

    let asked = ask(&w.app, PERSON).await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
    assert!(
        asked
            .body
            .contains("If that address has an account, we have sent a code to it."),
        "{}",
        asked.body
    );
    assert!(asked.body.contains(r#"action="/sign-in/code/enter""#));
    let messages = mail.wait_for(1, Duration::from_secs(5));
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].to, vec![PERSON.to_string()]);
    assert_eq!(messages[0].from, "advocase@north.example");
    let text = messages[0].text();
    assert!(
        text.contains("Subject: Your Advocase sign-in code"),
        "{text}"
    );
    assert!(text.contains("It works for 10 minutes."), "{text}");
    assert!(
        text.contains("If you did not ask for it, you can ignore this email."),
        "{text}"
    );
    let code = newest_code(&mail, 1);
    assert_eq!(stored_codes(&w.app), 1);
    let kept = stored_code_hash(&w.app);
    assert_eq!(kept.len(), 64, "only a SHA-256 of the code is kept");
    assert!(!kept.contains(&code));

    let signed_in = enter(&w.app, PERSON, &code).await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.body
    );
    assert_eq!(
        location(&signed_in),
        "/",
        "no two-factor unless they chose it"
    );
    let session = session_cookie(&signed_in).expect("a session cookie");
    let home = w.app.get("/", Some(&session)).await;
    assert_eq!(location(&home), "/my-records");
    let records = w.app.get("/my-records", Some(&session)).await;
    assert_eq!(records.status, StatusCode::OK);
    assert!(records.body.contains("Your records"), "{}", records.body);

    // The code works once.
    let again = enter(&w.app, PERSON, &code).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(session_cookie(&again).is_none());
    assert!(
        again
            .body
            .contains("Enter the code from the newest email we sent you."),
        "{}",
        again.body
    );

    // Each step is in the audit trail, as a password sign-in is.
    let manager = w.app.actor(w.manager);
    let entries = w
        .app
        .db
        .store
        .search_audit(&manager, &Default::default())
        .unwrap();
    let id = person.to_string();
    let about_them = |action: &str, record_type: &str| {
        entries
            .iter()
            .filter(|e| {
                e.action == action
                    && e.record_type == record_type
                    && e.record_id.as_deref() == Some(id.as_str())
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        about_them("create", "sign_in_code").len(),
        1,
        "the code emailed"
    );
    let signed_in = about_them("sign_in", "user");
    assert_eq!(signed_in.len(), 1);
    assert_eq!(signed_in[0].reason.as_deref(), Some("emailed code"));
    assert_eq!(
        about_them("sign_in_failed", "user").len(),
        1,
        "the second use of the code"
    );
}

#[tokio::test]
async fn a_person_who_chose_two_factor_still_gives_their_app_code_after_the_emailed_one() {
    let mail = MailServer::start();
    let (w, _) = person_with_mail(mail.url()).await;
    tamper(
        &w.app,
        "UPDATE users SET totp_secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP' WHERE role = 'person'",
    );
    ask(&w.app, PERSON).await;
    let code = newest_code(&mail, 1);
    let signed_in = enter(&w.app, PERSON, &code).await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER);
    assert_eq!(location(&signed_in), "/two-factor");
    let session = session_cookie(&signed_in).unwrap();
    let records = w.app.get("/my-records", Some(&session)).await;
    assert_ne!(
        records.status,
        StatusCode::OK,
        "nothing is read before the second step"
    );
}

#[tokio::test]
async fn wrong_codes_are_refused_and_count_towards_the_lock_out() {
    let mail = MailServer::start();
    let (w, person) = person_with_mail(mail.url()).await;
    ask(&w.app, PERSON).await;
    let code = newest_code(&mail, 1);
    let wrong = other_than(&code);
    let refused = enter(&w.app, PERSON, &wrong).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("govuk-error-summary"));
    assert!(
        refused.body.contains(r##"href="#code""##),
        "{}",
        refused.body
    );
    assert!(
        refused
            .body
            .contains("After 5 wrong attempts in a row, the account is locked for 15 minutes."),
        "{}",
        refused.body
    );
    assert!(session_cookie(&refused).is_none());
    let user = w.app.db.store.user_by_id(person).unwrap().unwrap();
    assert_eq!(user.failed_sign_ins, 1);
    for _ in 1..5 {
        enter(&w.app, PERSON, &wrong).await;
    }
    let user = w.app.db.store.user_by_id(person).unwrap().unwrap();
    assert!(
        user.is_locked(advocase_storage::now()),
        "five wrong codes lock the account"
    );
    // Locked, even the right code is refused, and it is not used up by the refusal.
    let locked = enter(&w.app, PERSON, &code).await;
    assert_eq!(locked.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(session_cookie(&locked).is_none());
    // A locked account is sent no new code either.
    let asked = ask(&w.app, PERSON).await;
    assert_eq!(asked.status, StatusCode::OK);
    assert_eq!(mail.wait_for(2, Duration::from_millis(300)).len(), 1);
}

#[tokio::test]
async fn an_expired_code_signs_no_one_in() {
    let mail = MailServer::start();
    let (w, person) = person_with_mail(mail.url()).await;
    ask(&w.app, PERSON).await;
    let code = newest_code(&mail, 1);
    tamper(
        &w.app,
        "UPDATE one_time_links SET expires_at = '2000-01-01 00:00:00' WHERE purpose = 'sign_in_code'",
    );
    let refused = enter(&w.app, PERSON, &code).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(session_cookie(&refused).is_none());
    let user = w.app.db.store.user_by_id(person).unwrap().unwrap();
    assert_eq!(
        user.failed_sign_ins, 1,
        "an expired code counts as a wrong one"
    );
}

#[tokio::test]
async fn an_unknown_address_gets_the_same_page_and_no_email() {
    let mail = MailServer::start();
    let (w, _) = person_with_mail(mail.url()).await;
    let known = ask(&w.app, PERSON).await;
    assert_eq!(mail.wait_for(1, Duration::from_secs(5)).len(), 1);
    let unknown = ask(&w.app, "nobody@example.org").await;
    assert_eq!(unknown.status, known.status);
    // The only difference is the address each typed, which the form shows back.
    assert_eq!(
        unknown.body.replace("nobody@example.org", "ADDRESS"),
        known.body.replace(PERSON, "ADDRESS")
    );
    assert_eq!(
        mail.wait_for(2, Duration::from_millis(300)).len(),
        1,
        "no email for an unknown address"
    );
    // The mail server was still asked whether it answers.
    assert!(mail.connections() >= 2);
    let refused = enter(&w.app, "nobody@example.org", "123456").await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(session_cookie(&refused).is_none());
}

#[tokio::test]
async fn a_member_of_staff_is_sent_no_code_and_none_signs_them_in() {
    let mail = MailServer::start();
    let (w, _) = person_with_mail(mail.url()).await;
    let asked = ask(&w.app, "manager@north.example").await;
    assert_eq!(asked.status, StatusCode::OK);
    assert!(
        asked
            .body
            .contains("If that address has an account, we have sent a code to it.")
    );
    assert!(
        mail.wait_for(1, Duration::from_millis(300)).is_empty(),
        "staff sign in with a password and two-factor"
    );
    assert_eq!(stored_codes(&w.app), 0);
    let refused = enter(&w.app, "manager@north.example", "123456").await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(session_cookie(&refused).is_none());
    let manager = w.app.db.store.user_by_id(w.manager).unwrap().unwrap();
    assert_eq!(
        manager.failed_sign_ins, 1,
        "a guessed code counts against the account like a guessed password"
    );
}

#[tokio::test]
async fn without_mail_settings_there_is_no_link_and_no_such_pages() {
    let app = TestApp::new();
    let sign_in = app.get("/sign-in", None).await;
    assert_eq!(sign_in.status, StatusCode::OK);
    assert!(!sign_in.body.contains("/sign-in/code"));
    assert!(!sign_in.body.contains("Sign in with a code"));
    for path in ["/sign-in/code", "/sign-in/code/enter"] {
        assert_eq!(
            app.get(path, None).await.status,
            StatusCode::NOT_FOUND,
            "GET {path}"
        );
    }
    assert_eq!(ask(&app, PERSON).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        enter(&app, PERSON, "123456").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn when_the_mail_server_is_down_the_person_is_told_plainly_and_nothing_is_kept() {
    let (w, person) = person_with_mail(unreachable_mail_url()).await;
    let asked = ask(&w.app, PERSON).await;
    assert_eq!(asked.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        asked.body.contains("We could not send your code"),
        "{}",
        asked.body
    );
    assert!(
        asked
            .body
            .contains("Try again in a few minutes, or sign in with your password."),
        "{}",
        asked.body
    );
    assert_eq!(
        stored_codes(&w.app),
        0,
        "no code is kept that was never sent"
    );
    let user = w.app.db.store.user_by_id(person).unwrap().unwrap();
    assert_eq!(user.failed_sign_ins, 0);
    // An address without an account is told the same, so the answer says nothing about
    // who has one.
    let unknown = ask(&w.app, "nobody@example.org").await;
    assert_eq!(unknown.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(unknown.body, asked.body);
    // The easy-read version says it in easy read.
    let easy = w
        .app
        .post_form(
            "/sign-in/code",
            None,
            &encode(&[("email", PERSON), ("view", "easy-read")]),
        )
        .await;
    assert_eq!(easy.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(easy.body.contains("Sorry, we could not send the email"));
}

#[tokio::test]
async fn empty_or_malformed_input_is_named_in_the_error_summary_and_changes_nothing() {
    let mail = MailServer::start();
    let (w, person) = person_with_mail(mail.url()).await;
    for (email, words) in [
        ("", "Enter an email address"),
        ("ada", "Enter an email address in the correct format"),
    ] {
        let answer = ask(&w.app, email).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{email:?}");
        assert!(answer.body.contains("govuk-error-summary"));
        assert!(
            answer.body.contains(r##"<a href="#email">"##),
            "{}",
            answer.body
        );
        assert!(answer.body.contains(words), "{email:?}: {}", answer.body);
    }
    for (code, words) in [
        ("", "Enter the code from the email we sent you"),
        ("12ab56", "Enter the code as 6 numbers, like 123456"),
        ("1234567", "Enter the code as 6 numbers, like 123456"),
    ] {
        let answer = enter(&w.app, PERSON, code).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{code:?}");
        assert!(
            answer.body.contains(r##"<a href="#code">"##),
            "{}",
            answer.body
        );
        assert!(answer.body.contains(words), "{code:?}: {}", answer.body);
    }
    let both = enter(&w.app, "", "").await;
    assert!(both.body.contains(r##"<a href="#email">"##));
    assert!(both.body.contains(r##"<a href="#code">"##));
    assert!(mail.wait_for(1, Duration::from_millis(300)).is_empty());
    let user = w.app.db.store.user_by_id(person).unwrap().unwrap();
    assert_eq!(user.failed_sign_ins, 0, "a typing slip is not a wrong code");
    // A code typed with a space between its halves is read as the six digits.
    ask(&w.app, PERSON).await;
    let code = newest_code(&mail, 1);
    let spaced = format!("{} {}", &code[..3], &code[3..]);
    assert_eq!(
        enter(&w.app, PERSON, &spaced).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn a_second_request_moments_later_sends_nothing_and_a_later_one_replaces_the_code() {
    let mail = MailServer::start();
    let (w, _) = person_with_mail(mail.url()).await;
    ask(&w.app, PERSON).await;
    let first = newest_code(&mail, 1);
    let again = ask(&w.app, PERSON).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(
        mail.wait_for(2, Duration::from_millis(300)).len(),
        1,
        "no second email within a minute"
    );
    tamper(
        &w.app,
        "UPDATE one_time_links SET created_at = '2000-01-01 00:00:00' WHERE purpose = 'sign_in_code'",
    );
    ask(&w.app, PERSON).await;
    let second = newest_code(&mail, 2);
    assert_eq!(
        stored_codes(&w.app),
        1,
        "the newer code replaced the earlier one"
    );
    if first != second {
        let refused = enter(&w.app, PERSON, &first).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let signed_in = enter(&w.app, PERSON, &second).await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_code_pages_have_an_easy_read_version() {
    let mail = MailServer::start();
    let (w, _) = person_with_mail(mail.url()).await;
    let plain = w.app.get("/sign-in/code", None).await;
    assert!(
        plain
            .body
            .contains(r#"href="/sign-in/code?view=easy-read""#)
    );
    let easy = w.app.get("/sign-in/code?view=easy-read", None).await;
    assert_eq!(easy.status, StatusCode::OK);
    assert!(easy.body.contains("app-easy-read"));
    assert!(easy.body.contains("You do not need your password."));
    assert!(easy.body.contains(r#"name="view" value="easy-read""#));
    let sent = w
        .app
        .post_form(
            "/sign-in/code",
            None,
            &encode(&[("email", PERSON), ("view", "easy-read")]),
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK);
    assert!(sent.body.contains("Look at your email"), "{}", sent.body);
    assert!(sent.body.contains("Use the code in the next 10 minutes."));
    let code = newest_code(&mail, 1);
    let wrong = w
        .app
        .post_form(
            "/sign-in/code/enter",
            None,
            &encode(&[
                ("email", PERSON),
                ("code", &other_than(&code)),
                ("view", "easy-read"),
            ]),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        wrong.body.contains("app-easy-read"),
        "the error keeps the easy-read version"
    );
    let entered = w.app.get("/sign-in/code/enter?view=easy-read", None).await;
    assert_eq!(entered.status, StatusCode::OK);
    assert!(entered.body.contains("The code from the email"));
}
