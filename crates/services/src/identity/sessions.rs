//! Signing in and out, the second factor, and turning a session cookie into an [`Actor`].
//!
//! A session id is 32 random bytes; the database keeps only its SHA-256, so a copy of the
//! database cannot be used to ride anyone's session. A new id is issued when the password is
//! accepted and again when the second factor is passed.

use crate::audit::{event, Subject};
use crate::identity::{normalise_recovery_code, totp_matching_step};
use crate::secrets::{random_token, sha256_hex};
use crate::{now_ms, App, RequestContext, ServiceError};
use preventkit_domain::actions::IdentityAction;
use preventkit_domain::administration::Membership;
use preventkit_domain::audit::Outcome;
use preventkit_domain::identity::{Session, ThrottleWindow, User};
use preventkit_domain::validate::normalise_email;
use preventkit_domain::{Actor, PartnershipId, Role, Timestamp, UserId};
use preventkit_storage::identity::tables::{Sessions as S, Users as U};
use preventkit_storage::{self as store, Tx};

pub use preventkit_domain::identity::Stage;

/// A session the browser should now hold.
#[derive(Debug)]
pub struct NewSession {
    /// The secret for the cookie. Never logged, never stored.
    pub token: String,
    pub stage: Stage,
}

/// A user as the pages show them.
#[derive(Clone, Debug)]
pub struct UserSummary {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub mfa_enrolled: bool,
    pub system_admin: bool,
}

/// A live session, resolved from its cookie.
#[derive(Clone, Debug)]
pub struct SessionView {
    /// The session's stored key, used to bind CSRF tokens.
    pub key: String,
    pub stage: Stage,
    pub user: UserSummary,
    pub actor: Actor,
    pub active_partnership: Option<PartnershipId>,
}

/// Failed sign-ins allowed per window before that key is refused until the window ends.
/// An attacker can slow a victim's account, never close it for good: the pair key (account
/// and source address) stops guessing from one place, the address key stops spraying many
/// accounts, and the account-wide key (much higher) stops a slow guess spread over many
/// addresses, while the owner signing in from their own address is refused only for the
/// rest of that window.
const WINDOW_MS: i64 = 15 * 60 * 1000;
const PAIR_LIMIT: i64 = 5;
const ADDRESS_LIMIT: i64 = 30;
const ACCOUNT_LIMIT: i64 = 100;
const MFA_LIMIT: i64 = 5;

fn throttle_keys(email: &str, source: Option<&str>) -> Vec<(String, i64)> {
    let account = sha256_hex(email);
    let source = source.unwrap_or("console");
    vec![
        (
            format!("pair:{}", &sha256_hex(&format!("{account}|{source}"))[..40]),
            PAIR_LIMIT,
        ),
        (format!("addr:{}", &sha256_hex(source)[..40]), ADDRESS_LIMIT),
        (format!("acct:{}", &account[..40]), ACCOUNT_LIMIT),
    ]
}

