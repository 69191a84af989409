//! Turning request JSON into [`EligibilityRequest`], or into an error that names the field
//! in words a social worker understands.
//!
//! serde's own messages ("invalid type: string \"yes\", expected a boolean at line 3
//! column 40") are written for programmers. We keep serde for the parsing, take the
//! dotted path of the failure from `serde_path_to_error`, and word the message from what
//! the contract expects at that path.

use advocase_i18n::msg;
use serde::Serialize;
use serde_json::error::Category;
use serde_path_to_error::Segment;

use crate::validation::FieldError;

use super::request::{
    AccommodationSetting, ArrangedBy, CapacityDecision, CareActProcess, EligibilityRequest,
    MentalHealthActSection, MentalHealthActStatus, NEGATIVE_WEEKS, PlacementSetting,
};

/// Why a request could not be read: the dotted path of the wrong field
/// (`care_act.process`, `care_act.appropriate_individuals[0].relationship`, or `""` for
/// the whole body) and a message that names it.
pub type InvalidRequest = FieldError;

/// Reads an eligibility request from JSON.
///
/// Malformed JSON, a wrong type, an unknown field, an unknown choice, an unknown Mental
/// Health Act section and a negative number of weeks are all refused with the field
/// named; nothing is guessed.
pub fn parse_request(json: &str) -> Result<EligibilityRequest, InvalidRequest> {
    let mut deserializer = serde_json::Deserializer::from_str(json);
    let request: EligibilityRequest =
        serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
            let path = path_segments(error.path());
            // serde_json reports a number or `true` where a choice (an enum) belongs as a
            // syntax error. When the text as a whole is well-formed JSON, it is really a
            // wrong type at that field, and the person needs the field named.
            let well_formed = serde_json::from_str::<serde_json::Value>(json).is_ok();
            if well_formed && error.inner().classify() != Category::Data {
                describe_data_error(&path, &error.inner().to_string())
            } else {
                describe(&path, error.inner())
            }
        })?;
    // Text after the closing brace is as malformed as text missing from inside it.
    deserializer.end().map_err(|error| describe(&[], &error))?;
    Ok(request)
}

/// One step of a path into the request.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
}

fn path_segments(path: &serde_path_to_error::Path) -> Vec<Step> {
    path.iter()
        .filter_map(|segment| match segment {
            Segment::Map { key } => Some(Step::Key(key.clone())),
            Segment::Seq { index } => Some(Step::Index(*index)),
            // Our request has no enums with data and no maps with non-string keys, so
            // these never carry a field name worth showing.
            Segment::Enum { .. } | Segment::Unknown => None,
        })
        .collect()
}

/// Writes a path the way the contract does: `care_act.appropriate_individuals[0].relationship`.
fn dotted(path: &[Step]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Key(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Step::Index(index) => {
                out.push_str(&format!("[{index}]"));
            }
        }
    }
    out
}

fn describe(path: &[Step], error: &serde_json::Error) -> InvalidRequest {
    let at = |key: advocase_i18n::MessageKey| {
        key.with("line", error.line())
            .with("column", error.column())
    };
    match error.classify() {
        Category::Syntax if error.to_string().starts_with("trailing characters") => {
            FieldError::new("", at(msg::ELIGIBILITY_TRAILING_TEXT))
        }
        Category::Syntax | Category::Io => FieldError::new("", at(msg::ELIGIBILITY_NOT_JSON)),
        Category::Eof => FieldError::new("", msg::ELIGIBILITY_INCOMPLETE),
        Category::Data => describe_data_error(path, &error.to_string()),
    }
}

