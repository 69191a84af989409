//! The rules of DOMAIN.md §3, evaluated over answers that may be unknown.
//!
//! Every condition is three-valued: it holds, it fails, or it cannot be decided until
//! someone answers a question. Conditions combine as in Kleene's logic: "all of" fails as
//! soon as one part fails, even when others are unknown, and "any of" holds as soon as one
//! part holds. That is what makes a known "no" win over a missing answer (`process:
//! "none"` rules Care Act advocacy out whatever else is unknown), and it also guarantees
//! that answering a question never overturns an outcome already decided. A
//! property test checks that guarantee.

use super::request::{
    AccommodationSetting, AppropriateIndividual, ArrangedBy, CapacityDecision, CareActAnswers,
    CareActProcess, EligibilityRequest, MentalCapacityActAnswers, MentalHealthActAnswers,
    MentalHealthActSection, MentalHealthActStatus, NhsComplaintAnswers, PlacementSetting, Weeks,
};
use super::response::{
    Duty, DutyAssessment, EligibilityOutcome, EligibilityResponse, Reason, RuleId,
};

/// Decides, for each of the four statutory duties, whether the person is eligible.
///
/// Pure: the same request always gives the same response, and nothing is stored.
pub fn assess(request: &EligibilityRequest) -> EligibilityResponse {
    let (imca, imca_must) = imca(request.mental_capacity_act.as_ref());
    EligibilityResponse {
        duties: vec![
            // Every Care Act, IMHA and NHS complaints rule is a duty on the body, so
            // eligibility under them is always a "must".
            duty_assessment(
                Duty::CareAct,
                care_act(request.care_act.as_ref()),
                Some(true),
            ),
            duty_assessment(
                Duty::Imha,
                imha(request.mental_health_act.as_ref()),
                Some(true),
            ),
            duty_assessment(Duty::Imca, imca, imca_must),
            duty_assessment(
                Duty::NhsComplaints,
                nhs_complaints(request.nhs_complaint.as_ref()),
                Some(true),
            ),
        ],
    }
}

/// A condition's value: holds or fails with the reasons that decided it, or unknown with
/// the dotted paths of the answers that would decide it.
#[derive(Debug, Clone, PartialEq)]
enum Verdict {
    Holds(Vec<Reason>),
    Fails(Vec<Reason>),
    Unknown(Vec<String>),
}

impl Verdict {
    fn holds(rule: RuleId, text: impl Into<String>) -> Verdict {
        Verdict::Holds(vec![Reason::new(rule, text)])
    }

    fn fails(rule: RuleId, text: impl Into<String>) -> Verdict {
        Verdict::Fails(vec![Reason::new(rule, text)])
    }

    /// A failure not worth telling anyone about, such as "this is not a carer's
    /// assessment" when the person qualifies under CA-1 another way.
    fn fails_quietly() -> Verdict {
        Verdict::Fails(Vec::new())
    }

    fn unknown(path: impl Into<String>) -> Verdict {
        Verdict::Unknown(vec![path.into()])
    }

    /// Replaces a failure that carries no reason with one that does.
    fn or_fail_with(self, rule: RuleId, text: impl Into<String>) -> Verdict {
        match self {
            Verdict::Fails(reasons) if reasons.is_empty() => Verdict::fails(rule, text),
            other => other,
        }
    }
}

/// Holds when every part holds; fails when any part fails, whatever else is unknown.
fn all_of(parts: impl IntoIterator<Item = Verdict>) -> Verdict {
    let mut held = Vec::new();
    let mut failed = None::<Vec<Reason>>;
    let mut missing = None::<Vec<String>>;
    for part in parts {
        match part {
            Verdict::Holds(reasons) => held.extend(reasons),
            Verdict::Fails(reasons) => failed.get_or_insert_with(Vec::new).extend(reasons),
            Verdict::Unknown(paths) => missing.get_or_insert_with(Vec::new).extend(paths),
        }
    }
    match (failed, missing) {
        (Some(reasons), _) => Verdict::Fails(reasons),
        (None, Some(paths)) => Verdict::Unknown(paths),
        (None, None) => Verdict::Holds(held),
    }
}

