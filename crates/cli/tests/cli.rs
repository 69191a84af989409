//! The `advocase` command as an operator or another tool runs it: the contracts of
//! `eligibility` and `deadline`, and the operator commands on a real data folder.

use advocase_domain::identity::EmailAddress;
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

#[test]
fn the_key_file_setting_comes_from_the_environment_too() {
    let root = advocase_testkit::fresh_dir();
    let data = root.join("data");
    let elsewhere = root.join("vault").join("advocase.keys");
    std::fs::create_dir_all(elsewhere.parent().unwrap()).unwrap();
    assert!(advocase(&["migrate"], &data, None).status.success());
    let rotated = Command::new(env!("CARGO_BIN_EXE_advocase"))
        .args(["keys", "rotate", "--data-dir"])
        .arg(&data)
        .env_remove("DATABASE_URL")
        .env_remove("ADVOCASE_DATABASE_URL")
        .env("ADVOCASE_KEY_FILE", &elsewhere)
        .output()
        .unwrap();
    assert!(rotated.status.success(), "{}", stderr(&rotated));
    assert!(
        elsewhere.exists(),
        "the key file is where ADVOCASE_KEY_FILE says"
    );
    assert!(!data.with_extension("keys").exists());
    std::fs::remove_dir_all(&root).unwrap();
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

#[test]
fn token_create_prints_only_a_token_that_signs_in_as_the_account() {
    let dir = installation();
    let created = advocase(
        &[
            "token",
            "create",
            "--email",
            "ada@north.example",
            "--name",
            "monitoring",
        ],
        &dir,
        None,
    );
    assert_eq!(created.status.code(), Some(0), "{}", stderr(&created));
    let printed = stdout(&created);
    assert_eq!(printed.lines().count(), 1, "{printed}");
    let token = printed.trim();
    let store = Store::open(dir.join("advocase.sqlite3").to_str().unwrap(), None).unwrap();
    let holder = store
        .user_by_api_token(&advocase_web::auth::token_hash(token))
        .unwrap()
        .expect("the token signs in");
    assert_eq!(holder.email, "ada@north.example");

    let unknown = advocase(
        &[
            "token",
            "create",
            "--email",
            "nobody@north.example",
            "--name",
            "x",
        ],
        &dir,
        None,
    );
    assert_eq!(unknown.status.code(), Some(1));
    assert!(stdout(&unknown).is_empty());
    let unnamed = advocase(
        &[
            "token",
            "create",
            "--email",
            "ada@north.example",
            "--name",
            " ",
        ],
        &dir,
        None,
    );
    assert_eq!(unnamed.status.code(), Some(1));
    assert!(stderr(&unnamed).contains("--name"), "{}", stderr(&unnamed));
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
    let restored = advocase_testkit::fresh_dir().join("data");
    let output = advocase(
        &["restore", "--from", backup.to_str().unwrap()],
        &restored,
        None,
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).contains("The audit trail is intact"));
    assert_eq!(
        export_of(&restored.join("advocase.sqlite3")),
        export_of(&dir.join("advocase.sqlite3"))
    );
    let verified = advocase(&["audit", "verify"], &restored, None);
    assert_eq!(verified.status.code(), Some(0), "{}", stderr(&verified));
    // Restoring over a database is refused and changes nothing.
    let again = advocase(
        &["restore", "--from", backup.to_str().unwrap()],
        &restored,
        None,
    );
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr(&again).contains("already holds a database"));
}

