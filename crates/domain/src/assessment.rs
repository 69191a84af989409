//! Self-assessments and the policies register (DOMAIN.md §11).
//!
//! A commissioner rates their commissioning against the Analyse / Plan / Do / Review
//! tasks of SCIE's guide (seed 004); a provider rates its service against the eight
//! quality areas of the Quality Performance Mark (seeds 000, 001), with evidence. Each
//! task or area is scored green, amber or red, with the key strengths of a green one and
//! the actions for an amber or red one; the action plan takes red first. A provider also
//! keeps a register of its policies and procedures (seed 003 §7), each with an owner and
//! a review date.
//!
//! Pure, like the rest of the domain: the web layer supplies the words for each task and
//! area (from the catalogue), storage the facts and the date.

use crate::casework::optional_text;
use crate::referral::{MAX_SHORT, MAX_TEXT, parse_date};
use crate::validation::{FieldError, Invalid};
use advocase_i18n::{MessageKey, label, msg};
use chrono::NaiveDate;

codes! {
    /// Which framework an organisation assesses itself against.
    Framework {
        Commissioning => "commissioning",
        Qpm => "qpm",
    }
}

codes! {
    /// A score in the traffic-light scheme of SCIE's self-assessment tool.
    Rating {
        Green => "green",
        Amber => "amber",
        Red => "red",
    }
}

impl Rating {
    /// How far from green: red is the furthest, and comes first in the action plan.
    fn distance(self) -> u8 {
        match self {
            Self::Green => 0,
            Self::Amber => 1,
            Self::Red => 2,
        }
    }
}

codes! {
    /// The four stages of the commissioning cycle in seed 004.
    Stage {
        Analyse => "analyse",
        Plan => "plan",
        Do => "do",
        Review => "review",
    }
}

codes! {
    /// Every task heading of seed 004's "Commissioning tasks", in the guide's order.
    CommissioningTask {
        CollectDemand => "collect_demand",
        AnalyseDemand => "analyse_demand",
        ModelPractice => "model_practice",
        Research => "research",
        Resources => "resources",
        BenchmarkCosts => "benchmark_costs",
        CoProduction => "co_production",
        SupplyAndUptake => "supply_and_uptake",
        LocalPerformance => "local_performance",
        Strategy => "strategy",
        StakeholderDialogue => "stakeholder_dialogue",
        BusinessCases => "business_cases",
        PersonCentred => "person_centred",
        Communication => "communication",
        KnowProviders => "know_providers",
        InfluenceMarket => "influence_market",
        Specifications => "specifications",
        TreatProvidersEqually => "treat_providers_equally",
        ProportionateProcurement => "proportionate_procurement",
        AwarenessOfOffer => "awareness_of_offer",
        BringDataTogether => "bring_data_together",
        ContractMonitoring => "contract_monitoring",
        Decommission => "decommission",
        ContinuousImprovement => "continuous_improvement",
    }
}

impl CommissioningTask {
    /// The stage of the cycle the guide lists the task under.
    pub fn stage(self) -> Stage {
        use CommissioningTask::*;
        match self {
            CollectDemand | AnalyseDemand | ModelPractice | Research | Resources
            | BenchmarkCosts | CoProduction | SupplyAndUptake | LocalPerformance => Stage::Analyse,
            Strategy | StakeholderDialogue | BusinessCases | PersonCentred | Communication => {
                Stage::Plan
            }
            KnowProviders
            | InfluenceMarket
            | Specifications
            | TreatProvidersEqually
            | ProportionateProcurement
            | AwarenessOfOffer => Stage::Do,
            BringDataTogether | ContractMonitoring | Decommission | ContinuousImprovement => {
                Stage::Review
            }
        }
    }
}

codes! {
    /// The eight quality areas of the advocacy Quality Performance Mark.
    QualityArea {
        Independence => "independence",
        ClarityOfPurpose => "clarity_of_purpose",
        Confidentiality => "confidentiality",
        Safeguarding => "safeguarding",
        Empowerment => "empowerment",
        Equality => "equality",
        Accountability => "accountability",
        SupportingAdvocates => "supporting_advocates",
    }
}

/// One thing rated in a self-assessment: a commissioning task or a quality area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Item {
    Task(CommissioningTask),
    Area(QualityArea),
}

impl Item {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Task(task) => task.as_str(),
            Self::Area(area) => area.as_str(),
        }
    }

    pub fn framework(self) -> Framework {
        match self {
            Self::Task(_) => Framework::Commissioning,
            Self::Area(_) => Framework::Qpm,
        }
    }

    /// The item with this code in `framework`, if there is one.
    pub fn parse(framework: Framework, code: &str) -> Option<Self> {
        match framework {
            Framework::Commissioning => CommissioningTask::parse(code).map(Self::Task),
            Framework::Qpm => QualityArea::parse(code).map(Self::Area),
        }
    }

    /// The stage a commissioning task belongs to; quality areas have none.
    pub fn stage(self) -> Option<Stage> {
        match self {
            Self::Task(task) => Some(task.stage()),
            Self::Area(_) => None,
        }
    }
}

