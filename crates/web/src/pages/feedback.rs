//! The feedback questionnaire people fill in about the advocacy they had, and the
//! manager's summary of the answers.
//!
//! The questionnaire is public, like the page to complain: a person may answer without
//! an account, alone or with someone's help, and may keep their name to themselves. It
//! comes plain and easy-read; each question is answered on a scale of five faces, which
//! are radio buttons with a picture beside the words, so it works without JavaScript.
//! The rules of an answer live in the domain crate; the store seals names and comments.

use super::cases::code_key;
use super::forms::{FieldKind, FormField, FormSpec, ProviderChoice, chosen_provider, show_form};
use super::safeguarding::{Cell, Count, Table, TablesSpec, show_tables};
use super::{Choice, FormErrors, Layout, long_date as date, manager, radios};
use crate::app::AppState;
use crate::auth::Staff;
use crate::auth::session::blocking;
use crate::clock;
use crate::error::AppError;
use advocase_domain::safeguarding::{
    FEEDBACK_QUESTIONS, FeedbackAnswers, FeedbackDuty, SCALE, quarter_of, summarise_feedback,
};
use advocase_domain::validation::Invalid;
use advocase_i18n::msg;
use axum::Form;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

/// The questionnaire as posted: the answers, the provider it is about, and the field no
/// person sees.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct FeedbackForm {
    #[serde(flatten)]
    answers: FeedbackAnswers,
    provider: String,
    website: String,
}

/// The words of the page in the version asked for: the easy-read key ends in `-easy`.
fn key(easy_read: bool, key: &str) -> String {
    if easy_read {
        format!("{key}-easy")
    } else {
        key.to_string()
    }
}

/// One question on the scale of faces, its options numbered as the scale is.
fn faces(layout: &Layout, easy_read: bool, name: &str, selected: &str) -> Vec<Choice> {
    let keys: Vec<(String, String)> = SCALE
        .map(|n| (n.to_string(), key(easy_read, &format!("feedback-face-{n}"))))
        .collect();
    let options: Vec<(&str, &str)> = keys
        .iter()
        .map(|(value, key)| (value.as_str(), key.as_str()))
        .collect();
    radios(layout, name, &options, selected)
}

async fn questionnaire(
    state: &AppState,
    layout: &Layout,
    easy_read: bool,
    form: &FeedbackForm,
) -> Result<FormSpec, AppError> {
    let k = |name: &str| state.catalogue.text(&key(easy_read, name));
    let a = &form.answers;
    let mut hidden = Vec::new();
    let mut fields = Vec::new();
    ProviderChoice::load(state, layout).await?.add_to(
        &mut fields,
        &mut hidden,
        k("feedback-provider-label"),
        &form.provider,
    );
    let duty_keys: Vec<(String, String)> = FeedbackDuty::ALL
        .iter()
        .map(|d| d.as_str())
        .chain(["not_sure"])
        .map(|code| {
            (
                code.to_string(),
                key(easy_read, &code_key("feedback-duty", code)),
            )
        })
        .collect();
    let duties: Vec<(&str, &str)> = duty_keys
        .iter()
        .map(|(v, k)| (v.as_str(), k.as_str()))
        .collect();
    fields.push(FormField::new(
        "duty",
        k("feedback-duty-label"),
        FieldKind::Radios(radios(layout, "duty", &duties, &a.duty)),
        &a.duty,
    ));
    let values = [&a.listened, &a.understood, &a.speak_up, &a.overall];
    for ((name, _), value) in FEEDBACK_QUESTIONS.iter().zip(values) {
        fields.push(FormField::new(
            name,
            k(&code_key("feedback-question", name)),
            FieldKind::Faces(faces(layout, easy_read, name, value)),
            value,
        ));
    }
    let filled_in_keys = [
        ("alone", key(easy_read, "feedback-filled-in-alone")),
        ("with_help", key(easy_read, "feedback-filled-in-with-help")),
    ];
    let filled_in: Vec<(&str, &str)> = filled_in_keys
        .iter()
        .map(|(v, k)| (*v, k.as_str()))
        .collect();
    // The question asks whether to give a name; the stored answer is whether to stay
    // anonymous, so "yes, my name" posts anonymous=no.
    let anonymous_keys = [
        ("no", key(easy_read, "feedback-anonymous-no")),
        ("yes", key(easy_read, "feedback-anonymous-yes")),
    ];
    let anonymous: Vec<(&str, &str)> = anonymous_keys
        .iter()
        .map(|(v, k)| (*v, k.as_str()))
        .collect();
    fields.extend([
        FormField::new(
            "comment",
            k("feedback-comment-label"),
            FieldKind::TextArea,
            &a.comment,
        )
        .hint(k("feedback-comment-hint")),
        FormField::new(
            "filled_in",
            k("feedback-filled-in-label"),
            FieldKind::Radios(radios(layout, "filled_in", &filled_in, &a.filled_in)),
            &a.filled_in,
        ),
        FormField::new(
            "anonymous",
            k("feedback-anonymous-label"),
            FieldKind::Radios(radios(layout, "anonymous", &anonymous, &a.anonymous)),
            &a.anonymous,
        )
        .hint(k("feedback-anonymous-hint")),
        FormField::new("name", k("feedback-name-label"), FieldKind::Text, &a.name)
            .hint(k("feedback-name-hint")),
    ]);
    let (action, other) = if easy_read {
        ("/feedback/easy-read", ("/feedback", "feedback-full-link"))
    } else {
        ("/feedback", ("/feedback/easy-read", "feedback-easy-link"))
    };
    Ok(FormSpec {
        intro: k("feedback-intro"),
        action: action.into(),
        back: "/".into(),
        button: k("feedback-send"),
        hidden,
        fields,
        honeypot: true,
        links: vec![
            (other.0.to_string(), state.catalogue.text(other.1)),
            ("/complain".to_string(), k("feedback-complain-link")),
        ],
        ..Default::default()
    })
}

