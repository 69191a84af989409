//! Black-box tests of self-assessments and the policies register through the whole
//! router: who may open which page, the self-assessment form and its action plan, and
//! the register with its overdue reviews.

mod common;

use advocase_domain::assessment::{Framework, QualityArea};
use advocase_domain::identity::{OrganisationKind, Role};
use axum::http::StatusCode;
use common::*;

fn today() -> String {
    chrono::Utc::now()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string()
}

/// A QPM self-assessment form with every area scored `rating` and the words it needs,
/// then `changes` applied on top (an empty value removes the field).
fn qpm_form(rating: &str, changes: &[(&str, &str)]) -> String {
    let mut pairs: Vec<(String, String)> = vec![("assessed_on".into(), today())];
    for area in QualityArea::ALL {
        let code = area.as_str();
        pairs.push((format!("rating-{code}"), rating.into()));
        pairs.push((format!("strengths-{code}"), format!("Strengths in {code}")));
        pairs.push((format!("actions-{code}"), format!("Actions for {code}")));
    }
    for (name, value) in changes {
        pairs.retain(|(n, _)| n != name);
        if !value.is_empty() {
            pairs.push((name.to_string(), value.to_string()));
        }
    }
    let borrowed: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    encode(&borrowed)
}

fn commissioning_form(rating: &str) -> String {
    let mut pairs: Vec<(String, String)> = vec![("assessed_on".into(), today())];
    for item in Framework::Commissioning.items() {
        let code = item.as_str();
        pairs.push((format!("rating-{code}"), rating.into()));
        pairs.push((format!("strengths-{code}"), "Done well".into()));
        pairs.push((format!("actions-{code}"), "To do".into()));
    }
    let borrowed: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    encode(&borrowed)
}

fn id_after(answer: &Answer, prefix: &str) -> i64 {
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    location(answer).trim_start_matches(prefix).parse().unwrap()
}

fn policy_form(pairs: &[(&str, &str)]) -> String {
    encode(pairs)
}

