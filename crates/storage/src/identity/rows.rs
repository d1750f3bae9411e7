//! The identity tables' rows as stored, each decoded once into its domain type. Rows never
//! leave storage.

use crate::decode::{parse, parse_opt, time, time_opt};
use crate::StorageError;
use preventkit_domain::identity::{
    ApiToken, RecoveryCode, Session, ThrottleWindow, TokenIdentity, User,
};
use sqlx::FromRow;

#[derive(Clone, FromRow)]
pub(crate) struct UserRow {
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

impl TryFrom<UserRow> for User {
    type Error = StorageError;
    fn try_from(r: UserRow) -> Result<Self, StorageError> {
        const T: &str = "users";
        Ok(User {
            id: parse(T, "id", &r.id)?,
            email: r.email,
            display_name: r.display_name,
            organisation_id: parse(T, "organisation_id", &r.organisation_id)?,
            password_hash: r.password_hash,
            totp_secret: r.totp_secret,
            mfa_enrolled_at: time_opt(r.mfa_enrolled_at),
            last_totp_step: r.last_totp_step,
            system_admin: flag(T, "system_admin", r.system_admin)?,
            clearance: parse(T, "clearance", &r.clearance)?,
            disabled_at: time_opt(r.disabled_at),
            created_at: time(r.created_at),
            updated_at: time(r.updated_at),
        })
    }
}

/// A flag stored as 0 or 1.
fn flag(table: &'static str, column: &'static str, value: i64) -> Result<bool, StorageError> {
    match value {
        0 => Ok(false),
        1 => Ok(true),
        _ => Err(StorageError::Corrupt { table, column }),
    }
}

#[derive(Clone, FromRow)]
pub(crate) struct RecoveryCodeRow {
    pub id: String,
    pub user_id: String,
    pub code_hash: String,
    pub used_at: Option<i64>,
    pub created_at: i64,
}

impl TryFrom<RecoveryCodeRow> for RecoveryCode {
    type Error = StorageError;
    fn try_from(r: RecoveryCodeRow) -> Result<Self, StorageError> {
        const T: &str = "recovery_codes";
        Ok(RecoveryCode {
            id: parse(T, "id", &r.id)?,
            user_id: parse(T, "user_id", &r.user_id)?,
            code_hash: r.code_hash,
            used_at: time_opt(r.used_at),
            created_at: time(r.created_at),
        })
    }
}

#[derive(Clone, FromRow)]
pub(crate) struct SessionRow {
    pub id_hash: String,
    pub user_id: String,
    pub stage: String,
    pub pending_totp_secret: Option<String>,
    pub active_partnership_id: Option<String>,
    pub created_at: i64,
    pub last_seen_at: i64,
}

impl TryFrom<SessionRow> for Session {
    type Error = StorageError;
    fn try_from(r: SessionRow) -> Result<Self, StorageError> {
        const T: &str = "sessions";
        Ok(Session {
            id_hash: r.id_hash,
            user_id: parse(T, "user_id", &r.user_id)?,
            stage: parse(T, "stage", &r.stage)?,
            pending_totp_secret: r.pending_totp_secret,
            active_partnership: parse_opt(
                T,
                "active_partnership_id",
                r.active_partnership_id.as_deref(),
            )?,
            created_at: time(r.created_at),
            last_seen_at: time(r.last_seen_at),
        })
    }
}

#[derive(Clone, FromRow)]
pub(crate) struct ApiTokenRow {
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

impl TryFrom<ApiTokenRow> for ApiToken {
    type Error = StorageError;
    fn try_from(r: ApiTokenRow) -> Result<Self, StorageError> {
        const T: &str = "api_tokens";
        Ok(ApiToken {
            id: parse(T, "id", &r.id)?,
            user_id: parse(T, "user_id", &r.user_id)?,
            partnership_id: parse(T, "partnership_id", &r.partnership_id)?,
            role: parse(T, "role", &r.role)?,
            name: r.name,
            token_hash: r.token_hash,
            created_at: time(r.created_at),
            expires_at: time(r.expires_at),
            revoked_at: time_opt(r.revoked_at),
            last_used_at: time_opt(r.last_used_at),
        })
    }
}

#[derive(Clone, Debug, FromRow)]
pub(crate) struct TokenIdentityRow {
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

impl TryFrom<TokenIdentityRow> for TokenIdentity {
    type Error = StorageError;
    fn try_from(r: TokenIdentityRow) -> Result<Self, StorageError> {
        const T: &str = "api_tokens";
        Ok(TokenIdentity {
            token_id: parse(T, "id", &r.token_id)?,
            user_id: parse(T, "user_id", &r.user_id)?,
            partnership_id: parse(T, "partnership_id", &r.partnership_id)?,
            role: parse(T, "role", &r.role)?,
            expires_at: time(r.expires_at),
            revoked_at: time_opt(r.revoked_at),
            last_used_at: time_opt(r.last_used_at),
            clearance: parse("users", "clearance", &r.clearance)?,
            disabled_at: time_opt(r.disabled_at),
        })
    }
}

#[derive(Clone, Debug, FromRow)]
pub(crate) struct ThrottleRow {
    pub key: String,
    pub window_start: i64,
    pub failures: i64,
}

impl From<ThrottleRow> for ThrottleWindow {
    fn from(r: ThrottleRow) -> Self {
        ThrottleWindow {
            key: r.key,
            window_start: time(r.window_start),
            failures: r.failures,
        }
    }
}
