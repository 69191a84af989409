//! Black-box tests of safeguarding, complaints and signals through the whole router: who
//! may open which page, the public complaint page, and the commissioners' signals.

mod common;

use advocase_domain::identity::{OrganisationKind, Role};
use axum::http::StatusCode;
use common::*;

/// A concern raised by the allocated advocate on the case, with its id.
async fn concern_on_the_case(w: &Casework) -> i64 {
    let file = w
        .app
        .db
        .store
        .case_file(&w.app.actor(w.manager), w.case_id)
        .unwrap();
    w.app
        .db
        .store
        .allocate(
            &w.app.actor(w.manager),
            w.case_id,
            file.case.version,
            w.first,
            None,
            None,
            chrono::Utc::now().date_naive(),
        )
        .unwrap();
    let session = w.app.session_for(w.first);
    let form = encode(&[
        (
            "raised_on",
            &chrono::Utc::now()
                .date_naive()
                .format("%Y-%m-%d")
                .to_string(),
        ),
        ("category", "neglect"),
        ("what_happened", "Left without food"),
        ("person_wants", "To move"),
        ("immediate_risk", "no"),
    ]);
    let answer = w
        .app
        .post_form(
            &format!("/cases/{}/safeguarding", w.case_id),
            Some(&session),
            &form,
        )
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    location(&answer)
        .trim_start_matches("/safeguarding/")
        .parse()
        .unwrap()
}

#[tokio::test]
async fn outsiders_get_the_same_not_found_as_for_a_concern_that_does_not_exist() {
    let w = casework();
    let id = concern_on_the_case(&w).await;
    let council = w
        .app
        .db
        .store
        .create_organisation(OrganisationKind::Commissioner, "County Council")
        .unwrap();
    let outsiders = [
        (
            "administrator",
            w.app
                .add_user(w.app.north, "admin@north.example", Role::Administrator),
        ),
        (
            "intake worker",
            w.app
                .add_user(w.app.north, "intake2@north.example", Role::IntakeWorker),
        ),
        (
            "commissioner",
            w.app
                .add_user(council, "officer@council.example", Role::Commissioner),
        ),
        ("advocate of other cases", w.second),
        (
            "manager of another provider",
            w.app
                .add_user(w.app.south, "manager@south.example", Role::Manager),
        ),
    ];
    let routes = |concern: i64, case: i64| {
        vec![
            format!("/safeguarding/{concern}"),
            format!("/safeguarding/{concern}/actions"),
            format!("/safeguarding/{concern}/breach"),
            format!("/safeguarding/{concern}/close"),
            format!("/cases/{case}/safeguarding/new"),
            format!("/cases/{case}/service-concerns/new"),
        ]
    };
    for (who, user) in outsiders {
        let session = w.app.session_for(user);
        for (route, missing) in routes(id, w.case_id)
            .into_iter()
            .zip(routes(id + 1000, w.case_id + 1000))
        {
            let answer = w.app.get(&route, Some(&session)).await;
            assert_eq!(answer.status, StatusCode::NOT_FOUND, "{who}: GET {route}");
            let absent = w.app.get(&missing, Some(&session)).await;
            assert_eq!(answer.body, absent.body, "{who}: GET {route}");
        }
        let close = w
            .app
            .post_form(
                &format!("/safeguarding/{id}/close"),
                Some(&session),
                "closed_on=2026-11-22&outcome=x",
            )
            .await;
        assert_eq!(close.status, StatusCode::NOT_FOUND, "{who}: close");
        for list in ["/safeguarding", "/quality", "/complaints", "/signals", "/"] {
            let answer = w.app.get(list, Some(&session)).await;
            assert!(
                !answer.body.contains("Lovelace"),
                "{who}: GET {list} leaks the name"
            );
        }
    }
    // Manager-only lists answer 404 to anyone else, like a page that does not exist.
    let advocate = w.app.session_for(w.first);
    let nowhere = w.app.get("/no-such-page", Some(&advocate)).await;
    for list in [
        "/quality",
        "/complaints",
        "/signals",
        "/complaints/new",
        "/safeguarding/1/close",
    ] {
        let answer = w.app.get(list, Some(&advocate)).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "advocate: GET {list}");
        assert_eq!(answer.body, nowhere.body, "advocate: GET {list}");
    }
    // The manager sees it on the home page with its age.
    let manager = w.app.session_for(w.manager);
    let home = w.app.get("/", Some(&manager)).await;
    assert!(home.body.contains("Open safeguarding concerns") && home.body.contains("Lovelace"));
}

