//! Evidence for the self-assessment: files and links, each with an owner, a protective
//! marking and a review date. One item can support several questions and carries into the
//! next period. People without clearance for an item's marking see that it exists, never its
//! title, link or file.

use crate::audit::{event, Subject};
use crate::{now_ms, App, RequestContext, ServiceError};

use preventkit_domain::actions::EvidenceAction;
use preventkit_domain::assessment::date_text;
use preventkit_domain::audit::Outcome;
pub use preventkit_domain::dates::DateEntry;
use preventkit_domain::evidence::{Evidence, EvidenceKind};
use preventkit_domain::validate::{self, ValidationErrors};
use preventkit_domain::{
    AssessmentId, EvidenceId, Grant, Marking, Permission, QuestionId, Timestamp, UserId,
};
use preventkit_storage as store;
use std::collections::HashMap;

/// The largest file accepted, in bytes.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

/// File types accepted, by extension: the content type served and a check of the first bytes.
const TYPES: &[(&str, &str, &[u8])] = &[
    ("pdf", "application/pdf", b"%PDF"),
    ("png", "image/png", b"\x89PNG"),
    ("jpg", "image/jpeg", b"\xFF\xD8\xFF"),
    ("jpeg", "image/jpeg", b"\xFF\xD8\xFF"),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        b"PK\x03\x04",
    ),
    (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        b"PK\x03\x04",
    ),
    (
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        b"PK\x03\x04",
    ),
    (
        "odt",
        "application/vnd.oasis.opendocument.text",
        b"PK\x03\x04",
    ),
    (
        "ods",
        "application/vnd.oasis.opendocument.spreadsheet",
        b"PK\x03\x04",
    ),
    ("txt", "text/plain", b""),
    ("csv", "text/csv", b""),
];

/// A new evidence item, as typed.
#[derive(Clone, Debug, Default)]
pub struct NewEvidence {
    pub title: String,
    /// `file` or `link`.
    pub kind: String,
    pub url: String,
    pub marking: String,
    pub review_date: DateEntry,
}

/// An uploaded file.
#[derive(Clone, Debug)]
pub struct Upload {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// An item as the reader may see it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct EvidenceView {
    pub id: String,
    /// False when the item is marked above the reader's clearance: only its marking shows.
    pub visible: bool,
    pub title: Option<String>,
    pub kind: String,
    pub url: Option<String>,
    pub file_name: Option<String>,
    pub size: Option<i64>,
    pub marking: String,
    pub review_date: Option<String>,
    /// Whether its review date has passed.
    pub overdue: bool,
    /// The name of the person who owns the item (who added it), when the reader may see it
    /// and the owner is still a member of the partnership.
    pub owner: Option<String>,
}

/// The partnership's members' names by user id, to name evidence owners.
async fn owner_names(
    tx: &mut preventkit_storage::Tx,
    partnership: &str,
) -> Result<HashMap<UserId, String>, ServiceError> {
    Ok(store::administration::memberships::members_of(
        tx,
        crate::administration::partnership_key(partnership)?,
    )
    .await?
    .into_iter()
    .map(|m| (m.user_id, m.display_name))
    .collect())
}

fn view(
    grant: &Grant,
    e: &Evidence,
    owners: &HashMap<UserId, String>,
    today: time::Date,
) -> EvidenceView {
    let marking = e.marking;
    let visible = grant.may_read_marking(marking);
    EvidenceView {
        id: e.id.to_string(),
        visible,
        title: visible.then(|| e.title.clone()),
        kind: e.kind.key().to_owned(),
        url: if visible { e.url.clone() } else { None },
        file_name: if visible { e.file_name.clone() } else { None },
        size: if visible { e.size } else { None },
        marking: marking.label().to_owned(),
        review_date: e.review_date.map(date_text),
        overdue: e.review_date.is_some_and(|d| d < today),
        owner: if visible {
            owners.get(&e.owner_id).cloned()
        } else {
            None
        },
    }
}

