//! Contracts and monitoring reports through the whole router: a commissioner sees their
//! contract's figures and nothing about anyone, and a small group can never be worked
//! out, on the page, in the CSV file or in the spreadsheet.

mod common;

use advocase_domain::identity::{OrganisationKind, Role};
use advocase_domain::reporting::{ContractAnswers, ReportingPeriod, contract_periods};
use advocase_storage::referrals::{DutyDecision, PersonChoice, Source};
use axum::http::StatusCode;
use common::{TestApp, encode};
use std::io::Read;

struct Setting {
    app: TestApp,
    manager: i64,
    commissioner: i64,
    other_commissioner: i64,
    contract: i64,
    other_contract: i64,
    person: i64,
    case: i64,
    query: String,
}

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

fn contract_answers(commissioner: i64) -> ContractAnswers {
    ContractAnswers {
        name: "Care Act advocacy".into(),
        commissioner: commissioner.to_string(),
        duties: vec!["care_act".into()],
        areas: "Northshire".into(),
        // The people below are moved into the contract's first quarter, which has
        // ended: reports cover finished periods only.
        starts_on: "2025-01-01".into(),
        ends_on: "2099-12-31".into(),
        core_funding: "100000".into(),
        core_cases: "200".into(),
        payment_per_case: "300".into(),
        reporting: "quarterly".into(),
        urgent_days: "2".into(),
        standard_days: "5".into(),
        target_declined: "10".into(),
        ..Default::default()
    }
}

/// A provider with a contract for Northshire, 35 people who started Care Act advocacy
/// this quarter: 3 Asian, 12 Black, 20 White.
fn setting() -> Setting {
    setting_with(advocase_web::WebConfig::default())
}

fn setting_with(config: advocase_web::WebConfig) -> Setting {
    let app = TestApp::with_config(config);
    let manager = app.add_user(app.north, "manager@north.example", Role::Manager);
    let intake = app.add_user(app.north, "intake@north.example", Role::IntakeWorker);
    let south_manager = app.add_user(app.south, "manager@south.example", Role::Manager);
    let council = app
        .db
        .store
        .create_organisation(OrganisationKind::Commissioner, "Northshire Council")
        .unwrap();
    let other_council = app
        .db
        .store
        .create_organisation(OrganisationKind::Commissioner, "Southby Council")
        .unwrap();
    let commissioner = app.add_user(council, "officer@northshire.example", Role::Commissioner);
    let other_commissioner =
        app.add_user(other_council, "officer@southby.example", Role::Commissioner);
    let store = &app.db.store;
    let contract = store
        .create_contract(
            &app.actor(manager),
            &contract_answers(council).parse().unwrap(),
        )
        .unwrap();
    let other_contract = store
        .create_contract(
            &app.actor(south_manager),
            &contract_answers(other_council).parse().unwrap(),
        )
        .unwrap();
    let mut groups = Vec::new();
    groups.extend(std::iter::repeat_n("asian", 3));
    groups.extend(std::iter::repeat_n("black", 12));
    groups.extend(std::iter::repeat_n("white", 20));
    let (mut person, mut case) = (0, 0);
    for (n, group) in groups.iter().enumerate() {
        let answers = advocase_domain::referral::ReferralAnswers {
            referrer_kind: "professional".into(),
            referrer_name: "A social worker".into(),
            referrer_organisation: "Adult social care".into(),
            referrer_email: "sw@northshire.example".into(),
            given_name: format!("Person{n}"),
            family_name: "Zebedee".into(),
            local_authority: "Northshire".into(),
            what_is_happening: "A needs assessment".into(),
            consent: "given".into(),
            care_act_process: "needs_assessment".into(),
            ..Default::default()
        };
        let referral = answers.parse(today()).unwrap();
        let id = store
            .submit_referral(
                app.north,
                &referral,
                Source::Staff,
                None,
                &format!("R-{n}"),
                &format!("h-{n}"),
            )
            .unwrap();
        let cases = store
            .decide_referral(
                &app.actor(intake),
                id,
                1,
                &[DutyDecision {
                    duty: "care_act".into(),
                    suggested: "eligible".into(),
                    accept: true,
                    disagreement_reason: None,
                    introduction_due: None,
                }],
                PersonChoice::Create,
                None,
            )
            .unwrap();
        case = cases[0];
        person = store
            .find_referral(&app.actor(intake), id)
            .unwrap()
            .person_id
            .unwrap();
        // Equality answers as the person gave them.
        store
            .set_person_equality(
                &app.actor(manager),
                person,
                &[("ethnicity", group.to_string())],
            )
            .unwrap();
    }
    // Everyone was referred and started in February 2025, as if the quarter were over.
    let mut conn =
        <advocase_storage::DbConnection as diesel::Connection>::establish(&app.db.url).unwrap();
    for sql in [
        "UPDATE referrals SET received_at = '2025-02-10 10:00:00'",
        "UPDATE referral_decisions SET decided_at = '2025-02-11 10:00:00'",
        "UPDATE cases SET opened_at = '2025-02-11 10:00:00'",
    ] {
        diesel::RunQueryDsl::execute(diesel::sql_query(sql), &mut conn).unwrap();
    }
    let quarter = contract_periods(
        chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
        chrono::NaiveDate::from_ymd_opt(2099, 12, 31).unwrap(),
        ReportingPeriod::Quarterly,
    )[0];
    Setting {
        query: format!("from={}&to={}", quarter.from, quarter.to),
        app,
        manager,
        commissioner,
        other_commissioner,
        contract,
        other_contract,
        person,
        case,
    }
}

