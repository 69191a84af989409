//! Self-assessments and the policies register: a commissioner's self-assessment of their
//! commissioning, a provider manager's self-assessment against the Quality Performance
//! Mark with its evidence, and the manager's register of policies and procedures.
//!
//! The rules live in `domain::assessment` and the scope in `storage::assessment`; these
//! handlers parse the forms, call the store and render. Anyone whose role has no
//! framework gets the page for a record that does not exist.

use super::cases::code_key;
use super::forms::{FieldKind, FormBody, FormField, FormSpec, show_form};
use super::{Choice, FormErrors, Layout, code_select, iso_date, long_date, manager, radios};
use super::{render, render_with};
use crate::app::AppState;
use crate::auth::Staff;
use crate::auth::session::blocking;
use crate::clock;
use crate::error::AppError;
use advocase_domain::assessment::{
    AssessmentAnswers, Change, Framework, Item, ItemAnswers, PolicyAnswers, PolicyKind,
    PolicyState, Rating, action_plan, change, field, missing_policies, policy_state,
};
use advocase_storage::assessment::{AssessmentFile, PolicyRow, framework_of};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

/// The framework of the signed-in staff member, or the not-found page.
fn framework(staff: &Staff) -> Result<Framework, AppError> {
    framework_of(&staff.actor).ok_or(AppError::NotFound)
}

fn t(state: &AppState, key: &str) -> String {
    state.catalogue.text(key)
}

/// The words for a task or quality area.
pub fn item_title(state: &AppState, item: Item) -> String {
    t(state, &code_key("sa-item", item.as_str()))
}

/// A coloured tag: its words and its GOV.UK class.
pub struct Tag {
    pub text: String,
    pub class: &'static str,
}

fn rating_tag(state: &AppState, rating: Rating) -> Tag {
    Tag {
        text: t(state, &code_key("sa-rating", rating.as_str())),
        class: match rating {
            Rating::Green => "govuk-tag--green",
            Rating::Amber => "govuk-tag--orange",
            Rating::Red => "govuk-tag--red",
        },
    }
}

fn change_tag(state: &AppState, change: Change) -> Tag {
    Tag {
        text: t(state, &code_key("sa-change", change.as_str())),
        class: match change {
            Change::Better => "govuk-tag--green",
            Change::Same => "govuk-tag--grey",
            Change::Worse => "govuk-tag--red",
            Change::NotRatedBefore => "govuk-tag--blue",
        },
    }
}

// ---------------------------------------------------------------------------------------
// The history and the action plan
// ---------------------------------------------------------------------------------------

pub struct HistoryRow {
    pub href: String,
    pub date: String,
    pub by: String,
    pub green: usize,
    pub amber: usize,
    pub red: usize,
}

pub struct PlanRow {
    pub title: String,
    pub href: String,
    pub rating: Tag,
    pub actions: String,
}

#[derive(Template)]
#[template(path = "assessment/overview.html")]
struct OverviewPage {
    layout: Layout,
    errors: FormErrors,
    intro: String,
    history: Vec<HistoryRow>,
    /// The action plan of the newest assessment: (its date, the rows).
    plan: Option<(String, Vec<PlanRow>)>,
}

/// `GET /self-assessment`: every self-assessment, newest first, and the newest one's
/// action plan with red first.
pub async fn overview(State(state): State<AppState>, staff: Staff) -> Result<Response, AppError> {
    let framework = framework(&staff)?;
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let (history, latest) = blocking(move || {
        Ok((
            store.self_assessments(&actor)?,
            store.latest_self_assessment(&actor)?,
        ))
    })
    .await?;
    let plan = latest.map(|file| {
        let items: Vec<(Item, &advocase_storage::assessment::AssessmentItemRecord)> = framework
            .items()
            .into_iter()
            .filter_map(|item| file.item(item.as_str()).map(|record| (item, record)))
            .collect();
        let rows = action_plan(&items, |(_, record)| record.rating())
            .into_iter()
            .map(|(item, record)| PlanRow {
                title: item_title(&state, *item),
                href: format!("/self-assessment/{}#{}", file.record.id, item.as_str()),
                rating: rating_tag(&state, record.rating()),
                actions: record.actions.clone().unwrap_or_default(),
            })
            .collect();
        (long_date(file.record.assessed_on), rows)
    });
    let page = OverviewPage {
        layout: Layout::staff(&state, &staff, "sa-heading", "/self-assessment"),
        errors: FormErrors::none(),
        intro: t(&state, &format!("sa-intro-{}", framework.as_str())),
        history: history
            .into_iter()
            .map(|h| HistoryRow {
                href: format!("/self-assessment/{}", h.record.id),
                date: long_date(h.record.assessed_on),
                by: h.completed_by,
                green: h.green,
                amber: h.amber,
                red: h.red,
            })
            .collect(),
        plan,
    };
    render(&page)
}

