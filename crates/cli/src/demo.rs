//! The demonstration installation: a fictional provider and commissioner, one account
//! per role, all with the same published password, and as many made-up people with
//! their referrals and casework as asked for. Everything here is made up: names are
//! drawn from two lists and combined at random, postcodes are in an `NS` area that does
//! not exist, and phone numbers are in the range Ofcom keeps for drama.

use advocase_domain::audit::AuditAction;
use advocase_domain::casework::{
    ChallengeStep, ClosureReason, ContactMode, Gender, NonInstructedApproach, OutcomeLevel,
    Process, SelfAdvocacy, WorkKind,
};
use advocase_domain::clocks::{Nation, WorkingDayCalendar, imha_introduction_due};
use advocase_domain::identity::{EmailAddress, OrganisationKind, Role};
use advocase_storage::Store;
use advocase_storage::accounts::{NewUser, UserRecord};
use advocase_storage::audit::AuditEvent;
use advocase_storage::bulk::{Batch, BulkCounts, TableIds};
use advocase_storage::casework::{
    AdvocateRow, AdvocateSettingsRecord, AllocationRecord, ChallengeRecord, ChallengeStepRecord,
    ContactRecord, IssueRecord, WorkRecord, case_status,
};
use advocase_storage::referrals::{
    CaseRecord, DecisionRecord, PersonRecord, ReferralRecord, name_key, status,
};
use advocase_storage::workforce::NewEqualityAnswer;
use advocase_web::pages::sign_in::{DEMO_PASSWORD, DEMO_ROLES};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Weekday};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

/// The demo's provider, by which an installation is known to be a demonstration.
pub const DEMO_PROVIDER: &str = "Riverside Advocacy (demo)";
const DEMO_COMMISSIONER: &str = "Northshire County Council (demo)";

/// How many made-up people `serve --demo` starts with: enough for full caseloads and a
/// few pages of everything, and quick to make. Enough, too, that each of the demo
/// contract's two small areas refers about twenty people a quarter (an eighth of the
/// people live in each): a count under eight is not published, and with 200 people the
/// demand page had no area to compare.
pub const SERVE_PEOPLE: u64 = 2000;
/// The seed used when none is given, so the demo is the same every time.
pub const DEFAULT_SEED: u64 = 2014;

/// The demo's accounts: role, email address and a made-up name.
pub const DEMO_ACCOUNTS: [(Role, &str, &str); 6] = [
    (Role::Manager, "manager@demo.advocase.test", "Morgan Reyes"),
    (
        Role::IntakeWorker,
        "intake@demo.advocase.test",
        "Priya Shah",
    ),
    (Role::Advocate, "advocate@demo.advocase.test", "Sam Okafor"),
    (
        Role::Advocate,
        "advocate2@demo.advocase.test",
        "Jo Lindqvist",
    ),
    (
        Role::Administrator,
        "admin@demo.advocase.test",
        "Alex Byrne",
    ),
    (
        Role::Commissioner,
        "commissioner@demo.advocase.test",
        "Chris Moreau",
    ),
];

/// A made-up referral, as a referrer would fill in the form.
struct DemoReferral {
    given: &'static str,
    family: &'static str,
    born: &'static str,
    postcode: &'static str,
    happening: &'static str,
    /// Mental Health Act status and section, empty when not under the Act.
    mha: (&'static str, &'static str),
    /// The Care Act process, empty when none.
    process: &'static str,
    days_ago: i64,
}

const DEMO_REFERRALS: [DemoReferral; 6] = [
    DemoReferral {
        given: "Maya",
        family: "Thornbury",
        born: "1987-04-12",
        postcode: "NS1 4AB",
        happening: "Detained on the ward since the weekend and wants to know her rights.",
        mha: ("detained", "3"),
        process: "",
        days_ago: 1,
    },
    DemoReferral {
        given: "Tomasz",
        family: "Wilk",
        born: "1952-09-30",
        postcode: "NS2 7CD",
        happening: "Care and support needs assessment next week; finds it hard to follow what is said.",
        mha: ("", ""),
        process: "needs_assessment",
        days_ago: 3,
    },
    DemoReferral {
        given: "Grace",
        family: "Adeyemi",
        born: "1999-01-05",
        postcode: "NS3 1EF",
        happening: "Review of her support plan; her family are not in touch.",
        mha: ("", ""),
        process: "support_plan_review",
        days_ago: 6,
    },
    DemoReferral {
        given: "Eddie",
        family: "Marsh",
        born: "1964-11-21",
        postcode: "NS1 9GH",
        happening: "On a community treatment order and unhappy with his medication.",
        mha: ("cto", "17A"),
        process: "",
        days_ago: 2,
    },
    DemoReferral {
        given: "Priti",
        family: "Lal",
        born: "1975-06-17",
        postcode: "NS4 2JK",
        happening: "Safeguarding enquiry about money going missing at her care home.",
        mha: ("", ""),
        process: "safeguarding_enquiry",
        days_ago: 4,
    },
    DemoReferral {
        given: "Owen",
        family: "Castell",
        born: "1948-02-02",
        postcode: "NS5 5LM",
        happening: "Wants to complain about how the hospital discharged him.",
        mha: ("", ""),
        process: "",
        days_ago: 0,
    },
];

/// Creates the demo organisations and accounts in an empty database.
pub fn create(store: &Store) -> anyhow::Result<()> {
    let provider = store.create_organisation(OrganisationKind::Provider, DEMO_PROVIDER)?;
    let commissioner =
        store.create_organisation(OrganisationKind::Commissioner, DEMO_COMMISSIONER)?;
    // One hash serves every account: they share the published password, and argon2 is
    // deliberately slow.
    let hash = advocase_web::auth::password::hash(DEMO_PASSWORD)?;
    for (role, email, name) in DEMO_ACCOUNTS {
        let organisation_id = match role.organisation_kind() {
            OrganisationKind::Provider => provider,
            OrganisationKind::Commissioner => commissioner,
        };
        store.create_user(
            None,
            NewUser {
                organisation_id,
                email: EmailAddress::parse("email", email)?,
                display_name: name.to_string(),
                role,
                password_hash: Some(hash.clone()),
                is_demo: true,
            },
        )?;
    }
    contract(store, commissioner)?;
    feedback(store, provider)?;
    Ok(())
}

/// Answers to the feedback questionnaire over the last half year, some with help, some
/// anonymous, some with words, so the manager's summary and the quality dashboard have
/// something to show. The names and words are made up.
fn feedback(store: &Store, provider: i64) -> anyhow::Result<()> {
    use advocase_domain::safeguarding::FeedbackAnswers;
    /// Days ago, kind of advocacy, who filled it in, name (empty: anonymous), the four
    /// faces, and the words.
    type DemoAnswer = (
        i64,
        &'static str,
        &'static str,
        &'static str,
        [u8; 4],
        &'static str,
    );
    const ANSWERS: [DemoAnswer; 12] = [
        (
            2,
            "imha",
            "alone",
            "",
            [5, 4, 5, 5],
            "My advocate came to the ward every week.",
        ),
        (5, "care_act", "with_help", "", [4, 4, 4, 4], ""),
        (
            9,
            "care_act",
            "alone",
            "A. Demo-Person",
            [3, 2, 3, 3],
            "I did not always understand the letters.",
        ),
        (14, "not_sure", "with_help", "", [5, 5, 4, 5], ""),
        (
            20,
            "imha",
            "alone",
            "",
            [2, 3, 2, 2],
            "It took a long time to see someone.",
        ),
        (33, "imca", "with_help", "", [4, 3, 4, 4], ""),
        (
            41,
            "care_act",
            "alone",
            "",
            [5, 5, 5, 5],
            "Thank you for helping me stay in my flat.",
        ),
        (
            60,
            "nhs_complaints",
            "alone",
            "B. Demo-Person",
            [4, 4, 3, 4],
            "",
        ),
        (75, "imha", "with_help", "", [4, 5, 4, 4], ""),
        (96, "care_act", "alone", "", [3, 4, 3, 3], ""),
        (
            120,
            "non_statutory",
            "alone",
            "",
            [5, 4, 4, 5],
            "Friendly and clear.",
        ),
        (150, "imha", "with_help", "", [4, 4, 5, 4], ""),
    ];
    let today = chrono::Utc::now().date_naive();
    for (days_ago, duty, filled_in, name, scores, comment) in ANSWERS {
        let [listened, understood, speak_up, overall] = scores.map(|n| n.to_string());
        let answer = FeedbackAnswers {
            duty: duty.into(),
            filled_in: filled_in.into(),
            anonymous: if name.is_empty() { "yes" } else { "no" }.into(),
            name: name.into(),
            listened,
            understood,
            speak_up,
            overall,
            comment: comment.into(),
        }
        .parse()
        .map_err(|e| anyhow::anyhow!("a demo feedback answer is invalid: {e:?}"))?;
        store.submit_feedback(
            provider,
            &answer,
            days_ago % 3 == 0,
            today - chrono::Duration::days(days_ago),
        )?;
    }
    Ok(())
}

/// The demo provider's contract with the demo council, its population figures and one
/// link meeting, so the commissioner's pages have something to show.
fn contract(store: &Store, commissioner: i64) -> anyhow::Result<()> {
    let find = |email: &str| -> anyhow::Result<advocase_domain::identity::Actor> {
        Ok(store
            .user_by_email(&EmailAddress::parse("email", email)?)?
            .ok_or_else(|| anyhow::anyhow!("the demo account {email} is missing"))?
            .actor(None)?)
    };
    let manager = find("manager@demo.advocase.test")?;
    let council = find("commissioner@demo.advocase.test")?;
    let today = chrono::Utc::now().date_naive();
    let starts = NaiveDate::from_ymd_opt(today.year() - 1, 4, 1).unwrap_or(today);
    let answers = advocase_domain::reporting::ContractAnswers {
        name: "Independent advocacy for Northshire (demo)".into(),
        commissioner: commissioner.to_string(),
        duties: ["care_act", "imha", "imca", "nhs_complaints"]
            .map(String::from)
            .to_vec(),
        areas: AREA_NAMES.join(", "),
        starts_on: starts.to_string(),
        ends_on: NaiveDate::from_ymd_opt(today.year() + 2, 3, 31)
            .unwrap_or(today)
            .to_string(),
        core_funding: "420000".into(),
        core_cases: "900".into(),
        payment_per_case: "380".into(),
        reporting: "quarterly".into(),
        threshold: "7".into(),
        urgent_days: "2".into(),
        standard_days: "5".into(),
        target_imha_introduction: "95".into(),
        target_first_contact: "85".into(),
        target_declined: "15".into(),
        target_outcomes_achieved: "70".into(),
        target_feedback: "4.2".into(),
    };
    let contract = answers
        .parse()
        .map_err(|e| anyhow::anyhow!("the demo contract is invalid: {e}"))?;
    let id = store.create_contract(&manager, &contract)?;
    // Last year's figures too: the contract's first three quarters ended then, so the
    // demand page has a year to compare in every month, the first three of this one too.
    let figures: Vec<advocase_domain::reporting::PopulationRow> = [
        ("Northshire (demo)", 410_000, 6_800, today.year() - 1),
        ("Eastmere (demo)", 63_500, 1_130, today.year() - 1),
        ("Westfold (demo)", 57_800, 1_010, today.year() - 1),
        ("Northshire (demo)", 412_000, 6_900, today.year()),
        ("Eastmere (demo)", 64_000, 1_150, today.year()),
        ("Westfold (demo)", 58_000, 1_020, today.year()),
    ]
    .into_iter()
    .enumerate()
    .map(
        |(index, (area, adults, assessments, year))| advocase_domain::reporting::PopulationRow {
            // As if read from a file with a header line.
            line: index + 2,
            area: area.into(),
            year,
            adults,
            assessments,
        },
    )
    .collect();
    store.import_population(&council, &figures)?;
    store.set_demand_rates(&council, 600, 200)?;
    store.record_meeting(
        &council,
        id,
        &advocase_storage::commissioning::NewMeeting {
            held_on: starts
                .checked_add_months(chrono::Months::new(3))
                .unwrap_or(starts),
            attendees: "Commissioning manager (demo), service manager (demo)".into(),
            discussed:
                "The first quarter's figures; referrals from Westfold are lower than expected."
                    .into(),
            actions: vec![(
                "Visit Westfold's assessment team to explain when to refer".into(),
                "Service manager".into(),
                starts.checked_add_months(chrono::Months::new(4)),
            )],
        },
    )?;
    Ok(())
}

/// Makes sure the database holds the demonstration: creates it in an empty database,
/// accepts one made before, and refuses a real installation, whose people must never
/// be mixed with made-up ones. Answers whether it was created now.
pub fn prepare(store: &Store) -> anyhow::Result<bool> {
    let census = store.census()?;
    if census.organisations == 0 && census.users == 0 {
        create(store)?;
        return Ok(true);
    }
    let demo_provider = store
        .organisations()?
        .iter()
        .any(|o| o.name == DEMO_PROVIDER && o.kind() == Some(OrganisationKind::Provider));
    if !demo_provider || census.real_users > 0 || census.users == 0 {
        anyhow::bail!(
            "this database holds an installation that is not a demonstration; `advocase demo` only fills an empty database or one it filled before"
        );
    }
    Ok(false)
}

/// The hand-written referrals that feed the intake queue and the waiting list. Made
/// after the generated people, so they are the newest.
pub fn hand_written_referrals(store: &Store) -> anyhow::Result<()> {
    let provider = staff(store)?.provider;
    referrals(store, provider)
}

