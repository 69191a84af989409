//! The answers an eligibility check is asked about, exactly as `contracts/eligibility.md`
//! spells them.
//!
//! Every section and every field is an `Option`: `None` means the answer is *unknown*,
//! never that it is false. The one deliberate exception is written down by the contract
//! itself: `care_act.nhs_placement` and `care_act.disagreement` are absent when they are
//! not the case. Unknown fields are rejected everywhere so that a misspelt answer is
//! reported instead of being silently read as unknown.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The whole request: one optional section per statutory duty.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EligibilityRequest {
    pub care_act: Option<CareActAnswers>,
    pub mental_health_act: Option<MentalHealthActAnswers>,
    pub mental_capacity_act: Option<MentalCapacityActAnswers>,
    pub nhs_complaint: Option<NhsComplaintAnswers>,
}

/// Answers for Care Act 2014 advocacy (rules CA-1 to CA-6).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CareActAnswers {
    pub appears_to_have_needs: Option<bool>,
    pub process: Option<CareActProcess>,
    pub substantial_difficulty: Option<SubstantialDifficulty>,
    /// The candidates known. `Some(vec![])` means "known: nobody"; `None` means nobody
    /// has asked yet.
    pub appropriate_individuals: Option<Vec<AppropriateIndividual>>,
    /// `None` when no NHS-funded placement is being considered.
    pub nhs_placement: Option<NhsPlacement>,
    /// `None` when the authority and the appropriate individual do not disagree.
    pub disagreement: Option<Disagreement>,
}

/// The Care Act processes a person may be required to take part in (CA-2), plus `none`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CareActProcess {
    NeedsAssessment,
    CarersAssessment,
    CareAndSupportPlan,
    SupportPlan,
    CareAndSupportPlanReview,
    SupportPlanReview,
    ChildNeedsAssessment,
    ChildCarersAssessment,
    YoungCarersAssessment,
    SafeguardingEnquiry,
    SafeguardingAdultReview,
    None,
}

impl CareActProcess {
    /// Every value, in the order the contract lists them.
    pub const ALL: [CareActProcess; 12] = [
        CareActProcess::NeedsAssessment,
        CareActProcess::CarersAssessment,
        CareActProcess::CareAndSupportPlan,
        CareActProcess::SupportPlan,
        CareActProcess::CareAndSupportPlanReview,
        CareActProcess::SupportPlanReview,
        CareActProcess::ChildNeedsAssessment,
        CareActProcess::ChildCarersAssessment,
        CareActProcess::YoungCarersAssessment,
        CareActProcess::SafeguardingEnquiry,
        CareActProcess::SafeguardingAdultReview,
        CareActProcess::None,
    ];

    /// The section of the Care Act 2014 a case under this process falls under: 67 for
    /// assessment, planning and review, 68 for safeguarding. A case records which one,
    /// so this is the single place that decides it.
    pub fn care_act_section(self) -> Option<u8> {
        match self {
            CareActProcess::SafeguardingEnquiry | CareActProcess::SafeguardingAdultReview => {
                Some(68)
            }
            CareActProcess::None => None,
            _ => Some(67),
        }
    }

    /// Whether being the subject of this process shows by itself that the person is a
    /// carer, or a child or young carer being assessed for transition (the second and
    /// third limbs of CA-1).
    pub fn shows_carer_or_transition(self) -> bool {
        matches!(
            self,
            CareActProcess::CarersAssessment
                | CareActProcess::ChildNeedsAssessment
                | CareActProcess::ChildCarersAssessment
                | CareActProcess::YoungCarersAssessment
        )
    }
}

/// The four areas of substantial difficulty (CA-3).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubstantialDifficulty {
    pub understanding: Option<bool>,
    pub retaining: Option<bool>,
    pub using_or_weighing: Option<bool>,
    pub communicating: Option<bool>,
}

/// Someone who might support the person's involvement (CA-4). Each flag, when true,
/// makes them not appropriate (CA-4a to CA-4d).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppropriateIndividual {
    pub relationship: Option<String>,
    pub paid_or_professional_carer: Option<bool>,
    pub person_does_not_want_them: Option<bool>,
    pub unable_or_unavailable: Option<bool>,
    pub implicated_in_abuse_or_neglect: Option<bool>,
}

/// An NHS-funded placement being considered (CA-5).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NhsPlacement {
    pub setting: Option<PlacementSetting>,
    pub weeks: Option<Weeks>,
    pub advocate_in_best_interests: Option<bool>,
}

/// Where an NHS-funded placement would be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlacementSetting {
    Hospital,
    CareHome,
}

