//! Casework pages: the caseload with what is due next, the case page with its timeline,
//! allocation with the ranked suggestions and the conflict-of-interest block, and the
//! short forms for contacts, issues and outcomes, work, challenges, closure and
//! re-opening.
//!
//! Who may see a case is decided in storage (`visible_cases`); these handlers never
//! check it themselves, so a case one may not see answers exactly as one that does not
//! exist.

use super::forms::{FieldKind, FormField, FormSpec, show_form};
use super::manager;
use super::{Choice, FormErrors, Layout, radios, render, render_with, when};
use crate::app::AppState;
use crate::auth::Staff;
use crate::auth::session::blocking;
use crate::clock::{local_now, today};
use crate::error::AppError;
use advocase_domain::casework::{
    ChallengeStep, ClosureAnswers, ClosureReason, ContactAnswers, ContactMode, DueItem, DueKind,
    NonInstructedApproach, OutcomeLevel, Process, Reason, SelfAdvocacy, WorkKind, check_allocation,
    due_items, optional_text, parse_minutes, rank, required_date,
};
use advocase_domain::identity::Role;
use advocase_domain::referral::{MAX_SHORT, MAX_TEXT};
use advocase_domain::validation::{Invalid, required_text};
use advocase_i18n::{label, msg};
use advocase_storage::casework::{
    CaseFile, NewChallenge, NewChallengeStep, NewWork, WorkDone, case_status,
};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDateTime;
use serde::Deserialize;

/// The interval for regular contact with people under the Mental Health Act, until
/// contracts set their own (DOMAIN.md §4).
pub const REGULAR_CONTACT_DAYS: u32 = 28;

/// The catalogue key of a stored code: `prefix-code` with underscores as hyphens.
pub fn code_key(prefix: &str, code: &str) -> String {
    format!("{prefix}-{}", code.replace('_', "-"))
}

/// The words for a stored code, or nothing when there is no code.
fn words(state: &AppState, prefix: &str, code: Option<&str>) -> String {
    code.map(|c| state.catalogue.text(&code_key(prefix, c)))
        .unwrap_or_default()
}

/// The (value, catalogue key) options of a set of codes, from the domain's list.
fn code_options<C: Copy>(
    prefix: &str,
    codes: &[C],
    as_str: impl Fn(C) -> &'static str,
) -> Vec<(&'static str, String)> {
    codes
        .iter()
        .map(|c| {
            let code = as_str(*c);
            (code, code_key(prefix, code))
        })
        .collect()
}

fn yes_no() -> Vec<(&'static str, String)> {
    vec![
        ("yes", "ref-answer-yes".to_string()),
        ("no", "ref-answer-no".to_string()),
    ]
}

