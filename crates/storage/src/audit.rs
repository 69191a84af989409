//! The audit trail: every read and change of personal data, who did it, when, from
//! where and why. Entries are appended in the same transaction as the work they record
//! and chained by hash (see `advocase_domain::audit`).

use crate::schema::{audit_entries, audit_head};
use crate::{DbConnection, Store, StoreError};
use advocase_domain::audit::{
    AuditAction, AuditContent, ChainBreak, ChainHead, ChainVerifier, StoredEntry, chain_hash,
};
use advocase_domain::identity::Actor;
use chrono::{NaiveDate, SecondsFormat};
use diesel::prelude::*;
use std::path::Path;

/// One thing that happened, before it is written.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub actor_user_id: Option<i64>,
    pub organisation_id: Option<i64>,
    pub action: AuditAction,
    pub record_type: &'static str,
    pub record_id: Option<String>,
    pub address: Option<String>,
    pub reason: Option<String>,
}

impl AuditEvent {
    /// An event done by a signed-in actor.
    pub fn by(
        actor: &Actor,
        action: AuditAction,
        record_type: &'static str,
        record_id: Option<i64>,
    ) -> Self {
        Self {
            actor_user_id: Some(actor.user_id),
            organisation_id: Some(actor.organisation_id),
            action,
            record_type,
            record_id: record_id.map(|id| id.to_string()),
            address: actor.address.clone(),
            reason: None,
        }
    }

    /// An event with no signed-in actor: a failed sign-in, or a command run by an
    /// operator on the server itself.
    pub fn anonymous(
        action: AuditAction,
        record_type: &'static str,
        record_id: Option<i64>,
    ) -> Self {
        Self {
            actor_user_id: None,
            organisation_id: None,
            action,
            record_type,
            record_id: record_id.map(|id| id.to_string()),
            address: None,
            reason: None,
        }
    }

    /// An event done by `by`, or, when `None`, by an operator on the server itself (the
    /// command line, the demo, the public form) on behalf of `organisation_id`.
    pub fn by_or_operator(
        by: Option<&Actor>,
        organisation_id: i64,
        action: AuditAction,
        record_type: &'static str,
        record_id: Option<i64>,
    ) -> Self {
        match by {
            Some(actor) => Self::by(actor, action, record_type, record_id),
            None => Self::anonymous(action, record_type, record_id)
                .in_organisation(Some(organisation_id)),
        }
    }

    pub fn because(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }

    pub fn from_address(mut self, address: Option<String>) -> Self {
        self.address = address;
        self
    }

    pub fn in_organisation(mut self, organisation_id: Option<i64>) -> Self {
        self.organisation_id = organisation_id;
        self
    }
}

/// The events a write transaction records; appended when the work succeeds.
#[derive(Debug, Default)]
pub struct Trail {
    events: Vec<AuditEvent>,
}

impl Trail {
    pub fn record(&mut self, event: AuditEvent) {
        self.events.push(event);
    }

    /// The events recorded, for a read whose entries are committed after it.
    pub(crate) fn into_events(self) -> Vec<AuditEvent> {
        self.events
    }

    /// Appends the recorded events to the chain. Must run inside the transaction that
    /// locked the head (see [`Store::write`]).
    pub(crate) fn append_all(
        self,
        conn: &mut DbConnection,
    ) -> Result<Option<ChainHead>, StoreError> {
        if self.events.is_empty() {
            return Ok(None);
        }
        let (mut sequence, mut previous): (i64, String) = audit_head::table
            .select((audit_head::sequence, audit_head::chain_hash))
            .filter(audit_head::id.eq(1))
            .first(conn)?;
        for event in self.events {
            let at = crate::now()
                .and_utc()
                .to_rfc3339_opts(SecondsFormat::Micros, true);
            let record_id = event.record_id.as_deref();
            let content = AuditContent {
                at: &at,
                actor_user_id: event.actor_user_id,
                organisation_id: event.organisation_id,
                action: event.action.as_str(),
                record_type: event.record_type,
                record_id,
                ip: event.address.as_deref(),
                reason: event.reason.as_deref(),
            };
            let content_hash = content.hash();
            let link = chain_hash(&previous, &content_hash);
            sequence += 1;
            diesel::insert_into(audit_entries::table)
                .values((
                    audit_entries::sequence.eq(sequence),
                    audit_entries::at.eq(&at),
                    audit_entries::actor_user_id.eq(event.actor_user_id),
                    audit_entries::organisation_id.eq(event.organisation_id),
                    audit_entries::action.eq(event.action.as_str()),
                    audit_entries::record_type.eq(event.record_type),
                    audit_entries::record_id.eq(record_id),
                    audit_entries::ip.eq(event.address.as_deref()),
                    audit_entries::reason.eq(event.reason.as_deref()),
                    audit_entries::content_hash.eq(&content_hash),
                    audit_entries::chain_hash.eq(&link),
                ))
                .execute(conn)?;
            previous = link;
        }
        diesel::update(audit_head::table.filter(audit_head::id.eq(1)))
            .set((
                audit_head::sequence.eq(sequence),
                audit_head::chain_hash.eq(&previous),
            ))
            .execute(conn)?;
        Ok(Some(ChainHead {
            sequence,
            chain_hash: previous,
        }))
    }
}