impl PlacementSetting {
    /// Every value, in the order the contract lists them.
    pub const ALL: [PlacementSetting; 2] = [PlacementSetting::Hospital, PlacementSetting::CareHome];
}

/// A disagreement between the authority and the appropriate individual (CA-6).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Disagreement {
    pub both_agree_advocate_beneficial: Option<bool>,
}

/// Answers for IMHA under the Mental Health Act 1983 (rules MHA-1 to MHA-5).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MentalHealthActAnswers {
    pub status: Option<MentalHealthActStatus>,
    pub section: Option<MentalHealthActSection>,
    pub second_medical_recommendation_received: Option<bool>,
    pub considered_for_s57_or_s58a: Option<bool>,
}

/// How the person is subject to the Mental Health Act, if at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MentalHealthActStatus {
    Detained,
    Guardianship,
    Cto,
    ConditionallyDischargedRestricted,
    Informal,
    None,
}

impl MentalHealthActStatus {
    /// Every value, in the order the contract lists them.
    pub const ALL: [MentalHealthActStatus; 6] = [
        MentalHealthActStatus::Detained,
        MentalHealthActStatus::Guardianship,
        MentalHealthActStatus::Cto,
        MentalHealthActStatus::ConditionallyDischargedRestricted,
        MentalHealthActStatus::Informal,
        MentalHealthActStatus::None,
    ];
}

/// A section of the Mental Health Act 1983, written as it is in law ("5(2)", "37/41").
///
/// It is an enum rather than free text so that a mistyped section is an invalid request
/// instead of a detention the rules silently treat as qualifying.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MentalHealthActSection {
    #[serde(rename = "2")]
    Section2,
    #[serde(rename = "3")]
    Section3,
    #[serde(rename = "4")]
    Section4,
    #[serde(rename = "5(2)")]
    Section5_2,
    #[serde(rename = "5(4)")]
    Section5_4,
    #[serde(rename = "7")]
    Section7,
    #[serde(rename = "17A")]
    Section17A,
    #[serde(rename = "35")]
    Section35,
    #[serde(rename = "36")]
    Section36,
    #[serde(rename = "37")]
    Section37,
    #[serde(rename = "37/41")]
    Section37_41,
    #[serde(rename = "38")]
    Section38,
    #[serde(rename = "41")]
    Section41,
    #[serde(rename = "45A")]
    Section45A,
    #[serde(rename = "47")]
    Section47,
    #[serde(rename = "47/49")]
    Section47_49,
    #[serde(rename = "48")]
    Section48,
    #[serde(rename = "48/49")]
    Section48_49,
    #[serde(rename = "135")]
    Section135,
    #[serde(rename = "136")]
    Section136,
}

impl MentalHealthActSection {
    /// Every section the engine knows, in numerical order.
    pub const ALL: [MentalHealthActSection; 20] = [
        MentalHealthActSection::Section2,
        MentalHealthActSection::Section3,
        MentalHealthActSection::Section4,
        MentalHealthActSection::Section5_2,
        MentalHealthActSection::Section5_4,
        MentalHealthActSection::Section7,
        MentalHealthActSection::Section17A,
        MentalHealthActSection::Section35,
        MentalHealthActSection::Section36,
        MentalHealthActSection::Section37,
        MentalHealthActSection::Section37_41,
        MentalHealthActSection::Section38,
        MentalHealthActSection::Section41,
        MentalHealthActSection::Section45A,
        MentalHealthActSection::Section47,
        MentalHealthActSection::Section47_49,
        MentalHealthActSection::Section48,
        MentalHealthActSection::Section48_49,
        MentalHealthActSection::Section135,
        MentalHealthActSection::Section136,
    ];

    /// The section as written in law, which is also its JSON value.
    pub fn as_str(self) -> &'static str {
        match self {
            MentalHealthActSection::Section2 => "2",
            MentalHealthActSection::Section3 => "3",
            MentalHealthActSection::Section4 => "4",
            MentalHealthActSection::Section5_2 => "5(2)",
            MentalHealthActSection::Section5_4 => "5(4)",
            MentalHealthActSection::Section7 => "7",
            MentalHealthActSection::Section17A => "17A",
            MentalHealthActSection::Section35 => "35",
            MentalHealthActSection::Section36 => "36",
            MentalHealthActSection::Section37 => "37",
            MentalHealthActSection::Section37_41 => "37/41",
            MentalHealthActSection::Section38 => "38",
            MentalHealthActSection::Section41 => "41",
            MentalHealthActSection::Section45A => "45A",
            MentalHealthActSection::Section47 => "47",
            MentalHealthActSection::Section47_49 => "47/49",
            MentalHealthActSection::Section48 => "48",
            MentalHealthActSection::Section48_49 => "48/49",
            MentalHealthActSection::Section135 => "135",
            MentalHealthActSection::Section136 => "136",
        }
    }
}