fn choices(
    layout: &Layout,
    name: &str,
    options: &[(&'static str, String)],
    selected: &str,
) -> Vec<Choice> {
    let borrowed: Vec<(&str, &str)> = options.iter().map(|(v, k)| (*v, k.as_str())).collect();
    radios(layout, name, &borrowed, selected)
}

/// A date as pages show it, or nothing.
pub(crate) fn date(value: Option<chrono::NaiveDate>) -> String {
    value
        .map(|d| d.format("%-d %b %Y").to_string())
        .unwrap_or_default()
}

/// A version number from a form; anything else means the form is not one we showed.
pub(crate) fn version(value: &str) -> Result<i64, AppError> {
    value.trim().parse().map_err(|_| AppError::Conflict)
}

async fn case_file(state: &AppState, staff: &Staff, id: i64) -> Result<CaseFile, AppError> {
    let store = state.store.clone();
    let actor = staff.actor.clone();
    blocking(move || store.case_file(&actor, id)).await
}

fn person_name(file: &CaseFile) -> String {
    format!("{} {}", file.person.given_name, file.person.family_name)
}

/// "Ada Lovelace, IMHA": the caption of every form of a case.
fn caption(state: &AppState, file: &CaseFile) -> String {
    format!(
        "{}, {}",
        person_name(file),
        state.catalogue.text(&code_key("duty", &file.case.duty))
    )
}

/// The words of one thing due, like "IMHA introduction by 24 Nov 2026".
fn due_words(state: &AppState, item: &DueItem) -> String {
    let kind = match item.kind {
        DueKind::ImhaIntroduction => "due-imha-introduction",
        DueKind::RegularContact => "due-regular-contact",
        DueKind::Meeting => "due-meeting",
        DueKind::Report => "due-report",
        DueKind::Response => "due-response",
    };
    state
        .catalogue
        .text_with(kind, "date", &item.due.format("%-d %b %Y").to_string())
}

pub struct DueLine {
    pub text: String,
    pub overdue: bool,
}

fn due_lines(state: &AppState, items: &[DueItem]) -> Vec<DueLine> {
    items
        .iter()
        .map(|item| DueLine {
            text: due_words(state, item),
            overdue: item.overdue,
        })
        .collect()
}

/// The answer to a storage refusal on a form: the form again with the errors, or the
/// error page.
fn refused(
    error: AppError,
    again: impl FnOnce(FormErrors) -> Result<Response, AppError>,
) -> Result<Response, AppError> {
    match error {
        AppError::Invalid(invalid) => again(invalid.into()),
        other => Err(other),
    }
}

/// Who holds a case now, for the banner of a form someone else overtook.
fn advocate_now(state: &AppState, file: &CaseFile) -> String {
    file.advocate_name
        .clone()
        .unwrap_or_else(|| state.catalogue.text("allocate-changed-nobody"))
}

fn back_to_case(id: i64) -> Response {
    Redirect::to(&format!("/cases/{id}")).into_response()
}

// ---------------------------------------------------------------------------------------
// The caseload
// ---------------------------------------------------------------------------------------

pub struct CaseloadEntry {
    pub case_id: i64,
    pub person: String,
    pub duty: String,
    pub advocate: String,
    pub due: Vec<DueLine>,
    pub overdue: bool,
}

pub struct AdvocateSummary {
    pub id: i64,
    pub name: String,
    pub open: usize,
    pub capacity: i32,
    pub overdue: usize,
}

#[derive(Template)]
#[template(path = "cases/caseload.html")]
struct CaseloadPage {
    layout: Layout,
    errors: FormErrors,
    manager: bool,
    filtered: String,
    entries: Vec<CaseloadEntry>,
    advocates: Vec<AdvocateSummary>,
    overdue: usize,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CaseloadQuery {
    advocate: Option<i64>,
}

/// `GET /cases`: an advocate's own caseload, or for a manager every advocate's, overdue
/// items first.
pub async fn caseload(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<CaseloadQuery>,
) -> Result<Response, AppError> {
    super::require_role(&staff, &[Role::Advocate, Role::Manager])?;
    let is_manager = staff.actor.role == Role::Manager;
    let filter = if is_manager { query.advocate } else { None };
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let (rows, advocates) = blocking(move || {
        let rows = store.caseload(&actor, filter)?;
        let advocates = if actor.role == Role::Manager {
            store.advocates(&actor)?
        } else {
            Vec::new()
        };
        Ok((rows, advocates))
    })
    .await?;
    let today = today();
    let mut entries: Vec<(Vec<DueItem>, CaseloadEntry)> = rows
        .into_iter()
        .map(|row| {
            let items = due_items(&row.facts, today, REGULAR_CONTACT_DAYS);
            let entry = CaseloadEntry {
                case_id: row.case.id,
                person: row.person_name,
                duty: state.catalogue.text(&code_key("duty", &row.case.duty)),
                advocate: row.advocate_name.unwrap_or_default(),
                due: due_lines(&state, &items),
                overdue: items.iter().any(|i| i.overdue),
            };
            (items, entry)
        })
        .collect();
    // Overdue first, then whatever falls due soonest; cases with nothing due last.
    entries.sort_by_key(|(items, entry)| {
        (
            !entry.overdue,
            items
                .first()
                .map(|i| i.due)
                .unwrap_or(chrono::NaiveDate::MAX),
        )
    });
    let summaries = if filter.is_none() {
        advocates
            .iter()
            .map(|a| AdvocateSummary {
                id: a.user_id,
                name: a.name.clone(),
                open: entries.iter().filter(|(_, e)| e.advocate == a.name).count(),
                capacity: a.settings.capacity,
                overdue: entries
                    .iter()
                    .filter(|(_, e)| e.advocate == a.name && e.overdue)
                    .count(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let filtered = filter
        .and_then(|id| advocates.iter().find(|a| a.user_id == id))
        .map(|a| a.name.clone())
        .unwrap_or_default();
    let entries: Vec<CaseloadEntry> = entries.into_iter().map(|(_, e)| e).collect();
    let title = if is_manager {
        "caseloads-heading"
    } else {
        "my-cases-heading"
    };
    render(&CaseloadPage {
        layout: Layout::staff(&state, &staff, title, "/cases"),
        errors: FormErrors::none(),
        manager: is_manager,
        filtered,
        overdue: entries.iter().filter(|e| e.overdue).count(),
        entries,
        advocates: summaries,
    })
}

// ---------------------------------------------------------------------------------------
// The case page
// ---------------------------------------------------------------------------------------

pub struct TimelineItem {
    pub at: NaiveDateTime,
    pub when: String,
    pub iso: String,
    pub title: String,
    pub byline: String,
    pub lines: Vec<String>,
}

pub struct IssueLine {
    pub id: i64,
    pub words: String,
    pub process: String,
    pub outcome: String,
    pub their_view: String,
}

pub struct WorkLine {
    pub id: i64,
    pub kind: String,
    pub description: String,
    pub due: String,
    pub done: String,
    pub response: String,
    pub open: bool,
}

pub struct ChallengeLine {
    pub id: i64,
    pub decision: String,
    pub decision_maker: String,
    pub steps: Vec<String>,
    pub result: String,
    pub open: bool,
}

#[derive(Template)]
#[template(path = "cases/show.html")]
struct CasePage {
    layout: Layout,
    errors: FormErrors,
    id: i64,
    person_id: i64,
    person: String,
    duty: String,
    closed: bool,
    waiting: bool,
    reopens: Option<i64>,
    is_manager: bool,
    may_work: bool,
    due: Vec<DueLine>,
    summary: Vec<(String, String)>,
    issues: Vec<IssueLine>,
    work: Vec<WorkLine>,
    challenges: Vec<ChallengeLine>,
    timeline: Vec<TimelineItem>,
    time_spent: String,
    /// (id, name, kind, size, when)
    documents: Vec<(i64, String, String, String, String)>,
}

/// Everything that happened on a case, newest first, in the MOJ timeline's terms.
pub fn timeline(state: &AppState, file: &CaseFile) -> Vec<TimelineItem> {
    let t = |key: &str| state.catalogue.text(key);
    let by = |id: i64| {
        state
            .catalogue
            .text_with("timeline-by", "name", file.staff_name(id))
    };
    let mut items = Vec::new();
    // Every time is on the UK wall clock: a contact's time is recorded as people read
    // it, and the system's own UTC stamps are turned into UK time before they join it.
    let mut push = |at: NaiveDateTime, title: String, byline: String, lines: Vec<String>| {
        items.push(TimelineItem {
            at,
            when: when(at),
            iso: at.format("%Y-%m-%dT%H:%M").to_string(),
            title,
            byline,
            lines,
        })
    };
    push(
        crate::clock::local(file.case.opened_at),
        t("timeline-opened"),
        String::new(),
        Vec::new(),
    );
    for (allocation, name) in &file.allocations {
        let mut lines = vec![
            state
                .catalogue
                .text_with("timeline-allocated-to", "name", name),
        ];
        lines.extend(allocation.reason.clone());
        lines.extend(allocation.override_reason.clone());
        push(
            crate::clock::local(allocation.allocated_at),
            t("timeline-allocated"),
            by(allocation.allocated_by),
            lines,
        );
    }
    for contact in &file.contacts {
        let mut lines = vec![format!(
            "{}, {}",
            words(state, "contact-mode", Some(&contact.mode)),
            state
                .catalogue
                .text_with("minutes", "minutes", &contact.duration_minutes.to_string())
        )];
        if let Some(present) = &contact.present {
            lines.push(
                state
                    .catalogue
                    .text_with("timeline-present", "people", present),
            );
        }
        lines.push(contact.discussed.clone());
        if let Some(agreed) = &contact.agreed {
            lines.push(
                state
                    .catalogue
                    .text_with("timeline-agreed", "agreed", agreed),
            );
        }
        lines.push(if contact.could_instruct {
            t("timeline-could-instruct")
        } else {
            state.catalogue.text_with(
                "timeline-non-instructed",
                "approach",
                &words(state, "approach", contact.approach.as_deref()),
            )
        });
        push(
            contact.occurred_at,
            t("timeline-contact"),
            by(contact.recorded_by),
            lines,
        );
    }
    for issue in &file.issues {
        push(
            crate::clock::local(issue.created_at),
            t("timeline-issue"),
            by(issue.created_by),
            vec![issue.in_their_words.clone()],
        );
        if let (Some(outcome), Some(at)) = (&issue.outcome, issue.outcome_recorded_at) {
            let mut lines = vec![words(state, "outcome", Some(outcome))];
            lines.extend(issue.outcome_in_their_words.clone());
            push(
                crate::clock::local(at),
                t("timeline-outcome"),
                String::new(),
                lines,
            );
        }
    }
    for work in &file.work {
        push(
            crate::clock::local(work.created_at),
            words(state, "work", Some(&work.kind)),
            by(work.created_by),
            vec![work.description.clone()],
        );
    }
    for (challenge, steps) in &file.challenges {
        for step in steps {
            let mut lines = vec![challenge.decision.clone()];
            lines.extend(step.outcome.clone());
            push(
                crate::clock::local(step.recorded_at),
                state.catalogue.text_with(
                    "timeline-challenge-step",
                    "step",
                    &words(state, "step", Some(&step.step)),
                ),
                by(step.recorded_by),
                lines,
            );
        }
    }
    if let Some(closed) = file.case.closed_at {
        let mut lines = vec![words(state, "closure", file.case.closure_reason.as_deref())];
        lines.extend(file.case.handed_over_to.clone());
        lines.extend(file.case.closure_note.clone());
        push(
            crate::clock::local(closed),
            t("timeline-closed"),
            file.case.closed_by.map(by).unwrap_or_default(),
            lines,
        );
    }
    items.sort_by_key(|item| std::cmp::Reverse(item.at));
    items
}

fn hours_and_minutes(state: &AppState, minutes: i64) -> String {
    state.catalogue.text_with_args(
        "time-spent-value",
        &[
            ("hours", &(minutes / 60).to_string()),
            ("minutes", &(minutes % 60).to_string()),
        ],
    )
}

/// `GET /cases/{id}`.
pub async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let file = case_file(&state, &staff, id).await?;
    let t = |key: &str| state.catalogue.text(key);
    let closed = file.case.status == case_status::CLOSED;
    let due = if file.case.status == case_status::ALLOCATED {
        due_items(&file.facts(), today(), REGULAR_CONTACT_DAYS)
    } else {
        Vec::new()
    };
    let mut summary = vec![
        (
            t("case-status-label"),
            words(&state, "case-status", Some(&file.case.status)),
        ),
        (
            t("case-advocate-label"),
            file.advocate_name
                .clone()
                .unwrap_or_else(|| t("case-no-advocate")),
        ),
        (
            t("case-opened-label"),
            when(crate::clock::local(file.case.opened_at)),
        ),
    ];
    if let Some(due) = file.case.introduction_due {
        summary.push((t("case-introduction-due-label"), date(Some(due))));
    }
    if let Some(needs) = &file.person.communication_needs {
        summary.push((t("person-communication-label"), needs.clone()));
    }
    if closed {
        summary.push((
            t("case-closure-label"),
            words(&state, "closure", file.case.closure_reason.as_deref()),
        ));
        if let Some(to) = &file.case.handed_over_to {
            summary.push((t("case-handed-over-label"), to.clone()));
        }
        summary.push((
            t("case-self-advocacy-label"),
            words(&state, "self-advocacy", file.case.self_advocacy.as_deref()),
        ));
        if let Some(reason) = &file.case.open_tasks_reason {
            summary.push((t("case-open-tasks-reason-label"), reason.clone()));
        }
    }
    let page = CasePage {
        layout: Layout::staff(&state, &staff, "case-heading", "/cases"),
        errors: FormErrors::none(),
        id,
        person_id: file.person.id,
        person: person_name(&file),
        duty: state.catalogue.text(&code_key("duty", &file.case.duty)),
        closed,
        waiting: file.case.status == case_status::WAITING,
        reopens: file.case.reopens_case_id,
        is_manager: staff.actor.role == Role::Manager,
        may_work: !closed && file.case.status == case_status::ALLOCATED,
        due: due_lines(&state, &due),
        summary,
        issues: file
            .issues
            .iter()
            .map(|i| IssueLine {
                id: i.id,
                words: i.in_their_words.clone(),
                process: words(&state, "process", Some(&i.process)),
                outcome: words(&state, "outcome", i.outcome.as_deref()),
                their_view: i.outcome_in_their_words.clone().unwrap_or_default(),
            })
            .collect(),
        work: file
            .work
            .iter()
            .map(|w| WorkLine {
                id: w.id,
                kind: words(&state, "work", Some(&w.kind)),
                description: w.description.clone(),
                due: date(w.due_on),
                done: date(w.done_on),
                response: match (w.response_due, w.response_received_on) {
                    (_, Some(received)) => state.catalogue.text_with(
                        "work-response-received",
                        "date",
                        &date(Some(received)),
                    ),
                    (Some(due), None) => {
                        state
                            .catalogue
                            .text_with("work-response-due", "date", &date(Some(due)))
                    }
                    _ => String::new(),
                },
                open: w.is_open(),
            })
            .collect(),
        challenges: file
            .challenges
            .iter()
            .map(|(c, steps)| ChallengeLine {
                id: c.id,
                decision: c.decision.clone(),
                decision_maker: c.decision_maker.clone(),
                steps: steps
                    .iter()
                    .map(|s| {
                        let mut line = format!(
                            "{}: {}",
                            date(Some(s.taken_on)),
                            words(&state, "step", Some(&s.step))
                        );
                        if let Some(outcome) = &s.outcome {
                            line.push_str(&format!(" ({outcome})"));
                        }
                        line
                    })
                    .collect(),
                result: c.result.clone().unwrap_or_default(),
                open: c.concluded_on.is_none(),
            })
            .collect(),
        timeline: timeline(&state, &file),
        time_spent: hours_and_minutes(&state, file.minutes_spent()),
        documents: file
            .attachments
            .iter()
            .map(|a| {
                (
                    a.id,
                    a.file_name.clone(),
                    a.kind.to_uppercase(),
                    format!("{} KB", (a.size_bytes + 1023) / 1024),
                    when(crate::clock::local(a.uploaded_at)),
                )
            })
            .collect(),
    };
    render(&page)
}

// ---------------------------------------------------------------------------------------
// Allocation
// ---------------------------------------------------------------------------------------

pub struct SuggestionLine {
    pub user_id: i64,
    pub name: String,
    pub offered: bool,
    pub first: bool,
    pub reasons: Vec<String>,
}

#[derive(Template)]
#[template(path = "cases/allocate.html")]
struct AllocatePage {
    layout: Layout,
    errors: FormErrors,
    id: i64,
    caption: String,
    version: i64,
    reallocating: bool,
    current: String,
    offered: Vec<SuggestionLine>,
    not_offered: Vec<SuggestionLine>,
    chosen: String,
    reason: String,
    override_reason: String,
    /// When someone else allocated the case since the page was opened: the advocate now
    /// beside the one chosen.
    changed: Vec<(String, String, String)>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AllocateForm {
    advocate: String,
    reason: String,
    override_reason: String,
    version: String,
}

fn reason_words(state: &AppState, reason: &Reason) -> String {
    let c = &state.catalogue;
    match reason {
        Reason::Continuity => c.text("reason-continuity"),
        Reason::Qualified => c.text("reason-qualified"),
        Reason::NotQualified => c.text("reason-not-qualified"),
        Reason::CoversArea => c.text("reason-covers-area"),
        Reason::OutsideArea => c.text("reason-outside-area"),
        Reason::SpeaksLanguage => c.text("reason-speaks-language"),
        Reason::NoSharedLanguage => c.text("reason-no-shared-language"),
        Reason::MatchesGenderPreference => c.text("reason-matches-preference"),
        Reason::NotGenderPreference => c.text("reason-not-preference"),
        Reason::Caseload { open, capacity } => c.text_with_args(
            "reason-caseload",
            &[
                ("open", &open.to_string()),
                ("capacity", &capacity.to_string()),
            ],
        ),
        Reason::AtCapacity { open, capacity } => c.text_with_args(
            "reason-at-capacity",
            &[
                ("open", &open.to_string()),
                ("capacity", &capacity.to_string()),
            ],
        ),
        Reason::Conflict(kind) => c.text_with(
            "reason-conflict",
            "kind",
            &words(state, "conflict", Some(kind.as_str())),
        ),
        Reason::MeetsRule => c.text("reason-meets-rule"),
        Reason::WithinGrace { until } => {
            c.text_with("reason-within-grace", "until", &date(Some(*until)))
        }
        Reason::RuleNotMet { unit, has, needed } => c.text_with_args(
            "reason-rule-not-met",
            &[
                ("unit", unit.as_str()),
                (
                    "has",
                    &words(state, "qualification-status", Some(has.as_str())),
                ),
                (
                    "needed",
                    &words(state, "qualification-status", Some(needed.as_str())),
                ),
            ],
        ),
    }
}

async fn allocate_page(
    state: &AppState,
    staff: &Staff,
    id: i64,
    form: &AllocateForm,
    errors: FormErrors,
) -> Result<Response, AppError> {
    allocate_page_after(state, staff, id, form, errors, false).await
}

/// The allocation page; `stale` when the form sent was opened before someone else
/// allocated the case, so the page shows who holds it now beside the one chosen.
async fn allocate_page_after(
    state: &AppState,
    staff: &Staff,
    id: i64,
    form: &AllocateForm,
    errors: FormErrors,
    stale: bool,
) -> Result<Response, AppError> {
    let file = case_file(state, staff, id).await?;
    if file.case.status == case_status::CLOSED {
        return Err(AppError::NotFound);
    }
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let case = file.case.clone();
    let (candidates, needs) = blocking(move || store.allocation_candidates(&actor, &case)).await?;
    let ranked = rank(&candidates, &needs, today());
    let first = ranked.iter().find(|s| s.offered).map(|s| s.user_id);
    let lines: Vec<SuggestionLine> = ranked
        .iter()
        .filter(|s| Some(s.user_id) != file.case.advocate_id)
        .map(|s| SuggestionLine {
            user_id: s.user_id,
            name: s.name.clone(),
            offered: s.offered,
            first: Some(s.user_id) == first,
            reasons: s.reasons.iter().map(|r| reason_words(state, r)).collect(),
        })
        .collect();
    let changed = if stale {
        let t = |key: &str| state.catalogue.text(key);
        let chosen = ranked
            .iter()
            .find(|s| s.user_id.to_string() == form.advocate.trim())
            .map(|s| s.name.clone())
            .unwrap_or_default();
        vec![(
            t("allocate-changed-label"),
            advocate_now(state, &file),
            chosen,
        )]
    } else {
        Vec::new()
    };
    let (offered, not_offered) = lines.into_iter().partition(|l| l.offered);
    let status = if stale {
        StatusCode::CONFLICT
    } else if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render_with(
        status,
        &AllocatePage {
            layout: Layout::staff(state, staff, "allocate-heading", "/cases"),
            errors,
            id,
            caption: caption(state, &file),
            version: file.case.version,
            reallocating: file.case.advocate_id.is_some(),
            current: file.advocate_name.clone().unwrap_or_default(),
            offered,
            not_offered,
            chosen: form.advocate.clone(),
            reason: form.reason.clone(),
            override_reason: form.override_reason.clone(),
            changed,
        },
    )
}

/// `GET /cases/{id}/allocate`: managers only.
pub async fn allocate_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    manager(&staff)?;
    allocate_page(
        &state,
        &staff,
        id,
        &AllocateForm::default(),
        FormErrors::none(),
    )
    .await
}

/// `POST /cases/{id}/allocate`. The conflict block is checked again in storage, inside
/// the transaction, whatever this form was shown.
pub async fn allocate(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(form): Form<AllocateForm>,
) -> Result<Response, AppError> {
    manager(&staff)?;
    let version = version(&form.version)?;
    let Ok(advocate) = form.advocate.trim().parse::<i64>() else {
        let errors = Invalid::one("advocate", msg::ALLOCATE_CHOOSE);
        return allocate_page(&state, &staff, id, &form, errors.into()).await;
    };
    // The ranking is checked first for the plain message; storage checks it again.
    let file = case_file(&state, &staff, id).await?;
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let case = file.case.clone();
    let (candidates, needs) = blocking(move || store.allocation_candidates(&actor, &case)).await?;
    let ranked = rank(&candidates, &needs, today());
    let override_reason = Some(form.override_reason.trim()).filter(|r| !r.is_empty());
    if let Err(error) = check_allocation(&ranked, advocate, override_reason) {
        return allocate_page(&state, &staff, id, &form, Invalid::from(error).into()).await;
    }
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let reason = Some(form.reason.trim().to_string()).filter(|r| !r.is_empty());
    let override_reason = override_reason.map(str::to_string);
    let done = blocking(move || {
        store.allocate(
            &actor,
            id,
            version,
            advocate,
            reason.as_deref(),
            override_reason.as_deref(),
            today(),
        )
    })
    .await;
    match done {
        Ok(()) => Ok(back_to_case(id)),
        Err(AppError::Invalid(invalid)) => {
            allocate_page(&state, &staff, id, &form, invalid.into()).await
        }
        Err(AppError::Conflict) => {
            allocate_page_after(&state, &staff, id, &form, FormErrors::none(), true).await
        }
        Err(other) => Err(other),
    }
}

// ---------------------------------------------------------------------------------------
// Contacts
// ---------------------------------------------------------------------------------------

fn contact_spec(
    state: &AppState,
    layout: &Layout,
    file: &CaseFile,
    a: &ContactAnswers,
) -> FormSpec {
    let t = |key: &str| state.catalogue.text(key);
    let modes = code_options("contact-mode", ContactMode::ALL, ContactMode::as_str);
    let approaches = code_options(
        "approach",
        NonInstructedApproach::ALL,
        NonInstructedApproach::as_str,
    );
    let yes_no = yes_no();
    FormSpec {
        caption: caption(state, file),
        action: format!("/cases/{}/contacts", file.case.id),
        back: format!("/cases/{}", file.case.id),
        button: t("contact-save"),
        fields: vec![
            FormField::new("date", t("contact-date-label"), FieldKind::Date, &a.date)
                .hint(t("contact-date-hint")),
            FormField::new("time", t("contact-time-label"), FieldKind::Time, &a.time)
                .hint(t("contact-time-hint")),
            FormField::new(
                "mode",
                t("contact-mode-label"),
                FieldKind::Radios(choices(layout, "mode", &modes, &a.mode)),
                &a.mode,
            ),
            FormField::new(
                "duration",
                t("contact-duration-label"),
                FieldKind::Number,
                &a.duration,
            )
            .hint(t("contact-duration-hint")),
            FormField::new(
                "present",
                t("contact-present-label"),
                FieldKind::Text,
                &a.present,
            )
            .hint(t("contact-present-hint")),
            FormField::new(
                "discussed",
                t("contact-discussed-label"),
                FieldKind::TextArea,
                &a.discussed,
            ),
            FormField::new(
                "agreed",
                t("contact-agreed-label"),
                FieldKind::TextArea,
                &a.agreed,
            ),
            FormField::new(
                "could_instruct",
                t("contact-instruct-label"),
                FieldKind::InlineRadios(choices(
                    layout,
                    "could_instruct",
                    &yes_no,
                    &a.could_instruct,
                )),
                &a.could_instruct,
            )
            .hint(t("contact-instruct-hint")),
            FormField::new(
                "approach",
                t("contact-approach-label"),
                FieldKind::Radios(choices(layout, "approach", &approaches, &a.approach)),
                &a.approach,
            )
            .hint(t("contact-approach-hint")),
        ],
        ..Default::default()
    }
}

/// `GET /cases/{id}/contacts/new`: the date and time start at now, so a contact
/// recorded straight after a visit needs little typing on a phone.
pub async fn contact_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let file = case_file(&state, &staff, id).await?;
    let now = local_now();
    let answers = ContactAnswers {
        date: now.format("%Y-%m-%d").to_string(),
        time: now.format("%H:%M").to_string(),
        ..Default::default()
    };
    let layout = Layout::staff(&state, &staff, "contact-heading", "/cases");
    let spec = contact_spec(&state, &layout, &file, &answers);
    show_form(layout, FormErrors::none(), spec)
}

/// `POST /cases/{id}/contacts`.
pub async fn contact_submit(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(answers): Form<ContactAnswers>,
) -> Result<Response, AppError> {
    // Recording a contact is an advocate's most frequent write, so the case file (an
    // audited read of everything on the case) is loaded only to show the form again.
    // The store checks on its own that the case may be worked on; when it refuses, the
    // case file is read so that a refused access is audited and answered as before.
    let again = async |errors: FormErrors| {
        let file = case_file(&state, &staff, id).await?;
        let layout = Layout::staff(&state, &staff, "contact-heading", "/cases");
        let spec = contact_spec(&state, &layout, &file, &answers);
        show_form(layout, errors, spec)
    };
    let contact = match answers.parse(local_now()) {
        Ok(contact) => contact,
        Err(invalid) => return again(invalid.into()).await,
    };
    let store = state.store.clone();
    let actor = staff.actor.clone();
    match blocking(move || store.record_contact(&actor, id, &contact)).await {
        Ok(_) => Ok(back_to_case(id)),
        Err(AppError::Invalid(invalid)) => again(invalid.into()).await,
        Err(error) => {
            case_file(&state, &staff, id).await?;
            Err(error)
        }
    }
}

// ---------------------------------------------------------------------------------------
// Issues and outcomes
// ---------------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct IssueForm {
    in_their_words: String,
    process: String,
}

fn issue_spec(state: &AppState, layout: &Layout, file: &CaseFile, form: &IssueForm) -> FormSpec {
    let t = |key: &str| state.catalogue.text(key);
    let processes = code_options("process", Process::ALL, Process::as_str);
    FormSpec {
        caption: caption(state, file),
        action: format!("/cases/{}/issues", file.case.id),
        back: format!("/cases/{}", file.case.id),
        button: t("issue-save"),
        fields: vec![
            FormField::new(
                "in_their_words",
                t("issue-words-label"),
                FieldKind::TextArea,
                &form.in_their_words,
            )
            .hint(t("issue-words-hint")),
            FormField::new(
                "process",
                t("issue-process-label"),
                FieldKind::Radios(choices(layout, "process", &processes, &form.process)),
                &form.process,
            ),
        ],
        ..Default::default()
    }
}

pub async fn issue_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let file = case_file(&state, &staff, id).await?;
    let layout = Layout::staff(&state, &staff, "issue-heading", "/cases");
    let spec = issue_spec(&state, &layout, &file, &IssueForm::default());
    show_form(layout, FormErrors::none(), spec)
}

pub async fn issue_submit(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(form): Form<IssueForm>,
) -> Result<Response, AppError> {
    let file = case_file(&state, &staff, id).await?;
    let again = |errors: FormErrors| {
        let layout = Layout::staff(&state, &staff, "issue-heading", "/cases");
        let spec = issue_spec(&state, &layout, &file, &form);
        show_form(layout, errors, spec)
    };
    let mut invalid = Invalid::default();
    let words = invalid.check(required_text(
        "in_their_words",
        label::ISSUE_IN_THE_PERSONS_WORDS,
        &form.in_their_words,
        MAX_TEXT,
    ));
    let process = Process::parse(&form.process);
    if process.is_none() {
        invalid.push("process", msg::ISSUE_PROCESS_INVALID);
    }
    let (Some(words), Some(process)) = (words, process) else {
        return again(invalid.into());
    };
    let store = state.store.clone();
    let actor = staff.actor.clone();
    match blocking(move || store.add_issue(&actor, id, &words, process)).await {
        Ok(_) => Ok(back_to_case(id)),
        Err(error) => refused(error, again),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OutcomeForm {
    outcome: String,
    outcome_in_their_words: String,
    version: String,
}

fn outcome_spec(
    state: &AppState,
    layout: &Layout,
    file: &CaseFile,
    issue_id: i64,
    version: i64,
    form: &OutcomeForm,
) -> Result<FormSpec, AppError> {
    let t = |key: &str| state.catalogue.text(key);
    let issue = file
        .issues
        .iter()
        .find(|i| i.id == issue_id)
        .ok_or(AppError::NotFound)?;
    let outcomes = code_options("outcome", OutcomeLevel::ALL, OutcomeLevel::as_str);
    Ok(FormSpec {
        caption: caption(state, file),
        intro: issue.in_their_words.clone(),
        action: format!("/cases/{}/issues/{issue_id}/outcome", file.case.id),
        back: format!("/cases/{}", file.case.id),
        button: t("outcome-save"),
        hidden: vec![("version".into(), version.to_string())],
        fields: vec![
            FormField::new(
                "outcome",
                t("outcome-label"),
                FieldKind::Radios(choices(layout, "outcome", &outcomes, &form.outcome)),
                &form.outcome,
            ),
            FormField::new(
                "outcome_in_their_words",
                t("outcome-words-label"),
                FieldKind::TextArea,
                &form.outcome_in_their_words,
            )
            .hint(t("outcome-words-hint")),
        ],
        ..Default::default()
    })
}

pub async fn outcome_form(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, issue_id)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let file = case_file(&state, &staff, id).await?;
    let issue = file
        .issues
        .iter()
        .find(|i| i.id == issue_id)
        .ok_or(AppError::NotFound)?;
    let form = OutcomeForm {
        outcome: issue.outcome.clone().unwrap_or_default(),
        outcome_in_their_words: issue.outcome_in_their_words.clone().unwrap_or_default(),
        version: issue.version.to_string(),
    };
    let layout = Layout::staff(&state, &staff, "outcome-heading", "/cases");
    let spec = outcome_spec(&state, &layout, &file, issue_id, issue.version, &form)?;
    show_form(layout, FormErrors::none(), spec)
}

/// `POST /cases/{id}/issues/{issue}/outcome`. When someone else recorded an outcome
/// since the form was opened, nothing is overwritten: the form comes back with what
/// is saved now beside what was typed.
pub async fn outcome_submit(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, issue_id)): Path<(i64, i64)>,
    Form(form): Form<OutcomeForm>,
) -> Result<Response, AppError> {
    let file = case_file(&state, &staff, id).await?;
    let shown_version = version(&form.version)?;
    let again = |errors: FormErrors, version: i64| {
        let layout = Layout::staff(&state, &staff, "outcome-heading", "/cases");
        let spec = outcome_spec(&state, &layout, &file, issue_id, version, &form)?;
        show_form(layout, errors, spec)
    };
    let mut invalid = Invalid::default();
    let outcome = OutcomeLevel::parse(&form.outcome);
    if outcome.is_none() {
        invalid.push("outcome", msg::OUTCOME_INVALID);
    }
    let words = invalid.check(optional_text(
        "outcome_in_their_words",
        label::PERSONS_VIEW,
        &form.outcome_in_their_words,
        MAX_TEXT,
    ));
    let (Some(outcome), Some(words)) = (outcome, words) else {
        return again(invalid.into(), shown_version);
    };
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let saved = blocking(move || {
        store.record_outcome(
            &actor,
            id,
            issue_id,
            shown_version,
            outcome,
            words.as_deref(),
        )
    })
    .await;
    match saved {
        Ok(()) => Ok(back_to_case(id)),
        Err(AppError::Conflict) => {
            let current = file
                .issues
                .iter()
                .find(|i| i.id == issue_id)
                .ok_or(AppError::NotFound)?;
            let layout = Layout::staff(&state, &staff, "outcome-heading", "/cases");
            let saved_form = OutcomeForm {
                outcome: current.outcome.clone().unwrap_or_default(),
                outcome_in_their_words: current.outcome_in_their_words.clone().unwrap_or_default(),
                version: current.version.to_string(),
            };
            let mut spec = outcome_spec(
                &state,
                &layout,
                &file,
                issue_id,
                current.version,
                &saved_form,
            )?;
            spec.changed = vec![
                (
                    state.catalogue.text("outcome-label"),
                    words_of_outcome(&state, &saved_form.outcome),
                    words_of_outcome(&state, &form.outcome),
                ),
                (
                    state.catalogue.text("outcome-words-label"),
                    saved_form.outcome_in_their_words.clone(),
                    form.outcome_in_their_words.clone(),
                ),
            ];
            show_form(layout, FormErrors::none(), spec)
        }
        Err(error) => refused(error, |errors| again(errors, shown_version)),
    }
}

fn words_of_outcome(state: &AppState, code: &str) -> String {
    words(state, "outcome", Some(code).filter(|c| !c.is_empty()))
}

// ---------------------------------------------------------------------------------------
// Work: meetings, letters and reports
// ---------------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct WorkForm {
    kind: String,
    description: String,
    due_on: String,
    minutes: String,
}

fn work_spec(state: &AppState, layout: &Layout, file: &CaseFile, form: &WorkForm) -> FormSpec {
    let t = |key: &str| state.catalogue.text(key);
    let kinds = code_options("work", WorkKind::ALL, WorkKind::as_str);
    FormSpec {
        caption: caption(state, file),
        action: format!("/cases/{}/work", file.case.id),
        back: format!("/cases/{}", file.case.id),
        button: t("work-save"),
        fields: vec![
            FormField::new(
                "kind",
                t("work-kind-label"),
                FieldKind::Radios(choices(layout, "kind", &kinds, &form.kind)),
                &form.kind,
            ),
            FormField::new(
                "description",
                t("work-description-label"),
                FieldKind::TextArea,
                &form.description,
            )
            .hint(t("work-description-hint")),
            FormField::new("due_on", t("work-due-label"), FieldKind::Date, &form.due_on)
                .hint(t("work-due-hint")),
            FormField::new(
                "minutes",
                t("work-minutes-label"),
                FieldKind::Number,
                &form.minutes,
            )
            .hint(t("work-minutes-hint")),
        ],
        ..Default::default()
    }
}

pub async fn work_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let file = case_file(&state, &staff, id).await?;
    let layout = Layout::staff(&state, &staff, "work-heading", "/cases");
    let spec = work_spec(&state, &layout, &file, &WorkForm::default());
    show_form(layout, FormErrors::none(), spec)
}