/// Words a data error (wrong type, unknown field, unknown choice, negative weeks). The
/// raw serde message is only consulted to tell these kinds apart, never shown.
fn describe_data_error(path: &[Step], raw: &str) -> InvalidRequest {
    if raw.starts_with("unknown field") {
        let field = dotted(path);
        let parent = &path[..path.len().saturating_sub(1)];
        let allowed = match expected_at(parent) {
            Some(Expected::Object { fields, .. }) => fields.join(", "),
            _ => String::new(),
        };
        let message = if parent.is_empty() {
            msg::ELIGIBILITY_UNKNOWN_FIELD_AT_TOP
                .with("field", &field)
                .with("allowed", allowed)
        } else {
            msg::ELIGIBILITY_UNKNOWN_FIELD_IN
                .with("field", &field)
                .with("parent", dotted(parent))
                .with("allowed", allowed)
        };
        return FieldError::new(field, message);
    }
    if let Some(name) = raw
        .strip_prefix("duplicate field `")
        .and_then(|rest| rest.split('`').next())
    {
        let mut full = path.to_vec();
        full.push(Step::Key(name.to_owned()));
        let field = dotted(&full);
        return FieldError::new(
            field.clone(),
            msg::ELIGIBILITY_GIVEN_TWICE.with("field", field),
        );
    }

    let field = dotted(path);
    let named = |key: advocase_i18n::MessageKey| key.with("field", &field);
    let message = match expected_at(path) {
        None => named(msg::ELIGIBILITY_NOT_ASKED),
        Some(Expected::Object { fields, null_means }) => {
            if path.is_empty() {
                msg::ELIGIBILITY_NOT_AN_OBJECT.with("sections", fields.join(", "))
            } else {
                named(msg::ELIGIBILITY_GROUP)
                    .with("fields", fields.join(", "))
                    .with("null_means", null_means)
            }
        }
        Some(Expected::Bool) => named(msg::ELIGIBILITY_TRUE_OR_FALSE),
        Some(Expected::Text) => named(msg::ELIGIBILITY_TEXT),
        Some(Expected::Choice(values)) => named(msg::ELIGIBILITY_CHOICE).with("values", values),
        Some(Expected::Section) => named(msg::ELIGIBILITY_SECTION).with(
            "sections",
            MentalHealthActSection::ALL.map(|s| s.as_str()).join(", "),
        ),
        Some(Expected::Weeks) => {
            if raw.contains(NEGATIVE_WEEKS) {
                named(msg::ELIGIBILITY_WEEKS_NEGATIVE)
            } else {
                named(msg::ELIGIBILITY_WEEKS)
            }
        }
        Some(Expected::List) => named(msg::ELIGIBILITY_LIST),
    };
    FieldError::new(field, message)
}

/// What the contract expects at a path; used only to word errors.
enum Expected {
    Object {
        fields: &'static [&'static str],
        null_means: advocase_i18n::MessageKey,
    },
    Bool,
    Text,
    Choice(String),
    Section,
    Weeks,
    List,
}

pub(super) const REQUEST_FIELDS: &[&str] = &[
    "care_act",
    "mental_health_act",
    "mental_capacity_act",
    "nhs_complaint",
];
pub(super) const CARE_ACT_FIELDS: &[&str] = &[
    "appears_to_have_needs",
    "process",
    "substantial_difficulty",
    "appropriate_individuals",
    "nhs_placement",
    "disagreement",
];
pub(super) const SUBSTANTIAL_DIFFICULTY_FIELDS: &[&str] = &[
    "understanding",
    "retaining",
    "using_or_weighing",
    "communicating",
];
pub(super) const APPROPRIATE_INDIVIDUAL_FIELDS: &[&str] = &[
    "relationship",
    "paid_or_professional_carer",
    "person_does_not_want_them",
    "unable_or_unavailable",
    "implicated_in_abuse_or_neglect",
];
pub(super) const NHS_PLACEMENT_FIELDS: &[&str] =
    &["setting", "weeks", "advocate_in_best_interests"];
pub(super) const DISAGREEMENT_FIELDS: &[&str] = &["both_agree_advocate_beneficial"];
pub(super) const MENTAL_HEALTH_ACT_FIELDS: &[&str] = &[
    "status",
    "section",
    "second_medical_recommendation_received",
    "considered_for_s57_or_s58a",
];
pub(super) const MENTAL_CAPACITY_ACT_FIELDS: &[&str] = &[
    "lacks_capacity_for_decision",
    "decision",
    "arranged_by",
    "setting",
    "duration_weeks",
    "anyone_appropriate_to_consult",
    "urgent",
];
pub(super) const NHS_COMPLAINT_FIELDS: &[&str] = &["wants_to_complain_about_nhs_funded_service"];

