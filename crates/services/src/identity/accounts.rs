//! Passwords, second factors and recovery codes.

use crate::audit::{event, Subject};
use crate::identity::{insert_session, SessionView, Stage};
use crate::secrets::{random_token, sha256_hex};
use crate::{now_ms, App, RequestContext, ServiceError};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use preventkit_domain::actions::IdentityAction;
use preventkit_domain::audit::Outcome;
use preventkit_domain::identity::RecoveryCode;
use preventkit_domain::validate::{self, ValidationErrors};
use preventkit_domain::{RecoveryCodeId, Timestamp, UserId};
use preventkit_storage as store;
use preventkit_storage::identity::tables::Users as U;
use totp_rs::{Algorithm, Secret, TOTP};

/// Hash a password with Argon2id (the crate's defaults follow the OWASP recommendation:
/// 19 MiB of memory, two passes, one lane).
pub fn hash_password(password: &str) -> Result<String, ServiceError> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ServiceError::Internal(format!("password hashing failed: {e}")))
}

/// Check a password against a stored hash. A malformed hash never matches.
pub fn verify_password(password: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

const ISSUER: &str = "Prevent Toolkit";
const STEP_SECONDS: u64 = 30;

/// A new TOTP secret, base32.
pub fn new_totp_secret() -> String {
    Secret::generate_secret().to_encoded().to_string()
}

fn totp(secret_b32: &str, account: &str) -> Result<TOTP, ServiceError> {
    let bytes = Secret::Encoded(secret_b32.to_owned())
        .to_bytes()
        .map_err(|_| ServiceError::Internal("stored TOTP secret is not base32".into()))?;
    TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        STEP_SECONDS,
        bytes,
        Some(ISSUER.to_owned()),
        account.to_owned(),
    )
    .map_err(|e| ServiceError::Internal(format!("TOTP set-up failed: {e}")))
}

/// The `otpauth://` address an authenticator app reads from the QR code.
pub fn totp_url(secret_b32: &str, account: &str) -> Result<String, ServiceError> {
    Ok(totp(secret_b32, account)?.get_url())
}

/// The time step a code matches, allowing one step of clock drift either way, or `None`.
pub fn totp_matching_step(
    secret_b32: &str,
    account: &str,
    code: &str,
    now_unix: u64,
) -> Result<Option<i64>, ServiceError> {
    let code = code.trim().replace(' ', "");
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return Ok(None);
    }
    let t = totp(secret_b32, account)?;
    let step = now_unix / STEP_SECONDS;
    for s in [step.saturating_sub(1), step, step + 1] {
        let expected = t.generate(s * STEP_SECONDS);
        if subtle_eq(expected.as_bytes(), code.as_bytes()) {
            return Ok(Some(s as i64));
        }
    }
    Ok(None)
}

/// The current code for a secret (used by the demo instructions and tests).
pub fn totp_code_now(secret_b32: &str) -> Result<String, ServiceError> {
    totp(secret_b32, "demo")?
        .generate_current()
        .map_err(|e| ServiceError::Internal(format!("clock error: {e}")))
}

fn subtle_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

pub const RECOVERY_CODE_COUNT: usize = 10;

/// How long after recovery codes are made they may be downloaded from the page showing them.
pub const RECOVERY_DOWNLOAD_MS: i64 = 15 * 60 * 1000;
const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// A fresh set of recovery codes: the plain codes to show once, and the rows to store.
pub fn new_recovery_codes(user_id: UserId, now: i64) -> (Vec<String>, Vec<RecoveryCode>) {
    use rand::seq::SliceRandom;
    let mut rng = rand::rngs::OsRng;
    let mut plain = Vec::with_capacity(RECOVERY_CODE_COUNT);
    let mut rows = Vec::with_capacity(RECOVERY_CODE_COUNT);
    for _ in 0..RECOVERY_CODE_COUNT {
        // 16 characters from 31 symbols: about 79 bits, so a fast hash is enough.
        let raw: String = (0..16)
            .filter_map(|_| RECOVERY_ALPHABET.choose(&mut rng).map(|&b| char::from(b)))
            .collect();
        let shown = format!(
            "{}-{}-{}-{}",
            &raw[0..4],
            &raw[4..8],
            &raw[8..12],
            &raw[12..16]
        );
        rows.push(RecoveryCode {
            id: RecoveryCodeId::new(),
            user_id,
            code_hash: sha256_hex(&raw),
            used_at: None,
            created_at: Timestamp::from_millis(now),
        });
        plain.push(shown);
    }
    (plain, rows)
}

