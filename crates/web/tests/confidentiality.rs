//! Black-box tests of confidentiality through the whole router: the authorisation
//! matrix over every page and API route that shows personal data, the reason a manager
//! gives before opening a case, break-glass access, and the subject access export.

mod common;

use advocase_domain::audit::AuditAction;
use advocase_domain::identity::{OrganisationKind, Role};
use advocase_storage::audit::AuditQuery;
use axum::http::StatusCode;
use common::*;

/// Every GET route that shows a case's or a person's personal data, for one case and
/// its person.
fn personal_routes(case_id: i64, person_id: i64) -> Vec<String> {
    let mut routes: Vec<String> = [
        "",
        "/allocate",
        "/contacts/new",
        "/issues/new",
        "/work/new",
        "/challenges/new",
        "/close",
    ]
    .iter()
    .map(|suffix| format!("/cases/{case_id}{suffix}"))
    .collect();
    routes.extend(
        [
            "",
            "/details",
            "/conflicts/new",
            "/consents/new",
            "/share",
            "/breaches/new",
            "/subject-access/new",
            "/subject-access/export",
            "/subject-access/export.json",
            "/restriction",
            "/legal-hold",
        ]
        .iter()
        .map(|suffix| format!("/people/{person_id}{suffix}")),
    );
    routes.push(format!("/api/v1/cases/{case_id}"));
    routes
}

#[tokio::test]
async fn nobody_outside_need_to_know_sees_a_case_or_person_and_the_refusal_is_a_plain_not_found() {
    let w = allocated_casework();
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
        ("commissioner", {
            let council = w
                .app
                .db
                .store
                .create_organisation(OrganisationKind::Commissioner, "County Council")
                .unwrap();
            w.app
                .add_user(council, "commissioner@council.example", Role::Commissioner)
        }),
        ("advocate of other cases", w.second),
        (
            "manager of another provider",
            w.app
                .add_user(w.app.south, "manager@south.example", Role::Manager),
        ),
        (
            "advocate of another provider",
            w.app
                .add_user(w.app.south, "advocate@south.example", Role::Advocate),
        ),
    ];
    let missing_case = w.case_id + 1000;
    let missing_person = w.person_id + 1000;
    for (who, user) in outsiders {
        let session = w.app.session_for(user);
        for (route, missing) in personal_routes(w.case_id, w.person_id)
            .into_iter()
            .zip(personal_routes(missing_case, missing_person))
        {
            let answer = w.app.get(&route, Some(&session)).await;
            assert_eq!(answer.status, StatusCode::NOT_FOUND, "{who}: GET {route}");
            assert!(
                !answer.body.contains("Lovelace"),
                "{who}: GET {route} leaks the name"
            );
            let absent = w.app.get(&missing, Some(&session)).await;
            assert_eq!(
                answer.body, absent.body,
                "{who}: GET {route} must answer exactly like a record that does not exist"
            );
        }
        // Lists with personal data are managers' only, and never show another
        // provider's people.
        for list in ["/breaches", "/retention", "/cases"] {
            let answer = w.app.get(list, Some(&session)).await;
            assert!(
                !answer.body.contains("Lovelace"),
                "{who}: GET {list} leaks the name"
            );
        }
        // Writes are refused the same way, and change nothing.
        for (route, form) in [
            (
                format!("/people/{}/consents", w.person_id),
                "scope=case_summary&recipient=GP&basis=public_task&given_on=2026-11-01",
            ),
            (
                format!("/people/{}/breaches", w.person_id),
                "decided_on=2026-11-01&ground=crime&why=x&decided_by=x&who_was_told=x&person_told=yes",
            ),
            (format!("/people/{}/restriction", w.person_id), "named=1"),
            (format!("/people/{}/legal-hold", w.person_id), "reason=x"),
            (
                format!("/cases/{}/contacts", w.case_id),
                "date=2026-11-01&time=10:00&mode=phone&duration=5&discussed=x&could_instruct=yes",
            ),
        ] {
            let answer = w.app.post_form(&route, Some(&session), form).await;
            assert_eq!(answer.status, StatusCode::NOT_FOUND, "{who}: POST {route}");
        }
    }
    let file = w
        .app
        .db
        .store
        .person_file(&w.app.actor(w.manager), w.person_id)
        .unwrap();
    assert!(file.confidentiality.consents.is_empty());
    assert!(file.confidentiality.breaches.is_empty());
    assert!(file.confidentiality.legal_hold.is_none());
    assert!(!file.person.restricted);
    assert!(file.cases[0].contacts.is_empty());
    // The refusals are in the audit trail as denied accesses.
    let auditor = w
        .app
        .add_user(w.app.north, "auditor@north.example", Role::Manager);
    let denied = w
        .app
        .db
        .store
        .search_audit(
            &w.app.actor(auditor),
            &AuditQuery {
                action: Some(AuditAction::Denied),
                ..Default::default()
            },
        )
        .unwrap();
    assert!(!denied.is_empty());
    // The allocated advocate sees every case and person page.
    let advocate = w.app.session_for(w.first);
    for route in personal_routes(w.case_id, w.person_id) {
        let manager_only = route.contains("subject-access")
            || route.ends_with("/restriction")
            || route.ends_with("/legal-hold")
            || route.ends_with("/allocate");
        let answer = w.app.get(&route, Some(&advocate)).await;
        let expected = if manager_only {
            StatusCode::NOT_FOUND
        } else {
            StatusCode::OK
        };
        assert_eq!(answer.status, expected, "allocated advocate: GET {route}");
    }
}

