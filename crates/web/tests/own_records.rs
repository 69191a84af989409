//! Black-box tests of a person's own sign-in: invited by their advocate, they choose a
//! password, sign in without two-factor unless they set it up, read only their own
//! records in plain English or easy read, never a staff page, and ask for a correction
//! that staff answer.

mod common;

use axum::http::StatusCode;
use common::*;

/// The allocated case of the casework fixture, with a contact recorded by the
/// advocate, and the person invited to their own sign-in. Returns the fixture and the
/// person's user id, their password set through the one-time link.
async fn invited() -> (Casework, i64) {
    let w = allocated_casework();
    let advocate = w.app.session_for(w.first);
    let recorded = w
        .app
        .post_form(
            &format!("/cases/{}/contacts", w.case_id),
            Some(&advocate),
            &encode(&[
                ("date", "2026-11-02"),
                ("time", "10:00"),
                ("mode", "in_person"),
                ("duration", "30"),
                ("present", "Her nurse Petra Someone-Else"),
                ("discussed", "Her wish to go home at weekends"),
                ("could_instruct", "yes"),
            ]),
        )
        .await;
    assert_eq!(recorded.status, StatusCode::SEE_OTHER);
    // Only a manager gives a person their own sign-in.
    let by_advocate = w
        .app
        .post_form(
            &format!("/people/{}/invite", w.person_id),
            Some(&advocate),
            "email=ada%40example.org",
        )
        .await;
    assert_eq!(by_advocate.status, StatusCode::NOT_FOUND);
    let manager = w.app.session_for(w.manager);
    // A bad email address is refused by field, and nothing is made.
    let refused = w
        .app
        .post_form(
            &format!("/people/{}/invite", w.person_id),
            Some(&manager),
            "email=not-an-address",
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = w
        .app
        .post_form(
            &format!("/people/{}/invite", w.person_id),
            Some(&manager),
            "email=ada%40example.org",
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let link = page
        .body
        .split("/set-password/")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .map(|token| format!("/set-password/{token}"))
        .expect("the page shows the one-time link");
    // A second invitation for the same person is refused.
    let again = w
        .app
        .post_form(
            &format!("/people/{}/invite", w.person_id),
            Some(&manager),
            "email=ada2%40example.org",
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    let chosen = w
        .app
        .post_form(
            &link,
            None,
            &encode(&[
                ("new_password", "a long enough password"),
                ("confirm_password", "a long enough password"),
            ]),
        )
        .await;
    assert!(
        chosen.status.is_redirection(),
        "{}: {}",
        chosen.status,
        chosen.body
    );
    let user = w
        .app
        .db
        .store
        .user_by_email(
            &advocase_domain::identity::EmailAddress::parse("email", "ada@example.org").unwrap(),
        )
        .unwrap()
        .unwrap();
    (w, user.id)
}

#[tokio::test]
async fn a_person_signs_in_without_two_factor_and_reads_only_their_own_records() {
    let (w, person) = invited().await;
    let signed_in = w
        .app
        .post_form(
            "/sign-in",
            None,
            &encode(&[
                ("email", "ada@example.org"),
                ("password", "a long enough password"),
            ]),
        )
        .await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER);
    assert_eq!(
        location(&signed_in),
        "/",
        "no two-factor unless they chose it"
    );
    let session = w.app.session_for(person);
    let home = w.app.get("/", Some(&session)).await;
    assert_eq!(location(&home), "/my-records");
    let records = w.app.get("/my-records", Some(&session)).await;
    assert_eq!(records.status, StatusCode::OK);
    assert!(records.body.contains("Her wish to go home at weekends"));
    assert!(
        !records.body.contains("Petra"),
        "who else was present is not theirs to read"
    );
    let easy = w
        .app
        .get("/my-records?view=easy-read", Some(&session))
        .await;
    assert_eq!(easy.status, StatusCode::OK);
    assert!(easy.body.contains("We talked about:"));
    // No staff page and no API answers them: the same 404 as a missing page.
    let missing = w.app.get("/no-such-page", Some(&session)).await;
    for route in [
        format!("/cases/{}", w.case_id),
        format!("/people/{}", w.person_id),
        "/cases".to_string(),
        "/referrals".to_string(),
        "/waiting-list".to_string(),
        "/audit".to_string(),
        "/settings".to_string(),
        "/breaches".to_string(),
        format!("/api/v1/cases/{}", w.case_id),
    ] {
        let answer = w.app.get(&route, Some(&session)).await;
        assert!(
            answer.status == StatusCode::NOT_FOUND || answer.status == StatusCode::UNAUTHORIZED,
            "GET {route}: {}",
            answer.status
        );
        if !route.starts_with("/api/") {
            assert_eq!(answer.body, missing.body, "GET {route}");
        }
    }
    // Staff have no "own records" page.
    let staff = w.app.session_for(w.manager);
    assert_eq!(
        w.app.get("/my-records", Some(&staff)).await.status,
        StatusCode::NOT_FOUND
    );
    // Another person of the same provider sees only their own (here: nothing of Ada's).
    let stranger = w.app.add_user(
        w.app.north,
        "someone@example.org",
        advocase_domain::identity::Role::Person,
    );
    let answer = w
        .app
        .get("/my-records", Some(&w.app.session_for(stranger)))
        .await;
    assert_eq!(
        answer.status,
        StatusCode::NOT_FOUND,
        "an account linked to no record reads nothing"
    );
}

#[tokio::test]
async fn a_correction_request_is_tracked_to_an_answer() {
    let (w, person) = invited().await;
    let session = w.app.session_for(person);
    let empty = w
        .app
        .post_form("/my-records/correction", Some(&session), "what_is_wrong=")
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    let asked = w
        .app
        .post_form(
            "/my-records/correction",
            Some(&session),
            &encode(&[
                ("what_is_wrong", "My date of birth is wrong"),
                ("should_say", "4 May 1960"),
            ]),
        )
        .await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER);
    let advocate = w.app.session_for(w.first);
    let person_page = w
        .app
        .get(&format!("/people/{}", w.person_id), Some(&advocate))
        .await;
    assert!(person_page.body.contains("My date of birth is wrong"));
    let id = person_page
        .body
        .split("/corrections/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string();
    // Another provider's staff cannot see or answer it.
    let south = w.app.add_user(
        w.app.south,
        "manager@south.example",
        advocase_domain::identity::Role::Manager,
    );
    let south = w.app.session_for(south);
    assert_eq!(
        w.app
            .get(&format!("/corrections/{id}"), Some(&south))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let answered = w
        .app
        .post_form(
            &format!("/corrections/{id}"),
            Some(&advocate),
            &encode(&[
                ("corrected", "yes"),
                ("answer", "We changed your date of birth."),
            ]),
        )
        .await;
    assert_eq!(answered.status, StatusCode::SEE_OTHER);
    let records = w.app.get("/my-records", Some(&session)).await;
    assert!(records.body.contains("We changed your date of birth."));
    assert!(records.body.contains("We corrected it."));
}