/// The text of a page with the tags taken out, one cell per line.
fn words(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                if !text.trim().is_empty() {
                    out.push(text.trim().to_string());
                }
                text.clear();
            }
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    out
}

/// The ethnicity table's rows as (category, value) from a list of words: what follows
/// its caption up to its total.
fn ethnicity_rows(cells: &[String]) -> Vec<(String, String)> {
    let caption = cells
        .iter()
        .rposition(|c| c == "People who started advocacy: ethnic group")
        .expect("the ethnicity table");
    let mut rows = Vec::new();
    let mut i = caption + 1;
    while i + 1 < cells.len() {
        if cells[i] == "Category" {
            i += 2;
            continue;
        }
        rows.push((cells[i].clone(), cells[i + 1].clone()));
        if cells[i] == "Total" {
            break;
        }
        i += 2;
    }
    rows
}

/// Asserts that no published figure of the ethnicity breakdown lets the 3 be known:
/// Asian is not shown, and what the shown counts leave of the total is more than 3 and
/// spread over at least two hidden counts.
fn assert_three_cannot_be_recovered(rows: &[(String, String)], whence: &str) {
    let value = |name: &str| {
        rows.iter()
            .find(|(c, _)| c == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("{name} missing in {whence}: {rows:?}"))
    };
    assert_eq!(value("Asian or Asian British"), "not shown", "{whence}");
    let total: u64 = value("Total")
        .parse()
        .unwrap_or_else(|_| panic!("total in {whence}"));
    let shown: u64 = rows
        .iter()
        .filter(|(c, _)| c != "Total")
        .filter_map(|(_, v)| v.parse::<u64>().ok())
        .sum();
    let hidden = rows.iter().filter(|(_, v)| v == "not shown").count();
    assert!(
        hidden >= 2,
        "{whence}: only the Asian count is hidden: {rows:?}"
    );
    assert!(
        total - shown > 3,
        "{whence}: the hidden counts add up to 3: {rows:?}"
    );
    assert!(rows.iter().all(|(_, v)| v != "3"), "{whence}: {rows:?}");
}

