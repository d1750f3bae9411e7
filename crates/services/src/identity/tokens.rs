//! Personal access tokens for the JSON API.
//!
//! A token is shown once when made and stored only as its SHA-256. It acts for one user in
//! one partnership with one role the user holds, never with platform administration, and
//! stops working when it expires, is revoked, the user is disabled or the role is removed.

use crate::audit::{event, Subject};
use crate::identity::{SessionView, Stage};
use crate::secrets::{random_token, sha256_hex};
use crate::{now_ms, App, RequestContext, ServiceError};
use preventkit_domain::actions::IdentityAction;
use preventkit_domain::audit::Outcome;
use preventkit_domain::identity::ApiToken;
use preventkit_domain::validate::{required_text, ValidationErrors};
use preventkit_domain::{Actor, Clearance, PartnershipId, Role, Timestamp, TokenId, UserId};
use preventkit_storage as store;
use std::str::FromStr;

pub const TOKEN_PREFIX: &str = "pkt_";
const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// What the account page and the API show of a token (never the secret).
#[derive(Clone, Debug, serde::Serialize)]
pub struct TokenSummary {
    pub id: String,
    pub name: String,
    pub partnership_id: String,
    pub role: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
    pub last_used_at: Option<i64>,
}

impl From<ApiToken> for TokenSummary {
    fn from(t: ApiToken) -> Self {
        Self {
            id: t.id.to_string(),
            name: t.name,
            partnership_id: t.partnership_id.to_string(),
            role: t.role.key().to_owned(),
            created_at: t.created_at.millis(),
            expires_at: t.expires_at.millis(),
            revoked_at: t.revoked_at.map(Timestamp::millis),
            last_used_at: t.last_used_at.map(Timestamp::millis),
        }
    }
}

/// A request for a new token, as typed.
#[derive(Clone, Debug, Default)]
pub struct NewToken {
    pub name: String,
    pub partnership_id: String,
    pub role: String,
    pub days: String,
}

/// An actor authenticated by a token.
#[derive(Clone, Debug)]
pub struct TokenActor {
    pub token_id: TokenId,
    pub partnership: PartnershipId,
    pub actor: Actor,
}

