//! Black-box tests of casework through the whole router: allocation with the conflict
//! block, contacts, outcomes, closure, the person record, and who may see a case in
//! pages and in the API.

mod common;

use advocase_domain::identity::Role;
use axum::http::StatusCode;
use common::*;

#[tokio::test]
async fn a_conflicted_advocate_is_not_offered_and_a_forced_allocation_is_refused() {
    let w = casework();
    let manager = w.app.session_for(w.manager);
    let conflict = w
        .app
        .post_form(
            &format!("/people/{}/conflicts", w.person_id),
            Some(&manager),
            &encode(&[("advocate", &w.first.to_string()), ("kind", "related")]),
        )
        .await;
    assert_eq!(conflict.status, StatusCode::SEE_OTHER);
    let page = w
        .app
        .get(&format!("/cases/{}/allocate", w.case_id), Some(&manager))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains(&format!(r#"value="{}""#, w.first)));
    assert!(page.body.contains(&format!(r#"value="{}""#, w.second)));
    assert!(
        page.body
            .contains("Conflict of interest: Is related to the person")
    );
    // Posting the conflicted advocate anyway is refused with the reason, and nothing changes.
    let forced = w
        .app
        .post_form(
            &format!("/cases/{}/allocate", w.case_id),
            Some(&manager),
            &encode(&[
                ("advocate", &w.first.to_string()),
                ("override_reason", "urgent"),
                ("version", "1"),
            ]),
        )
        .await;
    assert_eq!(forced.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(forced.body.contains("conflict of interest"));
    let file = w
        .app
        .db
        .store
        .case_file(&w.app.actor(w.manager), w.case_id)
        .unwrap();
    assert_eq!(file.case.advocate_id, None);
    let allocated = w
        .app
        .post_form(
            &format!("/cases/{}/allocate", w.case_id),
            Some(&manager),
            &encode(&[("advocate", &w.second.to_string()), ("version", "1")]),
        )
        .await;
    assert_eq!(allocated.status, StatusCode::SEE_OTHER);
    // A page opened before that allocation is told who holds the case now, beside the
    // one chosen, with the new version; nothing is changed.
    let stale = w
        .app
        .post_form(
            &format!("/cases/{}/allocate", w.case_id),
            Some(&manager),
            &encode(&[
                ("advocate", &w.second.to_string()),
                ("reason", "Moving nearer"),
                ("version", "1"),
            ]),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.body.contains("Someone else saved a change first"));
    assert!(stale.body.contains("The case is held by second."));
    assert!(stale.body.contains(r#"name="version" value="2""#));
    assert!(
        stale.body.contains("Moving nearer"),
        "what was typed is kept"
    );
    // A closure form opened before it is shown the same, keeping what was typed.
    let second = w.app.session_for(w.second);
    let closing = w
        .app
        .post_form(
            &format!("/cases/{}/close", w.case_id),
            Some(&second),
            &encode(&[
                ("reason", "withdrew"),
                ("self_advocacy", "more"),
                ("note", "Closing-note-unique"),
                ("version", "1"),
            ]),
        )
        .await;
    assert_eq!(closing.status, StatusCode::CONFLICT, "{}", closing.body);
    assert!(closing.body.contains("You were closing the case"));
    assert!(closing.body.contains("Closing-note-unique"));
    assert!(closing.body.contains(r#"name="version" value="2""#));
    let file = w
        .app
        .db
        .store
        .case_file(&w.app.actor(w.manager), w.case_id)
        .unwrap();
    assert_eq!(file.case.status, "allocated");
}

#[tokio::test]
async fn an_advocate_sees_only_their_own_cases_in_pages_and_the_api_and_every_read_is_audited() {
    let w = casework();
    let manager = w.app.session_for(w.manager);
    w.app
        .post_form(
            &format!("/cases/{}/allocate", w.case_id),
            Some(&manager),
            &encode(&[("advocate", &w.first.to_string()), ("version", "1")]),
        )
        .await;
    let first = w.app.session_for(w.first);
    let second = w.app.session_for(w.second);
    let own = w
        .app
        .get(&format!("/cases/{}", w.case_id), Some(&first))
        .await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(own.body.contains("Ada Lovelace"));
    let missing = w.app.get("/cases/999999", Some(&second)).await;
    let other = w
        .app
        .get(&format!("/cases/{}", w.case_id), Some(&second))
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    assert_eq!(
        other.body, missing.body,
        "not yours must look exactly like not there"
    );
    let person = w
        .app
        .get(&format!("/people/{}", w.person_id), Some(&second))
        .await;
    assert_eq!(person.status, StatusCode::NOT_FOUND);
    // The API answers the same way.
    let api_own = w
        .app
        .get(&format!("/api/v1/cases/{}", w.case_id), Some(&first))
        .await;
    assert_eq!(api_own.status, StatusCode::OK);
    let view: serde_json::Value = serde_json::from_str(&api_own.body).unwrap();
    assert_eq!(view["duty"], "imha");
    // The OpenAPI document calls it a `date-time`, which is RFC 3339 with its offset.
    let opened_at = view["opened_at"].as_str().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(opened_at).is_ok(),
        "{opened_at}"
    );
    let api_other = w
        .app
        .get(&format!("/api/v1/cases/{}", w.case_id), Some(&second))
        .await;
    let api_missing = w.app.get("/api/v1/cases/999999", Some(&second)).await;
    assert_eq!(api_other.status, StatusCode::NOT_FOUND);
    assert_eq!(api_other.body, api_missing.body);
    let list: serde_json::Value =
        serde_json::from_str(&w.app.get("/api/v1/cases", Some(&second)).await.body).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 0);
    let list: serde_json::Value =
        serde_json::from_str(&w.app.get("/api/v1/cases", Some(&first)).await.body).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    // A commissioner and an intake worker have no caseload at all.
    let commissioner_org = w
        .app
        .db
        .store
        .create_organisation(
            advocase_domain::identity::OrganisationKind::Commissioner,
            "Council",
        )
        .unwrap();
    let commissioner = w
        .app
        .add_user(commissioner_org, "c@council.example", Role::Commissioner);
    let commissioner = w.app.session_for(commissioner);
    assert_eq!(
        w.app.get("/cases", Some(&commissioner)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        w.app.get("/api/v1/cases", Some(&commissioner)).await.status,
        StatusCode::NOT_FOUND
    );
    // Every read, and the refusals, are in the trail.
    let trail = w
        .app
        .db
        .store
        .search_audit(
            &w.app.actor(w.manager),
            &advocase_storage::audit::AuditQuery {
                record_type: Some("case".into()),
                ..Default::default()
            },
        )
        .unwrap();
    let case_id = w.case_id.to_string();
    let reads = trail
        .iter()
        .filter(|e| {
            e.actor_user_id == Some(w.first)
                && e.action == "read"
                && e.record_id.as_deref() == Some(case_id.as_str())
        })
        .count();
    assert_eq!(reads, 2, "one read by the page and one by the API");
    let denied = trail
        .iter()
        .filter(|e| e.actor_user_id == Some(w.second) && e.action == "denied")
        .count();
    assert_eq!(denied, 4);
}

#[tokio::test]
async fn contacts_are_checked_and_a_case_closes_only_with_a_reason_for_open_tasks() {
    let w = casework();
    let manager = w.app.session_for(w.manager);
    w.app
        .post_form(
            &format!("/cases/{}/allocate", w.case_id),
            Some(&manager),
            &encode(&[("advocate", &w.first.to_string()), ("version", "1")]),
        )
        .await;
    let first = w.app.session_for(w.first);
    let tomorrow = (chrono::Utc::now().date_naive() + chrono::Duration::days(2)).to_string();
    let future = w
        .app
        .post_form(
            &format!("/cases/{}/contacts", w.case_id),
            Some(&first),
            &encode(&[
                ("date", &tomorrow),
                ("time", "10:00"),
                ("mode", "phone"),
                ("duration", "0"),
                ("discussed", "Rights"),
                ("could_instruct", "no"),
            ]),
        )
        .await;
    assert_eq!(future.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(future.body.contains("The contact cannot be in the future"));
    assert!(future.body.contains("at least 1 minute"));
    assert!(future.body.contains("non-instructed approach"));
    assert!(
        future.body.contains(r#"value="Rights""#) || future.body.contains(">Rights<"),
        "what was typed is kept"
    );
    let file = w
        .app
        .db
        .store
        .case_file(&w.app.actor(w.first), w.case_id)
        .unwrap();
    assert!(file.contacts.is_empty(), "nothing half-saved");
    let yesterday = (chrono::Utc::now().date_naive() - chrono::Duration::days(1)).to_string();
    let saved = w
        .app
        .post_form(
            &format!("/cases/{}/contacts", w.case_id),
            Some(&first),
            &encode(&[
                ("date", &yesterday),
                ("time", "10:00"),
                ("mode", "in_person"),
                ("duration", "45"),
                ("discussed", "Her rights under section 3"),
                ("could_instruct", "no"),
                ("approach", "watching_brief"),
            ]),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let issue = w
        .app
        .post_form(
            &format!("/cases/{}/issues", w.case_id),
            Some(&first),
            &encode(&[
                ("in_their_words", "I want leave to see my son"),
                ("process", "tribunal"),
            ]),
        )
        .await;
    assert_eq!(issue.status, StatusCode::SEE_OTHER);
    let page = w
        .app
        .get(&format!("/cases/{}", w.case_id), Some(&first))
        .await;
    assert!(page.body.contains("Watching brief"));
    assert!(page.body.contains("I want leave to see my son"));
    assert!(page.body.contains("moj-timeline"));
    let version = w
        .app
        .db
        .store
        .case_file(&w.app.actor(w.first), w.case_id)
        .unwrap()
        .case
        .version
        .to_string();
    let refused = w
        .app
        .post_form(
            &format!("/cases/{}/close", w.case_id),
            Some(&first),
            &encode(&[
                ("reason", "completed"),
                ("self_advocacy", "more"),
                ("version", &version),
            ]),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("still has 1 open task"));
    let closed = w
        .app
        .post_form(
            &format!("/cases/{}/close", w.case_id),
            Some(&first),
            &encode(&[
                ("reason", "handed_over"),
                ("handed_over_to", "Her brother"),
                ("self_advocacy", "more"),
                ("open_tasks_reason", "Her brother will follow the tribunal"),
                ("version", &version),
            ]),
        )
        .await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER);
    let file = w
        .app
        .db
        .store
        .case_file(&w.app.actor(w.first), w.case_id)
        .unwrap();
    assert_eq!(file.case.closure_reason.as_deref(), Some("handed_over"));
}

#[tokio::test]
async fn a_second_editor_is_told_what_changed_instead_of_overwriting() {
    let w = casework();
    let manager = w.app.session_for(w.manager);
    let first_save = w
        .app
        .post_form(
            &format!("/people/{}/details", w.person_id),
            Some(&manager),
            &encode(&[("communication_needs", "Uses Makaton"), ("version", "1")]),
        )
        .await;
    assert_eq!(first_save.status, StatusCode::SEE_OTHER);
    let second_save = w
        .app
        .post_form(
            &format!("/people/{}/details", w.person_id),
            Some(&manager),
            &encode(&[
                ("communication_needs", "Needs short sentences"),
                ("version", "1"),
            ]),
        )
        .await;
    assert_eq!(second_save.status, StatusCode::CONFLICT);
    assert!(
        second_save
            .body
            .contains("Someone else saved a change first")
    );
    assert!(second_save.body.contains("Uses Makaton"));
    assert!(second_save.body.contains("Needs short sentences"));
    let person = w
        .app
        .db
        .store
        .current_person(&w.app.actor(w.manager), w.person_id)
        .unwrap();
    assert_eq!(person.communication_needs.as_deref(), Some("Uses Makaton"));
}

#[tokio::test]
async fn staff_find_a_person_by_name_among_those_they_may_open() {
    let w = casework();
    let manager = w.app.session_for(w.manager);
    let empty = w.app.get("/people", Some(&manager)).await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty.body.contains("Find a person"));
    let found = w.app.get("/people?q=Ada+Love", Some(&manager)).await;
    assert_eq!(found.status, StatusCode::OK);
    assert!(found.body.contains("1 person found"));
    assert!(
        found
            .body
            .contains(&format!("href=\"/people/{}\"", w.person_id))
    );
    // What was typed comes back as text in the box, never as markup.
    let typed = w
        .app
        .get(
            "/people?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
            Some(&manager),
        )
        .await;
    assert_eq!(typed.status, StatusCode::OK);
    assert!(!typed.body.contains("<script>alert(1)"));
    assert!(typed.body.contains("No one found"));
    // An advocate without the case finds no one; intake has no such page.
    let advocate = w.app.session_for(w.first);
    let none = w.app.get("/people?q=love", Some(&advocate)).await;
    assert!(none.body.contains("No one found"));
    let intake = w
        .app
        .add_user(w.app.north, "intake2@north.example", Role::IntakeWorker);
    assert_eq!(
        w.app
            .get("/people?q=love", Some(&w.app.session_for(intake)))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}