// ---------------------------------------------------------------------------------------
// The form
// ---------------------------------------------------------------------------------------

pub struct FormItem {
    pub code: &'static str,
    pub title: String,
    pub hint: String,
    pub rating_id: String,
    pub ratings: Vec<Choice>,
    pub strengths_id: String,
    pub strengths: String,
    pub actions_id: String,
    pub actions: String,
    pub evidence_id: String,
    pub evidence: String,
    pub policies_id: String,
    pub policies: Vec<Choice>,
    pub pages_id: String,
    pub pages: String,
    pub cases_id: String,
    pub cases: String,
}

pub struct FormGroup {
    pub heading: String,
    pub items: Vec<FormItem>,
}

#[derive(Template)]
#[template(path = "assessment/form.html")]
struct AssessmentFormPage {
    layout: Layout,
    errors: FormErrors,
    assessed_on: String,
    note: String,
    groups: Vec<FormGroup>,
    takes_evidence: bool,
    /// Whether the register has any policy to tick.
    has_policies: bool,
}

/// The answers of a posted form, item by item.
fn answers_from(framework: Framework, body: &FormBody) -> AssessmentAnswers {
    AssessmentAnswers {
        assessed_on: body.get("assessed_on"),
        note: body.get("note"),
        items: framework
            .items()
            .into_iter()
            .map(|item| {
                (
                    item.as_str().to_string(),
                    ItemAnswers {
                        rating: body.get(&field("rating", item)),
                        strengths: body.get(&field("strengths", item)),
                        actions: body.get(&field("actions", item)),
                        evidence: body.get(&field("evidence", item)),
                        policies: body.all(&field("policies", item)),
                        pages: body.get(&field("pages", item)),
                        cases: body.get(&field("cases", item)),
                    },
                )
            })
            .collect(),
    }
}

/// The name of a policy in the register as people know it.
fn policy_name(state: &AppState, kind: &str, title: Option<&str>) -> String {
    let kind_words = t(state, &code_key("policy-kind", kind));
    match title {
        Some(title) if kind == PolicyKind::Other.as_str() => title.to_string(),
        Some(title) => format!("{title} ({kind_words})"),
        None => kind_words,
    }
}

async fn register(state: &AppState, staff: &Staff) -> Result<Vec<PolicyRow>, AppError> {
    let store = state.store.clone();
    let actor = staff.actor.clone();
    blocking(move || store.policies(&actor)).await
}