impl App {
    /// Make a token for the signed-in user. Answers its id and the secret, shown once.
    pub async fn create_token(
        &self,
        session: &SessionView,
        input: &NewToken,
        ctx: &RequestContext,
    ) -> Result<(TokenId, String), ServiceError> {
        if session.stage != Stage::Complete {
            return Err(ServiceError::Denied(preventkit_domain::Denial::MfaRequired));
        }
        let mut errors = ValidationErrors::new();
        let name = required_text(
            "name",
            "a name for the token",
            &input.name,
            100,
            &mut errors,
        );
        let partnership = PartnershipId::from_str(input.partnership_id.trim()).ok();
        let role = Role::from_key(input.role.trim());
        let max = self.config().token_max_days;
        let days = input
            .days
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|d| (1..=max).contains(d));
        match (partnership, role) {
            (Some(p), Some(r)) => {
                if !session.actor.roles_in(p).any(|held| held == r) {
                    errors.add("role", "Choose a role you hold in that partnership");
                } else if r.requires_mfa() && !session.actor.mfa_verified() {
                    errors.add(
                        "role",
                        "Set up two-factor authentication before making a token for this role",
                    );
                }
            }
            (None, _) => errors.add("partnership_id", "Choose a partnership"),
            (_, None) => errors.add("role", "Choose a role"),
        }
        if days.is_none() {
            errors.add("days", format!("Enter a number of days from 1 to {max}"));
        }
        errors.into_result()?;
        let (Some(partnership), Some(role), Some(days)) = (partnership, role, days) else {
            return Err(ServiceError::Internal("validated input missing".into()));
        };
        let now = now_ms();
        let id = TokenId::new();
        let secret = format!("{TOKEN_PREFIX}{}", random_token(32));
        let mut tx = self.db().write().await?;
        store::identity::tokens::insert(
            &mut tx,
            &ApiToken {
                id,
                user_id: session.user.id,
                partnership_id: partnership,
                role,
                name,
                token_hash: sha256_hex(&secret),
                created_at: Timestamp::from_millis(now),
                expires_at: Timestamp::from_millis(now + days * DAY_MS),
                revoked_at: None,
                last_used_at: None,
            },
        )
        .await?;
        let subject = Subject::Token {
            id: id.to_string(),
            partnership: partnership.to_string(),
        };
        event(
            &mut tx,
            Some(session.user.id),
            ctx,
            IdentityAction::TokenCreated,
            subject,
            Outcome::Success,
        )
        .await?;
        tx.commit().await?;
        Ok((id, secret))
    }

    /// The user's own tokens, newest first.
    pub async fn list_tokens(&self, user: UserId) -> Result<Vec<TokenSummary>, ServiceError> {
        let mut tx = self.db().read().await?;
        let rows = store::identity::tokens::for_user(&mut tx, &user.to_string()).await?;
        tx.commit().await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Revoke one of the user's own tokens. Someone else's token id answers not found.
    pub async fn revoke_token(
        &self,
        user: UserId,
        token: TokenId,
        ctx: &RequestContext,
    ) -> Result<(), ServiceError> {
        let mut tx = self.db().write().await?;
        let rows = store::identity::tokens::for_user(&mut tx, &user.to_string()).await?;
        let Some(row) = rows.into_iter().find(|r| r.id == token) else {
            return Err(ServiceError::NotFound);
        };
        let (id, owner) = (row.id.to_string(), row.user_id.to_string());
        if !store::identity::tokens::revoke(&mut tx, &id, &owner, now_ms()).await? {
            return Err(ServiceError::Conflict(
                "That token was already revoked".into(),
            ));
        }
        let subject = Subject::Token {
            id,
            partnership: row.partnership_id.to_string(),
        };
        event(
            &mut tx,
            Some(user),
            ctx,
            IdentityAction::TokenRevoked,
            subject,
            Outcome::Success,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Resolve a bearer token. `None` for anything not live.
    pub async fn token_actor(&self, secret: &str) -> Result<Option<TokenActor>, ServiceError> {
        if !secret.starts_with(TOKEN_PREFIX) || secret.len() > 200 {
            return Ok(None);
        }
        let now = now_ms();
        // The token, its account and the membership it acts through, in one statement: it is
        // found only while the account still holds the token's role in the partnership.
        let Some(row) =
            store::identity::tokens::identity_by_hash(self.db(), &sha256_hex(secret)).await?
        else {
            return Ok(None);
        };
        if row.revoked_at.is_some() || row.expires_at.millis() <= now || row.disabled_at.is_some() {
            return Ok(None);
        }
        if row.last_used_at.is_none_or(|t| now - t.millis() > 60_000) {
            let mut tx = self.db().write().await?;
            store::identity::tokens::touch(&mut tx, &row.token_id.to_string(), now).await?;
            tx.commit().await?;
        }
        Ok(Some(TokenActor {
            token_id: row.token_id,
            partnership: row.partnership_id,
            actor: crate::identity::actor(preventkit_domain::VerifiedIdentity {
                user_id: row.user_id,
                system_admin: false,
                memberships: vec![(row.partnership_id, row.role)],
                clearance: Clearance(row.clearance),
                mfa_verified: true,
            }),
        }))
    }
}

impl App {
    /// The email and name of an account, for the user themself.
    pub async fn user_names(&self, user: UserId) -> Result<(String, String), ServiceError> {
        let mut tx = self.db().read().await?;
        let row = store::identity::users::get(&mut tx, &user.to_string())
            .await?
            .ok_or(ServiceError::NotFound)?;
        tx.commit().await?;
        Ok((row.email, row.display_name))
    }
}
