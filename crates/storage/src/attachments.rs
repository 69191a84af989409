//! Documents kept on a case (letters, reports, photos of documents) and, through the
//! same functions, the evidence of a qualification (`storage::workforce`). Each is
//! checked for its type by its first bytes and for its size, sealed with the
//! installation key into the `documents` table under a random name, in the same
//! transaction as the row that names it, and read back only through the rule of what
//! it belongs to: the case's need-to-know rule, or the staff record's.
//!
//! The bytes live in the database rather than beside it so that a document is saved,
//! backed up, exported, moved between backends and destroyed with its record, and every
//! process serving one PostgreSQL database sees the same documents.

use crate::audit::AuditEvent;
use crate::casework::{may_work_on, visible_case};
use crate::schema::{attachments, documents};
use crate::sealing::Keyring;
use crate::{DbConnection, Store, StoreError, now};
use advocase_domain::audit::AuditAction;
use advocase_domain::identity::Actor;
use advocase_domain::validation::Invalid;
use advocase_i18n::msg;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// The largest document accepted, in bytes.
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = attachments)]
pub struct AttachmentRecord {
    pub id: i64,
    pub provider_id: i64,
    pub case_id: i64,
    pub file_name: String,
    pub kind: String,
    pub size_bytes: i64,
    pub stored_as: String,
    pub uploaded_by: i64,
    pub uploaded_at: NaiveDateTime,
}

/// The kinds of document accepted, told by their first bytes rather than by the name
/// or the type the browser claims, with the content type they are served as.
pub fn document_kind(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    if bytes.starts_with(b"%PDF-") {
        Some(("pdf", "application/pdf"))
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(("png", "image/png"))
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(("jpeg", "image/jpeg"))
    } else {
        None
    }
}

/// The content type a stored kind is served as.
pub fn content_type(kind: &str) -> &'static str {
    match kind {
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpeg" => "image/jpeg",
        _ => "application/octet-stream",
    }
}

/// Checks a document before anything is written, naming the field.
pub fn check_document(file_name: &str, bytes: &[u8]) -> Result<&'static str, Invalid> {
    if bytes.is_empty() {
        return Err(Invalid::one("document", msg::DOCUMENT_MISSING));
    }
    if bytes.len() > MAX_ATTACHMENT_BYTES {
        return Err(Invalid::one("document", msg::DOCUMENT_TOO_LARGE));
    }
    if file_name.trim().is_empty() || file_name.chars().count() > 200 {
        return Err(Invalid::one("document", msg::DOCUMENT_NAME_TOO_LONG));
    }
    document_kind(bytes)
        .map(|(kind, _)| kind)
        .ok_or_else(|| Invalid::one("document", msg::DOCUMENT_WRONG_KIND))
}

/// What a stored document's sealed bytes are bound to: its own name, so sealed bytes
/// copied into another document's row do not open.
fn bound_to(stored_as: &str) -> String {
    format!("documents.sealed:{stored_as}")
}

/// Seals a checked document into the `documents` table under a new random name and
/// returns the name, for the caller to write the row that names it in the same
/// transaction: both are saved or neither is. Case documents and qualification evidence
/// are both kept this way.
pub(crate) fn keep_document(
    conn: &mut DbConnection,
    keys: &Keyring,
    bytes: &[u8],
) -> Result<String, StoreError> {
    let stored_as = hex::encode(crate::sealing::random_name());
    store_sealed(conn, keys, &stored_as, bytes)?;
    Ok(stored_as)
}

/// Writes `bytes` sealed under the current key as the document `stored_as`.
fn store_sealed(
    conn: &mut DbConnection,
    keys: &Keyring,
    stored_as: &str,
    bytes: &[u8],
) -> Result<(), StoreError> {
    let (key_id, sealed) = keys.seal_bytes(&bound_to(stored_as), bytes);
    diesel::insert_into(documents::table)
        .values((
            documents::stored_as.eq(stored_as),
            documents::key_id.eq(key_id),
            documents::sealed.eq(sealed),
        ))
        .execute(conn)?;
    Ok(())
}

/// The bytes of a document kept by [`keep_document`], opened. A document whose sealed
/// copy is damaged or missing is an error naming no content.
pub(crate) fn open_document(
    conn: &mut DbConnection,
    keys: &Keyring,
    stored_as: &str,
) -> Result<Vec<u8>, StoreError> {
    let (key_id, sealed): (String, Vec<u8>) = documents::table
        .find(stored_as)
        .select((documents::key_id, documents::sealed))
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::Data("a stored document is missing".into()))?;
    keys.open_bytes(&bound_to(stored_as), &key_id, &sealed)
}

/// Removes the sealed bytes of documents whose rows the caller removes in the same
/// transaction.
pub(crate) fn remove_documents(
    conn: &mut DbConnection,
    stored_as: &[String],
) -> Result<(), StoreError> {
    for names in stored_as.chunks(500) {
        diesel::delete(documents::table.filter(documents::stored_as.eq_any(names)))
            .execute(conn)?;
    }
    Ok(())
}