fn form_page(
    state: &AppState,
    staff: &Staff,
    framework: Framework,
    answers: &AssessmentAnswers,
    policies: &[PolicyRow],
    errors: FormErrors,
) -> Result<Response, AppError> {
    let layout = Layout::staff(state, staff, "sa-form-heading", "/self-assessment");
    let empty = ItemAnswers::default();
    let ratings: Vec<(&str, String)> = Rating::ALL
        .iter()
        .map(|r| (r.as_str(), code_key("sa-rating", r.as_str())))
        .collect();
    let rating_options: Vec<(&str, &str)> = ratings.iter().map(|(v, k)| (*v, k.as_str())).collect();
    let groups = framework
        .groups()
        .into_iter()
        .map(|(stage, items)| FormGroup {
            heading: stage
                .map(|s| t(state, &code_key("sa-stage", s.as_str())))
                .unwrap_or_default(),
            items: items
                .into_iter()
                .map(|item| {
                    let code = item.as_str();
                    let a = answers
                        .items
                        .iter()
                        .find(|(c, _)| c == code)
                        .map_or(&empty, |(_, a)| a);
                    let hint_key = code_key("sa-hint", code);
                    let policies_id = field("policies", item);
                    FormItem {
                        code,
                        title: item_title(state, item),
                        hint: if state.catalogue.has(&hint_key) {
                            t(state, &hint_key)
                        } else {
                            String::new()
                        },
                        rating_id: field("rating", item),
                        ratings: radios(
                            &layout,
                            &field("rating", item),
                            &rating_options,
                            &a.rating,
                        ),
                        strengths_id: field("strengths", item),
                        strengths: a.strengths.clone(),
                        actions_id: field("actions", item),
                        actions: a.actions.clone(),
                        evidence_id: field("evidence", item),
                        evidence: a.evidence.clone(),
                        policies: policies
                            .iter()
                            .enumerate()
                            .map(|(index, p)| Choice {
                                id: if index == 0 {
                                    policies_id.clone()
                                } else {
                                    format!("{policies_id}-{}", index + 1)
                                },
                                name: policies_id.clone(),
                                value: p.record.id.to_string(),
                                label: policy_name(
                                    state,
                                    &p.record.kind,
                                    p.record.title.as_deref(),
                                ),
                                checked: a.policies.contains(&p.record.id.to_string()),
                            })
                            .collect(),
                        policies_id,
                        pages_id: field("pages", item),
                        pages: a.pages.clone(),
                        cases_id: field("cases", item),
                        cases: a.cases.clone(),
                    }
                })
                .collect(),
        })
        .collect();
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render_with(
        status,
        &AssessmentFormPage {
            layout,
            errors,
            assessed_on: answers.assessed_on.clone(),
            note: answers.note.clone(),
            groups,
            takes_evidence: framework.takes_evidence(),
            has_policies: !policies.is_empty(),
        },
    )
}

/// The pages a manager may cite as evidence of quality, by address, with the message
/// that names each. `{id}` stands for a record number. Pages of one person or case are
/// not here: a sample case is cited by its number, so the evidence names no one.
const EVIDENCE_PAGES: &[(&str, &str)] = &[
    ("/quality", "quality-heading"),
    ("/feedback/results", "feedback-results-heading"),
    ("/complaints", "complaints-page-heading"),
    ("/safeguarding", "nav-safeguarding"),
    ("/breaches", "nav-breaches"),
    ("/retention", "nav-retention"),
    ("/audit", "nav-audit"),
    ("/waiting-list", "nav-waiting-list"),
    ("/advocates", "nav-advocates"),
    ("/workforce", "nav-workforce"),
    ("/workforce/rules", "rules-heading"),
    ("/workforce/equality", "equality-heading"),
    ("/policies", "nav-policies"),
    ("/definitions", "definitions-heading"),
    ("/contracts", "nav-contracts"),
    ("/contracts/{id}", "contract-heading"),
    ("/contracts/{id}/report", "report-heading"),
    ("/contracts/{id}/annual-report", "annual-heading"),
    ("/contracts/{id}/meetings", "meetings-heading"),
    ("/self-assessment", "sa-heading"),
    ("/self-assessment/{id}", "sa-heading"),
];

/// The words for an evidence address: the page's name, with its record number when it
/// has one, or nothing when the address is not a page that may be cited. The query and
/// fragment (a report's period, a section) do not change which page it is.
fn evidence_page_name(state: &AppState, address: &str) -> Option<String> {
    let path = address.split(['?', '#']).next().unwrap_or_default();
    let path = path
        .strip_suffix('/')
        .filter(|p| !p.is_empty())
        .unwrap_or(path);
    let segments: Vec<&str> = path.split('/').collect();
    EVIDENCE_PAGES.iter().find_map(|(pattern, key)| {
        let pattern: Vec<&str> = pattern.split('/').collect();
        if pattern.len() != segments.len() {
            return None;
        }
        let mut number = None;
        for (want, got) in pattern.iter().zip(&segments) {
            if *want == "{id}" {
                // Record numbers are digits; anything else is not that page.
                if got.is_empty() || !got.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                number = Some(*got);
            } else if want != got {
                return None;
            }
        }
        let name = t(state, key);
        Some(match number {
            Some(n) => state.catalogue.text_with_args(
                "sa-page-numbered",
                &[("page", name.as_str()), ("number", n)],
            ),
            None => name,
        })
    })
}