/// Minutes that may be left empty.
fn optional_minutes(field: &str, value: &str, invalid: &mut Invalid) -> Option<u32> {
    if value.trim().is_empty() {
        return None;
    }
    invalid.check(parse_minutes(field, value))
}

pub async fn work_submit(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(form): Form<WorkForm>,
) -> Result<Response, AppError> {
    let file = case_file(&state, &staff, id).await?;
    let again = |errors: FormErrors| {
        let layout = Layout::staff(&state, &staff, "work-heading", "/cases");
        let spec = work_spec(&state, &layout, &file, &form);
        show_form(layout, errors, spec)
    };
    let mut invalid = Invalid::default();
    let kind = WorkKind::parse(&form.kind);
    if kind.is_none() {
        invalid.push("kind", msg::WORK_KIND_INVALID);
    }
    let description = invalid.check(required_text(
        "description",
        label::WHAT_IT_IS,
        &form.description,
        MAX_TEXT,
    ));
    let due_on = invalid
        .check(advocase_domain::referral::parse_date(
            "due_on",
            label::DATE,
            &form.due_on,
        ))
        .flatten();
    let minutes = optional_minutes("minutes", &form.minutes, &mut invalid);
    let (Some(kind), Some(description), true) = (kind, description, invalid.is_empty()) else {
        return again(invalid.into());
    };
    let work = NewWork {
        kind,
        description,
        due_on,
        minutes,
    };
    let store = state.store.clone();
    let actor = staff.actor.clone();
    match blocking(move || store.add_work(&actor, id, &work)).await {
        Ok(_) => Ok(back_to_case(id)),
        Err(error) => refused(error, again),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct WorkDoneForm {
    done_on: String,
    response_due: String,
    response_received_on: String,
    response: String,
    minutes: String,
    version: String,
}

fn work_done_spec(
    state: &AppState,
    file: &CaseFile,
    work_id: i64,
    form: &WorkDoneForm,
) -> Result<FormSpec, AppError> {
    let t = |key: &str| state.catalogue.text(key);
    let work = file
        .work
        .iter()
        .find(|w| w.id == work_id)
        .ok_or(AppError::NotFound)?;
    let mut fields = vec![
        FormField::new(
            "done_on",
            t("work-done-label"),
            FieldKind::Date,
            &form.done_on,
        ),
        FormField::new(
            "minutes",
            t("work-minutes-label"),
            FieldKind::Number,
            &form.minutes,
        )
        .hint(t("work-minutes-hint")),
    ];
    if work.kind == WorkKind::ConcernsReport.as_str() {
        fields.extend([
            FormField::new(
                "response_due",
                t("work-response-due-label"),
                FieldKind::Date,
                &form.response_due,
            )
            .hint(t("work-response-due-hint")),
            FormField::new(
                "response_received_on",
                t("work-response-received-label"),
                FieldKind::Date,
                &form.response_received_on,
            ),
            FormField::new(
                "response",
                t("work-response-label"),
                FieldKind::TextArea,
                &form.response,
            ),
        ]);
    }
    Ok(FormSpec {
        caption: caption(state, file),
        intro: format!(
            "{}: {}",
            words(state, "work", Some(&work.kind)),
            work.description
        ),
        action: format!("/cases/{}/work/{work_id}/done", file.case.id),
        back: format!("/cases/{}", file.case.id),
        button: t("work-done-save"),
        hidden: vec![("version".into(), work.version.to_string())],
        fields,
        ..Default::default()
    })
}

pub async fn work_done_form(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, work_id)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let file = case_file(&state, &staff, id).await?;
    let work = file
        .work
        .iter()
        .find(|w| w.id == work_id)
        .ok_or(AppError::NotFound)?;
    let form = WorkDoneForm {
        done_on: work
            .done_on
            .unwrap_or_else(today)
            .format("%Y-%m-%d")
            .to_string(),
        response_due: work
            .response_due
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
        response_received_on: work
            .response_received_on
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
        response: work.response.clone().unwrap_or_default(),
        minutes: work.minutes.map(|m| m.to_string()).unwrap_or_default(),
        version: work.version.to_string(),
    };
    let spec = work_done_spec(&state, &file, work_id, &form)?;
    show_form(
        Layout::staff(&state, &staff, "work-done-heading", "/cases"),
        FormErrors::none(),
        spec,
    )
}

pub async fn work_done_submit(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, work_id)): Path<(i64, i64)>,
    Form(form): Form<WorkDoneForm>,
) -> Result<Response, AppError> {
    let file = case_file(&state, &staff, id).await?;
    let shown_version = version(&form.version)?;
    let again = |errors: FormErrors| {
        let spec = work_done_spec(&state, &file, work_id, &form)?;
        show_form(
            Layout::staff(&state, &staff, "work-done-heading", "/cases"),
            errors,
            spec,
        )
    };
    let mut invalid = Invalid::default();
    let done_on = invalid.check(required_date(
        "done_on",
        label::DATE_IT_WAS_DONE,
        &form.done_on,
    ));
    let parse = |field: &str, value: &str, invalid: &mut Invalid| {
        invalid
            .check(advocase_domain::referral::parse_date(
                field,
                label::DATE,
                value,
            ))
            .flatten()
    };
    let response_due = parse("response_due", &form.response_due, &mut invalid);
    let response_received_on = parse(
        "response_received_on",
        &form.response_received_on,
        &mut invalid,
    );
    let response = invalid
        .check(optional_text(
            "response",
            label::REPLY,
            &form.response,
            MAX_TEXT,
        ))
        .flatten();
    let minutes = optional_minutes("minutes", &form.minutes, &mut invalid);
    if let Some(done) = done_on
        && done > today()
    {
        invalid.push("done_on", msg::WORK_DONE_FUTURE);
    }
    let Some(done_on) = done_on.filter(|_| invalid.is_empty()) else {
        return again(invalid.into());
    };
    let done = WorkDone {
        done_on,
        response_due,
        response_received_on,
        response,
        minutes,
    };
    let store = state.store.clone();
    let actor = staff.actor.clone();
    match blocking(move || store.finish_work(&actor, id, work_id, shown_version, &done)).await {
        Ok(()) => Ok(back_to_case(id)),
        Err(error) => refused(error, again),
    }
}

