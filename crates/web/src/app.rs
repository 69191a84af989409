//! The application state and the router with its middleware.

use crate::config::WebConfig;
use crate::error::{ApiErrors, ApiProblem, ErrorPage, api_detail};
use crate::i18n::Catalogue;
use crate::mail::{MailSetupError, Mailer};
use crate::pages::{
    account, admin, advocates, assessment, audit, cases, commissioning, confidentiality, feedback,
    home, my_records, people, referrals, safeguarding, sign_in, sign_in_code, workforce,
};
use crate::{api, ops, pages, security};
use advocase_storage::Store;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::{Arc, OnceLock};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<WebConfig>,
    pub catalogue: Catalogue,
    pub metrics: Option<PrometheusHandle>,
    /// The demo's accounts as (role, email), shown on the demo's sign-in page.
    pub demo_accounts: Vec<(advocase_domain::identity::Role, String)>,
    pub throttles: Arc<crate::throttle::Throttles>,
    /// Every password hashed or checked by this process takes its turn here.
    pub hashing: crate::auth::password::HashingLimit,
    /// The mail relay, when `smtp_url` is set: people who use the service can then sign
    /// in with an emailed code.
    pub mailer: Option<Arc<Mailer>>,
    /// The first counts of report figures going on in this process.
    pub counting: Arc<crate::report_counting::CountsInProgress>,
}

impl AppState {
    /// The state for `config`. Mail settings that cannot be used are logged and leave
    /// emailed codes off; the server's start checks them first with [`Self::try_new`].
    pub fn new(store: Store, config: WebConfig) -> Self {
        let mailer = Mailer::from_config(&config).unwrap_or_else(|error| {
            tracing::error!(%error, "emailed sign-in codes are off");
            None
        });
        Self::with_mailer(store, config, mailer)
    }

    /// The state for `config`, refusing mail settings that cannot be used.
    pub fn try_new(store: Store, config: WebConfig) -> Result<Self, MailSetupError> {
        let mailer = Mailer::from_config(&config)?;
        Ok(Self::with_mailer(store, config, mailer))
    }

    fn with_mailer(store: Store, config: WebConfig, mailer: Option<Mailer>) -> Self {
        Self {
            store,
            config: Arc::new(config),
            catalogue: Catalogue::english(),
            metrics: metrics_handle(),
            demo_accounts: Vec::new(),
            throttles: Arc::default(),
            hashing: crate::auth::password::HashingLimit::per_core(),
            mailer: mailer.map(Arc::new),
            counting: Arc::default(),
        }
    }
}

/// The process-wide Prometheus recorder. A process has one recorder, however many
/// routers it builds (the tests build many).
fn metrics_handle() -> Option<PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            metrics::set_global_recorder(recorder).ok().map(|()| handle)
        })
        .clone()
}

