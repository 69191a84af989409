//! Documents kept on a case (letters, reports, photos of documents) and, through the
//! same functions, the evidence of a qualification (`storage::workforce`). Each is
//! checked for its type by its first bytes and for its size, sealed with the
//! installation key into the data folder's `attachments` folder under a random name,
//! and read back only through the rule of what it belongs to: the case's need-to-know
//! rule, or the staff record's.

use crate::audit::AuditEvent;
use crate::casework::{may_work_on, visible_case};
use crate::schema::attachments;
use crate::{Store, StoreError, now};
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

impl Store {
    /// Seals a checked document into the attachments folder under a new random name,
    /// then runs `record` with that name to write the row that names it. The file is
    /// sealed before any byte reaches the disk; if the row cannot be written, the file
    /// is removed, so no file is left that no row names. Case documents and
    /// qualification evidence are both kept this way.
    pub(crate) fn keep_document(
        &self,
        bytes: &[u8],
        record: impl FnOnce(&str) -> Result<i64, StoreError>,
    ) -> Result<i64, StoreError> {
        let keys = self.keys()?;
        let dir = self.attachments_dir()?;
        std::fs::create_dir_all(&dir)?;
        let stored_as = hex::encode(crate::sealing::random_name());
        let path = dir.join(&stored_as);
        keys.seal_from(bytes, &path)?;
        let written = record(&stored_as);
        if written.is_err() {
            let _ = std::fs::remove_file(&path);
        }
        written
    }

    /// The bytes of a document kept by [`Store::keep_document`], opened.
    pub(crate) fn open_document(
        &self,
        stored_as: &str,
        size_bytes: i64,
    ) -> Result<Vec<u8>, StoreError> {
        let keys = self.keys()?;
        let mut bytes = Vec::with_capacity(size_bytes.max(0) as usize);
        keys.open_into(&self.attachments_dir()?.join(stored_as), &mut bytes)?;
        Ok(bytes)
    }

    /// Removes the sealed files of documents whose rows are gone. A file already gone
    /// is no error; any other failure is, so that a removal is never reported done
    /// while a file remains.
    pub(crate) fn remove_documents(&self, stored_as: &[String]) -> Result<(), StoreError> {
        if stored_as.is_empty() {
            return Ok(());
        }
        let dir = self.attachments_dir()?;
        for name in stored_as {
            match std::fs::remove_file(dir.join(name)) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
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
        // Refuse before writing anything for a case the actor may not work on.
        self.read(|conn| {
            let case = visible_case(conn, actor, case_id)?.ok_or(StoreError::NotFound)?;
            if may_work_on(actor, &case) {
                Ok(())
            } else {
                Err(StoreError::NotFound)
            }
        })?;
        self.keep_document(bytes, |stored_as| {
            self.write(|conn, trail| {
                let case = visible_case(conn, actor, case_id)?.ok_or(StoreError::NotFound)?;
                if !may_work_on(actor, &case) {
                    return Err(StoreError::NotFound);
                }
                let id: i64 = diesel::insert_into(attachments::table)
                    .values((
                        attachments::provider_id.eq(case.provider_id),
                        attachments::case_id.eq(case_id),
                        attachments::file_name
                            .eq(keys.seal("attachments.file_name", file_name.trim())),
                        attachments::kind.eq(kind),
                        attachments::size_bytes.eq(bytes.len() as i64),
                        attachments::stored_as.eq(stored_as),
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
        let bytes = self.open_document(&record.stored_as, record.size_bytes)?;
        Ok((
            keys.reveal("attachments.file_name", &record.file_name),
            record.kind,
            bytes,
        ))
    }
}