#[test]
fn a_sealed_backup_reveals_nothing_and_restores_only_with_its_key() {
    let dir = installation();
    let backup = dir.join("sealed.backup");
    let output = advocase(
        &["backup", "--to", backup.to_str().unwrap(), "--encrypt"],
        &dir,
        None,
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(!dir.join("backup-in-progress.sqlite3").exists());
    let bytes = std::fs::read(&backup).unwrap();
    for word in ["North Advocacy", "admin@north.example", "SQLite format"] {
        assert!(
            !bytes.windows(word.len()).any(|w| w == word.as_bytes()),
            "{word} in the sealed backup"
        );
    }
    let key_file = |data: &Path| data.with_extension("keys");
    // Without the key file, restore says what to do and leaves no database behind.
    let restored = advocase_testkit::fresh_dir().join("data");
    let refused = advocase(
        &["restore", "--from", backup.to_str().unwrap()],
        &restored,
        None,
    );
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("key file"),
        "{}",
        stderr(&refused)
    );
    assert!(!restored.join("advocase.sqlite3").exists());
    // With another installation's key it is refused too.
    let other = advocase_testkit::fresh_dir().join("data");
    advocase_storage::sealing::Keyring::create(&key_file(&other)).unwrap();
    std::fs::copy(key_file(&other), key_file(&restored)).unwrap();
    let wrong = advocase(
        &["restore", "--from", backup.to_str().unwrap()],
        &restored,
        None,
    );
    assert_eq!(wrong.status.code(), Some(1));
    assert!(!restored.join("advocase.sqlite3").exists());
    // With its own key it restores to identical data.
    std::fs::copy(key_file(&dir), key_file(&restored)).unwrap();
    let output = advocase(
        &["restore", "--from", backup.to_str().unwrap()],
        &restored,
        None,
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        export_of(&restored.join("advocase.sqlite3")),
        export_of(&dir.join("advocase.sqlite3"))
    );
    // A changed byte is detected.
    let mut damaged = bytes.clone();
    let last = damaged.len() - 1;
    damaged[last] ^= 1;
    let damaged_file = dir.join("damaged.backup");
    std::fs::write(&damaged_file, &damaged).unwrap();
    let elsewhere = advocase_testkit::fresh_dir().join("data");
    std::fs::copy(key_file(&dir), key_file(&elsewhere)).unwrap();
    let refused = advocase(
        &["restore", "--from", damaged_file.to_str().unwrap()],
        &elsewhere,
        None,
    );
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("changed or damaged"),
        "{}",
        stderr(&refused)
    );
    assert!(!elsewhere.join("advocase.sqlite3").exists());
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
        .allocate(
            &manager,
            case,
            1,
            advocate.user_id,
            None,
            None,
            chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
        )
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

#[test]
fn mail_settings_that_cannot_be_used_stop_the_server_without_showing_the_password() {
    let root = advocase_testkit::fresh_dir();
    let secret = root.join("smtp-url");
    // A password with TLS turned off: the server will not send it in the clear.
    std::fs::write(
        &secret,
        "smtp://advocase:hunter2@mail.example.org?tls=none\n",
    )
    .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_advocase"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(root.join("data"))
        .env_remove("DATABASE_URL")
        .env_remove("ADVOCASE_DATABASE_URL")
        .env_remove("ADVOCASE_SMTP_URL")
        .env("ADVOCASE_SMTP_URL_FILE", &secret)
        .env("ADVOCASE_MAIL_FROM", "Advocase <advocase@example.org>")
        .stdin(Stdio::null())
        .output()
        .expect("run advocase serve");
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let said = format!("{}{}", stdout(&output), stderr(&output));
    assert!(said.contains("smtp_url"), "{said}");
    assert!(!said.contains("hunter2"), "{said}");
    assert!(!said.contains("is running at"), "{said}");
}

/// Runs the command on the PostgreSQL database at `url`; the data folder holds the audit
/// head, and the key file goes beside it.
fn advocase_on_postgres(url: &str, args: &[&str], data_dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_advocase"))
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .env("DATABASE_URL", url)
        .env_remove("ADVOCASE_DATABASE_URL")
        .env_remove("ADVOCASE_KEYS")
        .stdin(Stdio::null())
        .output()
        .expect("run advocase")
}

/// What a demonstration holds, counted straight from the database.
#[derive(Debug)]
struct DemoCounts {
    people: i64,
    referrals: i64,
    cases: i64,
    open: i64,
    waiting: i64,
    closed: i64,
    contacts: i64,
    duties: Vec<String>,
    handed_over: i64,
    handed_over_unnamed: i64,
    advocates: i64,
    advocates_with_settings: i64,
    /// Open cases of each of the two demo advocates, and of those the IMHA cases whose
    /// introduction is overdue and still to come.
    demo_caseloads: Vec<(i64, i64, i64)>,
    unsealed_contacts: i64,
    demo_audit_entries: i64,
}

