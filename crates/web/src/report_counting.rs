//! The first count of a report's figures, with a bound on how long its reader waits.
//!
//! A finished period is counted the first time its report is asked for (unless the
//! background count got there first) and the counts are kept. For most providers that
//! takes milliseconds; at a million people a year and its quarters take tens of
//! seconds, longer than a reader should stare at a loading page and longer than a
//! reverse proxy's usual time-out. So a request waits at most `report_wait` for the
//! count. If the count is not done by then, the request answers "still counting" and
//! the count goes on by itself until its figures are kept; asking again later gives
//! them at once. Readers asking for figures that are already being counted wait for
//! that count instead of starting another one beside it.

use crate::auth::session::blocking;
use crate::error::AppError;
use crate::{AppState, clock};
use advocase_domain::identity::Actor;
use advocase_domain::reporting::Period;
use advocase_storage::commissioning::{ContractRow, ReportFacts};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::{oneshot, watch};

/// Which figures: a contract and the periods counted together.
type Counted = (i64, Vec<Period>);

/// The counts this process is making now, each with a signal that turns true when it
/// has finished (kept, or failed).
#[derive(Default)]
pub struct CountsInProgress {
    running: Mutex<HashMap<Counted, watch::Receiver<bool>>>,
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
    let claim = loop {
        match state.counting.claim(contract.record.id, periods.clone()) {
            Ok(claim) => break claim,
            Err(mut finished) => {
                // Someone else's count of the same figures: once it is over its counts
                // are kept, and this reader reads them with their own audited read.
                // The sender goes away only after finishing, so an error here means
                // the same as `true`.
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
    let (counting_state, actor, id) = (state.clone(), actor.clone(), contract.record.id);
    tokio::spawn(async move {
        let result = match crate::pages::referrals::calendar(&counting_state).await {
            Ok(calendar) => {
                let store = counting_state.store.clone();
                blocking(move || {
                    store.report_facts_by_period(&actor, id, &periods, &calendar, clock::today())
                })
                .await
            }
            Err(error) => Err(error),
        };
        drop(claim);
        // A reader who stopped waiting has gone; the counts are kept all the same,
        // and only a failure is worth a line in the log.
        if let Err(Err(AppError::Internal(error))) = answer.send(result) {
            tracing::error!(error = %format!("{error:#}"), "a report count failed");
        }
    });
    match tokio::time::timeout_at(deadline, answered).await {
        Ok(Ok(result)) => result,
        Ok(Err(_)) => Err(AppError::Internal(anyhow::anyhow!(
            "a report count ended without an answer"
        ))),
        Err(_) => Err(AppError::StillCounting),
    }
}