#[tokio::test]
async fn only_the_organisations_commissioner_or_manager_opens_its_self_assessments() {
    let w = casework();
    let council = w
        .app
        .db
        .store
        .create_organisation(OrganisationKind::Commissioner, "County Council")
        .unwrap();
    let borough = w
        .app
        .db
        .store
        .create_organisation(OrganisationKind::Commissioner, "Borough Council")
        .unwrap();
    let officer = w
        .app
        .add_user(council, "officer@council.example", Role::Commissioner);
    let manager_session = w.app.session_for(w.manager);
    let officer_session = w.app.session_for(officer);
    let qpm = id_after(
        &w.app
            .post_form(
                "/self-assessment",
                Some(&manager_session),
                &qpm_form("green", &[]),
            )
            .await,
        "/self-assessment/",
    );
    let commissioning = id_after(
        &w.app
            .post_form(
                "/self-assessment",
                Some(&officer_session),
                &commissioning_form("amber"),
            )
            .await,
        "/self-assessment/",
    );
    // Each sees their own framework and their own record.
    let own = w.app.get("/self-assessment", Some(&officer_session)).await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(own.body.contains("Analyse, Plan, Do and Review"));
    assert!(
        own.body
            .contains(&format!("/self-assessment/{commissioning}"))
    );
    assert!(!own.body.contains(&format!("/self-assessment/{qpm}\"")));
    let form = w
        .app
        .get("/self-assessment/new", Some(&officer_session))
        .await;
    assert!(
        form.body
            .contains("Benchmark the costs of commissioning plans")
    );
    assert!(!form.body.contains("Pages of figures"));
    assert_eq!(
        w.app
            .get(&format!("/self-assessment/{qpm}"), Some(&manager_session))
            .await
            .status,
        StatusCode::OK
    );
    // The commissioner's menu holds the self-assessment; a manager's also the register.
    assert!(own.body.contains("href=\"/self-assessment\""));
    let home = w.app.get("/", Some(&manager_session)).await;
    assert!(home.body.contains("href=\"/policies\""));

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
        ("advocate", w.first),
        (
            "manager of another provider",
            w.app
                .add_user(w.app.south, "manager@south.example", Role::Manager),
        ),
        (
            "commissioner of another council",
            w.app
                .add_user(borough, "officer@borough.example", Role::Commissioner),
        ),
    ];
    for (who, user) in outsiders {
        let session = w.app.session_for(user);
        let missing = w.app.get("/self-assessment/999999", Some(&session)).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND, "{who}");
        for id in [qpm, commissioning] {
            let answer = w
                .app
                .get(&format!("/self-assessment/{id}"), Some(&session))
                .await;
            assert_eq!(answer.status, StatusCode::NOT_FOUND, "{who}: {id}");
            assert_eq!(answer.body, missing.body, "{who}: {id}");
        }
        if matches!(
            who,
            "manager of another provider" | "commissioner of another council"
        ) {
            // They have a framework of their own, and see none of these.
            let list = w.app.get("/self-assessment", Some(&session)).await;
            assert_eq!(list.status, StatusCode::OK, "{who}");
            assert!(
                !list.body.contains(&format!("/self-assessment/{qpm}")),
                "{who}"
            );
            assert!(
                !list
                    .body
                    .contains(&format!("/self-assessment/{commissioning}")),
                "{who}"
            );
        } else {
            for route in ["/self-assessment", "/self-assessment/new"] {
                let answer = w.app.get(route, Some(&session)).await;
                assert_eq!(answer.status, StatusCode::NOT_FOUND, "{who}: {route}");
            }
            let post = w
                .app
                .post_form("/self-assessment", Some(&session), &qpm_form("green", &[]))
                .await;
            assert_eq!(post.status, StatusCode::NOT_FOUND, "{who}");
        }
    }
    // The commissioner never reads the provider's assessment, nor the manager theirs.
    for (session, id) in [(&officer_session, qpm), (&manager_session, commissioning)] {
        let answer = w
            .app
            .get(&format!("/self-assessment/{id}"), Some(session))
            .await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND);
    }
    // Nothing was recorded by anyone refused.
    let store = &w.app.db.store;
    assert_eq!(
        store
            .self_assessments(&w.app.actor(w.manager))
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        store.self_assessments(&w.app.actor(officer)).unwrap().len(),
        1
    );
}

#[tokio::test]
async fn the_action_plan_puts_red_first_and_each_area_shows_its_change() {
    let w = casework();
    let session = w.app.session_for(w.manager);
    let first = w
        .app
        .post_form(
            "/self-assessment",
            Some(&session),
            &qpm_form("amber", &[("assessed_on", "2026-01-15")]),
        )
        .await;
    id_after(&first, "/self-assessment/");
    let second = w
        .app
        .post_form(
            "/self-assessment",
            Some(&session),
            &qpm_form(
                "green",
                &[
                    ("rating-independence", "amber"),
                    ("rating-equality", "red"),
                    ("rating-accountability", "red"),
                    ("rating-clarity_of_purpose", "amber"),
                ],
            ),
        )
        .await;
    let id = id_after(&second, "/self-assessment/");
    let overview = w.app.get("/self-assessment", Some(&session)).await;
    let plan = overview
        .body
        .split("id=\"action-plan-table\"")
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap();
    let at = |words: &str| {
        plan.find(words)
            .unwrap_or_else(|| panic!("{words} not in the plan"))
    };
    // Red first in the guide's order, then amber; green left out.
    assert!(at("Equality, accessibility and diversity") < at("Accountability and complaints"));
    assert!(at("Accountability and complaints") < at(">Independence<"));
    assert!(at(">Independence<") < at("Clarity of purpose"));
    assert!(!plan.contains("Supporting advocates"));
    assert!(plan.contains("Actions for equality"));
    // The history, newest first, with its counts.
    let history = overview.body.split("id=\"history\"").nth(1).unwrap();
    assert!(
        history.find(&format!("/self-assessment/{id}")).unwrap()
            < history.find("15 January 2026").unwrap()
    );
    let record = w
        .app
        .get(&format!("/self-assessment/{id}"), Some(&session))
        .await;
    assert_eq!(record.status, StatusCode::OK);
    assert!(record.body.contains("15 January 2026"));
    let section = |code: &str| {
        record
            .body
            .split(&format!("id=\"{code}\""))
            .nth(1)
            .unwrap()
            .split("</dl>")
            .next()
            .unwrap()
            .to_string()
    };
    assert!(section("equality").contains("Worse"));
    assert!(section("independence").contains("The same"));
    assert!(section("supporting_advocates").contains("Better"));
}

