//! The audit log's rows as stored. Rows never leave storage: each is decoded into a typed
//! [`AuditEvent`] for reading the log, or taken as its text, an [`AuditRecord`], for
//! verifying it (a hash covers the text exactly as stored).

use crate::decode::{parse, parse_opt, time};
use crate::StorageError;
use preventkit_domain::audit::{AuditEvent, AuditRecord, Chain};
use sqlx::FromRow;

const T: &str = "audit_events";

#[derive(Clone, Debug, FromRow)]
pub(crate) struct AuditEventRow {
    /// Its place among all events, across chains, in the order they were written.
    pub position: i64,
    /// The key of its chain (see `domain::audit::Chain::key`).
    pub chain: String,
    /// Its number within its chain.
    pub seq: i64,
    pub id: String,
    pub occurred_at: i64,
    pub actor_id: Option<String>,
    pub partnership_id: Option<String>,
    pub action: String,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    pub outcome: String,
    pub source: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl TryFrom<AuditEventRow> for AuditEvent {
    type Error = StorageError;
    fn try_from(r: AuditEventRow) -> Result<Self, StorageError> {
        Ok(AuditEvent {
            position: r.position,
            chain: Chain::from_key(&r.chain).ok_or(StorageError::Corrupt {
                table: T,
                column: "chain",
            })?,
            seq: r.seq,
            id: parse(T, "id", &r.id)?,
            occurred_at: time(r.occurred_at),
            actor: parse_opt(T, "actor_id", r.actor_id.as_deref())?,
            partnership: parse_opt(T, "partnership_id", r.partnership_id.as_deref())?,
            action: r.action,
            object_type: r.object_type,
            object_id: r.object_id,
            outcome: parse(T, "outcome", &r.outcome)?,
            source: r.source,
            prev_hash: r.prev_hash,
            hash: r.hash,
        })
    }
}

impl From<AuditEventRow> for AuditRecord {
    fn from(r: AuditEventRow) -> Self {
        AuditRecord {
            chain: r.chain,
            seq: r.seq,
            id: r.id,
            occurred_at: r.occurred_at,
            actor: r.actor_id,
            partnership: r.partnership_id,
            action: r.action,
            object_type: r.object_type,
            object_id: r.object_id,
            outcome: r.outcome,
            source: r.source,
            prev_hash: r.prev_hash,
            hash: r.hash,
        }
    }
}