/// Takes the write lock that orders all writers (see [`Store::write`]).
pub(crate) fn lock_head(conn: &mut DbConnection) -> Result<(), StoreError> {
    let touched = diesel::update(audit_head::table.filter(audit_head::id.eq(1)))
        .set(audit_head::sequence.eq(audit_head::sequence))
        .execute(conn)?;
    if touched != 1 {
        return Err(StoreError::Data("the audit head row is missing".into()));
    }
    Ok(())
}

/// Keeps the file outside the database that holds the chain's newest link up to date,
/// off the path of the request whose write made the link. Syncing that file to disk
/// cost every write a second sync after the database's own; now the write hands its
/// head over and returns, and one thread at a time writes the newest head handed over,
/// so under load one sync of the file serves many writes.
///
/// The file may therefore lag the database by the writes of the last moments. That is
/// safe: `audit verify` asks only that every entry up to the file's head is there, so
/// a file behind the database is never a false alarm, and the file is never ahead of
/// a commit. What a lag gives up is the detection of the newest few entries being cut
/// off between a crash and the next write. [`HeadPublisher::settle`] waits for the file
/// to catch up, as verifying and shutting down do.
#[derive(Debug, Default)]
pub(crate) struct HeadPublisher {
    state: std::sync::Mutex<PublisherState>,
    written: std::sync::Condvar,
}

#[derive(Debug, Default)]
struct PublisherState {
    /// The newest head handed over and not yet written.
    pending: Option<ChainHead>,
    /// Whether a thread is writing heads now.
    busy: bool,
    /// The sequence of the newest head handed over, and of the newest written (or found
    /// already written by another process), for `settle` to wait on.
    handed: i64,
    written: i64,
}

/// Gives the turn to write up if the thread writing heads stops by a panic, so that
/// the next head starts another and nobody waits in `settle` for ever.
struct Turn<'a> {
    publisher: &'a HeadPublisher,
    held: bool,
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        if self.held {
            let mut state = self.publisher.lock();
            state.busy = false;
            state.written = state.handed;
            self.publisher.written.notify_all();
        }
    }
}

impl HeadPublisher {
    fn lock(&self) -> std::sync::MutexGuard<'_, PublisherState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Hands `head` over to be written to `file` (when there is one) and returns at
    /// once. The head is logged either way.
    pub(crate) fn publish(self: &std::sync::Arc<Self>, file: Option<&Path>, head: ChainHead) {
        tracing::info!(audit_sequence = head.sequence, audit_chain_hash = %head.chain_hash, "audit head");
        let Some(file) = file else { return };
        let mut state = self.lock();
        if state
            .pending
            .as_ref()
            .is_none_or(|pending| pending.sequence < head.sequence)
        {
            state.handed = state.handed.max(head.sequence);
            state.pending = Some(head);
        }
        if state.busy {
            return;
        }
        state.busy = true;
        drop(state);
        let publisher = std::sync::Arc::clone(self);
        let path = file.to_path_buf();
        let started = std::thread::Builder::new()
            .name("audit-head".into())
            .spawn(move || publisher.write_pending(&path));
        if let Err(error) = started {
            // Without a thread of its own the head is written here, as it always was.
            tracing::warn!(%error, "could not start a thread to write the audit head");
            self.write_pending(file);
        }
    }

    /// Writes the newest pending head until none is left, then says so to whoever
    /// waits in [`HeadPublisher::settle`].
    fn write_pending(&self, file: &Path) {
        let mut turn = Turn {
            publisher: self,
            held: true,
        };
        let mut done = None;
        loop {
            let head = {
                let mut state = self.lock();
                if let Some(sequence) = done {
                    state.written = state.written.max(sequence);
                    self.written.notify_all();
                }
                match state.pending.take() {
                    Some(head) => head,
                    None => {
                        // Given up while the lock is held, so a head handed over now
                        // finds the turn free and starts a writer of its own.
                        state.busy = false;
                        turn.held = false;
                        self.written.notify_all();
                        return;
                    }
                }
            };
            write_head_file(file, &head);
            done = Some(head.sequence);
        }
    }

