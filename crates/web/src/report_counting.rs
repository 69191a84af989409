//! The first count of a report's figures, with a bound on how long its reader waits.
//!
//! A finished period is counted the first time its report is asked for (unless the
//! background count got there first) and the counts are kept. For most providers that
//! takes milliseconds; at a million people a year and its quarters take tens of
//! seconds, longer than a reader should stare at a loading page and longer than a
//! reverse proxy's usual time-out. So a request waits at most `report_wait` for the
//! count. If the count is not done by then, the request answers "still counting" and
//! the count goes on by itself until its figures are kept; asking again later gives
//! them at once. Readers asking for the same figures (the same contract and periods)
//! while they are being counted wait for that count instead of starting another one
//! beside it, and figures already kept are read at once, never waited for. At most
//! [`FIRST_COUNTS_AT_ONCE`] first counts run in a process at a time: each holds a
//! database connection for as long as it lasts, and a page asking for many (the demand
//! page) must not take every connection the other requests need.

use crate::auth::session::blocking;
use crate::error::AppError;
use crate::{AppState, clock};
use advocase_domain::identity::Actor;
use advocase_domain::reporting::Period;
use advocase_storage::commissioning::{ContractRow, ReportFacts};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::{Semaphore, oneshot, watch};
use tracing::Instrument;

/// Which figures: a contract and the periods counted together.
type Counted = (i64, Vec<Period>);

/// The counts this process is making now, each with a signal that turns true when it
/// has finished (kept, or failed).
pub struct CountsInProgress {
    running: Mutex<HashMap<Counted, watch::Receiver<bool>>>,
    /// Turns for the first counts themselves.
    turns: Semaphore,
}

/// First counts running at once in one process: one per core of our 2-core machines.
pub const FIRST_COUNTS_AT_ONCE: usize = 2;

impl Default for CountsInProgress {
    fn default() -> Self {
        Self {
            running: Mutex::default(),
            turns: Semaphore::new(FIRST_COUNTS_AT_ONCE),
        }
    }
}

/// The right to count some figures: while it is held, anyone else asking for the same
/// figures waits for it. Letting it go (however the count ended) says it is over.
pub struct CountClaim {
    counts: Arc<CountsInProgress>,
    counted: Counted,
    finished: watch::Sender<bool>,
}

impl CountsInProgress {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Counted, watch::Receiver<bool>>> {
        self.running.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Claims the count of `periods` of a contract, or answers the signal of the count
    /// of them already going on.
    pub fn claim(
        self: &Arc<Self>,
        contract_id: i64,
        periods: Vec<Period>,
    ) -> Result<CountClaim, watch::Receiver<bool>> {
        let counted = (contract_id, periods);
        let mut running = self.lock();
        if let Some(finished) = running.get(&counted) {
            return Err(finished.clone());
        }
        let (finished, signal) = watch::channel(false);
        running.insert(counted.clone(), signal);
        Ok(CountClaim {
            counts: self.clone(),
            counted,
            finished,
        })
    }
}

impl Drop for CountClaim {
    fn drop(&mut self) {
        // Taken out of the list first, so a reader woken by the signal finds no count
        // going on and reads the kept figures.
        self.counts.lock().remove(&self.counted);
        let _ = self.finished.send(true);
    }
}

/// The figures of `periods` of a contract the actor has already been allowed to see
/// (`contract` is what the store gave them), as [`advocase_storage::Store::report_facts_by_period`]
/// gives them, or [`AppError::StillCounting`] when counting them takes longer than
/// the configured wait.
pub async fn counted_reports(
    state: &AppState,
    actor: &Actor,
    contract: &ContractRow,
    periods: Vec<Period>,
) -> Result<Vec<ReportFacts>, AppError> {
    let deadline = tokio::time::Instant::now() + state.config.report_wait;
    let id = contract.record.id;
    let claim = loop {
        // Figures already kept are read straight away, whatever else is going on.
        let (store, asked) = (state.store.clone(), periods.clone());
        if blocking(move || store.reports_kept(id, &asked)).await? {
            return read_or_count(state, actor.clone(), id, periods).await;
        }
        match state.counting.claim(id, periods.clone()) {
            Ok(claim) => break claim,
            Err(mut finished) => {
                // Someone else's count of the same figures: once it is over they are
                // kept (or the count failed, and this reader counts them). The sender
                // goes away only after finishing, so an error here means the same as
                // `true`.
                if tokio::time::timeout_at(deadline, finished.wait_for(|done| *done))
                    .await
                    .is_err()
                {
                    return Err(AppError::StillCounting);
                }
            }
        }
    };
    let (answer, answered) = oneshot::channel();
    let (counting_state, actor) = (state.clone(), actor.clone());
    let count = async move {
        let result = match counting_state.counting.turns.acquire().await {
            Ok(_turn) => read_or_count(&counting_state, actor, id, periods).await,
            Err(closed) => Err(AppError::Internal(closed.into())),
        };
        drop(claim);
        // A reader who stopped waiting has gone, and the figures are kept all the same;
        // a count that failed meanwhile is logged, as nobody else will hear of it.
        match answer.send(result) {
            Err(Err(AppError::Internal(error))) => {
                tracing::error!(error = %format!("{error:#}"), "a report count failed");
            }
            Err(Err(error)) => tracing::warn!(%error, "a report count did not finish"),
            _ => {}
        }
    };
    tokio::spawn(count.in_current_span());
    match tokio::time::timeout_at(deadline, answered).await {
        Ok(Ok(result)) => result,
        Ok(Err(_)) => Err(AppError::Internal(anyhow::anyhow!(
            "a report count ended without an answer"
        ))),
        Err(_) => Err(AppError::StillCounting),
    }
}

/// The figures as the store gives them: read if kept, counted (and kept) if not.
async fn read_or_count(
    state: &AppState,
    actor: Actor,
    contract_id: i64,
    periods: Vec<Period>,
) -> Result<Vec<ReportFacts>, AppError> {
    let calendar = crate::pages::referrals::calendar(state).await?;
    let store = state.store.clone();
    blocking(move || {
        store.report_facts_by_period(&actor, contract_id, &periods, &calendar, clock::today())
    })
    .await
}
