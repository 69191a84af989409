//! The one error type of the storage layer.

use advocase_domain::validation::Invalid;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The record does not exist, or the actor may not see it: the two are never told
    /// apart, so that a refusal reveals nothing.
    #[error("not found")]
    NotFound,
    /// A manager must say why before first opening case content that is not theirs.
    #[error("a reason is needed before opening this record")]
    ReasonNeeded,
    /// The record changed since the caller read it (optimistic concurrency).
    #[error("the record was changed by someone else")]
    Conflict,
    /// The input broke a rule; nothing was stored.
    #[error("invalid: {0}")]
    Invalid(#[from] Invalid),
    #[error("the database cannot be reached: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Database(#[from] diesel::result::Error),
    #[error("migration failed: {0}")]
    Migration(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("data error: {0}")]
    Data(String),
}

impl StoreError {
    /// True when the database refused a write because a unique value already exists.
    pub fn is_unique_violation(&self) -> bool {
        matches!(
            self,
            StoreError::Database(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _
            ))
        )
    }
}