// ---------------------------------------------------------------------------------------
// Challenges
// ---------------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ChallengeForm {
    decision: String,
    decision_maker: String,
    raised_on: String,
    step: String,
    reply_due: String,
}

fn challenge_spec(
    state: &AppState,
    layout: &Layout,
    file: &CaseFile,
    form: &ChallengeForm,
) -> FormSpec {
    let t = |key: &str| state.catalogue.text(key);
    let steps = code_options("step", ChallengeStep::ALL, ChallengeStep::as_str);
    FormSpec {
        caption: caption(state, file),
        intro: t("challenge-intro"),
        action: format!("/cases/{}/challenges", file.case.id),
        back: format!("/cases/{}", file.case.id),
        button: t("challenge-save"),
        fields: vec![
            FormField::new(
                "decision",
                t("challenge-decision-label"),
                FieldKind::TextArea,
                &form.decision,
            ),
            FormField::new(
                "decision_maker",
                t("challenge-maker-label"),
                FieldKind::Text,
                &form.decision_maker,
            )
            .hint(t("challenge-maker-hint")),
            FormField::new(
                "raised_on",
                t("challenge-raised-label"),
                FieldKind::Date,
                &form.raised_on,
            ),
            FormField::new(
                "step",
                t("challenge-step-label"),
                FieldKind::Radios(choices(layout, "step", &steps, &form.step)),
                &form.step,
            ),
            FormField::new(
                "reply_due",
                t("challenge-reply-due-label"),
                FieldKind::Date,
                &form.reply_due,
            )
            .hint(t("challenge-reply-due-hint")),
        ],
        ..Default::default()
    }
}