/// Adds to `invalid`, by the item's field, any evidence address that is not a page that
/// may be cited (see [`EVIDENCE_PAGES`]), so a typing mistake is caught when it is made
/// rather than found later as a dead link. A field already refused for its form keeps
/// that message.
fn check_evidence_pages(
    state: &AppState,
    framework: Framework,
    answers: &AssessmentAnswers,
    invalid: &mut advocase_domain::validation::Invalid,
) {
    for (code, typed) in &answers.items {
        let Some(item) = Item::parse(framework, code) else {
            continue;
        };
        let field = field("pages", item);
        if invalid.message_for(&field).is_some() {
            continue;
        }
        if let Some(unknown) = typed
            .pages
            .lines()
            .map(str::trim)
            .find(|page| !page.is_empty() && evidence_page_name(state, page).is_none())
        {
            invalid.push(
                field,
                advocase_i18n::msg::ASSESSMENT_PAGE_UNKNOWN
                    .with("title", item_title(state, item))
                    .with("page", unknown),
            );
        }
    }
}

/// The register a form offers as evidence: the manager's, and nothing for a
/// commissioner, whose framework takes no evidence.
async fn evidence_policies(
    state: &AppState,
    staff: &Staff,
    framework: Framework,
) -> Result<Vec<PolicyRow>, AppError> {
    if framework.takes_evidence() {
        let mut rows = register(state, staff).await?;
        sort_register(&mut rows);
        Ok(rows)
    } else {
        Ok(Vec::new())
    }
}

/// `GET /self-assessment/new`.
pub async fn new_form(State(state): State<AppState>, staff: Staff) -> Result<Response, AppError> {
    let framework = framework(&staff)?;
    let policies = evidence_policies(&state, &staff, framework).await?;
    let answers = AssessmentAnswers {
        assessed_on: iso_date(clock::today()),
        ..Default::default()
    };
    form_page(
        &state,
        &staff,
        framework,
        &answers,
        &policies,
        FormErrors::none(),
    )
}

/// `POST /self-assessment`. Nothing is stored unless every item is right.
pub async fn submit(
    State(state): State<AppState>,
    staff: Staff,
    body: Bytes,
) -> Result<Response, AppError> {
    let framework = framework(&staff)?;
    let answers = answers_from(framework, &FormBody::parse(&body));
    let parsed = answers.parse(framework, clock::today(), |item| item_title(&state, item));
    let mut invalid = parsed.as_ref().err().cloned().unwrap_or_default();
    check_evidence_pages(&state, framework, &answers, &mut invalid);
    let parsed = match parsed {
        Ok(assessment) if invalid.is_empty() => Ok(assessment),
        _ => Err(invalid),
    };
    let assessment = match parsed {
        Ok(assessment) => assessment,
        Err(invalid) => {
            let policies = evidence_policies(&state, &staff, framework).await?;
            return form_page(
                &state,
                &staff,
                framework,
                &answers,
                &policies,
                invalid.into(),
            );
        }
    };
    let store = state.store.clone();
    let actor = staff.actor.clone();
    match blocking(move || store.record_self_assessment(&actor, &assessment)).await {
        Ok(id) => Ok(Redirect::to(&format!("/self-assessment/{id}")).into_response()),
        Err(AppError::Invalid(invalid)) => {
            let policies = evidence_policies(&state, &staff, framework).await?;
            form_page(
                &state,
                &staff,
                framework,
                &answers,
                &policies,
                invalid.into(),
            )
        }
        Err(other) => Err(other),
    }
}

// ---------------------------------------------------------------------------------------
// One self-assessment
// ---------------------------------------------------------------------------------------

pub struct RecordItem {
    pub code: &'static str,
    pub title: String,
    pub rating: Tag,
    pub change: Option<Tag>,
    pub strengths: String,
    pub actions: String,
    pub evidence: String,
    /// Evidence links as (address, words).
    pub links: Vec<(String, String)>,
}

pub struct RecordGroup {
    pub heading: String,
    pub items: Vec<RecordItem>,
}

#[derive(Template)]
#[template(path = "assessment/record.html")]
struct RecordPage {
    layout: Layout,
    errors: FormErrors,
    summary: Vec<(String, String)>,
    groups: Vec<RecordGroup>,
}