#[tokio::test]
async fn a_manager_is_asked_why_once_per_case_and_returned_to_the_page() {
    let w = casework();
    let other = w
        .app
        .add_user(w.app.north, "manager2@north.example", Role::Manager);
    let session = w.app.session_for(other);
    let page = format!("/cases/{}", w.case_id);
    let asked = w.app.get(&page, Some(&session)).await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER);
    let reason_page = location(&asked).to_string();
    assert_eq!(
        reason_page,
        format!("/reason?next=%2Fcases%2F{}", w.case_id)
    );
    let form = w.app.get(&reason_page, Some(&session)).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("Why are you opening this record?"));
    // A form sent before the reason was given leads, after it, to the record itself:
    // the form's own address answers only its POST.
    let sent = w
        .app
        .post_form(
            &format!("/people/{}/invite", w.person_id),
            Some(&session),
            &encode(&[("email", "ada@example.org")]),
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    assert_eq!(
        location(&sent),
        format!("/reason?next=%2Fpeople%2F{}", w.person_id)
    );
    // The API says what to do instead of redirecting.
    let api = w
        .app
        .get(&format!("/api/v1/cases/{}", w.case_id), Some(&session))
        .await;
    assert_eq!(api.status, StatusCode::FORBIDDEN);
    assert!(api.body.contains("reason"));
    // "Something else" needs the words; a redirect elsewhere is refused.
    let refused = w
        .app
        .post_form(
            "/reason",
            Some(&session),
            &encode(&[("next", &page), ("reason", "other")]),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let elsewhere = w
        .app
        .post_form(
            "/reason",
            Some(&session),
            &encode(&[("next", "https://example.com/"), ("reason", "supervision")]),
        )
        .await;
    assert_eq!(elsewhere.status, StatusCode::NOT_FOUND);
    let given = w
        .app
        .post_form(
            "/reason",
            Some(&session),
            &encode(&[("next", &page), ("reason", "supervision")]),
        )
        .await;
    assert_eq!(given.status, StatusCode::SEE_OTHER);
    assert_eq!(location(&given), page);
    assert_eq!(
        w.app.get(&page, Some(&session)).await.status,
        StatusCode::OK
    );
    // Asking about a case of another provider is "not found", never "give a reason".
    let south = w
        .app
        .add_user(w.app.south, "manager@south.example", Role::Manager);
    let answer = w.app.get(&page, Some(&w.app.session_for(south))).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_subject_access_export_leaves_out_who_else_was_present() {
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
                ("present", "Her brother Cedric Third-Party"),
                ("discussed", "What she wants from the ward round"),
                ("could_instruct", "yes"),
            ]),
        )
        .await;
    assert_eq!(recorded.status, StatusCode::SEE_OTHER, "{}", recorded.body);
    let manager = w.app.session_for(w.manager);
    for route in ["export", "export.json"] {
        let export = w
            .app
            .get(
                &format!("/people/{}/subject-access/{route}", w.person_id),
                Some(&manager),
            )
            .await;
        assert_eq!(export.status, StatusCode::OK);
        assert!(export.body.contains("What she wants from the ward round"));
        assert!(export.body.contains("Lovelace"));
        // The referral that brought her to the service, in the referrer's words.
        assert!(
            export.body.contains("R-TEST-0001"),
            "{route} holds the referral"
        );
        assert!(export.body.contains("Detained"));
        assert!(
            !export.body.contains("Cedric"),
            "{route} holds a third party's name"
        );
    }
}