impl Framework {
    /// Every item of the framework, in the order the guide gives them.
    pub fn items(self) -> Vec<Item> {
        match self {
            Self::Commissioning => CommissioningTask::ALL
                .iter()
                .map(|t| Item::Task(*t))
                .collect(),
            Self::Qpm => QualityArea::ALL.iter().map(|a| Item::Area(*a)).collect(),
        }
    }

    /// The items in groups as the form shows them: one per stage of the commissioning
    /// cycle, or one group of every quality area.
    pub fn groups(self) -> Vec<(Option<Stage>, Vec<Item>)> {
        let mut groups: Vec<(Option<Stage>, Vec<Item>)> = Vec::new();
        for item in self.items() {
            match groups.last_mut() {
                Some((stage, items)) if *stage == item.stage() => items.push(item),
                _ => groups.push((item.stage(), vec![item])),
            }
        }
        groups
    }

    /// Whether items carry links to evidence: the Quality Performance Mark asks a
    /// provider to show its evidence; the commissioning tool asks only for words.
    pub fn takes_evidence(self) -> bool {
        self == Self::Qpm
    }
}

// ---------------------------------------------------------------------------------------
// The self-assessment form
// ---------------------------------------------------------------------------------------

/// The longest internal address accepted as evidence.
pub const MAX_PAGE_LINK: usize = 200;
/// How many links of each kind one item may carry: enough for real evidence, not a
/// dump of every case.
pub const MAX_LINKS: usize = 20;

/// The answers about one item as typed. Form field names are the item's code after a
/// prefix: `rating-independence`, `strengths-independence` and so on.
#[derive(Debug, Clone, Default)]
pub struct ItemAnswers {
    pub rating: String,
    pub strengths: String,
    pub actions: String,
    pub evidence: String,
    /// The ids of policies in the register ticked as evidence.
    pub policies: Vec<String>,
    /// Addresses of figures pages, one per line.
    pub pages: String,
    /// Case numbers used as samples, separated by commas, spaces or lines.
    pub cases: String,
}

/// A whole self-assessment as typed: the date, a note, and one answer per item code.
#[derive(Debug, Clone, Default)]
pub struct AssessmentAnswers {
    pub assessed_on: String,
    pub note: String,
    pub items: Vec<(String, ItemAnswers)>,
}

/// One item, rated and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatedItem {
    pub item: Item,
    pub rating: Rating,
    pub strengths: Option<String>,
    pub actions: Option<String>,
    pub evidence: Option<String>,
    pub policies: Vec<i64>,
    pub pages: Vec<String>,
    pub cases: Vec<i64>,
}

/// A self-assessment, checked: every item of its framework rated, in the guide's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub framework: Framework,
    pub assessed_on: NaiveDate,
    pub note: Option<String>,
    pub items: Vec<RatedItem>,
}

/// The form field of one answer about an item: `rating-independence`.
pub fn field(prefix: &str, item: Item) -> String {
    format!("{prefix}-{}", item.as_str())
}

impl AssessmentAnswers {
    /// Checks a self-assessment against `framework`. `title` gives the words for an item
    /// (from the catalogue), so each error names the task or area a person sees.
    pub fn parse(
        &self,
        framework: Framework,
        today: NaiveDate,
        title: impl Fn(Item) -> String,
    ) -> Result<Assessment, Invalid> {
        let mut invalid = Invalid::default();
        let assessed_on = match parse_date(
            "assessed_on",
            label::DATE_OF_THE_ASSESSMENT,
            &self.assessed_on,
        ) {
            Ok(Some(date)) if date > today => {
                invalid.push("assessed_on", msg::ASSESSMENT_DATE_FUTURE);
                None
            }
            Ok(Some(date)) => Some(date),
            Ok(None) => {
                invalid.push("assessed_on", msg::ASSESSMENT_DATE_MISSING);
                None
            }
            Err(error) => {
                invalid.0.push(error);
                None
            }
        };
        let note = invalid
            .check(optional_text("note", label::NOTE, &self.note, MAX_TEXT))
            .flatten();
        let empty = ItemAnswers::default();
        let mut items = Vec::new();
        for item in framework.items() {
            let answers = self
                .items
                .iter()
                .find(|(code, _)| code == item.as_str())
                .map_or(&empty, |(_, answers)| answers);
            if let Some(rated) = answers.parse(item, &title(item), &mut invalid) {
                items.push(rated);
            }
        }
        invalid.into_result()?;
        Ok(Assessment {
            framework,
            assessed_on: assessed_on.expect("checked above"),
            note,
            items,
        })
    }
}

