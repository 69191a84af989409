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

/// Made-up referrals: (first name, last name, date of birth, postcode, what is
/// happening, Mental Health Act status and section, Care Act process, days ago).
const DEMO_REFERRALS: [(&str, &str, &str, &str, &str, &str, &str, &str, i64); 6] = [
    (
        "Maya",
        "Thornbury",
        "1987-04-12",
        "NS1 4AB",
        "Detained on the ward since the weekend and wants to know her rights.",
        "detained",
        "3",
        "",
        1,
    ),
    (
        "Tomasz",
        "Wilk",
        "1952-09-30",
        "NS2 7CD",
        "Care and support needs assessment next week; finds it hard to follow what is said.",
        "",
        "",
        "needs_assessment",
        3,
    ),
    (
        "Grace",
        "Adeyemi",
        "1999-01-05",
        "NS3 1EF",
        "Review of her support plan; her family are not in touch.",
        "",
        "",
        "support_plan_review",
        6,
    ),
    (
        "Eddie",
        "Marsh",
        "1964-11-21",
        "NS1 9GH",
        "On a community treatment order and unhappy with his medication.",
        "cto",
        "17A",
        "",
        2,
    ),
    (
        "Priti",
        "Lal",
        "1975-06-17",
        "NS4 2JK",
        "Safeguarding enquiry about money going missing at her care home.",
        "",
        "",
        "safeguarding_enquiry",
        4,
    ),
    (
        "Owen",
        "Castell",
        "1948-02-02",
        "NS5 5LM",
        "Wants to complain about how the hospital discharged him.",
        "",
        "",
        "",
        0,
    ),
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

/// A queue of made-up referrals, half of them accepted onto the waiting list, so that
/// intake and managers have something to look at.
fn referrals(store: &Store, provider: i64) -> anyhow::Result<()> {
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
    for (index, (given, family, born, postcode, happening, mha, section, process, days_ago)) in
        DEMO_REFERRALS.into_iter().enumerate()
    {
        let compulsion = today - chrono::Duration::days(days_ago);
        let answers = ReferralAnswers {
            referrer_kind: "professional".into(),
            referrer_name: "Jordan Fielding".into(),
            referrer_organisation: "Northshire Adult Social Care (demo)".into(),
            referrer_email: "jordan.fielding@demo.advocase.test".into(),
            given_name: given.into(),
            family_name: family.into(),
            date_of_birth: born.into(),
            postcode: postcode.into(),
            what_is_happening: happening.into(),
            consent: "given".into(),
            mha_status: mha.into(),
            mha_section: section.into(),
            compulsion_date: if mha == "detained" {
                compulsion.to_string()
            } else {
                String::new()
            },
            care_act_process: process.into(),
            difficulty: if process.is_empty() {
                Vec::new()
            } else {
                vec!["understanding".into()]
            },
            appropriate_individual: if process.is_empty() {
                String::new()
            } else {
                "no".into()
            },
            nhs_complaint: if process.is_empty() && mha.is_empty() {
                "yes".into()
            } else {
                String::new()
            },
            safeguarding_concerns: if process == "safeguarding_enquiry" {
                "Money missing from her account.".into()
            } else {
                String::new()
            },
            ..Default::default()
        };
        let referral = answers
            .parse(today)
            .map_err(|e| anyhow::anyhow!("demo referral {given}: {e}"))?;
        let reference = format!("R-DEMO-{:04}", index + 1);
        let token = advocase_web::auth::new_token();
        let id = store.submit_referral(
            provider,
            &referral,
            Source::Public,
            None,
            &reference,
            &advocase_web::auth::token_hash(&token),
        )?;
        // Every other referral is already accepted and waiting for an advocate.
        if index % 2 == 0 {
            let assessment = advocase_domain::eligibility::assess(&referral.eligibility);
            let decisions: Vec<DutyDecision> = assessment
                .duties
                .iter()
                .filter(|d| d.outcome == advocase_domain::eligibility::EligibilityOutcome::Eligible)
                .map(|d| {
                    let duty = serde_json::to_value(d.duty)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default();
                    DutyDecision {
                        introduction_due: (duty == "imha" && mha == "detained").then(|| {
                            advocase_domain::clocks::imha_introduction_due(&calendar, compulsion)
                        }),
                        duty,
                        suggested: "eligible".into(),
                        accept: true,
                        disagreement_reason: None,
                    }
                })
                .collect();
            // Where the form left the answer open, intake confirmed it by phone and
            // accepted against the suggestion, recording why.
            let decisions = if decisions.is_empty() {
                vec![DutyDecision {
                    duty: "care_act".into(),
                    suggested: "needs_information".into(),
                    accept: true,
                    disagreement_reason: Some(
                        "Care and support needs confirmed by phone with the referrer.".into(),
                    ),
                    introduction_due: None,
                }]
            } else {
                decisions
            };
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
