//! Shared support for the black-box web tests: an app on a fresh SQLite database with
//! two providers, accounts, sessions, and requests sent through the whole router.

// Each test binary compiles this module and uses a different part of it.
#![allow(dead_code)]

use advocase_domain::identity::{Actor, EmailAddress, OrganisationKind, Role};
use advocase_storage::accounts::NewUser;
use advocase_testkit::{TestBackend, TestDb};
use advocase_web::auth::{new_token, password, token_hash};
use advocase_web::{AppState, WebConfig, router};
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use tower::ServiceExt;

pub const PASSWORD: &str = "correct horse battery staple";
pub const COOKIE: &str = "__Host-advocase-session";

pub struct TestApp {
    pub db: TestDb,
    pub app: Router,
    pub north: i64,
    pub south: i64,
    /// The report counts going on in the application, as its state holds them.
    pub counting: std::sync::Arc<advocase_web::report_counting::CountsInProgress>,
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl TestApp {
    pub fn new() -> Self {
        Self::with_config(WebConfig::default())
    }

    pub fn with_config(config: WebConfig) -> Self {
        let db = TestDb::new(TestBackend::Sqlite).unwrap();
        let north = db
            .store
            .create_organisation(OrganisationKind::Provider, "North Advocacy")
            .unwrap();
        let south = db
            .store
            .create_organisation(OrganisationKind::Provider, "South Advocacy")
            .unwrap();
        let state = AppState::new(db.store.clone(), config);
        let counting = state.counting.clone();
        let app = router(state);
        Self {
            db,
            app,
            north,
            south,
            counting,
        }
    }

    pub fn add_user(&self, organisation_id: i64, email: &str, role: Role) -> i64 {
        let hash = password::hash(PASSWORD).unwrap();
        self.db
            .store
            .create_user(
                None,
                NewUser {
                    organisation_id,
                    email: EmailAddress::parse("email", email).unwrap(),
                    display_name: email.split('@').next().unwrap().to_string(),
                    role,
                    password_hash: Some(hash),
                    is_demo: false,
                },
            )
            .unwrap()
    }

    pub fn actor(&self, user_id: i64) -> Actor {
        self.db
            .store
            .user_by_id(user_id)
            .unwrap()
            .unwrap()
            .actor(None)
            .unwrap()
    }

    /// A session that has passed two-factor, as after a full sign-in.
    pub fn session_for(&self, user_id: i64) -> String {
        let user = self.db.store.user_by_id(user_id).unwrap().unwrap();
        let token = new_token();
        let expires = advocase_storage::now() + chrono::Duration::hours(8);
        self.db
            .store
            .start_session(&user, &token_hash(&token), expires, true, None)
            .unwrap();
        token
    }

    pub async fn send(&self, request: Request<Body>) -> Answer {
        let response = self.app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        Answer {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// A GET whose answer is a file: the status and the bytes as sent.
    pub async fn get_bytes(&self, path: &str, session: Option<&str>) -> (StatusCode, Vec<u8>) {
        let mut request = Request::get(path).header(header::HOST, "localhost");
        if let Some(token) = session {
            request = request.header(header::COOKIE, format!("{COOKIE}={token}"));
        }
        let response = self
            .app
            .clone()
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, bytes.to_vec())
    }

    pub async fn get(&self, path: &str, session: Option<&str>) -> Answer {
        let mut request = Request::get(path).header(header::HOST, "localhost");
        if let Some(token) = session {
            request = request.header(header::COOKIE, format!("{COOKIE}={token}"));
        }
        self.send(request.body(Body::empty()).unwrap()).await
    }

    /// Sends a file as a browser's upload form would: a multipart form with one file,
    /// `document`.
    pub async fn upload(&self, path: &str, session: &str, file_name: &str, bytes: &[u8]) -> Answer {
        self.upload_as(path, session, "document", file_name, bytes)
            .await
    }

    /// Sends a file as the form field `field` of an upload form.
    pub async fn upload_as(
        &self,
        path: &str,
        session: &str,
        field: &str,
        file_name: &str,
        bytes: &[u8],
    ) -> Answer {
        let boundary = "advocase-test-boundary";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let request = Request::post(path)
            .header(header::HOST, "localhost")
            .header(header::ORIGIN, "http://localhost")
            .header("sec-fetch-site", "same-origin")
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .header(header::COOKIE, format!("{COOKIE}={session}"))
            .body(Body::from(body))
            .unwrap();
        self.send(request).await
    }

    pub async fn post_form(&self, path: &str, session: Option<&str>, form: &str) -> Answer {
        let mut request = Request::post(path)
            .header(header::HOST, "localhost")
            .header(header::ORIGIN, "http://localhost")
            .header("sec-fetch-site", "same-origin")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(token) = session {
            request = request.header(header::COOKIE, format!("{COOKIE}={token}"));
        }
        self.send(request.body(Body::from(form.to_string())).unwrap())
            .await
    }

    pub async fn post_json(
        &self,
        path: &str,
        bearer: Option<&str>,
        session: Option<&str>,
        body: &str,
    ) -> Answer {
        let mut request = Request::post(path)
            .header(header::HOST, "localhost")
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(token) = bearer {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        if let Some(token) = session {
            request = request.header(header::COOKIE, format!("{COOKIE}={token}"));
        }
        self.send(request.body(Body::from(body.to_string())).unwrap())
            .await
    }
}

pub fn session_cookie(answer: &Answer) -> Option<String> {
    answer
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(COOKIE))
        .and_then(|v| v.split(';').next())
        .and_then(|v| v.split_once('='))
        .map(|(_, token)| token.to_string())
        .filter(|t| !t.is_empty())
}

pub fn location(answer: &Answer) -> &str {
    answer
        .headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

pub struct Casework {
    pub app: TestApp,
    pub manager: i64,
    pub first: i64,
    pub second: i64,
    pub case_id: i64,
    pub person_id: i64,
}

pub fn encode(pairs: &[(&str, &str)]) -> String {
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        form.append_pair(name, value);
    }
    form.finish()
}

/// North with a manager, two IMHA advocates and one accepted IMHA referral waiting.
pub fn casework() -> Casework {
    casework_with(WebConfig::default())
}

/// The casework fixture on an app with the given settings.
pub fn casework_with(config: WebConfig) -> Casework {
    let app = TestApp::with_config(config);
    let manager = app.add_user(app.north, "manager@north.example", Role::Manager);
    let intake = app.add_user(app.north, "intake@north.example", Role::IntakeWorker);
    let first = app.add_user(app.north, "first@north.example", Role::Advocate);
    let second = app.add_user(app.north, "second@north.example", Role::Advocate);
    for advocate in [first, second] {
        app.db
            .store
            .set_advocate_settings(
                &app.actor(manager),
                &advocase_storage::casework::AdvocateSettingsRecord {
                    duties: "imha".into(),
                    ..advocase_storage::casework::AdvocateSettingsRecord::unset(advocate)
                },
            )
            .unwrap();
    }
    let answers = advocase_domain::referral::ReferralAnswers {
        referrer_kind: "self".into(),
        given_name: "Ada".into(),
        family_name: "Lovelace".into(),
        what_is_happening: "Detained".into(),
        consent: "given".into(),
        mha_status: "detained".into(),
        mha_section: "3".into(),
        ..Default::default()
    };
    let referral = answers.parse(chrono::Utc::now().date_naive()).unwrap();
    let id = app
        .db
        .store
        .submit_referral(
            app.north,
            &referral,
            advocase_storage::referrals::Source::Staff,
            None,
            "R-TEST-0001",
            "h",
        )
        .unwrap();
    let cases = app
        .db
        .store
        .decide_referral(
            &app.actor(intake),
            id,
            1,
            &[advocase_storage::referrals::DutyDecision {
                duty: "imha".into(),
                suggested: "eligible".into(),
                accept: true,
                disagreement_reason: None,
                introduction_due: None,
            }],
            advocase_storage::referrals::PersonChoice::Create,
            None,
        )
        .unwrap();
    // The manager allocates this case, and says so the first time they open it.
    app.db
        .store
        .give_view_reason(
            &app.actor(manager),
            advocase_storage::confidentiality::ReasonTarget::Case(cases[0]),
            advocase_domain::confidentiality::ViewReason::Allocation,
            None,
        )
        .unwrap();
    let file = app
        .db
        .store
        .case_file(&app.actor(manager), cases[0])
        .unwrap();
    Casework {
        manager,
        first,
        second,
        case_id: cases[0],
        person_id: file.person.id,
        app,
    }
}

/// The casework fixture with its case allocated to the first advocate; the second is
/// a colleague it is not allocated to.
pub fn allocated_casework() -> Casework {
    allocated_casework_with(WebConfig::default())
}

/// The allocated casework fixture on an app with the given settings.
pub fn allocated_casework_with(config: WebConfig) -> Casework {
    let w = casework_with(config);
    let manager = w.app.actor(w.manager);
    let file = w.app.db.store.case_file(&manager, w.case_id).unwrap();
    w.app
        .db
        .store
        .allocate(
            &manager,
            w.case_id,
            file.case.version,
            w.first,
            None,
            None,
            chrono::Utc::now().date_naive(),
        )
        .unwrap();
    w
}