fn record_groups(state: &AppState, file: &AssessmentFile) -> Vec<RecordGroup> {
    let has_previous = file.previous.is_some();
    file.framework()
        .groups()
        .into_iter()
        .map(|(stage, items)| RecordGroup {
            heading: stage
                .map(|s| t(state, &code_key("sa-stage", s.as_str())))
                .unwrap_or_default(),
            items: items
                .into_iter()
                .filter_map(|item| {
                    let code = item.as_str();
                    let record = file.item(code)?;
                    let links = file
                        .links_for(code)
                        .filter_map(|link| match (link.policy_id, &link.page, link.case_id) {
                            (Some(id), _, _) => file.policy(id).map(|(_, kind, title)| {
                                (
                                    format!("/policies/{id}/edit"),
                                    policy_name(state, kind, title.as_deref()),
                                )
                            }),
                            (None, Some(page), _) => Some((
                                page.clone(),
                                // Kept before pages were checked: shown as typed.
                                evidence_page_name(state, page).unwrap_or_else(|| page.clone()),
                            )),
                            (None, None, Some(case)) => Some((
                                format!("/cases/{case}"),
                                state
                                    .catalogue
                                    .text_with("sa-case-link", "id", &case.to_string()),
                            )),
                            (None, None, None) => None,
                        })
                        .collect();
                    Some(RecordItem {
                        code,
                        title: item_title(state, item),
                        rating: rating_tag(state, record.rating()),
                        change: has_previous.then(|| {
                            change_tag(state, change(file.previous_rating(code), record.rating()))
                        }),
                        strengths: record.strengths.clone().unwrap_or_default(),
                        actions: record.actions.clone().unwrap_or_default(),
                        evidence: record.evidence.clone().unwrap_or_default(),
                        links,
                    })
                })
                .collect(),
        })
        .collect()
}

/// `GET /self-assessment/{id}`: one self-assessment, each item with its change since
/// the one before.
pub async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    framework(&staff)?;
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let file = blocking(move || store.self_assessment(&actor, id)).await?;
    let mut layout = Layout::staff(&state, &staff, "sa-heading", "/self-assessment");
    layout.title = state.catalogue.text_with(
        "sa-record-heading",
        "date",
        &long_date(file.record.assessed_on),
    );
    let mut summary = vec![(t(&state, "sa-completed-by"), file.completed_by.clone())];
    if let Some(note) = &file.record.note {
        summary.push((t(&state, "sa-note"), note.clone()));
    }
    summary.push((
        t(&state, "sa-previous"),
        match &file.previous {
            Some((before, _)) => long_date(before.assessed_on),
            None => t(&state, "sa-previous-none"),
        },
    ));
    let page = RecordPage {
        groups: record_groups(&state, &file),
        layout,
        errors: FormErrors::none(),
        summary,
    };
    render(&page)
}

// ---------------------------------------------------------------------------------------
// The policies register
// ---------------------------------------------------------------------------------------

pub struct PolicyLine {
    pub name: String,
    pub href: String,
    pub owner: String,
    pub reviewed: String,
    pub due: String,
    pub tag: Option<Tag>,
    pub kept: String,
}

#[derive(Template)]
#[template(path = "assessment/register.html")]
struct RegisterPage {
    layout: Layout,
    errors: FormErrors,
    rows: Vec<PolicyLine>,
    missing: Vec<String>,
}

/// The register in the order of seed 003 §7 (policies, then procedures), then any
/// others by name.
fn sort_register(rows: &mut [PolicyRow]) {
    let place = |row: &PolicyRow| {
        let kind = PolicyKind::parse(&row.record.kind).unwrap_or(PolicyKind::Other);
        let index = PolicyKind::ALL
            .iter()
            .position(|k| *k == kind)
            .unwrap_or(usize::MAX);
        (
            index,
            row.record.title.clone().unwrap_or_default().to_lowercase(),
        )
    };
    rows.sort_by_key(place);
}