/// Re-seals under the current key up to `limit` documents sealed under another, in name
/// order after `after`, each guarded by the key it was read under so a document removed
/// or re-sealed meanwhile is left alone. A document that does not open stays as it is:
/// rotation must not hide damage. Returns how many were re-sealed and the last name
/// looked at, or None when there were none left to look at.
pub(crate) fn reseal_documents(
    conn: &mut DbConnection,
    keys: &Keyring,
    after: Option<&str>,
    limit: i64,
) -> Result<(u64, Option<String>), StoreError> {
    let current = keys.current_id();
    let mut query = documents::table
        .filter(documents::key_id.ne(&current))
        .select((documents::stored_as, documents::key_id, documents::sealed))
        .order(documents::stored_as.asc())
        .limit(limit)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(documents::stored_as.gt(after));
    }
    let stale: Vec<(String, String, Vec<u8>)> = query.load(conn)?;
    let last = stale.last().map(|(stored_as, _, _)| stored_as.clone());
    let mut done = 0;
    for (stored_as, key_id, sealed) in stale {
        let plain = match keys.open_bytes(&bound_to(&stored_as), &key_id, &sealed) {
            Ok(plain) => plain,
            Err(error) => {
                tracing::error!(%error, "a stored document could not be opened during rotation");
                continue;
            }
        };
        let (fresh_key, fresh) = keys.seal_bytes(&bound_to(&stored_as), &plain);
        done += diesel::update(
            documents::table
                .filter(documents::stored_as.eq(&stored_as))
                .filter(documents::key_id.eq(&key_id)),
        )
        .set((documents::key_id.eq(fresh_key), documents::sealed.eq(fresh)))
        .execute(conn)? as u64;
    }
    Ok((done, last))
}

impl Store {
    /// The bytes of a stored document, opened. Called after the scoped read that found
    /// and audited its record, not inside it: that read runs in a write transaction,
    /// and opening ten megabytes there would hold every other writer back.
    pub(crate) fn document_bytes(&self, stored_as: &str) -> Result<Vec<u8>, StoreError> {
        let keys = self.keys()?;
        self.read(|conn| open_document(conn, keys, stored_as))
    }

    /// Moves documents an earlier version of Advocase kept as sealed files in the data
    /// folder's `attachments` folder into the `documents` table, one transaction each,
    /// removing each file once its copy is committed; then removes the folder. A file no
    /// row names (left by a crash between sealing it and writing its row) is removed
    /// too. Safe to run at every start: with no folder it does nothing. Returns how many
    /// documents were moved.
    pub fn move_documents_into_database(&self) -> Result<u64, StoreError> {
        let Ok(dir) = self.attachments_dir() else {
            return Ok(0);
        };
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Ok(0);
        };
        let keys = self.keys()?;
        let mut moved = 0;
        for entry in entries {
            let path = entry?.path();
            let Some(name) = path
                .file_name()
                .and_then(|n| n.to_str())
                .map(str::to_string)
            else {
                continue;
            };
            if !path.is_file() {
                continue;
            }
            let named = self.read(|conn| {
                let case_document = attachments::table
                    .filter(attachments::stored_as.eq(&name))
                    .count()
                    .get_result::<i64>(conn)?;
                let evidence = crate::schema::qualification_evidence::table
                    .filter(crate::schema::qualification_evidence::stored_as.eq(&name))
                    .count()
                    .get_result::<i64>(conn)?;
                let kept = documents::table
                    .filter(documents::stored_as.eq(&name))
                    .count()
                    .get_result::<i64>(conn)?;
                Ok((case_document + evidence > 0, kept > 0))
            })?;
            match named {
                (true, false) => {
                    let mut plain = Vec::new();
                    keys.open_into(&path, &mut plain)?;
                    self.write(|conn, _trail| store_sealed(conn, keys, &name, &plain))?;
                    moved += 1;
                }
                (false, _) => tracing::warn!("removing a stored document no record names"),
                (true, true) => {}
            }
            std::fs::remove_file(&path)?;
        }
        // Only an empty folder goes: anything else in it was not put there by Advocase.
        let _ = std::fs::remove_dir(&dir);
        Ok(moved)
    }

    /// Adds a document to a case the actor may work on.
    pub fn add_attachment(
        &self,
        actor: &Actor,
        case_id: i64,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<i64, StoreError> {
        let kind = check_document(file_name, bytes)?;
        let keys = self.keys()?;
        self.write(|conn, trail| {
            let case = visible_case(conn, actor, case_id)?.ok_or(StoreError::NotFound)?;
            if !may_work_on(actor, &case) {
                return Err(StoreError::NotFound);
            }
            let stored_as = keep_document(conn, keys, bytes)?;
            let id: i64 = diesel::insert_into(attachments::table)
                .values((
                    attachments::provider_id.eq(case.provider_id),
                    attachments::case_id.eq(case_id),
                    attachments::file_name.eq(keys.seal("attachments.file_name", file_name.trim())),
                    attachments::kind.eq(kind),
                    attachments::size_bytes.eq(bytes.len() as i64),
                    attachments::stored_as.eq(&stored_as),
                    attachments::uploaded_by.eq(actor.user_id),
                    attachments::uploaded_at.eq(now()),
                ))
                .returning(attachments::id)
                .get_result(conn)?;
            trail.record(AuditEvent::by(
                actor,
                AuditAction::Create,
                "attachment",
                Some(id),
            ));
            Ok(id)
        })
    }

    /// One document of a case the actor may see, opened: its name, kind and bytes.
    /// Audited as a read (or a denied access).
    pub fn attachment(
        &self,
        actor: &Actor,
        attachment_id: i64,
    ) -> Result<(String, String, Vec<u8>), StoreError> {
        let keys = self.keys()?;
        let record = self.read_scoped(actor, "attachment", attachment_id, |conn| {
            let Some(record) = attachments::table
                .find(attachment_id)
                .select(AttachmentRecord::as_select())
                .first(conn)
                .optional()?
            else {
                return Ok(None);
            };
            Ok(visible_case(conn, actor, record.case_id)?.map(|_| record))
        })?;
        let bytes = self.document_bytes(&record.stored_as)?;
        Ok((
            keys.reveal("attachments.file_name", &record.file_name),
            record.kind,
            bytes,
        ))
    }
}