fn demo_counts(store: &Store) -> DemoCounts {
    use advocase_storage::schema::{
        advocate_settings, audit_entries, cases, contacts, people, referrals, users,
    };
    let today = chrono::Utc::now().date_naive();
    store
        .read(|conn| {
            let count_status = |conn: &mut advocase_storage::DbConnection, status: &str| {
                cases::table
                    .filter(cases::status.eq(status.to_string()))
                    .count()
                    .get_result::<i64>(conn)
            };
            let mut demo_caseloads = Vec::new();
            for email in [
                "advocate@demo.advocase.test",
                "advocate2@demo.advocase.test",
            ] {
                let id: i64 = users::table
                    .filter(users::email.eq(email))
                    .select(users::id)
                    .first(conn)?;
                let open = cases::table
                    .filter(cases::advocate_id.eq(id))
                    .filter(cases::status.eq("allocated"))
                    .count()
                    .get_result::<i64>(conn)?;
                let introductions: Vec<chrono::NaiveDate> = cases::table
                    .filter(cases::advocate_id.eq(id))
                    .filter(cases::status.eq("allocated"))
                    .filter(cases::duty.eq("imha"))
                    .filter(diesel::dsl::not(diesel::dsl::exists(
                        contacts::table.filter(contacts::case_id.eq(cases::id)),
                    )))
                    .select(cases::introduction_due)
                    .load::<Option<chrono::NaiveDate>>(conn)?
                    .into_iter()
                    .flatten()
                    .collect();
                let overdue = introductions.iter().filter(|d| **d < today).count() as i64;
                let to_come = introductions.len() as i64 - overdue;
                demo_caseloads.push((open, overdue, to_come));
            }
            Ok(DemoCounts {
                people: people::table.count().get_result(conn)?,
                referrals: referrals::table.count().get_result(conn)?,
                cases: cases::table.count().get_result(conn)?,
                open: count_status(conn, "allocated")?,
                waiting: count_status(conn, "waiting")?,
                closed: count_status(conn, "closed")?,
                contacts: contacts::table.count().get_result(conn)?,
                duties: cases::table
                    .select(cases::duty)
                    .distinct()
                    .order(cases::duty)
                    .load(conn)?,
                handed_over: cases::table
                    .filter(cases::closure_reason.eq("handed_over"))
                    .count()
                    .get_result(conn)?,
                handed_over_unnamed: cases::table
                    .filter(cases::closure_reason.eq_any(["handed_over", "moved_area"]))
                    .filter(cases::handed_over_to.is_null())
                    .count()
                    .get_result(conn)?,
                advocates: users::table
                    .filter(users::role.eq("advocate"))
                    .count()
                    .get_result(conn)?,
                advocates_with_settings: advocate_settings::table.count().get_result(conn)?,
                demo_caseloads,
                unsealed_contacts: contacts::table
                    .filter(diesel::dsl::not(contacts::discussed.like("enc1:%")))
                    .count()
                    .get_result(conn)?,
                demo_audit_entries: audit_entries::table
                    .filter(audit_entries::record_type.eq("demo_data"))
                    .count()
                    .get_result(conn)?,
            })
        })
        .unwrap()
}