/// A recovery code as typed, reduced to its 16 characters (dashes, spaces and case ignored).
pub fn normalise_recovery_code(input: &str) -> Option<String> {
    let s: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    (s.len() == 16 && s.bytes().all(|b| RECOVERY_ALPHABET.contains(&b))).then_some(s)
}

/// A random password for accounts created without one (they must be given one before use).
pub fn unusable_password_hash() -> Result<String, ServiceError> {
    hash_password(&random_token(32))
}

impl App {
    /// Change the signed-in user's password. Every other session of theirs ends, and this one
    /// is replaced by a new id, which is answered.
    pub async fn change_password(
        &self,
        session: &SessionView,
        current: &str,
        new: &str,
        confirm: &str,
        ctx: &RequestContext,
    ) -> Result<String, ServiceError> {
        let user_id = session.user.id.to_string();
        let mut tx = self.db().read().await?;
        let user = store::identity::users::get(&mut tx, &user_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        tx.commit().await?;
        let mut errors = ValidationErrors::new();
        if !verify_password(current, &user.password_hash) {
            errors.add("current_password", "Your current password is not right");
        }
        validate::password("new_password", new, &mut errors);
        if new != confirm {
            errors.add("confirm_password", "The two new passwords do not match");
        }
        if errors.is_empty() && current == new {
            errors.add(
                "new_password",
                "Choose a password different from your current one",
            );
        }
        let subject = Subject::User(Some(user_id.clone()));
        if !errors.is_empty() {
            let mut tx = self.db().write().await?;
            event(
                &mut tx,
                Some(session.user.id),
                ctx,
                IdentityAction::PasswordChanged,
                subject,
                Outcome::Failure,
            )
            .await?;
            tx.commit().await?;
            return Err(ServiceError::Validation(errors));
        }
        let hash = hash_password(new)?;
        let now = now_ms();
        let mut tx = self.db().write().await?;
        store::identity::users::update(
            &mut tx,
            &user_id,
            now,
            vec![(U::PasswordHash, hash.into())],
        )
        .await?;
        store::identity::sessions::delete_for_user(&mut tx, &user_id).await?;
        // A changed password may mean the old one leaked: what was issued under it ends too.
        store::identity::tokens::revoke_all_for_user(&mut tx, &user_id, now).await?;
        let token = insert_session(
            &mut tx,
            session.user.id,
            session.stage,
            session.active_partnership,
            now,
        )
        .await?;
        event(
            &mut tx,
            Some(session.user.id),
            ctx,
            IdentityAction::PasswordChanged,
            subject,
            Outcome::Success,
        )
        .await?;
        tx.commit().await?;
        Ok(token)
    }

    /// Replace the signed-in user's recovery codes; the new ones are answered, to show once.
    pub async fn regenerate_recovery_codes(
        &self,
        session: &SessionView,
        ctx: &RequestContext,
    ) -> Result<Vec<String>, ServiceError> {
        if session.stage != Stage::Complete || !session.user.mfa_enrolled {
            return Err(ServiceError::Conflict(
                "Set up two-factor authentication first".into(),
            ));
        }
        let user_id = session.user.id.to_string();
        let (codes, rows) = new_recovery_codes(session.user.id, now_ms());
        let mut tx = self.db().write().await?;
        store::identity::users::replace_recovery_codes(&mut tx, &user_id, &rows).await?;
        event(
            &mut tx,
            Some(session.user.id),
            ctx,
            IdentityAction::RecoveryCodesIssued,
            Subject::User(Some(user_id)),
            Outcome::Success,
        )
        .await?;
        tx.commit().await?;
        Ok(codes)
    }

    /// The signed-in person's recovery codes, for a download, if `codes` (as the recovery
    /// codes page shows them, separated by spaces) are exactly their whole current set, none
    /// of them used yet, made less than [`RECOVERY_DOWNLOAD_MS`] ago. The server keeps only the
    /// codes' hashes, so it can never give the codes out by itself: the page that shows them
    /// sends them back, and this check makes that work only for the person who has just made
    /// them, and only while they are being shown. Anything else is refused, the same way.
    pub async fn recovery_codes_for_download(
        &self,
        session: &SessionView,
        codes: &str,
    ) -> Result<Vec<String>, ServiceError> {
        let refused = || {
            ServiceError::Conflict(
                "These recovery codes can no longer be downloaded. Codes can be downloaded only \
                 from the page that shows them, straight after they are made. If you did not save \
                 them, make new ones from your account page"
                    .into(),
            )
        };
        if session.stage != Stage::Complete {
            return Err(refused());
        }
        let mut given: Vec<String> = Vec::new();
        for c in codes.split_whitespace() {
            given.push(sha256_hex(&normalise_recovery_code(c).ok_or_else(refused)?));
        }
        given.sort();
        given.dedup();
        let mut tx = self.db().read().await?;
        let stored =
            store::identity::users::unused_recovery_codes(&mut tx, &session.user.id.to_string())
                .await?;
        tx.commit().await?;
        let now = self.config().clock.now_ms();
        let fresh = stored
            .iter()
            .all(|r| now - r.created_at.millis() < RECOVERY_DOWNLOAD_MS);
        let mut held: Vec<String> = stored.iter().map(|r| r.code_hash.clone()).collect();
        held.sort();
        if given.len() != RECOVERY_CODE_COUNT || held != given || !fresh {
            return Err(refused());
        }
        Ok(codes.split_whitespace().map(str::to_owned).collect())
    }

    /// How many unused recovery codes the signed-in user has left.
    pub async fn recovery_codes_left(&self, session: &SessionView) -> Result<usize, ServiceError> {
        let mut tx = self.db().read().await?;
        let n =
            store::identity::users::unused_recovery_codes(&mut tx, &session.user.id.to_string())
                .await?
                .len();
        tx.commit().await?;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify() {
        let h = hash_password("a long pass phrase").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("a long pass phrase", &h));
        assert!(!verify_password("a long pass phrasE", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn totp_codes_match_their_step_only() {
        let secret = new_totp_secret();
        let now = 1_800_000_000u64;
        let t = totp(&secret, "a@example.org").expect("totp");
        let code = t.generate(now);
        let step = (now / 30) as i64;
        assert_eq!(
            totp_matching_step(&secret, "a@example.org", &code, now).expect("check"),
            Some(step)
        );
        // Ten minutes later the code is stale.
        assert_eq!(
            totp_matching_step(&secret, "a@example.org", &code, now + 600).expect("check"),
            None
        );
        assert_eq!(
            totp_matching_step(&secret, "a@example.org", "12345", now).expect("check"),
            None
        );
    }

    #[test]
    fn recovery_codes_normalise() {
        let (plain, rows) = new_recovery_codes(UserId::new(), 0);
        assert_eq!(plain.len(), RECOVERY_CODE_COUNT);
        let n = normalise_recovery_code(&plain[0].to_uppercase()).expect("valid");
        assert_eq!(sha256_hex(&n), rows[0].code_hash);
        assert_eq!(normalise_recovery_code("short"), None);
    }
}
