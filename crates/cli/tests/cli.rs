//! The `advocase` command as an operator or another tool runs it: the contracts of
//! `eligibility` and `deadline`, and the operator commands on a real data folder.

use advocase_storage::Store;
use diesel::prelude::*;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn advocase(args: &[&str], data_dir: &Path, stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_advocase"))
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .env_remove("DATABASE_URL")
        .env_remove("ADVOCASE_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run advocase");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn deadline(args: &[&str]) -> Output {
    let dir = advocase_testkit::fresh_dir();
    let mut all = vec!["deadline"];
    all.extend_from_slice(args);
    advocase(&all, &dir, None)
}

#[test]
fn deadline_counts_working_days_past_christmas() {
    let output = deadline(&["--from", "2025-12-23", "--working-days", "3"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "2025-12-30\n");
}

#[test]
fn deadline_counts_a_month_to_the_last_day_of_a_shorter_month() {
    let output = deadline(&["--from", "2025-01-31", "--months", "1"]);
    assert_eq!(stdout(&output), "2025-02-28\n");
}

#[test]
fn deadline_uses_the_nation_asked_for() {
    // 2 January 2026 is a bank holiday in Scotland only.
    let scotland = deadline(&[
        "--from",
        "2026-01-01",
        "--working-days",
        "1",
        "--nation",
        "scotland",
    ]);
    let england = deadline(&["--from", "2026-01-01", "--working-days", "1"]);
    assert_eq!(stdout(&scotland), "2026-01-05\n");
    assert_eq!(stdout(&england), "2026-01-02\n");
}

#[test]
fn deadline_refuses_bad_input_with_exit_code_2_and_a_message() {
    for args in [
        vec!["--from", "2025-13-01", "--working-days", "3"],
        vec!["--from", "23/12/2025", "--working-days", "3"],
        vec!["--from", "2025-12-23", "--working-days", "-1"],
        vec!["--from", "2025-12-23", "--months", "-2"],
        vec![
            "--from",
            "2025-12-23",
            "--working-days",
            "3",
            "--nation",
            "wales",
        ],
    ] {
        let output = deadline(&args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(!stderr(&output).trim().is_empty(), "{args:?}");
        assert!(stdout(&output).is_empty(), "{args:?}");
    }
}

#[test]
fn eligibility_reads_standard_input_and_answers_on_standard_output() {
    let dir = advocase_testkit::fresh_dir();
    let output = advocase(
        &["eligibility"],
        &dir,
        Some(r#"{"nhs_complaint": {"wants_to_complain_about_nhs_funded_service": true}}"#),
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(json["duties"][3]["duty"], "nhs_complaints");
    assert_eq!(json["duties"][3]["outcome"], "eligible");
}

#[test]
fn eligibility_refuses_an_invalid_request_with_exit_code_2_naming_the_field() {
    let dir = advocase_testkit::fresh_dir();
    for (request, field) in [
        (r#"{"care_act": {"process": "picnic"}}"#, "care_act.process"),
        (
            r#"{"mental_health_act": {"section": "99"}}"#,
            "mental_health_act.section",
        ),
        (
            r#"{"care_act": {"nhs_placement": {"weeks": -1}}}"#,
            "care_act.nhs_placement.weeks",
        ),
        (
            r#"{"care_act": {"apears_to_have_needs": true}}"#,
            "care_act",
        ),
        ("not json", ""),
    ] {
        let output = advocase(&["eligibility"], &dir, Some(request));
        assert_eq!(output.status.code(), Some(2), "{request}");
        assert!(
            stderr(&output).contains(field),
            "{request}: {}",
            stderr(&output)
        );
        assert!(stdout(&output).is_empty());
    }
}

/// A data folder with an installation in it, made through the command line.
fn installation() -> std::path::PathBuf {
    let dir = advocase_testkit::fresh_dir();
    let added = advocase(
        &[
            "user",
            "add",
            "--email",
            "admin@north.example",
            "--name",
            "Admin",
            "--role",
            "administrator",
            "--organisation-name",
            "North Advocacy",
            "--password-stdin",
        ],
        &dir,
        Some("a long enough password\n"),
    );
    assert_eq!(added.status.code(), Some(0), "{}", stderr(&added));
    let invited = advocase(
        &[
            "user",
            "add",
            "--email",
            "ada@north.example",
            "--name",
            "Ada",
            "--role",
            "advocate",
        ],
        &dir,
        None,
    );
    assert!(
        stdout(&invited).contains("/set-password/"),
        "{}",
        stdout(&invited)
    );
    dir
}

#[test]
fn audit_verify_passes_on_an_untouched_trail_and_fails_after_a_single_byte_edit() {
    let dir = installation();
    let verified = advocase(&["audit", "verify"], &dir, None);
    assert_eq!(
        verified.status.code(),
        Some(0),
        "{}{}",
        stdout(&verified),
        stderr(&verified)
    );
    let mut conn =
        SqliteConnection::establish(dir.join("advocase.sqlite3").to_str().unwrap()).unwrap();
    diesel::sql_query("UPDATE audit_entries SET action = 'creatE' WHERE sequence = 2")
        .execute(&mut conn)
        .unwrap();
    let broken = advocase(&["audit", "verify"], &dir, None);
    assert_eq!(broken.status.code(), Some(1));
    assert!(stderr(&broken).contains("changed"), "{}", stderr(&broken));
}

#[test]
fn audit_verify_fails_after_the_last_entry_is_deleted() {
    let dir = installation();
    let mut conn =
        SqliteConnection::establish(dir.join("advocase.sqlite3").to_str().unwrap()).unwrap();
    diesel::sql_query(
        "DELETE FROM audit_entries WHERE sequence = (SELECT MAX(sequence) FROM audit_entries)",
    )
    .execute(&mut conn)
    .unwrap();
    let broken = advocase(&["audit", "verify"], &dir, None);
    assert_eq!(broken.status.code(), Some(1));
    assert!(stderr(&broken).contains("cut off"), "{}", stderr(&broken));
}

fn export_of(database: &Path) -> String {
    let store = Store::open(database.to_str().unwrap(), None).unwrap();
    let mut out = Vec::new();
    store.export(&mut out, &mut |_, _| {}).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn a_backup_restores_to_identical_data_with_an_intact_audit_trail() {
    let dir = installation();
    let backup = dir.join("copy.sqlite3");
    let output = advocase(&["backup", "--to", backup.to_str().unwrap()], &dir, None);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // Restoring is putting the copy and its audit head in place of a data folder.
    let restored = advocase_testkit::fresh_dir();
    std::fs::copy(&backup, restored.join("advocase.sqlite3")).unwrap();
    std::fs::copy(
        backup.with_extension("audit-head.json"),
        restored.join("audit-head.json"),
    )
    .unwrap();
    assert_eq!(
        export_of(&restored.join("advocase.sqlite3")),
        export_of(&dir.join("advocase.sqlite3"))
    );
    let verified = advocase(&["audit", "verify"], &restored, None);
    assert_eq!(verified.status.code(), Some(0), "{}", stderr(&verified));
}

#[test]
fn export_then_import_into_an_empty_folder_gives_identical_data() {
    let dir = installation();
    let file = dir.join("installation.jsonl");
    let exported = advocase(&["export", "--to", file.to_str().unwrap()], &dir, None);
    assert_eq!(exported.status.code(), Some(0), "{}", stderr(&exported));
    let target = advocase_testkit::fresh_dir();
    let imported = advocase(&["import", "--from", file.to_str().unwrap()], &target, None);
    assert_eq!(imported.status.code(), Some(0), "{}", stderr(&imported));
    assert_eq!(
        export_of(&target.join("advocase.sqlite3")),
        export_of(&dir.join("advocase.sqlite3"))
    );
}

/// A data folder holding one contact note sealed under the key file beside it.
fn installation_with_a_sealed_note(note: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    use advocase_domain::identity::{EmailAddress, OrganisationKind, Role};
    use advocase_storage::accounts::NewUser;
    use advocase_storage::referrals::{DutyDecision, PersonChoice, Source};
    let root = advocase_testkit::fresh_dir();
    let data = root.join("data");
    let migrated = advocase(&["migrate"], &data, None);
    assert_eq!(migrated.status.code(), Some(0), "{}", stderr(&migrated));
    let keys = advocase_storage::sealing::Keyring::create(&root.join("data.keys")).unwrap();
    let store = Store::open(data.join("advocase.sqlite3").to_str().unwrap(), None)
        .unwrap()
        .with_keys(keys);
    let org = store
        .create_organisation(OrganisationKind::Provider, "North")
        .unwrap();
    let user = |email: &str, role| {
        let id = store
            .create_user(
                None,
                NewUser {
                    organisation_id: org,
                    email: EmailAddress::parse("email", email).unwrap(),
                    display_name: email.into(),
                    role,
                    password_hash: None,
                    is_demo: false,
                },
            )
            .unwrap();
        store.user_by_id(id).unwrap().unwrap().actor(None).unwrap()
    };
    let manager = user("m@north.example", Role::Manager);
    let intake = user("i@north.example", Role::IntakeWorker);
    let advocate = user("a@north.example", Role::Advocate);
    store
        .set_advocate_settings(
            &manager,
            &advocase_storage::casework::AdvocateSettingsRecord {
                duties: "nhs_complaints".into(),
                ..advocase_storage::casework::AdvocateSettingsRecord::unset(advocate.user_id)
            },
        )
        .unwrap();
    let referral = advocase_domain::referral::ReferralAnswers {
        referrer_kind: "self".into(),
        given_name: "Ada".into(),
        family_name: "Lovelace".into(),
        what_is_happening: "A complaint".into(),
        consent: "given".into(),
        ..Default::default()
    }
    .parse(chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap())
    .unwrap();
    let id = store
        .submit_referral(org, &referral, Source::Staff, None, "R-KEYS-0001", "k")
        .unwrap();
    let case = store
        .decide_referral(
            &intake,
            id,
            1,
            &[DutyDecision {
                duty: "nhs_complaints".into(),
                suggested: "eligible".into(),
                accept: true,
                disagreement_reason: None,
                introduction_due: None,
            }],
            PersonChoice::Create,
            None,
        )
        .unwrap()[0];
    store
        .allocate(&manager, case, 1, advocate.user_id, None, None)
        .unwrap();
    let contact = advocase_domain::casework::ContactAnswers {
        date: "2026-11-20".into(),
        time: "10:00".into(),
        mode: "phone".into(),
        duration: "30".into(),
        discussed: note.into(),
        could_instruct: "yes".into(),
        ..Default::default()
    }
    .parse(chrono::NaiveDateTime::parse_from_str("2026-11-22 09:00", "%Y-%m-%d %H:%M").unwrap())
    .unwrap();
    store.record_contact(&advocate, case, &contact).unwrap();
    (root, data)
}

#[test]
fn a_missing_or_wrong_key_stops_the_server_before_it_serves_and_rotation_keeps_every_note() {
    let note = "Quince-unique-note for the key test";
    let (root, data) = installation_with_a_sealed_note(note);
    let key_file = root.join("data.keys");
    let right_key = std::fs::read_to_string(&key_file).unwrap();
    let database = data.join("advocase.sqlite3");
    let before = std::fs::read(&database).unwrap();

    // The wrong key: the server refuses to start and changes nothing.
    std::fs::remove_file(&key_file).unwrap();
    advocase_storage::sealing::Keyring::create(&key_file).unwrap();
    let wrong = advocase(&["serve", "--listen", "127.0.0.1:0"], &data, None);
    assert_eq!(wrong.status.code(), Some(1));
    assert!(
        stderr(&wrong).contains("wrong key file"),
        "{}",
        stderr(&wrong)
    );

    // No key at all: the same, and no new key file is made over the notes.
    std::fs::remove_file(&key_file).unwrap();
    let missing = advocase(&["serve", "--listen", "127.0.0.1:0"], &data, None);
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        stderr(&missing).contains("is missing"),
        "{}",
        stderr(&missing)
    );
    assert!(!key_file.exists());
    assert_eq!(
        std::fs::read(&database).unwrap(),
        before,
        "the database is untouched"
    );

    // With the right key, rotation re-seals the note and it still reads.
    std::fs::write(&key_file, &right_key).unwrap();
    let rotated = advocase(&["keys", "rotate"], &data, None);
    assert_eq!(rotated.status.code(), Some(0), "{}", stderr(&rotated));
    assert_ne!(std::fs::read_to_string(&key_file).unwrap(), right_key);
    let keys = advocase_storage::sealing::Keyring::open(&key_file).unwrap();
    let samples = Store::open(database.to_str().unwrap(), None)
        .unwrap()
        .sealed_samples()
        .unwrap();
    assert!(!samples.is_empty());
    for (column, value) in samples {
        assert!(keys.is_current(&value));
        assert!(keys.open_value(&column, &value).is_ok());
    }
    let verified = advocase(&["audit", "verify"], &data, None);
    assert_eq!(verified.status.code(), Some(0), "{}", stderr(&verified));
}