fn state_tag(state: &AppState, policy: PolicyState) -> Option<Tag> {
    let c = &state.catalogue;
    match policy {
        PolicyState::Overdue { days } => Some(Tag {
            text: c.text_with_count("policy-state-overdue", "days", days),
            class: "govuk-tag--red",
        }),
        PolicyState::DueSoon { days } => Some(Tag {
            text: c.text_with_count("policy-state-due-soon", "days", days),
            class: "govuk-tag--yellow",
        }),
        PolicyState::NeverReviewed => Some(Tag {
            text: c.text("policy-state-never-reviewed"),
            class: "govuk-tag--grey",
        }),
        PolicyState::InDate => None,
    }
}

/// `GET /policies`: the register, overdue reviews marked, and the required policies
/// and procedures it lacks.
pub async fn policies(State(state): State<AppState>, staff: Staff) -> Result<Response, AppError> {
    manager(&staff)?;
    let mut rows = register(&state, &staff).await?;
    sort_register(&mut rows);
    let today = clock::today();
    let held: Vec<PolicyKind> = rows
        .iter()
        .filter_map(|r| PolicyKind::parse(&r.record.kind))
        .collect();
    let page = RegisterPage {
        layout: Layout::staff(&state, &staff, "policies-heading", "/policies"),
        errors: FormErrors::none(),
        missing: missing_policies(&held)
            .into_iter()
            .map(|kind| t(&state, &code_key("policy-kind", kind.as_str())))
            .collect(),
        rows: rows
            .iter()
            .map(|row| {
                let r = &row.record;
                PolicyLine {
                    name: policy_name(&state, &r.kind, r.title.as_deref()),
                    href: format!("/policies/{}/edit", r.id),
                    owner: row.owner.clone(),
                    reviewed: r
                        .last_reviewed_on
                        .map(long_date)
                        .unwrap_or_else(|| t(&state, "policies-never")),
                    due: long_date(r.review_due_on),
                    tag: state_tag(
                        &state,
                        policy_state(r.last_reviewed_on, r.review_due_on, today),
                    ),
                    kept: r.location.clone().unwrap_or_default(),
                }
            })
            .collect(),
    };
    render(&page)
}

/// For the manager's home page: how many policies are overdue for review, in words, or
/// nothing when none is.
pub async fn overdue_line(state: &AppState, staff: &Staff) -> Result<Option<String>, AppError> {
    manager(staff)?;
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let today = clock::today();
    let count = blocking(move || store.overdue_policy_count(&actor, today)).await?;
    Ok((count > 0).then(|| {
        state
            .catalogue
            .text_with_count("policies-overdue-home", "count", count)
    }))
}

fn answers_of(record: &advocase_storage::assessment::PolicyRecord) -> PolicyAnswers {
    let date = |d: Option<chrono::NaiveDate>| d.map(iso_date).unwrap_or_default();
    PolicyAnswers {
        kind: record.kind.clone(),
        title: record.title.clone().unwrap_or_default(),
        owner: record.owner_id.map(|id| id.to_string()).unwrap_or_default(),
        owner_name: record.owner_name.clone().unwrap_or_default(),
        approved_on: date(record.approved_on),
        last_reviewed_on: date(record.last_reviewed_on),
        review_due_on: iso_date(record.review_due_on),
        location: record.location.clone().unwrap_or_default(),
        version: record.version.to_string(),
    }
}

fn policy_spec(
    state: &AppState,
    action: String,
    owners: &[(i64, String)],
    a: &PolicyAnswers,
) -> FormSpec {
    let kinds: Vec<&str> = PolicyKind::ALL.iter().map(|k| k.as_str()).collect();
    let mut owner_options = vec![(String::new(), t(state, "policy-no-owner"))];
    owner_options.extend(
        owners
            .iter()
            .map(|(id, name)| (id.to_string(), name.clone())),
    );
    FormSpec {
        action,
        back: "/policies".into(),
        button: t(state, "policy-save"),
        hidden: vec![("version".into(), a.version.clone())],
        fields: vec![
            FormField::new(
                "kind",
                t(state, "policy-kind-label"),
                FieldKind::Select(code_select(state, "policy-kind", &kinds)),
                &a.kind,
            ),
            FormField::new(
                "title",
                t(state, "policy-title-label"),
                FieldKind::Text,
                &a.title,
            )
            .hint(t(state, "policy-title-hint")),
            FormField::new(
                "owner",
                t(state, "policy-owner-label"),
                FieldKind::Select(owner_options),
                &a.owner,
            ),
            FormField::new(
                "owner_name",
                t(state, "policy-owner-name-label"),
                FieldKind::Text,
                &a.owner_name,
            )
            .hint(t(state, "policy-owner-name-hint")),
            FormField::new(
                "approved_on",
                t(state, "policy-approved-label"),
                FieldKind::Date,
                &a.approved_on,
            ),
            FormField::new(
                "last_reviewed_on",
                t(state, "policy-reviewed-label"),
                FieldKind::Date,
                &a.last_reviewed_on,
            ),
            FormField::new(
                "review_due_on",
                t(state, "policy-due-label"),
                FieldKind::Date,
                &a.review_due_on,
            ),
            FormField::new(
                "location",
                t(state, "policy-location-label"),
                FieldKind::Text,
                &a.location,
            )
            .hint(t(state, "policy-location-hint")),
        ],
        ..Default::default()
    }
}