/// Holds when any part holds, whatever else is unknown; fails when every part fails.
fn any_of(parts: impl IntoIterator<Item = Verdict>) -> Verdict {
    let mut held = None::<Vec<Reason>>;
    let mut failed = Vec::new();
    let mut missing = None::<Vec<String>>;
    for part in parts {
        match part {
            Verdict::Holds(reasons) => held.get_or_insert_with(Vec::new).extend(reasons),
            Verdict::Fails(reasons) => failed.extend(reasons),
            Verdict::Unknown(paths) => missing.get_or_insert_with(Vec::new).extend(paths),
        }
    }
    match (held, missing) {
        (Some(reasons), _) => Verdict::Holds(reasons),
        (None, Some(paths)) => Verdict::Unknown(paths),
        (None, None) => Verdict::Fails(failed),
    }
}

fn duty_assessment(duty: Duty, verdict: Verdict, must_if_eligible: Option<bool>) -> DutyAssessment {
    let (outcome, must, reasons, missing) = match verdict {
        Verdict::Holds(reasons) => (
            EligibilityOutcome::Eligible,
            must_if_eligible,
            reasons,
            Vec::new(),
        ),
        Verdict::Fails(reasons) => (EligibilityOutcome::NotEligible, None, reasons, Vec::new()),
        Verdict::Unknown(paths) => {
            // The same answer can decide several conditions; ask for it once, where it
            // first comes up.
            let mut missing: Vec<String> = Vec::with_capacity(paths.len());
            for path in paths {
                if !missing.contains(&path) {
                    missing.push(path);
                }
            }
            (
                EligibilityOutcome::NeedsInformation,
                None,
                Vec::new(),
                missing,
            )
        }
    };
    DutyAssessment {
        duty,
        outcome,
        must,
        reasons,
        missing,
    }
}

/// A yes/no answer as a condition: `yes` when true, `no` when false, unknown when absent.
fn answer(
    value: Option<bool>,
    path: &str,
    yes: impl FnOnce() -> Verdict,
    no: impl FnOnce() -> Verdict,
) -> Verdict {
    match value {
        Some(true) => yes(),
        Some(false) => no(),
        None => Verdict::unknown(path),
    }
}

// ---------------------------------------------------------------------------------------
// Care Act 2014 (DOMAIN.md §3.1)
// ---------------------------------------------------------------------------------------

fn care_act(answers: Option<&CareActAnswers>) -> Verdict {
    // An absent section is the same as a section with every answer unknown, so the
    // missing list names the section's key answers.
    let unknown = CareActAnswers::default();
    let answers = answers.unwrap_or(&unknown);
    all_of([
        ca1_needs_or_carer(answers),
        ca2_process(answers),
        ca3_substantial_difficulty(answers),
        // CA-5 and CA-6 make the duty apply even when there is an appropriate
        // individual, so they stand in for CA-4 rather than adding to it.
        any_of([
            ca4_no_appropriate_individual(answers),
            ca5_nhs_placement(answers),
            ca6_disagreement(answers),
        ]),
    ])
}

fn ca1_needs_or_carer(answers: &CareActAnswers) -> Verdict {
    let needs = answer(
        answers.appears_to_have_needs,
        "care_act.appears_to_have_needs",
        || {
            Verdict::holds(
                RuleId::Ca1,
                "The person appears to have care and support needs.",
            )
        },
        || {
            Verdict::fails(
                RuleId::Ca1,
                "The person does not appear to have care and support needs.",
            )
        },
    );
    // A carer's, child's or young carer's assessment shows by itself that the person is a
    // carer or is being assessed for transition, the other two ways to meet CA-1.
    let carer_or_transition = match answers.process {
        Some(process) if process.shows_carer_or_transition() => {
            Verdict::holds(RuleId::Ca1, carer_or_transition_text(process))
        }
        Some(_) => Verdict::fails_quietly(),
        None => Verdict::unknown("care_act.process"),
    };
    any_of([needs, carer_or_transition])
}

fn carer_or_transition_text(process: CareActProcess) -> &'static str {
    match process {
        CareActProcess::CarersAssessment => "The person is a carer.",
        CareActProcess::ChildNeedsAssessment => {
            "The person is a child being assessed for the move to adult care and support."
        }
        CareActProcess::ChildCarersAssessment => {
            "The person cares for a child who is being assessed for the move to adult care \
             and support."
        }
        CareActProcess::YoungCarersAssessment => {
            "The person is a young carer being assessed for the move to adulthood."
        }
        _ => "The person is a carer.",
    }
}