async fn show(
    state: &AppState,
    easy_read: bool,
    form: FeedbackForm,
    errors: FormErrors,
) -> Result<Response, AppError> {
    let layout = Layout::public(state, &key(easy_read, "feedback-heading"));
    let spec = questionnaire(state, &layout, easy_read, &form).await?;
    show_form(layout, errors, spec)
}

/// `GET /feedback`: the questionnaire in plain English.
pub async fn form(State(state): State<AppState>) -> Result<Response, AppError> {
    show(&state, false, FeedbackForm::default(), FormErrors::none()).await
}

/// `GET /feedback/easy-read`: the same questions in easy read.
pub async fn easy_read_form(State(state): State<AppState>) -> Result<Response, AppError> {
    show(&state, true, FeedbackForm::default(), FormErrors::none()).await
}

/// `POST /feedback`.
pub async fn submit(
    State(state): State<AppState>,
    Form(form): Form<FeedbackForm>,
) -> Result<Response, AppError> {
    send(state, false, form).await
}

/// `POST /feedback/easy-read`.
pub async fn easy_read_submit(
    State(state): State<AppState>,
    Form(form): Form<FeedbackForm>,
) -> Result<Response, AppError> {
    send(state, true, form).await
}

/// Stores a checked answer and thanks the person. A filled-in `website` field (which no
/// person sees) means a program sent the form: it is thanked alike, and nothing is
/// stored.
async fn send(state: AppState, easy_read: bool, form: FeedbackForm) -> Result<Response, AppError> {
    if form.website.trim().is_empty() {
        let mut invalid = Invalid::default();
        let provider = chosen_provider(
            &state,
            &form.provider,
            msg::FEEDBACK_PROVIDER_INVALID,
            &mut invalid,
        )
        .await?;
        let parsed = form.answers.parse();
        if let Err(errors) = &parsed {
            invalid.0.extend(errors.0.iter().cloned());
        }
        let (Ok(answer), Some(provider_id), true) = (parsed, provider, invalid.is_empty()) else {
            return show(&state, easy_read, form, invalid.into()).await;
        };
        let store = state.store.clone();
        blocking(move || store.submit_feedback(provider_id, &answer, easy_read, clock::today()))
            .await?;
    }
    let k = |name: &str| state.catalogue.text(&key(easy_read, name));
    show_tables(
        Layout::public(&state, &key(easy_read, "feedback-sent-heading")),
        TablesSpec {
            intro: k("feedback-sent"),
            actions: vec![("/".to_string(), k("feedback-sent-done"))],
            ..Default::default()
        },
    )
}