pub fn router(state: AppState) -> Router {
    let assets = ServeDir::new(&state.config.assets_dir);
    let limit = state.config.max_body_bytes;
    Router::new()
        .route("/", get(home::show))
        .route("/sign-in", get(sign_in::show).post(sign_in::submit))
        .route(
            "/sign-in/code",
            get(sign_in_code::ask_form).post(sign_in_code::ask_submit),
        )
        .route(
            "/sign-in/code/enter",
            get(sign_in_code::enter_form).post(sign_in_code::enter_submit),
        )
        .route("/sign-out", post(sign_in::sign_out))
        .route(
            "/two-factor",
            get(sign_in::two_factor_form).post(sign_in::two_factor_submit),
        )
        .route(
            "/two-factor/setup",
            get(sign_in::two_factor_setup_form).post(sign_in::two_factor_setup_submit),
        )
        .route(
            "/setup/{token}",
            get(account::setup_form).post(account::setup_submit),
        )
        .route(
            "/set-password/{token}",
            get(account::password_link_form).post(account::password_link_submit),
        )
        .route("/settings", get(account::settings))
        .route("/settings/password", post(account::change_password))
        .route(
            "/settings/sign-out-everywhere",
            post(account::sign_out_everywhere),
        )
        .route("/audit", get(audit::search))
        .route("/refer", get(referrals::form).post(referrals::submit))
        .route(
            "/refer/easy-read",
            get(referrals::easy_read).post(referrals::easy_read_submit),
        )
        .route("/referral-status/{token}", get(referrals::status_page))
        .route("/referrals", get(referrals::queue))
        .route(
            "/referrals/new",
            get(referrals::new_form).post(referrals::new_submit),
        )
        .route("/referrals/{id}", get(referrals::show))
        .route("/referrals/{id}/decision", post(referrals::decide))
        .route("/referrals/{id}/status", post(referrals::change_status))
        .route("/referrals/{id}/letter", get(referrals::letter))
        .route("/waiting-list", get(referrals::waiting_list))
        .route("/cases", get(cases::caseload))
        .route("/cases/{id}", get(cases::show))
        .route(
            "/cases/{id}/allocate",
            get(cases::allocate_form).post(cases::allocate),
        )
        .route("/cases/{id}/contacts/new", get(cases::contact_form))
        .route("/cases/{id}/contacts", post(cases::contact_submit))
        .route("/cases/{id}/issues/new", get(cases::issue_form))
        .route("/cases/{id}/issues", post(cases::issue_submit))
        .route(
            "/cases/{id}/issues/{issue}/outcome",
            get(cases::outcome_form).post(cases::outcome_submit),
        )
        .route("/cases/{id}/work/new", get(cases::work_form))
        .route("/cases/{id}/work", post(cases::work_submit))
        .route(
            "/cases/{id}/work/{work}/done",
            get(cases::work_done_form).post(cases::work_done_submit),
        )
        .route("/cases/{id}/challenges/new", get(cases::challenge_form))
        .route("/cases/{id}/challenges", post(cases::challenge_submit))
        .route(
            "/cases/{id}/challenges/{challenge}/steps/new",
            get(cases::step_form),
        )
        .route(
            "/cases/{id}/challenges/{challenge}/steps",
            post(cases::step_submit),
        )
        .route(
            "/cases/{id}/close",
            get(cases::close_form).post(cases::close_submit),
        )
        .route("/cases/{id}/reopen", post(cases::reopen))
        .route("/cases/{id}/documents/new", get(cases::document_form))
        .route(
            "/cases/{id}/documents",
            post(cases::document_submit).layer(DefaultBodyLimit::max(DOCUMENT_BODY_BYTES)),
        )
        .route("/documents/{id}", get(cases::document_download))
        .route("/people", get(people::search))
        .route("/people/{id}", get(people::show))
        .route(
            "/people/{id}/details",
            get(people::details_form).post(people::details_submit),
        )
        .route("/people/{id}/conflicts/new", get(people::conflict_form))
        .route(
            "/people/{id}/complaints/new",
            get(safeguarding::person_complaint_form).post(safeguarding::person_complaint_submit),
        )
        .route("/people/{id}/conflicts", post(people::conflict_submit))
        .route(
            "/people/{id}/consents/new",
            get(confidentiality::consent_form),
        )
        .route(
            "/people/{id}/consents",
            post(confidentiality::consent_submit),
        )
        .route(
            "/consents/{id}/withdraw",
            post(confidentiality::consent_withdraw),
        )
        .route(
            "/people/{id}/share",
            get(confidentiality::share_form).post(confidentiality::share_submit),
        )
        .route(
            "/people/{id}/breaches/new",
            get(confidentiality::breach_form),
        )
        .route(
            "/people/{id}/breaches",
            post(confidentiality::breach_submit),
        )
        .route("/breaches", get(confidentiality::breaches))
        .route(
            "/cases/{id}/safeguarding/new",
            get(safeguarding::case_concern_form),
        )
        .route(
            "/cases/{id}/safeguarding",
            post(safeguarding::case_concern_submit),
        )
        .route(
            "/safeguarding",
            get(safeguarding::concerns).post(safeguarding::concern_submit),
        )
        .route("/safeguarding/new", get(safeguarding::concern_form))
        .route("/safeguarding/{id}", get(safeguarding::concern))
        .route(
            "/safeguarding/{id}/actions",
            get(safeguarding::actions_form).post(safeguarding::actions_submit),
        )
        .route(
            "/safeguarding/{id}/breach",
            get(safeguarding::breach_form).post(safeguarding::breach_submit),
        )
        .route(
            "/safeguarding/{id}/close",
            get(safeguarding::close_form).post(safeguarding::close_submit),
        )
        .route(
            "/complain",
            get(safeguarding::public_form).post(safeguarding::public_submit),
        )
        .route(
            "/complain/easy-read",
            get(safeguarding::easy_read_form).post(safeguarding::easy_read_submit),
        )
        .route("/feedback", get(feedback::form).post(feedback::submit))
        .route(
            "/feedback/easy-read",
            get(feedback::easy_read_form).post(feedback::easy_read_submit),
        )
        .route("/feedback/results", get(feedback::results))
        .route("/complaints", get(safeguarding::complaints))
        .route(
            "/complaints/new",
            get(safeguarding::staff_complaint_form).post(safeguarding::staff_complaint_submit),
        )
        .route("/complaints/{id}", get(safeguarding::complaint))
        .route(
            "/complaints/{id}/progress",
            get(safeguarding::progress_form).post(safeguarding::progress_submit),
        )
        .route(
            "/cases/{id}/service-concerns/new",
            get(safeguarding::service_concern_form),
        )
        .route(
            "/cases/{id}/service-concerns",
            post(safeguarding::service_concern_submit),
        )
        .route(
            "/signals",
            get(safeguarding::signals).post(safeguarding::signal_submit),
        )
        .route("/signals/new", get(safeguarding::signal_form))
        .route(
            "/signals/{id}/response",
            get(safeguarding::response_form).post(safeguarding::response_submit),
        )
        .route(
            "/signals/{id}/regulator",
            get(safeguarding::regulator_form).post(safeguarding::regulator_submit),
        )
        .route("/quality", get(safeguarding::quality))
        .route("/contracts", get(commissioning::list))
        .route(
            "/contracts/new",
            get(commissioning::new_form).post(commissioning::create),
        )
        .route("/contracts/{id}", get(commissioning::show))
        .route(
            "/contracts/{id}/edit",
            get(commissioning::edit_form).post(commissioning::change),
        )
        .route("/contracts/{id}/report", get(commissioning::report))
        .route("/contracts/{id}/report.csv", get(commissioning::report_csv))
        .route(
            "/contracts/{id}/report.xlsx",
            get(commissioning::report_xlsx),
        )
        .route(
            "/contracts/{id}/annual-report",
            get(commissioning::annual_report),
        )
        .route(
            "/contracts/{id}/annual-report/easy-read",
            get(commissioning::annual_easy_read),
        )
        .route(
            "/contracts/{id}/meetings",
            get(commissioning::meetings).post(commissioning::record_meeting),
        )
        .route(
            "/contracts/{id}/actions/{action}/done",
            post(commissioning::complete_action),
        )
        .route("/demand", get(commissioning::demand))
        .route("/demand/rates", post(commissioning::set_rates))
        .route("/demand/population", post(commissioning::import_population))
        .route("/definitions", get(commissioning::definitions))
        .route(
            "/self-assessment",
            get(assessment::overview).post(assessment::submit),
        )
        .route("/self-assessment/new", get(assessment::new_form))
        .route("/self-assessment/{id}", get(assessment::show))
        .route(
            "/policies",
            get(assessment::policies).post(assessment::policy_submit),
        )
        .route("/policies/new", get(assessment::policy_form))
        .route("/policies/{id}", post(assessment::policy_edit_submit))
        .route("/policies/{id}/edit", get(assessment::policy_edit_form))
        .route(
            "/people/{id}/subject-access/new",
            get(confidentiality::request_form),
        )
        .route(
            "/people/{id}/subject-access",
            post(confidentiality::request_submit),
        )
        .route(
            "/people/{id}/subject-access/export",
            get(confidentiality::export_page),
        )
        .route(
            "/people/{id}/subject-access/export.json",
            get(confidentiality::export_json),
        )
        .route(
            "/subject-access/{id}/answered",
            post(confidentiality::request_answered),
        )
        .route(
            "/people/{id}/restriction",
            get(confidentiality::restriction_form).post(confidentiality::restriction_submit),
        )
        .route(
            "/people/{id}/restriction/lift",
            post(confidentiality::restriction_lift),
        )
        .route(
            "/people/{id}/legal-hold",
            get(confidentiality::hold_form).post(confidentiality::hold_submit),
        )
        .route(
            "/people/{id}/legal-hold/lift",
            post(confidentiality::hold_lift),
        )
        .route(
            "/reason",
            get(confidentiality::reason_form).post(confidentiality::reason_submit),
        )
        .route(
            "/emergency-access",
            get(confidentiality::break_glass_form).post(confidentiality::break_glass_submit),
        )
        .route(
            "/emergency-access/{id}/reviewed",
            post(confidentiality::break_glass_reviewed),
        )
        .route(
            "/retention",
            get(confidentiality::retention).post(confidentiality::retention_destroy),
        )
        .route("/my-records", get(my_records::show))
        .route(
            "/my-records/correction",
            get(my_records::correction_form).post(my_records::correction_submit),
        )
        .route(
            "/people/{id}/invite",
            get(my_records::invite_form).post(my_records::invite_submit),
        )
        .route(
            "/corrections/{id}",
            get(my_records::answer_form).post(my_records::answer_submit),
        )
        .route("/advocates", get(advocates::list_page))
        .route("/advocates/{id}", get(workforce::profile))
        .route(
            "/advocates/{id}/settings",
            get(advocates::settings_form).post(advocates::settings_submit),
        )
        .route(
            "/advocates/{id}/profile",
            get(workforce::profile_form).post(workforce::profile_submit),
        )
        .route(
            "/advocates/{id}/qualifications/new",
            get(workforce::qualification_new),
        )
        .route(
            "/advocates/{id}/qualifications",
            post(workforce::qualification_create),
        )
        .route(
            "/advocates/{id}/qualifications/{qualification}",
            get(workforce::qualification_edit).post(workforce::qualification_update),
        )
        .route(
            "/advocates/{id}/qualifications/{qualification}/evidence/new",
            get(workforce::evidence_form),
        )
        .route(
            "/advocates/{id}/qualifications/{qualification}/evidence",
            post(workforce::evidence_submit).layer(DefaultBodyLimit::max(DOCUMENT_BODY_BYTES)),
        )
        .route("/evidence/{id}", get(workforce::evidence_download))
        .route(
            "/advocates/{id}/evidence/{evidence}/remove",
            get(workforce::evidence_remove_form).post(workforce::evidence_remove),
        )
        .route(
            "/advocates/{id}/qualifications/{qualification}/remove",
            get(workforce::qualification_remove_form).post(workforce::qualification_remove),
        )
        .route(
            "/advocates/{id}/training/new",
            get(workforce::training_form),
        )
        .route("/advocates/{id}/training", post(workforce::training_submit))
        .route(
            "/advocates/{id}/training/{training}",
            get(workforce::training_edit).post(workforce::training_update),
        )
        .route(
            "/advocates/{id}/supervision/new",
            get(workforce::supervision_form),
        )
        .route(
            "/advocates/{id}/supervision",
            post(workforce::supervision_submit),
        )
        .route(
            "/advocates/{id}/supervision/{supervision}",
            get(workforce::supervision_edit).post(workforce::supervision_update),
        )
        .route("/profile", get(workforce::own_profile))
        .route(
            "/profile/availability",
            get(workforce::availability_form).post(workforce::availability_submit),
        )
        .route(
            "/profile/equality",
            get(workforce::own_equality_form).post(workforce::own_equality_submit),
        )
        .route(
            "/people/{id}/equality",
            get(workforce::person_equality_form).post(workforce::person_equality_submit),
        )
        .route("/workforce", get(workforce::compliance))
        .route("/workforce/rules", get(workforce::rules_page))
        .route(
            "/workforce/rules/{duty}",
            get(workforce::rule_form).post(workforce::rule_submit),
        )
        .route("/workforce/equality", get(workforce::equality_comparison))
        .route("/admin/users", get(admin::users).post(admin::add_user))
        .route("/admin/users/{id}/disable", post(admin::disable_user))
        .route("/admin/tokens", get(admin::tokens).post(admin::issue_token))
        .route("/admin/tokens/{id}/revoke", post(admin::revoke_token))
        .route(
            "/admin/calendars",
            get(admin::calendars).post(admin::add_calendar_day),
        )
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .nest("/api/v1", api::router())
        .nest_service("/assets", assets)
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::throttle::throttle,
        ))
        .layer(middleware::from_fn(security::same_origin_writes))
        .layer(DefaultBodyLimit::max(limit))
        // The routes that take documents have their own, larger limit.
        .layer(RequestBodyLimitLayer::new(limit.max(DOCUMENT_BODY_BYTES)))
        .layer(middleware::from_fn_with_state(state.clone(), error_pages))
        .layer(middleware::from_fn(security::security_headers))
        .layer(middleware::from_fn(ops::count_requests))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::client_address::find_client_address,
        ))
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request| {
                // The span names the method and route pattern only: paths can hold
                // identifiers and query strings can hold names, which must never be logged.
                let route = request
                    .extensions()
                    .get::<axum::extract::MatchedPath>()
                    .map(|p| p.as_str().to_string())
                    .unwrap_or_default();
                tracing::info_span!("request", method = %request.method(), route = %route)
            }),
        )
        .with_state(state)
}