fn ca2_process(answers: &CareActAnswers) -> Verdict {
    match answers.process {
        None => Verdict::unknown("care_act.process"),
        Some(CareActProcess::None) => Verdict::fails(
            RuleId::Ca2,
            "The person is not required to take part in an assessment, care or support \
             planning, a review, or a safeguarding enquiry or review under the Care Act.",
        ),
        Some(process) => {
            let section = process
                .care_act_section()
                .map(|section| format!(" (Care Act 2014, section {section})"))
                .unwrap_or_default();
            Verdict::holds(
                RuleId::Ca2,
                format!(
                    "The person is required to take part in {}{section}.",
                    process_phrase(process)
                ),
            )
        }
    }
}

fn process_phrase(process: CareActProcess) -> &'static str {
    match process {
        CareActProcess::NeedsAssessment => "a needs assessment",
        CareActProcess::CarersAssessment => "a carer's assessment",
        CareActProcess::CareAndSupportPlan => "preparing a care and support plan",
        CareActProcess::SupportPlan => "preparing a support plan",
        CareActProcess::CareAndSupportPlanReview => "a review of a care and support plan",
        CareActProcess::SupportPlanReview => "a review of a support plan",
        CareActProcess::ChildNeedsAssessment => "a child's needs assessment",
        CareActProcess::ChildCarersAssessment => "a child's carer's assessment",
        CareActProcess::YoungCarersAssessment => "a young carer's assessment",
        CareActProcess::SafeguardingEnquiry => "a safeguarding enquiry",
        CareActProcess::SafeguardingAdultReview => "a safeguarding adult review",
        CareActProcess::None => "no Care Act process",
    }
}

fn ca3_substantial_difficulty(answers: &CareActAnswers) -> Verdict {
    let unknown = Default::default();
    let difficulty = answers.substantial_difficulty.as_ref().unwrap_or(&unknown);
    let area = |value: Option<bool>, field: &str, text: &'static str| {
        answer(
            value,
            &format!("care_act.substantial_difficulty.{field}"),
            || Verdict::holds(RuleId::Ca3, text),
            Verdict::fails_quietly,
        )
    };
    any_of([
        area(
            difficulty.understanding,
            "understanding",
            "Substantial difficulty understanding relevant information.",
        ),
        area(
            difficulty.retaining,
            "retaining",
            "Substantial difficulty retaining information.",
        ),
        area(
            difficulty.using_or_weighing,
            "using_or_weighing",
            "Substantial difficulty using or weighing information.",
        ),
        area(
            difficulty.communicating,
            "communicating",
            "Substantial difficulty communicating their views, wishes and feelings.",
        ),
    ])
    .or_fail_with(
        RuleId::Ca3,
        "The person has no substantial difficulty understanding, retaining, or using or \
         weighing information, or communicating their views, wishes and feelings.",
    )
}

fn ca4_no_appropriate_individual(answers: &CareActAnswers) -> Verdict {
    match &answers.appropriate_individuals {
        None => Verdict::unknown("care_act.appropriate_individuals"),
        Some(candidates) if candidates.is_empty() => Verdict::holds(
            RuleId::Ca4,
            "No one is known who is appropriate to support the person's involvement.",
        ),
        Some(candidates) => all_of(candidates.iter().enumerate().map(|(index, candidate)| {
            candidate_not_appropriate(index, candidates.len(), candidate)
        })),
    }
}

/// Holds when this candidate is not an appropriate individual (any of CA-4a to CA-4d);
/// fails when every one of those is known to be false.
fn candidate_not_appropriate(
    index: usize,
    count: usize,
    candidate: &AppropriateIndividual,
) -> Verdict {
    let name = candidate_name(index, count, candidate.relationship.as_deref());
    let path = |field: &str| format!("care_act.appropriate_individuals[{index}].{field}");
    let flag = |value: Option<bool>, field: &str, rule: RuleId, what: &str| {
        answer(
            value,
            &path(field),
            || Verdict::holds(rule, format!("{name} {what}.")),
            Verdict::fails_quietly,
        )
    };
    any_of([
        flag(
            candidate.paid_or_professional_carer,
            "paid_or_professional_carer",
            RuleId::Ca4a,
            "already provides care or treatment for the person professionally or for pay",
        ),
        flag(
            candidate.person_does_not_want_them,
            "person_does_not_want_them",
            RuleId::Ca4b,
            "is someone the person does not want",
        ),
        flag(
            candidate.unable_or_unavailable,
            "unable_or_unavailable",
            RuleId::Ca4c,
            "is unlikely to be able, or available, to support the person adequately",
        ),
        flag(
            candidate.implicated_in_abuse_or_neglect,
            "implicated_in_abuse_or_neglect",
            RuleId::Ca4d,
            "is implicated in an enquiry into abuse or neglect, or was judged by a \
             safeguarding adult review to have failed to prevent it",
        ),
    ])
    .or_fail_with(
        RuleId::Ca4,
        format!("{name} is an appropriate individual to support the person's involvement."),
    )
}