#[tokio::test]
async fn a_self_assessment_with_wrong_answers_names_each_area_and_stores_nothing() {
    let w = casework();
    let session = w.app.session_for(w.manager);
    let answer = w
        .app
        .post_form(
            "/self-assessment",
            Some(&session),
            &qpm_form(
                "green",
                &[
                    ("rating-independence", ""),
                    ("rating-safeguarding", "red"),
                    ("actions-safeguarding", ""),
                    ("strengths-equality", ""),
                    ("pages-accountability", "https://example.org/figures"),
                    ("pages-clarity_of_purpose", "/quality\n/qualty"),
                    ("assessed_on", "2099-01-01"),
                ],
            ),
        )
        .await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    for (field, words) in [
        (
            "assessed_on",
            "The date of the assessment cannot be in the future",
        ),
        (
            "rating-independence",
            "Choose green, amber or red for Independence",
        ),
        (
            "actions-safeguarding",
            "Enter the actions for Safeguarding, which you scored red",
        ),
        (
            "strengths-equality",
            "Enter the key strengths for Equality, accessibility and diversity, which you scored green",
        ),
        (
            "pages-accountability",
            "must be pages of Advocase starting with /",
        ),
        (
            "pages-clarity_of_purpose",
            "/qualty is not a page of figures that can be given as evidence",
        ),
    ] {
        assert!(
            answer.body.contains(&format!("href=\"#{field}\"")),
            "{field}"
        );
        assert!(answer.body.contains(words), "{words}");
    }
    // What was typed comes back.
    assert!(answer.body.contains("Strengths in confidentiality"));
    assert!(
        w.app
            .db
            .store
            .self_assessments(&w.app.actor(w.manager))
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn evidence_links_to_a_case_the_manager_cannot_see_are_refused_without_revealing_it() {
    let w = casework();
    let session = w.app.session_for(w.manager);
    // The person is restricted to a colleague, so this manager cannot see the case.
    let colleague = w
        .app
        .add_user(w.app.north, "colleague@north.example", Role::Manager);
    w.app
        .db
        .store
        .restrict_person(&w.app.actor(colleague), w.person_id, &[colleague])
        .unwrap();
    let message = |body: &str, case: i64| {
        let start = body.find("There is no case").unwrap();
        let end = start + body[start..].find('<').unwrap();
        body[start..end].replace(&case.to_string(), "N")
    };
    let hidden = w
        .app
        .post_form(
            "/self-assessment",
            Some(&session),
            &qpm_form("green", &[("cases-safeguarding", &w.case_id.to_string())]),
        )
        .await;
    assert_eq!(hidden.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(hidden.body.contains("href=\"#cases-safeguarding\""));
    let absent = w
        .app
        .post_form(
            "/self-assessment",
            Some(&session),
            &qpm_form("green", &[("cases-safeguarding", "999999")]),
        )
        .await;
    assert_eq!(
        message(&hidden.body, w.case_id),
        message(&absent.body, 999_999)
    );
    assert!(
        w.app
            .db
            .store
            .self_assessments(&w.app.actor(w.manager))
            .unwrap()
            .is_empty()
    );
    // The colleague may link it, with a policy and a page of figures.
    let colleague_session = w.app.session_for(colleague);
    let policy = w
        .app
        .post_form(
            "/policies",
            Some(&colleague_session),
            &policy_form(&[
                ("kind", "confidentiality"),
                ("owner", &colleague.to_string()),
                ("review_due_on", "2030-01-01"),
                ("version", "0"),
            ]),
        )
        .await;
    assert_eq!(policy.status, StatusCode::SEE_OTHER, "{}", policy.body);
    let policy_id = w.app.db.store.policies(&w.app.actor(colleague)).unwrap()[0]
        .record
        .id;
    let linked = w
        .app
        .post_form(
            "/self-assessment",
            Some(&colleague_session),
            &qpm_form(
                "green",
                &[
                    ("cases-safeguarding", &w.case_id.to_string()),
                    ("pages-safeguarding", "/quality"),
                    ("policies-safeguarding", &policy_id.to_string()),
                ],
            ),
        )
        .await;
    let id = id_after(&linked, "/self-assessment/");
    let theirs = w
        .app
        .get(&format!("/self-assessment/{id}"), Some(&colleague_session))
        .await;
    assert!(
        theirs
            .body
            .contains(&format!("href=\"/cases/{}\"", w.case_id))
    );
    assert!(theirs.body.contains("href=\"/quality\">Quality</a>"));
    assert!(
        theirs
            .body
            .contains(&format!("href=\"/policies/{policy_id}/edit\""))
    );
    // The first manager reads the same assessment without the case they may not see.
    let mine = w
        .app
        .get(&format!("/self-assessment/{id}"), Some(&session))
        .await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(!mine.body.contains(&format!("/cases/{}", w.case_id)));
    assert!(mine.body.contains("href=\"/quality\""));
}

#[tokio::test]
async fn a_manager_keeps_the_register_and_sees_overdue_reviews_flagged() {
    let w = casework();
    let session = w.app.session_for(w.manager);
    let empty = w.app.get("/policies", Some(&session)).await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty.body.contains("Service prioritisation procedure"));
    let home = w.app.get("/", Some(&session)).await;
    assert!(!home.body.contains("overdue for review"));
    let added = w
        .app
        .post_form(
            "/policies",
            Some(&session),
            &policy_form(&[
                ("kind", "health_and_safety"),
                ("owner_name", "Board of trustees"),
                ("last_reviewed_on", "2024-03-01"),
                ("review_due_on", "2025-03-01"),
                ("location", "Shared drive"),
                ("version", "0"),
            ]),
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    assert_eq!(location(&added), "/policies");
    let register = w.app.get("/policies", Some(&session)).await;
    let row = register
        .body
        .split("Health and safety")
        .nth(1)
        .unwrap()
        .split("</tr>")
        .next()
        .unwrap();
    assert!(row.contains("Board of trustees"));
    assert!(row.contains("govuk-tag--red"));
    assert!(row.contains("Overdue by"));
    let missing = register.body.split("id=\"missing\"").nth(1).unwrap();
    assert!(!missing.contains("Health and safety"));
    assert!(missing.contains("Equal opportunities"));
    let home = w.app.get("/", Some(&session)).await;
    assert!(
        home.body
            .contains("1 policy or procedure is overdue for review")
    );

    // Bad input names the field and changes nothing.
    let id = w.app.db.store.policies(&w.app.actor(w.manager)).unwrap()[0]
        .record
        .id;
    let refused = w
        .app
        .post_form(
            &format!("/policies/{id}"),
            Some(&session),
            &policy_form(&[
                ("kind", "health_and_safety"),
                ("owner_name", "Board of trustees"),
                ("last_reviewed_on", "2026-01-10"),
                ("review_due_on", "2025-12-01"),
                ("version", "1"),
            ]),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("href=\"#review_due_on\""));
    assert!(
        refused
            .body
            .contains("The next review date cannot be before the last review")
    );
    let no_owner = w
        .app
        .post_form(
            "/policies",
            Some(&session),
            &policy_form(&[
                ("kind", "training"),
                ("review_due_on", "2030-01-01"),
                ("version", "0"),
            ]),
        )
        .await;
    assert_eq!(no_owner.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_owner.body.contains("href=\"#owner\""));
    let twice = w
        .app
        .post_form(
            "/policies",
            Some(&session),
            &policy_form(&[
                ("kind", "health_and_safety"),
                ("owner", &w.manager.to_string()),
                ("review_due_on", "2030-01-01"),
                ("version", "0"),
            ]),
        )
        .await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(twice.body.contains("href=\"#kind\""));
    let register = w.app.db.store.policies(&w.app.actor(w.manager)).unwrap();
    assert_eq!(register.len(), 1);
    assert_eq!(register[0].record.version, 1);
    assert_eq!(register[0].owner, "Board of trustees");

    // A review recorded, then a stale edit: 409 with what is saved beside what was typed.
    let reviewed = w
        .app
        .post_form(
            &format!("/policies/{id}"),
            Some(&session),
            &policy_form(&[
                ("kind", "health_and_safety"),
                ("owner", &w.manager.to_string()),
                ("last_reviewed_on", &today()),
                ("review_due_on", "2030-06-01"),
                ("version", "1"),
            ]),
        )
        .await;
    assert_eq!(reviewed.status, StatusCode::SEE_OTHER, "{}", reviewed.body);
    let stale = w
        .app
        .post_form(
            &format!("/policies/{id}"),
            Some(&session),
            &policy_form(&[
                ("kind", "health_and_safety"),
                ("owner_name", "Board of trustees"),
                ("last_reviewed_on", "2024-03-01"),
                ("review_due_on", "2031-01-01"),
                ("version", "1"),
            ]),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.body.contains("2030-06-01"));
    assert!(stale.body.contains("2031-01-01"));
    let saved = &w.app.db.store.policies(&w.app.actor(w.manager)).unwrap()[0];
    assert_eq!(saved.record.version, 2);
    let home = w.app.get("/", Some(&session)).await;
    assert!(!home.body.contains("overdue for review"));
}

#[tokio::test]
async fn nobody_but_the_providers_managers_opens_the_register() {
    let w = casework();
    let session = w.app.session_for(w.manager);
    let added = w
        .app
        .post_form(
            "/policies",
            Some(&session),
            &policy_form(&[
                ("kind", "complaints"),
                ("owner", &w.manager.to_string()),
                ("review_due_on", "2030-01-01"),
                ("version", "0"),
            ]),
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let id = w.app.db.store.policies(&w.app.actor(w.manager)).unwrap()[0]
        .record
        .id;
    let council = w
        .app
        .db
        .store
        .create_organisation(OrganisationKind::Commissioner, "County Council")
        .unwrap();
    let outsiders = [
        (
            "commissioner",
            w.app
                .add_user(council, "officer@council.example", Role::Commissioner),
        ),
        ("advocate", w.first),
        (
            "intake worker",
            w.app
                .add_user(w.app.north, "intake2@north.example", Role::IntakeWorker),
        ),
        (
            "manager of another provider",
            w.app
                .add_user(w.app.south, "manager@south.example", Role::Manager),
        ),
    ];
    for (who, user) in outsiders {
        let session = w.app.session_for(user);
        let missing = w.app.get("/policies/999999/edit", Some(&session)).await;
        let answer = w
            .app
            .get(&format!("/policies/{id}/edit"), Some(&session))
            .await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{who}");
        assert_eq!(answer.body, missing.body, "{who}");
        let change = w
            .app
            .post_form(
                &format!("/policies/{id}"),
                Some(&session),
                &policy_form(&[
                    ("kind", "complaints"),
                    ("owner_name", "Someone"),
                    ("review_due_on", "2020-01-01"),
                    ("version", "1"),
                ]),
            )
            .await;
        assert_eq!(change.status, StatusCode::NOT_FOUND, "{who}");
        if who != "manager of another provider" {
            for route in ["/policies", "/policies/new"] {
                let answer = w.app.get(route, Some(&session)).await;
                assert_eq!(answer.status, StatusCode::NOT_FOUND, "{who}: {route}");
            }
        } else {
            let theirs = w.app.get("/policies", Some(&session)).await;
            assert!(!theirs.body.contains(&format!("/policies/{id}/edit")));
        }
    }
    let saved = &w.app.db.store.policies(&w.app.actor(w.manager)).unwrap()[0];
    assert_eq!(saved.record.version, 1);
    assert_eq!(saved.owner, "manager");
}