/// The JSON names of a choice's values, joined for a message. Taken from the types
/// themselves so the message can never drift from what is accepted.
fn choices<T: Serialize>(values: &[T]) -> String {
    values
        .iter()
        .filter_map(|value| match serde_json::to_value(value) {
            Ok(serde_json::Value::String(name)) => Some(name),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn expected_at(path: &[Step]) -> Option<Expected> {
    // Indexes are all alike for this purpose, so they become a marker to match on.
    let keys: Vec<&str> = path
        .iter()
        .map(|step| match step {
            Step::Key(key) => key.as_str(),
            Step::Index(_) => "[]",
        })
        .collect();
    let object = |fields, null_means| Some(Expected::Object { fields, null_means });
    match keys.as_slice() {
        [] => object(REQUEST_FIELDS, msg::ELIGIBILITY_NULL_MEANS_NOT_KNOWN),
        ["care_act"] => object(CARE_ACT_FIELDS, msg::ELIGIBILITY_NULL_MEANS_NOT_KNOWN),
        ["care_act", "appears_to_have_needs"] => Some(Expected::Bool),
        ["care_act", "process"] => Some(Expected::Choice(choices(&CareActProcess::ALL))),
        ["care_act", "substantial_difficulty"] => object(
            SUBSTANTIAL_DIFFICULTY_FIELDS,
            msg::ELIGIBILITY_NULL_MEANS_NOT_KNOWN,
        ),
        ["care_act", "substantial_difficulty", field]
            if SUBSTANTIAL_DIFFICULTY_FIELDS.contains(field) =>
        {
            Some(Expected::Bool)
        }
        ["care_act", "appropriate_individuals"] => Some(Expected::List),
        ["care_act", "appropriate_individuals", "[]"] => object(
            APPROPRIATE_INDIVIDUAL_FIELDS,
            msg::ELIGIBILITY_NULL_MEANS_NOT_KNOWN,
        ),
        ["care_act", "appropriate_individuals", "[]", "relationship"] => Some(Expected::Text),
        ["care_act", "appropriate_individuals", "[]", field]
            if APPROPRIATE_INDIVIDUAL_FIELDS.contains(field) =>
        {
            Some(Expected::Bool)
        }
        ["care_act", "nhs_placement"] => object(
            NHS_PLACEMENT_FIELDS,
            msg::ELIGIBILITY_NULL_MEANS_NO_PLACEMENT,
        ),
        ["care_act", "nhs_placement", "setting"] => {
            Some(Expected::Choice(choices(&PlacementSetting::ALL)))
        }
        ["care_act", "nhs_placement", "weeks"] => Some(Expected::Weeks),
        ["care_act", "nhs_placement", "advocate_in_best_interests"] => Some(Expected::Bool),
        ["care_act", "disagreement"] => object(
            DISAGREEMENT_FIELDS,
            msg::ELIGIBILITY_NULL_MEANS_NO_DISAGREEMENT,
        ),
        ["care_act", "disagreement", "both_agree_advocate_beneficial"] => Some(Expected::Bool),
        ["mental_health_act"] => object(
            MENTAL_HEALTH_ACT_FIELDS,
            msg::ELIGIBILITY_NULL_MEANS_NOT_KNOWN,
        ),
        ["mental_health_act", "status"] => {
            Some(Expected::Choice(choices(&MentalHealthActStatus::ALL)))
        }
        ["mental_health_act", "section"] => Some(Expected::Section),
        [
            "mental_health_act",
            "second_medical_recommendation_received",
        ]
        | ["mental_health_act", "considered_for_s57_or_s58a"] => Some(Expected::Bool),
        ["mental_capacity_act"] => object(
            MENTAL_CAPACITY_ACT_FIELDS,
            msg::ELIGIBILITY_NULL_MEANS_NOT_KNOWN,
        ),
        ["mental_capacity_act", "decision"] => {
            Some(Expected::Choice(choices(&CapacityDecision::ALL)))
        }
        ["mental_capacity_act", "arranged_by"] => Some(Expected::Choice(choices(&ArrangedBy::ALL))),
        ["mental_capacity_act", "setting"] => {
            Some(Expected::Choice(choices(&AccommodationSetting::ALL)))
        }
        ["mental_capacity_act", "duration_weeks"] => Some(Expected::Weeks),
        ["mental_capacity_act", "lacks_capacity_for_decision"]
        | ["mental_capacity_act", "anyone_appropriate_to_consult"]
        | ["mental_capacity_act", "urgent"] => Some(Expected::Bool),
        ["nhs_complaint"] => object(NHS_COMPLAINT_FIELDS, msg::ELIGIBILITY_NULL_MEANS_NOT_KNOWN),
        [
            "nhs_complaint",
            "wants_to_complain_about_nhs_funded_service",
        ] => Some(Expected::Bool),
        _ => None,
    }
}