/// Whether any of the keys has reached its limit. Locks the platform's audit chain head first:
/// checks and counts of attempts then queue one after another across every server (sign-in
/// events belong to that chain, so the transaction would take the lock anyway), and no two
/// attempts read the same count.
async fn throttled(tx: &mut Tx, keys: &[(String, i64)], now: i64) -> Result<bool, ServiceError> {
    store::audit::lock_chain(tx, &preventkit_domain::audit::Chain::Platform).await?;
    for (key, limit) in keys {
        if let Some(row) = store::identity::throttle::get(tx, key).await? {
            if row.window_start.millis() + WINDOW_MS > now && row.failures >= *limit {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

async fn count_failure(tx: &mut Tx, keys: &[(String, i64)], now: i64) -> Result<(), ServiceError> {
    for (key, _) in keys {
        let row = match store::identity::throttle::get(tx, key).await? {
            Some(r) if r.window_start.millis() + WINDOW_MS > now => ThrottleWindow {
                failures: r.failures + 1,
                ..r
            },
            _ => ThrottleWindow {
                key: key.clone(),
                window_start: Timestamp::from_millis(now),
                failures: 1,
            },
        };
        store::identity::throttle::put(tx, &row).await?;
    }
    Ok(())
}

fn needs_mfa(user: &User, memberships: &[Membership]) -> bool {
    user.system_admin || memberships.iter().any(|m| m.role.requires_mfa())
}

impl App {
    /// Check an email address and password. The answer for an unknown address, a wrong
    /// password and a disabled account is the same, and takes the same time.
    pub async fn sign_in(
        &self,
        email: &str,
        password: &str,
        ctx: &RequestContext,
    ) -> Result<NewSession, ServiceError> {
        let email = normalise_email(email);
        let keys = throttle_keys(&email, ctx.source.as_deref());
        let now = self.config().clock.now_ms();

        // Reserve, then settle: in one write transaction (writes are serialised across every
        // server sharing the database) the attempt is checked against the limits and counted
        // as a failure before the password is verified. Guesses sent at once therefore queue
        // for their reservation, and no more than the limit are ever verified in a window; a
        // correct password gives its reservation back afterwards.
        let mut tx = self.db().write().await?;
        let user = store::identity::users::find_by_email(&mut tx, &email).await?;
        if throttled(&mut tx, &keys, now).await? {
            let subject = Subject::User(user.as_ref().map(|u| u.id.to_string()));
            event(
                &mut tx,
                None,
                ctx,
                IdentityAction::SignedIn,
                subject,
                Outcome::Denied,
            )
            .await?;
            tx.commit().await?;
            return Err(ServiceError::Throttled);
        }
        count_failure(&mut tx, &keys, now).await?;
        let memberships = match &user {
            Some(u) => store::administration::memberships::for_user(&mut tx, u.id).await?,
            None => Vec::new(),
        };
        tx.commit().await?;

        // Always run one Argon2 verification, against a dummy hash for unknown addresses.
        let hash = user
            .as_ref()
            .map(|u| u.password_hash.as_str())
            .unwrap_or(self.dummy_hash());
        let password_ok = super::accounts::verify_password(password, hash);
        let user = match user {
            Some(u) if password_ok && u.disabled_at.is_none() => u,
            other => {
                // The failure was counted with the reservation.
                let mut tx = self.db().write().await?;
                let subject = Subject::User(other.map(|u| u.id.to_string()));
                event(
                    &mut tx,
                    None,
                    ctx,
                    IdentityAction::SignedIn,
                    subject,
                    Outcome::Failure,
                )
                .await?;
                tx.commit().await?;
                return Err(ServiceError::InvalidCredentials);
            }
        };

        let stage = if user.mfa_enrolled_at.is_some() {
            Stage::MfaChallenge
        } else if needs_mfa(&user, &memberships) {
            Stage::MfaEnrol
        } else {
            Stage::Complete
        };
        let mut tx = self.db().write().await?;
        // Settle: the pair's count starts again; the address and the account get this
        // attempt's reservation back.
        if let Some((pair, _)) = keys.first() {
            store::identity::throttle::clear(&mut tx, pair).await?;
        }
        for (key, _) in keys.iter().skip(1) {
            store::identity::throttle::give_back(&mut tx, key, now - WINDOW_MS).await?;
        }
        // With one partnership there is nothing to choose: work in it from the start.
        let mut partnerships: Vec<PartnershipId> =
            memberships.iter().map(|m| m.partnership_id).collect();
        partnerships.sort_unstable();
        partnerships.dedup();
        let active = match partnerships.as_slice() {
            [only] => Some(*only),
            _ => None,
        };
        let token = insert_session(&mut tx, user.id, stage, active, now).await?;
        let action = if stage == Stage::Complete {
            IdentityAction::SignedIn
        } else {
            IdentityAction::PasswordAccepted
        };
        let subject = Subject::User(Some(user.id.to_string()));
        event(
            &mut tx,
            Some(user.id),
            ctx,
            action,
            subject,
            Outcome::Success,
        )
        .await?;
        tx.commit().await?;
        Ok(NewSession { token, stage })
    }

    /// Resolve a session cookie. Expired sessions are removed and answer `None`.
    pub async fn session(&self, token: &str) -> Result<Option<SessionView>, ServiceError> {
        let key = sha256_hex(token);
        let now = self.config().clock.now_ms();
        let mut tx = self.db().read().await?;
        let Some(row) = store::identity::sessions::get(&mut tx, &key).await? else {
            return Ok(None);
        };
        let cfg = self.config();
        if row.last_seen_at.millis() + cfg.session_idle_ms < now
            || row.created_at.millis() + cfg.session_absolute_ms < now
        {
            tx.commit().await?;
            let mut tx = self.db().write().await?;
            store::identity::sessions::delete(&mut tx, &key).await?;
            let subject = Subject::User(Some(row.user_id.to_string()));
            let ctx = RequestContext::default();
            event(
                &mut tx,
                Some(row.user_id),
                &ctx,
                IdentityAction::SessionExpired,
                subject,
                Outcome::Success,
            )
            .await?;
            tx.commit().await?;
            return Ok(None);
        }
        let Some(user) = store::identity::users::get(&mut tx, &row.user_id.to_string()).await?
        else {
            return Ok(None);
        };
        if user.disabled_at.is_some() {
            return Ok(None);
        }
        let memberships = store::administration::memberships::for_user(&mut tx, user.id).await?;
        tx.commit().await?;

        // Record activity at most once a minute, to keep reads cheap.
        if now - row.last_seen_at.millis() > 60_000 {
            let mut tx = self.db().write().await?;
            store::identity::sessions::update(&mut tx, &key, vec![(S::LastSeenAt, now.into())])
                .await?;
            tx.commit().await?;
        }
        Ok(Some(build_view(key, &user, &memberships, &row)))
    }

    /// Check a code from the authenticator app, or a recovery code, for a session waiting at
    /// the challenge. On success the session is replaced by a new, complete one.
    pub async fn verify_mfa(
        &self,
        session: &SessionView,
        code: &str,
        ctx: &RequestContext,
    ) -> Result<NewSession, ServiceError> {
        if session.stage != Stage::MfaChallenge {
            return Err(ServiceError::Denied(preventkit_domain::Denial::MfaRequired));
        }
        let now = now_ms();
        let user_id = session.user.id.to_string();
        let mfa_key = format!("mfa:{user_id}");
        let key = vec![(mfa_key.clone(), MFA_LIMIT)];
        let mut tx = self.db().write().await?;
        if throttled(&mut tx, &key, now).await? {
            let subject = Subject::User(Some(user_id.clone()));
            event(
                &mut tx,
                Some(session.user.id),
                ctx,
                IdentityAction::SecondFactorPassed,
                subject,
                Outcome::Denied,
            )
            .await?;
            tx.commit().await?;
            return Err(ServiceError::Throttled);
        }
        let user = store::identity::users::get(&mut tx, &user_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let secret = user.totp_secret.clone().unwrap_or_default();
        let mut ok = false;
        let mut used_recovery = false;
        if let Some(step) = totp_matching_step(&secret, &user.email, code, (now / 1000) as u64)? {
            // A code is good once: the step must be later than the last one used.
            ok = store::identity::users::claim_totp_step(&mut tx, &user_id, step).await?;
        } else if let Some(rc) = normalise_recovery_code(code) {
            let hash = sha256_hex(&rc);
            for row in store::identity::users::unused_recovery_codes(&mut tx, &user_id).await? {
                if row.code_hash == hash {
                    ok = store::identity::users::use_recovery_code(
                        &mut tx,
                        &row.id.to_string(),
                        now,
                    )
                    .await?;
                    used_recovery = ok;
                    break;
                }
            }
        }
        let subject = Subject::User(Some(user_id.clone()));
        if !ok {
            count_failure(&mut tx, &key, now).await?;
            event(
                &mut tx,
                Some(session.user.id),
                ctx,
                IdentityAction::SecondFactorPassed,
                subject,
                Outcome::Failure,
            )
            .await?;
            tx.commit().await?;
            return Err(ServiceError::field(
                "code",
                "The code is not right. Enter the 6-digit code your authenticator app shows now, or a recovery code",
            ));
        }
        store::identity::throttle::clear(&mut tx, &mfa_key).await?;
        let token = complete(&mut tx, session, now).await?;
        let action = if used_recovery {
            IdentityAction::SignedInWithRecoveryCode
        } else {
            IdentityAction::SignedIn
        };
        event(
            &mut tx,
            Some(session.user.id),
            ctx,
            action,
            subject,
            Outcome::Success,
        )
        .await?;
        tx.commit().await?;
        Ok(NewSession {
            token,
            stage: Stage::Complete,
        })
    }

    /// Start (or continue) MFA set-up for a session at the enrolment stage. Answers the
    /// secret (base32) and the `otpauth://` address for the QR code.
    pub async fn begin_enrolment(
        &self,
        session: &SessionView,
    ) -> Result<(String, String), ServiceError> {
        if session.stage != Stage::MfaEnrol {
            return Err(ServiceError::Denied(preventkit_domain::Denial::MfaRequired));
        }
        let mut tx = self.db().write().await?;
        let row = store::identity::sessions::get(&mut tx, &session.key)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let secret = match row.pending_totp_secret {
            Some(s) => s,
            None => {
                let s = super::accounts::new_totp_secret();
                store::identity::sessions::update(
                    &mut tx,
                    &session.key,
                    vec![(S::PendingTotpSecret, s.clone().into())],
                )
                .await?;
                s
            }
        };
        tx.commit().await?;
        let url = super::accounts::totp_url(&secret, &session.user.email)?;
        Ok((secret, url))
    }

    /// Finish MFA set-up with a code from the new authenticator. Answers the new complete
    /// session and the recovery codes, which are shown once.
    pub async fn finish_enrolment(
        &self,
        session: &SessionView,
        code: &str,
        ctx: &RequestContext,
    ) -> Result<(NewSession, Vec<String>), ServiceError> {
        if session.stage != Stage::MfaEnrol {
            return Err(ServiceError::Denied(preventkit_domain::Denial::MfaRequired));
        }
        let now = now_ms();
        let user_id = session.user.id.to_string();
        let mut tx = self.db().write().await?;
        let row = store::identity::sessions::get(&mut tx, &session.key)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let secret = row.pending_totp_secret.ok_or_else(|| {
            ServiceError::field("code", "Scan the QR code again: the set-up has expired")
        })?;
        let subject = Subject::User(Some(user_id.clone()));
        let Some(step) =
            totp_matching_step(&secret, &session.user.email, code, (now / 1000) as u64)?
        else {
            event(
                &mut tx,
                Some(session.user.id),
                ctx,
                IdentityAction::MfaEnrolled,
                subject,
                Outcome::Failure,
            )
            .await?;
            tx.commit().await?;
            return Err(ServiceError::field(
                "code",
                "The code is not right. Enter the 6-digit code your authenticator app shows now",
            ));
        };
        store::identity::users::update(
            &mut tx,
            &user_id,
            now,
            vec![
                (U::TotpSecret, secret.into()),
                (U::MfaEnrolledAt, now.into()),
                (U::LastTotpStep, step.into()),
            ],
        )
        .await?;
        let (codes, rows) = super::accounts::new_recovery_codes(session.user.id, now);
        store::identity::users::replace_recovery_codes(&mut tx, &user_id, &rows).await?;
        let token = complete(&mut tx, session, now).await?;
        event(
            &mut tx,
            Some(session.user.id),
            ctx,
            IdentityAction::MfaEnrolled,
            subject.clone(),
            Outcome::Success,
        )
        .await?;
        event(
            &mut tx,
            Some(session.user.id),
            ctx,
            IdentityAction::SignedIn,
            subject,
            Outcome::Success,
        )
        .await?;
        tx.commit().await?;
        Ok((
            NewSession {
                token,
                stage: Stage::Complete,
            },
            codes,
        ))
    }

    /// End a session on the server.
    pub async fn sign_out(
        &self,
        session: &SessionView,
        ctx: &RequestContext,
    ) -> Result<(), ServiceError> {
        let mut tx = self.db().write().await?;
        store::identity::sessions::delete(&mut tx, &session.key).await?;
        let subject = Subject::User(Some(session.user.id.to_string()));
        event(
            &mut tx,
            Some(session.user.id),
            ctx,
            IdentityAction::SignedOut,
            subject,
            Outcome::Success,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Choose the partnership the pages work in. Only a partnership the user belongs to (or,
    /// for a system administrator, any partnership) can be chosen.
    pub async fn switch_partnership(
        &self,
        session: &SessionView,
        partnership: PartnershipId,
    ) -> Result<(), ServiceError> {
        let member = session.actor.roles_in(partnership).next().is_some();
        let mut tx = self.db().write().await?;
        let exists = store::administration::partnerships::get(&mut tx, partnership)
            .await?
            .is_some();
        if !exists || !(member || session.actor.is_system_admin()) {
            return Err(ServiceError::NotFound);
        }
        store::identity::sessions::update(
            &mut tx,
            &session.key,
            vec![(S::ActivePartnershipId, partnership.to_string().into())],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A CSRF token bound to a session key (or to a pre-sign-in cookie value).
    pub fn csrf_token(&self, binding: &str) -> Result<String, ServiceError> {
        self.secret().sign("csrf", binding)
    }

    /// The CSRF token for the forms of the first page a new session sees (the page is made
    /// while the request still carries the session before it).
    pub fn new_session_csrf_token(&self, new: &NewSession) -> Result<String, ServiceError> {
        self.csrf_token(&sha256_hex(&new.token))
    }

    /// Constant-time check of a CSRF token.
    pub fn csrf_valid(&self, binding: &str, token: &str) -> bool {
        self.secret().verify("csrf", binding, token)
    }

    /// A new value for the cookie that binds CSRF tokens before sign-in: random, and signed
    /// by the server, so that a client cannot choose its own binding (and with it a token
    /// that an attacker planted could be made to match).
    pub fn new_pre_session_value(&self) -> Result<String, ServiceError> {
        let nonce = random_token(32);
        let signature = self.secret().sign("pre-session", &nonce)?;
        Ok(format!("{nonce}.{signature}"))
    }

    /// Whether a pre-sign-in cookie is one this server (or one sharing its secret) made.
    pub fn pre_session_valid(&self, value: &str) -> bool {
        match value.split_once('.') {
            Some((nonce, signature)) if nonce.len() >= 32 && nonce.len() <= 128 => {
                self.secret().verify("pre-session", nonce, signature)
            }
            _ => false,
        }
    }
}

/// Replace a session that has just passed its second factor with a new, complete one in the
/// same partnership; answers the new session's secret.
async fn complete(tx: &mut Tx, session: &SessionView, now: i64) -> Result<String, ServiceError> {
    store::identity::sessions::delete(tx, &session.key).await?;
    insert_session(
        tx,
        session.user.id,
        Stage::Complete,
        session.active_partnership,
        now,
    )
    .await
}

pub(crate) async fn insert_session(
    tx: &mut Tx,
    user_id: UserId,
    stage: Stage,
    active: Option<PartnershipId>,
    now: i64,
) -> Result<String, ServiceError> {
    let token = random_token(32);
    let now = Timestamp::from_millis(now);
    store::identity::sessions::insert(
        tx,
        &Session {
            id_hash: sha256_hex(&token),
            user_id,
            stage,
            pending_totp_secret: None,
            active_partnership: active,
            created_at: now,
            last_seen_at: now,
        },
    )
    .await?;
    Ok(token)
}

pub(crate) fn parse_memberships(rows: &[Membership]) -> Vec<(PartnershipId, Role)> {
    rows.iter().map(|m| (m.partnership_id, m.role)).collect()
}

fn build_view(key: String, user: &User, memberships: &[Membership], row: &Session) -> SessionView {
    let stage = row.stage;
    let actor = crate::identity::actor(preventkit_domain::VerifiedIdentity {
        user_id: user.id,
        system_admin: user.system_admin,
        memberships: parse_memberships(memberships),
        clearance: user.clearance(),
        mfa_verified: stage == Stage::Complete && user.mfa_enrolled_at.is_some(),
    });
    SessionView {
        key,
        stage,
        user: UserSummary {
            id: user.id,
            email: user.email.clone(),
            display_name: user.display_name.clone(),
            mfa_enrolled: user.mfa_enrolled_at.is_some(),
            system_admin: user.system_admin,
        },
        actor,
        active_partnership: row.active_partnership,
    }
}