/// "The only candidate (daughter)" or "Candidate 2 (son)": the relationship is how the
/// worker knows whom the reason is about, and the number tells apart two of a kind.
fn candidate_name(index: usize, count: usize, relationship: Option<&str>) -> String {
    let base = if count == 1 {
        "The only candidate".to_owned()
    } else {
        format!("Candidate {}", index + 1)
    };
    match relationship.map(str::trim).filter(|r| !r.is_empty()) {
        Some(relationship) => format!("{base} ({relationship})"),
        None => base,
    }
}

fn ca5_nhs_placement(answers: &CareActAnswers) -> Verdict {
    // The contract says an absent placement is "not the case", not "unknown".
    let Some(placement) = &answers.nhs_placement else {
        return Verdict::fails_quietly();
    };
    let long_enough = match (placement.setting, placement.weeks) {
        (None, None) => Verdict::Unknown(vec![
            "care_act.nhs_placement.setting".to_owned(),
            "care_act.nhs_placement.weeks".to_owned(),
        ]),
        (Some(_), None) => Verdict::unknown("care_act.nhs_placement.weeks"),
        (Some(PlacementSetting::Hospital), Some(weeks)) => {
            if weeks.get() > 4.0 {
                Verdict::holds(
                    RuleId::Ca5,
                    format!(
                        "An NHS-funded placement in hospital for {weeks} is being considered, \
                         which is more than 4 weeks."
                    ),
                )
            } else {
                Verdict::fails(
                    RuleId::Ca5,
                    format!(
                        "The NHS-funded placement in hospital is for {weeks}, which is not more \
                         than 4 weeks."
                    ),
                )
            }
        }
        (Some(PlacementSetting::CareHome), Some(weeks)) => {
            if weeks.get() >= 8.0 {
                Verdict::holds(
                    RuleId::Ca5,
                    format!(
                        "An NHS-funded placement in a care home for {weeks} is being \
                         considered, which is 8 weeks or more."
                    ),
                )
            } else {
                Verdict::fails(
                    RuleId::Ca5,
                    format!(
                        "The NHS-funded placement in a care home is for {weeks}, which is less \
                         than 8 weeks."
                    ),
                )
            }
        }
        // The setting is one of two, so a length that qualifies in both needs no setting,
        // and one that qualifies in neither is decided too.
        (None, Some(weeks)) if weeks.get() >= 8.0 => Verdict::holds(
            RuleId::Ca5,
            format!(
                "An NHS-funded placement for {weeks} is being considered, which is long enough \
                 in a hospital or a care home."
            ),
        ),
        (None, Some(weeks)) if weeks.get() > 4.0 => {
            Verdict::unknown("care_act.nhs_placement.setting")
        }
        (None, Some(weeks)) => Verdict::fails(
            RuleId::Ca5,
            format!(
                "The NHS-funded placement is for {weeks}, which is too short: it would need to \
                 be more than 4 weeks in hospital, or 8 weeks or more in a care home."
            ),
        ),
    };
    let best_interests = answer(
        placement.advocate_in_best_interests,
        "care_act.nhs_placement.advocate_in_best_interests",
        || {
            Verdict::holds(
                RuleId::Ca5,
                "The authority believes an advocate is in the person's best interests.",
            )
        },
        || {
            Verdict::fails(
                RuleId::Ca5,
                "The authority does not believe an advocate is in the person's best interests.",
            )
        },
    );
    all_of([long_enough, best_interests])
}

fn ca6_disagreement(answers: &CareActAnswers) -> Verdict {
    // As with the placement, an absent disagreement means there is none.
    let Some(disagreement) = &answers.disagreement else {
        return Verdict::fails_quietly();
    };
    answer(
        disagreement.both_agree_advocate_beneficial,
        "care_act.disagreement.both_agree_advocate_beneficial",
        || {
            Verdict::holds(
                RuleId::Ca6,
                "The authority and the appropriate individual disagree, and both agree an \
                 advocate would be beneficial.",
            )
        },
        || {
            Verdict::fails(
                RuleId::Ca6,
                "The authority and the appropriate individual disagree, but they do not both \
                 agree an advocate would be beneficial.",
            )
        },
    )
}

