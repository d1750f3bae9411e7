//! Rows as stored. Identifiers are UUID strings, times are milliseconds since the Unix epoch
//! and flags are 0 or 1, so that one decoding serves both engines.

use sqlx::FromRow;

#[derive(Clone, Debug, FromRow, PartialEq, Eq)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub organisation_id: String,
    pub password_hash: String,
    pub totp_secret: Option<String>,
    pub mfa_enrolled_at: Option<i64>,
    pub last_totp_step: Option<i64>,
    pub system_admin: i64,
    pub clearance: String,
    pub disabled_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Clone, Debug, FromRow, PartialEq, Eq)]
pub struct RecoveryCodeRow {
    pub id: String,
    pub user_id: String,
    pub code_hash: String,
    pub used_at: Option<i64>,
    pub created_at: i64,
}

#[derive(Clone, Debug, FromRow, PartialEq, Eq)]
pub struct SessionRow {
    pub id_hash: String,
    pub user_id: String,
    pub stage: String,
    pub pending_totp_secret: Option<String>,
    pub active_partnership_id: Option<String>,
    pub created_at: i64,
    pub last_seen_at: i64,
}

#[derive(Clone, Debug, FromRow, PartialEq, Eq)]
pub struct ApiTokenRow {
    pub id: String,
    pub user_id: String,
    pub partnership_id: String,
    pub role: String,
    pub name: String,
    pub token_hash: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
    pub last_used_at: Option<i64>,
}

/// A live API token with what deciding a request needs of its account: only found while the
/// account still holds the token's role in the token's partnership.
#[derive(Clone, Debug, FromRow, PartialEq, Eq)]
pub struct TokenIdentityRow {
    pub token_id: String,
    pub user_id: String,
    pub partnership_id: String,
    pub role: String,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
    pub last_used_at: Option<i64>,
    pub clearance: String,
    pub disabled_at: Option<i64>,
}

#[derive(Clone, Debug, FromRow, PartialEq, Eq)]
pub struct ThrottleRow {
    pub key: String,
    pub window_start: i64,
    pub failures: i64,
}

#[derive(Clone, Debug, FromRow, PartialEq, Eq)]
pub struct AuditEventRow {
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

impl From<AuditEventRow> for preventkit_domain::audit::AuditEvent {
    fn from(r: AuditEventRow) -> Self {
        Self {
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

/// An evidence item: a file (bytes kept in `evidence_files`) or a link.
#[derive(Clone, Debug, FromRow, PartialEq, Eq)]
pub struct EvidenceRow {
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