async fn owners(state: &AppState, staff: &Staff) -> Result<Vec<(i64, String)>, AppError> {
    let store = state.store.clone();
    let actor = staff.actor.clone();
    blocking(move || store.policy_owners(&actor)).await
}

fn policy_answers(body: &FormBody) -> PolicyAnswers {
    PolicyAnswers {
        kind: body.get("kind"),
        title: body.get("title"),
        owner: body.get("owner"),
        owner_name: body.get("owner_name"),
        approved_on: body.get("approved_on"),
        last_reviewed_on: body.get("last_reviewed_on"),
        review_due_on: body.get("review_due_on"),
        location: body.get("location"),
        version: body.get("version"),
    }
}

/// `GET /policies/new`.
pub async fn policy_form(
    State(state): State<AppState>,
    staff: Staff,
) -> Result<Response, AppError> {
    manager(&staff)?;
    let owners = owners(&state, &staff).await?;
    let layout = Layout::staff(&state, &staff, "policy-form-heading", "/policies");
    let answers = PolicyAnswers {
        owner: staff.actor.user_id.to_string(),
        version: "0".into(),
        ..Default::default()
    };
    let spec = policy_spec(&state, "/policies".into(), &owners, &answers);
    show_form(layout, FormErrors::none(), spec)
}

/// `POST /policies`.
pub async fn policy_submit(
    State(state): State<AppState>,
    staff: Staff,
    body: Bytes,
) -> Result<Response, AppError> {
    manager(&staff)?;
    let owners = owners(&state, &staff).await?;
    let answers = policy_answers(&FormBody::parse(&body));
    let layout = Layout::staff(&state, &staff, "policy-form-heading", "/policies");
    let policy = match answers.parse(clock::today()) {
        Ok(policy) => policy,
        Err(invalid) => {
            let spec = policy_spec(&state, "/policies".into(), &owners, &answers);
            return show_form(layout, invalid.into(), spec);
        }
    };
    let store = state.store.clone();
    let actor = staff.actor.clone();
    match blocking(move || store.add_policy(&actor, &policy)).await {
        Ok(_) => Ok(Redirect::to("/policies").into_response()),
        Err(AppError::Invalid(invalid)) => {
            let spec = policy_spec(&state, "/policies".into(), &owners, &answers);
            show_form(layout, invalid.into(), spec)
        }
        Err(other) => Err(other),
    }
}

async fn saved_policy(state: &AppState, staff: &Staff, id: i64) -> Result<PolicyRow, AppError> {
    let store = state.store.clone();
    let actor = staff.actor.clone();
    blocking(move || store.policy(&actor, id)).await
}

/// `GET /policies/{id}/edit`.
pub async fn policy_edit_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    manager(&staff)?;
    let saved = saved_policy(&state, &staff, id).await?;
    let owners = owners(&state, &staff).await?;
    let layout = Layout::staff(&state, &staff, "policy-edit-heading", "/policies");
    let spec = policy_spec(
        &state,
        format!("/policies/{id}"),
        &owners,
        &answers_of(&saved.record),
    );
    show_form(layout, FormErrors::none(), spec)
}