impl ItemAnswers {
    fn parse(&self, item: Item, title: &str, invalid: &mut Invalid) -> Option<RatedItem> {
        let rating_field = field("rating", item);
        let rating = match self.rating.trim() {
            "" => {
                invalid.push(
                    &rating_field,
                    msg::ASSESSMENT_RATING_MISSING.with("title", title),
                );
                None
            }
            value => {
                let rating = Rating::parse(value);
                if rating.is_none() {
                    invalid.push(
                        &rating_field,
                        msg::ASSESSMENT_RATING_INVALID.with("title", title),
                    );
                }
                rating
            }
        };
        let strengths_field = field("strengths", item);
        let strengths = invalid
            .check(optional_text(
                &strengths_field,
                label::KEY_STRENGTHS_FOR.with("title", title),
                &self.strengths,
                MAX_TEXT,
            ))
            .flatten();
        let actions_field = field("actions", item);
        let actions = invalid
            .check(optional_text(
                &actions_field,
                label::ACTIONS_FOR.with("title", title),
                &self.actions,
                MAX_TEXT,
            ))
            .flatten();
        // SCIE's tool: "for each area you score green, record your key strengths", and
        // actions address every area for development.
        match rating {
            Some(Rating::Green)
                if strengths.is_none() && !invalid_has(invalid, &strengths_field) =>
            {
                invalid.push(
                    &strengths_field,
                    msg::ASSESSMENT_STRENGTHS_MISSING.with("title", title),
                );
            }
            Some(rating @ (Rating::Amber | Rating::Red))
                if actions.is_none() && !invalid_has(invalid, &actions_field) =>
            {
                invalid.push(
                    &actions_field,
                    msg::ASSESSMENT_ACTIONS_MISSING
                        .with("title", title)
                        .with("rating", rating.as_str()),
                );
            }
            _ => {}
        }
        let framework = item.framework();
        let (evidence, policies, pages, cases) = if framework.takes_evidence() {
            let evidence = invalid
                .check(optional_text(
                    &field("evidence", item),
                    label::EVIDENCE_FOR.with("title", title),
                    &self.evidence,
                    MAX_TEXT,
                ))
                .flatten();
            let policies = invalid.check(policy_ids(&field("policies", item), &self.policies));
            let pages = invalid.check(page_links(&field("pages", item), title, &self.pages));
            let cases = invalid.check(case_numbers(&field("cases", item), title, &self.cases));
            (
                evidence,
                policies.unwrap_or_default(),
                pages.unwrap_or_default(),
                cases.unwrap_or_default(),
            )
        } else {
            (None, vec![], vec![], vec![])
        };
        Some(RatedItem {
            item,
            rating: rating?,
            strengths,
            actions,
            evidence,
            policies,
            pages,
            cases,
        })
    }
}

fn invalid_has(invalid: &Invalid, field: &str) -> bool {
    invalid.message_for(field).is_some()
}

/// The ticked policies, as record ids. The store checks they are in the provider's own
/// register.
fn policy_ids(field: &str, values: &[String]) -> Result<Vec<i64>, FieldError> {
    let mut ids = Vec::new();
    for value in values {
        match value.trim().parse::<i64>() {
            Ok(id) if id > 0 => {
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
            _ => return Err(FieldError::new(field, msg::ASSESSMENT_POLICIES_INVALID)),
        }
    }
    Ok(ids)
}

/// Links to figures pages: addresses inside Advocase, such as `/quality`, one per line.
/// Anything that could lead off the site (another host, a scheme, a backslash that some
/// browsers read as a slash) is refused, so evidence never links elsewhere.
pub fn page_links(field: &str, title: &str, text: &str) -> Result<Vec<String>, FieldError> {
    let mut links: Vec<String> = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let internal = line.starts_with('/')
            && !line.starts_with("//")
            && !line.contains('\\')
            && !line.contains("://")
            && !line.chars().any(|c| c.is_whitespace() || c.is_control())
            && line.chars().count() <= MAX_PAGE_LINK;
        if !internal {
            return Err(FieldError::new(
                field,
                msg::ASSESSMENT_LINKS_INVALID.with("title", title),
            ));
        }
        if !links.iter().any(|l| l == line) {
            links.push(line.to_string());
        }
    }
    if links.len() > MAX_LINKS {
        return Err(FieldError::new(
            field,
            msg::ASSESSMENT_LINKS_TOO_MANY
                .with("title", title)
                .with("max", MAX_LINKS),
        ));
    }
    Ok(links)
}

/// Case numbers used as samples of case files, separated by commas, spaces or lines.
/// The store checks that the manager may see each one.
pub fn case_numbers(field: &str, title: &str, text: &str) -> Result<Vec<i64>, FieldError> {
    let mut ids: Vec<i64> = Vec::new();
    for piece in text
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|p| !p.is_empty())
    {
        match piece.trim_start_matches('#').parse::<i64>() {
            Ok(id) if id > 0 => {
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
            _ => {
                return Err(FieldError::new(
                    field,
                    msg::ASSESSMENT_CASES_INVALID.with("title", title),
                ));
            }
        }
    }
    if ids.len() > MAX_LINKS {
        return Err(FieldError::new(
            field,
            msg::ASSESSMENT_CASES_TOO_MANY
                .with("title", title)
                .with("max", MAX_LINKS),
        ));
    }
    Ok(ids)
}

// ---------------------------------------------------------------------------------------
// Reading an assessment
// ---------------------------------------------------------------------------------------

/// The items an action plan holds: red first ("Prioritise areas you have scored red"),
/// then amber, each in the guide's order; green items need no action.
pub fn action_plan<T>(items: &[T], rating: impl Fn(&T) -> Rating) -> Vec<&T> {
    let mut plan: Vec<(usize, &T)> = items
        .iter()
        .enumerate()
        .filter(|(_, item)| rating(item) != Rating::Green)
        .collect();
    // A stable sort keeps the guide's order within each colour.
    plan.sort_by_key(|(index, item)| (std::cmp::Reverse(rating(item).distance()), *index));
    plan.into_iter().map(|(_, item)| item).collect()
}

