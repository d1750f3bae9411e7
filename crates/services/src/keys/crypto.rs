//! Data keys, sealing and opening fields, wrapping data keys, and the blind index.

use super::{KeyError, KeyRing};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use preventkit_domain::sealed::{FieldPlace, KeyState, Sealed};
use preventkit_domain::PartnershipId;
use rand::RngCore;
use sha2::Sha256;
use zeroize::{Zeroize, Zeroizing};

const NONCE_LEN: usize = 24;
const FIELD_CONTEXT: &str = "preventkit/v1";
const WRAP_CONTEXT: &str = "preventkit/wrap/v1";
const WRAPPED_PREFIX: &str = "pkw1.";
const INDEX_CONTEXT: &[u8] = b"pk-index/v1";

/// A case's data key in memory. Wiped when dropped; never printed.
pub(crate) struct DataKey {
    id: String,
    pub(super) key: [u8; 32],
}

impl Drop for DataKey {
    fn drop(&mut self) {
        self.key.zeroize();
    }
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DataKey({}, [redacted])", self.id)
    }
}

impl DataKey {
    /// The key's id, as named by every value it seals (the owner's id).
    pub(crate) fn id(&self) -> &str {
        &self.id
    }
}

/// A data key wrapped by a key-encryption key, as stored.
#[derive(Clone, PartialEq, Eq)]
pub struct WrappedKey {
    pub kek_id: String,
    pub stored: String,
}

impl std::fmt::Debug for WrappedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WrappedKey({}, [encrypted])", self.kek_id)
    }
}

pub(crate) fn random<const N: usize>() -> Result<[u8; N], KeyError> {
    let mut bytes = [0u8; N];
    rand::rngs::OsRng
        .try_fill_bytes(&mut bytes)
        .map_err(|_| KeyError::Random)?;
    Ok(bytes)
}

/// Parts joined so that no two lists of parts give the same bytes: each is preceded by its
/// length.
fn associated(parts: &[&str]) -> Vec<u8> {
    let mut out = Vec::new();
    for p in parts {
        out.extend_from_slice(&(p.len() as u64).to_be_bytes());
        out.extend_from_slice(p.as_bytes());
    }
    out
}

fn encrypt(key: &[u8; 32], aad: &[u8], msg: &[u8]) -> Result<String, KeyError> {
    let cipher = XChaCha20Poly1305::new_from_slice(key).map_err(|_| KeyError::Encrypt)?;
    let nonce: [u8; NONCE_LEN] = random()?;
    let ct = cipher
        .encrypt(XNonce::from_slice(&nonce), Payload { msg, aad })
        .map_err(|_| KeyError::Encrypt)?;
    let mut out = Vec::with_capacity(NONCE_LEN + ct.len());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ct);
    Ok(URL_SAFE_NO_PAD.encode(out))
}

fn decrypt(key: &[u8; 32], aad: &[u8], body: &str) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(body)
        .map_err(|_| KeyError::Tampered)?;
    let (nonce, ct) = bytes
        .split_at_checked(NONCE_LEN)
        .ok_or(KeyError::Tampered)?;
    let cipher = XChaCha20Poly1305::new_from_slice(key).map_err(|_| KeyError::Tampered)?;
    cipher
        .decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad })
        .map(Zeroizing::new)
        .map_err(|_| KeyError::Tampered)
}

fn wrap(ring: &KeyRing, owner: &str, dk: &DataKey) -> Result<WrappedKey, KeyError> {
    let kek_id = ring.active_id();
    let kek = ring.secret(kek_id)?;
    let body = encrypt(kek, &associated(&[WRAP_CONTEXT, kek_id, owner]), &dk.key)?;
    Ok(WrappedKey {
        kek_id: kek_id.to_owned(),
        stored: format!("{WRAPPED_PREFIX}{body}"),
    })
}

