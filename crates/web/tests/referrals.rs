//! Black-box tests of referrals: the public form, intake's queue and triage, the
//! waiting list, through the whole router and its middleware, on a fresh SQLite
//! database each.

mod common;

use advocase_domain::identity::{OrganisationKind, Role};
use advocase_storage::referrals::ReferralRecord;
use axum::http::StatusCode;
use common::*;

impl TestApp {
    /// The referrals waiting for a decision at a provider, as its intake worker sees them.
    fn queue(&self, intake: i64) -> Vec<ReferralRecord> {
        self.db.store.referral_queue(&self.actor(intake)).unwrap()
    }
}

/// A complete referral from a social worker to `provider`, with `extra` answers added
/// (a later answer to the same question wins).
fn referral(provider: i64, extra: &[(&str, &str)]) -> String {
    let provider = provider.to_string();
    let mut pairs: Vec<(&str, &str)> = vec![
        ("provider", &provider),
        ("referrer_kind", "professional"),
        ("referrer_name", "Dana Worker"),
        ("referrer_email", "dana@council.example"),
        ("given_name", "Ada"),
        ("family_name", "Lovelace"),
        ("date_of_birth", "10 12 1960"),
        ("postcode", "sw1a 1aa"),
        ("what_is_happening", "A needs assessment is planned."),
        ("consent", "given"),
        ("website", ""),
    ];
    pairs.extend_from_slice(extra);
    encode(&pairs)
}

fn days_ago(days: i64) -> String {
    (chrono::Utc::now().date_naive() - chrono::Duration::days(days)).to_string()
}