#[tokio::test]
async fn a_group_of_three_cannot_be_worked_out_from_the_page_the_csv_or_the_spreadsheet() {
    let s = setting();
    let session = s.app.session_for(s.commissioner);
    let page = s
        .app
        .get(
            &format!("/contracts/{}/report?{}", s.contract, s.query),
            Some(&session),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let cells = words(&page.body);
    // The chart and the table carry the same figures; the table is checked.
    assert_three_cannot_be_recovered(&ethnicity_rows(&cells), "the page");
    // The people who started are all there: 35, shown as the total.
    assert!(page.body.contains(">35<"));

    let csv = s
        .app
        .get(
            &format!("/contracts/{}/report.csv?{}", s.contract, s.query),
            Some(&session),
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.headers[axum::http::header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let mut reader = csv::Reader::from_reader(csv.body.as_bytes());
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    // Every line says which contract and period it is from.
    assert!(
        records
            .iter()
            .all(|r| &r[0] == "Care Act advocacy" && r[1].contains(" to ")),
        "{records:?}"
    );
    // An indicator says whether its target was met, not only its figures.
    let declined: Vec<&str> = records
        .iter()
        .filter(|r| &r[2] == "Key performance indicators" && r[3].contains("declined"))
        .map(|r| &r[4])
        .collect();
    assert_eq!(declined, ["Target", "This period", "Result"], "{records:?}");
    let rows: Vec<(String, String)> = records
        .iter()
        .filter(|r| &r[3] == "People who started advocacy: ethnic group")
        .map(|r| (r[4].to_string(), r[5].to_string()))
        .collect();
    assert_three_cannot_be_recovered(&rows, "the CSV file");

    let (status, bytes) = s
        .app
        .get_bytes(
            &format!("/contracts/{}/report.xlsx?{}", s.contract, s.query),
            Some(&session),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let rows = spreadsheet_rows(&bytes);
    // Figures are numbers, so that they can be charted, and only figures: a cell with
    // no type is a number, and only the value column (F) has them.
    let sheet = xlsx_part(&bytes, "xl/worksheets/sheet1.xml");
    let number_columns: Vec<&str> = sheet
        .split("<c r=\"")
        .skip(1)
        .filter(|cell| !cell.split('>').next().unwrap().contains(" t=\""))
        .map(|cell| &cell[..1])
        .collect();
    assert!(
        !number_columns.is_empty() && number_columns.iter().all(|column| *column == "F"),
        "{number_columns:?}"
    );
    // The same columns as the CSV file, the header first.
    assert_eq!(
        rows[0],
        [
            "Contract", "Period", "Section", "Figure", "Category", "Value"
        ],
        "{rows:?}"
    );
    assert!(
        rows[1..]
            .iter()
            .all(|r| r[0] == "Care Act advocacy" && r[1].contains(" to ")),
        "{rows:?}"
    );
    let ethnicity: Vec<(String, String)> = rows
        .into_iter()
        .filter(|r| {
            r.get(3).map(String::as_str) == Some("People who started advocacy: ethnic group")
        })
        .map(|r| (r[4].clone(), r[5].clone()))
        .collect();
    assert_three_cannot_be_recovered(&ethnicity, "the spreadsheet");
}

/// One part of an XLSX file (a zip archive of XML), or nothing when it has none.
fn xlsx_part(bytes: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut text = String::new();
    if let Ok(mut file) = archive.by_name(name) {
        file.read_to_string(&mut text).unwrap();
    }
    text
}

/// The rows of the spreadsheet's first sheet as text, read from the XLSX file's XML.
fn spreadsheet_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let shared_xml = xlsx_part(bytes, "xl/sharedStrings.xml");
    let sheet = xlsx_part(bytes, "xl/worksheets/sheet1.xml");
    let unescape = |t: &str| {
        t.replace("&amp;", "&")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
    };
    let shared: Vec<String> = shared_xml
        .split("<si>")
        .skip(1)
        .map(|si| {
            si.split("<t")
                .skip(1)
                .map(|t| unescape(t.split_once('>').unwrap().1.split("</t>").next().unwrap()))
                .collect()
        })
        .collect();
    sheet
        .split("<row")
        .skip(1)
        .map(|row| {
            let mut cells = vec![String::new(); 6];
            for cell in row.split("<c ").skip(1) {
                let reference = cell
                    .split("r=\"")
                    .nth(1)
                    .unwrap()
                    .split('"')
                    .next()
                    .unwrap();
                let column = (reference.as_bytes()[0] - b'A') as usize;
                let value = cell
                    .split("<v>")
                    .nth(1)
                    .map(|v| v.split("</v>").next().unwrap().to_string());
                let inline = cell
                    .split("<t>")
                    .nth(1)
                    .map(|v| unescape(v.split("</t>").next().unwrap()));
                let text = if cell.contains("t=\"s\"") {
                    shared[value.unwrap().parse::<usize>().unwrap()].clone()
                } else {
                    inline.or(value).unwrap_or_default()
                };
                if column < cells.len() {
                    cells[column] = text;
                }
            }
            cells
        })
        .collect()
}

#[tokio::test]
async fn a_commissioner_sees_their_contracts_figures_and_nothing_about_anyone() {
    let s = setting();
    let session = s.app.session_for(s.commissioner);
    let list = s.app.get("/contracts", Some(&session)).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("Care Act advocacy"));
    assert!(
        !list
            .body
            .contains(&format!("/contracts/{}\"", s.other_contract))
    );
    let api = s
        .app
        .get(
            &format!("/api/v1/contracts/{}/report?{}", s.contract, s.query),
            Some(&session),
        )
        .await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    let report: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    let ethnicity = report["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "equality-ethnicity")
        .unwrap();
    assert_eq!(ethnicity["total"], 35);
    let asian = ethnicity["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["category"] == "asian")
        .unwrap();
    assert!(asian["count"].is_null());
    for personal in ["Zebedee", "Person1", "social worker", "sw@northshire"] {
        assert!(!api.body.contains(personal), "{personal} in the API report");
        let page = s
            .app
            .get(
                &format!("/contracts/{}/report?{}", s.contract, s.query),
                Some(&session),
            )
            .await;
        assert!(
            !page.body.contains(personal),
            "{personal} on the report page"
        );
    }
    // Every person, case, referral and other contract address answers "not found".
    let not_found = [
        format!("/people/{}", s.person),
        format!("/cases/{}", s.case),
        "/cases".to_string(),
        "/referrals".to_string(),
        "/waiting-list".to_string(),
        format!("/contracts/{}", s.other_contract),
        format!("/contracts/{}/report?{}", s.other_contract, s.query),
        format!("/contracts/{}/report.csv?{}", s.other_contract, s.query),
        format!("/contracts/{}/meetings", s.other_contract),
        format!("/api/v1/cases/{}", s.case),
        format!("/api/v1/contracts/{}/report?{}", s.other_contract, s.query),
        "/api/v1/cases".to_string(),
    ];
    for path in &not_found {
        let answer = s.app.get(path, Some(&session)).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
    }
    // The other council's officer gets "not found" for this contract, like one that
    // does not exist.
    let other = s.app.session_for(s.other_commissioner);
    let theirs = s
        .app
        .get(&format!("/contracts/{}", s.contract), Some(&other))
        .await;
    let none = s.app.get("/contracts/999999", Some(&other)).await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    assert_eq!(theirs.body, none.body);
}

#[tokio::test]
async fn a_period_that_ends_before_it_starts_or_is_not_the_contracts_is_refused() {
    let s = setting();
    let session = s.app.session_for(s.commissioner);
    let backwards = s
        .app
        .get(
            &format!(
                "/contracts/{}/report?from=2026-09-30&to=2026-07-01",
                s.contract
            ),
            Some(&session),
        )
        .await;
    assert_eq!(backwards.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        backwards
            .body
            .contains("The period must end on or after the day it starts")
    );
    let chosen = s
        .app
        .get(
            &format!(
                "/api/v1/contracts/{}/report?from={}&to={}",
                s.contract,
                today(),
                today()
            ),
            Some(&session),
        )
        .await;
    assert_eq!(chosen.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(chosen.body.contains("from"));
    // The quarter running now is not reported: two days' reports would differ by the
    // day's referrals.
    let running = contract_periods(
        chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
        chrono::NaiveDate::from_ymd_opt(2099, 12, 31).unwrap(),
        ReportingPeriod::Quarterly,
    )
    .into_iter()
    .find(|p| p.from <= today() && today() <= p.to)
    .unwrap();
    let now = s
        .app
        .get(
            &format!(
                "/contracts/{}/report?from={}&to={}",
                s.contract, running.from, running.to
            ),
            Some(&session),
        )
        .await;
    assert_eq!(now.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(now.body.contains("has not ended yet"));
    let contract = s
        .app
        .get(&format!("/contracts/{}", s.contract), Some(&session))
        .await;
    assert!(!contract.body.contains(&format!("from={}", running.from)));
}

#[tokio::test]
async fn a_share_is_not_published_when_a_count_behind_it_is_hidden() {
    let s = setting();
    let session = s.app.session_for(s.commissioner);
    let api = s
        .app
        .get(
            &format!("/api/v1/contracts/{}/report?{}", s.contract, s.query),
            Some(&session),
        )
        .await;
    let report: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    // All 35 decisions accepted: 0 declined, and both are shown, so the share is.
    let declined = report["kpis"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kpi"] == "declined")
        .unwrap();
    assert_eq!(declined["actual"], 0);
    // No outcome was recorded and no contact made: nothing to share.
    let outcomes = report["kpis"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kpi"] == "outcomes_achieved")
        .unwrap();
    assert!(outcomes["actual"].is_null());
}

#[tokio::test]
async fn a_manager_records_a_contract_and_bad_input_names_the_field_and_changes_nothing() {
    let s = setting();
    let session = s.app.session_for(s.manager);
    let form = s.app.get("/contracts/new", Some(&session)).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("Northshire Council"));
    let before = s
        .app
        .db
        .store
        .contracts(&s.app.actor(s.manager))
        .unwrap()
        .len();
    let wrong = encode(&[
        ("name", "Second contract"),
        ("commissioner", "not a number"),
        ("areas", "Northshire"),
        ("starts_on", "2027-04-01"),
        ("ends_on", "2027-03-31"),
        ("core_funding", "lots"),
        ("core_cases", "10"),
        ("payment_per_case", "100"),
        ("reporting", "quarterly"),
        ("urgent_days", "9"),
        ("standard_days", "5"),
        ("target_first_contact", "150"),
    ]);
    let refused = s
        .app
        .post_form("/contracts/new", Some(&session), &wrong)
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    for message in [
        "Choose the commissioner",
        "must end on or after",
        "in pounds",
        "Choose at least one kind of advocacy",
        "Enter the target for first contact as a share from 0 to 100",
        "for urgent referrals must be no more than for other referrals",
    ] {
        assert!(refused.body.contains(message), "{message}");
    }
    assert_eq!(
        s.app
            .db
            .store
            .contracts(&s.app.actor(s.manager))
            .unwrap()
            .len(),
        before
    );
    // A commissioner cannot record one.
    let officer = s.app.session_for(s.commissioner);
    assert_eq!(
        s.app.get("/contracts/new", Some(&officer)).await.status,
        StatusCode::NOT_FOUND
    );
}

/// The contract form as the setting's contract was recorded, with `changes` made to it.
fn contract_form(council: i64, version: &str, changes: &[(&str, &str)]) -> String {
    let council = council.to_string();
    let mut pairs = vec![
        ("version", version),
        ("name", "Care Act advocacy"),
        ("commissioner", council.as_str()),
        ("duties", "care_act"),
        ("areas", "Northshire"),
        ("starts_on", "2025-01-01"),
        ("ends_on", "2099-12-31"),
        ("core_funding", "100000"),
        ("core_cases", "200"),
        ("payment_per_case", "300"),
        ("reporting", "quarterly"),
        ("threshold", "7"),
        ("urgent_days", "2"),
        ("standard_days", "5"),
        ("target_declined", "10"),
    ];
    for (name, value) in changes {
        match pairs.iter_mut().find(|(n, _)| n == name) {
            Some(pair) => pair.1 = value,
            None => pairs.push((name, value)),
        }
    }
    encode(&pairs)
}

#[tokio::test]
async fn a_manager_changes_a_contract_and_a_bad_field_is_named_and_changes_nothing() {
    let s = setting();
    let session = s.app.session_for(s.manager);
    let store = &s.app.db.store;
    let saved = || {
        store
            .contract(&s.app.actor(s.manager), s.contract)
            .unwrap()
            .record
    };
    let council = saved().commissioner_id;
    let page = format!("/contracts/{}", s.contract);
    let edit = format!("/contracts/{}/edit", s.contract);
    // The contract page offers its manager the change.
    let shown = s.app.get(&page, Some(&session)).await;
    assert!(shown.body.contains(&format!("href=\"{edit}\"")));
    // The form holds what is saved.
    let form = s.app.get(&edit, Some(&session)).await;
    assert_eq!(form.status, StatusCode::OK);
    for value in [
        r#"value="Care Act advocacy""#,
        r#"value="2025-01-01""#,
        r#"value="2099-12-31""#,
        r#"value="100000""#,
        r#"value="10""#,
        r#"name="version" value="1""#,
        "Northshire",
        "can no longer be changed",
    ] {
        assert!(form.body.contains(value), "{value} not on the form");
    }
    // An end before the start is named, what was typed stays, and nothing changes.
    let wrong = contract_form(
        council,
        "1",
        &[("name", "Renamed contract"), ("ends_on", "2024-12-31")],
    );
    let refused = s.app.post_form(&edit, Some(&session), &wrong).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("must end on or after"));
    assert!(refused.body.contains(r#"value="Renamed contract""#));
    assert_eq!(
        (saved().name.as_str(), saved().version),
        ("Care Act advocacy", 1)
    );
    // A valid change goes back to the contract, which shows it.
    let valid = contract_form(council, "1", &[("name", "Care Act advocacy in Northshire")]);
    let changed = s.app.post_form(&edit, Some(&session), &valid).await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
    assert_eq!(common::location(&changed), page);
    let shown = s.app.get(&page, Some(&session)).await;
    assert!(shown.body.contains("Care Act advocacy in Northshire"));
    assert_eq!(saved().version, 2);
    // A form opened before that change is refused: the saved contract is shown beside
    // what was typed, and nothing is overwritten.
    let stale = contract_form(council, "1", &[("name", "Stale name")]);
    let refused = s.app.post_form(&edit, Some(&session), &stale).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(refused.body.contains("Someone else saved a change first"));
    assert!(refused.body.contains("Stale name"));
    assert!(refused.body.contains(r#"name="version" value="2""#));
    assert_eq!(saved().name, "Care Act advocacy in Northshire");
    // A commissioner, and a manager of another provider's contract, find no such page.
    let officer = s.app.session_for(s.commissioner);
    assert!(!s.app.get(&page, Some(&officer)).await.body.contains(&edit));
    let none = s.app.get("/contracts/999999/edit", Some(&officer)).await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
    for (session, path) in [
        (&officer, edit.clone()),
        (&session, format!("/contracts/{}/edit", s.other_contract)),
    ] {
        let answer = s.app.get(&path, Some(session)).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(answer.body, none.body);
        let posted = s.app.post_form(&path, Some(session), &valid).await;
        assert_eq!(posted.status, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(saved().version, 2);
}

#[tokio::test]
async fn figures_still_being_counted_answer_so_at_once_and_are_given_once_kept() {
    let wait = std::time::Duration::from_millis(200);
    let s = setting_with(advocase_web::WebConfig {
        report_wait: wait,
        ..advocase_web::WebConfig::default()
    });
    let session = s.app.session_for(s.commissioner);
    let page = format!("/contracts/{}/report?{}", s.contract, s.query);
    let quarter = contract_periods(
        chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
        chrono::NaiveDate::from_ymd_opt(2099, 12, 31).unwrap(),
        ReportingPeriod::Quarterly,
    )[0];
    // A count of the quarter is going on (as a long first count at a million people
    // would be): a reader waits for it no longer than the wait set, and is told so.
    let going_on = s
        .app
        .counting
        .claim(s.contract, vec![quarter])
        .ok()
        .unwrap();
    let started = std::time::Instant::now();
    let counting = s.app.get(&page, Some(&session)).await;
    assert!(started.elapsed() >= wait);
    assert_eq!(counting.status, StatusCode::ACCEPTED, "{}", counting.body);
    assert!(
        counting
            .body
            .contains("These figures are still being counted")
    );
    assert!(
        counting
            .body
            .contains(&format!(r#"href="{}""#, page.replace('&', "&#38;"))),
        "the page links back to itself: {}",
        counting.body
    );
    assert_eq!(counting.headers[axum::http::header::RETRY_AFTER], "30");
    // Nothing of the figures is on it.
    assert!(!counting.body.contains("People who started advocacy"));
    let api = s
        .app
        .get(
            &format!("/api/v1/contracts/{}/report?{}", s.contract, s.query),
            Some(&session),
        )
        .await;
    assert_eq!(api.status, StatusCode::ACCEPTED, "{}", api.body);
    assert!(
        api.body.contains("being counted for the first time"),
        "{}",
        api.body
    );
    assert_eq!(api.headers[axum::http::header::RETRY_AFTER], "30");
    // Someone who may not see the contract is told it does not exist, count or not.
    let stranger = s
        .app
        .get(&page, Some(&s.app.session_for(s.other_commissioner)))
        .await;
    assert_eq!(stranger.status, StatusCode::NOT_FOUND);
    // Once that count is over, the figures are counted (or read) and shown.
    drop(going_on);
    let shown = s.app.get(&page, Some(&session)).await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
    assert!(shown.body.contains("People who started advocacy"));
    // Kept figures are read at once, even while a count of the same figures is going on
    // and whatever the wait.
    let _going_on = s
        .app
        .counting
        .claim(s.contract, vec![quarter])
        .ok()
        .unwrap();
    let kept = s.app.get(&page, Some(&session)).await;
    assert_eq!(kept.status, StatusCode::OK, "{}", kept.body);
    assert_eq!(kept.body, shown.body);
}

#[tokio::test]
async fn a_first_count_longer_than_the_wait_goes_on_and_its_figures_are_kept() {
    // A wait too short for any count: the reader is told to come back, and the count
    // they started keeps its figures for when they do.
    let s = setting_with(advocase_web::WebConfig {
        report_wait: std::time::Duration::from_nanos(1),
        ..advocase_web::WebConfig::default()
    });
    let session = s.app.session_for(s.commissioner);
    let page = format!(
        "/contracts/{}/annual-report?from=2025-01-01&to=2025-12-31",
        s.contract
    );
    let first = s.app.get(&page, Some(&session)).await;
    assert_eq!(first.status, StatusCode::ACCEPTED, "{}", first.body);
    let mut answer = first;
    for _ in 0..200 {
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        answer = s.app.get(&page, Some(&session)).await;
        if answer.status != StatusCode::ACCEPTED {
            break;
        }
    }
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    // The 35 people referred in February 2025.
    assert!(
        answer.body.contains("We received 35 referrals."),
        "{}",
        answer.body
    );
    // None were raised: said in words, not as a count of none.
    assert!(answer.body.contains("We raised no safeguarding concerns."));
    let easy = s
        .app
        .get(
            &page.replace("annual-report?", "annual-report/easy-read?"),
            Some(&session),
        )
        .await;
    assert_eq!(easy.status, StatusCode::OK, "{}", easy.body);
    assert!(
        easy.body
            .contains("We did not need to tell anyone that a person might be being hurt."),
        "{}",
        easy.body
    );
    // The year and its four quarters were each counted once and kept.
    let mut conn =
        <advocase_storage::DbConnection as diesel::Connection>::establish(&s.app.db.url).unwrap();
    #[derive(diesel::QueryableByName)]
    struct Kept {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let kept: Kept = diesel::RunQueryDsl::get_result(
        diesel::sql_query(format!(
            "SELECT COUNT(*) AS n FROM report_snapshots WHERE contract_id = {}",
            s.contract
        )),
        &mut conn,
    )
    .unwrap();
    assert_eq!(kept.n, 5);
}

#[tokio::test]
async fn the_annual_report_of_a_quarterly_contract_gives_a_figure_only_where_every_quarter_publishes_it()
 {
    let s = setting();
    let mut conn =
        <advocase_storage::DbConnection as diesel::Connection>::establish(&s.app.db.url).unwrap();
    // Three of the 35 referrals arrived in the second quarter: too few to publish there,
    // so the year's 35 less the first quarter's 32 would give them back.
    diesel::RunQueryDsl::execute(
        diesel::sql_query(
            "UPDATE referrals SET received_at = '2025-05-10 10:00:00' WHERE id IN (SELECT id FROM referrals ORDER BY id LIMIT 3)",
        ),
        &mut conn,
    )
    .unwrap();
    // Ten answers to the questionnaire in each quarter, half of them 4 and half 5.
    for (n, day) in ["2025-02-01", "2025-05-01", "2025-08-01", "2025-11-01"]
        .iter()
        .flat_map(|day| (0..10).map(move |n| (n, day)))
    {
        diesel::RunQueryDsl::execute(
            diesel::sql_query(format!(
                "INSERT INTO feedback_responses (provider_id, submitted_on, filled_in, easy_read, listened, understood, speak_up, overall) VALUES ({}, '{day}', 'alone', FALSE, 1, 1, 1, {})",
                s.app.north,
                4 + n % 2
            )),
            &mut conn,
        )
        .unwrap();
    }
    let session = s.app.session_for(s.commissioner);
    let year = "from=2025-01-01&to=2025-12-31";
    let api = s
        .app
        .get(
            &format!("/api/v1/contracts/{}/annual-report?{year}", s.contract),
            Some(&session),
        )
        .await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    let report: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    let figure = |name: &str| {
        report["figures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["figure"] == name)
            .unwrap_or_else(|| panic!("no {name} in {report}"))["value"]
            .clone()
    };
    assert!(figure("referrals").is_null(), "{report}");
    assert_eq!(figure("cases-opened"), 35);
    assert_eq!(figure("contacts"), 0);
    assert_eq!(figure("feedback"), 45);
    // A quarterly contract's targets are judged in its quarters.
    assert_eq!(report["kpis"].as_array().unwrap().len(), 0);
    // The page tells the same figures in sentences.
    let page = s
        .app
        .get(
            &format!("/contracts/{}/annual-report?{year}", s.contract),
            Some(&session),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(!page.body.contains("referrals."), "{}", page.body);
    assert!(page.body.contains("We started 35 pieces of advocacy."));
    assert!(
        page.body
            .contains("scored their advocacy 4.5 out of 5, on average.")
    );
    assert!(page.body.contains("Some figures are left out"));
    // A quarter is not a year, and the other council's officer is told nothing.
    let quarter = s
        .app
        .get(
            &format!("/api/v1/contracts/{}/annual-report?{}", s.contract, s.query),
            Some(&session),
        )
        .await;
    assert_eq!(quarter.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(quarter.body.contains("from"), "{}", quarter.body);
    let stranger = s
        .app
        .get(
            &format!("/api/v1/contracts/{}/annual-report?{year}", s.contract),
            Some(&s.app.session_for(s.other_commissioner)),
        )
        .await;
    let none = s
        .app
        .get(
            &format!("/api/v1/contracts/999999/annual-report?{year}"),
            Some(&s.app.session_for(s.other_commissioner)),
        )
        .await;
    assert_eq!(stranger.status, StatusCode::NOT_FOUND);
    assert_eq!(stranger.body, none.body);
}

/// A population CSV file sent as the demand page's import form sends it.
async fn import_population(app: &TestApp, session: &str, csv: &str) -> common::Answer {
    app.upload_as(
        "/demand/population",
        session,
        "file",
        "p.csv",
        csv.as_bytes(),
    )
    .await
}

/// Asserts that a line of a table has a cell reading exactly `text`.
#[track_caller]
fn assert_cell(line: &[String], text: &str) {
    assert!(
        line.iter().any(|cell| cell == text),
        "{text:?} not in {line:?}"
    );
}

/// The cells of one area's line in the demand table.
fn demand_line(html: &str, area: &str) -> Vec<String> {
    let start = html
        .find(&format!(
            r#"<th scope="row" class="govuk-table__header">{area}"#
        ))
        .unwrap_or_else(|| panic!("no line for {area}: {html}"));
    let end = start + html[start..].find("</tr>").unwrap();
    words(&html[start..end])
}

#[tokio::test]
async fn expected_referrals_cover_the_days_the_reports_compared_and_contracts_that_differ_are_not_summed()
 {
    let s = setting();
    let session = s.app.session_for(s.commissioner);
    let council = s
        .app
        .db
        .store
        .contract(&s.app.actor(s.commissioner), s.contract)
        .unwrap()
        .record
        .commissioner_id;
    let store = &s.app.db.store;
    let south_manager = s
        .app
        .add_user(s.app.south, "second@south.example", Role::Manager);
    // Eastmere's contract started in April 2025, so its 2025 reports cover 275 days.
    let eastmere = ContractAnswers {
        areas: "Eastmere".into(),
        starts_on: "2025-04-01".into(),
        ..contract_answers(council)
    };
    store
        .create_contract(&s.app.actor(south_manager), &eastmere.parse().unwrap())
        .unwrap();
    let sent = import_population(
        &s.app,
        &session,
        "area,year,adults,assessments\nNorthshire,2025,250000,4100\nEastmere,2025,90000,4100\n",
    )
    .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let rates = s
        .app
        .post_form(
            "/demand/rates",
            Some(&session),
            &encode(&[
                ("difficulty", "60"),
                ("no_individual", "25"),
                ("year", "2025"),
            ]),
        )
        .await;
    assert_eq!(rates.status, StatusCode::SEE_OTHER);
    let page = s.app.get("/demand?year=2025", Some(&session)).await;
    // 4,100 assessments at 60% and 25% are 615 referrals a year: all of them for
    // Northshire's four quarters, and 615 × 275 / 365 = 463 for Eastmere's three.
    let north = demand_line(&page.body, "Northshire");
    assert_cell(&north, "1 January 2025 to 31 December 2025");
    assert_cell(&north, "615");
    assert_cell(&north, "Fewer than half of those expected");
    let east = demand_line(&page.body, "Eastmere");
    assert_cell(&east, "1 April 2025 to 31 December 2025");
    assert_cell(&east, "463");
    // Nobody was referred from Eastmere, and a count of none is published.
    assert_cell(&east, "Fewer than half of those expected");

    // A second contract for Northshire that began in July reports over other days:
    // its referrals cannot be added to the first one's, so the area is not compared.
    let later = ContractAnswers {
        starts_on: "2025-07-01".into(),
        ..contract_answers(council)
    };
    store
        .create_contract(&s.app.actor(south_manager), &later.parse().unwrap())
        .unwrap();
    let page = s.app.get("/demand?year=2025", Some(&session)).await;
    let north = demand_line(&page.body, "Northshire");
    assert!(
        north.contains(
            &"Not compared: the contracts covering this area report over different periods"
                .to_string()
        ),
        "{north:?}"
    );
    assert!(
        !north.contains(&"Fewer than half of those expected".to_string()),
        "{north:?}"
    );
    assert!(
        !north
            .iter()
            .any(|cell| cell.contains("Possible under-referral")),
        "{north:?}"
    );
    // Eastmere is untouched by Northshire's contracts.
    assert_eq!(demand_line(&page.body, "Eastmere"), east);

    // A contract that starts today has published nothing for this year: its area is not
    // compared yet, and never flagged for the referrals it has not had time to get.
    let this_year = chrono::Datelike::year(&today());
    let westfold = ContractAnswers {
        areas: "Westfold".into(),
        starts_on: today().to_string(),
        ..contract_answers(council)
    };
    store
        .create_contract(&s.app.actor(south_manager), &westfold.parse().unwrap())
        .unwrap();
    let sent = import_population(
        &s.app,
        &session,
        &format!("area,year,adults,assessments\nWestfold,{this_year},50000,4100\n"),
    )
    .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let page = s
        .app
        .get(&format!("/demand?year={this_year}"), Some(&session))
        .await;
    let west = demand_line(&page.body, "Westfold");
    assert_cell(
        &west,
        "Not compared yet: no report for this year has been published",
    );
    assert_cell(&west, "The whole year (no report for this year yet)");
    assert!(
        !west
            .iter()
            .any(|cell| cell.contains("Possible under-referral")),
        "{west:?}"
    );
}

#[tokio::test]
async fn a_population_file_with_a_bad_row_names_it_and_imports_nothing() {
    let s = setting();
    let session = s.app.session_for(s.commissioner);
    let (app, cookie) = (&s.app, &session);
    let upload = move |csv: String| async move { import_population(app, cookie, &csv).await };
    // The year of the finished quarter the referrals were moved into.
    let year = "2025";
    let bad = upload(format!(
        "area,year,adults,assessments\nNorthshire,{year},250000,4000\nSouthby,{year},many,1500\n"
    ))
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.body.contains("Line 3, column adults"));
    let demand = s
        .app
        .get(&format!("/demand?year={year}"), Some(&session))
        .await;
    assert!(!demand.body.contains("250,000"));
    let good = upload(format!(
        "area,year,adults,assessments\nNorthshire,{year},250000,4000\n"
    ))
    .await;
    assert_eq!(good.status, StatusCode::SEE_OTHER, "{}", good.body);
    let location = |answer: &common::Answer| {
        answer.headers[axum::http::header::LOCATION]
            .to_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        location(&good),
        format!("/demand?year={year}&saved=population")
    );
    let imported = s.app.get(&location(&good), Some(&session)).await;
    assert!(
        imported
            .body
            .contains(&format!("Population figures for {year} are imported"))
    );
    // An area no contract names, a second row for the same area, and more assessments
    // than adults are each named by line and column, and nothing is imported.
    for (csv, named) in [
        (
            "Northshire,{year},1000,10\nNorth Shire,{year},1000,10",
            "Line 3, column area",
        ),
        (
            "Northshire,{year},1000,10\nnorthshire,{year},1000,10",
            "already on line 2",
        ),
        ("Northshire,{year},10,1000", "Line 2, column assessments"),
    ] {
        let csv = csv.replace("{year}", year);
        let refused = upload(format!("area,year,adults,assessments\n{csv}\n")).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.body.contains(named), "{named}: {}", refused.body);
    }
    // Nothing of the refused files was imported.
    let kept = s
        .app
        .get(&format!("/demand?year={year}"), Some(&session))
        .await;
    assert!(kept.body.contains("250,000"), "{}", kept.body);
    assert!(!kept.body.contains(">1,000<"));
    // The same area in other capitals replaces its figures, kept as the contract
    // spells the area.
    let again = upload(format!(
        "area,year,adults,assessments\nNORTHSHIRE,{year},260000,4100\n"
    ))
    .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
    let figures = s.app.get(&location(&again), Some(&session)).await;
    // Large numbers are marked in thousands, as people read them.
    assert!(figures.body.contains("260,000"), "{}", figures.body);
    assert!(!figures.body.contains("250,000"));
    assert!(!figures.body.contains("NORTHSHIRE"));
    let rates = s
        .app
        .post_form(
            "/demand/rates",
            Some(&session),
            &encode(&[
                ("difficulty", "60"),
                ("no_individual", "25"),
                ("year", year),
            ]),
        )
        .await;
    assert_eq!(rates.status, StatusCode::SEE_OTHER);
    // Saving the rates returns to the year being looked at, and says so.
    assert_eq!(location(&rates), format!("/demand?year={year}&saved=rates"));
    let wrong_rate = s
        .app
        .post_form(
            "/demand/rates",
            Some(&session),
            &encode(&[
                ("difficulty", "sixty"),
                ("no_individual", "250"),
                ("year", year),
            ]),
        )
        .await;
    assert_eq!(wrong_rate.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        wrong_rate
            .body
            .contains("Enter the share of people assessed with substantial difficulty")
    );
    assert!(
        wrong_rate
            .body
            .contains("Enter the share with nobody appropriate to support them")
    );
    let demand = s
        .app
        .get(&format!("/demand?year={year}"), Some(&session))
        .await;
    // 4,100 assessments (as imported again) at 60% and 25%: 615 expected, against 35
    // referrals, shown as a band and never as the count, which the reports may hide.
    assert!(demand.body.contains(">615<"), "{}", demand.body);
    assert!(demand.body.contains("Possible under-referral"));
    assert!(demand.body.contains("Fewer than half of those expected"));
    assert!(!demand.body.contains(">35<"));
    // The 35 came from one team: to the nearest ten.
    assert!(demand.body.contains(">40<"));
    // A manager has no demand page.
    assert_eq!(
        s.app
            .get("/demand", Some(&s.app.session_for(s.manager)))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn home_pages_say_when_the_next_link_meeting_is_due_and_which_actions_are_open() {
    let s = setting();
    let commissioner = s.app.session_for(s.commissioner);
    let manager = s.app.session_for(s.manager);
    // No meeting yet: the first was due three months after the contract began.
    for session in [&commissioner, &manager] {
        let home = s.app.get("/", Some(session)).await;
        assert!(
            home.body
                .contains("The next link meeting was due by 1 April 2025."),
            "{}",
            home.body
        );
        assert!(home.body.contains("govuk-tag--red\">Overdue</strong>"));
    }
    let held = today();
    let recorded = s
        .app
        .post_form(
            &format!("/contracts/{}/meetings", s.contract),
            Some(&commissioner),
            &encode(&[
                ("held_on", &held.to_string()),
                ("attendees", "Commissioning officer, service manager"),
                ("discussed", "Waiting times"),
                ("action_1", "Send the waiting list figures"),
                ("owner_1", "Service manager"),
                ("due_1", &(held - chrono::Duration::days(1)).to_string()),
                ("action_2", "Book the next meeting"),
                ("owner_2", "Commissioning officer"),
                ("due_2", &(held + chrono::Duration::days(30)).to_string()),
            ]),
        )
        .await;
    assert_eq!(recorded.status, StatusCode::SEE_OTHER, "{}", recorded.body);
    let next = held.checked_add_months(chrono::Months::new(3)).unwrap();
    let due_words = format!(
        "The next link meeting is due by {}.",
        next.format("%-d %B %Y")
    );
    for session in [&commissioner, &manager] {
        let home = s.app.get("/", Some(session)).await;
        assert!(home.body.contains(&due_words), "{}", home.body);
        assert!(
            home.body
                .contains("2 actions agreed at link meetings are not done yet")
        );
        assert!(home.body.contains("1 overdue"));
    }
    let meetings = s
        .app
        .get(
            &format!("/contracts/{}/meetings", s.contract),
            Some(&manager),
        )
        .await;
    assert!(meetings.body.contains(&due_words));
    // Another commissioner's home says nothing of this contract.
    let other = s.app.session_for(s.other_commissioner);
    let home = s.app.get("/", Some(&other)).await;
    let link = format!("/contracts/{}/meetings", s.contract);
    assert!(!home.body.contains(&link), "{}", home.body);
    assert!(
        home.body
            .contains(&format!("/contracts/{}/meetings", s.other_contract))
    );
}