/// A safe file name to keep and to offer back: the last path part, without control
/// characters or quotes, at most 100 characters.
fn clean_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && *c != '"' && *c != ';')
        .take(100)
        .collect();
    if cleaned.trim().is_empty() {
        "evidence".into()
    } else {
        cleaned.trim().to_owned()
    }
}

fn check_file(upload: &Upload, errors: &mut ValidationErrors) -> Option<(String, &'static str)> {
    let name = clean_file_name(&upload.file_name);
    let ext = name.rsplit('.').next().unwrap_or_default().to_lowercase();
    if upload.bytes.is_empty() {
        errors.add("file", "Choose a file to upload");
        return None;
    }
    if upload.bytes.len() > MAX_FILE_BYTES {
        errors.add("file", "The file must be 10 MB or smaller");
        return None;
    }
    let Some((_, content_type, magic)) = TYPES.iter().find(|(e, _, _)| *e == ext) else {
        errors.add("file", "The file must be a PDF, Word, Excel, PowerPoint, OpenDocument, CSV, text, PNG or JPEG file");
        return None;
    };
    let looks_right = if magic.is_empty() {
        std::str::from_utf8(&upload.bytes).is_ok_and(|s| !s.contains('\0'))
    } else {
        upload.bytes.starts_with(magic)
    };
    if !looks_right {
        errors.add("file", format!("The file's content is not a .{ext} file"));
        return None;
    }
    Some((name, content_type))
}