// ---------------------------------------------------------------------------------------
// IMHA, Mental Health Act 1983 (DOMAIN.md §3.2), rules for England
// ---------------------------------------------------------------------------------------

fn imha(answers: Option<&MentalHealthActAnswers>) -> Verdict {
    let unknown = MentalHealthActAnswers::default();
    let answers = answers.unwrap_or(&unknown);
    let by_status = match answers.status {
        None => Verdict::unknown("mental_health_act.status"),
        Some(MentalHealthActStatus::Detained) => mha1_liable_to_be_detained(answers),
        Some(MentalHealthActStatus::Guardianship) => Verdict::holds(
            RuleId::Mha2,
            "The person is subject to guardianship under the Mental Health Act.",
        ),
        Some(MentalHealthActStatus::Cto) => Verdict::holds(
            RuleId::Mha3,
            "The person is a community patient, on a community treatment order.",
        ),
        Some(MentalHealthActStatus::ConditionallyDischargedRestricted) => Verdict::holds(
            RuleId::Mha4,
            "The person is a conditionally discharged restricted patient.",
        ),
        Some(MentalHealthActStatus::Informal) => Verdict::fails(
            RuleId::Mha1,
            "The person is an informal patient, not detained or otherwise subject to the \
             Mental Health Act; in England an informal patient qualifies only when being \
             considered for treatment under section 57 or 58A.",
        ),
        Some(MentalHealthActStatus::None) => Verdict::fails(
            RuleId::Mha1,
            "The person is not detained, under guardianship, on a community treatment order \
             or a conditionally discharged restricted patient.",
        ),
    };
    // MHA-5 applies to any patient, informal ones too, so it is weighed whatever the
    // status.
    let special_treatment = answer(
        answers.considered_for_s57_or_s58a,
        "mental_health_act.considered_for_s57_or_s58a",
        || {
            Verdict::holds(
                RuleId::Mha5,
                "The person is being considered for treatment that needs their consent or a \
                 second opinion (section 57, or section 58A for under-18s).",
            )
        },
        || {
            Verdict::fails(
                RuleId::Mha5,
                "The person is not being considered for treatment under section 57 or 58A.",
            )
        },
    );
    any_of([by_status, special_treatment])
}

fn mha1_liable_to_be_detained(answers: &MentalHealthActAnswers) -> Verdict {
    use MentalHealthActSection as S;
    match answers.section {
        // The section matters because the short-term ones do not qualify.
        None => Verdict::unknown("mental_health_act.section"),
        Some(S::Section4) => answer(
            answers.second_medical_recommendation_received,
            "mental_health_act.second_medical_recommendation_received",
            || {
                Verdict::holds(
                    RuleId::Mha1,
                    "The person is liable to be detained under section 4 and the second \
                     medical recommendation has been received.",
                )
            },
            || {
                Verdict::fails(
                    RuleId::Mha1,
                    "Under section 4 (emergency admission) the person qualifies only once the \
                     second medical recommendation is received, and it has not been.",
                )
            },
        ),
        Some(section @ (S::Section5_2 | S::Section5_4 | S::Section135 | S::Section136)) => {
            let power = match section {
                S::Section5_2 => "a doctor's holding power",
                S::Section5_4 => "a nurse's holding power",
                S::Section135 => "a warrant to take the person to a place of safety",
                _ => "removal to a place of safety by the police",
            };
            Verdict::fails(
                RuleId::Mha1,
                format!(
                    "Section {section} is a short-term power ({power}), which does not give a \
                     right to an IMHA."
                ),
            )
        }
        // Sections 7 and 17A are not detentions. Given with the status "detained" the
        // answers disagree, but either way the person qualifies, so the reason follows the
        // section, which is the more specific answer.
        Some(S::Section7) => Verdict::holds(
            RuleId::Mha2,
            "The person is subject to guardianship under section 7 of the Mental Health Act.",
        ),
        Some(S::Section17A) => Verdict::holds(
            RuleId::Mha3,
            "The person is a community patient, on a community treatment order under section \
             17A of the Mental Health Act.",
        ),
        Some(section) => Verdict::holds(
            RuleId::Mha1,
            format!(
                "The person is liable to be detained under section {section} of the Mental \
                 Health Act."
            ),
        ),
    }
}

// ---------------------------------------------------------------------------------------
// IMCA, Mental Capacity Act 2005 (DOMAIN.md §3.3)
// ---------------------------------------------------------------------------------------

