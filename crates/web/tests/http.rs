//! Black-box tests of the web application: real requests through the whole router and
//! its middleware, on a fresh SQLite database each.

mod common;

use advocase_domain::identity::{EmailAddress, OrganisationKind, Role};
use advocase_storage::accounts::NewUser;
use advocase_web::WebConfig;
use advocase_web::auth::{new_token, password, token_hash, totp};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::*;

#[tokio::test]
async fn signing_in_asks_for_two_factor_set_up_before_anything_else() {
    let app = TestApp::new();
    app.add_user(app.north, "ada@north.example", Role::Advocate);
    let answer = app
        .post_form(
            "/sign-in",
            None,
            &format!(
                "email=ada%40north.example&password={}",
                PASSWORD.replace(' ', "+")
            ),
        )
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert_eq!(location(&answer), "/two-factor/setup");
    let cookie = session_cookie(&answer).expect("a session cookie");
    let flags = answer
        .headers
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap();
    for flag in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"] {
        assert!(flags.contains(flag), "cookie lacks {flag}: {flags}");
    }
    // Nothing else opens before two-factor.
    let home = app.get("/", Some(&cookie)).await;
    assert_eq!(home.status, StatusCode::SEE_OTHER);
    let api = app.get("/api/v1/me", Some(&cookie)).await;
    assert_eq!(api.status, StatusCode::UNAUTHORIZED);

    // Enrol with the secret the page shows, and the code an app would compute.
    let setup = app.get("/two-factor/setup", Some(&cookie)).await;
    assert_eq!(setup.status, StatusCode::OK);
    let secret = setup
        .body
        .split("name=\"secret\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let code = totp::code_at(&secret, now).unwrap();
    let enrolled = app
        .post_form(
            "/two-factor/setup",
            Some(&cookie),
            &format!("secret={secret}&code={code}"),
        )
        .await;
    assert_eq!(enrolled.status, StatusCode::SEE_OTHER);
    assert_eq!(location(&enrolled), "/");
    assert_eq!(app.get("/", Some(&cookie)).await.status, StatusCode::OK);

    // A second sign-in needs a code, and the code already used is refused.
    let again = app
        .post_form(
            "/sign-in",
            None,
            &format!(
                "email=ada%40north.example&password={}",
                PASSWORD.replace(' ', "+")
            ),
        )
        .await;
    assert_eq!(location(&again), "/two-factor");
    let second = session_cookie(&again).unwrap();
    let reused = app
        .post_form("/two-factor", Some(&second), &format!("code={code}"))
        .await;
    assert_eq!(reused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reused.body.contains("govuk-error-summary"));
    assert_eq!(
        app.get("/", Some(&second)).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_account_even_against_the_right_one() {
    let app = TestApp::new();
    app.add_user(app.north, "ada@north.example", Role::Advocate);
    for _ in 0..5 {
        let answer = app
            .post_form(
                "/sign-in",
                None,
                "email=ada%40north.example&password=wrong+password+here",
            )
            .await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            answer
                .body
                .contains("Enter a correct email address and password")
        );
    }
    let right = app
        .post_form(
            "/sign-in",
            None,
            &format!(
                "email=ada%40north.example&password={}",
                PASSWORD.replace(' ', "+")
            ),
        )
        .await;
    assert_eq!(right.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(session_cookie(&right).is_none());
}

#[tokio::test]
async fn an_unknown_email_gets_the_same_answer_as_a_wrong_password() {
    let app = TestApp::new();
    app.add_user(app.north, "ada@north.example", Role::Advocate);
    let unknown = app
        .post_form(
            "/sign-in",
            None,
            "email=nobody%40north.example&password=whatever+it+is",
        )
        .await;
    let wrong = app
        .post_form(
            "/sign-in",
            None,
            "email=ada%40north.example&password=whatever+it+is",
        )
        .await;
    assert_eq!(unknown.status, wrong.status);
    assert_eq!(unknown.body.replace("nobody", "ada"), wrong.body);
}

#[tokio::test]
async fn a_cross_site_post_is_refused() {
    let app = TestApp::new();
    let id = app.add_user(app.north, "ada@north.example", Role::Advocate);
    let session = app.session_for(id);
    let request = Request::post("/settings/sign-out-everywhere")
        .header(header::HOST, "localhost")
        .header(header::ORIGIN, "https://evil.example")
        .header(header::COOKIE, format!("{COOKIE}={session}"))
        .body(Body::empty())
        .unwrap();
    let answer = app.send(request).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert!(answer.body.contains("This request was refused"));
    let request = Request::post("/sign-out")
        .header(header::HOST, "localhost")
        .header("sec-fetch-site", "cross-site")
        .header(header::COOKIE, format!("{COOKIE}={session}"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(app.send(request).await.status, StatusCode::FORBIDDEN);
    // The session survived both attempts.
    assert_eq!(app.get("/", Some(&session)).await.status, StatusCode::OK);
}

#[tokio::test]
async fn an_idle_session_expires() {
    let app = TestApp::new();
    let id = app.add_user(app.north, "ada@north.example", Role::Advocate);
    let session = app.session_for(id);
    assert_eq!(app.get("/", Some(&session)).await.status, StatusCode::OK);
    app.db
        .store
        .touch_session(
            &token_hash(&session),
            advocase_storage::now() - chrono::Duration::minutes(31),
        )
        .unwrap();
    let answer = app.get("/", Some(&session)).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert_eq!(location(&answer), "/sign-in");
    assert!(
        app.db
            .store
            .session(&token_hash(&session))
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn a_session_expires_at_its_absolute_time_out_however_active() {
    let app = TestApp::new();
    let id = app.add_user(app.north, "ada@north.example", Role::Advocate);
    let user = app.db.store.user_by_id(id).unwrap().unwrap();
    let token = new_token();
    app.db
        .store
        .start_session(
            &user,
            &token_hash(&token),
            advocase_storage::now() - chrono::Duration::seconds(1),
            true,
            None,
        )
        .unwrap();
    assert_eq!(
        app.get("/", Some(&token)).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn signing_out_everywhere_ends_every_session() {
    let app = TestApp::new();
    let id = app.add_user(app.north, "ada@north.example", Role::Advocate);
    let phone = app.session_for(id);
    let laptop = app.session_for(id);
    let answer = app
        .post_form("/settings/sign-out-everywhere", Some(&laptop), "")
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.get("/", Some(&phone)).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.get("/", Some(&laptop)).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn an_advocate_of_one_provider_cannot_read_an_account_of_another_and_is_told_not_found() {
    let app = TestApp::new();
    let ada = app.add_user(app.north, "ada@north.example", Role::Advocate);
    let bo = app.add_user(app.south, "bo@south.example", Role::Advocate);
    let session = app.session_for(ada);
    let own = app
        .get(&format!("/api/v1/users/{ada}"), Some(&session))
        .await;
    assert_eq!(own.status, StatusCode::OK);
    let other = app
        .get(&format!("/api/v1/users/{bo}"), Some(&session))
        .await;
    let missing = app.get("/api/v1/users/987654", Some(&session)).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    assert_eq!(other.body, missing.body);
    assert!(!other.body.contains("bo@south.example"));
    // The refusal is in the trail, as a denied access.
    let admin = app.add_user(app.north, "admin@north.example", Role::Administrator);
    let admin_actor = app
        .db
        .store
        .user_by_id(admin)
        .unwrap()
        .unwrap()
        .actor(None)
        .unwrap();
    let denied = app
        .db
        .store
        .search_audit(
            &admin_actor,
            &advocase_storage::audit::AuditQuery {
                action: Some(advocase_domain::audit::AuditAction::Denied),
                ..Default::default()
            },
        )
        .unwrap();
    assert!(
        denied
            .iter()
            .any(|e| e.record_id.as_deref() == Some(&bo.to_string()))
    );
}

#[tokio::test]
async fn an_administrator_page_answers_not_found_to_an_advocate() {
    let app = TestApp::new();
    let ada = app.add_user(app.north, "ada@north.example", Role::Advocate);
    let session = app.session_for(ada);
    for path in [
        "/admin/users",
        "/admin/tokens",
        "/admin/calendars",
        "/audit",
        "/metrics",
    ] {
        let answer = app.get(path, Some(&session)).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(
            answer.body,
            app.get("/no-such-page", Some(&session)).await.body,
            "{path}"
        );
    }
}

#[tokio::test]
async fn the_bank_holiday_page_says_what_is_shipped_and_names_a_wrong_day_in_words() {
    let app = TestApp::new();
    let admin = app.add_user(app.north, "admin@north.example", Role::Administrator);
    let session = app.session_for(admin);
    let page = app.get("/admin/calendars", Some(&session)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Advocase ships "), "{}", page.body);
    assert!(
        page.body
            .contains(" bank holidays for Northern Ireland, up to ")
    );
    let form = encode(&[
        ("nation", "scotland"),
        ("day", "2026-02-30"),
        ("name", "A day that is not"),
    ]);
    let answer = app
        .post_form("/admin/calendars", Some(&session), &form)
        .await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        answer
            .body
            .contains("is not a valid date: that day does not exist in that month"),
        "{}",
        answer.body
    );
}

#[tokio::test]
async fn the_eligibility_api_answers_the_contract_and_names_a_wrong_field() {
    let app = TestApp::new();
    let intake = app.add_user(app.north, "intake@north.example", Role::IntakeWorker);
    let session = app.session_for(intake);
    let request = r#"{"mental_health_act": {"status": "detained", "section": "3"}}"#;
    let answer = app
        .post_json("/api/v1/eligibility", None, Some(&session), request)
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    let json: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
    let duties: Vec<&str> = json["duties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["duty"].as_str().unwrap())
        .collect();
    assert_eq!(duties, ["care_act", "imha", "imca", "nhs_complaints"]);
    assert_eq!(json["duties"][1]["outcome"], "eligible");
    assert_eq!(json["duties"][1]["must"], true);

    let bad = app
        .post_json(
            "/api/v1/eligibility",
            None,
            Some(&session),
            r#"{"care_act": {"process": "tea_party"}}"#,
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let json: serde_json::Value = serde_json::from_str(&bad.body).unwrap();
    assert_eq!(json["errors"][0]["field"], "care_act.process");

    let anonymous = app
        .post_json("/api/v1/eligibility", None, None, request)
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert!(anonymous.body.starts_with("{\"errors\""));
}

#[tokio::test]
async fn an_api_token_works_until_revoked() {
    let app = TestApp::new();
    let admin = app.add_user(app.north, "admin@north.example", Role::Administrator);
    let intake = app.add_user(app.north, "intake@north.example", Role::IntakeWorker);
    let admin_actor = app
        .db
        .store
        .user_by_id(admin)
        .unwrap()
        .unwrap()
        .actor(None)
        .unwrap();
    let token = new_token();
    let id = app
        .db
        .store
        .issue_api_token(Some(&admin_actor), intake, "script", &token_hash(&token))
        .unwrap();
    let answer = app
        .post_json("/api/v1/eligibility", Some(&token), None, "{}")
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    app.db.store.revoke_api_token(&admin_actor, id).unwrap();
    let answer = app
        .post_json("/api/v1/eligibility", Some(&token), None, "{}")
        .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn commissioners_cannot_check_a_persons_eligibility() {
    let app = TestApp::new();
    let council = app
        .db
        .store
        .create_organisation(OrganisationKind::Commissioner, "Council")
        .unwrap();
    let officer = app.add_user(council, "officer@council.example", Role::Commissioner);
    let session = app.session_for(officer);
    let answer = app
        .post_json("/api/v1/eligibility", None, Some(&session), "{}")
        .await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bad_requests_get_clear_answers_and_never_a_server_error() {
    let app = TestApp::new();
    let unknown = app.get("/no/such/page", None).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(unknown.body.contains("Page not found"));
    let wrong_method = app
        .send(
            Request::delete("/sign-in")
                .header(header::HOST, "localhost")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(wrong_method.body.contains("<h1"));
    let huge = "x".repeat(2 * 1024 * 1024);
    let too_large = app
        .post_form("/sign-in", None, &format!("email={huge}"))
        .await;
    assert_eq!(too_large.status, StatusCode::PAYLOAD_TOO_LARGE);
    let api_unknown = app.get("/api/v1/nothing", None).await;
    assert_eq!(api_unknown.status, StatusCode::NOT_FOUND);
    assert!(api_unknown.body.starts_with("{\"errors\""));
    let not_a_number = app.get("/api/v1/users/abc", None).await;
    assert!(not_a_number.status.is_client_error());
    assert!(not_a_number.body.starts_with("{\"errors\""));
    let no_fields = app.post_form("/sign-in", None, "").await;
    assert_eq!(no_fields.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_fields.body.contains("href=\"#email\""));
    assert!(no_fields.body.contains("href=\"#password\""));
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::new();
    for path in [
        "/sign-in",
        "/no-such-page",
        "/api/v1/openapi.json",
        "/healthz",
    ] {
        let answer = app.get(path, None).await;
        let csp = answer
            .headers
            .get(header::CONTENT_SECURITY_POLICY)
            .unwrap()
            .to_str()
            .unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"),
            "{path}"
        );
        assert!(
            answer
                .headers
                .contains_key(header::STRICT_TRANSPORT_SECURITY),
            "{path}"
        );
        assert_eq!(
            answer.headers.get(header::CACHE_CONTROL).unwrap(),
            "no-store",
            "{path}"
        );
        assert_eq!(
            answer.headers.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(),
            "nosniff",
            "{path}"
        );
    }
}

#[tokio::test]
async fn script_in_a_name_is_shown_as_text() {
    let app = TestApp::new();
    let admin = app.add_user(app.north, "admin@north.example", Role::Administrator);
    let session = app.session_for(admin);
    let answer = app
        .post_form("/admin/users", Some(&session), "display_name=%3Cscript%3Ealert(1)%3C%2Fscript%3E&email=new%40north.example&role=advocate")
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(!answer.body.contains("<script>alert(1)</script>"));
    assert!(
        answer
            .body
            .contains("&#60;script&#62;alert(1)&#60;/script&#62;")
    );
}

#[tokio::test]
async fn a_new_member_of_staff_sets_a_password_through_a_one_time_link() {
    let app = TestApp::new();
    let admin = app.add_user(app.north, "admin@north.example", Role::Administrator);
    let session = app.session_for(admin);
    let added = app
        .post_form(
            "/admin/users",
            Some(&session),
            "display_name=Bo&email=bo%40north.example&role=advocate",
        )
        .await;
    let link = added
        .body
        .split("<code>")
        .nth(1)
        .unwrap()
        .split("</code>")
        .next()
        .unwrap()
        .to_string();
    assert!(link.starts_with("/set-password/"));
    let short = app
        .post_form(&link, None, "new_password=short&confirm_password=short")
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    let form = "new_password=a+long+enough+password&confirm_password=a+long+enough+password";
    let set = app.post_form(&link, None, form).await;
    assert_eq!(location(&set), "/two-factor/setup");
    let reused = app.post_form(&link, None, form).await;
    assert_eq!(reused.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_wrong_field_in_a_form_is_named_and_nothing_is_stored() {
    let app = TestApp::new();
    let admin = app.add_user(app.north, "admin@north.example", Role::Administrator);
    let session = app.session_for(admin);
    let before = app.db.store.count_users().unwrap();
    let answer = app
        .post_form(
            "/admin/users",
            Some(&session),
            "display_name=&email=not-an-email&role=commissioner",
        )
        .await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["display_name", "email", "role"] {
        assert!(
            answer.body.contains(&format!("href=\"#{field}\"")),
            "{field}"
        );
    }
    assert!(
        answer.body.contains("value=\"not-an-email\""),
        "the input is kept"
    );
    assert_eq!(app.db.store.count_users().unwrap(), before);
}

#[tokio::test]
async fn demo_accounts_skip_two_factor_on_a_demo_server_and_cannot_sign_in_elsewhere() {
    for demo in [true, false] {
        let app = TestApp::with_config(WebConfig {
            demo,
            ..WebConfig::default()
        });
        let hash = password::hash(PASSWORD).unwrap();
        app.db
            .store
            .create_user(
                None,
                NewUser {
                    organisation_id: app.north,
                    email: EmailAddress::parse("email", "manager@demo.example").unwrap(),
                    display_name: "Demo manager".into(),
                    role: Role::Manager,
                    password_hash: Some(hash),
                    is_demo: true,
                },
            )
            .unwrap();
        let answer = app
            .post_form(
                "/sign-in",
                None,
                &format!(
                    "email=manager%40demo.example&password={}",
                    PASSWORD.replace(' ', "+")
                ),
            )
            .await;
        if demo {
            assert_eq!(location(&answer), "/");
            let home = app.get("/", session_cookie(&answer).as_deref()).await;
            assert!(home.body.contains("app-demo-banner"));
        } else {
            // Their password is published: on a real server demo accounts cannot sign in.
            assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
            assert!(session_cookie(&answer).is_none());
        }
    }
}

#[test]
fn the_committed_openapi_document_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json");
    let current = advocase_web::api::openapi_document();
    if std::env::var("UPDATE_OPENAPI").is_ok() {
        std::fs::write(&path, &current).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == current,
        "docs/openapi.json is out of date: run `UPDATE_OPENAPI=1 cargo test -p advocase-web --test http` and commit it"
    );
}

#[tokio::test]
async fn wrong_two_factor_codes_lock_the_account_and_a_new_sign_in_gives_no_fresh_guesses() {
    let app = TestApp::new();
    let id = app.add_user(app.north, "ada@north.example", Role::Advocate);
    let secret = totp::new_secret();
    let actor = app
        .db
        .store
        .user_by_id(id)
        .unwrap()
        .unwrap()
        .actor(None)
        .unwrap();
    let enrolling = app.session_for(id);
    app.db
        .store
        .enrol_two_factor(&actor, &secret, 1, &token_hash(&enrolling))
        .unwrap();
    let form = format!(
        "email=ada%40north.example&password={}",
        PASSWORD.replace(' ', "+")
    );
    for round in 0..2 {
        let signed_in = app.post_form("/sign-in", None, &form).await;
        if round == 1 {
            // Locked after the first round: the right password no longer starts a session.
            assert_eq!(signed_in.status, StatusCode::UNPROCESSABLE_ENTITY);
            assert!(session_cookie(&signed_in).is_none());
            return;
        }
        let cookie = session_cookie(&signed_in).unwrap();
        for _ in 0..5 {
            app.post_form("/two-factor", Some(&cookie), "code=000000")
                .await;
        }
        assert_eq!(
            app.get("/two-factor", Some(&cookie)).await.status,
            StatusCode::SEE_OTHER
        );
    }
}

/// A sign-in attempt through a proxy at 127.0.0.1 on behalf of `client`.
fn sign_in_through_proxy(client: &str) -> Request<Body> {
    let mut request = Request::post("/sign-in")
        .header(header::HOST, "localhost")
        .header(header::ORIGIN, "http://localhost")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("x-forwarded-for", client)
        .body(Body::from(
            "email=nobody%40north.example&password=wrong+guess+here",
        ))
        .unwrap();
    request
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
            [127, 0, 0, 1],
            40000,
        ))));
    request
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_is_throttled_on_its_own() {
    let app = TestApp::with_config(WebConfig {
        trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
        ..WebConfig::default()
    });
    let mut statuses = Vec::new();
    for _ in 0..25 {
        // What the client wrote first is forged; the proxy appended the real address.
        let request = sign_in_through_proxy("198.51.100.1, 203.0.113.9");
        statuses.push(app.send(request).await.status);
    }
    assert_eq!(statuses[24], StatusCode::TOO_MANY_REQUESTS);
    // Another client behind the same proxy is not affected, even claiming to be the
    // first one in the forgeable part of the header.
    let other = sign_in_through_proxy("203.0.113.9, 203.0.113.10");
    assert_eq!(
        app.send(other).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    // Without trusted proxies the header counts for nothing: everyone behind the
    // proxy is one address.
    let app = TestApp::new();
    for n in 0..25 {
        app.send(sign_in_through_proxy(&format!("203.0.113.{n}")))
            .await;
    }
    assert_eq!(
        app.send(sign_in_through_proxy("203.0.113.200"))
            .await
            .status,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn one_address_sending_sign_ins_in_a_burst_is_throttled() {
    let app = TestApp::new();
    let from = std::net::SocketAddr::from(([192, 0, 2, 7], 40000));
    let mut statuses = Vec::new();
    for _ in 0..25 {
        let mut request = Request::post("/sign-in")
            .header(header::HOST, "localhost")
            .header(header::ORIGIN, "http://localhost")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(
                "email=nobody%40north.example&password=wrong+guess+here",
            ))
            .unwrap();
        request
            .extensions_mut()
            .insert(axum::extract::ConnectInfo(from));
        statuses.push(app.send(request).await.status);
    }
    assert!(
        statuses[..20]
            .iter()
            .all(|s| *s == StatusCode::UNPROCESSABLE_ENTITY)
    );
    assert_eq!(statuses[24], StatusCode::TOO_MANY_REQUESTS);
    // Another address is not affected.
    let mut other = Request::post("/sign-in")
        .header(header::HOST, "localhost")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(
            "email=nobody%40north.example&password=wrong+guess+here",
        ))
        .unwrap();
    other
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
            [192, 0, 2, 8],
            40000,
        ))));
    assert_eq!(
        app.send(other).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}
