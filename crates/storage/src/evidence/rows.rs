//! The evidence table's rows as stored, each decoded once into its domain type. Rows never
//! leave storage.

use crate::column::col;
use crate::decode::time;
use crate::StorageError;
use preventkit_domain::evidence::Evidence;
use sqlx::FromRow;

/// An evidence item: a file (bytes kept in `evidence_files`) or a link.
#[derive(Clone, Debug, FromRow)]
pub(crate) struct EvidenceRow {
    pub id: String,
    pub partnership_id: String,
    pub title: String,
    pub kind: String,
    pub url: Option<String>,
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub size: Option<i64>,
    pub owner_id: String,
    pub marking: String,
    pub review_date: Option<String>,
    pub created_by: String,
    pub created_at: i64,
}

impl TryFrom<EvidenceRow> for Evidence {
    type Error = StorageError;
    fn try_from(r: EvidenceRow) -> Result<Self, StorageError> {
        let c = |name| col("evidence", name);
        Ok(Evidence {
            id: c("id").parse(&r.id)?,
            partnership_id: c("partnership_id").parse(&r.partnership_id)?,
            title: r.title,
            kind: c("kind").parse(&r.kind)?,
            url: r.url,
            file_name: r.file_name,
            content_type: r.content_type,
            size: r.size,
            owner_id: c("owner_id").parse(&r.owner_id)?,
            marking: c("marking").parse(&r.marking)?,
            review_date: r
                .review_date
                .as_deref()
                .map(|d| c("review_date").date(d))
                .transpose()?,
            created_by: c("created_by").parse(&r.created_by)?,
            created_at: time(r.created_at),
        })
    }
}
