//! Encrypted values as stored, and where they live. The domain only carries them: it holds no
//! key and offers no way to read the plaintext (the services open them with the case's key).

use crate::PartnershipId;
use std::fmt;

/// The prefix of every sealed value: the format's version.
pub const SEALED_PREFIX: &str = "pk1";

/// An encrypted value as stored: `pk1.<data-key-id>.<base64url(nonce || ciphertext)>`. Holds no
/// plaintext and offers no way to read one here.
#[derive(Clone, PartialEq, Eq)]
pub struct Sealed(String);

/// Why stored text is not a sealed value.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SealedFormatError {
    #[error("an encrypted value must start with `{SEALED_PREFIX}.`")]
    Prefix,
    #[error("an encrypted value must name its key")]
    KeyId,
    #[error("an encrypted value must carry its ciphertext in URL-safe base64")]
    Body,
}

fn key_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-'
}

fn body_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

impl Sealed {
    /// Check the shape of stored text (prefix, key id, body); the ciphertext itself is checked
    /// when it is opened.
    pub fn from_stored(s: String) -> Result<Sealed, SealedFormatError> {
        let mut parts = s.split('.');
        if parts.next() != Some(SEALED_PREFIX) {
            return Err(SealedFormatError::Prefix);
        }
        match parts.next() {
            Some(id) if !id.is_empty() && id.len() <= 64 && id.chars().all(key_id_char) => {}
            _ => return Err(SealedFormatError::KeyId),
        }
        match (parts.next(), parts.next()) {
            (Some(body), None) if !body.is_empty() && body.chars().all(body_char) => {}
            _ => return Err(SealedFormatError::Body),
        }
        Ok(Sealed(s))
    }

    /// Make a sealed value from its parts (the services, after encrypting).
    pub fn from_parts(key_id: &str, body: &str) -> Result<Sealed, SealedFormatError> {
        Self::from_stored(format!("{SEALED_PREFIX}.{key_id}.{body}"))
    }

    /// The text to store.
    pub fn as_stored(&self) -> &str {
        &self.0
    }

    /// The data key it was sealed with.
    pub fn key_id(&self) -> &str {
        self.0.split('.').nth(1).unwrap_or_default()
    }

    /// The nonce and ciphertext, URL-safe base64.
    pub fn body(&self) -> &str {
        self.0.split('.').nth(2).unwrap_or_default()
    }
}

impl fmt::Debug for Sealed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sealed([encrypted])")
    }
}

/// Where a sealed value lives, bound into it as associated data, so that a value copied to
/// another row, column or table no longer opens.
#[derive(Clone, Copy, Debug)]
pub struct FieldPlace<'a> {
    pub table: &'a str,
    pub column: &'a str,
    pub row: &'a str,
}

/// A case's data key, wrapped by a key-encryption key, as stored.
#[derive(Clone, PartialEq, Eq)]
pub struct WrappedKeyRecord {
    /// The record the data key belongs to (a case's id).
    pub owner: String,
    pub partnership: PartnershipId,
    /// The key-encryption key it is wrapped under.
    pub kek_id: String,
    /// The wrapped key (encrypted; never the key itself).
    pub wrapped: String,
}

impl fmt::Debug for WrappedKeyRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WrappedKeyRecord")
            .field("owner", &self.owner)
            .field("partnership", &self.partnership)
            .field("kek_id", &self.kek_id)
            .field("wrapped", &"[encrypted]")
            .finish()
    }
}

crate::keyed_enum! {
    /// The state of a key-encryption key in the key file.
    pub enum KeyState {
        /// New data keys are wrapped under it.
        Active: "active", "Active";
        /// Still unwraps the data keys wrapped under it until they are re-wrapped.
        Retired: "retired", "Retired";
        /// Unwraps nothing.
        Revoked: "revoked", "Revoked";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_text_is_checked_for_shape() {
        let s = Sealed::from_stored("pk1.abc-1.AAAA_-".into()).unwrap();
        assert_eq!(s.key_id(), "abc-1");
        assert_eq!(s.body(), "AAAA_-");
        assert_eq!(s.as_stored(), "pk1.abc-1.AAAA_-");
        for (bad, err) in [
            ("pk2.a.AAAA", SealedFormatError::Prefix),
            ("plain text", SealedFormatError::Prefix),
            ("pk1..AAAA", SealedFormatError::KeyId),
            ("pk1.a b.AAAA", SealedFormatError::KeyId),
            ("pk1.a", SealedFormatError::Body),
            ("pk1.a.", SealedFormatError::Body),
            ("pk1.a.AA+A", SealedFormatError::Body),
            ("pk1.a.AA.AA", SealedFormatError::Body),
        ] {
            assert_eq!(Sealed::from_stored(bad.into()), Err(err), "{bad}");
        }
    }

    #[test]
    fn debug_never_shows_the_text() {
        let s = Sealed::from_stored("pk1.k.SECRETBODY".into()).unwrap();
        assert_eq!(format!("{s:?}"), "Sealed([encrypted])");
        let w = WrappedKeyRecord {
            owner: "o".into(),
            partnership: PartnershipId::new(),
            kek_id: "k".into(),
            wrapped: "WRAPPEDTEXT".into(),
        };
        assert!(!format!("{w:?}").contains("WRAPPEDTEXT"));
    }
}
