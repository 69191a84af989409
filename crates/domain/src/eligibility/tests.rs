//! Tests of the eligibility engine: each rule, each exception, each boundary, the
//! contract's JSON, and a property that answering a question never overturns a decided
//! outcome.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::*;

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// The example request of `contracts/eligibility.md`, verbatim.
const CONTRACT_EXAMPLE_REQUEST: &str = r#"{
  "care_act": {
    "appears_to_have_needs": true,
    "process": "needs_assessment",
    "substantial_difficulty": {
      "understanding": true,
      "retaining": false,
      "using_or_weighing": null,
      "communicating": false
    },
    "appropriate_individuals": [
      {
        "relationship": "daughter",
        "paid_or_professional_carer": false,
        "person_does_not_want_them": true,
        "unable_or_unavailable": false,
        "implicated_in_abuse_or_neglect": false
      }
    ],
    "nhs_placement": { "setting": "hospital", "weeks": 6, "advocate_in_best_interests": true },
    "disagreement": { "both_agree_advocate_beneficial": true }
  },
  "mental_health_act": {
    "status": "detained",
    "section": "3",
    "second_medical_recommendation_received": null,
    "considered_for_s57_or_s58a": false
  },
  "mental_capacity_act": {
    "lacks_capacity_for_decision": true,
    "decision": "serious_medical_treatment",
    "arranged_by": "nhs",
    "setting": null,
    "duration_weeks": null,
    "anyone_appropriate_to_consult": false,
    "urgent": false
  },
  "nhs_complaint": { "wants_to_complain_about_nhs_funded_service": true }
}"#;

fn parse(body: &Value) -> EligibilityRequest {
    parse_request(&body.to_string()).unwrap_or_else(|error| panic!("{error}: {body}"))
}

fn assess_json(body: &Value) -> EligibilityResponse {
    assess(&parse(body))
}

fn duty_of(body: &Value, duty: Duty) -> DutyAssessment {
    assess_json(body)
        .duty(duty)
        .cloned()
        .expect("every response lists all four duties")
}

fn rules(assessment: &DutyAssessment) -> Vec<RuleId> {
    assessment.reasons.iter().map(|r| r.rule).collect()
}

fn texts(assessment: &DutyAssessment) -> Vec<&str> {
    assessment.reasons.iter().map(|r| r.text.as_str()).collect()
}

/// Sets a dotted path (keys only) in a JSON value, creating objects on the way.
fn set(body: &mut Value, path: &str, value: Value) {
    let mut here = body;
    let keys: Vec<&str> = path.split('.').collect();
    for key in &keys[..keys.len() - 1] {
        if !here.get(*key).is_some_and(Value::is_object) {
            here[*key] = json!({});
        }
        here = &mut here[*key];
    }
    here[keys[keys.len() - 1]] = value;
}

fn with(mut body: Value, path: &str, value: Value) -> Value {
    set(&mut body, path, value);
    body
}

/// Removes the last key of a dotted path, making that answer absent.
fn without(mut body: Value, path: &str) -> Value {
    let (parent, key) = path.rsplit_once('.').unwrap_or(("", path));
    let target = if parent.is_empty() {
        &mut body
    } else {
        parent.split('.').fold(&mut body, |here, k| &mut here[k])
    };
    target
        .as_object_mut()
        .expect("the parent is an object")
        .remove(key);
    body
}

fn assert_eligible(assessment: &DutyAssessment, must: bool) {
    assert_eq!(
        assessment.outcome,
        EligibilityOutcome::Eligible,
        "{assessment:#?}"
    );
    assert_eq!(assessment.must, Some(must), "{assessment:#?}");
    assert!(assessment.missing.is_empty(), "{assessment:#?}");
    assert!(!assessment.reasons.is_empty(), "{assessment:#?}");
}

fn assert_not_eligible(assessment: &DutyAssessment, failed_rule: RuleId) {
    assert_eq!(
        assessment.outcome,
        EligibilityOutcome::NotEligible,
        "{assessment:#?}"
    );
    assert_eq!(assessment.must, None);
    assert!(assessment.missing.is_empty(), "{assessment:#?}");
    assert!(
        rules(assessment).contains(&failed_rule),
        "expected a {failed_rule} reason: {assessment:#?}"
    );
}

fn assert_needs(assessment: &DutyAssessment, missing: &[&str]) {
    assert_eq!(
        assessment.outcome,
        EligibilityOutcome::NeedsInformation,
        "{assessment:#?}"
    );
    assert_eq!(assessment.must, None);
    assert!(assessment.reasons.is_empty(), "{assessment:#?}");
    assert_eq!(assessment.missing, missing, "{assessment:#?}");
}

/// A Care Act case where CA-1 to CA-4 all hold.
fn care_act_eligible() -> Value {
    json!({
        "care_act": {
            "appears_to_have_needs": true,
            "process": "needs_assessment",
            "substantial_difficulty": {
                "understanding": true,
                "retaining": false,
                "using_or_weighing": false,
                "communicating": false
            },
            "appropriate_individuals": []
        }
    })
}

/// The same case, but with a daughter who is an appropriate individual.
fn care_act_with_appropriate_daughter() -> Value {
    with(
        care_act_eligible(),
        "care_act.appropriate_individuals",
        json!([{
            "relationship": "daughter",
            "paid_or_professional_carer": false,
            "person_does_not_want_them": false,
            "unable_or_unavailable": false,
            "implicated_in_abuse_or_neglect": false
        }]),
    )
}

fn care_act_of(body: &Value) -> DutyAssessment {
    duty_of(body, Duty::CareAct)
}

fn imha_of(mental_health_act: Value) -> DutyAssessment {
    duty_of(
        &json!({ "mental_health_act": mental_health_act }),
        Duty::Imha,
    )
}

fn imca_of(mental_capacity_act: Value) -> DutyAssessment {
    duty_of(
        &json!({ "mental_capacity_act": mental_capacity_act }),
        Duty::Imca,
    )
}

/// An IMCA accommodation decision with no one to consult.
fn accommodation(arranged_by: &str, setting: &str, weeks: f64) -> Value {
    json!({
        "lacks_capacity_for_decision": true,
        "decision": "accommodation",
        "arranged_by": arranged_by,
        "setting": setting,
        "duration_weeks": weeks,
        "anyone_appropriate_to_consult": false
    })
}

// ---------------------------------------------------------------------------------------
// Every rule is reachable
// ---------------------------------------------------------------------------------------

#[test]
fn every_rule_id_produces_its_reason_in_some_case() {
    let candidate = |flag: &str| {
        let mut person = json!({
            "relationship": "son",
            "paid_or_professional_carer": false,
            "person_does_not_want_them": false,
            "unable_or_unavailable": false,
            "implicated_in_abuse_or_neglect": false
        });
        person[flag] = json!(true);
        person
    };
    let cases = vec![
        care_act_eligible(),
        with(
            care_act_eligible(),
            "care_act.appropriate_individuals",
            json!([
                candidate("paid_or_professional_carer"),
                candidate("person_does_not_want_them"),
                candidate("unable_or_unavailable"),
                candidate("implicated_in_abuse_or_neglect")
            ]),
        ),
        with(
            care_act_with_appropriate_daughter(),
            "care_act.nhs_placement",
            json!({ "setting": "hospital", "weeks": 6, "advocate_in_best_interests": true }),
        ),
        with(
            care_act_with_appropriate_daughter(),
            "care_act.disagreement",
            json!({ "both_agree_advocate_beneficial": true }),
        ),
        json!({ "mental_health_act": { "status": "detained", "section": "3" } }),
        json!({ "mental_health_act": { "status": "guardianship" } }),
        json!({ "mental_health_act": { "status": "cto" } }),
        json!({ "mental_health_act": { "status": "conditionally_discharged_restricted" } }),
        json!({ "mental_health_act": { "status": "informal", "considered_for_s57_or_s58a": true } }),
        json!({ "mental_capacity_act": {
            "lacks_capacity_for_decision": true, "decision": "serious_medical_treatment",
            "arranged_by": "nhs", "anyone_appropriate_to_consult": false } }),
        json!({ "mental_capacity_act": accommodation("nhs", "hospital", 6.0) }),
        json!({ "mental_capacity_act": {
            "lacks_capacity_for_decision": true, "decision": "accommodation_review",
            "arranged_by": "local_authority", "anyone_appropriate_to_consult": false } }),
        json!({ "mental_capacity_act": { "lacks_capacity_for_decision": true, "decision": "safeguarding" } }),
        json!({ "mental_capacity_act": { "lacks_capacity_for_decision": true, "decision": "dols" } }),
        json!({ "nhs_complaint": { "wants_to_complain_about_nhs_funded_service": true } }),
    ];
    let mut seen = BTreeSet::new();
    for case in &cases {
        for assessment in assess_json(case).duties {
            for reason in assessment.reasons {
                assert_eq!(
                    reason.rule.duty(),
                    assessment.duty,
                    "a reason is filed under its own duty"
                );
                assert!(
                    reason.text.ends_with('.'),
                    "reasons are sentences: {:?}",
                    reason.text
                );
                seen.insert(reason.rule);
            }
        }
    }
    let all: BTreeSet<RuleId> = ALL_RULE_IDS.into_iter().collect();
    assert_eq!(seen, all);
}