pub async fn challenge_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let file = case_file(&state, &staff, id).await?;
    let layout = Layout::staff(&state, &staff, "challenge-heading", "/cases");
    let form = ChallengeForm {
        raised_on: today().format("%Y-%m-%d").to_string(),
        step: "informal".into(),
        ..Default::default()
    };
    let spec = challenge_spec(&state, &layout, &file, &form);
    show_form(layout, FormErrors::none(), spec)
}

pub async fn challenge_submit(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(form): Form<ChallengeForm>,
) -> Result<Response, AppError> {
    let file = case_file(&state, &staff, id).await?;
    let again = |errors: FormErrors| {
        let layout = Layout::staff(&state, &staff, "challenge-heading", "/cases");
        let spec = challenge_spec(&state, &layout, &file, &form);
        show_form(layout, errors, spec)
    };
    let mut invalid = Invalid::default();
    let decision = invalid.check(required_text(
        "decision",
        label::DECISION_BEING_CHALLENGED,
        &form.decision,
        MAX_TEXT,
    ));
    let decision_maker = invalid.check(required_text(
        "decision_maker",
        label::WHO_MADE_THE_DECISION,
        &form.decision_maker,
        MAX_SHORT,
    ));
    let raised_on = invalid.check(required_date(
        "raised_on",
        label::DATE_IT_WAS_RAISED,
        &form.raised_on,
    ));
    if raised_on.is_some_and(|d| d > today()) {
        invalid.push("raised_on", msg::CHALLENGE_RAISED_FUTURE);
    }
    let step = ChallengeStep::parse(&form.step);
    if step.is_none() {
        invalid.push("step", msg::CHALLENGE_STEP_INVALID);
    }
    let reply_due = invalid
        .check(advocase_domain::referral::parse_date(
            "reply_due",
            label::REPLY_DATE,
            &form.reply_due,
        ))
        .flatten();
    let (Some(decision), Some(decision_maker), Some(raised_on), Some(step), true) = (
        decision,
        decision_maker,
        raised_on,
        step,
        invalid.is_empty(),
    ) else {
        return again(invalid.into());
    };
    let challenge = NewChallenge {
        decision,
        decision_maker,
        raised_on,
        step,
        reply_due,
    };
    let store = state.store.clone();
    let actor = staff.actor.clone();
    match blocking(move || store.add_challenge(&actor, id, &challenge)).await {
        Ok(_) => Ok(back_to_case(id)),
        Err(error) => refused(error, again),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StepForm {
    step: String,
    taken_on: String,
    outcome: String,
    reply_due: String,
    concluded: String,
    result: String,
    version: String,
}

fn step_spec(
    state: &AppState,
    layout: &Layout,
    file: &CaseFile,
    challenge_id: i64,
    form: &StepForm,
) -> Result<FormSpec, AppError> {
    let t = |key: &str| state.catalogue.text(key);
    let (challenge, _) = file
        .challenges
        .iter()
        .find(|(c, _)| c.id == challenge_id)
        .ok_or(AppError::NotFound)?;
    let steps = code_options("step", ChallengeStep::ALL, ChallengeStep::as_str);
    let yes_no = yes_no();
    Ok(FormSpec {
        caption: caption(state, file),
        intro: challenge.decision.clone(),
        action: format!("/cases/{}/challenges/{challenge_id}/steps", file.case.id),
        back: format!("/cases/{}", file.case.id),
        button: t("step-save"),
        hidden: vec![("version".into(), challenge.version.to_string())],
        fields: vec![
            FormField::new(
                "step",
                t("step-label"),
                FieldKind::Radios(choices(layout, "step", &steps, &form.step)),
                &form.step,
            )
            .hint(t("step-hint")),
            FormField::new(
                "taken_on",
                t("step-date-label"),
                FieldKind::Date,
                &form.taken_on,
            ),
            FormField::new(
                "outcome",
                t("step-outcome-label"),
                FieldKind::TextArea,
                &form.outcome,
            ),
            FormField::new(
                "reply_due",
                t("challenge-reply-due-label"),
                FieldKind::Date,
                &form.reply_due,
            ),
            FormField::new(
                "concluded",
                t("step-concluded-label"),
                FieldKind::InlineRadios(choices(layout, "concluded", &yes_no, &form.concluded)),
                &form.concluded,
            ),
            FormField::new(
                "result",
                t("step-result-label"),
                FieldKind::TextArea,
                &form.result,
            )
            .hint(t("step-result-hint")),
        ],
        ..Default::default()
    })
}

pub async fn step_form(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, challenge_id)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let file = case_file(&state, &staff, id).await?;
    let layout = Layout::staff(&state, &staff, "step-heading", "/cases");
    let form = StepForm {
        taken_on: today().format("%Y-%m-%d").to_string(),
        concluded: "no".into(),
        ..Default::default()
    };
    let spec = step_spec(&state, &layout, &file, challenge_id, &form)?;
    show_form(layout, FormErrors::none(), spec)
}

pub async fn step_submit(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, challenge_id)): Path<(i64, i64)>,
    Form(form): Form<StepForm>,
) -> Result<Response, AppError> {
    let file = case_file(&state, &staff, id).await?;
    let shown_version = version(&form.version)?;
    let again = |errors: FormErrors| {
        let layout = Layout::staff(&state, &staff, "step-heading", "/cases");
        let spec = step_spec(&state, &layout, &file, challenge_id, &form)?;
        show_form(layout, errors, spec)
    };
    let mut invalid = Invalid::default();
    let step = ChallengeStep::parse(&form.step);
    if step.is_none() {
        invalid.push("step", msg::CHALLENGE_STEP_INVALID);
    }
    let taken_on = invalid.check(required_date(
        "taken_on",
        label::DATE_OF_THIS_STEP,
        &form.taken_on,
    ));
    if taken_on.is_some_and(|d| d > today()) {
        invalid.push("taken_on", msg::STEP_DATE_FUTURE);
    }
    let outcome = invalid
        .check(optional_text(
            "outcome",
            label::OUTCOME,
            &form.outcome,
            MAX_TEXT,
        ))
        .flatten();
    let reply_due = invalid
        .check(advocase_domain::referral::parse_date(
            "reply_due",
            label::REPLY_DATE,
            &form.reply_due,
        ))
        .flatten();
    let concluded = match form.concluded.trim() {
        "yes" => {
            let result = invalid.check(required_text(
                "result",
                label::FINAL_RESULT,
                &form.result,
                MAX_TEXT,
            ));
            Some(result)
        }
        "no" => None,
        _ => {
            invalid.push("concluded", msg::STEP_CONCLUDED_INVALID);
            None
        }
    };
    let (Some(step), Some(taken_on), true) = (step, taken_on, invalid.is_empty()) else {
        return again(invalid.into());
    };
    let new_step = NewChallengeStep {
        step,
        taken_on,
        outcome,
        reply_due,
        concluded: concluded.flatten(),
    };
    let store = state.store.clone();
    let actor = staff.actor.clone();
    match blocking(move || {
        store.add_challenge_step(&actor, id, challenge_id, shown_version, &new_step)
    })
    .await
    {
        Ok(()) => Ok(back_to_case(id)),
        Err(error) => refused(error, again),
    }
}