/// A new random data key for `owner` (a case's id), and the same key wrapped under the
/// active key-encryption key, bound to `owner` and to that key's id so that it cannot be moved
/// to another case.
pub(crate) fn new_data_key(ring: &KeyRing, owner: &str) -> Result<(DataKey, WrappedKey), KeyError> {
    let dk = DataKey {
        id: owner.to_owned(),
        key: random()?,
    };
    let w = wrap(ring, owner, &dk)?;
    Ok((dk, w))
}

/// The data key of `owner` from its wrapped form. Fails for a revoked or unknown
/// key-encryption key, and for a wrapped key that belongs to another owner or was changed.
pub(crate) fn unwrap_key(ring: &KeyRing, owner: &str, w: &WrappedKey) -> Result<DataKey, KeyError> {
    let kek = ring.secret(&w.kek_id)?;
    let body = w
        .stored
        .strip_prefix(WRAPPED_PREFIX)
        .ok_or(KeyError::Tampered)?;
    let plain = decrypt(kek, &associated(&[WRAP_CONTEXT, &w.kek_id, owner]), body)?;
    let key: [u8; 32] = plain
        .as_slice()
        .try_into()
        .map_err(|_| KeyError::Tampered)?;
    Ok(DataKey {
        id: owner.to_owned(),
        key,
    })
}

/// `w` wrapped again under the active key-encryption key; `None` when it already is.
pub(crate) fn rewrap(
    ring: &KeyRing,
    owner: &str,
    w: &WrappedKey,
) -> Result<Option<WrappedKey>, KeyError> {
    if w.kek_id == ring.active_id() {
        return Ok(None);
    }
    let dk = unwrap_key(ring, owner, w)?;
    wrap(ring, owner, &dk).map(Some)
}

fn field_aad(place: FieldPlace<'_>) -> Vec<u8> {
    associated(&[FIELD_CONTEXT, place.table, place.column, place.row])
}

/// Encrypt `plaintext` for the field at `place` with the case's data key.
pub(crate) fn seal(
    dk: &DataKey,
    place: FieldPlace<'_>,
    plaintext: &str,
) -> Result<Sealed, KeyError> {
    let body = encrypt(&dk.key, &field_aad(place), plaintext.as_bytes())?;
    Sealed::from_parts(&dk.id, &body).map_err(|_| KeyError::Encrypt)
}

/// Decrypt a value sealed for the field at `place`. Fails for a value of another case, another
/// place, or one that was changed.
pub(crate) fn open(
    dk: &DataKey,
    place: FieldPlace<'_>,
    sealed: &Sealed,
) -> Result<String, KeyError> {
    if sealed.key_id() != dk.id() {
        return Err(KeyError::Tampered);
    }
    let plain = decrypt(&dk.key, &field_aad(place), sealed.body())?;
    String::from_utf8(plain.to_vec()).map_err(|_| KeyError::Tampered)
}

/// The blind index of a normalised value (such as a name and date of birth) in a partnership:
/// HMAC-SHA256 under the index key, in hex. Equal values in one partnership give equal
/// indexes; the same value in another partnership gives another.
pub fn blind_index(ring: &KeyRing, partnership: PartnershipId, normalised: &str) -> String {
    // HMAC takes a key of any length, so this cannot fail.
    let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(ring.index_key()) else {
        return String::new();
    };
    mac.update(INDEX_CONTEXT);
    mac.update(partnership.0.as_bytes());
    mac.update(normalised.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

impl KeyRing {
    /// The secret of key `id`, if it may be used.
    fn secret(&self, id: &str) -> Result<&[u8; 32], KeyError> {
        let k = self
            .entry(id)
            .ok_or_else(|| KeyError::UnknownKey(id.to_owned()))?;
        match (&k.state, &k.secret) {
            (KeyState::Revoked, _) | (_, None) => Err(KeyError::Revoked(id.to_owned())),
            (_, Some(s)) => Ok(s),
        }
    }
}