/// Sends a document to the case's upload form.
async fn upload(w: &Casework, session: &str, file_name: &str, bytes: &[u8]) -> Answer {
    w.app
        .upload(
            &format!("/cases/{}/documents", w.case_id),
            session,
            file_name,
            bytes,
        )
        .await
}

#[tokio::test]
async fn documents_are_checked_sealed_in_the_database_and_opened_only_through_the_case() {
    let w = allocated_casework();
    let advocate = w.app.session_for(w.first);
    // A program pretending to be a PDF is refused by field, and nothing is kept.
    let refused = upload(&w, &advocate, "letter.pdf", b"MZ\x90\x00 not a pdf").await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("PDF, a PNG or a JPEG"));
    let pdf = b"%PDF-1.4\nTribunal-letter-unique-words\n%%EOF\n";
    let added = upload(&w, &advocate, "tribunal letter.pdf", pdf).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let page = w
        .app
        .get(&format!("/cases/{}", w.case_id), Some(&advocate))
        .await;
    assert!(page.body.contains("tribunal letter.pdf"));
    let id = page
        .body
        .split("/documents/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string();
    let download = w
        .app
        .get(&format!("/documents/{id}"), Some(&advocate))
        .await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(download.body.as_bytes(), pdf);
    assert_eq!(
        download.headers[axum::http::header::CONTENT_TYPE],
        "application/pdf"
    );
    assert!(
        download.headers[axum::http::header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    // In the database, nothing of the file or its name can be read.
    let stored = w.app.db.stored_documents();
    assert_eq!(stored.len(), 1);
    for bytes in stored {
        assert!(!bytes.windows(5).any(|b| b == b"%PDF-"));
        assert!(!bytes.windows(8).any(|b| b == b"Tribunal"));
    }
    // Another advocate gets what a missing document gets.
    let other = w.app.session_for(w.second);
    let hidden = w.app.get(&format!("/documents/{id}"), Some(&other)).await;
    let missing = w.app.get("/documents/999999", Some(&other)).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    assert_eq!(hidden.body, missing.body);
    assert_eq!(
        upload(&w, &other, "x.pdf", pdf).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_daily_retention_check_tells_the_manager_on_the_home_page() {
    use diesel::RunQueryDsl;
    let w = casework();
    let manager = w.app.session_for(w.manager);
    let home = w.app.get("/", Some(&manager)).await;
    assert!(!home.body.contains("The daily check on"));
    // The case is closed; eight years on, the check finds the person past seven years.
    let mut conn =
        <advocase_storage::DbConnection as diesel::Connection>::establish(&w.app.db.url).unwrap();
    diesel::sql_query("UPDATE cases SET status = 'closed'")
        .execute(&mut conn)
        .unwrap();
    let later = chrono::Utc::now().date_naive() + chrono::Duration::days(8 * 366);
    w.app.db.store.check_retention(later, 7).unwrap();
    let home = w.app.get("/", Some(&manager)).await;
    assert!(
        home.body
            .contains("found records past their retention period: 1 person."),
        "{}",
        home.body
    );
    assert!(home.body.contains("href=\"/retention\""));
    // An advocate's home page says nothing of it.
    let advocate = w.app.get("/", Some(&w.app.session_for(w.first))).await;
    assert!(!advocate.body.contains("The daily check on"));
}