/// A queue of made-up referrals, every other one accepted onto the waiting list for the
/// duties the eligibility engine finds, so intake and managers have something to see.
fn referrals(store: &Store, provider: i64) -> anyhow::Result<()> {
    use advocase_domain::eligibility::{EligibilityOutcome, assess};
    use advocase_domain::referral::ReferralAnswers;
    use advocase_storage::referrals::{DutyDecision, PersonChoice, Source};
    let intake_email = EmailAddress::parse("email", "intake@demo.advocase.test")?;
    let intake = store
        .user_by_email(&intake_email)?
        .ok_or_else(|| anyhow::anyhow!("the demo intake account is missing"))?
        .actor(None)?;
    let today = chrono::Utc::now().date_naive();
    let calendar = WorkingDayCalendar::shipped(Nation::EnglandAndWales);
    for (index, demo) in DEMO_REFERRALS.iter().enumerate() {
        let (mha, section) = demo.mha;
        let care_act = !demo.process.is_empty();
        let compulsion = today - chrono::Duration::days(demo.days_ago);
        let when = |yes: bool, value: &str| {
            if yes {
                value.to_string()
            } else {
                String::new()
            }
        };
        let answers = ReferralAnswers {
            referrer_kind: "professional".into(),
            referrer_name: "Jordan Fielding".into(),
            referrer_organisation: "Northshire Adult Social Care (demo)".into(),
            referrer_email: "jordan.fielding@demo.advocase.test".into(),
            given_name: demo.given.into(),
            family_name: demo.family.into(),
            date_of_birth: demo.born.into(),
            postcode: demo.postcode.into(),
            what_is_happening: demo.happening.into(),
            consent: "given".into(),
            mha_status: mha.into(),
            mha_section: section.into(),
            compulsion_date: when(mha == "detained", &compulsion.to_string()),
            care_act_process: demo.process.into(),
            care_needs: when(care_act, "yes"),
            difficulty: if care_act {
                vec!["understanding".into()]
            } else {
                Vec::new()
            },
            appropriate_individual: when(care_act, "no"),
            nhs_complaint: when(!care_act && mha.is_empty(), "yes"),
            safeguarding_concerns: when(
                demo.process == "safeguarding_enquiry",
                "Money missing from her account.",
            ),
            ..Default::default()
        };
        let referral = answers
            .parse(today)
            .map_err(|e| anyhow::anyhow!("demo referral {}: {e}", demo.given))?;
        let reference = advocase_web::pages::referrals::new_reference();
        let token = advocase_web::auth::new_token();
        let id = store.submit_referral(
            provider,
            &referral,
            Source::Public,
            None,
            &reference,
            &advocase_web::auth::token_hash(&token),
        )?;
        if index % 2 == 1 {
            continue;
        }
        let decisions: Vec<DutyDecision> = assess(&referral.eligibility)
            .duties
            .iter()
            .filter(|d| d.outcome == EligibilityOutcome::Eligible)
            .filter_map(|d| {
                serde_json::to_value(d.duty)
                    .ok()?
                    .as_str()
                    .map(str::to_string)
            })
            .map(|duty| DutyDecision {
                introduction_due: (duty == "imha" && mha == "detained")
                    .then(|| imha_introduction_due(&calendar, compulsion)),
                duty,
                suggested: "eligible".into(),
                accept: true,
                disagreement_reason: None,
            })
            .collect();
        if !decisions.is_empty() {
            store.decide_referral(&intake, id, 1, &decisions, PersonChoice::Create, None)?;
        }
    }
    Ok(())
}

/// The demo accounts as the sign-in page lists them: one per role, in a helpful order.
pub fn sign_in_list() -> Vec<(Role, String)> {
    DEMO_ROLES
        .iter()
        .filter_map(|role| DEMO_ACCOUNTS.iter().find(|(r, _, _)| r == role))
        .map(|(role, email, _)| (*role, email.to_string()))
        .collect()
}

// ---------------------------------------------------------------------------------------
// Generated people
// ---------------------------------------------------------------------------------------

/// How many people go into one batch: large enough that each multi-row insert is full,
/// small enough that a batch is a few tens of megabytes.
const BATCH_PEOPLE: u64 = 10_000;
/// How far back the made-up history reaches.
const HISTORY_DAYS: i64 = 3 * 365;
/// Open cases per advocate that the number of advocates is chosen for.
const OPEN_CASES_PER_ADVOCATE: f64 = 40.0;
/// Open (allocated) cases per generated person, measured on large runs of the
/// generator; it decides how many advocates to add before the cases exist.
const OPEN_CASES_PER_PERSON: f64 = 0.2;
/// The two demo advocates' capacities. Kept below a full caseload so that their
/// sign-in shows a realistic, workable list.
const DEMO_ADVOCATE_CAPACITY: [i32; 2] = [22, 18];
/// The longest waiting list the generator makes on its own (the newest referrals).
const MOST_WAITING: u64 = 250;

/// The people, accounts and ids the generator works with.
#[derive(Debug, Clone)]
pub struct Staff {
    pub provider: i64,
    pub manager: i64,
    pub intake: i64,
    /// The two demo advocates, in the order of [`DEMO_ACCOUNTS`].
    pub demo_advocates: [i64; 2],
}

fn staff(store: &Store) -> anyhow::Result<Staff> {
    let find = |email: &str| -> anyhow::Result<UserRecord> {
        store
            .user_by_email(&EmailAddress::parse("email", email)?)?
            .ok_or_else(|| anyhow::anyhow!("the demo account {email} is missing"))
    };
    let manager = find("manager@demo.advocase.test")?;
    Ok(Staff {
        provider: manager.organisation_id,
        manager: manager.id,
        intake: find("intake@demo.advocase.test")?.id,
        demo_advocates: [
            find("advocate@demo.advocase.test")?.id,
            find("advocate2@demo.advocase.test")?.id,
        ],
    })
}

/// What a generation made, for the summary.
#[derive(Debug, Default, Clone, Copy)]
pub struct Generated {
    pub rows: BulkCounts,
    pub open_cases: u64,
    pub waiting_cases: u64,
    pub closed_cases: u64,
    pub advocates_added: u64,
}

/// Adds `people` made-up people with their referrals and casework to the demonstration
/// installation, in one transaction with one audit entry. The same seed makes the same
/// people (relative to today). `bar` shows the people written so far.
pub fn generate(
    store: &Store,
    people: u64,
    seed: u64,
    bar: &indicatif::ProgressBar,
) -> anyhow::Result<Generated> {
    let staff = staff(store)?;
    let manager = store
        .user_by_id(staff.manager)?
        .ok_or_else(|| anyhow::anyhow!("the demo manager is missing"))?
        .actor(None)?;
    let advocates = store.advocates(&manager)?;
    let numbered_after = store.largest_ids()?;
    let now = advocase_storage::now()
        .with_nanosecond(0)
        .unwrap_or_else(advocase_storage::now);
    let generator = Generator::new(seed, people, &staff, &advocates, numbered_after, now);
    let advocates_added = generator.new_advocates as u64;
    let keys = store.keys()?;
    bar.set_length(people);
    let provider = staff.provider;
    let (rows, tally) = std::thread::scope(|scope| {
        // Making the rows and writing them overlap: one thread makes and seals the
        // next batch while the database writes this one, two batches at most in
        // between.
        let (sender, receiver) = std::sync::mpsc::sync_channel(2);
        let maker = scope.spawn(move || {
            let mut generator = generator;
            while let Some(batch) = generator.next_batch() {
                if sender.send(batch.seal(keys)).is_err() {
                    break;
                }
            }
            generator.tally
        });
        let loaded = store.bulk_load(
            &numbered_after,
            std::iter::from_fn(|| receiver.recv().ok()),
            &mut |counts| bar.set_position(counts.people),
            |counts| {
                AuditEvent::anonymous(AuditAction::Create, "demo_data", None)
                    .in_organisation(Some(provider))
                    .because(format!(
                        "demo data generated (seed {seed}): {} people, {} referrals, {} cases, {} contacts, {} advocates added",
                        counts.people, counts.referrals, counts.cases, counts.contacts, counts.users
                    ))
            },
        );
        let tally = maker.join().unwrap_or_default();
        loaded.map(|rows| (rows, tally))
    })?;
    Ok(Generated {
        rows,
        open_cases: tally.open,
        waiting_cases: tally.waiting,
        closed_cases: tally.closed,
        advocates_added,
    })
}

/// The four duties, in the order advocates' settings list them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Duty {
    CareAct,
    Imha,
    Imca,
    Nhs,
}

impl Duty {
    const ALL: [Duty; 4] = [Duty::CareAct, Duty::Imha, Duty::Imca, Duty::Nhs];

    fn code(self) -> &'static str {
        match self {
            Duty::CareAct => "care_act",
            Duty::Imha => "imha",
            Duty::Imca => "imca",
            Duty::Nhs => "nhs_complaints",
        }
    }

    fn parse(code: &str) -> Option<Duty> {
        Duty::ALL.into_iter().find(|d| d.code() == code)
    }

    fn index(self) -> usize {
        self as usize
    }

    /// Contacts per day of an active case: people detained or lacking capacity are seen
    /// more often than people making a complaint.
    fn contact_rate(self) -> f64 {
        match self {
            Duty::CareAct => 1.0 / 13.0,
            Duty::Imha => 1.0 / 11.0,
            Duty::Imca => 1.0 / 7.0,
            Duty::Nhs => 1.0 / 15.0,
        }
    }

    /// The shortest and longest time a case of this duty usually runs, in days.
    fn duration(self) -> (f64, f64) {
        match self {
            Duty::CareAct => (25.0, 240.0),
            Duty::Imha => (14.0, 300.0),
            Duty::Imca => (10.0, 90.0),
            Duty::Nhs => (30.0, 270.0),
        }
    }
}

/// How a case is to go, where the demo needs something particular.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Script {
    /// Whatever its dates make likely.
    Natural,
    /// Allocated to this advocate (an index into the advocates) and not yet introduced.
    AwaitingIntroduction(usize),
    /// On the waiting list.
    Waiting,
}

/// The newest referrals, made to order so that the demo advocates' caseloads show IMHA
/// introductions both overdue and not yet due, and the waiting list has a mix: days
/// before today, and what happens.
const FRESH: [(i64, Fresh); 10] = [
    (12, Fresh::Introduction(0)),
    (10, Fresh::Introduction(1)),
    (6, Fresh::Waiting(Duty::Imha)),
    (5, Fresh::Introduction(0)),
    (4, Fresh::Waiting(Duty::CareAct)),
    (3, Fresh::Introduction(1)),
    (2, Fresh::Waiting(Duty::Imca)),
    (1, Fresh::Introduction(0)),
    (1, Fresh::Waiting(Duty::Nhs)),
    (0, Fresh::Introduction(1)),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fresh {
    /// A detained person's IMHA case with one of the two demo advocates.
    Introduction(usize),
    Waiting(Duty),
}

/// One advocate as allocation sees them while generating.
#[derive(Debug, Clone)]
struct Advocate {
    id: i64,
    open: u32,
    capacity: u32,
    /// The demo advocates never go beyond their capacity while someone else can take
    /// the case, so the caseloads people sign in to see stay workable.
    capped: bool,
}

impl Advocate {
    fn load(&self) -> f64 {
        f64::from(self.open) / f64::from(self.capacity.max(1))
    }
}

/// Counts of case states, for the summary.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    open: u64,
    waiting: u64,
    closed: u64,
}

/// The next free id of each table.
#[derive(Debug, Clone, Copy)]
struct Ids(TableIds);

macro_rules! next_id {
    ($ids:expr, $table:ident) => {{
        $ids.0.$table += 1;
        $ids.0.$table
    }};
}

/// A made-up person, before they are written anywhere.
#[derive(Debug, Clone)]
struct Someone {
    given: &'static str,
    family: String,
    born: NaiveDate,
    postcode: String,
    address: String,
    area: &'static str,
    phone: Option<String>,
    email: Option<String>,
    language: Option<&'static str>,
    needs_interpreter: bool,
    uses_bsl: bool,
    wants_easy_read: bool,
    preferred_contact: Option<&'static str>,
    gender_preference: Option<&'static str>,
    communication_needs: Option<&'static str>,
    placed_out_of_area: bool,
    is_prisoner: bool,
    /// How likely the person is to be able to instruct their advocate at a contact.
    instructs: f64,
}

/// What the Mental Health Act says about a person referred for an IMHA.
#[derive(Debug, Clone, Copy)]
struct UnderTheAct {
    status: &'static str,
    section: &'static str,
    /// For detention: the day compulsion took effect.
    compulsion: Option<NaiveDate>,
}

/// One referral's cases, as planned before they are written.
struct CasePlan {
    duty: Duty,
    opened_at: NaiveDateTime,
    introduction_due: Option<NaiveDate>,
    script: Script,
    /// The case this one re-opens, and the advocate who held it.
    reopens: Option<(i64, usize)>,
}

/// Makes batches of made-up people with everything that happened to them, oldest
/// first, numbering every row after the ids already in use.
struct Generator {
    rng: StdRng,
    people: u64,
    made: u64,
    ids: Ids,
    seed: u64,
    now: NaiveDateTime,
    today: NaiveDate,
    start: NaiveDateTime,
    calendar: WorkingDayCalendar,
    staff: Staff,
    advocates: Vec<Advocate>,
    /// Indices into `advocates` of those who work under each duty.
    by_duty: [Vec<usize>; 4],
    /// Indices into `advocates` of the two demo advocates.
    demo: [usize; 2],
    /// Accounts and settings to write with the first batch.
    first: Option<(Vec<UserRecord>, Vec<AdvocateSettingsRecord>)>,
    new_advocates: usize,
    waiting_left: u64,
    tally: Tally,
}

impl Generator {
    fn new(
        seed: u64,
        people: u64,
        staff: &Staff,
        existing: &[AdvocateRow],
        numbered_after: TableIds,
        now: NaiveDateTime,
    ) -> Self {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut ids = Ids(numbered_after);
        let today = now.date();
        let start = now - Duration::days(HISTORY_DAYS);
        let mut advocates = Vec::new();
        let mut by_duty: [Vec<usize>; 4] = Default::default();
        let mut users = Vec::new();
        let mut settings = Vec::new();
        let mut demo = [0usize; 2];
        let mut open_now = 0f64;
        let mut capacity_now = 0f64;
        for row in existing {
            let index = advocates.len();
            let demo_slot = staff
                .demo_advocates
                .iter()
                .position(|id| *id == row.user_id);
            let record = if row.settings.version == 0 {
                let record = advocate_settings(&mut rng, row.user_id, demo_slot);
                settings.push(record.clone());
                record
            } else {
                row.settings.clone()
            };
            if let Some(slot) = demo_slot {
                demo[slot] = index;
            }
            for duty in advocase_storage::casework::list(&record.duties) {
                if let Some(duty) = Duty::parse(&duty) {
                    by_duty[duty.index()].push(index);
                }
            }
            open_now += row.open_cases as f64;
            capacity_now += f64::from(record.capacity);
            advocates.push(Advocate {
                id: row.user_id,
                open: u32::try_from(row.open_cases).unwrap_or(0),
                capacity: u32::try_from(record.capacity).unwrap_or(1),
                capped: demo_slot.is_some(),
            });
        }
        // One more advocate for each so many open cases beyond what the advocates there
        // are can hold, counting what the new people will bring.
        let beyond = open_now + OPEN_CASES_PER_PERSON * people as f64 - capacity_now;
        let new_advocates = (beyond / OPEN_CASES_PER_ADVOCATE).ceil().max(0.0) as usize
            + usize::from(existing.is_empty()) * 2;
        let joined = start - Duration::days(30);
        for _ in 0..new_advocates {
            let id = next_id!(ids, users);
            let index = advocates.len();
            let record = advocate_settings(&mut rng, id, None);
            for duty in advocase_storage::casework::list(&record.duties) {
                if let Some(duty) = Duty::parse(&duty) {
                    by_duty[duty.index()].push(index);
                }
            }
            advocates.push(Advocate {
                id,
                open: 0,
                capacity: u32::try_from(record.capacity).unwrap_or(1),
                capped: false,
            });
            users.push(UserRecord {
                id,
                organisation_id: staff.provider,
                // The id keeps every address unique, however often the demo is filled.
                email: format!("advocate.{id}@demo.advocase.test"),
                display_name: format!("{} {}", pick(&mut rng, GIVEN), family_name(&mut rng)),
                role: Role::Advocate.as_str().to_string(),
                // No password: these advocates hold caseloads but nobody signs in as them.
                password_hash: None,
                totp_secret: None,
                totp_last_step: None,
                failed_sign_ins: 0,
                two_factor_failures: 0,
                locked_until: None,
                disabled_at: None,
                is_demo: true,
                created_at: joined,
                version: 1,
            });
            settings.push(record);
        }
        // Each demo advocate covers every duty, so every list has someone in it.
        for duty in Duty::ALL {
            for slot in demo {
                if !by_duty[duty.index()].contains(&slot) && !advocates.is_empty() {
                    by_duty[duty.index()].push(slot);
                }
            }
        }
        Self {
            rng,
            people,
            made: 0,
            ids,
            seed,
            now,
            today,
            start,
            calendar: WorkingDayCalendar::shipped(Nation::EnglandAndWales),
            staff: staff.clone(),
            advocates,
            by_duty,
            demo,
            first: Some((users, settings)),
            new_advocates,
            waiting_left: (people / 50).clamp(4, MOST_WAITING),
            tally: Tally::default(),
        }
    }