#[tokio::test]
async fn the_persons_advocate_records_a_complaint_for_them_that_the_manager_finds_on_their_record()
{
    let w = allocated_casework();
    let route = format!("/people/{}/complaints/new", w.person_id);
    let advocate = w.app.session_for(w.first);
    let form = w.app.get(&route, Some(&advocate)).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("Lovelace"), "the form names the person");
    // A missing answer is named and nothing is stored.
    let empty = w
        .app
        .post_form(
            &route,
            Some(&advocate),
            "kind=complaint&complainant_name=Ada",
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        empty.body.contains("href=\"#what_happened\""),
        "{}",
        empty.body
    );
    let manager_actor = w.app.actor(w.manager);
    assert!(
        w.app
            .db
            .store
            .complaints(&manager_actor)
            .unwrap()
            .is_empty()
    );
    let today = chrono::Utc::now()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    let filled = encode(&[
        ("kind", "complaint"),
        ("received_on", &today),
        ("complainant_name", "Ada Lovelace"),
        ("how_to_reply", "By letter to her home"),
        ("what_happened", "<script>alert(1)</script> nobody came"),
    ]);
    let sent = w.app.post_form(&route, Some(&advocate), &filled).await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert!(sent.body.contains("acknowledge it by"), "{}", sent.body);
    // An advocate without a case for the person, and intake, are told it does not exist.
    let missing = format!("/people/{}/complaints/new", w.person_id + 1000);
    for user in [
        w.second,
        w.app
            .add_user(w.app.north, "intake2@north.example", Role::IntakeWorker),
    ] {
        let session = w.app.session_for(user);
        let answer = w.app.get(&route, Some(&session)).await;
        let absent = w.app.get(&missing, Some(&session)).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND);
        assert_eq!(answer.body, absent.body);
        let post = w.app.post_form(&route, Some(&session), &filled).await;
        assert_eq!(post.status, StatusCode::NOT_FOUND);
    }
    let stored = w.app.db.store.complaints(&manager_actor).unwrap();
    assert_eq!(stored.len(), 1, "only the advocate's complaint was stored");
    assert_eq!(stored[0].person_id, Some(w.person_id));
    // The manager finds it on the person's record and the complaint leads back to them.
    let manager = w.app.session_for(w.manager);
    let person = w
        .app
        .get(&format!("/people/{}", w.person_id), Some(&manager))
        .await;
    let link = format!("/complaints/{}", stored[0].id);
    assert!(person.body.contains(&link), "{}", person.body);
    let complaint = w.app.get(&link, Some(&manager)).await;
    assert!(complaint.body.contains("Made for"));
    assert!(complaint.body.contains(&format!("/people/{}", w.person_id)));
    assert!(
        complaint.body.contains("&#60;script&#62;alert(1)")
            && !complaint.body.contains("<script>alert")
    );
    // The advocate's view of the record does not list complaints, which may be about them.
    let own = w
        .app
        .get(&format!("/people/{}", w.person_id), Some(&advocate))
        .await;
    assert!(!own.body.contains(&link));
}

