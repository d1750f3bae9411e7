//! Evidence for the self-assessment, as the layers above storage see it: a file or a link,
//! with an owner, a protective marking and perhaps a review date.

use crate::ids::{EvidenceId, PartnershipId, Timestamp, UserId};
use crate::marking::Marking;
use time::Date;

crate::keyed_enum! {
    /// What an evidence item is.
    pub enum EvidenceKind {
        /// A file, whose bytes are kept beside the item.
        File: "file", "File";
        /// A web address.
        Link: "link", "Link";
    }
}

/// An evidence item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evidence {
    pub id: EvidenceId,
    pub partnership_id: PartnershipId,
    pub title: String,
    pub kind: EvidenceKind,
    /// The address, for a link.
    pub url: Option<String>,
    /// The file's name, type and size in bytes, for a file.
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub size: Option<i64>,
    pub owner_id: UserId,
    pub marking: Marking,
    pub review_date: Option<Date>,
    pub created_by: UserId,
    pub created_at: Timestamp,
}
