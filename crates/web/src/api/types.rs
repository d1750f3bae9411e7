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

/// Every error answer: `error`, and nothing besides.
// `deny_unknown_fields` closes the schema (`additionalProperties: false`), which tells an error
// body apart from a stale edit's; it changes nothing in how the body is written.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// The stable codes of errors. `stale_edit` comes only with a 409 from changing an answer.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    BadRequest,
    Unauthenticated,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Conflict,
    StaleEdit,
    PayloadTooLarge,
    ValidationFailed,
    InvalidCredentials,
    TooManyAttempts,
    Internal,
    Busy,
    /// A case that the caller may open only by exceptional access, which has not been given.
    ExceptionalAccessNeeded,
    /// Case records cannot be read or written until the service has its encryption key.
    CaseRecordsUnavailable,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable code such as `validation_failed`, `not_found`, `forbidden`, `conflict`.
    #[schema(value_type = ErrorCode)]
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

/// A whole number, as JSON Schema counts them: `3` or `3.0` (a number with no fraction), in the
/// range of a 64-bit integer. Anything else is refused as not valid.
pub fn whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let n = serde_json::Number::deserialize(d)?;
    if let Some(i) = n.as_i64() {
        return Ok(i);
    }
    match n.as_f64() {
        // 2^63 is exactly representable; every f64 below it in magnitude fits an i64.
        Some(f)
            if f.fract() == 0.0
                && (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&f) =>
        {
            Ok(f as i64)
        }
        _ => Err(serde::de::Error::custom(format!(
            "invalid value: {n}, expected a whole number"
        ))),
    }
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub user_id: String,
    pub email: String,
    pub display_name: String,
    pub token_id: String,
    pub partnership_id: String,
    #[schema(schema_with = super::openapi::role_key)]
    pub role: String,
}

#[derive(Serialize, ToSchema)]
pub struct Organisation {
    pub id: String,
    pub name: String,
    #[schema(schema_with = super::openapi::organisation_type_key)]
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
    #[schema(schema_with = super::openapi::role_key)]
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
    #[schema(schema_with = super::openapi::email)]
    pub email: String,
    #[schema(schema_with = super::openapi::role_key)]
    pub role: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMembership {
    #[schema(schema_with = super::openapi::role_key)]
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
    #[schema(schema_with = super::openapi::role_key)]
    pub role: String,
    pub created_at: String,
    pub expires_at: String,
    pub revoked_at: Option<String>,
    pub last_used_at: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditEvent {
    /// Its place among all events in the order they were written (give it as `before` to
    /// page back).
    pub position: i64,
    /// The hash chain it belongs to: `partnership:<id>`, or `platform`.
    pub chain: String,
    /// Its number within its chain.
    pub seq: i64,
    pub id: String,
    pub occurred_at: String,
    pub actor_id: Option<String>,
    pub partnership_id: Option<String>,
    /// The action's stable key, such as `membership.delete`.
    pub action: String,
    /// The action in words, such as "Membership removed".
    pub action_label: String,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    #[schema(value_type = Outcome)]
    pub outcome: String,
    pub source: Option<String>,
    pub hash: String,
}

/// What became of an audited request.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Success,
    Failure,
    Denied,
}

/// An outcome to filter by; empty for any.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum OutcomeFilter {
    #[serde(rename = "")]
    Any,
    Success,
    Failure,
    Denied,
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// Only actions starting with this, such as `session.` or `membership.create`.
    pub action: Option<String>,
    #[param(value_type = Option<OutcomeFilter>)]
    pub outcome: Option<String>,
    /// Only events by this account id (a UUID). Empty for anyone.
    #[param(
        pattern = r"^\s*([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[0-9a-fA-F]{32})?\s*$"
    )]
    pub actor: Option<String>,
    /// From this date (YYYY-MM-DD, UTC), inclusive. Empty for no limit.
    #[param(pattern = r"^\s*([0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01]))?\s*$")]
    pub from: Option<String>,
    /// To this date (YYYY-MM-DD, UTC), inclusive. Empty for no limit.
    #[param(pattern = r"^\s*([0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01]))?\s*$")]
    pub to: Option<String>,
    /// Only events written before the one at this position (the `position` of the last event
    /// of the previous page).
    pub before: Option<i64>,
    /// At most this many events: 1 to 500, default 50 (a smaller number counts as 1, a larger
    /// one as 500).
    pub limit: Option<i64>,
}