/// `GET /feedback/results`: the manager's summary of the answers per quarter and kind
/// of advocacy, then what people wrote.
pub async fn results(State(state): State<AppState>, staff: Staff) -> Result<Response, AppError> {
    manager(&staff)?;
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let (facts, comments) = blocking(move || {
        Ok((
            store.feedback_facts(&actor)?,
            store.feedback_comments(&actor)?,
        ))
    })
    .await?;
    let c = &state.catalogue;
    let t = |name: &str| c.text(name);
    let duty_words = |duty: Option<FeedbackDuty>| {
        t(&code_key(
            "feedback-duty",
            duty.map_or("not_sure", FeedbackDuty::as_str),
        ))
    };
    let summary = Table {
        id: "summary".into(),
        caption: t("feedback-results-summary"),
        intro: t("feedback-results-summary-intro"),
        heads: [
            "feedback-results-period",
            "feedback-results-duty",
            "feedback-results-answers",
            "feedback-results-with-help",
            "feedback-results-listened",
            "feedback-results-understood",
            "feedback-results-speak-up",
            "feedback-results-overall",
        ]
        .iter()
        .map(|h| t(h))
        .collect(),
        rows: summarise_feedback(&facts)
            .into_iter()
            .map(|s| {
                let mut row = vec![
                    Cell::text(s.period.clone()),
                    Cell::text(duty_words(s.duty)),
                    Cell::text(s.responses.to_string()),
                    Cell::text(s.with_help.to_string()),
                ];
                row.extend(s.averages.iter().map(|a| Cell::text(format!("{a:.1}"))));
                row
            })
            .collect(),
        empty: t("feedback-results-none"),
    };
    let said = Table {
        id: "comments".into(),
        caption: t("feedback-results-comments"),
        intro: String::new(),
        heads: [
            "feedback-results-date",
            "feedback-results-duty",
            "feedback-results-who",
            "feedback-results-comment",
        ]
        .iter()
        .map(|h| t(h))
        .collect(),
        rows: comments
            .into_iter()
            .map(|r| {
                let mut who = r.name.unwrap_or_else(|| t("feedback-results-anonymous"));
                if r.with_help {
                    who = format!("{who} ({})", t("feedback-results-helped"));
                }
                vec![
                    Cell::text(date(r.submitted_on)),
                    Cell::text(duty_words(r.duty)),
                    Cell::text(who),
                    Cell::text(r.comment),
                ]
            })
            .collect(),
        empty: t("feedback-results-no-comments"),
    };
    show_tables(
        Layout::staff(&state, &staff, "feedback-results-heading", "/quality"),
        TablesSpec {
            back: "/quality".into(),
            intro: t("feedback-results-intro"),
            actions: vec![
                ("/feedback".to_string(), t("feedback-results-open-plain")),
                (
                    "/feedback/easy-read".to_string(),
                    t("feedback-results-open-easy"),
                ),
            ],
            tables: vec![summary, said],
            ..Default::default()
        },
    )
}

/// The quality dashboard's figures for feedback: how many answered this quarter, and
/// what they said overall on average.
pub async fn this_quarter(
    state: &AppState,
    staff: &Staff,
) -> Result<(Count, Option<(String, String)>), AppError> {
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let facts = blocking(move || store.feedback_facts(&actor)).await?;
    let quarter = quarter_of(clock::today());
    let overall_scores: Vec<i32> = facts
        .iter()
        .filter(|f| quarter_of(f.submitted_on) == quarter)
        .map(|f| f.scores[3])
        .collect();
    let answers = overall_scores.len();
    let c = &state.catalogue;
    let count = Count {
        count: answers,
        label: c.text("quality-feedback-answers"),
        href: "/feedback/results".into(),
    };
    let overall = (answers > 0).then(|| {
        let average = f64::from(overall_scores.iter().sum::<i32>()) / answers as f64;
        (
            c.text("quality-feedback-overall"),
            c.text_with(
                "quality-feedback-overall-value",
                "score",
                &format!("{average:.1}"),
            ),
        )
    });
    Ok((count, overall))
}