/// The IMCA verdict, and whether eligibility would be a "must" (MCA-1, 2 and 5) or a
/// "may" (MCA-3 and 4).
fn imca(answers: Option<&MentalCapacityActAnswers>) -> (Verdict, Option<bool>) {
    let unknown = MentalCapacityActAnswers::default();
    let answers = answers.unwrap_or(&unknown);
    let decision = answers.decision;
    if decision == Some(CapacityDecision::Other) {
        // No IMCA rule covers this kind of decision, whatever the person's capacity; each
        // rule's reason says what it would have needed.
        let reasons = IMCA_RULES
            .iter()
            .map(|(rule, topic)| Reason::new(*rule, format!("The decision is not about {topic}.")))
            .collect();
        return (Verdict::Fails(reasons), None);
    }
    let rule = decision.and_then(imca_rule);
    let verdict = all_of([
        lacks_capacity(answers.lacks_capacity_for_decision, rule),
        match decision {
            None | Some(CapacityDecision::Other) => {
                Verdict::unknown("mental_capacity_act.decision")
            }
            Some(CapacityDecision::SeriousMedicalTreatment) => {
                mca1_serious_medical_treatment(answers)
            }
            Some(CapacityDecision::Accommodation) => mca2_accommodation(answers),
            Some(CapacityDecision::AccommodationReview) => mca3_accommodation_review(answers),
            Some(CapacityDecision::Safeguarding) => mca4_safeguarding(answers),
            Some(CapacityDecision::Dols) => mca5_deprivation_of_liberty(),
        },
    ]);
    let verdict = match verdict {
        // Urgent treatment goes ahead; the IMCA is still instructed, and the record says
        // why they were not waited for.
        Verdict::Holds(mut reasons)
            if decision == Some(CapacityDecision::SeriousMedicalTreatment)
                && answers.urgent == Some(true) =>
        {
            reasons.push(Reason::new(
                RuleId::Mca1,
                "The treatment is urgent: it need not wait for the IMCA to be instructed. \
                 Record that it was urgent.",
            ));
            Verdict::Holds(reasons)
        }
        other => other,
    };
    let must = rule.map(|rule| matches!(rule, RuleId::Mca1 | RuleId::Mca2 | RuleId::Mca5));
    (verdict, must)
}

/// Each IMCA rule and the kind of decision it covers, in words.
const IMCA_RULES: [(RuleId, &str); 5] = [
    (RuleId::Mca1, "serious medical treatment"),
    (RuleId::Mca2, "a move into accommodation"),
    (RuleId::Mca3, "a review of accommodation"),
    (RuleId::Mca4, "adult safeguarding"),
    (RuleId::Mca5, "the Deprivation of Liberty Safeguards"),
];

fn imca_rule(decision: CapacityDecision) -> Option<RuleId> {
    match decision {
        CapacityDecision::SeriousMedicalTreatment => Some(RuleId::Mca1),
        CapacityDecision::Accommodation => Some(RuleId::Mca2),
        CapacityDecision::AccommodationReview => Some(RuleId::Mca3),
        CapacityDecision::Safeguarding => Some(RuleId::Mca4),
        CapacityDecision::Dols => Some(RuleId::Mca5),
        CapacityDecision::Other => None,
    }
}

/// Lacking capacity for the decision is part of every IMCA rule. Its reason is given
/// under the rule the decision engages; while the decision is unknown, a person with
/// capacity fails every rule, so each gets its own reason.
fn lacks_capacity(value: Option<bool>, rule: Option<RuleId>) -> Verdict {
    match (value, rule) {
        (None, _) => Verdict::unknown("mental_capacity_act.lacks_capacity_for_decision"),
        (Some(true), Some(rule)) => {
            Verdict::holds(rule, "The person lacks capacity to make this decision.")
        }
        // The decision is still unknown, so the overall verdict will be too; this reason
        // is never shown.
        (Some(true), None) => Verdict::Holds(Vec::new()),
        (Some(false), Some(rule)) => Verdict::fails(
            rule,
            "The person has capacity to make this decision, so an IMCA is not needed.",
        ),
        (Some(false), None) => Verdict::Fails(
            IMCA_RULES
                .iter()
                .map(|(rule, topic)| {
                    Reason::new(
                        *rule,
                        format!(
                            "The person has capacity to make this decision, so an IMCA is not \
                             needed for {topic}."
                        ),
                    )
                })
                .collect(),
        ),
    }
}