/// The largest upload of a document (a case's, or a qualification's evidence): the
/// file and the form around it.
const DOCUMENT_BODY_BYTES: usize = advocase_storage::attachments::MAX_ATTACHMENT_BYTES + 64 * 1024;

async fn not_found() -> crate::error::AppError {
    crate::error::AppError::NotFound
}

/// Gives every error response a body fit for who asked: the accessible error page for
/// pages, the JSON envelope for the API. Errors made by the framework itself (an
/// unknown route, a wrong method, a body too large, a form that cannot be read) arrive
/// here as plain text and leave as a proper page, so no one sees a bare status.
async fn error_pages(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let is_api = request.uri().path().starts_with("/api/");
    let path = request.uri().path().to_string();
    let asked = request
        .uri()
        .path_and_query()
        .map_or_else(|| path.clone(), |asked| asked.to_string());
    let is_get = request.method() == axum::http::Method::GET;
    let response = next.run(request).await;
    if !is_api
        && response
            .extensions()
            .get::<crate::error::ReasonNeeded>()
            .is_some()
    {
        // A manager opening a case that is not theirs says why first, then comes back:
        // to the page asked for, or, after a form was sent, to the record itself, as a
        // form's address answers only its POST.
        let back = if is_get {
            path
        } else {
            path.split_inclusive('/').take(3).collect::<String>()
        };
        let next: String =
            url::form_urlencoded::byte_serialize(back.trim_end_matches('/').as_bytes()).collect();
        return axum::response::Redirect::to(&format!("/reason?next={next}")).into_response();
    }
    let status = response.status();
    let marked = response.extensions().get::<ErrorPage>().is_some();
    if !(marked || status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    if is_api {
        if content_type.starts_with("application/json") {
            return response;
        }
        let envelope = ApiErrors {
            errors: vec![ApiProblem {
                field: None,
                detail: api_detail(status),
            }],
        };
        return (status, axum::Json(envelope)).into_response();
    }
    if marked || !content_type.starts_with("text/html") {
        // Figures still being counted are worth asking for again: the page links back.
        // The address is this server's own path, never another site's.
        let again = (status == axum::http::StatusCode::ACCEPTED
            && is_get
            && asked.starts_with('/')
            && !asked.starts_with("//")
            && !asked.starts_with("/\\"))
        .then_some(asked);
        let mut page = pages::error_page(&state, status, again);
        // Keep the headers the handler set, such as `Allow` on a 405.
        for (name, value) in response.headers() {
            if name != CONTENT_TYPE && name != axum::http::header::CONTENT_LENGTH {
                page.headers_mut().insert(name.clone(), value.clone());
            }
        }
        return page;
    }
    response
}

/// The daily count of people past the retention period.
const RETENTION_JOB: &str = "retention_check";

/// The background count of finished reporting periods.
const REPORT_COUNT_JOB: &str = "count_reports";

/// Periods counted in the background per run: enough for a contract year and its four
/// quarters, which are counted together in one walk (at a million people about 40 s on
/// our 2-core machines, well inside the job's lease); the next run, five minutes
/// later, takes the next ones.
const REPORTS_PER_RUN: usize = 5;

/// How often the background jobs look for work.
const JOB_INTERVAL: std::time::Duration = std::time::Duration::from_secs(300);

/// Starts the background jobs. Each run takes the job's lease first, so with several
/// processes on one database only one of them does the work.
pub fn spawn_jobs(state: AppState, holder: String) {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(JOB_INTERVAL);
        loop {
            interval.tick().await;
            state.throttles.forget_idle();
            let store = state.store.clone();
            let holder = holder.clone();
            let idle = chrono::Duration::minutes(state.config.session_idle_minutes);
            let years = state.config.retention_years;
            let settle_days = state.config.report_settle_days;
            let result = tokio::task::spawn_blocking(move || {
                if store.take_job_lease("purge_sessions", &holder, chrono::Duration::minutes(5))? {
                    let purged = store.purge_sessions(advocase_storage::now() - idle)?;
                    let codes = store.purge_sign_in_codes()?;
                    store.finish_job("purge_sessions", &holder)?;
                    tracing::info!(
                        purged,
                        codes,
                        "purged ended sessions and spent sign-in codes"
                    );
                }
                // Once a day, count who is past the retention period, for managers to
                // review; the first run is at start. Whether it is due is decided with
                // the lease, so two processes never both run it.
                if store.take_due_job_lease(
                    RETENTION_JOB,
                    &holder,
                    chrono::Duration::minutes(30),
                    chrono::Duration::days(1),
                )? {
                    let providers = store.check_retention(crate::clock::today(), years)?;
                    store.finish_job(RETENTION_JOB, &holder)?;
                    tracing::info!(providers, "checked the retention period");
                }
                if let Some(settle_days) = settle_days
                    && store.take_job_lease(
                        REPORT_COUNT_JOB,
                        &holder,
                        chrono::Duration::minutes(30),
                    )?
                {
                    let counted =
                        pages::referrals::working_day_calendar(&store).and_then(|calendar| {
                            store.count_settled_reports(
                                &calendar,
                                crate::clock::today(),
                                settle_days,
                                REPORTS_PER_RUN,
                            )
                        });
                    store.finish_job(REPORT_COUNT_JOB, &holder)?;
                    let counted = counted?;
                    if counted > 0 {
                        tracing::info!(counted, "counted finished reporting periods");
                    }
                }
                Ok::<_, advocase_storage::StoreError>(())
            })
            .await;
            if let Ok(Err(error)) = result {
                tracing::error!(%error, "a background job failed");
            }
        }
    });
}
