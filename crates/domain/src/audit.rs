//! The audit trail's hash chain.
//!
//! Each entry's content is hashed on its own (`content_hash`), and the chain links those
//! hashes: `chain_hash = SHA-256(previous chain_hash ‖ content_hash)`. Because the chain
//! covers hashes and not the content itself, personal data in an old entry (a reason
//! someone typed) can later be destroyed under the retention rules without breaking the
//! chain, while any edit of the remaining content, any removed or reordered entry, and a
//! cut-off tail (checked against the head kept outside the database) are still detected.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The chain hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What was done. Stored as the snake-case name, so the trail reads without the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    Read,
    Create,
    Update,
    Disable,
    Search,
    SignIn,
    SignInFailed,
    SignInLocked,
    SignOut,
    SignOutEverywhere,
    TwoFactorEnrolled,
    TwoFactorFailed,
    PasswordChanged,
    TokenIssued,
    TokenRevoked,
    Denied,
    Export,
    Import,
    /// Emergency access to a case outside the need-to-know rule.
    BreakGlass,
    /// Information shared outside the service, or a share refused.
    Share,
    /// Personal data destroyed at the end of its retention period.
    Destroy,
}

impl AuditAction {
    pub const ALL: [AuditAction; 21] = [
        Self::Read,
        Self::Create,
        Self::Update,
        Self::Disable,
        Self::Search,
        Self::SignIn,
        Self::SignInFailed,
        Self::SignInLocked,
        Self::SignOut,
        Self::SignOutEverywhere,
        Self::TwoFactorEnrolled,
        Self::TwoFactorFailed,
        Self::PasswordChanged,
        Self::TokenIssued,
        Self::TokenRevoked,
        Self::Denied,
        Self::Export,
        Self::Import,
        Self::BreakGlass,
        Self::Share,
        Self::Destroy,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Create => "create",
            Self::Update => "update",
            Self::Disable => "disable",
            Self::Search => "search",
            Self::SignIn => "sign_in",
            Self::SignInFailed => "sign_in_failed",
            Self::SignInLocked => "sign_in_locked",
            Self::SignOut => "sign_out",
            Self::SignOutEverywhere => "sign_out_everywhere",
            Self::TwoFactorEnrolled => "two_factor_enrolled",
            Self::TwoFactorFailed => "two_factor_failed",
            Self::PasswordChanged => "password_changed",
            Self::TokenIssued => "token_issued",
            Self::TokenRevoked => "token_revoked",
            Self::Denied => "denied",
            Self::Export => "export",
            Self::Import => "import",
            Self::BreakGlass => "break_glass",
            Self::Share => "share",
            Self::Destroy => "destroy",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == value)
    }
}

/// The parts of an audit entry that its content hash covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditContent<'a> {
    /// UTC time in RFC 3339 with microseconds, as stored.
    pub at: &'a str,
    pub actor_user_id: Option<i64>,
    pub organisation_id: Option<i64>,
    pub action: &'a str,
    pub record_type: &'a str,
    pub record_id: Option<&'a str>,
    pub ip: Option<&'a str>,
    pub reason: Option<&'a str>,
}

impl AuditContent<'_> {
    /// Hashes the content with every field length-prefixed, so that no two different
    /// entries can share an encoding (for instance by moving text from one field to the
    /// next).
    pub fn hash(&self) -> String {
        let mut hasher = Sha256::new();
        let ids = [self.actor_user_id, self.organisation_id].map(|id| id.map(|n| n.to_string()));
        let fields: [Option<&str>; 8] = [
            Some(self.at),
            ids[0].as_deref(),
            ids[1].as_deref(),
            Some(self.action),
            Some(self.record_type),
            self.record_id,
            self.ip,
            self.reason,
        ];
        for field in fields {
            match field {
                Some(text) => {
                    hasher.update([1u8]);
                    hasher.update((text.len() as u64).to_be_bytes());
                    hasher.update(text.as_bytes());
                }
                None => hasher.update([0u8]),
            }
        }
        hex::encode(hasher.finalize())
    }
}

/// Links one entry's content hash onto the chain.
pub fn chain_hash(previous_chain_hash: &str, content_hash: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(previous_chain_hash.as_bytes());
    hasher.update(content_hash.as_bytes());
    hex::encode(hasher.finalize())
}

/// One stored entry as the verifier reads it back.
#[derive(Debug, Clone)]
pub struct StoredEntry {
    pub id: i64,
    pub sequence: i64,
    pub content_hash: String,
    pub chain_hash: String,
    /// The recomputed hash of the content still held, or `None` when the personal parts
    /// were destroyed and only the stored hash remains.
    pub recomputed_content_hash: Option<String>,
}

/// Where the chain is broken, in words an operator can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    #[error("entry {id} was changed after it was written (its content no longer matches its hash)")]
    EditedContent { id: i64 },
    #[error(
        "entry {id} does not follow the entry before it: an entry was removed, inserted or reordered, or a hash was changed"
    )]
    BrokenLink { id: i64 },
    #[error(
        "entry {id} is out of sequence (expected number {expected}, found {found}): an entry was removed or reordered"
    )]
    Sequence { id: i64, expected: i64, found: i64 },
    #[error(
        "the trail ends at entry number {found} but the head kept outside the database says {expected}: entries were cut off the end or the head was lost"
    )]
    Truncated { expected: i64, found: i64 },
    #[error("the last entry's hash does not match the head kept outside the database")]
    HeadMismatch,
}

/// The last sequence number and chain hash, kept outside the database so that deleting
/// the newest entries cannot go unnoticed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainHead {
    pub sequence: i64,
    pub chain_hash: String,
}

