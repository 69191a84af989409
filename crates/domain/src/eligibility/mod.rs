//! The eligibility engine: which statutory advocacy duties apply to a person.
//!
//! The JSON in and out is fixed by `contracts/eligibility.md`, because the HTTP API, the
//! CLI and other tools all speak it; the rules and their ids are those of DOMAIN.md §3.
//!
//! - [`parse_request`] reads request JSON, refusing anything the contract does not allow
//!   with an [`InvalidRequest`] that names the field.
//! - [`assess`] decides each of the four duties: eligible (a "must" or a "may"), not
//!   eligible, or needs information (naming the unknown answers), with the reasons.
//!
//! Nothing here does IO or stores anything; recording a decision is a separate step.

mod parse;
mod request;
mod response;
mod rules;

#[cfg(test)]
mod tests;

pub use parse::{InvalidRequest, parse_request};
pub use request::{
    AccommodationSetting, AppropriateIndividual, ArrangedBy, CapacityDecision, CareActAnswers,
    CareActProcess, Disagreement, EligibilityRequest, MentalCapacityActAnswers,
    MentalHealthActAnswers, MentalHealthActSection, MentalHealthActStatus, NhsComplaintAnswers,
    NhsPlacement, PlacementSetting, SubstantialDifficulty, Weeks,
};
pub use response::{
    ALL_RULE_IDS, Duty, DutyAssessment, EligibilityOutcome, EligibilityResponse, Reason, RuleId,
};
pub use rules::assess;