/// What every freshly filled demonstration of `people` people should look like.
fn assert_plausible_demo(counts: &DemoCounts, people: i64) {
    // The generated people, and the ones the hand-written referrals add.
    assert!((people..=people + 3).contains(&counts.people), "{counts:?}");
    assert!(counts.referrals > counts.people, "{counts:?}");
    assert!(
        counts.cases >= counts.people && counts.cases < counts.people * 3 / 2,
        "{counts:?}"
    );
    assert_eq!(counts.cases, counts.open + counts.waiting + counts.closed);
    assert!(counts.closed > counts.open * 2, "{counts:?}");
    assert!(counts.waiting >= 3, "{counts:?}");
    let per_person = counts.contacts as f64 / counts.people as f64;
    assert!((6.0..14.0).contains(&per_person), "{counts:?}");
    assert_eq!(
        counts.duties,
        ["care_act", "imca", "imha", "nhs_complaints"],
        "{counts:?}"
    );
    assert!(counts.handed_over > 0, "{counts:?}");
    assert_eq!(counts.handed_over_unnamed, 0, "{counts:?}");
    assert_eq!(
        counts.advocates, counts.advocates_with_settings,
        "{counts:?}"
    );
    for (open, overdue, to_come) in &counts.demo_caseloads {
        assert!((15..=30).contains(open), "{counts:?}");
        assert!(*overdue > 0 && *to_come > 0, "{counts:?}");
    }
    assert_eq!(counts.unsealed_contacts, 0, "notes are sealed at rest");
}

/// A new row in a table the load numbered gets a new id: on PostgreSQL this needs the
/// identity sequence moved past the loaded ids.
fn a_person_can_still_be_added(store: &Store) {
    store
        .read(|conn| {
            diesel::sql_query(
                "INSERT INTO people (provider_id, given_name, family_name, name_key, created_at) \
                 SELECT provider_id, 'Test', 'Person', 'person test', created_at FROM people LIMIT 1",
            )
            .execute(conn)?;
            Ok(())
        })
        .unwrap();
}

/// The demonstration's policies register has reviews overdue and policies missing, and
/// the manager and the commissioner each have an earlier self-assessment to compare with.
fn demo_has_a_register_and_earlier_self_assessments(store: &Store) {
    let actor = |email: &str| {
        store
            .user_by_email(&EmailAddress::parse("email", email).unwrap())
            .unwrap()
            .unwrap()
            .actor(None)
            .unwrap()
    };
    let manager = actor("manager@demo.advocase.test");
    let today = chrono::Utc::now().date_naive();
    assert!(store.overdue_policy_count(&manager, today).unwrap() >= 2);
    let kinds: Vec<advocase_domain::assessment::PolicyKind> = store
        .policies(&manager)
        .unwrap()
        .iter()
        .filter_map(|p| advocase_domain::assessment::PolicyKind::parse(&p.record.kind))
        .collect();
    assert!(!advocase_domain::assessment::missing_policies(&kinds).is_empty());
    for email in [
        "manager@demo.advocase.test",
        "commissioner@demo.advocase.test",
    ] {
        assert_eq!(
            store.self_assessments(&actor(email)).unwrap().len(),
            1,
            "{email}"
        );
    }
}

#[test]
fn demo_fills_an_empty_folder_with_plausible_casework_and_adds_more_on_a_second_run() {
    let data = advocase_testkit::fresh_dir().join("data");
    // An empty database, as migrations make it: the first load into it sets the
    // indexes of the tables it fills aside and builds them again.
    let migrated = advocase(&["migrate"], &data, None);
    assert_eq!(migrated.status.code(), Some(0), "{}", stderr(&migrated));
    let indexes_before = advocase_testkit::sqlite_indexes(
        &Store::open(data.join("advocase.sqlite3").to_str().unwrap(), None).unwrap(),
    );
    assert!(
        indexes_before
            .iter()
            .any(|(name, _)| name == "contacts_case"),
        "{indexes_before:?}"
    );
    let made = advocase(&["demo", "--people", "300"], &data, None);
    assert_eq!(made.status.code(), Some(0), "{}", stderr(&made));
    assert!(
        stdout(&made).contains("Added 300 made-up people"),
        "{}",
        stdout(&made)
    );
    let verified = advocase(&["audit", "verify"], &data, None);
    assert_eq!(verified.status.code(), Some(0), "{}", stderr(&verified));
    let store = Store::open(data.join("advocase.sqlite3").to_str().unwrap(), None).unwrap();
    let counts = demo_counts(&store);
    assert_plausible_demo(&counts, 300);
    assert_eq!(
        counts.demo_audit_entries, 1,
        "one audit entry for the whole load"
    );
    demo_has_a_register_and_earlier_self_assessments(&store);
    assert_eq!(advocase_testkit::sqlite_indexes(&store), indexes_before);

    let more = advocase(&["demo", "--people", "40", "--seed", "7"], &data, None);
    assert_eq!(more.status.code(), Some(0), "{}", stderr(&more));
    let again = demo_counts(&store);
    assert_eq!(again.people, counts.people + 40);
    assert_eq!(again.demo_audit_entries, 2);
    assert_eq!(advocase_testkit::sqlite_indexes(&store), indexes_before);
    let integrity: Vec<String> = store
        .read(|conn| {
            #[derive(diesel::QueryableByName)]
            struct Check {
                #[diesel(sql_type = diesel::sql_types::Text)]
                integrity_check: String,
            }
            Ok(diesel::sql_query("PRAGMA integrity_check")
                .load::<Check>(conn)?
                .into_iter()
                .map(|c| c.integrity_check)
                .collect())
        })
        .unwrap();
    assert_eq!(integrity, ["ok"]);
    let verified = advocase(&["audit", "verify"], &data, None);
    assert_eq!(verified.status.code(), Some(0), "{}", stderr(&verified));
    a_person_can_still_be_added(&store);
}