/// How an item moved since the previous self-assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Better,
    Same,
    Worse,
    /// The previous assessment did not rate it (or there was none).
    NotRatedBefore,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Better => "better",
            Self::Same => "same",
            Self::Worse => "worse",
            Self::NotRatedBefore => "new",
        }
    }
}

/// The change of one item from its previous rating.
pub fn change(previous: Option<Rating>, now: Rating) -> Change {
    match previous {
        None => Change::NotRatedBefore,
        Some(before) => match now.distance().cmp(&before.distance()) {
            std::cmp::Ordering::Less => Change::Better,
            std::cmp::Ordering::Equal => Change::Same,
            std::cmp::Ordering::Greater => Change::Worse,
        },
    }
}

/// How many items of each colour: (green, amber, red).
pub fn counts(ratings: impl IntoIterator<Item = Rating>) -> (usize, usize, usize) {
    ratings
        .into_iter()
        .fold((0, 0, 0), |(g, a, r), rating| match rating {
            Rating::Green => (g + 1, a, r),
            Rating::Amber => (g, a + 1, r),
            Rating::Red => (g, a, r + 1),
        })
}

// ---------------------------------------------------------------------------------------
// The policies register
// ---------------------------------------------------------------------------------------

codes! {
    /// The policies and procedures a specialist advocacy service should have (seed
    /// 003 §7), and any other the provider keeps.
    PolicyKind {
        EqualOpportunities => "equal_opportunities",
        Confidentiality => "confidentiality",
        HealthAndSafety => "health_and_safety",
        SafetyOfStaff => "safety_of_staff",
        RecruitmentAndSelection => "recruitment_and_selection",
        SupervisionAndSupport => "supervision_and_support",
        Training => "training",
        MonitoringReviewEvaluation => "monitoring_review_evaluation",
        EngagementProtocol => "engagement_protocol",
        Complaints => "complaints",
        GrievanceAndDisciplinary => "grievance_and_disciplinary",
        AccessToRecords => "access_to_records",
        ServicePrioritisation => "service_prioritisation",
        Other => "other",
    }
}

impl PolicyKind {
    /// The eight policies of seed 003 §7.
    pub const POLICIES: [PolicyKind; 8] = [
        PolicyKind::EqualOpportunities,
        PolicyKind::Confidentiality,
        PolicyKind::HealthAndSafety,
        PolicyKind::SafetyOfStaff,
        PolicyKind::RecruitmentAndSelection,
        PolicyKind::SupervisionAndSupport,
        PolicyKind::Training,
        PolicyKind::MonitoringReviewEvaluation,
    ];
    /// The five procedures or protocols of seed 003 §7.
    pub const PROCEDURES: [PolicyKind; 5] = [
        PolicyKind::EngagementProtocol,
        PolicyKind::Complaints,
        PolicyKind::GrievanceAndDisciplinary,
        PolicyKind::AccessToRecords,
        PolicyKind::ServicePrioritisation,
    ];

    /// Whether every service should have this one.
    pub fn is_required(self) -> bool {
        self != Self::Other
    }

    /// Whether it is a procedure (or protocol) rather than a policy.
    pub fn is_procedure(self) -> bool {
        Self::PROCEDURES.contains(&self)
    }
}

/// The required policies and procedures a register lacks, policies first, in the
/// order of seed 003 §7.
pub fn missing_policies(register: &[PolicyKind]) -> Vec<PolicyKind> {
    PolicyKind::POLICIES
        .iter()
        .chain(PolicyKind::PROCEDURES.iter())
        .copied()
        .filter(|kind| !register.contains(kind))
        .collect()
}

/// How soon a review counts as "due soon".
pub const REVIEW_DUE_SOON_DAYS: i64 = 30;

/// Where a policy stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyState {
    /// Its review date has passed, by this many days.
    Overdue {
        days: i64,
    },
    /// Its review falls due within [`REVIEW_DUE_SOON_DAYS`], in this many days.
    DueSoon {
        days: i64,
    },
    /// In date, but no review has ever been recorded.
    NeverReviewed,
    InDate,
}

impl PolicyState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Overdue { .. } => "overdue",
            Self::DueSoon { .. } => "due_soon",
            Self::NeverReviewed => "never_reviewed",
            Self::InDate => "in_date",
        }
    }
}

/// A policy's state: an overdue review first, whatever else is true, then one due soon.
pub fn policy_state(
    last_reviewed_on: Option<NaiveDate>,
    review_due_on: NaiveDate,
    today: NaiveDate,
) -> PolicyState {
    let days = (review_due_on - today).num_days();
    if days < 0 {
        PolicyState::Overdue { days: -days }
    } else if days <= REVIEW_DUE_SOON_DAYS {
        PolicyState::DueSoon { days }
    } else if last_reviewed_on.is_none() {
        PolicyState::NeverReviewed
    } else {
        PolicyState::InDate
    }
}

