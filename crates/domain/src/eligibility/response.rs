//! The answer of an eligibility check, exactly as `contracts/eligibility.md` spells it.
//!
//! These types serialize to the contract's JSON and read it back, so the web and CLI
//! crates never build the JSON by hand and tests can compare whole responses.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The whole answer: always the four statutory duties, in [`Duty::ALL`] order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EligibilityResponse {
    pub duties: Vec<DutyAssessment>,
}

impl EligibilityResponse {
    /// The assessment of one duty.
    pub fn duty(&self, duty: Duty) -> Option<&DutyAssessment> {
        self.duties.iter().find(|d| d.duty == duty)
    }
}

/// The answer for one duty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DutyAssessment {
    pub duty: Duty,
    pub outcome: EligibilityOutcome,
    /// `Some(true)`: the body must appoint or instruct; `Some(false)`: it may. `None`
    /// (JSON `null`) unless the outcome is eligible.
    pub must: Option<bool>,
    /// The rules that decided the outcome; empty when more information is needed.
    pub reasons: Vec<Reason>,
    /// Dotted paths of the unknown answers that would decide it; empty unless the outcome
    /// is `needs_information`.
    pub missing: Vec<String>,
}

/// The four statutory duties, each a separate legal route into advocacy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Duty {
    CareAct,
    Imha,
    Imca,
    NhsComplaints,
}

impl Duty {
    /// The order in which the response lists the duties.
    pub const ALL: [Duty; 4] = [Duty::CareAct, Duty::Imha, Duty::Imca, Duty::NhsComplaints];
}

/// Whether a duty applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EligibilityOutcome {
    Eligible,
    NotEligible,
    NeedsInformation,
}

/// One rule that decided an outcome, with words a person could be shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    pub rule: RuleId,
    pub text: String,
}

impl Reason {
    pub fn new(rule: RuleId, text: impl Into<String>) -> Self {
        Reason {
            rule,
            text: text.into(),
        }
    }
}

/// The rule ids of DOMAIN.md §3. The JSON value is the id as written there ("CA-4b").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RuleId {
    #[serde(rename = "CA-1")]
    Ca1,
    #[serde(rename = "CA-2")]
    Ca2,
    #[serde(rename = "CA-3")]
    Ca3,
    #[serde(rename = "CA-4")]
    Ca4,
    #[serde(rename = "CA-4a")]
    Ca4a,
    #[serde(rename = "CA-4b")]
    Ca4b,
    #[serde(rename = "CA-4c")]
    Ca4c,
    #[serde(rename = "CA-4d")]
    Ca4d,
    #[serde(rename = "CA-5")]
    Ca5,
    #[serde(rename = "CA-6")]
    Ca6,
    #[serde(rename = "MHA-1")]
    Mha1,
    #[serde(rename = "MHA-2")]
    Mha2,
    #[serde(rename = "MHA-3")]
    Mha3,
    #[serde(rename = "MHA-4")]
    Mha4,
    #[serde(rename = "MHA-5")]
    Mha5,
    #[serde(rename = "MCA-1")]
    Mca1,
    #[serde(rename = "MCA-2")]
    Mca2,
    #[serde(rename = "MCA-3")]
    Mca3,
    #[serde(rename = "MCA-4")]
    Mca4,
    #[serde(rename = "MCA-5")]
    Mca5,
    #[serde(rename = "NHSC-1")]
    Nhsc1,
}

/// Every rule id the engine can give as a reason, in DOMAIN.md order. Tests check that
/// each one is reachable; other tools can use it to list or translate the rules.
pub const ALL_RULE_IDS: [RuleId; 21] = [
    RuleId::Ca1,
    RuleId::Ca2,
    RuleId::Ca3,
    RuleId::Ca4,
    RuleId::Ca4a,
    RuleId::Ca4b,
    RuleId::Ca4c,
    RuleId::Ca4d,
    RuleId::Ca5,
    RuleId::Ca6,
    RuleId::Mha1,
    RuleId::Mha2,
    RuleId::Mha3,
    RuleId::Mha4,
    RuleId::Mha5,
    RuleId::Mca1,
    RuleId::Mca2,
    RuleId::Mca3,
    RuleId::Mca4,
    RuleId::Mca5,
    RuleId::Nhsc1,
];

impl RuleId {
    /// The id as DOMAIN.md writes it, which is also its JSON value.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleId::Ca1 => "CA-1",
            RuleId::Ca2 => "CA-2",
            RuleId::Ca3 => "CA-3",
            RuleId::Ca4 => "CA-4",
            RuleId::Ca4a => "CA-4a",
            RuleId::Ca4b => "CA-4b",
            RuleId::Ca4c => "CA-4c",
            RuleId::Ca4d => "CA-4d",
            RuleId::Ca5 => "CA-5",
            RuleId::Ca6 => "CA-6",
            RuleId::Mha1 => "MHA-1",
            RuleId::Mha2 => "MHA-2",
            RuleId::Mha3 => "MHA-3",
            RuleId::Mha4 => "MHA-4",
            RuleId::Mha5 => "MHA-5",
            RuleId::Mca1 => "MCA-1",
            RuleId::Mca2 => "MCA-2",
            RuleId::Mca3 => "MCA-3",
            RuleId::Mca4 => "MCA-4",
            RuleId::Mca5 => "MCA-5",
            RuleId::Nhsc1 => "NHSC-1",
        }
    }

    /// The duty the rule belongs to.
    pub fn duty(self) -> Duty {
        match self {
            RuleId::Ca1
            | RuleId::Ca2
            | RuleId::Ca3
            | RuleId::Ca4
            | RuleId::Ca4a
            | RuleId::Ca4b
            | RuleId::Ca4c
            | RuleId::Ca4d
            | RuleId::Ca5
            | RuleId::Ca6 => Duty::CareAct,
            RuleId::Mha1 | RuleId::Mha2 | RuleId::Mha3 | RuleId::Mha4 | RuleId::Mha5 => Duty::Imha,
            RuleId::Mca1 | RuleId::Mca2 | RuleId::Mca3 | RuleId::Mca4 | RuleId::Mca5 => Duty::Imca,
            RuleId::Nhsc1 => Duty::NhsComplaints,
        }
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