// ---------------------------------------------------------------------------------------
// Closure and re-opening
// ---------------------------------------------------------------------------------------

fn close_spec(
    state: &AppState,
    layout: &Layout,
    file: &CaseFile,
    form: &ClosureAnswers,
) -> FormSpec {
    let t = |key: &str| state.catalogue.text(key);
    let reasons = code_options("closure", ClosureReason::ALL, ClosureReason::as_str);
    let self_advocacy = code_options("self-advocacy", SelfAdvocacy::ALL, SelfAdvocacy::as_str);
    let open = file.open_tasks();
    let mut fields = vec![
        FormField::new(
            "reason",
            t("close-reason-label"),
            FieldKind::Radios(choices(layout, "reason", &reasons, &form.reason)),
            &form.reason,
        ),
        FormField::new(
            "handed_over_to",
            t("close-handed-over-label"),
            FieldKind::Text,
            &form.handed_over_to,
        )
        .hint(t("close-handed-over-hint")),
        FormField::new(
            "self_advocacy",
            t("close-self-advocacy-label"),
            FieldKind::Radios(choices(
                layout,
                "self_advocacy",
                &self_advocacy,
                &form.self_advocacy,
            )),
            &form.self_advocacy,
        ),
        FormField::new(
            "note",
            t("close-note-label"),
            FieldKind::TextArea,
            &form.note,
        ),
    ];
    if open > 0 {
        fields.push(
            FormField::new(
                "open_tasks_reason",
                t("close-open-tasks-label"),
                FieldKind::TextArea,
                &form.open_tasks_reason,
            )
            .hint(state.catalogue.text_with(
                "close-open-tasks-hint",
                "count",
                &open.to_string(),
            )),
        );
    }
    FormSpec {
        caption: caption(state, file),
        intro: t("close-intro"),
        action: format!("/cases/{}/close", file.case.id),
        back: format!("/cases/{}", file.case.id),
        button: t("close-save"),
        hidden: vec![("version".into(), file.case.version.to_string())],
        fields,
        ..Default::default()
    }
}