/// The fields where what was saved differs from what was typed, in words, for the
/// table shown after a refused stale edit.
fn differences(
    state: &AppState,
    owners: &[(i64, String)],
    saved: &PolicyAnswers,
    typed: &PolicyAnswers,
) -> Vec<(String, String, String)> {
    let owner = |a: &PolicyAnswers| match a.owner.trim().parse::<i64>() {
        Ok(id) => owners
            .iter()
            .find(|(uid, _)| *uid == id)
            .map(|(_, name)| name.clone())
            .unwrap_or_default(),
        Err(_) => a.owner_name.clone(),
    };
    let kind = |a: &PolicyAnswers| {
        PolicyKind::parse(&a.kind)
            .map(|k| t(state, &code_key("policy-kind", k.as_str())))
            .unwrap_or_else(|| a.kind.clone())
    };
    super::forms::differences(
        &state.catalogue,
        [
            ("policy-kind-label", kind(saved), kind(typed)),
            (
                "policy-title-label",
                saved.title.clone(),
                typed.title.clone(),
            ),
            ("policy-owner-label", owner(saved), owner(typed)),
            (
                "policy-approved-label",
                saved.approved_on.clone(),
                typed.approved_on.clone(),
            ),
            (
                "policy-reviewed-label",
                saved.last_reviewed_on.clone(),
                typed.last_reviewed_on.clone(),
            ),
            (
                "policy-due-label",
                saved.review_due_on.clone(),
                typed.review_due_on.clone(),
            ),
            (
                "policy-location-label",
                saved.location.clone(),
                typed.location.clone(),
            ),
        ],
    )
}

/// `POST /policies/{id}`. A change saved by someone else since the form opened is never
/// overwritten: the form comes back with the saved values and what differs.
pub async fn policy_edit_submit(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, AppError> {
    manager(&staff)?;
    let saved = saved_policy(&state, &staff, id).await?;
    let owners = owners(&state, &staff).await?;
    let body = FormBody::parse(&body);
    let version = body.version()?;
    let answers = policy_answers(&body);
    let layout = Layout::staff(&state, &staff, "policy-edit-heading", "/policies");
    let action = format!("/policies/{id}");
    let policy = match answers.parse(clock::today()) {
        Ok(policy) => policy,
        Err(invalid) => {
            let spec = policy_spec(&state, action, &owners, &answers);
            return show_form(layout, invalid.into(), spec);
        }
    };
    let store = state.store.clone();
    let actor = staff.actor.clone();
    match blocking(move || store.update_policy(&actor, id, version, &policy)).await {
        Ok(()) => Ok(Redirect::to("/policies").into_response()),
        Err(AppError::Conflict) => {
            let now = answers_of(&saved.record);
            let mut spec = policy_spec(&state, action, &owners, &now);
            spec.changed = differences(&state, &owners, &now, &answers);
            show_form(layout, FormErrors::none(), spec)
        }
        Err(AppError::Invalid(invalid)) => {
            let spec = policy_spec(&state, action, &owners, &answers);
            show_form(layout, invalid.into(), spec)
        }
        Err(other) => Err(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Catalogue;

    #[test]
    fn every_item_stage_rating_change_and_policy_kind_has_words_in_the_catalogue() {
        let catalogue = Catalogue::english();
        let mut keys: Vec<String> = Vec::new();
        for framework in Framework::ALL {
            keys.push(format!("sa-intro-{}", framework.as_str()));
            for (stage, items) in framework.groups() {
                if let Some(stage) = stage {
                    keys.push(code_key("sa-stage", stage.as_str()));
                }
                keys.extend(items.iter().map(|i| code_key("sa-item", i.as_str())));
            }
        }
        keys.extend(
            Rating::ALL
                .iter()
                .map(|r| code_key("sa-rating", r.as_str())),
        );
        for c in [
            Change::Better,
            Change::Same,
            Change::Worse,
            Change::NotRatedBefore,
        ] {
            keys.push(code_key("sa-change", c.as_str()));
        }
        keys.extend(
            PolicyKind::ALL
                .iter()
                .map(|k| code_key("policy-kind", k.as_str())),
        );
        for area in advocase_domain::assessment::QualityArea::ALL {
            keys.push(code_key("sa-hint", area.as_str()));
        }
        let missing: Vec<&String> = keys.iter().filter(|k| !catalogue.has(k)).collect();
        assert!(missing.is_empty(), "missing from en-GB.ftl: {missing:?}");
    }
}