    /// The next batch, or `None` when every person has been made.
    fn next_batch(&mut self) -> Option<Batch> {
        if self.made >= self.people {
            return None;
        }
        let mut batch = Batch::default();
        if let Some((users, settings)) = self.first.take() {
            batch.users = users;
            batch.advocate_settings = settings;
        }
        let end = (self.made + BATCH_PEOPLE).min(self.people);
        while self.made < end {
            let index = self.made;
            self.person(&mut batch, index);
            self.made += 1;
        }
        Some(batch)
    }

    fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p.clamp(0.0, 1.0))
    }

    /// The made-up people at the end, whose referrals are made to order.
    fn fresh(&self, index: u64) -> Option<(i64, Fresh)> {
        let count = (self.people / 5).min(FRESH.len() as u64);
        let from_end = self.people - index;
        (from_end <= count).then(|| FRESH[(FRESH.len() as u64 - from_end) as usize])
    }

    /// When the `index`th person was referred: referrals grow over the years, as
    /// services do, so recent months hold more of them.
    fn referred_at(&mut self, index: u64) -> NaiveDateTime {
        let u = (index as f64 + self.rng.random::<f64>()) / self.people as f64;
        // The inverse of F(t) = (t + t²) / 2, the share referred by time t of the span.
        let t = (-0.5 + (0.25 + 2.0 * u).sqrt()).clamp(0.0, 1.0);
        let seconds = (t * (HISTORY_DAYS * 86_400) as f64) as i64;
        let at = working_hours(self.start + Duration::seconds(seconds), &mut self.rng);
        at.min(self.now - Duration::minutes(10))
    }

    fn person(&mut self, batch: &mut Batch, index: u64) {
        // Each person draws from their own stream, so the same seed gives the same
        // people even though what happened to each depends on the day it is run.
        self.rng = StdRng::seed_from_u64(
            self.seed
                .wrapping_mul(0x9E37_79B9_7F4A_7C15)
                .rotate_left(17)
                ^ index,
        );
        let fresh = self.fresh(index);
        let duty = match fresh {
            Some((_, Fresh::Introduction(_))) => Duty::Imha,
            Some((_, Fresh::Waiting(duty))) => duty,
            None => self.primary_duty(),
        };
        let received = match fresh {
            Some((days_ago, _)) => {
                let minutes = self.rng.random_range(9 * 60..16 * 60);
                let day = self.today - Duration::days(days_ago);
                (day.and_time(NaiveTime::MIN) + Duration::minutes(minutes))
                    .min(self.now - Duration::minutes(10))
            }
            None => self.referred_at(index),
        };
        let someone = self.someone(duty);
        let mut duties = vec![duty];
        if fresh.is_none()
            && let Some(second) = self.second_duty(duty)
        {
            duties.push(second);
        }
        let person_id = next_id!(self.ids, people);
        batch.people.push(PersonRecord {
            id: person_id,
            provider_id: self.staff.provider,
            given_name: someone.given.to_string(),
            family_name: someone.family.clone(),
            date_of_birth: Some(someone.born),
            postcode: Some(someone.postcode.clone()),
            name_key: name_key(someone.given, &someone.family),
            postcode_key: Some(postcode_key(&someone.postcode)),
            phone: someone.phone.clone(),
            email: someone.email.clone(),
            address: Some(someone.address.clone()),
            local_authority: Some(someone.area.to_string()),
            placed_out_of_area: someone.placed_out_of_area,
            is_prisoner: someone.is_prisoner,
            language: someone.language.map(str::to_string),
            needs_interpreter: someone.needs_interpreter,
            uses_bsl: someone.uses_bsl,
            wants_easy_read: someone.wants_easy_read,
            preferred_contact: someone.preferred_contact.map(str::to_string),
            created_at: self.decided(received),
            version: 1,
            gender_preference: someone.gender_preference.map(str::to_string),
            communication_needs: someone.communication_needs.map(str::to_string),
            restricted: false,
        });
        self.equality(batch, person_id, someone.born, self.decided(received));
        let script = match fresh {
            Some((_, Fresh::Introduction(slot))) => Script::AwaitingIntroduction(self.demo[slot]),
            Some((_, Fresh::Waiting(_))) => Script::Waiting,
            None => Script::Natural,
        };
        self.accepted_referral(batch, &someone, person_id, &duties, received, script);
        // Some people come back later about something else: one person record holds
        // every case (integrated advocacy).
        if fresh.is_none() && self.chance(0.08) {
            let later = received + Duration::days(self.rng.random_range(90..700));
            if later < self.now - Duration::days(1) {
                let duty = self.primary_duty();
                let later = working_hours(later, &mut self.rng).min(self.now);
                self.accepted_referral(batch, &someone, person_id, &[duty], later, Script::Natural);
            }
        }
        // Not everyone referred is eligible: those referrals are declined, and no
        // person record is made for them.
        if fresh.is_none() && self.chance(0.06) {
            let duty = self.primary_duty();
            let other = self.someone(duty);
            self.declined_referral(batch, &other, duty, received);
        }
    }

    fn primary_duty(&mut self) -> Duty {
        let roll = self.rng.random::<f64>();
        if roll < 0.45 {
            Duty::CareAct
        } else if roll < 0.70 {
            Duty::Imha
        } else if roll < 0.88 {
            Duty::Imca
        } else {
            Duty::Nhs
        }
    }

    /// A second duty the same referral qualifies for, when there is one.
    fn second_duty(&mut self, first: Duty) -> Option<Duty> {
        let (p, second) = match first {
            Duty::CareAct => (0.10, Duty::Imca),
            Duty::Imha => (0.12, Duty::CareAct),
            Duty::Imca => (0.12, Duty::CareAct),
            Duty::Nhs => (0.03, Duty::CareAct),
        };
        self.chance(p).then_some(second)
    }

    fn someone(&mut self, duty: Duty) -> Someone {
        let rng = &mut self.rng;
        let given = pick(rng, GIVEN);
        let family = family_name(rng);
        let (youngest, span) = match duty {
            Duty::CareAct => (18.0, 80.0),
            Duty::Imha => (18.0, 60.0),
            Duty::Imca => (50.0, 50.0),
            Duty::Nhs => (20.0, 70.0),
        };
        // Older people are more often referred for Care Act and IMCA advocacy.
        let skew = if matches!(duty, Duty::CareAct | Duty::Imca) {
            0.7
        } else {
            1.0
        };
        let age_days = ((youngest + rng.random::<f64>().powf(skew) * span) * 365.25) as i64;
        let born = self.today - Duration::days(age_days);
        let (area, districts) = *pick(rng, AREAS);
        let district = rng.random_range(districts.0..=districts.1);
        let postcode = format!(
            "NS{district} {}{}{}",
            rng.random_range(1..10),
            *pick(rng, POSTCODE_LETTERS) as char,
            *pick(rng, POSTCODE_LETTERS) as char
        );
        let town = pick(
            rng,
            match area {
                "Eastmere (demo)" => EASTMERE_TOWNS,
                "Westfold (demo)" => WESTFOLD_TOWNS,
                _ => NORTHSHIRE_TOWNS,
            },
        );
        let address = if duty == Duty::Imha && rng.random_bool(0.6) {
            format!("{}, Northshire Mental Health Unit", pick(rng, WARDS))
        } else if duty == Duty::Imca && rng.random_bool(0.5) {
            format!("{}, {town}", pick(rng, CARE_HOMES))
        } else {
            format!(
                "{} {}, {town}",
                rng.random_range(1..120),
                pick(rng, STREETS)
            )
        };
        let language = rng
            .random_bool(0.11)
            .then(|| *pick(rng, LANGUAGES))
            .filter(|l| *l != "British Sign Language");
        let uses_bsl = language.is_none() && rng.random_bool(0.01);
        let instructs = match duty {
            Duty::CareAct => 0.75,
            Duty::Imha => 0.88,
            Duty::Imca => 0.08,
            Duty::Nhs => 0.97,
        };
        Someone {
            given,
            phone: rng
                .random_bool(0.7)
                .then(|| format!("07700 900{:03}", rng.random_range(0..1000))),
            email: rng.random_bool(0.2).then(|| {
                format!(
                    "{}{}@example.com",
                    ascii_lower(given),
                    rng.random_range(10..99)
                )
            }),
            family,
            born,
            postcode,
            address,
            area,
            needs_interpreter: language.is_some() && rng.random_bool(0.7),
            language,
            uses_bsl,
            wants_easy_read: rng.random_bool(0.15),
            preferred_contact: rng
                .random_bool(0.6)
                .then(|| *pick(rng, &advocase_domain::referral::PREFERRED_CONTACT)),
            gender_preference: rng
                .random_bool(0.18)
                .then(|| *pick(rng, &["woman", "woman", "man"])),
            communication_needs: rng
                .random_bool(0.18)
                .then(|| *pick(rng, COMMUNICATION_NEEDS)),
            placed_out_of_area: rng.random_bool(0.03),
            is_prisoner: duty == Duty::CareAct && rng.random_bool(0.02),
            instructs,
        }
    }

    /// Equality answers (DOMAIN.md §10) as monitoring forms come back: a little over
    /// half the people return one, skipping some questions or preferring not to say;
    /// the rest are "not known". Drawn from a generator of the person's own, so adding them leaves every
    /// other made-up fact as it was.
    fn equality(&self, batch: &mut Batch, person_id: i64, born: NaiveDate, at: NaiveDateTime) {
        let mut rng = StdRng::seed_from_u64(
            self.seed ^ (person_id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
        );
        if rng.random_bool(0.4) {
            return;
        }
        let years = at.date().years_since(born).unwrap_or(0);
        let age = match years {
            0..=24 => "under_25",
            25..=44 => "25_to_44",
            45..=64 => "45_to_64",
            _ => "65_and_over",
        };
        for (characteristic, answers) in EQUALITY_ANSWERS {
            if rng.random_bool(0.1) {
                continue;
            }
            let answer = if *characteristic == "age" {
                age
            } else {
                answers
                    .choose_weighted(&mut rng, |(_, weight)| *weight)
                    .map_or(advocase_domain::workforce::PREFER_NOT_TO_SAY, |(a, _)| *a)
            };
            batch.equality.push(NewEqualityAnswer {
                provider_id: self.staff.provider,
                user_id: None,
                person_id: Some(person_id),
                characteristic: characteristic.to_string(),
                answer: answer.to_string(),
                recorded_at: at,
            });
        }
    }

    /// When a referral received at `received` was decided: usually the same or the
    /// next working day.
    fn decided(&self, received: NaiveDateTime) -> NaiveDateTime {
        // Derived from the time itself rather than the generator, so the person record
        // and the referral agree without passing it around.
        let hours = 1 + (received.and_utc().timestamp() % 40);
        (received + Duration::hours(hours)).min(self.now - Duration::minutes(5))
    }

    fn under_the_act(&mut self, received: NaiveDateTime, detained: bool) -> UnderTheAct {
        let roll = self.rng.random::<f64>();
        let (status, section) = if detained || roll < 0.65 {
            (
                "detained",
                *pick(&mut self.rng, &["2", "3", "3", "37", "37/41"]),
            )
        } else if roll < 0.87 {
            ("cto", "17A")
        } else if roll < 0.94 {
            ("guardianship", "7")
        } else {
            ("conditionally_discharged_restricted", "37/41")
        };
        let compulsion = (status == "detained")
            .then(|| received.date() - Duration::days(self.rng.random_range(0..3)));
        UnderTheAct {
            status,
            section,
            compulsion,
        }
    }

    fn referrer(&mut self, duty: Duty) -> Referrer {
        let roll = self.rng.random::<f64>();
        if roll < 0.68 {
            let (organisation, email, role) = *pick(&mut self.rng, referrer_bodies(duty));
            Referrer {
                kind: "professional",
                name: Some(format!(
                    "{} {}",
                    pick(&mut self.rng, GIVEN),
                    family_name(&mut self.rng)
                )),
                organisation: Some(organisation),
                role: Some(role),
                email: Some(email),
                phone: None,
                relationship: None,
            }
        } else if roll < 0.80 {
            Referrer {
                kind: "self",
                name: None,
                organisation: None,
                role: None,
                email: None,
                phone: None,
                relationship: None,
            }
        } else {
            Referrer {
                kind: if roll < 0.95 {
                    "family_or_friend"
                } else {
                    "other"
                },
                name: Some(format!(
                    "{} {}",
                    pick(&mut self.rng, GIVEN),
                    family_name(&mut self.rng)
                )),
                organisation: None,
                role: None,
                email: None,
                phone: Some(format!("07700 900{:03}", self.rng.random_range(0..1000))),
                relationship: Some(*pick(&mut self.rng, RELATIONSHIPS)),
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn referral_record(
        &mut self,
        id: i64,
        someone: &Someone,
        duties: &[Duty],
        act: Option<UnderTheAct>,
        received: NaiveDateTime,
        person_id: Option<i64>,
        declined: bool,
    ) -> ReferralRecord {
        let first = duties[0];
        let referrer = self.referrer(first);
        let staff_entered = referrer.kind == "professional" && self.chance(0.4);
        let care_process = *pick(&mut self.rng, CARE_ACT_PROCESSES);
        let imca_decision = *pick(&mut self.rng, IMCA_DECISIONS);
        let consent = if first == Duty::Imca || self.chance(0.08) {
            "unable"
        } else {
            "given"
        };
        let meeting_date = (first == Duty::CareAct && self.chance(0.3))
            .then(|| received.date() + Duration::days(self.rng.random_range(5..30)));
        let deadline_date = (first == Duty::Imca && self.chance(0.5))
            .then(|| received.date() + Duration::days(self.rng.random_range(7..21)));
        let safeguarding = ((care_process == "safeguarding_enquiry"
            && duties.contains(&Duty::CareAct))
            || (first == Duty::Imca && imca_decision.0 == "safeguarding"))
            .then(|| pick(&mut self.rng, SAFEGUARDING).to_string());
        let happening = pick(&mut self.rng, happening(first)).to_string();
        let decided_at = self.decided(received);
        ReferralRecord {
            id,
            provider_id: self.staff.provider,
            reference: reference(id),
            status_token_hash: status_token_hash(self.seed, id),
            source: if staff_entered { "staff" } else { "public" }.to_string(),
            referrer_kind: referrer.kind.to_string(),
            referrer_name: referrer.name,
            referrer_organisation: referrer.organisation.map(str::to_string),
            referrer_role: referrer.role.map(str::to_string),
            referrer_email: referrer.email.map(str::to_string),
            referrer_phone: referrer.phone,
            referrer_relationship: referrer.relationship.map(str::to_string),
            given_name: someone.given.to_string(),
            family_name: someone.family.clone(),
            date_of_birth: Some(someone.born),
            postcode: Some(someone.postcode.clone()),
            address: Some(someone.address.clone()),
            phone: someone.phone.clone(),
            email: someone.email.clone(),
            local_authority: Some(someone.area.to_string()),
            placed_out_of_area: someone.placed_out_of_area,
            is_prisoner: someone.is_prisoner,
            language: someone.language.map(str::to_string),
            needs_interpreter: someone.needs_interpreter,
            uses_bsl: someone.uses_bsl,
            wants_easy_read: someone.wants_easy_read,
            preferred_contact: someone.preferred_contact.map(str::to_string),
            what_is_happening: happening,
            meeting_date,
            deadline_date,
            compulsion_date: act.and_then(|a| a.compulsion),
            safeguarding_concerns: safeguarding,
            risk_to_visitor: self
                .chance(0.03)
                .then(|| pick(&mut self.rng, RISKS).to_string()),
            consent: consent.to_string(),
            consent_note: (consent == "unable")
                .then(|| pick(&mut self.rng, CONSENT_NOTES).to_string()),
            eligibility_answers: eligibility_answers(duties, care_process, act, imca_decision),
            status: if declined {
                status::DECLINED
            } else {
                status::ACCEPTED
            }
            .to_string(),
            status_reason: declined.then(|| pick(&mut self.rng, DECLINE_REASONS).to_string()),
            person_id,
            received_at: received,
            created_by: staff_entered.then_some(self.staff.intake),
            decided_by: Some(self.staff.intake),
            decided_at: Some(decided_at),
            // Deciding a referral moves its version on once.
            version: 2,
        }
    }

    fn accepted_referral(
        &mut self,
        batch: &mut Batch,
        someone: &Someone,
        person_id: i64,
        duties: &[Duty],
        received: NaiveDateTime,
        script: Script,
    ) {
        let id = next_id!(self.ids, referrals);
        // The made-to-order IMHA referrals are about people detained this week.
        let detained = script != Script::Natural;
        let act = duties
            .contains(&Duty::Imha)
            .then(|| self.under_the_act(received, detained));
        let record =
            self.referral_record(id, someone, duties, act, received, Some(person_id), false);
        let decided_at = record.decided_at.unwrap_or(received);
        batch.referrals.push(record);
        for duty in duties {
            batch.decisions.push(DecisionRecord {
                referral_id: id,
                duty: duty.code().to_string(),
                suggested: "eligible".to_string(),
                decision: "accept".to_string(),
                disagreement_reason: None,
                decided_by: self.staff.intake,
                decided_at,
            });
        }
        for duty in duties {
            let introduction_due = match (duty, act.and_then(|a| a.compulsion)) {
                (Duty::Imha, Some(compulsion)) => {
                    Some(imha_introduction_due(&self.calendar, compulsion))
                }
                _ => None,
            };
            self.case(
                batch,
                person_id,
                id,
                someone,
                CasePlan {
                    duty: *duty,
                    opened_at: decided_at,
                    introduction_due,
                    script,
                    reopens: None,
                },
            );
        }
    }

    fn declined_referral(
        &mut self,
        batch: &mut Batch,
        someone: &Someone,
        duty: Duty,
        received: NaiveDateTime,
    ) {
        let id = next_id!(self.ids, referrals);
        let act = (duty == Duty::Imha).then(|| self.under_the_act(received, false));
        let record = self.referral_record(id, someone, &[duty], act, received, None, true);
        let decided_at = record.decided_at.unwrap_or(received);
        batch.referrals.push(record);
        batch.decisions.push(DecisionRecord {
            referral_id: id,
            duty: duty.code().to_string(),
            suggested: "not_eligible".to_string(),
            decision: "decline".to_string(),
            disagreement_reason: None,
            decided_by: self.staff.intake,
            decided_at,
        });
    }

    /// An advocate for an open case: the less loaded of a few who work under the duty,
    /// so caseloads come out even against each advocate's capacity.
    fn advocate_for_open_case(&mut self, duty: Duty) -> usize {
        let pool = &self.by_duty[duty.index()];
        let advocates = &self.advocates;
        let full = |index: usize| {
            let advocate = &advocates[index];
            advocate.capped && advocate.open >= advocate.capacity
        };
        // The demo advocates come first until they are full, so their caseloads are
        // complete however few people there are.
        let score = |index: usize| {
            let advocate = &advocates[index];
            match (advocate.capped, full(index)) {
                (true, true) => f64::MAX,
                (true, false) => advocate.load() - 1.0,
                _ => advocate.load(),
            }
        };
        let mut best = pool[self.rng.random_range(0..pool.len())];
        for _ in 0..5 {
            let other = pool[self.rng.random_range(0..pool.len())];
            if score(other) < score(best) {
                best = other;
            }
        }
        if full(best)
            && let Some(free) = pool.iter().copied().find(|i| !full(*i))
        {
            best = free;
        }
        self.advocates[best].open += 1;
        best
    }

    /// An advocate who held a case in the past: anyone who works under the duty.
    fn advocate_for_past_case(&mut self, duty: Duty) -> usize {
        let pool = &self.by_duty[duty.index()];
        pool[self.rng.random_range(0..pool.len())]
    }

    /// A time during working hours between `from` and `to` (or `to` itself, when the
    /// span is shorter than a day), never after `to`.
    fn between(&mut self, from: NaiveDateTime, to: NaiveDateTime) -> NaiveDateTime {
        let seconds = (to - from).num_seconds().max(0);
        let at = from + Duration::seconds(self.rng.random_range(0..=seconds));
        working_hours(at, &mut self.rng).clamp(from, to)
    }

    fn case(
        &mut self,
        batch: &mut Batch,
        person_id: i64,
        referral_id: i64,
        someone: &Someone,
        plan: CasePlan,
    ) {
        let id = next_id!(self.ids, cases);
        let duty = plan.duty;
        let age_days = (self.now - plan.opened_at).num_days();
        let waiting = match plan.script {
            Script::Waiting => true,
            Script::AwaitingIntroduction(_) => false,
            Script::Natural => {
                plan.reopens.is_none()
                    && self.waiting_left > 0
                    && ((age_days < 3 && self.chance(0.4)) || (age_days < 10 && self.chance(0.08)))
            }
        };
        let mut case = CaseRecord {
            id,
            provider_id: self.staff.provider,
            person_id,
            referral_id,
            duty: duty.code().to_string(),
            status: case_status::WAITING.to_string(),
            opened_at: plan.opened_at,
            introduction_due: plan.introduction_due,
            version: 1,
            advocate_id: None,
            allocated_at: None,
            closed_at: None,
            closed_by: None,
            closure_reason: None,
            handed_over_to: None,
            self_advocacy: None,
            closure_note: None,
            open_tasks_reason: None,
            reopens_case_id: plan.reopens.map(|(case, _)| case),
        };
        if waiting {
            self.waiting_left = self.waiting_left.saturating_sub(1);
            self.tally.waiting += 1;
            batch.cases.push(case);
            return;
        }
        let latest = self.now - Duration::minutes(5);
        let wait_days = if plan.introduction_due.is_some() || plan.reopens.is_some() {
            0
        } else {
            (self.rng.random::<f64>().powi(2) * 15.0) as i64
        };
        let allocated_at = if matches!(plan.script, Script::AwaitingIntroduction(_)) {
            (plan.opened_at + Duration::minutes(self.rng.random_range(20..120))).min(latest)
        } else {
            working_hours(
                plan.opened_at + Duration::days(wait_days) + Duration::hours(2),
                &mut self.rng,
            )
            .clamp(plan.opened_at, latest)
        };
        let (shortest, longest) = duty.duration();
        let days = shortest + self.rng.random::<f64>().powf(1.6) * (longest - shortest);
        let planned_end = allocated_at + Duration::seconds((days * 86_400.0) as i64);
        let closes = plan.script == Script::Natural
            && planned_end < latest - Duration::days(1)
            && !self.chance(0.04);
        let end = if closes {
            working_hours(planned_end, &mut self.rng).clamp(allocated_at, latest)
        } else {
            latest
        };
        let advocate = match (plan.script, plan.reopens) {
            (Script::AwaitingIntroduction(advocate), _) => {
                self.advocates[advocate].open += 1;
                advocate
            }
            (_, Some((_, advocate))) => {
                if !closes {
                    self.advocates[advocate].open += 1;
                }
                advocate
            }
            _ if closes => self.advocate_for_past_case(duty),
            _ => self.advocate_for_open_case(duty),
        };
        // Now and then a case moves to another advocate part of the way through.
        let handover =
            (plan.script == Script::Natural && plan.reopens.is_none() && self.chance(0.05))
                .then(|| {
                    let earlier = self.advocate_for_past_case(duty);
                    let at = self.between(
                        allocated_at + (end - allocated_at) / 3,
                        allocated_at + (end - allocated_at) * 2 / 3,
                    );
                    (earlier, at)
                })
                .filter(|(earlier, _)| *earlier != advocate);
        let first_advocate = handover.map_or(advocate, |(earlier, _)| earlier);
        let advocate_at = |at: NaiveDateTime| match handover {
            Some((earlier, moved)) if at < moved => earlier,
            _ => advocate,
        };
        let mut allocation = AllocationRecord {
            id: next_id!(self.ids, allocations),
            case_id: id,
            advocate_id: self.advocates[first_advocate].id,
            allocated_by: self.staff.manager,
            allocated_at,
            reason: plan
                .reopens
                .map(|_| "re-opened with the same advocate".to_string()),
            override_reason: self
                .chance(0.04)
                .then(|| pick(&mut self.rng, OVERRIDE_REASONS).to_string()),
            ended_at: None,
        };
        if let Some((_, moved)) = handover {
            allocation.ended_at = Some(moved);
            batch.allocations.push(allocation);
            allocation = AllocationRecord {
                id: next_id!(self.ids, allocations),
                case_id: id,
                advocate_id: self.advocates[advocate].id,
                allocated_by: self.staff.manager,
                allocated_at: moved,
                reason: Some(pick(&mut self.rng, REALLOCATION_REASONS).to_string()),
                override_reason: None,
                ended_at: None,
            };
            case.version += 1;
        }
        allocation.ended_at = closes.then_some(end);
        batch.allocations.push(allocation);
        case.status = case_status::ALLOCATED.to_string();
        case.advocate_id = Some(self.advocates[advocate].id);
        case.allocated_at = Some(handover.map_or(allocated_at, |(_, moved)| moved));
        case.version += 1;

        let contacts = if matches!(plan.script, Script::AwaitingIntroduction(_)) {
            Vec::new()
        } else {
            self.contacts(
                id,
                duty,
                someone,
                allocated_at,
                end,
                closes,
                &plan,
                &advocate_at,
            )
        };
        let first_contact = contacts.first().map_or(allocated_at, |c| c.occurred_at);
        let last_contact = contacts.last().map_or(allocated_at, |c| c.occurred_at);
        let mut open_tasks = 0;
        if !contacts.is_empty() {
            open_tasks += self.issues(batch, id, duty, first_contact, end, closes, &advocate_at);
            open_tasks += self.work(batch, id, duty, first_contact, end, closes, &advocate_at);
            open_tasks += self.challenge(batch, id, duty, first_contact, end, closes, &advocate_at);
        }
        batch.contacts.extend(contacts);

        if closes {
            let closed_at = end.max(last_contact);
            let reason = self.closure_reason(duty);
            case.status = case_status::CLOSED.to_string();
            case.closed_at = Some(closed_at);
            case.closed_by = Some(if self.chance(0.85) {
                self.advocates[advocate].id
            } else {
                self.staff.manager
            });
            case.closure_reason = Some(reason.as_str().to_string());
            case.handed_over_to = match reason {
                ClosureReason::HandedOver => Some(pick(&mut self.rng, HANDED_OVER_TO).to_string()),
                ClosureReason::MovedArea => Some(pick(&mut self.rng, MOVED_TO).to_string()),
                _ => None,
            };
            case.self_advocacy = Some(
                if duty == Duty::Imca {
                    SelfAdvocacy::NotKnown
                } else {
                    *pick(
                        &mut self.rng,
                        &[
                            SelfAdvocacy::More,
                            SelfAdvocacy::More,
                            SelfAdvocacy::Same,
                            SelfAdvocacy::Same,
                            SelfAdvocacy::NotKnown,
                        ],
                    )
                }
                .as_str()
                .to_string(),
            );
            case.closure_note = self
                .chance(0.5)
                .then(|| pick(&mut self.rng, closure_notes(reason)).to_string());
            case.open_tasks_reason = (open_tasks > 0)
                .then(|| pick(&mut self.rng, open_tasks_reasons(reason)).to_string());
            case.version += 1;
            self.tally.closed += 1;
            let may_reopen = plan.reopens.is_none() && self.chance(0.02);
            batch.cases.push(case);
            if may_reopen {
                let reopened = working_hours(
                    closed_at + Duration::days(self.rng.random_range(3..25)),
                    &mut self.rng,
                );
                if reopened < latest - Duration::days(1) {
                    self.case(
                        batch,
                        person_id,
                        referral_id,
                        someone,
                        CasePlan {
                            duty,
                            opened_at: reopened,
                            introduction_due: None,
                            script: Script::Natural,
                            reopens: Some((id, advocate)),
                        },
                    );
                }
            }
        } else {
            self.tally.open += 1;
            batch.cases.push(case);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn contacts(
        &mut self,
        case_id: i64,
        duty: Duty,
        someone: &Someone,
        allocated_at: NaiveDateTime,
        end: NaiveDateTime,
        closes: bool,
        plan: &CasePlan,
        advocate_at: &dyn Fn(NaiveDateTime) -> usize,
    ) -> Vec<ContactRecord> {
        let span = (end - allocated_at).num_seconds().max(0) as f64;
        let days = span / 86_400.0;
        let planned = (days * duty.contact_rate() + self.rng.random::<f64>()) as usize;
        let count = planned.clamp(if closes { 2 } else { 1 }, 30);
        // The first contact comes soon after allocation; for a detained person, within
        // the IMHA introduction deadline almost always.
        let first_by = match plan.introduction_due {
            Some(due) if self.chance(0.9) => {
                (due.and_time(NaiveTime::MIN) + Duration::hours(16)).min(end)
            }
            _ => (allocated_at + Duration::days(4)).min(end),
        };
        let first = self.between(allocated_at, first_by.max(allocated_at));
        let rest = (end - first).num_seconds().max(0) as f64;
        let mut contacts = Vec::with_capacity(count);
        let mut previous = first;
        for k in 0..count {
            let occurred_at = if k == 0 {
                first
            } else {
                let fraction = (k as f64 + self.rng.random::<f64>() - 0.5) / count as f64;
                let at = first + Duration::seconds((rest * fraction.clamp(0.0, 1.0)) as i64);
                working_hours(at, &mut self.rng).clamp(previous, end)
            };
            previous = occurred_at;
            let mode = self.contact_mode(duty, k);
            let minutes = match mode {
                ContactMode::InPerson => self.rng.random_range(30..=120),
                ContactMode::Phone => self.rng.random_range(10..=45),
                ContactMode::Video => self.rng.random_range(20..=60),
                ContactMode::Letter => self.rng.random_range(15..=40),
                ContactMode::Other => self.rng.random_range(10..=60),
            };
            let could_instruct = self.chance(someone.instructs);
            let approach = (!could_instruct).then(|| {
                *pick(
                    &mut self.rng,
                    &[
                        NonInstructedApproach::RightsBased,
                        NonInstructedApproach::RightsBased,
                        NonInstructedApproach::PersonCentred,
                        NonInstructedApproach::PersonCentred,
                        NonInstructedApproach::WatchingBrief,
                        NonInstructedApproach::WitnessObserver,
                    ],
                )
            });
            let discussed = if k == 0 {
                pick(&mut self.rng, FIRST_CONTACT)
            } else if could_instruct {
                pick(&mut self.rng, discussed(duty))
            } else {
                pick(&mut self.rng, NON_INSTRUCTED)
            };
            let present = match mode {
                ContactMode::Letter => None,
                ContactMode::Phone => Some(pick(&mut self.rng, PRESENT_BY_PHONE)),
                _ if could_instruct => Some(pick(&mut self.rng, PRESENT)),
                _ => Some(pick(&mut self.rng, PRESENT_NON_INSTRUCTED)),
            };
            let recorded_at = (occurred_at
                + Duration::minutes(i64::from(minutes))
                + Duration::minutes(self.rng.random_range(5..2_000)))
            .min(self.now)
            .max(occurred_at);
            contacts.push(ContactRecord {
                id: next_id!(self.ids, contacts),
                case_id,
                occurred_at,
                mode: mode.as_str().to_string(),
                duration_minutes: minutes,
                present: present.map(|p| p.to_string()),
                discussed: discussed.to_string(),
                agreed: self
                    .chance(0.75)
                    .then(|| pick(&mut self.rng, AGREED).to_string()),
                could_instruct,
                approach: approach.map(|a| a.as_str().to_string()),
                recorded_by: self.advocates[advocate_at(occurred_at)].id,
                recorded_at,
            });
        }
        contacts
    }

    fn contact_mode(&mut self, duty: Duty, k: usize) -> ContactMode {
        let in_person = match duty {
            Duty::Imha | Duty::Imca => 0.7,
            Duty::CareAct => 0.5,
            Duty::Nhs => 0.3,
        };
        // The first meeting is in person whenever possible.
        if k == 0 && self.chance(0.8) {
            return ContactMode::InPerson;
        }
        let roll = self.rng.random::<f64>();
        let rest = 1.0 - in_person;
        if roll < in_person {
            ContactMode::InPerson
        } else if roll < in_person + rest * 0.6 {
            ContactMode::Phone
        } else if roll < in_person + rest * 0.78 {
            ContactMode::Video
        } else if roll < in_person + rest * 0.92 {
            ContactMode::Letter
        } else {
            ContactMode::Other
        }
    }

    /// The issues the person wants to work on, with outcomes where known; answers how
    /// many are still open.
    #[allow(clippy::too_many_arguments)]
    fn issues(
        &mut self,
        batch: &mut Batch,
        case_id: i64,
        duty: Duty,
        from: NaiveDateTime,
        end: NaiveDateTime,
        closes: bool,
        advocate_at: &dyn Fn(NaiveDateTime) -> usize,
    ) -> usize {
        let count = *pick(&mut self.rng, &[1usize, 1, 1, 2, 2, 3]);
        let words = issues_in_their_words(duty);
        let mut open = 0;
        for chosen in words.choose_multiple(&mut self.rng, count) {
            let created_at = (from + Duration::minutes(self.rng.random_range(30..600))).min(end);
            let settled = if closes {
                self.chance(0.93)
            } else {
                (self.now - created_at).num_days() > 45 && self.chance(0.35)
            };
            let outcome = settled.then(|| {
                *pick(
                    &mut self.rng,
                    &[
                        OutcomeLevel::Achieved,
                        OutcomeLevel::Achieved,
                        OutcomeLevel::Achieved,
                        OutcomeLevel::Partly,
                        OutcomeLevel::Partly,
                        OutcomeLevel::NotAchieved,
                    ],
                )
            });
            if outcome.is_none() {
                open += 1;
            }
            let recorded = outcome.map(|_| {
                if closes {
                    self.between(created_at.max(end - Duration::days(5)), end)
                } else {
                    self.between(created_at, self.now - Duration::minutes(5))
                }
            });
            batch.issues.push(IssueRecord {
                id: next_id!(self.ids, case_issues),
                case_id,
                in_their_words: chosen.0.to_string(),
                process: chosen.1.as_str().to_string(),
                outcome: outcome.map(|o| o.as_str().to_string()),
                outcome_in_their_words: outcome
                    .filter(|_| duty != Duty::Imca)
                    .map(|o| pick(&mut self.rng, outcome_words(o)).to_string()),
                outcome_recorded_at: recorded,
                created_by: self.advocates[advocate_at(created_at)].id,
                created_at,
                version: if outcome.is_some() { 2 } else { 1 },
            });
        }
        open
    }

    /// Meetings, letters and reports; answers how many are still open.
    #[allow(clippy::too_many_arguments)]
    fn work(
        &mut self,
        batch: &mut Batch,
        case_id: i64,
        duty: Duty,
        from: NaiveDateTime,
        end: NaiveDateTime,
        closes: bool,
        advocate_at: &dyn Fn(NaiveDateTime) -> usize,
    ) -> usize {
        let mut kinds = Vec::new();
        if self.chance(0.4) {
            kinds.push(WorkKind::Meeting);
        }
        if self.chance(0.22) {
            kinds.push(WorkKind::Letter);
        }
        if self.chance(0.1) {
            kinds.push(WorkKind::Report);
        }
        if duty == Duty::CareAct && self.chance(0.05) {
            kinds.push(WorkKind::ConcernsReport);
        }
        if duty == Duty::Imca && self.chance(0.85) {
            kinds.push(WorkKind::ImcaReport);
        }
        let today = self.today;
        let last_day = end.date();
        let mut open = 0;
        for kind in kinds {
            let created_at = self.between(from, from + (end - from) / 2);
            let lead = match kind {
                WorkKind::Meeting => self.rng.random_range(3..28),
                WorkKind::Letter => self.rng.random_range(1..7),
                WorkKind::Report | WorkKind::ImcaReport => self.rng.random_range(10..28),
                WorkKind::ConcernsReport => self.rng.random_range(3..14),
            };
            let due_on = created_at.date() + Duration::days(lead);
            let finished_by = if closes { last_day } else { today };
            let done_on = (due_on <= finished_by && self.chance(0.93))
                .then(|| due_on - Duration::days(self.rng.random_range(0..3)))
                .map(|d| d.max(created_at.date()));
            let (response_due, response_received_on, response) = match (kind, done_on) {
                (WorkKind::ConcernsReport, Some(sent)) => {
                    let due = sent + Duration::days(28);
                    let received = (due <= finished_by && self.chance(0.8))
                        .then(|| due - Duration::days(self.rng.random_range(0..14)));
                    (
                        Some(due),
                        received,
                        received.map(|_| pick(&mut self.rng, CONCERNS_RESPONSES).to_string()),
                    )
                }
                _ => (None, None, None),
            };
            if done_on.is_none() || (response_due.is_some() && response_received_on.is_none()) {
                open += 1;
            }
            batch.work.push(WorkRecord {
                id: next_id!(self.ids, case_work),
                case_id,
                kind: kind.as_str().to_string(),
                description: pick(&mut self.rng, work_descriptions(kind, duty)).to_string(),
                due_on: (kind != WorkKind::Letter || self.chance(0.3)).then_some(due_on),
                done_on,
                response_due,
                response_received_on,
                response,
                minutes: done_on.map(|_| self.rng.random_range(20..=180)),
                created_by: self.advocates[advocate_at(created_at)].id,
                created_at,
                version: 1
                    + i64::from(done_on.is_some())
                    + i64::from(response_received_on.is_some()),
            });
        }
        open
    }

    /// Sometimes a decision is challenged, stepping up until it is settled; answers 1
    /// when the challenge is still open.
    #[allow(clippy::too_many_arguments)]
    fn challenge(
        &mut self,
        batch: &mut Batch,
        case_id: i64,
        duty: Duty,
        from: NaiveDateTime,
        end: NaiveDateTime,
        closes: bool,
        advocate_at: &dyn Fn(NaiveDateTime) -> usize,
    ) -> usize {
        if duty == Duty::Imca || !self.chance(0.06) {
            return 0;
        }
        let (decision, decision_maker) = *pick(&mut self.rng, challenged_decisions(duty));
        let raised_at = self.between(from, from + (end - from) / 2);
        let raised_on = raised_at.date();
        let last_day = end.date();
        let mut steps = vec![(ChallengeStep::Informal, raised_on)];
        for (step, p, gap) in [
            (ChallengeStep::InWriting, 0.55, 7..15),
            (ChallengeStep::SeniorManager, 0.35, 14..30),
            (ChallengeStep::CourtOrReview, 0.08, 30..90),
        ] {
            let Some(&(_, previous)) = steps.last() else {
                break;
            };
            let on = previous + Duration::days(self.rng.random_range(gap));
            if on > last_day || !self.chance(p) {
                break;
            }
            steps.push((step, on));
        }
        let Some(&(_, last_step)) = steps.last() else {
            return 0;
        };
        let concluded_on = (last_step + Duration::days(self.rng.random_range(3..21)))
            .min(last_day)
            .max(last_step);
        let concluded = if closes {
            self.chance(0.95)
        } else {
            concluded_on < self.today - Duration::days(7) && self.chance(0.6)
        };
        let challenge_id = next_id!(self.ids, challenges);
        let by = self.advocates[advocate_at(raised_at)].id;
        let step_count = steps.len();
        for (n, (step, taken_on)) in steps.into_iter().enumerate() {
            let last = n + 1 == step_count;
            batch.challenge_steps.push(ChallengeStepRecord {
                id: next_id!(self.ids, challenge_steps),
                challenge_id,
                step: step.as_str().to_string(),
                taken_on,
                outcome: (!last || concluded)
                    .then(|| pick(&mut self.rng, STEP_OUTCOMES).to_string()),
                recorded_by: by,
                recorded_at: (taken_on.and_time(NaiveTime::MIN) + Duration::hours(17))
                    .min(self.now),
            });
        }
        batch.challenges.push(ChallengeRecord {
            id: challenge_id,
            case_id,
            decision: decision.to_string(),
            decision_maker: decision_maker.to_string(),
            raised_on,
            reply_due: (!concluded).then(|| last_step + Duration::days(10)),
            concluded_on: concluded.then_some(concluded_on),
            result: concluded.then(|| pick(&mut self.rng, CHALLENGE_RESULTS).to_string()),
            created_by: by,
            created_at: raised_at,
            version: step_count as i64,
        });
        usize::from(!concluded)
    }

    fn closure_reason(&mut self, duty: Duty) -> ClosureReason {
        let roll = self.rng.random::<f64>();
        let ends_with_duty = matches!(duty, Duty::Imha | Duty::Imca);
        if roll < 0.55 {
            ClosureReason::Completed
        } else if roll < 0.66 {
            if ends_with_duty {
                ClosureReason::DutyEnded
            } else {
                ClosureReason::HandedOver
            }
        } else if roll < 0.74 {
            ClosureReason::HandedOver
        } else if roll < 0.80 {
            ClosureReason::MovedArea
        } else if roll < 0.91 {
            ClosureReason::Withdrew
        } else if roll < 0.96 {
            ClosureReason::Died
        } else {
            ClosureReason::DutyEnded
        }
    }
}

/// A referrer as the form records them.
struct Referrer {
    kind: &'static str,
    name: Option<String>,
    organisation: Option<&'static str>,
    role: Option<&'static str>,
    email: Option<&'static str>,
    phone: Option<String>,
    relationship: Option<&'static str>,
}

/// Settings for an advocate: the demo advocates work under every duty everywhere, the
/// others under one main duty and some more, in Northshire and sometimes a neighbour.
fn advocate_settings(
    rng: &mut StdRng,
    user_id: i64,
    demo_slot: Option<usize>,
) -> AdvocateSettingsRecord {
    let all_areas = AREA_NAMES.join(",");
    if let Some(slot) = demo_slot {
        return AdvocateSettingsRecord {
            user_id,
            duties: Duty::ALL.map(Duty::code).join(","),
            areas: all_areas,
            languages: if slot == 0 {
                "Yoruba"
            } else {
                "Swedish,Polish"
            }
            .to_string(),
            gender: Some(
                if slot == 0 {
                    Gender::Man
                } else {
                    Gender::Woman
                }
                .as_str()
                .to_string(),
            ),
            capacity: DEMO_ADVOCATE_CAPACITY[slot],
            version: 1,
        };
    }
    // Main duties in proportion to the open casework each duty brings.
    let main = *pick(
        rng,
        &[
            Duty::CareAct,
            Duty::CareAct,
            Duty::CareAct,
            Duty::CareAct,
            Duty::CareAct,
            Duty::Imha,
            Duty::Imha,
            Duty::Imha,
            Duty::Imca,
            Duty::Nhs,
        ],
    );
    let duties: Vec<&str> = Duty::ALL
        .into_iter()
        .filter(|d| *d == main || rng.random_bool(0.3))
        .map(Duty::code)
        .collect();
    let mut areas = vec![AREA_NAMES[0]];
    for area in &AREA_NAMES[1..] {
        if rng.random_bool(0.3) {
            areas.push(area);
        }
    }
    let languages = if rng.random_bool(0.2) {
        pick(rng, LANGUAGES).to_string()
    } else {
        String::new()
    };
    AdvocateSettingsRecord {
        user_id,
        duties: duties.join(","),
        areas: areas.join(","),
        languages,
        gender: Some(
            pick(
                rng,
                &[
                    Gender::Woman,
                    Gender::Woman,
                    Gender::Woman,
                    Gender::Man,
                    Gender::Man,
                    Gender::NonBinary,
                ],
            )
            .as_str()
            .to_string(),
        ),
        capacity: rng.random_range(35..=45),
        version: 1,
    }
}

/// The eligibility answers of a referral, as the eligibility contract's request JSON,
/// answering what makes each of its duties apply.
fn eligibility_answers(
    duties: &[Duty],
    care_process: &str,
    act: Option<UnderTheAct>,
    imca: (&str, &str, &str, &str),
) -> String {
    let mut sections = Vec::new();
    for duty in duties {
        match duty {
            Duty::CareAct => sections.push(format!(
                r#""care_act":{{"appears_to_have_needs":true,"process":"{care_process}","substantial_difficulty":{{"understanding":true,"retaining":false,"using_or_weighing":true,"communicating":false}},"appropriate_individuals":[]}}"#
            )),
            Duty::Imha => {
                let act = act.unwrap_or(UnderTheAct {
                    status: "cto",
                    section: "17A",
                    compulsion: None,
                });
                sections.push(format!(
                    r#""mental_health_act":{{"status":"{}","section":"{}"}}"#,
                    act.status, act.section
                ));
            }
            Duty::Imca => {
                let (decision, arranged_by, setting, weeks) = imca;
                sections.push(format!(
                    r#""mental_capacity_act":{{"lacks_capacity_for_decision":true,"decision":"{decision}","arranged_by":"{arranged_by}","setting":{setting},"duration_weeks":{weeks},"anyone_appropriate_to_consult":false,"urgent":false}}"#
                ));
            }
            Duty::Nhs => sections.push(
                r#""nhs_complaint":{"wants_to_complain_about_nhs_funded_service":true}"#.to_string(),
            ),
        }
    }
    format!("{{{}}}", sections.join(","))
}

/// A referral reference of the usual shape (R-XXXX-XXXX), made from the referral's id
/// so that every one is different: multiplying by an odd number is a one-to-one
/// shuffle of the 40-bit numbers the eight characters spell.
fn reference(id: i64) -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let mut x = (id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) & ((1 << 40) - 1);
    let mut chars = [0u8; 8];
    for c in chars.iter_mut().rev() {
        *c = ALPHABET[(x & 31) as usize];
        x >>= 5;
    }
    let text = String::from_utf8_lossy(&chars);
    format!("R-{}-{}", &text[..4], &text[4..])
}

/// The stored hash of a status link nobody was given: unique, and like a real one.
fn status_token_hash(seed: u64, id: i64) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(format!("demo-status-{seed}-{id}")))
}

fn postcode_key(postcode: &str) -> String {
    postcode
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase()
}

fn ascii_lower(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Moves a time into working hours on a working day, nearby: weekend days go back to
/// the Friday, and times outside 9:00–17:00 to a time inside.
fn working_hours(at: NaiveDateTime, rng: &mut StdRng) -> NaiveDateTime {
    let back = match at.weekday() {
        Weekday::Sat => 1,
        Weekday::Sun => 2,
        _ => 0,
    };
    let day = at.date() - Duration::days(back);
    let minute = at.hour() * 60 + at.minute();
    let minute = if (9 * 60..17 * 60).contains(&minute) && back == 0 {
        minute
    } else {
        rng.random_range(9 * 60..17 * 60)
    };
    day.and_time(NaiveTime::MIN) + Duration::minutes(i64::from(minute))
}

fn pick<'a, T>(rng: &mut StdRng, list: &'a [T]) -> &'a T {
    list.choose(rng)
        .expect("the demo's word lists are not empty")
}

fn family_name(rng: &mut StdRng) -> String {
    if rng.random_bool(0.04) {
        format!("{}-{}", pick(rng, FAMILY), pick(rng, FAMILY))
    } else {
        pick(rng, FAMILY).to_string()
    }
}

// ---------------------------------------------------------------------------------------
// Words
// ---------------------------------------------------------------------------------------

/// Given names from many backgrounds; combined at random with the family names below.
const GIVEN: &[&str] = &[
    "Aaliyah",
    "Abdul",
    "Ada",
    "Adebayo",
    "Agnieszka",
    "Aisha",
    "Alana",
    "Alfie",
    "Amara",
    "Amir",
    "Aneurin",
    "Anika",
    "Arjun",
    "Astrid",
    "Aurelio",
    "Ayesha",
    "Bartek",
    "Beatrix",
    "Bilal",
    "Bronwen",
    "Callum",
    "Carys",
    "Catalina",
    "Chidi",
    "Chloe",
    "Connor",
    "Dafydd",
    "Dalia",
    "Darius",
    "Deepa",
    "Delroy",
    "Desmond",
    "Dorota",
    "Ebony",
    "Eilidh",
    "Elif",
    "Emeka",
    "Esi",
    "Esther",
    "Ewa",
    "Farah",
    "Fatima",
    "Femi",
    "Fergus",
    "Fiona",
    "Florin",
    "Gareth",
    "Gloria",
    "Gulshan",
    "Hamza",
    "Hannah",
    "Harjit",
    "Hiroshi",
    "Ibrahim",
    "Ifeoma",
    "Imran",
    "Ines",
    "Isla",
    "Ivan",
    "Jamal",
    "Jasmine",
    "Jaspreet",
    "Joanna",
    "Jonah",
    "Kamala",
    "Kareem",
    "Kasia",
    "Kwame",
    "Layla",
    "Leon",
    "Lina",
    "Lowri",
    "Lucia",
    "Mairead",
    "Malik",
    "Marek",
    "Marisol",
    "Mateo",
    "Mehmet",
    "Mei",
    "Milan",
    "Mohammed",
    "Nadia",
    "Naveen",
    "Niamh",
    "Nikos",
    "Noor",
    "Olumide",
    "Omar",
    "Orla",
    "Oscar",
    "Parveen",
    "Pavel",
    "Precious",
    "Rafael",
    "Rahel",
    "Ravi",
    "Rhiannon",
    "Rosa",
    "Rukhsana",
    "Ruth",
    "Saanvi",
    "Samira",
    "Seamus",
    "Shanice",
    "Siobhan",
    "Somchai",
    "Stanislav",
    "Sunita",
    "Tariq",
    "Tendai",
    "Thandiwe",
    "Tomasz",
    "Uzma",
    "Valentina",
    "Wiktor",
    "Winston",
    "Xin",
    "Yasmin",
    "Yusuf",
    "Zainab",
    "Zofia",
    "Brian",
    "Margaret",
    "Doreen",
    "Kenneth",
    "Patricia",
    "Graham",
    "Eileen",
    "Trevor",
    "Sandra",
    "Derek",
    "Jean",
    "Colin",
];

const FAMILY: &[&str] = &[
    "Abara",
    "Achterberg",
    "Adjei",
    "Ahmadi",
    "Albescu",
    "Alvarado",
    "Ashworth",
    "Asante",
    "Bajwa",
    "Balogun",
    "Baranowski",
    "Beaumont",
    "Begum",
    "Bhatt",
    "Blackwood",
    "Bonsu",
    "Brennan",
    "Calloway",
    "Castellanos",
    "Chaudhry",
    "Chen",
    "Chowdhury",
    "Costa",
    "Dahl",
    "Delacroix",
    "Dimitrov",
    "Dlamini",
    "Donnelly",
    "Ekwueme",
    "Farouk",
    "Fennimore",
    "Ferreira",
    "Fitzgerald",
    "Fonseca",
    "Garside",
    "Gashi",
    "Ghosh",
    "Greenhalgh",
    "Gunawardena",
    "Haddad",
    "Hallworth",
    "Hussain",
    "Idowu",
    "Iqbal",
    "Jablonski",
    "Jovanovic",
    "Kaczmarek",
    "Kapoor",
    "Kaur",
    "Keane",
    "Khalil",
    "Kowalczyk",
    "Lachance",
    "Lindgren",
    "Llewellyn",
    "Lungu",
    "Mahmood",
    "Makinde",
    "Marchetti",
    "Moyo",
    "McAllister",
    "Mensah",
    "Mirza",
    "Molina",
    "Nakamura",
    "Nasser",
    "Ndlovu",
    "Novak",
    "Nwosu",
    "Obi",
    "Oduya",
    "O'Halloran",
    "Osei",
    "Owusu",
    "Pacheco",
    "Papadopoulos",
    "Pereira",
    "Petrov",
    "Quigley",
    "Rahman",
    "Rasmussen",
    "Rowntree",
    "Sandoval",
    "Sato",
    "Sekibo",
    "Siddiqui",
    "Sokolova",
    "Stanescu",
    "Sutcliffe",
    "Szabo",
    "Tanaka",
    "Trevelyan",
    "Tshabalala",
    "Usman",
    "Vance",
    "Varga",
    "Volkov",
    "Wainwright",
    "Walcott",
    "Wiśniewski",
    "Yilmaz",
    "Zielinski",
    "Hargreaves",
    "Pickering",
    "Openshaw",
    "Thwaite",
    "Ackroyd",
    "Bramley",
    "Cartwright",
    "Dunmore",
    "Eastwood",
    "Fairbairn",
];

/// How often each equality answer is given, in parts per thousand, roughly as among
/// people who use advocacy in England: more disabled and older people than the whole
/// population. Age is worked out from the date of birth instead.
const EQUALITY_ANSWERS: &[(&str, &[(&str, u32)])] = &[
    (
        "sex",
        &[("female", 520), ("male", 460), ("prefer_not_to_say", 20)],
    ),
    (
        "ethnicity",
        &[
            ("white", 800),
            ("asian", 90),
            ("black", 50),
            ("mixed", 30),
            ("other_ethnicity", 20),
            ("prefer_not_to_say", 10),
        ],
    ),
    (
        "disability",
        &[
            ("disabled", 700),
            ("not_disabled", 250),
            ("prefer_not_to_say", 50),
        ],
    ),
    ("age", &[]),
    (
        "religion",
        &[
            ("christian", 430),
            ("no_religion", 380),
            ("muslim", 60),
            ("hindu", 20),
            ("sikh", 10),
            ("jewish", 5),
            ("buddhist", 5),
            ("other_religion", 10),
            ("prefer_not_to_say", 80),
        ],
    ),
    (
        "sexual_orientation",
        &[
            ("heterosexual", 850),
            ("gay_or_lesbian", 25),
            ("bisexual", 20),
            ("other_orientation", 5),
            ("prefer_not_to_say", 100),
        ],
    ),
    (
        "gender_reassignment",
        &[("not_trans", 960), ("trans", 10), ("prefer_not_to_say", 30)],
    ),
    (
        "marriage",
        &[
            ("not_married", 640),
            ("married_or_civil_partner", 330),
            ("prefer_not_to_say", 30),
        ],
    ),
    (
        "pregnancy",
        &[
            ("not_pregnant", 970),
            ("pregnant_or_new_parent", 15),
            ("prefer_not_to_say", 15),
        ],
    ),
];

/// The local authority areas, the demo's own first.
const AREA_NAMES: [&str; 3] = ["Northshire (demo)", "Eastmere (demo)", "Westfold (demo)"];

/// Local authority areas and the `NS` postcode districts each covers, as often as
/// people live there.
const AREAS: &[(&str, (u32, u32))] = &[
    ("Northshire (demo)", (1, 12)),
    ("Northshire (demo)", (1, 12)),
    ("Northshire (demo)", (1, 12)),
    ("Northshire (demo)", (1, 12)),
    ("Northshire (demo)", (1, 12)),
    ("Northshire (demo)", (1, 12)),
    ("Eastmere (demo)", (14, 16)),
    ("Westfold (demo)", (17, 19)),
];

const POSTCODE_LETTERS: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";

const NORTHSHIRE_TOWNS: &[&str] = &[
    "Northtown",
    "Kettlewick",
    "Marram Bay",
    "Holloway Cross",
    "Sallowby",
    "Upper Brackton",
];
const EASTMERE_TOWNS: &[&str] = &["Eastmere", "Fenby Staithe", "Reedham Marsh"];
const WESTFOLD_TOWNS: &[&str] = &["Westfold", "Carrow Vale", "Hensley Green"];

const STREETS: &[&str] = &[
    "Mill Lane",
    "Church Street",
    "Beech Road",
    "Riverside Walk",
    "Station Road",
    "Orchard Close",
    "Heron Way",
    "Kiln Court",
    "Market Street",
    "Foundry Row",
    "Linden Avenue",
    "Quarry Hill",
    "Tanners Yard",
    "Willow Crescent",
];

const WARDS: &[&str] = &[
    "Beech Ward",
    "Rowan Ward",
    "Alder Ward",
    "Hawthorn Ward",
    "Willow Ward (psychiatric intensive care)",
];

const CARE_HOMES: &[&str] = &[
    "Ashdown Care Home",
    "The Larches Nursing Home",
    "Meadowbank House",
    "Seaview Residential Home",
];

const LANGUAGES: &[&str] = &[
    "Polish",
    "Urdu",
    "Bengali",
    "Punjabi",
    "Arabic",
    "Romanian",
    "Somali",
    "Portuguese",
    "Tigrinya",
    "Cantonese",
    "British Sign Language",
];

const COMMUNICATION_NEEDS: &[&str] = &[
    "Uses Makaton signs alongside speech.",
    "Needs extra time to answer; do not rush.",
    "Understands best with pictures and short sentences.",
    "Wears hearing aids: face them and speak clearly.",
    "Tires quickly: keep visits under half an hour.",
    "Reads well but finds talking on the phone hard.",
    "Uses a communication book; ask to see it.",
];

const RELATIONSHIPS: &[&str] = &[
    "Daughter",
    "Son",
    "Sister",
    "Brother",
    "Friend",
    "Neighbour",
    "Niece",
    "Husband",
    "Wife",
    "Partner",
];

/// Who refers for each duty: organisation, its referrals address, and the referrer's role.
fn referrer_bodies(duty: Duty) -> &'static [(&'static str, &'static str, &'static str)] {
    match duty {
        Duty::CareAct => &[
            (
                "Northshire Adult Social Care (demo)",
                "adult.care@northshire.demo.advocase.test",
                "Social worker",
            ),
            (
                "Northshire General Hospital discharge team (demo)",
                "discharge@nhs.demo.advocase.test",
                "Discharge coordinator",
            ),
            (
                "Eastmere Adult Social Care (demo)",
                "adults@eastmere.demo.advocase.test",
                "Occupational therapist",
            ),
        ],
        Duty::Imha => &[
            (
                "Northshire Mental Health Unit (demo)",
                "wards@nmhu.demo.advocase.test",
                "Ward nurse",
            ),
            (
                "Northshire Community Mental Health Team (demo)",
                "cmht@nmhu.demo.advocase.test",
                "Care coordinator",
            ),
        ],
        Duty::Imca => &[
            (
                "Northshire General Hospital (demo)",
                "safeguarding@nhs.demo.advocase.test",
                "Consultant",
            ),
            (
                "Northshire DoLS team (demo)",
                "dols@northshire.demo.advocase.test",
                "Best interests assessor",
            ),
            (
                "Ashdown Care Home (demo)",
                "manager@ashdown.demo.advocase.test",
                "Care home manager",
            ),
        ],
        Duty::Nhs => &[
            (
                "Riverside Surgery (demo)",
                "practice@riverside.demo.advocase.test",
                "Practice manager",
            ),
            (
                "Patient Advice and Liaison Service (demo)",
                "pals@nhs.demo.advocase.test",
                "PALS officer",
            ),
        ],
    }
}