/// Checks a chain one entry at a time, in sequence order, so that a trail of any length
/// can be verified without holding it all in memory.
///
/// The head kept outside the database may lag behind the table while a server is
/// writing, so entries after it are accepted; the entry at the head's sequence must
/// carry the head's hash, and the table must reach that far.
#[derive(Debug)]
pub struct ChainVerifier {
    previous: String,
    expected_sequence: i64,
    head: Option<ChainHead>,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self::new(None)
    }
}

impl ChainVerifier {
    pub fn new(head: Option<ChainHead>) -> Self {
        Self {
            previous: GENESIS.to_string(),
            expected_sequence: 1,
            head,
        }
    }

    pub fn check(&mut self, entry: StoredEntry) -> Result<(), ChainBreak> {
        if entry.sequence != self.expected_sequence {
            return Err(ChainBreak::Sequence {
                id: entry.id,
                expected: self.expected_sequence,
                found: entry.sequence,
            });
        }
        if let Some(recomputed) = &entry.recomputed_content_hash
            && recomputed != &entry.content_hash
        {
            return Err(ChainBreak::EditedContent { id: entry.id });
        }
        if chain_hash(&self.previous, &entry.content_hash) != entry.chain_hash {
            return Err(ChainBreak::BrokenLink { id: entry.id });
        }
        if let Some(head) = &self.head
            && head.sequence == entry.sequence
            && head.chain_hash != entry.chain_hash
        {
            return Err(ChainBreak::HeadMismatch);
        }
        self.previous = entry.chain_hash;
        self.expected_sequence += 1;
        Ok(())
    }

    /// Ends the check: the table must reach the head kept outside the database, when
    /// there is one. Returns how many entries were checked.
    pub fn finish(self) -> Result<i64, ChainBreak> {
        let last = self.expected_sequence - 1;
        if let Some(head) = &self.head
            && head.sequence > last
        {
            return Err(ChainBreak::Truncated {
                expected: head.sequence,
                found: last,
            });
        }
        Ok(last)
    }
}

/// Checks entries in sequence order against each other and, when known, the head.
/// Returns how many entries were checked.
pub fn verify_chain(
    entries: impl IntoIterator<Item = StoredEntry>,
    head: Option<&ChainHead>,
) -> Result<i64, ChainBreak> {
    let mut verifier = ChainVerifier::new(head.cloned());
    for entry in entries {
        verifier.check(entry)?;
    }
    verifier.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(reason: Option<&str>) -> AuditContent<'_> {
        AuditContent {
            at: "2026-11-22T10:00:00.000000Z",
            actor_user_id: Some(7),
            organisation_id: Some(1),
            action: "read",
            record_type: "user",
            record_id: Some("9"),
            ip: Some("127.0.0.1"),
            reason,
        }
    }

    fn chain(n: i64) -> (Vec<StoredEntry>, ChainHead) {
        let mut previous = GENESIS.to_string();
        let mut entries = Vec::new();
        for i in 1..=n {
            let reason = format!("reason {i}");
            let hash = content(Some(&reason)).hash();
            let link = chain_hash(&previous, &hash);
            entries.push(StoredEntry {
                id: i * 10,
                sequence: i,
                content_hash: hash.clone(),
                chain_hash: link.clone(),
                recomputed_content_hash: Some(hash),
            });
            previous = link;
        }
        (
            entries,
            ChainHead {
                sequence: n,
                chain_hash: previous,
            },
        )
    }

    #[test]
    fn an_untouched_chain_verifies() {
        let (entries, head) = chain(5);
        assert_eq!(verify_chain(entries, Some(&head)), Ok(5));
    }

    #[test]
    fn moving_text_between_fields_changes_the_hash() {
        let a = AuditContent {
            record_id: Some("12"),
            reason: Some("3"),
            ..content(None)
        };
        let b = AuditContent {
            record_id: Some("1"),
            reason: Some("23"),
            ..content(None)
        };
        assert_ne!(a.hash(), b.hash());
    }

    #[test]
    fn an_edited_entry_is_detected() {
        let (mut entries, head) = chain(5);
        entries[2].recomputed_content_hash = Some(content(Some("changed")).hash());
        assert_eq!(
            verify_chain(entries, Some(&head)),
            Err(ChainBreak::EditedContent { id: 30 })
        );
    }

    #[test]
    fn a_removed_entry_is_detected() {
        let (mut entries, head) = chain(5);
        entries.remove(2);
        assert!(matches!(
            verify_chain(entries, Some(&head)),
            Err(ChainBreak::Sequence { .. })
        ));
    }

    #[test]
    fn reordered_entries_are_detected() {
        let (mut entries, head) = chain(5);
        entries.swap(1, 2);
        let (a, b) = (entries[1].sequence, entries[2].sequence);
        entries[1].sequence = b;
        entries[2].sequence = a;
        assert!(matches!(
            verify_chain(entries, Some(&head)),
            Err(ChainBreak::BrokenLink { .. })
        ));
    }

    #[test]
    fn a_cut_off_tail_is_detected_against_the_head() {
        let (mut entries, head) = chain(5);
        entries.pop();
        assert_eq!(
            verify_chain(entries, Some(&head)),
            Err(ChainBreak::Truncated {
                expected: 5,
                found: 4
            })
        );
    }

    #[test]
    fn destroyed_content_keeps_the_chain_whole() {
        let (mut entries, head) = chain(5);
        entries[1].recomputed_content_hash = None;
        assert_eq!(verify_chain(entries, Some(&head)), Ok(5));
    }
}