#[test]
fn rule_ids_are_written_as_in_the_domain_reference() {
    let written: Vec<String> = ALL_RULE_IDS
        .iter()
        .map(|rule| {
            serde_json::to_value(rule)
                .unwrap()
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        written,
        [
            "CA-1", "CA-2", "CA-3", "CA-4", "CA-4a", "CA-4b", "CA-4c", "CA-4d", "CA-5", "CA-6",
            "MHA-1", "MHA-2", "MHA-3", "MHA-4", "MHA-5", "MCA-1", "MCA-2", "MCA-3", "MCA-4",
            "MCA-5", "NHSC-1"
        ]
    );
    for rule in ALL_RULE_IDS {
        assert_eq!(rule.to_string(), rule.as_str());
    }
}

// ---------------------------------------------------------------------------------------
// Care Act
// ---------------------------------------------------------------------------------------

#[test]
fn care_act_advocacy_is_a_must_when_ca1_to_ca4_all_hold() {
    let assessment = care_act_of(&care_act_eligible());
    assert_eligible(&assessment, true);
    assert_eq!(
        rules(&assessment),
        [RuleId::Ca1, RuleId::Ca2, RuleId::Ca3, RuleId::Ca4]
    );
    assert_eq!(
        texts(&assessment),
        [
            "The person appears to have care and support needs.",
            "The person is required to take part in a needs assessment (Care Act 2014, section 67).",
            "Substantial difficulty understanding relevant information.",
            "No one is known who is appropriate to support the person's involvement.",
        ]
    );
}

#[test]
fn safeguarding_processes_fall_under_section_68_and_the_rest_under_section_67() {
    for process in CareActProcess::ALL {
        let expected = match process {
            CareActProcess::SafeguardingEnquiry | CareActProcess::SafeguardingAdultReview => {
                Some(68)
            }
            CareActProcess::None => None,
            _ => Some(67),
        };
        assert_eq!(process.care_act_section(), expected, "{process:?}");
    }
    let enquiry = with(
        care_act_eligible(),
        "care_act.process",
        json!("safeguarding_enquiry"),
    );
    assert!(
        texts(&care_act_of(&enquiry))
            .contains(&"The person is required to take part in a safeguarding enquiry (Care Act 2014, section 68).")
    );
}

#[test]
fn every_care_act_process_except_none_meets_ca2() {
    for process in CareActProcess::ALL {
        let body = with(care_act_eligible(), "care_act.process", json!(process));
        let assessment = care_act_of(&body);
        if process == CareActProcess::None {
            assert_not_eligible(&assessment, RuleId::Ca2);
        } else {
            assert_eligible(&assessment, true);
            assert!(rules(&assessment).contains(&RuleId::Ca2));
        }
    }
}

#[test]
fn process_none_rules_care_act_advocacy_out_whatever_else_is_unknown() {
    let assessment = care_act_of(&json!({ "care_act": { "process": "none" } }));
    assert_not_eligible(&assessment, RuleId::Ca2);
    assert_eq!(
        texts(&assessment),
        [
            "The person is not required to take part in an assessment, care or support planning, a review, or a safeguarding enquiry or review under the Care Act."
        ]
    );
}

#[test]
fn process_none_rules_care_act_advocacy_out_even_when_an_exception_would_apply() {
    let body = with(
        with(care_act_eligible(), "care_act.process", json!("none")),
        "care_act.nhs_placement",
        json!({ "setting": "hospital", "weeks": 10, "advocate_in_best_interests": true }),
    );
    assert_not_eligible(&care_act_of(&body), RuleId::Ca2);
}

#[test]
fn someone_without_needs_who_is_not_a_carer_fails_ca1() {
    let body = with(
        care_act_eligible(),
        "care_act.appears_to_have_needs",
        json!(false),
    );
    let assessment = care_act_of(&body);
    assert_not_eligible(&assessment, RuleId::Ca1);
    assert_eq!(
        texts(&assessment),
        ["The person does not appear to have care and support needs."]
    );
}

#[test]
fn a_carer_or_child_being_assessed_meets_ca1_without_needs_of_their_own() {
    for process in [
        "carers_assessment",
        "child_needs_assessment",
        "child_carers_assessment",
        "young_carers_assessment",
    ] {
        let body = with(
            with(
                care_act_eligible(),
                "care_act.appears_to_have_needs",
                json!(false),
            ),
            "care_act.process",
            json!(process),
        );
        let assessment = care_act_of(&body);
        assert_eligible(&assessment, true);
        assert_eq!(rules(&assessment)[0], RuleId::Ca1, "{process}");
    }
}

#[test]
fn without_needs_an_unknown_process_could_still_show_a_carer_so_it_is_asked_for() {
    let body = without(
        with(
            care_act_eligible(),
            "care_act.appears_to_have_needs",
            json!(false),
        ),
        "care_act.process",
    );
    assert_needs(&care_act_of(&body), &["care_act.process"]);
}

#[test]
fn any_one_area_of_substantial_difficulty_meets_ca3() {
    let areas = [
        (
            "understanding",
            "Substantial difficulty understanding relevant information.",
        ),
        ("retaining", "Substantial difficulty retaining information."),
        (
            "using_or_weighing",
            "Substantial difficulty using or weighing information.",
        ),
        (
            "communicating",
            "Substantial difficulty communicating their views, wishes and feelings.",
        ),
    ];
    for (area, text) in areas {
        let mut difficulty = json!({
            "understanding": false, "retaining": false,
            "using_or_weighing": false, "communicating": false
        });
        difficulty[area] = json!(true);
        let body = with(
            care_act_eligible(),
            "care_act.substantial_difficulty",
            difficulty,
        );
        let assessment = care_act_of(&body);
        assert_eligible(&assessment, true);
        assert!(texts(&assessment).contains(&text), "{area}");
    }
}

#[test]
fn no_substantial_difficulty_in_any_area_fails_ca3() {
    let body = with(
        care_act_eligible(),
        "care_act.substantial_difficulty.understanding",
        json!(false),
    );
    let assessment = care_act_of(&body);
    assert_not_eligible(&assessment, RuleId::Ca3);
    assert_eq!(rules(&assessment), [RuleId::Ca3]);
}

#[test]
fn an_unknown_area_of_difficulty_is_needs_information_naming_that_area() {
    let body = with(
        care_act_eligible(),
        "care_act.substantial_difficulty",
        json!({ "understanding": false, "retaining": false, "communicating": false }),
    );
    assert_needs(
        &care_act_of(&body),
        &["care_act.substantial_difficulty.using_or_weighing"],
    );
}

#[test]
fn an_empty_list_of_candidates_means_it_is_known_there_is_nobody() {
    let assessment = care_act_of(&care_act_eligible());
    assert!(rules(&assessment).contains(&RuleId::Ca4));
}

#[test]
fn an_absent_list_of_candidates_is_needs_information() {
    let body = without(care_act_eligible(), "care_act.appropriate_individuals");
    assert_needs(&care_act_of(&body), &["care_act.appropriate_individuals"]);
}

#[test]
fn a_candidate_with_all_four_flags_false_is_appropriate_and_rules_care_act_out() {
    let assessment = care_act_of(&care_act_with_appropriate_daughter());
    assert_not_eligible(&assessment, RuleId::Ca4);
    assert_eq!(
        texts(&assessment),
        [
            "The only candidate (daughter) is an appropriate individual to support the person's involvement."
        ]
    );
}

#[test]
fn each_of_ca4a_to_ca4d_makes_the_only_candidate_not_appropriate() {
    let flags = [
        (
            "paid_or_professional_carer",
            RuleId::Ca4a,
            "The only candidate (daughter) already provides care or treatment for the person professionally or for pay.",
        ),
        (
            "person_does_not_want_them",
            RuleId::Ca4b,
            "The only candidate (daughter) is someone the person does not want.",
        ),
        (
            "unable_or_unavailable",
            RuleId::Ca4c,
            "The only candidate (daughter) is unlikely to be able, or available, to support the person adequately.",
        ),
        (
            "implicated_in_abuse_or_neglect",
            RuleId::Ca4d,
            "The only candidate (daughter) is implicated in an enquiry into abuse or neglect, or was judged by a safeguarding adult review to have failed to prevent it.",
        ),
    ];
    for (flag, rule, text) in flags {
        let body = with(
            care_act_with_appropriate_daughter(),
            "care_act.appropriate_individuals",
            json!([{
                "relationship": "daughter",
                "paid_or_professional_carer": flag == "paid_or_professional_carer",
                "person_does_not_want_them": flag == "person_does_not_want_them",
                "unable_or_unavailable": flag == "unable_or_unavailable",
                "implicated_in_abuse_or_neglect": flag == "implicated_in_abuse_or_neglect"
            }]),
        );
        let assessment = care_act_of(&body);
        assert_eligible(&assessment, true);
        let reason = assessment
            .reasons
            .iter()
            .find(|r| r.rule == rule)
            .unwrap_or_else(|| panic!("no {rule} reason: {assessment:#?}"));
        assert_eq!(reason.text, text);
    }
}

#[test]
fn one_true_flag_is_enough_even_when_the_others_are_unknown() {
    let body = with(
        care_act_eligible(),
        "care_act.appropriate_individuals",
        json!([{ "relationship": "neighbour", "unable_or_unavailable": true }]),
    );
    let assessment = care_act_of(&body);
    assert_eligible(&assessment, true);
    assert!(rules(&assessment).contains(&RuleId::Ca4c));
}

#[test]
fn a_candidate_with_unknown_flags_and_none_true_needs_information_naming_the_flags() {
    let body = with(
        care_act_eligible(),
        "care_act.appropriate_individuals",
        json!([{
            "relationship": "son",
            "paid_or_professional_carer": false,
            "person_does_not_want_them": false,
            "implicated_in_abuse_or_neglect": false
        }]),
    );
    assert_needs(
        &care_act_of(&body),
        &["care_act.appropriate_individuals[0].unable_or_unavailable"],
    );
}

#[test]
fn one_appropriate_candidate_among_several_rules_care_act_out() {
    let body = with(
        care_act_eligible(),
        "care_act.appropriate_individuals",
        json!([
            { "relationship": "son", "person_does_not_want_them": true },
            {
                "relationship": "sister",
                "paid_or_professional_carer": false,
                "person_does_not_want_them": false,
                "unable_or_unavailable": false,
                "implicated_in_abuse_or_neglect": false
            },
            { "relationship": "friend" }
        ]),
    );
    let assessment = care_act_of(&body);
    assert_not_eligible(&assessment, RuleId::Ca4);
    assert_eq!(
        texts(&assessment),
        ["Candidate 2 (sister) is an appropriate individual to support the person's involvement."]
    );
}

#[test]
fn ca5_requires_an_advocate_even_when_there_is_an_appropriate_individual() {
    let body = with(
        care_act_with_appropriate_daughter(),
        "care_act.nhs_placement",
        json!({ "setting": "hospital", "weeks": 6, "advocate_in_best_interests": true }),
    );
    let assessment = care_act_of(&body);
    assert_eligible(&assessment, true);
    assert_eq!(
        rules(&assessment),
        [
            RuleId::Ca1,
            RuleId::Ca2,
            RuleId::Ca3,
            RuleId::Ca5,
            RuleId::Ca5
        ]
    );
    assert_eq!(
        texts(&assessment)[3..],
        [
            "An NHS-funded placement in hospital for 6 weeks is being considered, which is more than 4 weeks.",
            "The authority believes an advocate is in the person's best interests.",
        ]
    );
}

fn with_placement(setting: Value, weeks: f64) -> Value {
    with(
        care_act_with_appropriate_daughter(),
        "care_act.nhs_placement",
        json!({ "setting": setting, "weeks": weeks, "advocate_in_best_interests": true }),
    )
}

#[test]
fn ca5_hospital_placement_of_exactly_4_weeks_is_not_enough_but_just_over_is() {
    let four = care_act_of(&with_placement(json!("hospital"), 4.0));
    assert_not_eligible(&four, RuleId::Ca5);
    assert!(texts(&four).contains(
        &"The NHS-funded placement in hospital is for 4 weeks, which is not more than 4 weeks."
    ));
    // 29 days is the first whole day over the line.
    let twenty_nine_days = care_act_of(&with_placement(json!("hospital"), 29.0 / 7.0));
    assert_eligible(&twenty_nine_days, true);
    assert!(texts(&twenty_nine_days).contains(
        &"An NHS-funded placement in hospital for 29 days is being considered, which is more than 4 weeks."
    ));
    assert_eligible(&care_act_of(&with_placement(json!("hospital"), 4.5)), true);
}

#[test]
fn ca5_care_home_placement_of_exactly_8_weeks_is_enough_but_just_under_is_not() {
    assert_eligible(&care_act_of(&with_placement(json!("care_home"), 8.0)), true);
    let fifty_five_days = care_act_of(&with_placement(json!("care_home"), 55.0 / 7.0));
    assert_not_eligible(&fifty_five_days, RuleId::Ca5);
    assert!(texts(&fifty_five_days).contains(
        &"The NHS-funded placement in a care home is for 55 days, which is less than 8 weeks."
    ));
}

#[test]
fn ca5_with_an_unknown_setting_is_decided_when_the_length_settles_it_either_way() {
    assert_eligible(&care_act_of(&with_placement(Value::Null, 8.0)), true);
    assert_not_eligible(&care_act_of(&with_placement(Value::Null, 4.0)), RuleId::Ca5);
    assert_needs(
        &care_act_of(&with_placement(Value::Null, 6.0)),
        &["care_act.nhs_placement.setting"],
    );
}

#[test]
fn ca5_needs_the_authority_to_believe_an_advocate_is_in_the_persons_best_interests() {
    let refused = with(
        with_placement(json!("hospital"), 6.0),
        "care_act.nhs_placement.advocate_in_best_interests",
        json!(false),
    );
    let assessment = care_act_of(&refused);
    assert_not_eligible(&assessment, RuleId::Ca5);
    assert!(rules(&assessment).contains(&RuleId::Ca4));

    let unknown = without(
        with_placement(json!("hospital"), 6.0),
        "care_act.nhs_placement.advocate_in_best_interests",
    );
    assert_needs(
        &care_act_of(&unknown),
        &["care_act.nhs_placement.advocate_in_best_interests"],
    );
}

#[test]
fn ca6_requires_an_advocate_when_both_sides_of_a_disagreement_agree_it_would_help() {
    let agreed = with(
        care_act_with_appropriate_daughter(),
        "care_act.disagreement",
        json!({ "both_agree_advocate_beneficial": true }),
    );
    let assessment = care_act_of(&agreed);
    assert_eligible(&assessment, true);
    assert_eq!(rules(&assessment).last(), Some(&RuleId::Ca6));

    let not_agreed = with(
        care_act_with_appropriate_daughter(),
        "care_act.disagreement",
        json!({ "both_agree_advocate_beneficial": false }),
    );
    assert_not_eligible(&care_act_of(&not_agreed), RuleId::Ca6);

    let unknown = with(
        care_act_with_appropriate_daughter(),
        "care_act.disagreement",
        json!({}),
    );
    assert_needs(
        &care_act_of(&unknown),
        &["care_act.disagreement.both_agree_advocate_beneficial"],
    );
}

#[test]
fn an_absent_or_null_placement_or_disagreement_means_it_is_not_the_case() {
    let nulls = with(
        with(
            care_act_with_appropriate_daughter(),
            "care_act.nhs_placement",
            Value::Null,
        ),
        "care_act.disagreement",
        Value::Null,
    );
    assert_not_eligible(&care_act_of(&nulls), RuleId::Ca4);
    assert_not_eligible(
        &care_act_of(&care_act_with_appropriate_daughter()),
        RuleId::Ca4,
    );
}

#[test]
fn the_exceptions_still_need_ca1_to_ca3() {
    let body = with(
        with_placement(json!("hospital"), 6.0),
        "care_act.substantial_difficulty.understanding",
        json!(false),
    );
    let assessment = care_act_of(&body);
    assert_not_eligible(&assessment, RuleId::Ca3);
    assert_eq!(rules(&assessment), [RuleId::Ca3]);

    let body = with(
        with(
            care_act_with_appropriate_daughter(),
            "care_act.disagreement",
            json!({ "both_agree_advocate_beneficial": true }),
        ),
        "care_act.appears_to_have_needs",
        json!(false),
    );
    assert_not_eligible(&care_act_of(&body), RuleId::Ca1);
}

#[test]
fn an_exception_decides_care_act_while_the_candidates_are_still_unknown() {
    let body = with(
        without(care_act_eligible(), "care_act.appropriate_individuals"),
        "care_act.disagreement",
        json!({ "both_agree_advocate_beneficial": true }),
    );
    assert_eligible(&care_act_of(&body), true);
}

#[test]
fn an_absent_care_act_section_lists_its_key_answers() {
    assert_needs(
        &duty_of(&json!({}), Duty::CareAct),
        &[
            "care_act.appears_to_have_needs",
            "care_act.process",
            "care_act.substantial_difficulty.understanding",
            "care_act.substantial_difficulty.retaining",
            "care_act.substantial_difficulty.using_or_weighing",
            "care_act.substantial_difficulty.communicating",
            "care_act.appropriate_individuals",
        ],
    );
}

// ---------------------------------------------------------------------------------------
// IMHA
// ---------------------------------------------------------------------------------------

#[test]
fn detention_under_a_longer_section_qualifies_under_mha1() {
    for section in [
        "2", "3", "35", "36", "37", "37/41", "38", "41", "45A", "47", "47/49", "48", "48/49",
    ] {
        let assessment = imha_of(json!({ "status": "detained", "section": section }));
        assert_eligible(&assessment, true);
        assert_eq!(
            texts(&assessment),
            [format!(
                "The person is liable to be detained under section {section} of the Mental Health Act."
            )]
        );
    }
}

#[test]
fn each_short_term_section_is_excluded_from_mha1() {
    for section in ["5(2)", "5(4)", "135", "136"] {
        let assessment = imha_of(json!({
            "status": "detained", "section": section, "considered_for_s57_or_s58a": false
        }));
        assert_not_eligible(&assessment, RuleId::Mha1);
        assert_eq!(rules(&assessment), [RuleId::Mha1, RuleId::Mha5]);
        assert!(
            assessment.reasons[0]
                .text
                .starts_with(&format!("Section {section} is a short-term power")),
            "{assessment:#?}"
        );
        // The short-term section is not the end of it: MHA-5 could still apply.
        assert_needs(
            &imha_of(json!({ "status": "detained", "section": section })),
            &["mental_health_act.considered_for_s57_or_s58a"],
        );
    }
}

#[test]
fn section_4_is_excluded_until_the_second_medical_recommendation_is_received() {
    let received = imha_of(json!({
        "status": "detained", "section": "4", "second_medical_recommendation_received": true
    }));
    assert_eligible(&received, true);
    assert_eq!(rules(&received), [RuleId::Mha1]);

    let not_received = imha_of(json!({
        "status": "detained", "section": "4",
        "second_medical_recommendation_received": false, "considered_for_s57_or_s58a": false
    }));
    assert_not_eligible(&not_received, RuleId::Mha1);

    assert_needs(
        &imha_of(json!({
            "status": "detained", "section": "4", "considered_for_s57_or_s58a": false
        })),
        &["mental_health_act.second_medical_recommendation_received"],
    );
}

#[test]
fn a_guardianship_or_community_section_given_with_status_detained_still_qualifies() {
    let guardianship = imha_of(json!({ "status": "detained", "section": "7" }));
    assert_eligible(&guardianship, true);
    assert_eq!(rules(&guardianship), [RuleId::Mha2]);
    let community = imha_of(json!({ "status": "detained", "section": "17A" }));
    assert_eligible(&community, true);
    assert_eq!(rules(&community), [RuleId::Mha3]);
}

#[test]
fn a_detained_patient_whose_section_is_unknown_needs_the_section() {
    assert_needs(
        &imha_of(json!({ "status": "detained", "considered_for_s57_or_s58a": false })),
        &["mental_health_act.section"],
    );
}

#[test]
fn guardianship_community_treatment_and_conditional_discharge_qualify_under_mha2_to_mha4() {
    for (status, rule) in [
        ("guardianship", RuleId::Mha2),
        ("cto", RuleId::Mha3),
        ("conditionally_discharged_restricted", RuleId::Mha4),
    ] {
        let assessment = imha_of(json!({ "status": status }));
        assert_eligible(&assessment, true);
        assert_eq!(rules(&assessment), [rule]);
    }
}

#[test]
fn an_informal_patient_qualifies_only_under_mha5() {
    let considered = imha_of(json!({ "status": "informal", "considered_for_s57_or_s58a": true }));
    assert_eligible(&considered, true);
    assert_eq!(rules(&considered), [RuleId::Mha5]);

    let not_considered =
        imha_of(json!({ "status": "informal", "considered_for_s57_or_s58a": false }));
    assert_not_eligible(&not_considered, RuleId::Mha5);
    assert_eq!(rules(&not_considered), [RuleId::Mha1, RuleId::Mha5]);

    assert_needs(
        &imha_of(json!({ "status": "informal" })),
        &["mental_health_act.considered_for_s57_or_s58a"],
    );
}

#[test]
fn someone_under_a_short_term_section_qualifies_when_considered_for_s57_or_s58a() {
    let assessment = imha_of(json!({
        "status": "detained", "section": "136", "considered_for_s57_or_s58a": true
    }));
    assert_eligible(&assessment, true);
    assert_eq!(rules(&assessment), [RuleId::Mha5]);
}

#[test]
fn someone_not_subject_to_the_act_and_not_considered_for_s57_is_not_eligible() {
    let assessment = imha_of(json!({ "status": "none", "considered_for_s57_or_s58a": false }));
    assert_not_eligible(&assessment, RuleId::Mha1);
}

#[test]
fn an_absent_mental_health_act_section_lists_its_key_answers() {
    assert_needs(
        &duty_of(&json!({}), Duty::Imha),
        &[
            "mental_health_act.status",
            "mental_health_act.considered_for_s57_or_s58a",
        ],
    );
}

// ---------------------------------------------------------------------------------------
// IMCA
// ---------------------------------------------------------------------------------------

fn serious_medical_treatment() -> Value {
    json!({
        "lacks_capacity_for_decision": true,
        "decision": "serious_medical_treatment",
        "arranged_by": "nhs",
        "anyone_appropriate_to_consult": false,
        "urgent": false
    })
}

#[test]
fn serious_medical_treatment_by_the_nhs_with_no_one_to_consult_is_a_must_under_mca1() {
    let assessment = imca_of(serious_medical_treatment());
    assert_eligible(&assessment, true);
    assert_eq!(rules(&assessment), [RuleId::Mca1; 3]);
}

#[test]
fn urgent_serious_medical_treatment_is_still_eligible_but_need_not_wait_for_the_imca() {
    let mut body = serious_medical_treatment();
    body["urgent"] = json!(true);
    let assessment = imca_of(body);
    assert_eligible(&assessment, true);
    assert_eq!(
        assessment.reasons.last().map(|r| (r.rule, r.text.as_str())),
        Some((
            RuleId::Mca1,
            "The treatment is urgent: it need not wait for the IMCA to be instructed. Record that it was urgent."
        ))
    );
}

#[test]
fn serious_medical_treatment_not_by_an_nhs_body_is_not_eligible() {
    let mut body = serious_medical_treatment();
    body["arranged_by"] = json!("other");
    assert_not_eligible(&imca_of(body), RuleId::Mca1);
}

#[test]
fn someone_appropriate_to_consult_rules_out_mca1_to_mca3() {
    let mut treatment = serious_medical_treatment();
    treatment["anyone_appropriate_to_consult"] = json!(true);
    assert_not_eligible(&imca_of(treatment), RuleId::Mca1);

    let mut stay = accommodation("nhs", "hospital", 6.0);
    stay["anyone_appropriate_to_consult"] = json!(true);
    assert_not_eligible(&imca_of(stay), RuleId::Mca2);

    let mut review = accommodation("local_authority", "care_home", 10.0);
    review["decision"] = json!("accommodation_review");
    review["anyone_appropriate_to_consult"] = json!(true);
    assert_not_eligible(&imca_of(review), RuleId::Mca3);
}

#[test]
fn having_capacity_for_the_decision_rules_imca_out_whatever_else_is_unknown() {
    let assessment = imca_of(json!({ "lacks_capacity_for_decision": false }));
    assert_eq!(assessment.outcome, EligibilityOutcome::NotEligible);
    assert!(assessment.missing.is_empty());
    assert_eq!(
        rules(&assessment),
        [
            RuleId::Mca1,
            RuleId::Mca2,
            RuleId::Mca3,
            RuleId::Mca4,
            RuleId::Mca5
        ]
    );

    let mut known_decision = serious_medical_treatment();
    known_decision["lacks_capacity_for_decision"] = json!(false);
    let assessment = imca_of(known_decision);
    assert_not_eligible(&assessment, RuleId::Mca1);
    assert_eq!(
        texts(&assessment),
        ["The person has capacity to make this decision, so an IMCA is not needed."]
    );
}

#[test]
fn mca2_nhs_hospital_stay_of_exactly_28_days_is_not_enough_but_29_days_is() {
    let four_weeks = imca_of(accommodation("nhs", "hospital", 4.0));
    assert_not_eligible(&four_weeks, RuleId::Mca2);
    assert_eq!(
        texts(&four_weeks),
        ["A stay in hospital of 4 weeks is not more than 28 days."]
    );
    let twenty_nine_days = imca_of(accommodation("nhs", "hospital", 29.0 / 7.0));
    assert_eligible(&twenty_nine_days, true);
    assert!(texts(&twenty_nine_days).contains(
        &"The decision is about accommodation arranged by the NHS in a hospital, expected to last 29 days, which is more than 28 days."
    ));
}

#[test]
fn mca2_nhs_care_home_stay_of_exactly_8_weeks_is_not_enough_but_just_over_is() {
    let eight_weeks = imca_of(accommodation("nhs", "care_home", 8.0));
    assert_not_eligible(&eight_weeks, RuleId::Mca2);
    assert_eq!(
        texts(&eight_weeks),
        ["A stay in a care home of 8 weeks is not more than 8 weeks."]
    );
    assert_eligible(
        &imca_of(accommodation("nhs", "care_home", 57.0 / 7.0)),
        true,
    );
}

#[test]
fn eight_weeks_in_a_care_home_meets_ca5_but_not_mca2() {
    assert_eligible(&care_act_of(&with_placement(json!("care_home"), 8.0)), true);
    assert_not_eligible(
        &imca_of(accommodation("nhs", "care_home", 8.0)),
        RuleId::Mca2,
    );
}

#[test]
fn mca2_local_authority_accommodation_must_be_long_term_in_any_setting() {
    for setting in ["care_home", "other"] {
        let eight = imca_of(accommodation("local_authority", setting, 8.0));
        assert_not_eligible(&eight, RuleId::Mca2);
        assert_eq!(
            texts(&eight),
            ["A stay of 8 weeks is not long-term accommodation (more than 8 weeks)."]
        );
        assert_eligible(
            &imca_of(accommodation("local_authority", setting, 9.0)),
            true,
        );
    }
    let mut unknown_setting = accommodation("local_authority", "other", 12.0);
    unknown_setting["setting"] = Value::Null;
    assert_eligible(&imca_of(unknown_setting), true);
}

#[test]
fn mca2_does_not_cover_accommodation_arranged_by_others_or_nhs_accommodation_elsewhere() {
    assert_not_eligible(
        &imca_of(accommodation("other", "care_home", 52.0)),
        RuleId::Mca2,
    );
    assert_not_eligible(&imca_of(accommodation("nhs", "other", 52.0)), RuleId::Mca2);
}

#[test]
fn mca2_with_unknown_answers_names_only_those_that_could_decide_it() {
    let mut unknown_length = accommodation("nhs", "hospital", 0.0);
    unknown_length["duration_weeks"] = Value::Null;
    assert_needs(
        &imca_of(unknown_length),
        &["mental_capacity_act.duration_weeks"],
    );

    let mut unknown_arranger = accommodation("nhs", "care_home", 10.0);
    unknown_arranger["arranged_by"] = Value::Null;
    assert_needs(
        &imca_of(unknown_arranger),
        &["mental_capacity_act.arranged_by"],
    );

    // Three weeks is too short for every route, so who arranges it no longer matters.
    let mut too_short = accommodation("nhs", "hospital", 3.0);
    too_short["arranged_by"] = Value::Null;
    too_short["setting"] = Value::Null;
    assert_not_eligible(&imca_of(too_short), RuleId::Mca2);
}

#[test]
fn mca3_care_review_of_such_accommodation_is_a_may() {
    let review = json!({
        "lacks_capacity_for_decision": true,
        "decision": "accommodation_review",
        "arranged_by": "nhs",
        "setting": "care_home",
        "anyone_appropriate_to_consult": false
    });
    let assessment = imca_of(review.clone());
    assert_eligible(&assessment, false);
    assert!(rules(&assessment).iter().all(|r| *r == RuleId::Mca3));

    let mut private = review;
    private["arranged_by"] = json!("other");
    assert_not_eligible(&imca_of(private), RuleId::Mca3);
}

#[test]
fn mca4_safeguarding_is_a_may_even_when_someone_appropriate_to_consult_exists() {
    let assessment = imca_of(json!({
        "lacks_capacity_for_decision": true,
        "decision": "safeguarding",
        "anyone_appropriate_to_consult": true
    }));
    assert_eligible(&assessment, false);
    assert_eq!(rules(&assessment), [RuleId::Mca4, RuleId::Mca4]);
    assert!(texts(&assessment)[1].contains("even though there are family or friends"));
}

#[test]
fn mca5_deprivation_of_liberty_safeguards_is_a_must() {
    let assessment = imca_of(json!({ "lacks_capacity_for_decision": true, "decision": "dols" }));
    assert_eligible(&assessment, true);
    assert!(rules(&assessment).iter().all(|r| *r == RuleId::Mca5));
}

#[test]
fn a_decision_no_imca_rule_covers_is_not_eligible_with_each_rule_explained() {
    let assessment = imca_of(json!({ "decision": "other" }));
    assert_eq!(assessment.outcome, EligibilityOutcome::NotEligible);
    assert_eq!(
        texts(&assessment),
        [
            "The decision is not about serious medical treatment.",
            "The decision is not about a move into accommodation.",
            "The decision is not about a review of accommodation.",
            "The decision is not about adult safeguarding.",
            "The decision is not about the Deprivation of Liberty Safeguards.",
        ]
    );
}

#[test]
fn an_absent_mental_capacity_act_section_lists_its_key_answers() {
    assert_needs(
        &duty_of(&json!({}), Duty::Imca),
        &[
            "mental_capacity_act.lacks_capacity_for_decision",
            "mental_capacity_act.decision",
        ],
    );
}

// ---------------------------------------------------------------------------------------
// NHS complaints
// ---------------------------------------------------------------------------------------

#[test]
fn wanting_to_complain_about_an_nhs_funded_service_qualifies_under_nhsc1() {
    let yes = json!({ "nhs_complaint": { "wants_to_complain_about_nhs_funded_service": true } });
    let assessment = duty_of(&yes, Duty::NhsComplaints);
    assert_eligible(&assessment, true);
    assert_eq!(rules(&assessment), [RuleId::Nhsc1]);

    let no = json!({ "nhs_complaint": { "wants_to_complain_about_nhs_funded_service": false } });
    assert_not_eligible(&duty_of(&no, Duty::NhsComplaints), RuleId::Nhsc1);

    for unknown in [json!({}), json!({ "nhs_complaint": {} })] {
        assert_needs(
            &duty_of(&unknown, Duty::NhsComplaints),
            &["nhs_complaint.wants_to_complain_about_nhs_funded_service"],
        );
    }
}

// ---------------------------------------------------------------------------------------
// Unknown is not false
// ---------------------------------------------------------------------------------------

#[test]
fn a_missing_answer_gives_needs_information_with_its_path_and_false_gives_not_eligible() {
    let cases = [
        (
            Duty::CareAct,
            care_act_eligible(),
            "care_act.appears_to_have_needs",
        ),
        (
            Duty::Imha,
            json!({ "mental_health_act": { "status": "informal", "considered_for_s57_or_s58a": true } }),
            "mental_health_act.considered_for_s57_or_s58a",
        ),
        (
            Duty::Imca,
            json!({ "mental_capacity_act": serious_medical_treatment() }),
            "mental_capacity_act.anyone_appropriate_to_consult",
        ),
        (
            Duty::NhsComplaints,
            json!({ "nhs_complaint": { "wants_to_complain_about_nhs_funded_service": true } }),
            "nhs_complaint.wants_to_complain_about_nhs_funded_service",
        ),
    ];
    for (duty, body, path) in cases {
        let absent = without(body.clone(), path);
        assert_needs(&duty_of(&absent, duty), &[path]);
        let null = with(body.clone(), path, Value::Null);
        assert_needs(&duty_of(&null, duty), &[path]);
        // The value that makes this answer count against the person.
        let against = if path.ends_with("anyone_appropriate_to_consult") {
            json!(true)
        } else {
            json!(false)
        };
        let known = with(body, path, against);
        assert_eq!(
            duty_of(&known, duty).outcome,
            EligibilityOutcome::NotEligible,
            "{path}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// The contract's examples and JSON shape
// ---------------------------------------------------------------------------------------

#[test]
fn the_contract_example_request_gives_the_contract_example_outcomes_for_care_act_and_imha() {
    let response = assess(&parse_request(CONTRACT_EXAMPLE_REQUEST).unwrap());
    let care_act = response.duty(Duty::CareAct).unwrap();
    assert_eligible(care_act, true);
    // The contract shows two of the reasons; they appear, in that order, among ours.
    let shown = [
        Reason::new(
            RuleId::Ca3,
            "Substantial difficulty understanding relevant information.",
        ),
        Reason::new(
            RuleId::Ca4b,
            "The only candidate (daughter) is someone the person does not want.",
        ),
    ];
    let positions: Vec<usize> = shown
        .iter()
        .map(|reason| {
            care_act
                .reasons
                .iter()
                .position(|r| r == reason)
                .unwrap_or_else(|| panic!("missing {reason:?}"))
        })
        .collect();
    assert!(positions[0] < positions[1]);

    let imha = response.duty(Duty::Imha).unwrap();
    assert_eligible(imha, true);
    assert_eq!(rules(imha), [RuleId::Mha1]);
}

#[test]
fn the_contract_example_request_answers_imca_and_nhs_complaints_fully_so_both_are_eligible() {
    // The contract's response example shows IMCA needing `anyone_appropriate_to_consult`
    // and NHS complaints not eligible, but its request answers `false` and `true` to
    // those: the response is illustrative. The next test gives it the matching request.
    let response = assess(&parse_request(CONTRACT_EXAMPLE_REQUEST).unwrap());
    assert_eligible(response.duty(Duty::Imca).unwrap(), true);
    assert_eligible(response.duty(Duty::NhsComplaints).unwrap(), true);
}

/// The contract's example request, changed to match its example response: the IMCA
/// consultation answer unknown, and no NHS complaint.
fn contract_example_matching_the_response() -> Value {
    let body: Value = serde_json::from_str(CONTRACT_EXAMPLE_REQUEST).unwrap();
    let body = without(body, "mental_capacity_act.anyone_appropriate_to_consult");
    with(
        body,
        "nhs_complaint.wants_to_complain_about_nhs_funded_service",
        json!(false),
    )
}

#[test]
fn the_contract_example_response_outcomes_come_from_the_matching_request() {
    let response = assess_json(&contract_example_matching_the_response());
    let outcomes: Vec<(Duty, EligibilityOutcome, Option<bool>)> = response
        .duties
        .iter()
        .map(|d| (d.duty, d.outcome, d.must))
        .collect();
    assert_eq!(
        outcomes,
        [
            (Duty::CareAct, EligibilityOutcome::Eligible, Some(true)),
            (Duty::Imha, EligibilityOutcome::Eligible, Some(true)),
            (Duty::Imca, EligibilityOutcome::NeedsInformation, None),
            (Duty::NhsComplaints, EligibilityOutcome::NotEligible, None),
        ]
    );
    assert_eq!(
        response.duty(Duty::Imca).unwrap().missing,
        ["mental_capacity_act.anyone_appropriate_to_consult"]
    );
    assert_eq!(
        rules(response.duty(Duty::NhsComplaints).unwrap()),
        [RuleId::Nhsc1]
    );
}

#[test]
fn the_response_json_has_exactly_the_contract_shape() {
    let response = assess_json(&contract_example_matching_the_response());
    let expected = json!({
        "duties": [
            {
                "duty": "care_act",
                "outcome": "eligible",
                "must": true,
                "reasons": [
                    { "rule": "CA-1", "text": "The person appears to have care and support needs." },
                    { "rule": "CA-2", "text": "The person is required to take part in a needs assessment (Care Act 2014, section 67)." },
                    { "rule": "CA-3", "text": "Substantial difficulty understanding relevant information." },
                    { "rule": "CA-4b", "text": "The only candidate (daughter) is someone the person does not want." },
                    { "rule": "CA-5", "text": "An NHS-funded placement in hospital for 6 weeks is being considered, which is more than 4 weeks." },
                    { "rule": "CA-5", "text": "The authority believes an advocate is in the person's best interests." },
                    { "rule": "CA-6", "text": "The authority and the appropriate individual disagree, and both agree an advocate would be beneficial." }
                ],
                "missing": []
            },
            {
                "duty": "imha",
                "outcome": "eligible",
                "must": true,
                "reasons": [
                    { "rule": "MHA-1", "text": "The person is liable to be detained under section 3 of the Mental Health Act." }
                ],
                "missing": []
            },
            {
                "duty": "imca",
                "outcome": "needs_information",
                "must": null,
                "reasons": [],
                "missing": ["mental_capacity_act.anyone_appropriate_to_consult"]
            },
            {
                "duty": "nhs_complaints",
                "outcome": "not_eligible",
                "must": null,
                "reasons": [
                    { "rule": "NHSC-1", "text": "The person does not want to complain about a service provided or funded by the NHS." }
                ],
                "missing": []
            }
        ]
    });
    assert_eq!(serde_json::to_value(&response).unwrap(), expected);
}

#[test]
fn a_may_serializes_as_must_false() {
    let body = json!({ "mental_capacity_act": { "lacks_capacity_for_decision": true, "decision": "safeguarding" } });
    let imca = serde_json::to_value(assess_json(&body)).unwrap()["duties"][2].clone();
    assert_eq!(imca["duty"], json!("imca"));
    assert_eq!(imca["outcome"], json!("eligible"));
    assert_eq!(imca["must"], json!(false));
}

#[test]
fn a_response_reads_back_from_its_json() {
    let response = assess(&parse_request(CONTRACT_EXAMPLE_REQUEST).unwrap());
    let json = serde_json::to_string(&response).unwrap();
    let read: EligibilityResponse = serde_json::from_str(&json).unwrap();
    assert_eq!(read, response);
}

#[test]
fn a_request_reads_back_from_its_own_json_with_whole_weeks_as_integers() {
    let request = parse_request(CONTRACT_EXAMPLE_REQUEST).unwrap();
    let json = serde_json::to_value(&request).unwrap();
    assert_eq!(json["care_act"]["nhs_placement"]["weeks"], json!(6));
    assert_eq!(parse_request(&json.to_string()).unwrap(), request);
    let original: Value = serde_json::from_str(CONTRACT_EXAMPLE_REQUEST).unwrap();
    assert_eq!(
        json, original,
        "every field of the example is written back as it was"
    );
}

#[test]
fn an_empty_request_lists_all_four_duties_in_order_needing_information() {
    let response = assess(&parse_request("{}").unwrap());
    let duties: Vec<Duty> = response.duties.iter().map(|d| d.duty).collect();
    assert_eq!(duties, Duty::ALL);
    assert!(
        response
            .duties
            .iter()
            .all(|d| d.outcome == EligibilityOutcome::NeedsInformation)
    );
}

// ---------------------------------------------------------------------------------------
// Invalid requests
// ---------------------------------------------------------------------------------------

fn invalid(body: &str) -> InvalidRequest {
    match parse_request(body) {
        Ok(request) => panic!("{body} was accepted as {request:?}"),
        Err(error) => error,
    }
}

fn assert_invalid(body: Value, field: &str, message_contains: &str) {
    let error = invalid(&body.to_string());
    assert_eq!(error.field, field, "{error:?}");
    let words = crate::validation::english(&error.message);
    assert!(
        words.contains(field),
        "the message names the field: {words}"
    );
    assert!(
        words.contains(message_contains),
        "{words:?} should contain {message_contains:?}"
    );
    assert!(
        !words.contains('`') && !words.contains("line "),
        "no programmer's wording: {words:?}"
    );
}

#[test]
fn an_unknown_enum_value_is_invalid_naming_the_field_and_the_allowed_values() {
    assert_invalid(
        json!({ "care_act": { "process": "assessment" } }),
        "care_act.process",
        "care_act.process must be one of: needs_assessment, carers_assessment,",
    );
    assert_invalid(
        json!({ "care_act": { "nhs_placement": { "setting": "hospice" } } }),
        "care_act.nhs_placement.setting",
        "must be one of: hospital, care_home",
    );
    assert_invalid(
        json!({ "mental_health_act": { "status": "sectioned" } }),
        "mental_health_act.status",
        "must be one of: detained, guardianship, cto, conditionally_discharged_restricted, informal, none",
    );
    assert_invalid(
        json!({ "mental_capacity_act": { "decision": "finance" } }),
        "mental_capacity_act.decision",
        "must be one of: serious_medical_treatment, accommodation, accommodation_review, safeguarding, dols, other",
    );
    assert_invalid(
        json!({ "mental_capacity_act": { "arranged_by": "council" } }),
        "mental_capacity_act.arranged_by",
        "must be one of: nhs, local_authority, other",
    );
    assert_invalid(
        json!({ "mental_capacity_act": { "setting": "home" } }),
        "mental_capacity_act.setting",
        "must be one of: hospital, care_home, other",
    );
}

#[test]
fn a_wrong_type_is_invalid_naming_the_field() {
    assert_invalid(
        json!({ "care_act": { "appears_to_have_needs": "yes" } }),
        "care_act.appears_to_have_needs",
        "must be true or false",
    );
    assert_invalid(
        json!({ "care_act": { "appropriate_individuals": [{ "relationship": 7 }] } }),
        "care_act.appropriate_individuals[0].relationship",
        "must be text",
    );
    assert_invalid(
        json!({ "care_act": { "appropriate_individuals": {} } }),
        "care_act.appropriate_individuals",
        "must be a list",
    );
    assert_invalid(
        json!({ "care_act": { "substantial_difficulty": true } }),
        "care_act.substantial_difficulty",
        "must be a group of answers (understanding, retaining, using_or_weighing, communicating)",
    );
    assert_invalid(
        json!({ "mental_capacity_act": { "duration_weeks": "six" } }),
        "mental_capacity_act.duration_weeks",
        "must be a number of weeks",
    );
    assert_invalid(
        json!({ "mental_health_act": { "section": 3 } }),
        "mental_health_act.section",
        "written as text",
    );
    assert_invalid(
        json!({ "care_act": { "process": 3 } }),
        "care_act.process",
        "must be one of: needs_assessment,",
    );
    assert_invalid(
        json!({ "mental_health_act": { "status": true } }),
        "mental_health_act.status",
        "must be one of: detained,",
    );
    assert_invalid(
        json!({ "nhs_complaint": "yes" }),
        "nhs_complaint",
        "must be a group of answers (wants_to_complain_about_nhs_funded_service), or null if not known.",
    );
    assert_invalid(
        json!({ "care_act": { "nhs_placement": 6 } }),
        "care_act.nhs_placement",
        "or null if no NHS-funded placement is being considered.",
    );
    let whole = invalid("[]");
    assert_eq!(whole.field, "");
    assert!(crate::validation::english(&whole.message).contains("must be a JSON object"));
}

#[test]
fn an_unknown_field_is_invalid_naming_it() {
    assert_invalid(
        json!({ "care_act": { "proces": "needs_assessment" } }),
        "care_act.proces",
        "is not a question this check asks",
    );
    assert_invalid(
        json!({ "care_ac": {} }),
        "care_ac",
        "The answers allowed at the top of the request are: care_act, mental_health_act, mental_capacity_act, nhs_complaint.",
    );
    assert_invalid(
        json!({ "care_act": { "appropriate_individuals": [{}, { "wants_them": true }] } }),
        "care_act.appropriate_individuals[1].wants_them",
        "The answers allowed in care_act.appropriate_individuals[1] are: relationship,",
    );
    assert_invalid(
        json!({ "mental_capacity_act": { "urgent": true, "emergency": true } }),
        "mental_capacity_act.emergency",
        "check the spelling",
    );
}

#[test]
fn negative_weeks_are_invalid_naming_the_field() {
    assert_invalid(
        json!({ "care_act": { "nhs_placement": { "weeks": -1 } } }),
        "care_act.nhs_placement.weeks",
        "care_act.nhs_placement.weeks must not be negative.",
    );
    assert_invalid(
        json!({ "mental_capacity_act": { "duration_weeks": -0.5 } }),
        "mental_capacity_act.duration_weeks",
        "mental_capacity_act.duration_weeks must not be negative.",
    );
    assert!(parse_request(r#"{"mental_capacity_act":{"duration_weeks":0}}"#).is_ok());
    assert!(Weeks::new(-1.0).is_none());
    assert!(Weeks::new(f64::NAN).is_none());
}

#[test]
fn an_unknown_mental_health_act_section_is_invalid_naming_the_field() {
    for section in ["99", "5", "s3", "section 3", ""] {
        assert_invalid(
            json!({ "mental_health_act": { "section": section } }),
            "mental_health_act.section",
            "must be a section of the Mental Health Act 1983",
        );
    }
}

#[test]
fn every_section_the_engine_knows_is_accepted_as_written_in_law() {
    let written: Vec<&str> = MentalHealthActSection::ALL
        .iter()
        .map(|s| s.as_str())
        .collect();
    assert_eq!(
        written,
        [
            "2", "3", "4", "5(2)", "5(4)", "7", "17A", "35", "36", "37", "37/41", "38", "41",
            "45A", "47", "47/49", "48", "48/49", "135", "136"
        ]
    );
    for section in MentalHealthActSection::ALL {
        let body = json!({ "mental_health_act": { "section": section.as_str() } });
        let request = parse(&body);
        assert_eq!(
            request.mental_health_act.unwrap().section,
            Some(section),
            "{section}"
        );
    }
}

#[test]
fn malformed_json_is_invalid_for_the_whole_body() {
    for body in ["", "{", "{\"care_act\": }", "{} {}", "not json", "null"] {
        let error = invalid(body);
        assert_eq!(error.field, "", "{body:?}: {error:?}");
        assert!(
            crate::validation::english(&error.message).starts_with("The request"),
            "{error:?}"
        );
    }
}

#[test]
fn an_answer_given_twice_is_invalid_naming_it() {
    let error = invalid(
        r#"{"nhs_complaint":{"wants_to_complain_about_nhs_funded_service":true,"wants_to_complain_about_nhs_funded_service":false}}"#,
    );
    assert_eq!(
        error.field,
        "nhs_complaint.wants_to_complain_about_nhs_funded_service"
    );
    assert!(crate::validation::english(&error.message).contains("more than once"));
}

#[test]
fn an_invalid_request_is_an_error_that_shows_its_field_and_key_only() {
    let error = invalid(r#"{"care_act":{"process":"x"}}"#);
    assert_eq!(error.field, "care_act.process");
    assert_eq!(error.to_string(), "care_act.process: eligibility-choice");
    let boxed: Box<dyn std::error::Error> = Box::new(error.clone());
    assert_eq!(boxed.to_string(), error.to_string());
}

/// The keys a request type writes, sorted (serde_json's map keeps keys in order).
fn keys_of<T: serde::Serialize>(value: &T) -> Vec<String> {
    serde_json::to_value(value)
        .expect("request types serialize")
        .as_object()
        .expect("an object")
        .keys()
        .cloned()
        .collect()
}

fn sorted(fields: &[&str]) -> Vec<String> {
    let mut fields: Vec<String> = fields.iter().map(|f| (*f).to_owned()).collect();
    fields.sort();
    fields
}

#[test]
fn the_field_lists_used_in_messages_match_the_request_types() {
    use super::parse::*;
    assert_eq!(
        keys_of(&EligibilityRequest::default()),
        sorted(REQUEST_FIELDS)
    );
    assert_eq!(keys_of(&CareActAnswers::default()), sorted(CARE_ACT_FIELDS));
    assert_eq!(
        keys_of(&SubstantialDifficulty::default()),
        sorted(SUBSTANTIAL_DIFFICULTY_FIELDS)
    );
    assert_eq!(
        keys_of(&AppropriateIndividual::default()),
        sorted(APPROPRIATE_INDIVIDUAL_FIELDS)
    );
    assert_eq!(
        keys_of(&NhsPlacement::default()),
        sorted(NHS_PLACEMENT_FIELDS)
    );
    assert_eq!(
        keys_of(&Disagreement::default()),
        sorted(DISAGREEMENT_FIELDS)
    );
    assert_eq!(
        keys_of(&MentalHealthActAnswers::default()),
        sorted(MENTAL_HEALTH_ACT_FIELDS)
    );
    assert_eq!(
        keys_of(&MentalCapacityActAnswers::default()),
        sorted(MENTAL_CAPACITY_ACT_FIELDS)
    );
    assert_eq!(
        keys_of(&NhsComplaintAnswers::default()),
        sorted(NHS_COMPLAINT_FIELDS)
    );
}

#[test]
fn weeks_read_as_people_say_them() {
    let w = |weeks: f64| Weeks::new(weeks).unwrap().to_string();
    assert_eq!(w(1.0), "1 week");
    assert_eq!(w(6.0), "6 weeks");
    assert_eq!(w(29.0 / 7.0), "29 days");
    assert_eq!(w(1.0 / 7.0), "1 day");
    assert_eq!(w(4.05), "4.05 weeks");
}

// ---------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------

mod properties {
    use proptest::prelude::*;
    use proptest::sample::select;
    use serde_json::Value;

    use super::super::*;

    /// Generates an answer that is unknown some of the time, or, for a "full" request,
    /// always known.
    fn maybe<T: std::fmt::Debug + Clone + 'static>(
        strategy: impl Strategy<Value = T> + 'static,
        full: bool,
    ) -> BoxedStrategy<Option<T>> {
        if full {
            strategy.prop_map(Some).boxed()
        } else {
            // Known three times in four: with fewer known answers almost every duty is
            // undecided, and the properties would rarely meet a decided outcome.
            proptest::option::weighted(0.75, strategy).boxed()
        }
    }

    /// Lengths clustered around the boundaries: whole weeks and whole days up to 20 weeks.
    fn weeks() -> impl Strategy<Value = Weeks> {
        prop_oneof![
            (0u32..=12).prop_map(|w| Weeks::new(f64::from(w)).unwrap()),
            (0u32..=140).prop_map(|d| Weeks::new(f64::from(d) / 7.0).unwrap()),
        ]
    }

    fn candidate(full: bool) -> impl Strategy<Value = AppropriateIndividual> {
        (
            maybe(select(vec!["daughter", "son", "friend", " "]), full),
            maybe(any::<bool>(), full),
            maybe(any::<bool>(), full),
            maybe(any::<bool>(), full),
            maybe(any::<bool>(), full),
        )
            .prop_map(|(relationship, a, b, c, d)| AppropriateIndividual {
                relationship: relationship.map(str::to_owned),
                paid_or_professional_carer: a,
                person_does_not_want_them: b,
                unable_or_unavailable: c,
                implicated_in_abuse_or_neglect: d,
            })
    }

    fn care_act(full: bool) -> impl Strategy<Value = CareActAnswers> {
        let difficulty = (
            maybe(any::<bool>(), full),
            maybe(any::<bool>(), full),
            maybe(any::<bool>(), full),
            maybe(any::<bool>(), full),
        )
            .prop_map(|(u, r, w, c)| SubstantialDifficulty {
                understanding: u,
                retaining: r,
                using_or_weighing: w,
                communicating: c,
            });
        let placement = (
            maybe(select(PlacementSetting::ALL.to_vec()), full),
            maybe(weeks(), full),
            maybe(any::<bool>(), full),
        )
            .prop_map(|(setting, weeks, best)| NhsPlacement {
                setting,
                weeks,
                advocate_in_best_interests: best,
            });
        let disagreement = maybe(any::<bool>(), full).prop_map(|both| Disagreement {
            both_agree_advocate_beneficial: both,
        });
        let candidates = proptest::collection::vec(candidate(full), if full { 1..4 } else { 0..4 });
        (
            maybe(any::<bool>(), full),
            maybe(select(CareActProcess::ALL.to_vec()), full),
            maybe(difficulty, full),
            maybe(candidates, full),
            maybe(placement, full),
            maybe(disagreement, full),
        )
            .prop_map(
                |(needs, process, difficulty, candidates, placement, disagreement)| {
                    CareActAnswers {
                        appears_to_have_needs: needs,
                        process,
                        substantial_difficulty: difficulty,
                        appropriate_individuals: candidates,
                        nhs_placement: placement,
                        disagreement,
                    }
                },
            )
    }

    fn mental_health_act(full: bool) -> impl Strategy<Value = MentalHealthActAnswers> {
        (
            maybe(select(MentalHealthActStatus::ALL.to_vec()), full),
            maybe(select(MentalHealthActSection::ALL.to_vec()), full),
            maybe(any::<bool>(), full),
            maybe(any::<bool>(), full),
        )
            .prop_map(
                |(status, section, second, special)| MentalHealthActAnswers {
                    status,
                    section,
                    second_medical_recommendation_received: second,
                    considered_for_s57_or_s58a: special,
                },
            )
    }

    fn mental_capacity_act(full: bool) -> impl Strategy<Value = MentalCapacityActAnswers> {
        (
            maybe(any::<bool>(), full),
            maybe(select(CapacityDecision::ALL.to_vec()), full),
            maybe(select(ArrangedBy::ALL.to_vec()), full),
            maybe(select(AccommodationSetting::ALL.to_vec()), full),
            maybe(weeks(), full),
            maybe(any::<bool>(), full),
            maybe(any::<bool>(), full),
        )
            .prop_map(
                |(lacks, decision, arranged_by, setting, weeks, consult, urgent)| {
                    MentalCapacityActAnswers {
                        lacks_capacity_for_decision: lacks,
                        decision,
                        arranged_by,
                        setting,
                        duration_weeks: weeks,
                        anyone_appropriate_to_consult: consult,
                        urgent,
                    }
                },
            )
    }

    /// A request; when `full`, every answer (and every nested answer) is known.
    fn request(full: bool) -> impl Strategy<Value = EligibilityRequest> {
        (
            maybe(care_act(full), full),
            maybe(mental_health_act(full), full),
            maybe(mental_capacity_act(full), full),
            maybe(
                maybe(any::<bool>(), full).prop_map(|wants| NhsComplaintAnswers {
                    wants_to_complain_about_nhs_funded_service: wants,
                }),
                full,
            ),
        )
            .prop_map(|(care_act, mha, mca, complaint)| EligibilityRequest {
                care_act,
                mental_health_act: mha,
                mental_capacity_act: mca,
                nhs_complaint: complaint,
            })
    }

    #[derive(Debug, Clone, PartialEq)]
    enum Step {
        Key(String),
        Index(usize),
    }

    /// The paths of every unknown answer: each `null` in the request's JSON, at any depth.
    /// A null section or group counts as one unknown answer.
    fn unknown_paths(value: &Value, here: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
        match value {
            Value::Null => out.push(here.clone()),
            Value::Object(map) => {
                for (key, child) in map {
                    here.push(Step::Key(key.clone()));
                    unknown_paths(child, here, out);
                    here.pop();
                }
            }
            Value::Array(items) => {
                for (index, child) in items.iter().enumerate() {
                    here.push(Step::Index(index));
                    unknown_paths(child, here, out);
                    here.pop();
                }
            }
            _ => {}
        }
    }

    /// The value at a path in a full request; an index past the end of a list takes the
    /// last candidate, since any known candidate will do.
    fn known_value_at<'a>(full: &'a Value, path: &[Step]) -> &'a Value {
        path.iter().fold(full, |here, step| match step {
            Step::Key(key) => &here[key.as_str()],
            Step::Index(index) => {
                let items = here.as_array().expect("a list");
                &items[(*index).min(items.len() - 1)]
            }
        })
    }

    fn value_at_mut<'a>(value: &'a mut Value, path: &[Step]) -> &'a mut Value {
        path.iter().fold(value, |here, step| match step {
            Step::Key(key) => &mut here[key.as_str()],
            Step::Index(index) => &mut here[*index],
        })
    }

    /// Whether a dotted path from a response's `missing` names an answer that is unknown
    /// in the request: `null` itself, or inside a section or group that is `null`.
    fn is_unknown_in(request: &Value, dotted: &str) -> bool {
        let mut here = request;
        for part in dotted.split('.') {
            let (key, index) = match part.split_once('[') {
                Some((key, rest)) => (key, rest.trim_end_matches(']').parse::<usize>().ok()),
                None => (part, None),
            };
            match here.get(key) {
                // Every unknown is written as null, so a missing key is a wrong path.
                None => return false,
                // This answer, or the group or section holding it, is unknown.
                Some(Value::Null) => return true,
                Some(next) => here = next,
            }
            if let Some(index) = index {
                match here.get(index) {
                    Some(next) => here = next,
                    None => return false,
                }
            }
        }
        here.is_null()
    }

    proptest! {
        // More cases than the default: most random requests leave a duty undecided, and
        // the property only bites on the decided ones.
        #![proptest_config(ProptestConfig::with_cases(1024))]

        /// Answering a question never overturns a decided outcome.
        ///
        /// Take any request and any answer in it that is unknown (`null`: a field, a group
        /// such as `substantial_difficulty`, a list of candidates, or a whole section), and
        /// give it a known value. Then, for every duty:
        ///
        /// - an outcome of `eligible` stays `eligible`, with the same `must`;
        /// - an outcome of `not_eligible` stays `not_eligible`;
        ///
        /// with one honest exception. `care_act.nhs_placement` and `care_act.disagreement`
        /// are not unknowns when absent: the contract says absence means "not the case".
        /// Giving one of them a value adds a fact, and through CA-5 or CA-6 it can make a
        /// Care Act case that failed for want of CA-4 eligible (or undecided). So when the
        /// answer set is one of those two, a Care Act `not_eligible` may change, and only
        /// to an outcome whose reasons cite CA-5 or CA-6 if it becomes eligible.
        #[test]
        fn answering_an_unknown_question_never_overturns_a_decided_outcome(
            partial in request(false),
            full in request(true),
            choice in any::<prop::sample::Index>(),
        ) {
            let before_json = serde_json::to_value(&partial).unwrap();
            let full_json = serde_json::to_value(&full).unwrap();
            let mut unknowns = Vec::new();
            unknown_paths(&before_json, &mut Vec::new(), &mut unknowns);
            prop_assume!(!unknowns.is_empty());
            let path = choice.get(&unknowns).clone();

            let mut after_json = before_json.clone();
            *value_at_mut(&mut after_json, &path) = known_value_at(&full_json, &path).clone();
            prop_assert!(!known_value_at(&full_json, &path).is_null());
            let after = parse_request(&after_json.to_string()).unwrap();

            let exception_field = path == [Step::Key("care_act".into()), Step::Key("nhs_placement".into())]
                || path == [Step::Key("care_act".into()), Step::Key("disagreement".into())];

            let before = assess(&partial);
            let after = assess(&after);
            for (b, a) in before.duties.iter().zip(&after.duties) {
                match b.outcome {
                    EligibilityOutcome::Eligible => {
                        prop_assert_eq!(a.outcome, EligibilityOutcome::Eligible, "{:?} at {:?}", b.duty, path);
                        prop_assert_eq!(a.must, b.must);
                    }
                    EligibilityOutcome::NotEligible if b.duty == Duty::CareAct && exception_field => {
                        if a.outcome == EligibilityOutcome::Eligible {
                            prop_assert!(a.reasons.iter().any(|r| matches!(r.rule, RuleId::Ca5 | RuleId::Ca6)));
                        }
                    }
                    EligibilityOutcome::NotEligible => {
                        prop_assert_eq!(a.outcome, EligibilityOutcome::NotEligible, "{:?} at {:?}", b.duty, path);
                    }
                    EligibilityOutcome::NeedsInformation => {}
                }
            }
        }

        /// Whatever the answers, the response keeps the contract's shape: four duties in
        /// order, `must` only when eligible, reasons for every decided outcome and none
        /// otherwise, `missing` only when information is needed, each missing path naming
        /// an answer that really is unknown, and each reason filed under its own duty.
        #[test]
        fn every_response_keeps_the_contract_shape(request in request(false)) {
            let request_json = serde_json::to_value(&request).unwrap();
            let response = assess(&request);
            let duties: Vec<Duty> = response.duties.iter().map(|d| d.duty).collect();
            prop_assert_eq!(duties, Duty::ALL.to_vec());
            for duty in &response.duties {
                match duty.outcome {
                    EligibilityOutcome::Eligible => {
                        prop_assert!(duty.must.is_some());
                        prop_assert!(!duty.reasons.is_empty());
                        prop_assert!(duty.missing.is_empty());
                    }
                    EligibilityOutcome::NotEligible => {
                        prop_assert!(duty.must.is_none());
                        prop_assert!(!duty.reasons.is_empty());
                        prop_assert!(duty.missing.is_empty());
                    }
                    EligibilityOutcome::NeedsInformation => {
                        prop_assert!(duty.must.is_none());
                        prop_assert!(duty.reasons.is_empty());
                        prop_assert!(!duty.missing.is_empty());
                        for path in &duty.missing {
                            prop_assert!(is_unknown_in(&request_json, path), "{} is not unknown in {}", path, request_json);
                        }
                    }
                }
                for reason in &duty.reasons {
                    prop_assert_eq!(reason.rule.duty(), duty.duty);
                }
            }
            let read: EligibilityResponse = serde_json::from_str(&serde_json::to_string(&response).unwrap()).unwrap();
            prop_assert_eq!(read, response);
        }

        /// A request written out as JSON reads back as the same request.
        #[test]
        fn a_request_reads_back_from_its_json(request in request(false)) {
            let json = serde_json::to_string(&request).unwrap();
            prop_assert_eq!(parse_request(&json).unwrap(), request);
        }
    }
}