fn happening(duty: Duty) -> &'static [&'static str] {
    match duty {
        Duty::CareAct => &[
            "Needs assessment coming up; finds it hard to follow what is said.",
            "Support plan review due; no family nearby to help.",
            "Safeguarding enquiry about money going missing from their account.",
            "Hospital discharge planning; a move to a care home is being talked about.",
            "Carer's assessment; struggles to say what they need.",
            "Wants more say in who supports them at home.",
        ],
        Duty::Imha => &[
            "Detained on the ward and wants to know their rights.",
            "On a community treatment order and unhappy with their medication.",
            "Wants to appeal to the tribunal against their section.",
            "Under guardianship and unhappy about where they have to live.",
            "Wants help to ask for leave to visit family.",
        ],
        Duty::Imca => &[
            "Serious medical treatment decision; no family or friends to consult.",
            "A move to a care home is being considered; lacks capacity to decide.",
            "Deprivation of Liberty Safeguards authorisation being renewed.",
            "Safeguarding concerns at the care home; lacks capacity to take part.",
            "Review of a long-term care home placement.",
        ],
        Duty::Nhs => &[
            "Wants to complain about how the hospital discharged them.",
            "Complaint about a GP practice refusing home visits.",
            "Complaint about care given to a parent who has since died.",
            "Wants to complain about waiting two years for an operation.",
        ],
    }
}

