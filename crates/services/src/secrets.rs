//! Random tokens, one-way hashes of tokens, and the server secret.

use crate::ServiceError;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use preventkit_storage::{self as store, Db};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// `n` random bytes from the operating system's generator, URL-safe base64.
pub fn random_token(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// SHA-256 in hex. Used for high-entropy secrets only (session ids, API tokens, recovery
/// codes); passwords use Argon2id.
pub fn sha256_hex(value: &str) -> String {
    hex::encode(Sha256::digest(value.as_bytes()))
}

/// The secret that signs CSRF tokens. Generated once and kept in the database, so every server
/// sharing the database signs alike.
#[derive(Clone)]
pub struct ServerSecret(Vec<u8>);

impl std::fmt::Debug for ServerSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerSecret(..)")
    }
}

const SECRET_KEY: &str = "server-secret";

impl ServerSecret {
    pub(crate) async fn load_or_create(db: &Db) -> Result<Self, ServiceError> {
        let mut tx = db.write().await?;
        store::settings::insert_if_absent(&mut tx, SECRET_KEY, &random_token(32)).await?;
        let value = store::settings::get(&mut tx, SECRET_KEY)
            .await?
            .ok_or_else(|| ServiceError::Internal("server secret missing".into()))?;
        tx.commit().await?;
        Ok(ServerSecret(value.into_bytes()))
    }

    fn mac(&self, purpose: &str, value: &str) -> Result<Hmac<Sha256>, ServiceError> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0)
            .map_err(|_| ServiceError::Internal("bad secret length".into()))?;
        mac.update(purpose.as_bytes());
        mac.update(b"\0");
        mac.update(value.as_bytes());
        Ok(mac)
    }

    /// A signature of `value` for `purpose`, URL-safe base64.
    pub fn sign(&self, purpose: &str, value: &str) -> Result<String, ServiceError> {
        Ok(URL_SAFE_NO_PAD.encode(self.mac(purpose, value)?.finalize().into_bytes()))
    }

    /// Constant-time check of a signature made by [`ServerSecret::sign`].
    pub fn verify(&self, purpose: &str, value: &str, signature: &str) -> bool {
        let Ok(sig) = URL_SAFE_NO_PAD.decode(signature) else {
            return false;
        };
        match self.mac(purpose, value) {
            Ok(mac) => mac.verify_slice(&sig).is_ok(),
            Err(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_only_for_the_same_purpose_and_value() {
        let s = ServerSecret(b"0123456789abcdef0123456789abcdef".to_vec());
        let sig = s.sign("csrf", "abc").expect("sign");
        assert!(s.verify("csrf", "abc", &sig));
        assert!(!s.verify("csrf", "abd", &sig));
        assert!(!s.verify("other", "abc", &sig));
        assert!(!s.verify("csrf", "abc", "not base64!"));
    }

    #[test]
    fn tokens_are_random_and_long() {
        let a = random_token(32);
        assert_eq!(a.len(), 43);
        assert_ne!(a, random_token(32));
    }
}
