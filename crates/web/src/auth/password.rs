//! Password hashing with argon2id at the OWASP-recommended minimum cost (19 MiB, two
//! passes, one lane). The parameters live in each stored hash, so raising them later
//! leaves old hashes verifiable.
//!
//! Each hashing takes a core and 19 MiB for tens of milliseconds. The server runs them
//! through a [`HashingLimit`]: on the blocking threads, never on the async ones that
//! answer every other request, and no more at once than there are cores. A flood of
//! sign-ins then waits its turn instead of taking every thread and the memory with it,
//! and an attempt that has waited too long is told to try again shortly.

use crate::error::AppError;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::sync::Semaphore;

/// How long a sign-in waits for its turn to hash before it is told to try again. Long
/// enough for a queue of a few hundred attempts on two cores; a longer wait would only
/// hold the request open for a person who has already given up.
pub const HASHING_WAIT: Duration = Duration::from_secs(10);

/// The hashings allowed at once, and how long an attempt waits for its turn.
#[derive(Clone)]
pub struct HashingLimit {
    permits: Arc<Semaphore>,
    wait: Duration,
}

/// Why hashing did not run.
#[derive(Debug)]
pub enum Refused {
    /// Every permit stayed taken for the whole wait.
    Busy,
    /// The hashing thread stopped (a panic); the cause is logged by the caller.
    Failed(tokio::task::JoinError),
}

impl From<Refused> for AppError {
    fn from(refused: Refused) -> Self {
        match refused {
            // "The service is unavailable. Try again shortly": nothing is wrong with
            // what the person typed, and the same attempt will work in a moment.
            Refused::Busy => AppError::Unavailable,
            Refused::Failed(error) => {
                AppError::Internal(anyhow::anyhow!("hashing failed: {error}"))
            }
        }
    }
}

impl HashingLimit {
    pub fn new(permits: usize, wait: Duration) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(permits.max(1))),
            wait,
        }
    }

    /// One hashing per core the process may use, waiting at most [`HASHING_WAIT`].
    pub fn per_core() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        Self::new(cores, HASHING_WAIT)
    }

    /// The permits free now.
    pub fn available(&self) -> usize {
        self.permits.available_permits()
    }

    /// Runs `work` on a blocking thread once a permit is free, or refuses after the wait.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Refused> {
        let permit = tokio::time::timeout(self.wait, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| Refused::Busy)?
            .map_err(|_| Refused::Busy)?;
        // The permit goes with the work, not with the request: a person who gives up
        // drops the request, but the hashing already started still runs to its end, and
        // must go on counting against the limit until it does.
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work()
        })
        .await
        .map_err(Refused::Failed)
    }

    /// [`verify`] in turn.
    pub async fn verify(&self, stored: Option<String>, password: String) -> Result<bool, AppError> {
        Ok(self
            .run(move || verify(stored.as_deref(), &password))
            .await?)
    }

    /// [`hash`] in turn.
    pub async fn hash(&self, password: String) -> Result<String, AppError> {
        self.run(move || hash(&password))
            .await?
            .map_err(AppError::Internal)
    }
}

fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing a password failed: {e}"))
}

/// Checks a password against a stored hash. A missing or unreadable hash never matches.
pub fn verify(stored: Option<&str>, password: &str) -> bool {
    let Some(stored) = stored else {
        // Spend the same time as a real check, so the answer's timing does not tell
        // whether the account has a password.
        dummy_verify(password);
        return false;
    };
    match PasswordHash::new(stored) {
        Ok(parsed) => hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Does the work of a verification against a fixed hash, for sign-ins with an unknown
/// email address, so that timing does not reveal which addresses have accounts.
pub fn dummy_verify(password: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let stored = DUMMY.get_or_init(|| hash("a password nobody has").unwrap_or_default());
    if let Ok(parsed) = PasswordHash::new(stored) {
        let _ = hasher().verify_password(password.as_bytes(), &parsed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Condvar, Mutex};

    /// A gate the hashing stand-ins wait at, so the test decides when they finish.
    #[derive(Default)]
    struct Gate {
        open: Mutex<bool>,
        opened: Condvar,
    }

    impl Gate {
        fn wait(&self) {
            let mut open = self.open.lock().unwrap();
            while !*open {
                open = self.opened.wait(open).unwrap();
            }
        }

        fn open(&self) {
            *self.open.lock().unwrap() = true;
            self.opened.notify_all();
        }
    }

    /// Stand-ins for hashing that count how many run at once and wait at the gate.
    #[derive(Default)]
    struct Counter {
        inside: AtomicUsize,
        most: AtomicUsize,
    }

    async fn until(condition: impl Fn() -> bool) {
        while !condition() {
            tokio::task::yield_now().await;
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn no_more_hashings_run_at_once_than_the_limit_allows() {
        let limit = HashingLimit::new(2, Duration::from_secs(3600));
        let gate = Arc::new(Gate::default());
        let counter = Arc::new(Counter::default());
        let runs: Vec<_> = (0..6)
            .map(|n| {
                let (limit, gate, counter) = (limit.clone(), gate.clone(), counter.clone());
                tokio::spawn(async move {
                    limit
                        .run(move || {
                            let now = counter.inside.fetch_add(1, Ordering::SeqCst) + 1;
                            counter.most.fetch_max(now, Ordering::SeqCst);
                            gate.wait();
                            counter.inside.fetch_sub(1, Ordering::SeqCst);
                            n
                        })
                        .await
                })
            })
            .collect();
        until(|| counter.inside.load(Ordering::SeqCst) == 2).await;
        assert_eq!(limit.available(), 0, "both permits are taken");
        gate.open();
        let mut done = Vec::new();
        for run in runs {
            done.push(run.await.unwrap().unwrap());
        }
        done.sort_unstable();
        assert_eq!(done, [0, 1, 2, 3, 4, 5], "every attempt had its turn");
        assert_eq!(counter.most.load(Ordering::SeqCst), 2);
        assert_eq!(limit.available(), 2, "every permit came back");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_attempt_that_cannot_get_a_turn_in_time_is_refused_as_busy() {
        let limit = HashingLimit::new(1, Duration::ZERO);
        let gate = Arc::new(Gate::default());
        let counter = Arc::new(Counter::default());
        let holding = {
            let (limit, gate, counter) = (limit.clone(), gate.clone(), counter.clone());
            tokio::spawn(async move {
                limit
                    .run(move || {
                        counter.inside.fetch_add(1, Ordering::SeqCst);
                        gate.wait();
                    })
                    .await
            })
        };
        until(|| counter.inside.load(Ordering::SeqCst) == 1).await;
        assert!(matches!(limit.run(|| ()).await, Err(Refused::Busy)));
        gate.open();
        holding.await.unwrap().unwrap();
        assert!(
            limit.run(|| ()).await.is_ok(),
            "a free permit is taken at once"
        );
    }

    #[test]
    fn the_shared_limit_has_a_permit_per_core() {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        assert_eq!(HashingLimit::per_core().available(), cores);
    }

    #[test]
    fn a_hashed_password_verifies_and_a_wrong_one_does_not() {
        let stored = hash("correct horse battery staple").unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify(Some(&stored), "correct horse battery staple"));
        assert!(!verify(Some(&stored), "correct horse battery stapler"));
        assert!(!verify(None, "anything"));
    }
}