const CARE_ACT_PROCESSES: &[&str] = &[
    "needs_assessment",
    "needs_assessment",
    "care_and_support_plan",
    "care_and_support_plan_review",
    "support_plan_review",
    "carers_assessment",
    "safeguarding_enquiry",
];

/// IMCA referral answers: decision, who arranges it, setting (as JSON) and weeks.
const IMCA_DECISIONS: &[(&str, &str, &str, &str)] = &[
    ("serious_medical_treatment", "nhs", "null", "null"),
    ("accommodation", "local_authority", r#""care_home""#, "12"),
    ("accommodation", "nhs", r#""hospital""#, "6"),
    ("dols", "local_authority", "null", "null"),
    ("safeguarding", "local_authority", "null", "null"),
];

const SAFEGUARDING: &[&str] = &[
    "Money missing from their bank account.",
    "Bruising noticed by day centre staff.",
    "A neighbour has been taking their shopping money.",
    "Not being given medication on time at the care home.",
];

const RISKS: &[&str] = &[
    "A large dog at the property: ask for it to be shut away.",
    "Can become verbally aggressive when unwell: visit in pairs at first.",
    "Lives up three flights of stairs with no lift.",
];

const CONSENT_NOTES: &[&str] = &[
    "Lacks capacity to agree to the referral; referred in their best interests.",
    "Too unwell to discuss the referral today; the ward will explain it again.",
];

const DECLINE_REASONS: &[&str] = &[
    "Not eligible: a family member is able to support them as an appropriate individual.",
    "Not eligible: not subject to the Mental Health Act.",
    "Outside our area: referred on to the local advocacy service.",
    "The person did not want an advocate.",
];

const OVERRIDE_REASONS: &[&str] = &[
    "The person asked for an advocate they had met before.",
    "The first suggestion is about to go on leave.",
    "Speaks the person's first language.",
];

const REALLOCATION_REASONS: &[&str] = &[
    "The advocate left the service.",
    "The advocate is on long-term leave.",
    "The person asked for a different advocate.",
    "Caseloads rebalanced across the team.",
];

const FIRST_CONTACT: &[&str] = &[
    "Introduced the advocacy service and explained what an advocate does and does not do.",
    "First visit: explained independence, confidentiality and how to contact us.",
    "Introduced myself and talked through what is happening and what they want.",
];

fn discussed(duty: Duty) -> &'static [&'static str] {
    match duty {
        Duty::CareAct => &[
            "Went through the needs assessment questions together.",
            "Talked about what a good day looks like and what gets in the way.",
            "Prepared for the support plan meeting and wrote down what to say.",
            "Explained the Care Act and their right to be involved.",
            "Talked about the safeguarding enquiry and what happens next.",
            "Read the draft support plan line by line.",
            "Talked about managing money and who could help.",
            "Discussed the review and what has changed since last year.",
        ],
        Duty::Imha => &[
            "Explained their section, their rights and how to appeal.",
            "Talked about the tribunal and helped them ask for a solicitor.",
            "Prepared questions for the ward round.",
            "Talked about leave and what the team has said.",
            "Discussed worries about medication side effects.",
            "Went through the care plan with the named nurse.",
            "Explained the hospital managers' hearing.",
        ],
        Duty::Imca => &[
            "Spoke with the nurse in charge about the options being considered.",
            "Read the care records and the capacity assessment.",
            "Spoke with the social worker about the decision and its timing.",
            "Talked with the care home manager about their routines.",
        ],
        Duty::Nhs => &[
            "Went through the complaints process and the time limits.",
            "Drafted the complaint letter together.",
            "Prepared for the local resolution meeting.",
            "Read the trust's response together and talked about next steps.",
            "Talked about taking the complaint to the Ombudsman.",
        ],
    }
}

const NON_INSTRUCTED: &[&str] = &[
    "Spent time together in the lounge; they smiled when music was played.",
    "Observed how they responded to staff at lunchtime.",
    "Checked that their rights were being respected on the ward.",
    "Spoke with staff who know them best about their likes and dislikes.",
    "Sat in on the best interests meeting to make sure their views were considered.",
];

const PRESENT: &[&str] = &[
    "The person",
    "The person",
    "The person and their social worker",
    "The person and their daughter",
    "The person and ward staff",
    "The person, the care home manager and a nurse",
    "The person and an interpreter",
    "The person and their son",
];

const PRESENT_BY_PHONE: &[&str] = &["The person", "The person and their support worker"];

const PRESENT_NON_INSTRUCTED: &[&str] = &[
    "The person and care staff",
    "The person and the nurse in charge",
    "The person, their key worker and the social worker",
];

const AGREED: &[&str] = &[
    "I will write to the social worker with their views.",
    "Meet again before the review.",
    "They will think about what they want to say at the meeting.",
    "I will ask for a copy of the minutes.",
    "I will chase the ward manager for a reply.",
    "Nothing more for now; they will call if anything changes.",
    "I will come to the meeting with them.",
];

/// Issues people want to work on, in their words, with the process each belongs to.
fn issues_in_their_words(duty: Duty) -> &'static [(&'static str, Process)] {
    match duty {
        Duty::CareAct => &[
            ("I want to stay living in my own home.", Process::Assessment),
            (
                "I want to choose who helps me with washing and dressing.",
                Process::Planning,
            ),
            ("I don't want to go into a care home.", Process::Assessment),
            (
                "I want my support plan to include getting out to the shops.",
                Process::Planning,
            ),
            (
                "I want them to listen to me, not just my son.",
                Process::Review,
            ),
            (
                "I want to get back to the day centre on Tuesdays.",
                Process::CareReview,
            ),
            ("I want my money to be safe.", Process::SafeguardingEnquiry),
            ("I want to move closer to my sister.", Process::Planning),
        ],
        Duty::Imha => &[
            ("I want to know when I can leave the ward.", Process::Other),
            ("I want to appeal to the tribunal.", Process::Tribunal),
            (
                "I want my medication changed, it makes me feel slow.",
                Process::Review,
            ),
            ("I want leave to see my children.", Process::Review),
            (
                "I want staff to stop searching my room.",
                Process::Complaint,
            ),
            ("I want to move to a ward nearer home.", Process::Other),
        ],
        Duty::Imca => &[
            (
                "Has often said they want to stay in their own home.",
                Process::Assessment,
            ),
            (
                "Seems happiest with the staff who know them well.",
                Process::CareReview,
            ),
            (
                "Their friends say they always hated hospitals.",
                Process::Other,
            ),
            (
                "Becomes upset when moved between rooms.",
                Process::SafeguardingEnquiry,
            ),
        ],
        Duty::Nhs => &[
            (
                "I want an apology for how I was discharged.",
                Process::Complaint,
            ),
            (
                "I want to know why my operation was cancelled three times.",
                Process::Complaint,
            ),
            (
                "I want the hospital to change how it treats people with dementia.",
                Process::Complaint,
            ),
            (
                "I want my GP practice to listen when I say I'm in pain.",
                Process::Complaint,
            ),
        ],
    }
}

