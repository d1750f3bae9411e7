//! Identity: accounts, recovery codes, sign-in sessions, API tokens and the sign-in throttle,
//! as the layers above storage see them.
//!
//! Some of these carry secrets (a password hash, a TOTP secret, the hash of a session id, a
//! recovery code or a token). They are kept as text for the services to check, but their
//! `Debug` prints `[redacted]` in their place, so a value logged by mistake never shows one.

use crate::ids::{OrganisationId, PartnershipId, RecoveryCodeId, Timestamp, TokenId, UserId};
use crate::marking::{Clearance, Marking};
use crate::role::Role;
use std::fmt;

crate::keyed_enum! {
    /// How far through signing in a session is.
    pub enum Stage {
        /// Password accepted; the user must enter a code from their authenticator.
        MfaChallenge: "mfa-challenge", "Code needed";
        /// Password accepted; the user's roles need MFA and they must set it up now.
        MfaEnrol: "mfa-enrol", "Two-factor set-up needed";
        /// Fully signed in.
        Complete: "complete", "Signed in";
    }
}

/// What `Debug` prints in place of a secret.
const REDACTED: &str = "[redacted]";

/// What `Debug` prints in place of a secret that may be absent.
fn redacted_opt<T>(secret: &Option<T>) -> Option<&'static str> {
    secret.as_ref().map(|_| REDACTED)
}

/// An account.
#[derive(Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub organisation_id: OrganisationId,
    /// The Argon2id hash of the password (a PHC string).
    pub password_hash: String,
    /// The TOTP secret (base32), once two-factor sign-in is set up.
    pub totp_secret: Option<String>,
    pub mfa_enrolled_at: Option<Timestamp>,
    /// The last TOTP time step accepted, so that no code is used twice.
    pub last_totp_step: Option<i64>,
    pub system_admin: bool,
    /// The highest marking the user may read.
    pub clearance: Marking,
    pub disabled_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl User {
    /// The user's clearance, for deciding what they may read.
    pub fn clearance(&self) -> Clearance {
        Clearance(self.clearance)
    }
}

impl fmt::Debug for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("email", &self.email)
            .field("display_name", &self.display_name)
            .field("organisation_id", &self.organisation_id)
            .field("password_hash", &REDACTED)
            .field("totp_secret", &redacted_opt(&self.totp_secret))
            .field("mfa_enrolled_at", &self.mfa_enrolled_at)
            .field("last_totp_step", &self.last_totp_step)
            .field("system_admin", &self.system_admin)
            .field("clearance", &self.clearance)
            .field("disabled_at", &self.disabled_at)
            .field("created_at", &self.created_at)
            .field("updated_at", &self.updated_at)
            .finish()
    }
}

/// A one-use recovery code for two-factor sign-in, kept only as its SHA-256.
#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryCode {
    pub id: RecoveryCodeId,
    pub user_id: UserId,
    pub code_hash: String,
    pub used_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

impl fmt::Debug for RecoveryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecoveryCode")
            .field("id", &self.id)
            .field("user_id", &self.user_id)
            .field("code_hash", &REDACTED)
            .field("used_at", &self.used_at)
            .field("created_at", &self.created_at)
            .finish()
    }
}

/// A sign-in session, kept under the SHA-256 of its id (the id itself is only in the cookie).
#[derive(Clone, PartialEq, Eq)]
pub struct Session {
    pub id_hash: String,
    pub user_id: UserId,
    pub stage: Stage,
    /// The TOTP secret offered while two-factor sign-in is being set up.
    pub pending_totp_secret: Option<String>,
    pub active_partnership: Option<PartnershipId>,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("id_hash", &REDACTED)
            .field("user_id", &self.user_id)
            .field("stage", &self.stage)
            .field(
                "pending_totp_secret",
                &redacted_opt(&self.pending_totp_secret),
            )
            .field("active_partnership", &self.active_partnership)
            .field("created_at", &self.created_at)
            .field("last_seen_at", &self.last_seen_at)
            .finish()
    }
}

/// A personal access token for the JSON API, kept only as its SHA-256. It acts for one user
/// with one role in one partnership.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: TokenId,
    pub user_id: UserId,
    pub partnership_id: PartnershipId,
    pub role: Role,
    pub name: String,
    pub token_hash: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
    pub last_used_at: Option<Timestamp>,
}

impl fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiToken")
            .field("id", &self.id)
            .field("user_id", &self.user_id)
            .field("partnership_id", &self.partnership_id)
            .field("role", &self.role)
            .field("name", &self.name)
            .field("token_hash", &REDACTED)
            .field("created_at", &self.created_at)
            .field("expires_at", &self.expires_at)
            .field("revoked_at", &self.revoked_at)
            .field("last_used_at", &self.last_used_at)
            .finish()
    }
}

/// A live API token with what deciding a request needs of its account: only found while the
/// account still holds the token's role in the token's partnership.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenIdentity {
    pub token_id: TokenId,
    pub user_id: UserId,
    pub partnership_id: PartnershipId,
    pub role: Role,
    pub expires_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
    pub last_used_at: Option<Timestamp>,
    pub clearance: Marking,
    pub disabled_at: Option<Timestamp>,
}

/// Failed attempts counted under one throttle key in the window that started at
/// `window_start`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThrottleWindow {
    pub key: String,
    pub window_start: Timestamp,
    pub failures: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_a_secret() {
        let user = User {
            id: UserId::new(),
            email: "a@example.org".into(),
            display_name: "A".into(),
            organisation_id: OrganisationId::new(),
            password_hash: "$argon2id$secret-hash".into(),
            totp_secret: Some("TOTPSECRETBASE32".into()),
            mfa_enrolled_at: None,
            last_totp_step: None,
            system_admin: false,
            clearance: Marking::Official,
            disabled_at: None,
            created_at: Timestamp::from_millis(0),
            updated_at: Timestamp::from_millis(0),
        };
        let session = Session {
            id_hash: "session-hash".into(),
            user_id: user.id,
            stage: Stage::MfaEnrol,
            pending_totp_secret: Some("PENDINGSECRET".into()),
            active_partnership: None,
            created_at: Timestamp::from_millis(0),
            last_seen_at: Timestamp::from_millis(0),
        };
        let token = ApiToken {
            id: TokenId::new(),
            user_id: user.id,
            partnership_id: PartnershipId::new(),
            role: Role::Auditor,
            name: "t".into(),
            token_hash: "token-hash".into(),
            created_at: Timestamp::from_millis(0),
            expires_at: Timestamp::from_millis(0),
            revoked_at: None,
            last_used_at: None,
        };
        let code = RecoveryCode {
            id: RecoveryCodeId::new(),
            user_id: user.id,
            code_hash: "code-hash".into(),
            used_at: None,
            created_at: Timestamp::from_millis(0),
        };
        let printed = format!("{user:?} {session:?} {token:?} {code:?}");
        for secret in [
            "secret-hash",
            "TOTPSECRETBASE32",
            "session-hash",
            "PENDINGSECRET",
            "token-hash",
            "code-hash",
        ] {
            assert!(!printed.contains(secret), "{secret} printed: {printed}");
        }
        assert!(printed.contains("a@example.org"));
    }
}