/// The policy form as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct PolicyAnswers {
    pub kind: String,
    pub title: String,
    /// A member of staff, by user id, or empty.
    pub owner: String,
    /// Who owns it when that is not one member of staff: "Board of trustees".
    pub owner_name: String,
    pub approved_on: String,
    pub last_reviewed_on: String,
    pub review_due_on: String,
    pub location: String,
    pub version: String,
}

/// Who answers for a policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyOwner {
    /// A member of staff, by user id; the store checks they work for the provider.
    Staff(i64),
    /// A body or a role typed by name.
    Named(String),
}

/// A policy or procedure, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub kind: PolicyKind,
    /// The policy's own name; required for "other", optional for the required kinds.
    pub title: Option<String>,
    pub owner: PolicyOwner,
    pub approved_on: Option<NaiveDate>,
    pub last_reviewed_on: Option<NaiveDate>,
    pub review_due_on: NaiveDate,
    /// Where it is kept: a link or a place.
    pub location: Option<String>,
}

impl PolicyAnswers {
    pub fn parse(&self, today: NaiveDate) -> Result<Policy, Invalid> {
        let mut invalid = Invalid::default();
        let kind = match self.kind.trim() {
            "" => {
                invalid.push("kind", msg::POLICY_KIND_MISSING);
                None
            }
            value => {
                let kind = PolicyKind::parse(value);
                if kind.is_none() {
                    invalid.push("kind", msg::POLICY_KIND_INVALID);
                }
                kind
            }
        };
        let title = invalid
            .check(optional_text("title", label::NAME, &self.title, MAX_SHORT))
            .flatten();
        if kind == Some(PolicyKind::Other) && title.is_none() && !invalid_has(&invalid, "title") {
            invalid.push("title", msg::POLICY_TITLE_MISSING);
        }
        let owner_name = invalid
            .check(optional_text(
                "owner_name",
                label::OWNERS_NAME,
                &self.owner_name,
                MAX_SHORT,
            ))
            .flatten();
        let owner = match (self.owner.trim(), owner_name) {
            ("", None) => {
                if !invalid_has(&invalid, "owner_name") {
                    invalid.push("owner", msg::POLICY_OWNER_MISSING);
                }
                None
            }
            ("", Some(name)) => Some(PolicyOwner::Named(name)),
            (id, None) => match id.parse::<i64>() {
                Ok(id) if id > 0 => Some(PolicyOwner::Staff(id)),
                _ => {
                    invalid.push("owner", msg::POLICY_OWNER_INVALID);
                    None
                }
            },
            (_, Some(_)) => {
                invalid.push("owner", msg::POLICY_OWNER_BOTH);
                None
            }
        };
        let approved_on = past_date(
            "approved_on",
            label::DATE_IT_WAS_APPROVED,
            &self.approved_on,
            today,
            &mut invalid,
        );
        let last_reviewed_on = past_date(
            "last_reviewed_on",
            label::DATE_OF_THE_LAST_REVIEW,
            &self.last_reviewed_on,
            today,
            &mut invalid,
        );
        let review_due_on = match parse_date(
            "review_due_on",
            label::NEXT_REVIEW_DATE,
            &self.review_due_on,
        ) {
            Ok(Some(date)) => Some(date),
            Ok(None) => {
                invalid.push("review_due_on", msg::POLICY_REVIEW_DUE_MISSING);
                None
            }
            Err(error) => {
                invalid.0.push(error);
                None
            }
        };
        if let (Some(last), Some(due)) = (last_reviewed_on, review_due_on)
            && due < last
        {
            invalid.push("review_due_on", msg::POLICY_REVIEW_DUE_BEFORE_LAST_REVIEW);
        }
        let location = invalid
            .check(optional_text(
                "location",
                label::WHERE_IT_IS_KEPT,
                &self.location,
                MAX_SHORT,
            ))
            .flatten();
        invalid.into_result()?;
        Ok(Policy {
            kind: kind.expect("checked above"),
            title,
            owner: owner.expect("checked above"),
            approved_on,
            last_reviewed_on,
            review_due_on: review_due_on.expect("checked above"),
            location,
        })
    }
}