fn outcome_words(outcome: OutcomeLevel) -> &'static [&'static str] {
    match outcome {
        OutcomeLevel::Achieved => &[
            "I'm staying at home and I've got more help in the mornings.",
            "They listened to me this time. I feel like it was my plan.",
            "I got what I asked for and I know who to ring now.",
            "I can go to the day centre again. I'm really pleased.",
            "I got an apology and they've changed how they do it.",
        ],
        OutcomeLevel::Partly => &[
            "They listened about the stairs but I'm still waiting for the rails.",
            "Some of it changed. Not everything, but I had my say.",
            "I got leave at weekends but not in the week yet.",
            "I'm not happy with all of it but I understand why now.",
        ],
        OutcomeLevel::NotAchieved => &[
            "It didn't change, but at least I got to say how I felt.",
            "They said no. I want to try again next year.",
            "I'm disappointed, but thank you for standing with me.",
        ],
    }
}

fn work_descriptions(kind: WorkKind, duty: Duty) -> &'static [&'static str] {
    match (kind, duty) {
        (WorkKind::Meeting, Duty::Imha) => &[
            "Ward round",
            "Tribunal hearing",
            "Care programme approach review",
            "Hospital managers' hearing",
        ],
        (WorkKind::Meeting, Duty::Imca) => {
            &["Best interests meeting", "Discharge planning meeting"]
        }
        (WorkKind::Meeting, Duty::Nhs) => &["Local resolution meeting with the trust"],
        (WorkKind::Meeting, Duty::CareAct) => &[
            "Care and support planning meeting",
            "Safeguarding strategy meeting",
            "Annual review meeting",
        ],
        (WorkKind::Letter, _) => &[
            "Letter setting out the person's views",
            "Letter asking for the decision in writing",
            "Letter chasing a reply",
        ],
        (WorkKind::Report, _) => &[
            "Statement of the person's views for the review",
            "Report for the tribunal",
            "Summary for the complaint response meeting",
        ],
        (WorkKind::ConcernsReport, _) => &[
            "Concerns report about how the assessment was carried out",
            "Concerns report about the proposed cut in support hours",
        ],
        (WorkKind::ImcaReport, _) => &["IMCA report for the decision-maker"],
    }
}