impl fmt::Display for MentalHealthActSection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Answers for IMCA under the Mental Capacity Act 2005 (rules MCA-1 to MCA-5).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MentalCapacityActAnswers {
    pub lacks_capacity_for_decision: Option<bool>,
    pub decision: Option<CapacityDecision>,
    pub arranged_by: Option<ArrangedBy>,
    pub setting: Option<AccommodationSetting>,
    pub duration_weeks: Option<Weeks>,
    pub anyone_appropriate_to_consult: Option<bool>,
    pub urgent: Option<bool>,
}

/// The kind of decision the person lacks capacity to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CapacityDecision {
    SeriousMedicalTreatment,
    Accommodation,
    AccommodationReview,
    Safeguarding,
    Dols,
    Other,
}

impl CapacityDecision {
    /// Every value, in the order the contract lists them.
    pub const ALL: [CapacityDecision; 6] = [
        CapacityDecision::SeriousMedicalTreatment,
        CapacityDecision::Accommodation,
        CapacityDecision::AccommodationReview,
        CapacityDecision::Safeguarding,
        CapacityDecision::Dols,
        CapacityDecision::Other,
    ];
}

/// Who arranges the treatment or accommodation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArrangedBy {
    Nhs,
    LocalAuthority,
    Other,
}

impl ArrangedBy {
    /// Every value, in the order the contract lists them.
    pub const ALL: [ArrangedBy; 3] = [
        ArrangedBy::Nhs,
        ArrangedBy::LocalAuthority,
        ArrangedBy::Other,
    ];
}

/// Where the accommodation is (for `accommodation` and `accommodation_review`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccommodationSetting {
    Hospital,
    CareHome,
    Other,
}

impl AccommodationSetting {
    /// Every value, in the order the contract lists them.
    pub const ALL: [AccommodationSetting; 3] = [
        AccommodationSetting::Hospital,
        AccommodationSetting::CareHome,
        AccommodationSetting::Other,
    ];
}

/// Answers for NHS complaints advocacy (rule NHSC-1).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NhsComplaintAnswers {
    pub wants_to_complain_about_nhs_funded_service: Option<bool>,
}

/// A length of stay in weeks: a finite number, zero or more, possibly fractional
/// ("4.5 weeks").
///
/// It is built only through [`Weeks::new`] or deserialization, both of which refuse a
/// negative number, so the rules never meet one.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Weeks(f64);

/// The text a negative or non-finite number of weeks fails with. The parser looks for it
/// to tell "negative" apart from "not a number" when it words the error for a person.
pub(super) const NEGATIVE_WEEKS: &str = "a number of weeks must not be negative";

impl Weeks {
    /// Accepts zero or more weeks; refuses negative and non-finite numbers.
    pub fn new(weeks: f64) -> Option<Weeks> {
        (weeks.is_finite() && weeks >= 0.0).then_some(Weeks(weeks))
    }

    pub fn get(self) -> f64 {
        self.0
    }

    /// The number of days, for the boundaries written in days (28 days in MCA-2).
    pub fn days(self) -> f64 {
        self.0 * 7.0
    }
}

impl fmt::Display for Weeks {
    /// Writes "1 week", "6 weeks", or, for a part week that is a whole number of days,
    /// "30 days": people count short stays in days, and "4.285714 weeks" helps nobody.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let weeks = self.0;
        let days = weeks * 7.0;
        if weeks.fract() == 0.0 {
            let plural = if weeks == 1.0 { "" } else { "s" };
            write!(f, "{weeks} week{plural}")
        } else if (days - days.round()).abs() < 1e-9 {
            let days = days.round();
            let plural = if days == 1.0 { "" } else { "s" };
            write!(f, "{days} day{plural}")
        } else {
            write!(f, "{weeks} weeks")
        }
    }
}

impl Serialize for Weeks {
    /// Writes a whole number of weeks as a JSON integer, so `6` read in is `6` written
    /// out, not `6.0`.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Whole numbers below 2^53 are exactly representable both ways.
        if self.0.fract() == 0.0 && self.0 < 9_007_199_254_740_992.0 {
            serializer.serialize_u64(self.0 as u64)
        } else {
            serializer.serialize_f64(self.0)
        }
    }
}

impl<'de> Deserialize<'de> for Weeks {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let weeks = f64::deserialize(deserializer)?;
        Weeks::new(weeks).ok_or_else(|| serde::de::Error::custom(NEGATIVE_WEEKS))
    }
}
