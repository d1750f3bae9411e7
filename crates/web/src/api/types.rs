//! The API's request and response bodies. They are written here, apart from the service
//! types, so the public contract changes only on purpose.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn rfc3339(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable code such as `validation_failed`, `not_found`, `forbidden`, `conflict`.
    pub code: String,
    pub message: String,
    /// The first field at fault, for validation errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Every field at fault, for validation errors.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldProblem>,
}

#[derive(Serialize, ToSchema)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub user_id: String,
    pub email: String,
    pub display_name: String,
    pub token_id: String,
    pub partnership_id: String,
    pub role: String,
}

#[derive(Serialize, ToSchema)]
pub struct Organisation {
    pub id: String,
    pub name: String,
    /// One of the organisation type keys, such as `police-force`.
    pub org_type: String,
    pub created_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct Partnership {
    pub id: String,
    pub name: String,
    pub lead_organisation_id: String,
    pub parent_id: Option<String>,
    pub region_id: Option<String>,
    pub organisations: Vec<Organisation>,
    pub created_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct Membership {
    pub id: String,
    pub partnership_id: String,
    pub user_id: String,
    pub role: String,
    pub display_name: String,
    pub email: String,
    pub account_disabled: bool,
    pub created_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct User {
    pub id: String,
    pub email: String,
    pub display_name: String,
    /// The roles this person holds in the partnership.
    pub roles: Vec<String>,
    pub disabled: bool,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMembership {
    /// The email address of the person invited. The answer is the same whether or not an
    /// account with this address exists.
    pub email: String,
    /// A role key, such as `contributor`.
    pub role: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMembership {
    pub role: String,
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: String,
}

#[derive(Serialize, ToSchema)]
pub struct Token {
    pub id: String,
    pub name: String,
    pub partnership_id: String,
    pub role: String,
    pub created_at: String,
    pub expires_at: String,
    pub revoked_at: Option<String>,
    pub last_used_at: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditEvent {
    pub seq: i64,
    pub id: String,
    pub occurred_at: String,
    pub actor_id: Option<String>,
    pub partnership_id: Option<String>,
    pub action: String,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    /// `success`, `failure` or `denied`.
    pub outcome: String,
    pub source: Option<String>,
    pub hash: String,
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// Only actions starting with this, such as `session.` or `membership.create`.
    pub action: Option<String>,
    /// `success`, `failure` or `denied`.
    pub outcome: Option<String>,
    /// Only events by this account id.
    pub actor: Option<String>,
    /// From this date (YYYY-MM-DD, UTC), inclusive.
    pub from: Option<String>,
    /// To this date (YYYY-MM-DD, UTC), inclusive.
    pub to: Option<String>,
    /// Only events older than this sequence number (for paging).
    pub before: Option<i64>,
    /// At most this many events (1 to 500, default 50).
    pub limit: Option<u64>,
}