#[tokio::test]
async fn the_public_form_is_there_without_signing_in_and_offers_the_easy_read_version() {
    let app = TestApp::new();
    let form = app.get("/refer", None).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains(r#"href="/refer/easy-read""#));
    // Two providers: the referrer chooses one.
    assert!(
        form.body
            .contains(r#"<select class="govuk-select" id="provider""#)
    );
    assert!(form.body.contains(r#"id="website""#));
    let easy = app.get("/refer/easy-read", None).await;
    assert_eq!(easy.status, StatusCode::OK);
    assert_eq!(easy.body.matches("<h1").count(), 1);
}

#[tokio::test]
async fn a_script_in_a_public_referral_is_stored_and_shown_to_intake_as_text() {
    let app = TestApp::new();
    let intake = app.add_user(app.north, "intake@north.example", Role::IntakeWorker);
    let script = "<script>alert('x')</script> needs help";
    let sent = app
        .post_form(
            "/refer",
            None,
            &referral(app.north, &[("what_is_happening", script)]),
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert!(sent.body.contains("govuk-panel--confirmation"));
    assert!(!sent.body.contains("Lovelace"));
    let queue = app.queue(intake);
    assert_eq!(queue.len(), 1);
    let stored = &queue[0];
    assert_eq!(stored.what_is_happening, script);
    assert_eq!(stored.postcode.as_deref(), Some("SW1A 1AA"));
    assert!(sent.body.contains(&stored.reference));
    let reference = &stored.reference;
    assert!(
        reference.len() == 11 && reference.starts_with("R-"),
        "{reference}"
    );

    let session = app.session_for(intake);
    let list = app.get("/referrals", Some(&session)).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains(reference.as_str()));
    assert!(list.body.contains("Ada Lovelace"));
    let page = app
        .get(&format!("/referrals/{}", stored.id), Some(&session))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("<script>alert"));
    assert!(page.body.contains("&#60;script&#62;alert("));

    // The referrer's private link shows the status and nothing about the person.
    let link = sent
        .body
        .split("href=\"/referral-status/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap();
    let status = app.get(&format!("/referral-status/{link}"), None).await;
    assert_eq!(status.status, StatusCode::OK);
    assert!(status.body.contains(reference.as_str()));
    assert!(status.body.contains("Received"));
    assert!(!status.body.contains("Lovelace"));
    assert!(!status.body.contains("needs help"));
    let unknown = app.get("/referral-status/not-a-real-token", None).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn wrong_dates_and_an_unknown_section_are_refused_naming_the_field_and_nothing_is_stored() {
    let app = TestApp::new();
    let intake = app.add_user(app.north, "intake@north.example", Role::IntakeWorker);
    let tomorrow = (chrono::Utc::now().date_naive() + chrono::Duration::days(1)).to_string();
    let yesterday = days_ago(1);
    for (field, extra) in [
        ("date_of_birth", vec![("date_of_birth", tomorrow.as_str())]),
        ("meeting_date", vec![("meeting_date", yesterday.as_str())]),
        (
            "mha_section",
            vec![("mha_status", "detained"), ("mha_section", "99")],
        ),
    ] {
        let answer = app
            .post_form("/refer", None, &referral(app.north, &extra))
            .await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        assert!(answer.body.contains("govuk-error-summary"), "{field}");
        assert!(
            answer.body.contains(&format!(r##"href="#{field}""##)),
            "the error summary should link to {field}"
        );
        assert!(
            answer.body.contains(&format!(r#"id="{field}-error""#)),
            "{field}"
        );
        // What was typed is kept.
        assert!(answer.body.contains(r#"value="Lovelace""#), "{field}");
    }
    assert!(app.queue(intake).is_empty());
}

#[tokio::test]
async fn a_filled_in_honeypot_gets_the_usual_answer_and_nothing_is_stored() {
    let app = TestApp::new();
    let intake = app.add_user(app.north, "intake@north.example", Role::IntakeWorker);
    let answer = app
        .post_form(
            "/refer",
            None,
            &referral(app.north, &[("website", "http://spam.example")]),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.body.contains("govuk-panel--confirmation"));
    assert!(answer.body.contains("/referral-status/"));
    let easy = app
        .post_form(
            "/refer/easy-read",
            None,
            &encode(&[
                ("provider", &app.north.to_string()),
                ("given_name", "Bo"),
                ("family_name", "Bot"),
                ("phone", "0100"),
                ("what_is_happening", "spam"),
                ("wants_help", "yes"),
                ("website", "http://spam.example"),
            ]),
        )
        .await;
    assert_eq!(easy.status, StatusCode::OK);
    assert!(app.queue(intake).is_empty());
}

#[tokio::test]
async fn the_easy_read_form_stores_a_self_referral_or_says_plainly_what_is_missing() {
    let app = TestApp::new();
    let intake = app.add_user(app.north, "intake@north.example", Role::IntakeWorker);
    let north = app.north.to_string();
    let missing = app
        .post_form(
            "/refer/easy-read",
            None,
            &encode(&[("provider", &north), ("given_name", "Cy")]),
        )
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["family_name", "phone", "what_is_happening", "wants_help"] {
        assert!(
            missing.body.contains(&format!(r##"href="#{field}""##)),
            "{field}"
        );
    }
    assert!(missing.body.contains(r#"value="Cy""#));
    assert!(app.queue(intake).is_empty());
    let sent = app
        .post_form(
            "/refer/easy-read",
            None,
            &encode(&[
                ("provider", &north),
                ("given_name", "Cy"),
                ("family_name", "Young"),
                ("date_of_birth", "1 2 1980"),
                ("phone", "0100 000 000"),
                ("what_is_happening", "I have a meeting about my care."),
                ("wants_help", "yes"),
            ]),
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    let queue = app.queue(intake);
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0].referrer_kind, "self");
    assert_eq!(queue[0].consent, "given");
    assert!(queue[0].wants_easy_read);
}

#[tokio::test]
async fn only_intake_workers_and_managers_of_the_provider_see_referrals() {
    let app = TestApp::new();
    let intake = app.add_user(app.north, "intake@north.example", Role::IntakeWorker);
    let sent = app
        .post_form("/refer", None, &referral(app.north, &[]))
        .await;
    assert_eq!(sent.status, StatusCode::OK);
    let id = app.queue(intake)[0].id;
    let commissioning = app
        .db
        .store
        .create_organisation(OrganisationKind::Commissioner, "County Council")
        .unwrap();
    let advocate = app.add_user(app.north, "advocate@north.example", Role::Advocate);
    let commissioner = app.add_user(commissioning, "officer@county.example", Role::Commissioner);
    let other_intake = app.add_user(app.south, "intake@south.example", Role::IntakeWorker);
    let not_found = app
        .get("/no-such-page", Some(&app.session_for(advocate)))
        .await
        .body;
    for user in [advocate, commissioner, other_intake] {
        let session = app.session_for(user);
        for path in [
            format!("/referrals/{id}"),
            format!("/referrals/{id}/letter"),
        ] {
            let answer = app.get(&path, Some(&session)).await;
            assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
            assert!(!answer.body.contains("Lovelace"));
        }
        let decided = app
            .post_form(
                &format!("/referrals/{id}/decision"),
                Some(&session),
                "version=1&person=new&decision_care_act=decline&decision_imha=decline&decision_imca=decline&decision_nhs_complaints=decline&decline_reason=x",
            )
            .await;
        assert_eq!(decided.status, StatusCode::NOT_FOUND);
    }
    for user in [advocate, commissioner] {
        let session = app.session_for(user);
        for path in ["/referrals", "/referrals/new", "/waiting-list"] {
            let answer = app.get(path, Some(&session)).await;
            assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
            assert_eq!(answer.body, not_found, "{path}");
        }
    }
    // Intake of the other provider has its own, empty, queue.
    let south = app
        .get("/referrals", Some(&app.session_for(other_intake)))
        .await;
    assert_eq!(south.status, StatusCode::OK);
    assert!(!south.body.contains("Lovelace"));
    let manager = app.add_user(app.north, "manager@north.example", Role::Manager);
    let managed = app
        .get(&format!("/referrals/{id}"), Some(&app.session_for(manager)))
        .await;
    assert_eq!(managed.status, StatusCode::OK);
}

#[tokio::test]
async fn accepting_two_duties_opens_two_cases_for_one_person_on_the_waiting_list() {
    let app = TestApp::new();
    let intake = app.add_user(app.north, "intake@north.example", Role::IntakeWorker);
    let detained_on = days_ago(2);
    let sent = app
        .post_form(
            "/refer",
            None,
            &referral(
                app.north,
                &[
                    ("mha_status", "detained"),
                    ("mha_section", "3"),
                    ("compulsion_date", &detained_on),
                    ("care_needs", "yes"),
                    ("care_act_process", "needs_assessment"),
                    ("difficulty", "understanding"),
                    ("appropriate_individual", "no"),
                ],
            ),
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    let stored = app.queue(intake).remove(0);
    let session = app.session_for(intake);
    let page = app
        .get(&format!("/referrals/{}", stored.id), Some(&session))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    // The engine's suggestion pre-selects accept for the two eligible duties.
    for duty in ["care_act", "imha"] {
        assert!(
            page.body.contains(&format!(
                r#"id="decision_{duty}" name="decision_{duty}" type="radio" value="accept" checked"#
            )),
            "{duty}"
        );
    }
    let decided = app
        .post_form(
            &format!("/referrals/{}/decision", stored.id),
            Some(&session),
            &encode(&[
                ("version", &stored.version.to_string()),
                ("person", "new"),
                ("decision_care_act", "accept"),
                ("decision_imha", "accept"),
                ("decision_imca", "decline"),
                ("decision_nhs_complaints", "decline"),
            ]),
        )
        .await;
    assert_eq!(decided.status, StatusCode::SEE_OTHER, "{}", decided.body);
    assert_eq!(location(&decided), format!("/referrals/{}", stored.id));

    let waiting = app.db.store.waiting_list(&app.actor(intake)).unwrap();
    assert_eq!(waiting.len(), 2);
    assert_eq!(waiting[0].case.person_id, waiting[1].case.person_id);
    let imha = waiting.iter().find(|w| w.case.duty == "imha").unwrap();
    assert!(imha.case.introduction_due.is_some());

    let list = app.get("/waiting-list", Some(&session)).await;
    assert_eq!(list.status, StatusCode::OK);
    let imha_at = list
        .body
        .find("Independent mental health advocacy (IMHA)")
        .unwrap();
    let care_act_at = list.body.find("Care Act advocacy").unwrap();
    assert!(imha_at < care_act_at, "the IMHA case comes first");
    assert_eq!(list.body.matches(stored.reference.as_str()).count(), 2);

    // Decided: the page shows the decisions, not the form, and the queue is empty.
    let page = app
        .get(&format!("/referrals/{}", stored.id), Some(&session))
        .await;
    assert!(!page.body.contains("/decision\""));
    assert!(page.body.contains("Accepted"));
    assert!(app.queue(intake).is_empty());
    let home = app.get("/", Some(&session)).await;
    assert!(home.body.contains(r#"id="overdue-count""#));
}

#[tokio::test]
async fn declining_needs_a_reason_and_produces_the_letter() {
    let app = TestApp::new();
    let intake = app.add_user(app.north, "intake@north.example", Role::IntakeWorker);
    app.post_form("/refer", None, &referral(app.north, &[]))
        .await;
    let stored = app.queue(intake).remove(0);
    let session = app.session_for(intake);
    let decline_all = |reason: &str| {
        encode(&[
            ("version", &stored.version.to_string()),
            ("person", "new"),
            ("decision_care_act", "decline"),
            ("decision_imha", "decline"),
            ("decision_imca", "decline"),
            ("decision_nhs_complaints", "decline"),
            ("decline_reason", reason),
        ])
    };
    let path = format!("/referrals/{}/decision", stored.id);
    let refused = app.post_form(&path, Some(&session), &decline_all("")).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains(r##"href="#decline_reason""##));
    assert_eq!(app.queue(intake).len(), 1, "nothing was decided");
    let letter_before = app
        .get(&format!("/referrals/{}/letter", stored.id), Some(&session))
        .await;
    assert_eq!(letter_before.status, StatusCode::NOT_FOUND);

    let declined = app
        .post_form(
            &path,
            Some(&session),
            &decline_all("We only work in the north <b>of</b> the county."),
        )
        .await;
    assert_eq!(declined.status, StatusCode::SEE_OTHER, "{}", declined.body);
    let page = app
        .get(&format!("/referrals/{}", stored.id), Some(&session))
        .await;
    assert!(
        page.body
            .contains(&format!(r#"href="/referrals/{}/letter""#, stored.id))
    );
    let letter = app
        .get(&format!("/referrals/{}/letter", stored.id), Some(&session))
        .await;
    assert_eq!(letter.status, StatusCode::OK);
    assert!(letter.body.contains("28 days"));
    assert!(
        letter
            .body
            .contains("north &#60;b&#62;of&#60;/b&#62; the county")
    );
    assert!(letter.body.contains("Ada Lovelace"));
}

#[tokio::test]
async fn declining_what_the_engine_says_is_eligible_needs_a_reason_for_disagreeing() {
    let app = TestApp::new();
    let intake = app.add_user(app.north, "intake@north.example", Role::IntakeWorker);
    app.post_form(
        "/refer",
        None,
        &referral(
            app.north,
            &[("mha_status", "detained"), ("mha_section", "2")],
        ),
    )
    .await;
    let stored = app.queue(intake).remove(0);
    let session = app.session_for(intake);
    let mut pairs = vec![
        ("version", "1"),
        ("person", "new"),
        ("decision_care_act", "decline"),
        ("decision_imha", "decline"),
        ("decision_imca", "decline"),
        ("decision_nhs_complaints", "decline"),
        ("decline_reason", "Out of area."),
    ];
    let path = format!("/referrals/{}/decision", stored.id);
    let refused = app.post_form(&path, Some(&session), &encode(&pairs)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains(r##"href="#reason_imha""##));
    // What was chosen and typed is kept.
    assert!(refused.body.contains("Out of area."));
    assert!(refused.body.contains(
        r#"id="decision_imha-2" name="decision_imha" type="radio" value="decline" checked"#
    ));
    pairs.push(("reason_imha", "Already has an IMHA from another service."));
    let declined = app.post_form(&path, Some(&session), &encode(&pairs)).await;
    assert_eq!(declined.status, StatusCode::SEE_OTHER, "{}", declined.body);
    let decisions = app
        .db
        .store
        .referral_decisions(
            &app.db
                .store
                .find_referral(&app.actor(intake), stored.id)
                .unwrap(),
        )
        .unwrap();
    let imha = decisions.iter().find(|d| d.duty == "imha").unwrap();
    assert_eq!(imha.suggested, "eligible");
    assert_eq!(imha.decision, "decline");
    assert!(imha.disagreement_reason.is_some());
}

#[tokio::test]
async fn a_decision_on_a_stale_version_is_refused_with_409() {
    let app = TestApp::new();
    let intake = app.add_user(app.north, "intake@north.example", Role::IntakeWorker);
    app.post_form("/refer", None, &referral(app.north, &[]))
        .await;
    let stored = app.queue(intake).remove(0);
    let session = app.session_for(intake);
    let version = stored.version.to_string();
    let held = app
        .post_form(
            &format!("/referrals/{}/status", stored.id),
            Some(&session),
            &encode(&[
                ("version", &version),
                ("status", "on_hold"),
                ("reason", "Waiting for the social worker to call back."),
            ]),
        )
        .await;
    assert_eq!(held.status, StatusCode::SEE_OTHER, "{}", held.body);
    let stale = app
        .post_form(
            &format!("/referrals/{}/decision", stored.id),
            Some(&session),
            &encode(&[
                ("version", &version),
                ("person", "new"),
                ("decision_care_act", "decline"),
                ("decision_imha", "decline"),
                ("decision_imca", "decline"),
                ("decision_nhs_complaints", "decline"),
                ("decline_reason", "Not for us."),
            ]),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.body.contains("Someone else changed this record"));
    let still = app.queue(intake);
    assert_eq!(still[0].status, "on_hold");
    // A status change without a reason is refused.
    let no_reason = app
        .post_form(
            &format!("/referrals/{}/status", stored.id),
            Some(&session),
            &encode(&[
                ("version", &still[0].version.to_string()),
                ("status", "received"),
            ]),
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_reason.body.contains(r##"href="#reason""##));
}

#[tokio::test]
async fn staff_add_a_referral_for_their_own_provider_and_land_on_it() {
    let app = TestApp::new();
    let intake = app.add_user(app.south, "intake@south.example", Role::IntakeWorker);
    let session = app.session_for(intake);
    let form = app.get("/referrals/new", Some(&session)).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(!form.body.contains(r#"id="website""#));
    // A provider named in the form is ignored: staff refer to their own.
    let saved = app
        .post_form(
            "/referrals/new",
            Some(&session),
            &referral(app.north, &[("referrer_kind", "self")]),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let stored = app.queue(intake).remove(0);
    assert_eq!(stored.provider_id, app.south);
    assert_eq!(stored.source, "staff");
    assert_eq!(location(&saved), format!("/referrals/{}", stored.id));
}