/// An optional date that cannot lie in the future.
fn past_date(
    field: &str,
    label: MessageKey,
    value: &str,
    today: NaiveDate,
    invalid: &mut Invalid,
) -> Option<NaiveDate> {
    match parse_date(field, label, value) {
        Ok(Some(date)) if date > today => {
            invalid.push(field, msg::DATE_IN_FUTURE.with("label", label));
            None
        }
        Ok(date) => date,
        Err(error) => {
            invalid.0.push(error);
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn today() -> NaiveDate {
        day(2026, 11, 22)
    }

    fn title(item: Item) -> String {
        format!("«{}»", item.as_str())
    }

    /// Every item of a framework answered with `rating` and the words it needs.
    fn answered(framework: Framework, rating: &str) -> AssessmentAnswers {
        AssessmentAnswers {
            assessed_on: "2026-11-20".into(),
            note: String::new(),
            items: framework
                .items()
                .into_iter()
                .map(|item| {
                    (
                        item.as_str().to_string(),
                        ItemAnswers {
                            rating: rating.into(),
                            strengths: "We do this well".into(),
                            actions: "Do it better".into(),
                            ..Default::default()
                        },
                    )
                })
                .collect(),
        }
    }

    fn set(answers: &mut AssessmentAnswers, code: &str, change: impl FnOnce(&mut ItemAnswers)) {
        let (_, item) = answers.items.iter_mut().find(|(c, _)| c == code).unwrap();
        change(item);
    }

    #[test]
    fn the_commissioning_framework_has_every_task_heading_of_the_guide_in_four_stages() {
        let groups = Framework::Commissioning.groups();
        let sizes: Vec<(Option<Stage>, usize)> =
            groups.iter().map(|(s, items)| (*s, items.len())).collect();
        assert_eq!(
            sizes,
            vec![
                (Some(Stage::Analyse), 9),
                (Some(Stage::Plan), 5),
                (Some(Stage::Do), 6),
                (Some(Stage::Review), 4),
            ]
        );
    }

    #[test]
    fn the_quality_performance_mark_has_eight_areas_in_one_group() {
        let groups = Framework::Qpm.groups();
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].0, None);
        assert_eq!(groups[0].1.len(), 8);
    }

    #[test]
    fn item_codes_are_unique_across_both_frameworks() {
        let mut codes: Vec<&str> = Framework::ALL
            .iter()
            .flat_map(|f| f.items())
            .map(|i| i.as_str())
            .collect();
        let total = codes.len();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), total);
        assert_eq!(total, 24 + 8);
    }

    #[test]
    fn an_item_of_one_framework_is_not_an_item_of_the_other() {
        assert_eq!(Item::parse(Framework::Commissioning, "independence"), None);
        assert_eq!(
            Item::parse(Framework::Qpm, "independence"),
            Some(Item::Area(QualityArea::Independence))
        );
        assert_eq!(Item::parse(Framework::Qpm, "strategy"), None);
    }

    #[test]
    fn a_fully_answered_assessment_is_accepted_in_the_guides_order() {
        let assessment = answered(Framework::Commissioning, "amber")
            .parse(Framework::Commissioning, today(), title)
            .unwrap();
        assert_eq!(assessment.assessed_on, day(2026, 11, 20));
        let codes: Vec<Item> = assessment.items.iter().map(|i| i.item).collect();
        assert_eq!(codes, Framework::Commissioning.items());
        assert!(assessment.items.iter().all(|i| i.rating == Rating::Amber));
    }

    #[test]
    fn every_unrated_item_is_named_in_its_own_words() {
        let invalid = AssessmentAnswers {
            assessed_on: "2026-11-20".into(),
            ..Default::default()
        }
        .parse(Framework::Qpm, today(), title)
        .unwrap_err();
        assert_eq!(invalid.0.len(), 8);
        assert_eq!(
            invalid
                .message_for("rating-independence")
                .map(crate::validation::english)
                .as_deref(),
            Some("Choose green, amber or red for «independence»")
        );
    }

    #[test]
    fn a_rating_not_in_the_list_is_refused() {
        let mut answers = answered(Framework::Qpm, "green");
        set(&mut answers, "equality", |i| i.rating = "purple".into());
        let invalid = answers.parse(Framework::Qpm, today(), title).unwrap_err();
        assert_eq!(invalid.0.len(), 1);
        assert!(invalid.message_for("rating-equality").is_some());
    }

    #[test]
    fn amber_and_red_need_actions_and_green_needs_strengths() {
        let mut answers = answered(Framework::Qpm, "green");
        set(&mut answers, "independence", |i| i.strengths.clear());
        set(&mut answers, "safeguarding", |i| {
            i.rating = "red".into();
            i.actions = "  ".into();
        });
        set(&mut answers, "equality", |i| {
            i.rating = "amber".into();
            i.actions.clear();
        });
        // Strengths are welcome but not required for red; actions not for green.
        set(&mut answers, "confidentiality", |i| {
            i.rating = "red".into();
            i.strengths.clear();
        });
        set(&mut answers, "empowerment", |i| i.actions.clear());
        let invalid = answers.parse(Framework::Qpm, today(), title).unwrap_err();
        let fields: Vec<&str> = invalid.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec![
                "strengths-independence",
                "actions-safeguarding",
                "actions-equality"
            ]
        );
        assert_eq!(
            invalid
                .message_for("actions-safeguarding")
                .map(crate::validation::english)
                .as_deref(),
            Some("Enter the actions for «safeguarding», which you scored red")
        );
        assert_eq!(
            invalid
                .message_for("strengths-independence")
                .map(crate::validation::english)
                .as_deref(),
            Some("Enter the key strengths for «independence», which you scored green")
        );
    }

    #[test]
    fn an_assessment_cannot_be_dated_in_the_future_or_left_undated() {
        let mut answers = answered(Framework::Qpm, "green");
        answers.assessed_on = "2026-11-23".into();
        let invalid = answers.parse(Framework::Qpm, today(), title).unwrap_err();
        assert_eq!(
            invalid
                .message_for("assessed_on")
                .map(crate::validation::english)
                .as_deref(),
            Some("The date of the assessment cannot be in the future")
        );
        answers.assessed_on = String::new();
        let invalid = answers.parse(Framework::Qpm, today(), title).unwrap_err();
        assert_eq!(
            invalid
                .message_for("assessed_on")
                .map(crate::validation::english)
                .as_deref(),
            Some("Enter the date of the assessment")
        );
        answers.assessed_on = "2026-11-22".into();
        assert!(answers.parse(Framework::Qpm, today(), title).is_ok());
    }

    #[test]
    fn qpm_evidence_links_are_read_and_commissioning_ignores_them() {
        let mut answers = answered(Framework::Qpm, "green");
        set(&mut answers, "accountability", |i| {
            i.evidence = "Annual report".into();
            i.policies = vec!["3".into(), "3".into(), "5".into()];
            i.pages = "/complaints\n\n/quality\n/complaints".into();
            i.cases = "12, 40 #41\n12".into();
        });
        let assessment = answers.parse(Framework::Qpm, today(), title).unwrap();
        let item = assessment
            .items
            .iter()
            .find(|i| i.item == Item::Area(QualityArea::Accountability))
            .unwrap();
        assert_eq!(item.evidence.as_deref(), Some("Annual report"));
        assert_eq!(item.policies, vec![3, 5]);
        assert_eq!(item.pages, vec!["/complaints", "/quality"]);
        assert_eq!(item.cases, vec![12, 40, 41]);

        let mut answers = answered(Framework::Commissioning, "green");
        set(&mut answers, "strategy", |i| {
            i.pages = "https://example.org".into()
        });
        let assessment = answers
            .parse(Framework::Commissioning, today(), title)
            .unwrap();
        assert!(assessment.items.iter().all(|i| i.pages.is_empty()));
    }

    #[test]
    fn a_link_to_anything_but_a_page_of_advocase_is_refused() {
        for bad in [
            "quality",
            "https://example.org/quality",
            "//example.org/quality",
            "/\\example.org",
            "/quality page",
            "javascript:alert(1)",
            "/a://b",
        ] {
            let error = page_links("pages-equality", "«equality»", bad).unwrap_err();
            assert_eq!(error.field, "pages-equality", "{bad}");
            assert!(
                crate::validation::english(&error.message).contains("starting with /"),
                "{bad}"
            );
        }
        assert_eq!(
            page_links("p", "t", " /workforce/equality \n").unwrap(),
            vec!["/workforce/equality"]
        );
    }

    #[test]
    fn case_numbers_must_be_numbers() {
        for bad in ["twelve", "12, x", "-4", "0", "1.5"] {
            let error = case_numbers("cases-safeguarding", "t", bad).unwrap_err();
            assert_eq!(error.field, "cases-safeguarding", "{bad}");
        }
        assert_eq!(case_numbers("c", "t", "").unwrap(), Vec::<i64>::new());
        let many: Vec<String> = (1..=MAX_LINKS as i64 + 1).map(|n| n.to_string()).collect();
        assert!(case_numbers("c", "t", &many.join(",")).is_err());
    }

    #[test]
    fn a_ticked_policy_that_is_not_a_number_is_refused() {
        let mut answers = answered(Framework::Qpm, "green");
        set(&mut answers, "confidentiality", |i| {
            i.policies = vec!["x".into()];
        });
        let invalid = answers.parse(Framework::Qpm, today(), title).unwrap_err();
        assert_eq!(
            invalid
                .message_for("policies-confidentiality")
                .map(crate::validation::english)
                .as_deref(),
            Some("Choose policies from the register")
        );
    }

    #[test]
    fn the_action_plan_takes_red_first_then_amber_and_leaves_green_out() {
        let ratings = [
            ("a", Rating::Amber),
            ("b", Rating::Green),
            ("c", Rating::Red),
            ("d", Rating::Amber),
            ("e", Rating::Red),
        ];
        let plan: Vec<&str> = action_plan(&ratings, |r| r.1)
            .into_iter()
            .map(|r| r.0)
            .collect();
        assert_eq!(plan, vec!["c", "e", "a", "d"]);
        let all_green = [("a", Rating::Green)];
        assert!(action_plan(&all_green, |r| r.1).is_empty());
    }

    #[test]
    fn each_item_changes_better_same_or_worse_against_its_previous_rating() {
        assert_eq!(change(Some(Rating::Red), Rating::Amber), Change::Better);
        assert_eq!(change(Some(Rating::Amber), Rating::Green), Change::Better);
        assert_eq!(change(Some(Rating::Amber), Rating::Amber), Change::Same);
        assert_eq!(change(Some(Rating::Green), Rating::Red), Change::Worse);
        assert_eq!(change(None, Rating::Red), Change::NotRatedBefore);
    }

    #[test]
    fn counts_are_green_amber_red() {
        assert_eq!(
            counts([Rating::Red, Rating::Green, Rating::Red, Rating::Amber]),
            (1, 1, 2)
        );
    }

    #[test]
    fn the_register_needs_eight_policies_and_five_procedures() {
        assert_eq!(PolicyKind::POLICIES.len(), 8);
        assert_eq!(PolicyKind::PROCEDURES.len(), 5);
        assert_eq!(missing_policies(&[]).len(), 13);
        let missing = missing_policies(&[
            PolicyKind::Confidentiality,
            PolicyKind::Other,
            PolicyKind::Complaints,
        ]);
        assert_eq!(missing.len(), 11);
        assert!(!missing.contains(&PolicyKind::Confidentiality));
        assert!(!missing.contains(&PolicyKind::Other));
        assert_eq!(missing[0], PolicyKind::EqualOpportunities);
        assert!(PolicyKind::Complaints.is_procedure());
        assert!(!PolicyKind::Training.is_procedure());
    }

    #[test]
    fn a_policy_is_overdue_due_soon_never_reviewed_or_in_date() {
        let reviewed = Some(day(2026, 1, 10));
        assert_eq!(
            policy_state(reviewed, day(2026, 11, 1), today()),
            PolicyState::Overdue { days: 21 }
        );
        // Overdue wins over never reviewed.
        assert_eq!(
            policy_state(None, day(2026, 11, 21), today()),
            PolicyState::Overdue { days: 1 }
        );
        assert_eq!(
            policy_state(reviewed, today(), today()),
            PolicyState::DueSoon { days: 0 }
        );
        assert_eq!(
            policy_state(reviewed, day(2026, 12, 22), today()),
            PolicyState::DueSoon { days: 30 }
        );
        assert_eq!(
            policy_state(reviewed, day(2026, 12, 23), today()),
            PolicyState::InDate
        );
        assert_eq!(
            policy_state(None, day(2027, 6, 1), today()),
            PolicyState::NeverReviewed
        );
    }

    fn policy() -> PolicyAnswers {
        PolicyAnswers {
            kind: "confidentiality".into(),
            owner: "7".into(),
            approved_on: "2025-03-01".into(),
            last_reviewed_on: "2026-03-01".into(),
            review_due_on: "2027-03-01".into(),
            location: "Shared drive, Policies folder".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_policy_with_an_owner_and_a_review_date_is_accepted() {
        let parsed = policy().parse(today()).unwrap();
        assert_eq!(parsed.kind, PolicyKind::Confidentiality);
        assert_eq!(parsed.owner, PolicyOwner::Staff(7));
        assert_eq!(parsed.title, None);
        assert_eq!(parsed.review_due_on, day(2027, 3, 1));
        let named = PolicyAnswers {
            owner: String::new(),
            owner_name: "Board of trustees".into(),
            ..policy()
        }
        .parse(today())
        .unwrap();
        assert_eq!(named.owner, PolicyOwner::Named("Board of trustees".into()));
    }

    #[test]
    fn a_policy_without_an_owner_or_with_two_is_refused() {
        let none = PolicyAnswers {
            owner: String::new(),
            ..policy()
        }
        .parse(today())
        .unwrap_err();
        assert_eq!(
            none.message_for("owner")
                .map(crate::validation::english)
                .as_deref(),
            Some("Choose who owns this policy, or type the name of its owner")
        );
        let both = PolicyAnswers {
            owner_name: "Trustees".into(),
            ..policy()
        }
        .parse(today())
        .unwrap_err();
        assert!(both.message_for("owner").is_some());
        let garbled = PolicyAnswers {
            owner: "Ada".into(),
            ..policy()
        }
        .parse(today())
        .unwrap_err();
        assert_eq!(
            garbled
                .message_for("owner")
                .map(crate::validation::english)
                .as_deref(),
            Some("Choose the owner from the list")
        );
    }

    #[test]
    fn a_review_date_before_the_last_review_is_refused() {
        let invalid = PolicyAnswers {
            review_due_on: "2026-02-28".into(),
            ..policy()
        }
        .parse(today())
        .unwrap_err();
        assert_eq!(
            invalid
                .message_for("review_due_on")
                .map(crate::validation::english)
                .as_deref(),
            Some("The next review date cannot be before the last review")
        );
        // The same day is allowed: reviewed and next due are then equal.
        assert!(
            PolicyAnswers {
                review_due_on: "2026-03-01".into(),
                ..policy()
            }
            .parse(today())
            .is_ok()
        );
    }

    #[test]
    fn a_policy_names_every_wrong_field() {
        let invalid = PolicyAnswers {
            kind: "whistleblowing".into(),
            approved_on: "2027-01-01".into(),
            last_reviewed_on: "31/02/2026".into(),
            ..Default::default()
        }
        .parse(today())
        .unwrap_err();
        let fields: Vec<&str> = invalid.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec![
                "kind",
                "owner",
                "approved_on",
                "last_reviewed_on",
                "review_due_on"
            ]
        );
        assert_eq!(
            invalid
                .message_for("approved_on")
                .map(crate::validation::english)
                .as_deref(),
            Some("The date it was approved cannot be in the future")
        );
    }

    #[test]
    fn another_policy_needs_its_name() {
        let invalid = PolicyAnswers {
            kind: "other".into(),
            ..policy()
        }
        .parse(today())
        .unwrap_err();
        assert_eq!(
            invalid
                .message_for("title")
                .map(crate::validation::english)
                .as_deref(),
            Some("Enter the name of the policy or procedure")
        );
        let named = PolicyAnswers {
            kind: "other".into(),
            title: "Lone working".into(),
            ..policy()
        }
        .parse(today())
        .unwrap();
        assert_eq!(named.title.as_deref(), Some("Lone working"));
    }
}