#[test]
fn demo_fills_a_postgresql_database_with_plausible_casework() {
    let Some(db) = advocase_testkit::TestDb::new(advocase_testkit::TestBackend::Postgres) else {
        return;
    };
    let data = db.dir.join("data");
    let made = advocase_on_postgres(&db.url, &["demo", "--people", "300"], &data);
    assert_eq!(made.status.code(), Some(0), "{}", stderr(&made));
    assert!(stdout(&made).contains("on PostgreSQL"), "{}", stdout(&made));
    let verified = advocase_on_postgres(&db.url, &["audit", "verify"], &data);
    assert_eq!(verified.status.code(), Some(0), "{}", stderr(&verified));
    let counts = demo_counts(&db.store);
    assert_plausible_demo(&counts, 300);
    assert_eq!(counts.demo_audit_entries, 1);
    a_person_can_still_be_added(&db.store);
    let more = advocase_on_postgres(&db.url, &["demo", "--people", "20"], &data);
    assert_eq!(more.status.code(), Some(0), "{}", stderr(&more));
    assert_eq!(demo_counts(&db.store).people, counts.people + 1 + 20);
}

#[test]
fn demo_refuses_an_installation_that_is_not_a_demonstration() {
    let dir = installation();
    let refused = advocase(&["demo", "--people", "10"], &dir, None);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("not a demonstration"),
        "{}",
        stderr(&refused)
    );
    let store = Store::open(dir.join("advocase.sqlite3").to_str().unwrap(), None).unwrap();
    let people: i64 = store
        .read(|conn| {
            Ok(advocase_storage::schema::people::table
                .count()
                .get_result(conn)?)
        })
        .unwrap();
    assert_eq!(people, 0, "nothing was added");
}

#[test]
fn serve_demo_starts_quickly_with_generated_caseloads() {
    use std::io::BufRead;
    let data = advocase_testkit::fresh_dir().join("data");
    let started = std::time::Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_advocase"))
        .args(["serve", "--demo", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(&data)
        .env_remove("DATABASE_URL")
        .env_remove("ADVOCASE_DATABASE_URL")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("run advocase serve");
    let out = child.stdout.take().unwrap();
    let (lines, heard) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(out).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let running = loop {
        match heard.recv_timeout(std::time::Duration::from_secs(120)) {
            Ok(line) if line.contains("is running at") => break true,
            Ok(_) => {}
            Err(_) => break false,
        }
    };
    let took = started.elapsed();
    child.kill().ok();
    child.wait().ok();
    assert!(running, "the demo server did not start");
    // Unoptimised, in a test run beside others; a release build takes a few seconds.
    assert!(took.as_secs() < 60, "the first start took {took:?}");
    let store = Store::open(data.join("advocase.sqlite3").to_str().unwrap(), None).unwrap();
    assert_plausible_demo(&demo_counts(&store), 2000);
}