const CONCERNS_RESPONSES: &[&str] = &[
    "The authority agreed to reassess and apologised for the delay.",
    "The authority considered the report and kept its decision, giving its reasons.",
    "The authority will review the support plan with the person present.",
];

fn challenged_decisions(duty: Duty) -> &'static [(&'static str, &'static str)] {
    match duty {
        Duty::CareAct | Duty::Imca => &[
            (
                "Reduction of home care hours",
                "Northshire Adult Social Care (demo)",
            ),
            (
                "Refusal of a direct payment",
                "Northshire Adult Social Care (demo)",
            ),
            (
                "Proposed move to a care home",
                "Northshire Adult Social Care (demo)",
            ),
        ],
        Duty::Imha => &[
            (
                "Refusal of Section 17 leave",
                "Responsible clinician, Northshire Mental Health Unit (demo)",
            ),
            (
                "Transfer to another ward",
                "Ward manager, Northshire Mental Health Unit (demo)",
            ),
        ],
        Duty::Nhs => &[(
            "The trust's response to the complaint",
            "Northshire Hospitals Trust (demo)",
        )],
    }
}

const STEP_OUTCOMES: &[&str] = &[
    "No change yet; agreed to put it in writing.",
    "Decision-maker agreed to look at it again.",
    "Reply received: decision under review.",
    "Referred to a senior manager.",
];

const CHALLENGE_RESULTS: &[&str] = &[
    "Decision changed.",
    "Decision partly changed.",
    "Decision upheld, with reasons given in writing.",
];

const HANDED_OVER_TO: &[&str] = &[
    "Her son, now able to support her as an appropriate individual",
    "His sister, as an appropriate individual",
    "The community mental health team care coordinator",
    "A friend the person chose to support them",
];

const MOVED_TO: &[&str] = &[
    "Eastmere Advocacy Hub (demo), the new area's provider",
    "The same advocate continues by agreement with Westfold (demo)",
];

fn closure_notes(reason: ClosureReason) -> &'static [&'static str] {
    match reason {
        ClosureReason::Completed => &[
            "The person is happy with the plan and knows how to come back to us.",
            "All issues worked through; closing with the person's agreement.",
        ],
        ClosureReason::HandedOver | ClosureReason::MovedArea => {
            &["Hand-over meeting held with the person present."]
        }
        ClosureReason::Withdrew => &["The person said they no longer want an advocate."],
        ClosureReason::Died => &["The person died peacefully at the care home."],
        ClosureReason::DutyEnded => &[
            "Discharged from section; told how to refer again if needed.",
            "The decision has been made; the IMCA role has ended.",
        ],
    }
}

fn open_tasks_reasons(reason: ClosureReason) -> &'static [&'static str] {
    match reason {
        ClosureReason::Died => &["The person died before the work could be finished."],
        ClosureReason::Withdrew => &["The person withdrew before the review took place."],
        _ => &[
            "The remaining work passes to the person and their family.",
            "The decision was made before the meeting took place.",
        ],
    }
}