impl App {
    /// Add an evidence item and link it to a question of a draft assessment.
    pub async fn add_evidence(
        &self,
        grant: &Grant,
        assessment_id: &str,
        question_id: &str,
        input: &NewEvidence,
        upload: Option<Upload>,
        ctx: &RequestContext,
    ) -> Result<String, ServiceError> {
        let partnership_id = grant.require_partnership(Permission::AssessmentRespond)?;
        let pid = partnership_id.to_string();
        let aid = assessment_id
            .parse::<AssessmentId>()
            .map_err(|_| ServiceError::NotFound)?;
        let view_a = self.assessment(grant, aid).await?;
        if !view_a.assessment.state.editable() {
            return Err(ServiceError::Conflict(
                "Evidence can be added only while the assessment is a draft".into(),
            ));
        }
        if view_a
            .framework
            .questions()
            .iter()
            .all(|(_, q)| q.id != question_id)
        {
            return Err(ServiceError::NotFound);
        }
        self.ensure_may_answer(grant, aid, &QuestionId::from(question_id))
            .await?;
        let mut errors = ValidationErrors::new();
        let title = validate::required_text(
            "title",
            "a title for the evidence",
            &input.title,
            200,
            &mut errors,
        );
        let marking = Marking::from_key(input.marking.trim());
        match marking {
            None => errors.add("marking", "Choose OFFICIAL or OFFICIAL-SENSITIVE"),
            Some(m) if !grant.may_read_marking(m) => errors.add(
                "marking",
                "You can mark evidence only up to your own clearance",
            ),
            Some(_) => {}
        }
        let review_date = validate::date(
            "review_date",
            "review date",
            &input.review_date,
            false,
            &mut errors,
        );
        let kind = EvidenceKind::from_key(input.kind.trim());
        let (url, file) = match kind {
            Some(EvidenceKind::Link) => {
                let u = input.url.trim();
                if !(u.starts_with("https://") || u.starts_with("http://"))
                    || u.len() > 2000
                    || u.contains(|c: char| c.is_whitespace() || c.is_control())
                {
                    errors.add("url", "Enter a web address starting with https://");
                }
                (Some(u.to_owned()), None)
            }
            Some(EvidenceKind::File) => match &upload {
                Some(up) => (
                    None,
                    check_file(up, &mut errors).map(|(n, t)| (n, t, up.bytes.clone())),
                ),
                None => {
                    errors.add("file", "Choose a file to upload");
                    (None, None)
                }
            },
            None => {
                errors.add("kind", "Choose a file or a link");
                (None, None)
            }
        };
        errors.into_result()?;
        let (Some(marking), Some(kind)) = (marking, kind) else {
            return Err(ServiceError::Internal("validated".into()));
        };
        let evidence_id = EvidenceId::new();
        let id = evidence_id.to_string();
        let item = Evidence {
            id: evidence_id,
            partnership_id,
            title,
            kind,
            url,
            file_name: file.as_ref().map(|(n, _, _)| n.clone()),
            content_type: file.as_ref().map(|(_, t, _)| (*t).to_owned()),
            size: file.as_ref().map(|(_, _, b)| b.len() as i64),
            owner_id: grant.user_id(),
            marking,
            review_date,
            created_by: grant.user_id(),
            created_at: Timestamp::from_millis(now_ms()),
        };
        let mut tx = self.db().write().await?;
        store::evidence::insert(&mut tx, &item, file.map(|(_, _, b)| b)).await?;
        store::evidence::link(&mut tx, &id, assessment_id, question_id).await?;
        event(
            &mut tx,
            Some(grant.user_id()),
            ctx,
            EvidenceAction::Added,
            Subject::Evidence {
                id: id.clone(),
                partnership: pid,
            },
            Outcome::Success,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Link an existing item of the partnership to another question.
    pub async fn link_evidence(
        &self,
        grant: &Grant,
        assessment_id: &str,
        question_id: &str,
        evidence_id: &str,
        ctx: &RequestContext,
    ) -> Result<(), ServiceError> {
        let pid = grant
            .require_partnership(Permission::AssessmentRespond)?
            .to_string();
        let aid = assessment_id
            .parse::<AssessmentId>()
            .map_err(|_| ServiceError::NotFound)?;
        let view_a = self.assessment(grant, aid).await?;
        if !view_a.assessment.state.editable() {
            return Err(ServiceError::Conflict(
                "Evidence can be linked only while the assessment is a draft".into(),
            ));
        }
        if view_a
            .framework
            .questions()
            .iter()
            .all(|(_, q)| q.id != question_id)
        {
            return Err(ServiceError::NotFound);
        }
        self.ensure_may_answer(grant, aid, &QuestionId::from(question_id))
            .await?;
        let mut tx = self.db().write().await?;
        let Some(e) = store::evidence::get(&mut tx, evidence_id.trim(), &pid).await? else {
            // An id that is not this partnership's (or not anyone's) is a refusal: recorded as
            // one, without saying where the id belongs.
            tx.rollback().await?;
            let refusal = self
                .refuse(
                    grant.user_id(),
                    ctx,
                    EvidenceAction::Linked,
                    Subject::Partnership(pid.clone()),
                    preventkit_domain::Denial::NotPermitted,
                )
                .await;
            if !matches!(refusal, ServiceError::Denied(_)) {
                return Err(refusal);
            }
            return Err(ServiceError::field(
                "evidence_id",
                "Choose an evidence item from the list",
            ));
        };
        // Linking is adding: as with an upload, nobody puts an item marked above their own
        // clearance (which they cannot read) behind a question.
        if !grant.may_read_marking(e.marking) {
            tx.rollback().await?;
            let subject = Subject::Evidence {
                id: e.id.to_string(),
                partnership: pid.clone(),
            };
            let refusal = self
                .refuse(
                    grant.user_id(),
                    ctx,
                    EvidenceAction::Linked,
                    subject,
                    preventkit_domain::Denial::AboveClearance,
                )
                .await;
            if !matches!(refusal, ServiceError::Denied(_)) {
                return Err(refusal);
            }
            return Err(ServiceError::field(
                "evidence_id",
                "You can link only evidence marked up to your own clearance",
            ));
        }
        store::evidence::link(&mut tx, &e.id.to_string(), assessment_id, question_id).await?;
        event(
            &mut tx,
            Some(grant.user_id()),
            ctx,
            EvidenceAction::Linked,
            Subject::Evidence {
                id: e.id.to_string(),
                partnership: pid,
            },
            Outcome::Success,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The evidence linked to each question of an assessment, by question id.
    pub async fn assessment_evidence(
        &self,
        grant: &Grant,
        assessment_id: &str,
    ) -> Result<Vec<(String, EvidenceView)>, ServiceError> {
        let today = self.today();
        let aid = assessment_id
            .parse::<AssessmentId>()
            .map_err(|_| ServiceError::NotFound)?;
        let a = self.assessment(grant, aid).await?;
        let mut tx = self.db().read().await?;
        let links = store::evidence::links(&mut tx, assessment_id).await?;
        let all = store::evidence::for_partnership(&mut tx, &a.assessment.partnership.to_string())
            .await?;
        let owners = owner_names(&mut tx, &a.assessment.partnership.to_string()).await?;
        tx.commit().await?;
        Ok(links
            .into_iter()
            .filter_map(|(eid, q)| {
                all.iter()
                    .find(|e| e.id.to_string() == eid)
                    .map(|e| (q, view(grant, e, &owners, today)))
            })
            .collect())
    }

    /// The partnership's evidence the reader is cleared to see (to link to other questions).
    pub async fn partnership_evidence(
        &self,
        grant: &Grant,
    ) -> Result<Vec<EvidenceView>, ServiceError> {
        let today = self.today();
        let pid = grant
            .partnership()
            .ok_or(ServiceError::Denied(preventkit_domain::Denial::WrongScope))?
            .to_string();
        grant.require_read(Permission::AssessmentRead)?;
        let mut tx = self.db().read().await?;
        let all = store::evidence::for_partnership(&mut tx, &pid).await?;
        let owners = owner_names(&mut tx, &pid).await?;
        tx.commit().await?;
        Ok(all
            .iter()
            .map(|e| view(grant, e, &owners, today))
            .filter(|v| v.visible)
            .collect())
    }

    /// A file's name, type and bytes, only for readers cleared for its marking. Every
    /// download is in the audit log.
    pub async fn evidence_file(
        &self,
        grant: &Grant,
        evidence_id: &str,
        ctx: &RequestContext,
    ) -> Result<(String, String, Vec<u8>), ServiceError> {
        let pid = grant
            .require_partnership(Permission::AssessmentRead)?
            .to_string();
        let mut tx = self.db().write().await?;
        let e = store::evidence::get(&mut tx, evidence_id, &pid)
            .await?
            .ok_or(ServiceError::NotFound)?;
        if !grant.may_read_marking(e.marking) {
            event(
                &mut tx,
                Some(grant.user_id()),
                ctx,
                EvidenceAction::Downloaded,
                Subject::Evidence {
                    id: e.id.to_string(),
                    partnership: pid,
                },
                Outcome::Denied,
            )
            .await?;
            tx.commit().await?;
            return Err(ServiceError::Denied(
                preventkit_domain::Denial::AboveClearance,
            ));
        }
        let bytes = store::evidence::bytes(&mut tx, &e.id.to_string())
            .await?
            .ok_or(ServiceError::NotFound)?;
        event(
            &mut tx,
            Some(grant.user_id()),
            ctx,
            EvidenceAction::Downloaded,
            Subject::Evidence {
                id: e.id.to_string(),
                partnership: pid,
            },
            Outcome::Success,
        )
        .await?;
        tx.commit().await?;
        Ok((
            e.file_name.unwrap_or_else(|| "evidence".into()),
            e.content_type
                .unwrap_or_else(|| "application/octet-stream".into()),
            bytes,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_cleaned() {
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name("C:\\a\\b\"c;.pdf"), "bc.pdf");
        assert_eq!(clean_file_name(""), "evidence");
    }

    #[test]
    fn files_must_be_what_they_say() {
        let mut e = ValidationErrors::new();
        let ok = Upload {
            file_name: "plan.pdf".into(),
            bytes: b"%PDF-1.7 ...".to_vec(),
        };
        assert!(check_file(&ok, &mut e).is_some());
        let fake = Upload {
            file_name: "plan.pdf".into(),
            bytes: b"MZ\x90\x00".to_vec(),
        };
        assert!(check_file(&fake, &mut e).is_none());
        let exe = Upload {
            file_name: "run.exe".into(),
            bytes: b"MZ".to_vec(),
        };
        assert!(check_file(&exe, &mut e).is_none());
        assert_eq!(e.0.len(), 2);
    }
}
