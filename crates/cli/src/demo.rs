//! The demonstration installation: a fictional provider and commissioner, one account
//! per role, all with the same published password. Everything here is made up.

use advocase_domain::identity::{EmailAddress, OrganisationKind, Role};
use advocase_storage::Store;
use advocase_storage::accounts::NewUser;
use advocase_web::pages::sign_in::{DEMO_PASSWORD, DEMO_ROLES};

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
    let provider =
        store.create_organisation(OrganisationKind::Provider, "Riverside Advocacy (demo)")?;
    let commissioner = store.create_organisation(
        OrganisationKind::Commissioner,
        "Northshire County Council (demo)",
    )?;
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
    referrals(store, provider)?;
    Ok(())
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
    let calendar = advocase_domain::clocks::WorkingDayCalendar::shipped(
        advocase_domain::clocks::Nation::EnglandAndWales,
    );
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
                    .then(|| advocase_domain::clocks::imha_introduction_due(&calendar, compulsion)),
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
pub fn sign_in_list() -> Vec<(String, String)> {
    DEMO_ROLES
        .iter()
        .filter_map(|role| DEMO_ACCOUNTS.iter().find(|(r, _, _)| r == role))
        .map(|(role, email, _)| (role.label().to_string(), email.to_string()))
        .collect()
}