pub async fn close_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let file = case_file(&state, &staff, id).await?;
    if file.case.status != case_status::ALLOCATED {
        return Err(AppError::NotFound);
    }
    let layout = Layout::staff(&state, &staff, "close-heading", "/cases");
    let spec = close_spec(&state, &layout, &file, &ClosureAnswers::default());
    show_form(layout, FormErrors::none(), spec)
}

pub async fn close_submit(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(form): Form<ClosureAnswers>,
) -> Result<Response, AppError> {
    let file = case_file(&state, &staff, id).await?;
    let shown_version = version(&form.version)?;
    let again = |errors: FormErrors| {
        let layout = Layout::staff(&state, &staff, "close-heading", "/cases");
        let spec = close_spec(&state, &layout, &file, &form);
        show_form(layout, errors, spec)
    };
    let closure = match form.parse(file.open_tasks()) {
        Ok(closure) => closure,
        Err(invalid) => return again(invalid.into()),
    };
    let store = state.store.clone();
    let actor = staff.actor.clone();
    match blocking(move || store.close_case(&actor, id, shown_version, &closure)).await {
        Ok(()) => Ok(back_to_case(id)),
        Err(AppError::Conflict) => {
            // The case was allocated again since the form was opened (the only change
            // that moves a case's version): show to whom, keep what was typed, and let
            // the new version be sent once the manager or advocate has checked.
            let t = |key: &str| state.catalogue.text(key);
            let layout = Layout::staff(&state, &staff, "close-heading", "/cases");
            let mut spec = close_spec(&state, &layout, &file, &form);
            spec.changed = vec![(
                t("allocate-changed-label"),
                advocate_now(&state, &file),
                t("close-changed-yours"),
            )];
            show_form(layout, FormErrors::none(), spec)
        }
        Err(error) => refused(error, again),
    }
}