/// A policies register with some reviews overdue and some policies missing, and one
/// earlier self-assessment each for the provider (against the Quality Performance Mark)
/// and the commissioner (of its commissioning), so those pages have a history to show
/// and the next assessment something to compare with.
pub fn quality_records(store: &Store) -> anyhow::Result<()> {
    use advocase_domain::assessment::{AssessmentAnswers, Framework, ItemAnswers, PolicyAnswers};
    let today = chrono::Utc::now().date_naive();
    let ago = |days: i64| (today - Duration::days(days)).to_string();
    let actor = |email: &str| -> anyhow::Result<advocase_domain::identity::Actor> {
        store
            .user_by_email(&EmailAddress::parse("email", email)?)?
            .ok_or_else(|| anyhow::anyhow!("the demo account {email} is missing"))?
            .actor(None)
            .map_err(anyhow::Error::from)
    };
    let manager = actor("manager@demo.advocase.test")?;
    let commissioner = actor("commissioner@demo.advocase.test")?;
    let staff_owner = manager.user_id.to_string();
    // (kind, name, owner is the manager, last reviewed days ago, next review in days).
    // Safety of staff, training and the service prioritisation procedure are missing.
    let register: [(&str, &str, bool, i64, i64); 11] = [
        ("equal_opportunities", "", true, 300, 65),
        ("confidentiality", "", true, 400, -35),
        ("health_and_safety", "", false, 200, 165),
        (
            "recruitment_and_selection",
            "Safer recruitment",
            false,
            380,
            -15,
        ),
        ("supervision_and_support", "", true, 340, 25),
        ("monitoring_review_evaluation", "", true, 100, 265),
        (
            "engagement_protocol",
            "Northshire engagement protocol",
            true,
            150,
            215,
        ),
        ("complaints", "", true, 60, 305),
        ("grievance_and_disciplinary", "", false, 500, 230),
        ("access_to_records", "", true, 90, 275),
        ("other", "Lone working", true, 420, -55),
    ];
    let mut policy_ids = Vec::new();
    for (kind, title, by_manager, reviewed, due) in register {
        let policy = PolicyAnswers {
            kind: kind.into(),
            title: title.into(),
            owner: if by_manager {
                staff_owner.clone()
            } else {
                String::new()
            },
            owner_name: if by_manager {
                String::new()
            } else {
                "Board of trustees".into()
            },
            approved_on: ago(reviewed + 365),
            last_reviewed_on: ago(reviewed),
            review_due_on: (today + Duration::days(due)).to_string(),
            location: "Shared drive, Policies folder".into(),
            version: String::new(),
        }
        .parse(today)
        .map_err(|e| anyhow::anyhow!("demo policy {kind}: {e}"))?;
        policy_ids.push((kind, store.add_policy(&manager, &policy)?));
    }
    let policy = |kind: &str| {
        policy_ids
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, id)| id.to_string())
            .collect::<Vec<_>>()
    };
    // (area, rating, strengths or actions, pages, policies).
    let qpm: [(&str, &str, &str, &str, Vec<String>); 8] = [
        (
            "independence",
            "green",
            "Trustees hold no contracts with the council's care services; conflicts of interest are checked at every allocation.",
            "",
            vec![],
        ),
        (
            "clarity_of_purpose",
            "green",
            "Leaflets in easy read and five community languages say what advocates do and do not do.",
            "",
            vec![],
        ),
        (
            "confidentiality",
            "amber",
            "Review the confidentiality policy and train new staff on when confidentiality cannot be kept.",
            "/breaches",
            policy("confidentiality"),
        ),
        (
            "safeguarding",
            "green",
            "Every concern is raised the same day and followed up until the council replies.",
            "/quality",
            vec![],
        ),
        (
            "empowerment",
            "amber",
            "Set up a group of people who use the service to advise the trustees.",
            "",
            vec![],
        ),
        (
            "equality",
            "red",
            "Compare who uses the service with the local population each quarter and reach out to groups who are missing.",
            "/workforce/equality",
            policy("equal_opportunities"),
        ),
        (
            "accountability",
            "amber",
            "Send every complaint's lessons to the team meeting and report them to trustees.",
            "/complaints",
            policy("complaints"),
        ),
        (
            "supporting_advocates",
            "red",
            "Make sure every advocate has monthly supervision and starts the qualification within a year.",
            "/workforce",
            policy("supervision_and_support"),
        ),
    ];
    let answers = AssessmentAnswers {
        assessed_on: ago(330),
        note: "Completed by the management team with two trustees.".into(),
        items: qpm
            .into_iter()
            .map(|(code, rating, words, pages, policies)| {
                let green = rating == "green";
                (
                    code.to_string(),
                    ItemAnswers {
                        rating: rating.into(),
                        strengths: if green { words.into() } else { String::new() },
                        actions: if green { String::new() } else { words.into() },
                        pages: pages.into(),
                        policies,
                        ..Default::default()
                    },
                )
            })
            .collect(),
    };
    let title = |item: advocase_domain::assessment::Item| item.as_str().to_string();
    let assessment = answers
        .parse(Framework::Qpm, today, title)
        .map_err(|e| anyhow::anyhow!("demo self-assessment: {e}"))?;
    store.record_self_assessment(&manager, &assessment)?;
    // The commissioner: strong on analysis, weaker on reviewing what it commissions.
    let items = Framework::Commissioning
        .items()
        .into_iter()
        .enumerate()
        .map(|(index, item)| {
            let rating = match item.stage() {
                Some(advocase_domain::assessment::Stage::Review) if index % 2 == 0 => "red",
                Some(advocase_domain::assessment::Stage::Review) => "amber",
                Some(advocase_domain::assessment::Stage::Do) if index % 3 == 0 => "amber",
                _ => "green",
            };
            (
                item.as_str().to_string(),
                ItemAnswers {
                    rating: rating.into(),
                    strengths: "Agreed with providers and people who use advocacy.".into(),
                    actions: "Agree measures with the provider and review them each quarter."
                        .into(),
                    ..Default::default()
                },
            )
        })
        .collect();
    let commissioning = AssessmentAnswers {
        assessed_on: ago(200),
        note: String::new(),
        items,
    }
    .parse(Framework::Commissioning, today, title)
    .map_err(|e| anyhow::anyhow!("demo commissioning self-assessment: {e}"))?;
    store.record_self_assessment(&commissioner, &commissioning)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The demo's equality answers are the domain's own codes: the bulk load writes
    /// them unchecked, and a code the reports do not know would be counted nowhere.
    #[test]
    fn the_demo_gives_only_answers_the_equality_questions_have() {
        use advocase_domain::workforce::{CHARACTERISTICS, PREFER_NOT_TO_SAY};
        for (code, answers) in EQUALITY_ANSWERS {
            let characteristic = CHARACTERISTICS
                .iter()
                .find(|c| c.code == *code)
                .unwrap_or_else(|| panic!("{code} is not a characteristic"));
            for (answer, _) in *answers {
                assert!(
                    *answer == PREFER_NOT_TO_SAY || characteristic.answers.contains(answer),
                    "{code}: {answer}"
                );
            }
        }
        assert_eq!(EQUALITY_ANSWERS.len(), CHARACTERISTICS.len());
    }
    use advocase_domain::eligibility::{EligibilityOutcome, assess, parse_request};
    use std::collections::{HashMap, HashSet};

    fn staff() -> Staff {
        Staff {
            provider: 1,
            manager: 3,
            intake: 4,
            demo_advocates: [5, 6],
        }
    }

    /// The demo advocates as a fresh installation has them: no settings, no cases.
    fn fresh_advocates() -> Vec<AdvocateRow> {
        [5, 6]
            .into_iter()
            .map(|user_id| AdvocateRow {
                user_id,
                name: String::new(),
                settings: AdvocateSettingsRecord::unset(user_id),
                open_cases: 0,
            })
            .collect()
    }

    fn generate_all(people: u64, seed: u64) -> (Vec<Batch>, Generator) {
        let now = NaiveDate::from_ymd_opt(2026, 11, 25)
            .unwrap()
            .and_hms_opt(11, 30, 0)
            .unwrap();
        let ids = TableIds {
            users: 8,
            ..TableIds::default()
        };
        let mut generator = Generator::new(seed, people, &staff(), &fresh_advocates(), ids, now);
        let mut batches = Vec::new();
        while let Some(batch) = generator.next_batch() {
            batches.push(batch);
        }
        (batches, generator)
    }

    #[test]
    fn every_eligibility_template_makes_its_duty_apply() {
        let act = UnderTheAct {
            status: "detained",
            section: "3",
            compulsion: None,
        };
        for duty in Duty::ALL {
            for process in CARE_ACT_PROCESSES {
                for imca in IMCA_DECISIONS {
                    let json = eligibility_answers(&[duty], process, Some(act), *imca);
                    let request = parse_request(&json).unwrap_or_else(|e| panic!("{json}: {e:?}"));
                    let answer = assess(&request);
                    let assessed = answer
                        .duties
                        .iter()
                        .find(|d| serde_json::to_value(d.duty).unwrap() == duty.code())
                        .unwrap();
                    assert_eq!(assessed.outcome, EligibilityOutcome::Eligible, "{json}");
                }
            }
        }
    }

    #[test]
    fn the_same_seed_makes_the_same_people() {
        let (first, _) = generate_all(120, 7);
        let (again, _) = generate_all(120, 7);
        let (other, _) = generate_all(120, 8);
        let names = |batches: &[Batch]| {
            batches
                .iter()
                .flat_map(|b| b.people.iter().map(|p| p.name_key.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(names(&first), names(&again));
        assert_ne!(names(&first), names(&other));
    }

    #[test]
    fn references_are_unique_and_of_the_usual_shape() {
        let all: HashSet<String> = (1..200_000).map(reference).collect();
        assert_eq!(all.len(), 199_999);
        assert!(all.iter().all(|r| r.len() == 11 && r.starts_with("R-")));
    }

    #[test]
    fn the_demo_advocates_hold_a_realistic_caseload_with_introductions_due() {
        for people in [SERVE_PEOPLE, 300, 5_000] {
            let (batches, generator) = generate_all(people, DEFAULT_SEED);
            let today = generator.today;
            let contacts: HashSet<i64> = batches
                .iter()
                .flat_map(|b| b.contacts.iter().map(|c| c.case_id))
                .collect();
            for advocate in [5, 6] {
                let open: Vec<&CaseRecord> = batches
                    .iter()
                    .flat_map(|b| &b.cases)
                    .filter(|c| c.advocate_id == Some(advocate) && c.status == "allocated")
                    .collect();
                assert!(
                    (15..=32).contains(&open.len()),
                    "{people} people: advocate {advocate} holds {}",
                    open.len()
                );
                let awaiting: Vec<NaiveDate> = open
                    .iter()
                    .filter(|c| c.duty == "imha" && !contacts.contains(&c.id))
                    .filter_map(|c| c.introduction_due)
                    .collect();
                assert!(awaiting.iter().any(|due| *due < today), "{people}");
                assert!(awaiting.iter().any(|due| *due >= today), "{people}");
                let with_contacts = open.iter().filter(|c| contacts.contains(&c.id)).count();
                assert!(with_contacts >= 10, "{people}: {with_contacts}");
            }
        }
    }

    #[test]
    fn generated_casework_is_consistent() {
        let (batches, generator) = generate_all(3_000, 11);
        let now = generator.now;
        let mut cases: HashMap<i64, &CaseRecord> = HashMap::new();
        for case in batches.iter().flat_map(|b| &b.cases) {
            cases.insert(case.id, case);
            match case.status.as_str() {
                "waiting" => assert!(case.advocate_id.is_none()),
                "allocated" => assert!(case.advocate_id.is_some() && case.closed_at.is_none()),
                "closed" => {
                    assert!(case.closed_at.is_some_and(|c| c <= now));
                    let reason = case.closure_reason.as_deref().unwrap();
                    assert!(ClosureReason::parse(reason).is_some());
                    if matches!(reason, "handed_over" | "moved_area") {
                        assert!(case.handed_over_to.is_some());
                    }
                }
                other => panic!("status {other}"),
            }
            assert!(case.opened_at <= now);
        }
        let contacts: Vec<&ContactRecord> = batches.iter().flat_map(|b| &b.contacts).collect();
        let per_person = contacts.len() as f64 / 3_000.0;
        assert!((7.0..13.0).contains(&per_person), "{per_person}");
        for contact in &contacts {
            let case = cases[&contact.case_id];
            assert!(contact.occurred_at <= now && contact.recorded_at <= now);
            assert!(contact.occurred_at >= case.opened_at);
            if let Some(closed) = case.closed_at {
                assert!(contact.occurred_at <= closed, "{contact:?} {case:?}");
            }
            assert!((1..=24 * 60).contains(&contact.duration_minutes));
            assert_eq!(contact.could_instruct, contact.approach.is_none());
            assert!(ContactMode::parse(&contact.mode).is_some());
        }
        let closed = cases.values().filter(|c| c.status == "closed").count();
        let open = cases.values().filter(|c| c.status == "allocated").count();
        assert!(closed > open * 2, "{closed} closed, {open} open");
        for duty in Duty::ALL {
            assert!(cases.values().any(|c| c.duty == duty.code()));
        }
        for reason in ["handed_over", "moved_area", "withdrew", "completed"] {
            assert!(
                cases
                    .values()
                    .any(|c| c.closure_reason.as_deref() == Some(reason)),
                "{reason}"
            );
        }
        let steps: Vec<&ChallengeStepRecord> =
            batches.iter().flat_map(|b| &b.challenge_steps).collect();
        assert!(!steps.is_empty());
        for challenge in batches.iter().flat_map(|b| &b.challenges) {
            let own: Vec<_> = steps
                .iter()
                .filter(|s| s.challenge_id == challenge.id)
                .collect();
            assert!(!own.is_empty());
            assert!(own.iter().all(|s| s.taken_on >= challenge.raised_on));
        }
        assert!(
            batches
                .iter()
                .flat_map(|b| &b.issues)
                .any(|i| i.outcome_in_their_words.is_some())
        );
    }

    #[test]
    fn advocates_are_added_for_large_numbers_of_people() {
        let now = advocase_storage::now();
        let generator = Generator::new(
            1,
            100_000,
            &staff(),
            &fresh_advocates(),
            TableIds::default(),
            now,
        );
        // The demo advocates hold what their capacities allow; one more advocate for
        // every 40 open cases beyond that.
        let capacity: i32 = DEMO_ADVOCATE_CAPACITY.iter().sum();
        let added = ((OPEN_CASES_PER_PERSON * 100_000.0 - f64::from(capacity))
            / OPEN_CASES_PER_ADVOCATE)
            .ceil() as usize;
        assert_eq!(generator.advocates.len(), added + 2);
        let (users, settings) = generator.first.as_ref().unwrap();
        assert_eq!(users.len(), added);
        // The two demo advocates get settings too.
        assert_eq!(settings.len(), added + 2);
    }
}
