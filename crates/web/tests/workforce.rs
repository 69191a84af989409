//! Black-box tests of the workforce pages through the whole router: who may see a
//! profile, the qualification rule in allocation, date-order refusals, and the
//! confirmation asked before a qualification that an allocation relies on is lowered.

mod common;

use advocase_domain::identity::{OrganisationKind, Role};
use axum::http::StatusCode;
use common::*;

#[tokio::test]
async fn commissioners_intake_and_other_providers_get_not_found_on_every_workforce_page() {
    let w = casework();
    let intake = w
        .app
        .add_user(w.app.north, "intake2@north.example", Role::IntakeWorker);
    let council = w
        .app
        .db
        .store
        .create_organisation(OrganisationKind::Commissioner, "Council")
        .unwrap();
    let commissioner = w
        .app
        .add_user(council, "officer@council.example", Role::Commissioner);
    let south_manager = w
        .app
        .add_user(w.app.south, "manager@south.example", Role::Manager);
    let first = w.first;
    let pages = [
        "/workforce".to_string(),
        "/workforce/rules".to_string(),
        "/workforce/rules/imha".to_string(),
        "/workforce/equality".to_string(),
        format!("/advocates/{first}"),
        format!("/advocates/{first}/profile"),
        format!("/advocates/{first}/qualifications/new"),
        format!("/advocates/{first}/training/new"),
        format!("/advocates/{first}/supervision/new"),
    ];
    let missing = w
        .app
        .get("/no-such-page", Some(&w.app.session_for(intake)))
        .await;
    for user in [intake, commissioner] {
        let session = w.app.session_for(user);
        for page in pages.iter().chain(["/profile".to_string()].iter()) {
            let answer = w.app.get(page, Some(&session)).await;
            assert_eq!(answer.status, StatusCode::NOT_FOUND, "{page}");
            assert_eq!(
                answer.body, missing.body,
                "{page} must look like a page that does not exist"
            );
        }
    }
    let south = w.app.session_for(south_manager);
    for page in pages.iter().skip(4) {
        assert_eq!(
            w.app.get(page, Some(&south)).await.status,
            StatusCode::NOT_FOUND,
            "{page}"
        );
    }
    let posted = w
        .app
        .post_form(
            &format!("/advocates/{first}/qualifications"),
            Some(&south),
            &encode(&[("unit", "405"), ("status", "working_towards")]),
        )
        .await;
    assert_eq!(posted.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_advocate_sees_their_own_profile_but_not_a_colleagues_nor_the_managers_pages() {
    let w = casework();
    let first = w.app.session_for(w.first);
    let own = w.app.get("/profile", Some(&first)).await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(
        own.body
            .contains(r#"<span class="govuk-caption-l">first</span>"#)
    );
    assert_eq!(
        w.app
            .get(&format!("/advocates/{}", w.first), Some(&first))
            .await
            .status,
        StatusCode::OK
    );
    for page in [
        format!("/advocates/{}", w.second),
        format!("/advocates/{}/qualifications/new", w.first),
        format!("/advocates/{}/profile", w.first),
        "/workforce".to_string(),
    ] {
        assert_eq!(
            w.app.get(&page, Some(&first)).await.status,
            StatusCode::NOT_FOUND,
            "{page}"
        );
    }
    // They record their own training and availability.
    let training = w
        .app
        .post_form(
            &format!("/advocates/{}/training", w.first),
            Some(&first),
            &encode(&[
                ("kind", "safeguarding"),
                ("completed_on", "2026-01-15"),
                ("renew_months", "12"),
            ]),
        )
        .await;
    assert_eq!(training.status, StatusCode::SEE_OTHER);
    let availability = w
        .app
        .post_form(
            "/profile/availability",
            Some(&first),
            &encode(&[("availability", "Mondays"), ("version", "0")]),
        )
        .await;
    assert_eq!(availability.status, StatusCode::SEE_OTHER);
    let own = w.app.get("/profile", Some(&first)).await;
    assert!(own.body.contains("Safeguarding"));
    assert!(own.body.contains("Mondays"));
}

#[tokio::test]
async fn dates_out_of_order_are_refused_naming_the_field() {
    let w = casework();
    let manager = w.app.session_for(w.manager);
    let early = w
        .app
        .post_form(
            &format!("/advocates/{}/qualifications", w.first),
            Some(&manager),
            &encode(&[
                ("unit", "405"),
                ("status", "achieved"),
                ("started_on", "2025-05-01"),
                ("achieved_on", "2025-04-01"),
            ]),
        )
        .await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        early
            .body
            .contains("The date they achieved it cannot be before the date they started")
    );
    assert!(early.body.contains(r##"href="#achieved_on""##));
    let appraisal = w
        .app
        .post_form(
            &format!("/advocates/{}/supervision", w.first),
            Some(&manager),
            &encode(&[
                ("kind", "appraisal"),
                ("held_on", "2099-01-01"),
                ("supervisor", &w.manager.to_string()),
            ]),
        )
        .await;
    assert_eq!(appraisal.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        appraisal
            .body
            .contains("The date of the appraisal cannot be in the future")
    );
    assert!(
        w.app
            .db
            .store
            .staff_file(&w.app.actor(w.manager), w.first)
            .unwrap()
            .supervisions
            .is_empty()
    );
}

#[tokio::test]
async fn the_imha_rule_keeps_an_unqualified_advocate_off_the_list_and_lowering_a_relied_on_unit_asks_first()
 {
    let w = casework();
    let manager = w.app.session_for(w.manager);
    let rule = w
        .app
        .post_form(
            "/workforce/rules/imha",
            Some(&manager),
            &encode(&[("unit", "405"), ("minimum", "working_towards")]),
        )
        .await;
    assert_eq!(rule.status, StatusCode::SEE_OTHER);
    let page = w
        .app
        .get(&format!("/cases/{}/allocate", w.case_id), Some(&manager))
        .await;
    assert!(!page.body.contains(&format!(r#"value="{}""#, w.first)));
    assert!(page.body.contains("Does not meet the qualification rule: unit 405 must be at least in progress, but is not started"));
    let recorded = w
        .app
        .post_form(
            &format!("/advocates/{}/qualifications", w.first),
            Some(&manager),
            &encode(&[
                ("unit", "405"),
                ("status", "working_towards"),
                ("started_on", "2026-01-05"),
            ]),
        )
        .await;
    assert_eq!(recorded.status, StatusCode::SEE_OTHER);
    let page = w
        .app
        .get(&format!("/cases/{}/allocate", w.case_id), Some(&manager))
        .await;
    assert!(page.body.contains(&format!(r#"value="{}""#, w.first)));
    let allocated = w
        .app
        .post_form(
            &format!("/cases/{}/allocate", w.case_id),
            Some(&manager),
            &encode(&[("advocate", &w.first.to_string()), ("version", "1")]),
        )
        .await;
    assert_eq!(allocated.status, StatusCode::SEE_OTHER);
    // Lowering the unit now asks for confirmation and lists the case.
    let file = w
        .app
        .db
        .store
        .staff_file(&w.app.actor(w.manager), w.first)
        .unwrap();
    let id = file.qualifications[0].id;
    let lowered = [("unit", "405"), ("status", "not_started"), ("version", "1")];
    let asked = w
        .app
        .post_form(
            &format!("/advocates/{}/qualifications/{id}", w.first),
            Some(&manager),
            &encode(&lowered),
        )
        .await;
    assert_eq!(asked.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        asked
            .body
            .contains(&format!("case {} (Ada Lovelace", w.case_id))
    );
    assert!(asked.body.contains(r#"name="confirm""#));
    let confirmed: Vec<(&str, &str)> = lowered
        .iter()
        .copied()
        .chain([("confirm", "yes")])
        .collect();
    let done = w
        .app
        .post_form(
            &format!("/advocates/{}/qualifications/{id}", w.first),
            Some(&manager),
            &encode(&confirmed),
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    // The compliance page and the profile show what is due.
    let compliance = w.app.get("/workforce", Some(&manager)).await;
    assert_eq!(compliance.status, StatusCode::OK);
    let profile = w
        .app
        .get(&format!("/advocates/{}", w.first), Some(&manager))
        .await;
    assert!(profile.body.contains("Not started"));
}

#[tokio::test]
async fn the_staff_comparison_shows_small_counts_as_fewer_than_eight() {
    let w = casework();
    let first = w.app.session_for(w.first);
    let answered = w
        .app
        .post_form(
            "/profile/equality",
            Some(&first),
            &encode(&[("sex", "female"), ("ethnicity", "white")]),
        )
        .await;
    assert_eq!(answered.status, StatusCode::SEE_OTHER);
    let wrong = w
        .app
        .post_form(
            "/profile/equality",
            Some(&first),
            &encode(&[("sex", "not_known")]),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let manager = w.app.session_for(w.manager);
    let page = w.app.get("/workforce/equality", Some(&manager)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("not shown"));
    assert!(!page.body.contains(">1 ("));
}

#[tokio::test]
async fn group_supervision_is_on_the_compliance_page_for_advocates_with_a_colleague() {
    let w = casework();
    let manager = w.app.session_for(w.manager);
    let profile = |group: &str| {
        encode(&[
            ("started_on", "2025-01-06"),
            ("supervision_months", "1"),
            ("group_supervision_months", group),
            ("version", "0"),
        ])
    };
    let refused = w
        .app
        .post_form(
            &format!("/advocates/{}/profile", w.first),
            Some(&manager),
            &profile("0"),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains(
        "How often group supervision is due must be a whole number of months from 1 to 12"
    ));
    assert!(
        refused
            .body
            .contains(r##"href="#group_supervision_months""##)
    );
    let saved = w
        .app
        .post_form(
            &format!("/advocates/{}/profile", w.first),
            Some(&manager),
            &profile("3"),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = w.app.get("/workforce", Some(&manager)).await;
    assert!(page.body.contains(
        "Group supervision: <strong class=\"govuk-tag govuk-tag--red\">Overdue since 6 Apr 2025"
    ));
    // A group meeting held today puts it three months ahead.
    let today = chrono::Utc::now().date_naive().to_string();
    let held = w
        .app
        .post_form(
            &format!("/advocates/{}/supervision", w.first),
            Some(&manager),
            &encode(&[
                ("kind", "group"),
                ("held_on", &today),
                ("supervisor", &w.manager.to_string()),
            ]),
        )
        .await;
    assert_eq!(held.status, StatusCode::SEE_OTHER, "{}", held.body);
    let page = w.app.get("/workforce", Some(&manager)).await;
    assert!(!page.body.contains("Group supervision:"));
    let profile = w
        .app
        .get(&format!("/advocates/{}", w.first), Some(&manager))
        .await;
    assert!(profile.body.contains("Every 3 months"));
    // A form opened before that save shows every part saved since that differs from
    // what was typed, not only the start date, and keeps what was typed.
    let stale = w
        .app
        .post_form(
            &format!("/advocates/{}/profile", w.first),
            Some(&manager),
            &encode(&[
                ("started_on", "2025-01-06"),
                ("supervision_months", "2"),
                ("group_supervision_months", "3"),
                ("availability", "Mondays only"),
                ("version", "0"),
            ]),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.body.contains("Someone else saved a change first"));
    assert!(stale.body.contains("Every month") && stale.body.contains("Every 2 months"));
    assert!(stale.body.contains("Mondays only"));
    let changed_row =
        |label: &str| format!("<th scope=\"row\" class=\"govuk-table__header\">{label}</th>");
    assert!(stale.body.contains(&changed_row("Individual supervision")));
    assert!(stale.body.contains(&changed_row("Availability")));
    assert!(
        !stale.body.contains(&changed_row("Start date")),
        "an unchanged start date is not listed as changed"
    );
}

#[tokio::test]
async fn a_training_record_is_corrected_with_the_checks_of_a_new_one_and_a_stale_form_shows_what_changed()
 {
    let w = casework();
    let first = w.app.session_for(w.first);
    let manager = w.app.session_for(w.manager);
    let added = w
        .app
        .post_form(
            &format!("/advocates/{}/training", w.first),
            Some(&first),
            &encode(&[
                ("kind", "network_event"),
                ("title", "Regional network"),
                ("completed_on", "2026-01-15"),
            ]),
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);
    let saved = || {
        w.app
            .db
            .store
            .staff_file(&w.app.actor(w.manager), w.first)
            .unwrap()
            .training
            .remove(0)
    };
    let id = saved().id;
    let page = format!("/advocates/{}/training/{id}", w.first);
    let profile = w.app.get("/profile", Some(&first)).await;
    assert!(profile.body.contains(&format!(r#"href="{page}""#)));
    let form = w.app.get(&page, Some(&first)).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains(r#"value="Regional network""#));
    // A date in the future is refused by field, as when recording, and nothing changes.
    let future = w
        .app
        .post_form(
            &page,
            Some(&first),
            &encode(&[
                ("kind", "network_event"),
                ("title", "Regional network"),
                ("completed_on", "2099-01-15"),
                ("version", "1"),
            ]),
        )
        .await;
    assert_eq!(future.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(future.body.contains("The date cannot be in the future"));
    assert!(future.body.contains(r##"href="#completed_on""##));
    assert_eq!(saved().completed_on.to_string(), "2026-01-15");
    // The manager corrects it; the advocate's form, opened before, is refused and shown.
    let corrected = w
        .app
        .post_form(
            &page,
            Some(&manager),
            &encode(&[
                ("kind", "network_event"),
                ("title", "Regional advocacy network"),
                ("completed_on", "2026-01-16"),
                ("version", "1"),
            ]),
        )
        .await;
    assert_eq!(corrected.status, StatusCode::SEE_OTHER);
    let stale = w
        .app
        .post_form(
            &page,
            Some(&first),
            &encode(&[
                ("kind", "network_event"),
                ("title", "North network"),
                ("completed_on", "2026-01-16"),
                ("version", "1"),
            ]),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.body.contains("Someone else saved a change first"));
    assert!(stale.body.contains("North network"));
    assert!(stale.body.contains(r#"value="Regional advocacy network""#));
    assert!(stale.body.contains(r#"name="version" value="2""#));
    assert_eq!(saved().title.as_deref(), Some("Regional advocacy network"));
    // A colleague gets what a record that does not exist gets.
    let second = w.app.session_for(w.second);
    let missing = w
        .app
        .get(
            &format!("/advocates/{}/training/999999", w.second),
            Some(&second),
        )
        .await;
    let hidden = w.app.get(&page, Some(&second)).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    assert_eq!(hidden.body, missing.body);
    let posted = w
        .app
        .post_form(
            &page,
            Some(&second),
            &encode(&[
                ("kind", "network_event"),
                ("title", "Taken over"),
                ("completed_on", "2026-01-16"),
                ("version", "2"),
            ]),
        )
        .await;
    assert_eq!(posted.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_manager_corrects_a_supervision_record_without_seeing_or_losing_notes_they_may_not_read()
{
    let w = casework();
    let supervisor = w
        .app
        .add_user(w.app.north, "supervisor@north.example", Role::Manager);
    let manager = w.app.session_for(w.manager);
    let recorded = w
        .app
        .post_form(
            &format!("/advocates/{}/supervision", w.first),
            Some(&manager),
            &encode(&[
                ("kind", "individual"),
                ("held_on", "2026-01-20"),
                ("supervisor", &supervisor.to_string()),
                ("notes", "Supervision-notes-unique"),
            ]),
        )
        .await;
    assert_eq!(recorded.status, StatusCode::SEE_OTHER, "{}", recorded.body);
    let file = w
        .app
        .db
        .store
        .staff_file(&w.app.actor(supervisor), w.first)
        .unwrap();
    let id = file.supervisions[0].record.id;
    let page = format!("/advocates/{}/supervision/{id}", w.first);
    let form = w.app.get(&page, Some(&manager)).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(!form.body.contains("Supervision-notes-unique"));
    assert!(!form.body.contains(r#"name="notes""#));
    assert!(form.body.contains("stay as they are"));
    let typed = |held_on: &str| {
        encode(&[
            ("kind", "group"),
            ("held_on", held_on),
            ("supervisor", &supervisor.to_string()),
            ("version", "1"),
        ])
    };
    let future = w
        .app
        .post_form(&page, Some(&manager), &typed("2099-01-01"))
        .await;
    assert_eq!(future.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        future
            .body
            .contains("The date of the supervision cannot be in the future")
    );
    let corrected = w
        .app
        .post_form(&page, Some(&manager), &typed("2026-01-21"))
        .await;
    assert_eq!(
        corrected.status,
        StatusCode::SEE_OTHER,
        "{}",
        corrected.body
    );
    let seen = w
        .app
        .get(
            &format!("/advocates/{}", w.first),
            Some(&w.app.session_for(supervisor)),
        )
        .await;
    assert!(seen.body.contains("Supervision-notes-unique"));
    assert!(seen.body.contains("Group supervision, 21 Jan 2026"));
    // The supervisor sees and may change the notes; the advocate corrects nothing.
    let theirs = w.app.get(&page, Some(&w.app.session_for(supervisor))).await;
    assert!(theirs.body.contains("Supervision-notes-unique"));
    let advocate = w.app.session_for(w.first);
    assert_eq!(
        w.app.get(&page, Some(&advocate)).await.status,
        StatusCode::NOT_FOUND
    );
    let profile = w.app.get("/profile", Some(&advocate)).await;
    assert!(!profile.body.contains(&format!(r#"href="{page}""#)));
}

#[tokio::test]
async fn evidence_of_a_qualification_is_uploaded_and_downloaded_by_the_holder_and_their_managers_only()
 {
    let w = casework();
    let manager = w.app.session_for(w.manager);
    let first = w.app.session_for(w.first);
    let recorded = w
        .app
        .post_form(
            &format!("/advocates/{}/qualifications", w.first),
            Some(&manager),
            &encode(&[
                ("unit", "405"),
                ("status", "achieved"),
                ("started_on", "2025-01-05"),
                ("achieved_on", "2025-09-01"),
            ]),
        )
        .await;
    assert_eq!(recorded.status, StatusCode::SEE_OTHER);
    let qualification = w
        .app
        .db
        .store
        .staff_file(&w.app.actor(w.manager), w.first)
        .unwrap()
        .qualifications[0]
        .id;
    let form = format!(
        "/advocates/{}/qualifications/{qualification}/evidence/new",
        w.first
    );
    let action = format!(
        "/advocates/{}/qualifications/{qualification}/evidence",
        w.first
    );
    // The advocate adds evidence to their own qualification from their profile.
    let profile = w.app.get("/profile", Some(&first)).await;
    assert!(profile.body.contains(&format!(r#"href="{form}""#)));
    let page = w.app.get(&form, Some(&first)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(r#"enctype="multipart/form-data""#));
    assert!(page.body.contains(&format!(r#"action="{action}""#)));
    // The checks of a case's documents: a program, or nothing, is refused by field.
    let refused = w
        .app
        .upload(&action, &first, "certificate.pdf", b"MZ\x90\x00 not a pdf")
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("The file must be a PDF, a PNG or a JPEG picture")
    );
    assert!(refused.body.contains(r##"href="#document""##));
    let empty = w.app.upload(&action, &first, "", b"").await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("Choose a file to add"));
    let pdf = b"%PDF-1.4\nNQIA-405-certificate-words\n%%EOF\n";
    let added = w
        .app
        .upload(&action, &first, "405 certificate.pdf", pdf)
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    assert_eq!(location(&added), format!("/advocates/{}", w.first));
    // Both see it on the profile with a download link, and both download it.
    let profile = w
        .app
        .get(&format!("/advocates/{}", w.first), Some(&manager))
        .await;
    assert!(profile.body.contains("405 certificate.pdf</a> (PDF, 1 KB)"));
    let download = profile
        .body
        .split("href=\"/evidence/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(|id| format!("/evidence/{id}"))
        .unwrap();
    for session in [&manager, &first] {
        let answer = w.app.get(&download, Some(session)).await;
        assert_eq!(answer.status, StatusCode::OK);
        assert_eq!(answer.body.as_bytes(), pdf);
        assert_eq!(
            answer.headers[axum::http::header::CONTENT_TYPE],
            "application/pdf"
        );
        assert_eq!(
            answer.headers[axum::http::header::CONTENT_DISPOSITION],
            "attachment; filename=\"405 certificate.pdf\""
        );
    }
    // A colleague, another provider's manager and an intake worker get exactly what a
    // file that does not exist gets, and cannot add to it.
    let south_manager = w
        .app
        .add_user(w.app.south, "manager@south.example", Role::Manager);
    let intake = w
        .app
        .add_user(w.app.north, "intake2@north.example", Role::IntakeWorker);
    for user in [w.second, south_manager, intake] {
        let session = w.app.session_for(user);
        let missing = w.app.get("/evidence/999999", Some(&session)).await;
        let hidden = w.app.get(&download, Some(&session)).await;
        assert_eq!(hidden.status, StatusCode::NOT_FOUND);
        assert_eq!(hidden.body, missing.body);
        assert_eq!(
            w.app.get(&form, Some(&session)).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            w.app.upload(&action, &session, "x.pdf", pdf).await.status,
            StatusCode::NOT_FOUND
        );
    }
    // The manager adds a picture too; nothing of either file is readable in the database.
    let png = b"\x89PNG\r\n\x1a\nassessor-record-words";
    assert_eq!(
        w.app
            .upload(&action, &manager, "assessor.png", png)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(w.app.db.stored_documents().len(), 2);
    for bytes in w.app.db.stored_documents() {
        assert!(!bytes.windows(5).any(|b| b == b"%PDF-"));
        assert!(!bytes.windows(14).any(|b| b == b"assessor-recor"));
    }
    // The holder removes the certificate on its own, after being asked; a colleague
    // cannot, and is answered as for a file that does not exist.
    let evidence_id = download.trim_start_matches("/evidence/");
    let remove = format!("/advocates/{}/evidence/{evidence_id}/remove", w.first);
    let profile = w
        .app
        .get(&format!("/advocates/{}", w.first), Some(&first))
        .await;
    assert!(profile.body.contains(&format!("href=\"{remove}\"")));
    let ask = w.app.get(&remove, Some(&first)).await;
    assert_eq!(ask.status, StatusCode::OK);
    assert!(ask.body.contains("405 certificate.pdf"), "{}", ask.body);
    let colleague = w.app.session_for(w.second);
    let refused = w.app.post_form(&remove, Some(&colleague), "").await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    assert_eq!(
        w.app.get(&download, Some(&manager)).await.status,
        StatusCode::OK
    );
    let removed = w.app.post_form(&remove, Some(&first), "").await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    assert_eq!(
        w.app.get(&download, Some(&manager)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(w.app.db.stored_documents().len(), 1, "the picture stays");
}