fn no_one_to_consult(answers: &MentalCapacityActAnswers, rule: RuleId) -> Verdict {
    answer(
        answers.anyone_appropriate_to_consult,
        "mental_capacity_act.anyone_appropriate_to_consult",
        || {
            Verdict::fails(
                rule,
                "There is someone, other than paid carers, whom it is appropriate to consult.",
            )
        },
        || {
            Verdict::holds(
                rule,
                "There is no one, other than paid carers, whom it is appropriate to consult.",
            )
        },
    )
}

fn mca1_serious_medical_treatment(answers: &MentalCapacityActAnswers) -> Verdict {
    let by_nhs_body = match answers.arranged_by {
        None => Verdict::unknown("mental_capacity_act.arranged_by"),
        Some(ArrangedBy::Nhs) => Verdict::holds(
            RuleId::Mca1,
            "Serious medical treatment is proposed by an NHS body.",
        ),
        Some(_) => Verdict::fails(
            RuleId::Mca1,
            "The serious medical treatment is not proposed by an NHS body.",
        ),
    };
    all_of([by_nhs_body, no_one_to_consult(answers, RuleId::Mca1)])
}

fn mca2_accommodation(answers: &MentalCapacityActAnswers) -> Verdict {
    all_of([
        accommodation(answers, Purpose::Move),
        no_one_to_consult(answers, RuleId::Mca2),
    ])
}

fn mca3_accommodation_review(answers: &MentalCapacityActAnswers) -> Verdict {
    all_of([
        accommodation(answers, Purpose::Review),
        no_one_to_consult(answers, RuleId::Mca3),
    ])
}

fn mca4_safeguarding(answers: &MentalCapacityActAnswers) -> Verdict {
    // Safeguarding is the one IMCA power that does not depend on there being no one to
    // consult, so that answer only changes the wording.
    let text = if answers.anyone_appropriate_to_consult == Some(true) {
        "Adult safeguarding: an IMCA may be instructed, even though there are family or \
         friends who could be consulted."
    } else {
        "Adult safeguarding: an IMCA may be instructed to support the person."
    };
    Verdict::holds(RuleId::Mca4, text)
}

fn mca5_deprivation_of_liberty() -> Verdict {
    Verdict::holds(
        RuleId::Mca5,
        "The decision concerns the Deprivation of Liberty Safeguards, where an IMCA must be \
         instructed in the roles under sections 39A, 39C and 39D.",
    )
}

/// Whether the accommodation question is a move (MCA-2) or a care review (MCA-3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Move,
    Review,
}

/// One way accommodation can qualify: who arranges it, where (for the NHS), and how long
/// it must be expected to last (for a move).
struct AccommodationRoute {
    arranged_by: ArrangedBy,
    setting: Option<AccommodationSetting>,
    more_than_days: f64,
}

/// The three routes of MCA-2: an NHS hospital for more than 28 days, an NHS care home for
/// more than 8 weeks, and local-authority long-term accommodation (more than 8 weeks) in
/// any setting. MCA-3 reviews the same kinds of accommodation, whatever their length.
const ACCOMMODATION_ROUTES: [AccommodationRoute; 3] = [
    AccommodationRoute {
        arranged_by: ArrangedBy::Nhs,
        setting: Some(AccommodationSetting::Hospital),
        more_than_days: 28.0,
    },
    AccommodationRoute {
        arranged_by: ArrangedBy::Nhs,
        setting: Some(AccommodationSetting::CareHome),
        more_than_days: 56.0,
    },
    AccommodationRoute {
        arranged_by: ArrangedBy::LocalAuthority,
        setting: None,
        more_than_days: 56.0,
    },
];