#[tokio::test]
async fn a_complaint_through_the_public_page_is_answered_with_its_deadlines_and_a_robot_stores_nothing()
 {
    let w = casework();
    let page = w.app.get("/complain", None).await;
    assert_eq!(page.status, StatusCode::OK);
    let robot = w
        .app
        .post_form(
            "/complain",
            None,
            &encode(&[
                ("kind", "complaint"),
                ("complainant_name", "Bot"),
                ("how_to_reply", "x"),
                ("what_happened", "spam"),
                ("website", "http://spam"),
            ]),
        )
        .await;
    assert_eq!(robot.status, StatusCode::OK);
    let manager = w.app.session_for(w.manager);
    assert!(
        !w.app
            .get("/complaints", Some(&manager))
            .await
            .body
            .contains("Bot")
    );
    let wrong = w
        .app
        .post_form("/complain", None, &encode(&[("kind", "complaint")]))
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let sent = w
        .app
        .post_form(
            "/complain",
            None,
            &encode(&[
                ("kind", "complaint"),
                ("provider", &w.app.north.to_string()),
                ("complainant_name", "Sam <b>Smith</b>"),
                ("how_to_reply", "sam@example.org"),
                ("what_happened", "Nobody rang back"),
            ]),
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert!(sent.body.contains("We will give you our answer by"));
    let list = w.app.get("/complaints", Some(&manager)).await;
    assert!(
        list.body.contains("Sam &lt;b&gt;Smith&lt;/b&gt;")
            || list.body.contains("Sam &#60;b&#62;Smith"),
        "escaped"
    );
    assert!(list.body.contains("working days left"));
}

#[tokio::test]
async fn feedback_through_the_public_questionnaire_reaches_the_managers_summary_and_dashboard() {
    let w = casework();
    for page in ["/feedback", "/feedback/easy-read"] {
        let form = w.app.get(page, None).await;
        assert_eq!(form.status, StatusCode::OK);
        // Four questions, each on a scale of five faces.
        for n in 1..=5 {
            assert_eq!(
                form.body.matches(&format!("face-{n}.svg")).count(),
                4,
                "{page}"
            );
        }
    }
    let north = w.app.north.to_string();
    let answer = |name: &str, anonymous: &str, comment: &str, overall: &str| {
        encode(&[
            ("provider", &north),
            ("duty", "imha"),
            ("listened", "5"),
            ("understood", "4"),
            ("speak_up", "4"),
            ("overall", overall),
            (
                "filled_in",
                if name.is_empty() {
                    "alone"
                } else {
                    "with_help"
                },
            ),
            ("anonymous", anonymous),
            ("name", name),
            ("comment", comment),
        ])
    };
    let manager = w.app.session_for(w.manager);
    let results = || async { w.app.get("/feedback/results", Some(&manager)).await };
    let empty = results().await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(
        empty
            .body
            .contains("No one has answered the questionnaire yet.")
    );

    // Nothing answered: every question is named, and nothing is stored.
    let blank = w
        .app
        .post_form("/feedback", None, &encode(&[("name", "Kept")]))
        .await;
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
    for message in [
        "Choose the advocacy service that helped you",
        "Choose a face for: did your advocate listen to you?",
        "Choose a face for: how do you feel about the help you got?",
        "Say whether you filled this in on your own or with help",
        "Say whether you want to give your name",
    ] {
        assert!(blank.body.contains(message), "{message}");
    }
    // What was typed is kept on the page shown again.
    assert!(blank.body.contains("value=\"Kept\""));
    // A face off the scale, or a name promised and not given, is refused.
    let off = w
        .app
        .post_form("/feedback", None, &answer("", "yes", "", "6"))
        .await;
    assert_eq!(off.status, StatusCode::UNPROCESSABLE_ENTITY);
    let unnamed = w
        .app
        .post_form("/feedback", None, &answer("", "no", "", "4"))
        .await;
    assert_eq!(unnamed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unnamed
            .body
            .contains("Enter your name, or choose not to give it")
    );
    // A program that fills in the hidden field is thanked, and nothing is stored.
    let robot = w
        .app
        .post_form(
            "/feedback",
            None,
            &format!("{}&website=spam", answer("", "yes", "Robot-words", "1")),
        )
        .await;
    assert_eq!(robot.status, StatusCode::OK);
    assert!(
        results()
            .await
            .body
            .contains("No one has answered the questionnaire yet.")
    );

    // An anonymous answer keeps no name even if one was typed; words are shown escaped.
    let sent = w
        .app
        .post_form(
            "/feedback",
            None,
            &answer("", "yes", "<b>Kind</b> advocate", "5"),
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert!(sent.body.contains("Thank you for your answers"));
    let anonymous_with_name = answer("Typed-But-Anonymous", "yes", "Second", "3");
    assert_eq!(
        w.app
            .post_form("/feedback/easy-read", None, &anonymous_with_name)
            .await
            .status,
        StatusCode::OK
    );
    let named = w
        .app
        .post_form(
            "/feedback",
            None,
            &answer("Pat Named", "no", "Helped a lot", "4"),
        )
        .await;
    assert_eq!(named.status, StatusCode::OK);

    let summary = results().await;
    assert!(
        summary.body.contains("&lt;b&gt;Kind&lt;/b&gt; advocate")
            || summary.body.contains("&#60;b&#62;Kind")
    );
    assert!(!summary.body.contains("<b>Kind</b>"));
    assert!(!summary.body.contains("Typed-But-Anonymous"));
    assert!(summary.body.contains("Pat Named (with help)"));
    assert!(summary.body.contains("Anonymous (with help)"));
    // One row for this quarter's IMHA answers: three of them, one with help, overall 4.0.
    let quarter = advocase_domain::safeguarding::quarter_of(chrono::Utc::now().date_naive());
    assert!(summary.body.contains(&quarter));
    assert!(summary.body.contains("4.0"));

    let dashboard = w.app.get("/quality", Some(&manager)).await;
    assert!(
        dashboard
            .body
            .contains("feedback questionnaires answered this quarter")
    );
    assert!(dashboard.body.contains("4.0 out of 5"));
    assert!(dashboard.body.contains("/feedback/results"));

    // Advocates and people outside the provider's management see no such page.
    let advocate = w.app.session_for(w.first);
    assert_eq!(
        w.app.get("/feedback/results", Some(&advocate)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        w.app.get("/feedback/results", None).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn the_commissioners_view_of_signals_holds_no_names() {
    let w = casework();
    concern_on_the_case(&w).await;
    let session = w.app.session_for(w.first);
    let today = chrono::Utc::now()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    let form = encode(&[
        ("place", "Elm House"),
        ("place_kind", "care_home"),
        ("theme", "dignity"),
        ("severity", "serious"),
        ("noted_on", &today),
        ("detail", "Lovelace left in soiled clothes"),
    ]);
    let answer = w
        .app
        .post_form(
            &format!("/cases/{}/service-concerns", w.case_id),
            Some(&session),
            &form,
        )
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let manager = w.app.session_for(w.manager);
    let signals = w.app.get("/signals", Some(&manager)).await;
    assert!(signals.body.contains("Elm House") && signals.body.contains("Send a signal"));
    let concerns = w
        .app
        .db
        .store
        .service_concerns(&w.app.actor(w.manager), chrono::NaiveDate::MIN)
        .unwrap();
    let form = encode(&[
        ("concerns", &concerns[0].id.to_string()),
        ("basis", "serious"),
        ("place", "Elm House"),
        ("place_kind", "care_home"),
        ("theme", "dignity"),
        ("sent_on", &today),
        ("response_due", &today),
    ]);
    let answer = w.app.post_form("/signals", Some(&manager), &form).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let council = w
        .app
        .db
        .store
        .create_organisation(OrganisationKind::Commissioner, "County Council")
        .unwrap();
    let officer = w
        .app
        .add_user(council, "officer@council.example", Role::Commissioner);
    // A council sees only the signals of providers it funds.
    let unfunded = w
        .app
        .get("/api/v1/signals", Some(&w.app.session_for(officer)))
        .await;
    assert_eq!(unfunded.status, StatusCode::OK);
    assert!(!unfunded.body.contains("Elm House"));
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
    w.app
        .db
        .store
        .create_contract(&w.app.actor(w.manager), &contract)
        .unwrap();
    let api = w
        .app
        .get("/api/v1/signals", Some(&w.app.session_for(officer)))
        .await;
    assert_eq!(api.status, StatusCode::OK);
    assert!(api.body.contains("Elm House"));
    for personal in ["Lovelace", "Ada", "soiled", "case", "person"] {
        assert!(!api.body.contains(personal), "{personal} in {}", api.body);
    }
    let refused = w.app.get("/api/v1/signals", Some(&manager)).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
}