/// `POST /cases/{id}/reopen`: a manager re-opens a recently closed case.
pub async fn reopen(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    manager(&staff)?;
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let within = state.config.reopen_within_days;
    let today = today();
    match blocking(move || store.reopen_case(&actor, id, within, today)).await {
        Ok(new_id) => Ok(back_to_case(new_id)),
        Err(AppError::Invalid(invalid)) => {
            let message = invalid
                .0
                .first()
                .map(|e| state.catalogue.message(&e.message))
                .unwrap_or_default();
            let layout = Layout::staff(&state, &staff, "reopen-refused-heading", "/cases");
            render_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &super::ErrorTemplate {
                    heading: layout.title.clone(),
                    layout,
                    errors: FormErrors::none(),
                    message,
                    again: None,
                },
            )
        }
        Err(other) => Err(other),
    }
}

// ---------------------------------------------------------------------------------------
// Documents
// ---------------------------------------------------------------------------------------

async fn document_page(
    state: &AppState,
    staff: &Staff,
    id: i64,
    errors: FormErrors,
) -> Result<Response, AppError> {
    let file = case_file(state, staff, id).await?;
    super::documents::upload_page(
        Layout::staff(state, staff, "document-heading", "/cases"),
        errors,
        super::documents::UploadForm {
            caption: format!("{} {}", file.person.given_name, file.person.family_name),
            intro: state.catalogue.text("document-intro"),
            action: format!("/cases/{id}/documents"),
            back: format!("/cases/{id}"),
            button: state.catalogue.text("document-save"),
        },
    )
}

/// `GET /cases/{id}/documents/new`: the form to add a letter, report or photo.
pub async fn document_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    document_page(&state, &staff, id, FormErrors::none()).await
}

/// `POST /cases/{id}/documents`: a multipart form with one file, `document`. The file
/// is checked by its first bytes and size, then sealed before it is written.
pub async fn document_submit(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    form: axum::extract::Multipart,
) -> Result<Response, AppError> {
    let (name, bytes) = match super::documents::read_document(form).await {
        Ok(document) => document,
        Err(invalid) => return document_page(&state, &staff, id, invalid.into()).await,
    };
    let store = state.store.clone();
    let actor = staff.actor.clone();
    match blocking(move || store.add_attachment(&actor, id, &name, &bytes)).await {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{id}#documents")).into_response()),
        Err(AppError::Invalid(invalid)) => document_page(&state, &staff, id, invalid.into()).await,
        Err(other) => Err(other),
    }
}

/// `GET /documents/{id}`: the document, opened, only through the case's access rule.
pub async fn document_download(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let (name, kind, bytes) = blocking(move || store.attachment(&actor, id)).await?;
    Ok(super::documents::download(&name, &kind, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Catalogue;

    #[test]
    fn every_code_shown_on_a_case_has_its_words() {
        let catalogue = Catalogue::english();
        let mut keys = Vec::new();
        let sets: [(&str, Vec<&str>); 11] = [
            (
                "contact-mode",
                ContactMode::ALL.iter().map(|c| c.as_str()).collect(),
            ),
            (
                "approach",
                NonInstructedApproach::ALL
                    .iter()
                    .map(|c| c.as_str())
                    .collect(),
            ),
            ("process", Process::ALL.iter().map(|c| c.as_str()).collect()),
            (
                "outcome",
                OutcomeLevel::ALL.iter().map(|c| c.as_str()).collect(),
            ),
            ("work", WorkKind::ALL.iter().map(|c| c.as_str()).collect()),
            (
                "step",
                ChallengeStep::ALL.iter().map(|c| c.as_str()).collect(),
            ),
            (
                "closure",
                ClosureReason::ALL.iter().map(|c| c.as_str()).collect(),
            ),
            (
                "self-advocacy",
                SelfAdvocacy::ALL.iter().map(|c| c.as_str()).collect(),
            ),
            (
                "conflict",
                advocase_domain::casework::ConflictKind::ALL
                    .iter()
                    .map(|c| c.as_str())
                    .collect(),
            ),
            (
                "gender",
                advocase_domain::casework::Gender::ALL
                    .iter()
                    .map(|c| c.as_str())
                    .collect(),
            ),
            ("case-status", vec!["waiting", "allocated", "closed"]),
        ];
        for (prefix, codes) in sets {
            for code in codes {
                keys.push(code_key(prefix, code));
            }
        }
        for duty in ["care_act", "imha", "imca", "nhs_complaints"] {
            keys.push(code_key("duty", duty));
        }
        for key in keys {
            assert!(catalogue.has(&key), "the catalogue has no words for {key}");
        }
    }
}