fn accommodation(answers: &MentalCapacityActAnswers, purpose: Purpose) -> Verdict {
    let rule = match purpose {
        Purpose::Move => RuleId::Mca2,
        Purpose::Review => RuleId::Mca3,
    };
    let mut missing_arranged_by = false;
    let mut missing_setting = false;
    let mut missing_weeks = false;
    let mut any_unknown = false;
    for route in &ACCOMMODATION_ROUTES {
        let arranged = answers.arranged_by.map(|a| a == route.arranged_by);
        let setting = match route.setting {
            None => Some(true),
            Some(wanted) => answers.setting.map(|s| s == wanted),
        };
        let long_enough = match purpose {
            Purpose::Review => Some(true),
            Purpose::Move => answers
                .duration_weeks
                .map(|weeks| weeks.days() > route.more_than_days),
        };
        let parts = [arranged, setting, long_enough];
        if parts.contains(&Some(false)) {
            continue;
        }
        if parts.iter().all(|part| *part == Some(true)) {
            return Verdict::holds(
                rule,
                accommodation_holds_text(route, purpose, answers.duration_weeks),
            );
        }
        any_unknown = true;
        missing_arranged_by |= arranged.is_none();
        missing_setting |= setting.is_none();
        missing_weeks |= long_enough.is_none();
    }
    if any_unknown {
        let paths = [
            (missing_arranged_by, "mental_capacity_act.arranged_by"),
            (missing_setting, "mental_capacity_act.setting"),
            (missing_weeks, "mental_capacity_act.duration_weeks"),
        ];
        return Verdict::Unknown(
            paths
                .iter()
                .filter(|(missing, _)| *missing)
                .map(|(_, path)| (*path).to_owned())
                .collect(),
        );
    }
    Verdict::fails(rule, accommodation_fails_text(answers, purpose))
}

fn accommodation_holds_text(
    route: &AccommodationRoute,
    purpose: Purpose,
    weeks: Option<Weeks>,
) -> String {
    let place = match (route.arranged_by, route.setting) {
        (ArrangedBy::Nhs, Some(AccommodationSetting::Hospital)) => {
            "accommodation arranged by the NHS in a hospital"
        }
        (ArrangedBy::Nhs, _) => "accommodation arranged by the NHS in a care home",
        _ => "long-term accommodation arranged by the local authority",
    };
    match (purpose, weeks) {
        (Purpose::Review, _) => format!("This is a care review of {place}."),
        (Purpose::Move, Some(weeks)) => {
            let limit = if route.more_than_days == 28.0 {
                "more than 28 days"
            } else {
                "more than 8 weeks"
            };
            format!("The decision is about {place}, expected to last {weeks}, which is {limit}.")
        }
        // A move only holds once its length is known, so this arm is never reached; it
        // still gives honest words rather than a panic.
        (Purpose::Move, None) => format!("The decision is about {place}."),
    }
}

fn accommodation_fails_text(answers: &MentalCapacityActAnswers, purpose: Purpose) -> String {
    match (answers.arranged_by, answers.setting) {
        (Some(ArrangedBy::Other), _) => match purpose {
            Purpose::Move => "The accommodation is not arranged by the NHS or a local \
                              authority, so there is no duty to instruct an IMCA for it."
                .to_owned(),
            Purpose::Review => {
                "The accommodation under review is not arranged by the NHS or a local authority."
                    .to_owned()
            }
        },
        (Some(ArrangedBy::Nhs), Some(AccommodationSetting::Other)) => {
            "Accommodation arranged by the NHS is covered only in a hospital or a care home."
                .to_owned()
        }
        (arranged_by, setting) => {
            let weeks = answers
                .duration_weeks
                .map(|weeks| weeks.to_string())
                .unwrap_or_else(|| "this length".to_owned());
            match (arranged_by, setting) {
                (Some(ArrangedBy::Nhs), Some(AccommodationSetting::Hospital)) => {
                    format!("A stay in hospital of {weeks} is not more than 28 days.")
                }
                (Some(ArrangedBy::Nhs), Some(AccommodationSetting::CareHome)) => {
                    format!("A stay in a care home of {weeks} is not more than 8 weeks.")
                }
                (Some(ArrangedBy::LocalAuthority), _) => {
                    format!("A stay of {weeks} is not long-term accommodation (more than 8 weeks).")
                }
                _ => format!(
                    "A stay of {weeks} is too short: an IMCA is needed for more than 28 days \
                     in an NHS hospital, or more than 8 weeks in a care home or in long-term \
                     accommodation arranged by a local authority."
                ),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// NHS complaints advocacy (DOMAIN.md §3.4)
// ---------------------------------------------------------------------------------------

fn nhs_complaints(answers: Option<&NhsComplaintAnswers>) -> Verdict {
    answer(
        answers.and_then(|a| a.wants_to_complain_about_nhs_funded_service),
        "nhs_complaint.wants_to_complain_about_nhs_funded_service",
        || {
            Verdict::holds(
                RuleId::Nhsc1,
                "The person wants to complain about a service provided or funded by the NHS. \
                 Support can be a self-help pack, information and options, or an advocate; \
                 record which was given.",
            )
        },
        || {
            Verdict::fails(
                RuleId::Nhsc1,
                "The person does not want to complain about a service provided or funded by \
                 the NHS.",
            )
        },
    )
}