    /// A publisher the process can settle before it exits (see [`settle_audit_heads`]).
    pub(crate) fn registered() -> std::sync::Arc<Self> {
        let publisher = std::sync::Arc::<Self>::default();
        let mut all = PUBLISHERS
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        all.retain(|weak| weak.strong_count() > 0);
        all.push(std::sync::Arc::downgrade(&publisher));
        publisher
    }

    /// Waits until every head handed over so far is in the file (heads handed over
    /// later, by writes still going on, are not waited for).
    pub(crate) fn settle(&self) {
        let mut state = self.lock();
        let target = state.handed;
        while state.busy && state.written < target {
            state = self
                .written
                .wait(state)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
    }
}

/// Every store's publisher in this process, so that a command can wait for all of them
/// before it exits: a thread still writing a head would otherwise be cut off.
static PUBLISHERS: std::sync::Mutex<Vec<std::sync::Weak<HeadPublisher>>> =
    std::sync::Mutex::new(Vec::new());

/// Waits until every store of this process has written its newest audit head to its
/// file. For a command to call before it exits.
pub fn settle_audit_heads() {
    let all: Vec<std::sync::Arc<HeadPublisher>> = PUBLISHERS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .iter()
        .filter_map(std::sync::Weak::upgrade)
        .collect();
    for publisher in all {
        publisher.settle();
    }
}

/// Writes the newest link to the file outside the database, replacing it atomically.
/// Several processes may share the file; a process never moves the head backwards.
/// Failure to write is logged, not fatal: the database commit has already happened and
/// `audit verify` will report the mismatch.
fn write_head_file(file: &Path, head: &ChainHead) {
    // Processes sharing the file each use their own temporary name; within a process
    // the writers of every store take turns here, as two stores may share a file.
    static WRITING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = WRITING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Ok(Some(existing)) = read_head(file)
        && existing.sequence >= head.sequence
    {
        return;
    }
    let temporary = file.with_extension(format!("{}.tmp", std::process::id()));
    let text = serde_json::to_string(head).unwrap_or_default();
    let result = std::fs::File::create(&temporary)
        .and_then(|mut f| {
            use std::io::Write;
            f.write_all(text.as_bytes())?;
            f.sync_all()
        })
        .and_then(|()| std::fs::rename(&temporary, file));
    if let Err(error) = result {
        tracing::error!(%error, "could not write the audit head file");
    }
}

pub fn read_head(file: &Path) -> Result<Option<ChainHead>, StoreError> {
    match std::fs::read_to_string(file) {
        Ok(text) => serde_json::from_str(&text).map(Some).map_err(|e| {
            StoreError::Data(format!(
                "the audit head file {} is unreadable: {e}",
                file.display()
            ))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

type EntryRow = (
    i64,
    i64,
    String,
    Option<i64>,
    Option<i64>,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    String,
    bool,
);

/// One entry as shown to a manager searching the trail.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AuditEntry {
    pub sequence: i64,
    pub at: String,
    pub actor_user_id: Option<i64>,
    pub action: String,
    pub record_type: String,
    pub record_id: Option<String>,
    pub address: Option<String>,
    pub reason: Option<String>,
}

/// What a manager searches the trail for; every part is optional.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub actor_user_id: Option<i64>,
    pub action: Option<AuditAction>,
    pub record_type: Option<String>,
    pub record_id: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Show entries older than this sequence number (for paging back).
    pub before: Option<i64>,
}

/// How many entries one page of search results shows.
pub const AUDIT_PAGE: i64 = 50;

/// How verification went: how many entries, and whether the external head was there.
#[derive(Debug)]
pub struct Verification {
    pub entries: i64,
    pub head_checked: bool,
}

impl Store {
    /// Searches the trail of the actor's own organisation, newest first. The search is
    /// itself recorded.
    pub fn search_audit(
        &self,
        actor: &Actor,
        query: &AuditQuery,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        if !actor.may_search_audit() {
            return Err(StoreError::NotFound);
        }
        let organisation = actor.organisation_id;
        let query = query.clone();
        // The search runs outside the write transaction, so a slow search never holds
        // up other writers; its audit entry follows in a short write of its own.
        let rows: Vec<EntryRow> = self.read(|conn| {
            let mut select = audit_entries::table
                .filter(audit_entries::organisation_id.eq(organisation))
                .order(audit_entries::sequence.desc())
                .limit(AUDIT_PAGE)
                .into_boxed();
            if let Some(user) = query.actor_user_id {
                select = select.filter(audit_entries::actor_user_id.eq(user));
            }
            if let Some(action) = query.action {
                select = select.filter(audit_entries::action.eq(action.as_str()));
            }
            if let Some(record_type) = &query.record_type {
                select = select.filter(audit_entries::record_type.eq(record_type.clone()));
            }
            if let Some(record_id) = &query.record_id {
                select = select.filter(audit_entries::record_id.eq(record_id.clone()));
            }
            // Timestamps are RFC 3339 text in UTC, so text order is time order.
            if let Some(from) = query.from {
                select = select.filter(audit_entries::at.ge(format!("{from}T00:00:00")));
            }
            if let Some(to) = query.to {
                select = select.filter(
                    audit_entries::at.lt(format!("{}T00:00:00", to.succ_opt().unwrap_or(to))),
                );
            }
            if let Some(before) = query.before {
                select = select.filter(audit_entries::sequence.lt(before));
            }
            Ok(select.load(conn)?)
        })?;
        self.write(|_, trail| {
            trail.record(AuditEvent::by(
                actor,
                AuditAction::Search,
                "audit_trail",
                None,
            ));
            Ok(())
        })?;
        Ok(rows
            .into_iter()
            .map(|r| AuditEntry {
                sequence: r.1,
                at: r.2,
                actor_user_id: r.3,
                action: r.5,
                record_type: r.6,
                record_id: r.7,
                address: r.8,
                reason: r.9,
            })
            .collect())
    }

    /// Checks the whole chain in order, in batches so that a long trail does not have
    /// to fit in memory, and then the head kept outside the database.
    pub fn verify_audit(&self) -> Result<Result<Verification, ChainBreak>, StoreError> {
        self.settle_audit_head();
        // The head is read before the entries: a server still writing may add entries
        // after it, which is fine; entries missing up to the head are not.
        let head = match self.audit_head_file.as_deref() {
            Some(file) => read_head(file)?,
            None => None,
        };
        let mut conn = self.conn()?;
        let mut verifier = ChainVerifier::new(head.clone());
        let mut last = 0i64;
        loop {
            let rows: Vec<EntryRow> = audit_entries::table
                .filter(audit_entries::sequence.gt(last))
                .order(audit_entries::sequence.asc())
                .limit(10_000)
                .load(&mut *conn)?;
            let Some(tail) = rows.last() else { break };
            last = tail.1;
            for r in rows {
                // An entry whose free text was destroyed with the records it was about
                // keeps its content hash, which the chain still links. Only an entry
                // with nothing left of that text is taken as destroyed, so the flag
                // cannot hide an edit.
                let destroyed = r.12 && r.8.is_none() && r.9.is_none();
                let recomputed = AuditContent {
                    at: &r.2,
                    actor_user_id: r.3,
                    organisation_id: r.4,
                    action: &r.5,
                    record_type: &r.6,
                    record_id: r.7.as_deref(),
                    ip: r.8.as_deref(),
                    reason: r.9.as_deref(),
                }
                .hash();
                let entry = StoredEntry {
                    id: r.0,
                    sequence: r.1,
                    content_hash: r.10,
                    chain_hash: r.11,
                    recomputed_content_hash: (!destroyed).then_some(recomputed),
                };
                if let Err(broken) = verifier.check(entry) {
                    return Ok(Err(broken));
                }
            }
        }
        Ok(verifier.finish().map(|count| Verification {
            entries: count,
            head_checked: head.is_some(),
        }))
    }
}

/// The audit entries of reads, committed together. A page that shows personal data
/// needs its read recorded durably before it is sent, and a durable commit per page
/// makes every reader queue for the disk one at a time. Readers here hand their
/// entries to whichever of them commits next (the leader), which appends every entry
/// waiting in one transaction; each reader returns only once the transaction holding
/// its entries has committed, and fails if it did not. Under load one commit serves
/// many pages; alone, a reader commits its own entry at once.
#[derive(Debug, Default)]
pub(crate) struct ReadAudits {
    state: std::sync::Mutex<ReadAuditState>,
    settled: std::sync::Condvar,
}

/// How a batch of entries ended: committed, or why not.
type BatchOutcome = std::sync::Arc<std::sync::OnceLock<Result<(), String>>>;

#[derive(Debug, Default)]
struct ReadAuditState {
    /// Entries no leader has taken yet, and how their batch will end.
    waiting: Vec<AuditEvent>,
    outcome: BatchOutcome,
    /// Whether a leader is committing now.
    leading: bool,
}

impl ReadAudits {
    /// Records `events` in the audit trail, together with any other reader's waiting,
    /// and returns once they are committed.
    pub(crate) fn record(&self, store: &Store, events: Vec<AuditEvent>) -> Result<(), StoreError> {
        if events.is_empty() {
            return Ok(());
        }
        let lock = || {
            self.state
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
        };
        let mut state = lock();
        state.waiting.extend(events);
        let mine = state.outcome.clone();
        loop {
            if let Some(outcome) = mine.get() {
                return outcome.clone().map_err(StoreError::Unavailable);
            }
            if state.leading {
                state = self
                    .settled
                    .wait(state)
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                continue;
            }
            // No one is committing and this reader's entries are still waiting: it
            // commits them, with everyone else's.
            state.leading = true;
            let batch = std::mem::take(&mut state.waiting);
            let leader = Leader {
                audits: self,
                outcome: std::mem::take(&mut state.outcome),
            };
            drop(state);
            let committed = store.write(|_, trail| {
                for event in batch {
                    trail.record(event);
                }
                Ok(())
            });
            let _ = leader
                .outcome
                .set(committed.map_err(|error| error.to_string()));
            drop(leader);
            state = lock();
        }
    }
}

/// The reader committing a batch. However it stops, even by a panic, its batch gets an
/// outcome and the next reader may lead, so no reader waits for ever.
struct Leader<'a> {
    audits: &'a ReadAudits,
    outcome: BatchOutcome,
}

impl Drop for Leader<'_> {
    fn drop(&mut self) {
        let _ = self
            .outcome
            .set(Err("the access could not be recorded".into()));
        let mut state = self
            .audits
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        state.leading = false;
        self.audits.settled.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};

    fn head(sequence: i64) -> ChainHead {
        ChainHead {
            sequence,
            chain_hash: format!("{sequence:064x}"),
        }
    }

    /// Many writers hand heads over at once, in an order unrelated to their sequence,
    /// as committing transactions do. While they do, the file never moves backwards and
    /// always holds a whole head; once they stop, `settle` returns with the newest
    /// head in the file.
    #[test]
    fn heads_handed_over_by_many_writers_end_with_the_newest_in_the_file() {
        let dir = std::env::temp_dir().join(format!(
            "advocase-head-publisher-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("audit-head.json");
        let publisher = HeadPublisher::registered();
        let next = Arc::new(AtomicI64::new(1));
        let stop = Arc::new(AtomicBool::new(false));
        let watcher = {
            let (file, stop) = (file.clone(), Arc::clone(&stop));
            std::thread::spawn(move || {
                let mut seen = 0;
                let mut looks = 0;
                loop {
                    // Asked before the file is read, so that the last look comes after
                    // the writers have settled and always finds the file.
                    let stopping = stop.load(Ordering::SeqCst);
                    if let Some(found) = read_head(&file).expect("a whole head, never a part") {
                        assert!(found.sequence >= seen, "{} after {seen}", found.sequence);
                        assert_eq!(found, head(found.sequence));
                        seen = found.sequence;
                        looks += 1;
                    }
                    if stopping {
                        return looks;
                    }
                }
            })
        };
        let writers: Vec<_> = (0..8)
            .map(|_| {
                let (publisher, next, file) =
                    (Arc::clone(&publisher), Arc::clone(&next), file.clone());
                std::thread::spawn(move || {
                    for _ in 0..150 {
                        let sequence = next.fetch_add(1, Ordering::SeqCst);
                        publisher.publish(Some(&file), head(sequence));
                    }
                })
            })
            .collect();
        for writer in writers {
            writer.join().unwrap();
        }
        publisher.settle();
        let newest = next.load(Ordering::SeqCst) - 1;
        assert_eq!(newest, 8 * 150);
        assert_eq!(read_head(&file).unwrap(), Some(head(newest)));
        stop.store(true, Ordering::SeqCst);
        assert!(watcher.join().unwrap() > 0, "the file was never seen");
        // The turn to write is not stuck with a thread that has stopped: a later head
        // is written too.
        publisher.publish(Some(&file), head(newest + 1));
        publisher.settle();
        assert_eq!(read_head(&file).unwrap(), Some(head(newest + 1)));
        std::fs::remove_dir_all(dir).ok();
    }
}
