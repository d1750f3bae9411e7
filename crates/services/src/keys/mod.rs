//! Encryption of case data at rest and the keys behind it.
//!
//! Envelope encryption: every case has its own random data key, which seals the case's fields
//! (XChaCha20-Poly1305, with the field's table, column and row as associated data). The data
//! key is stored wrapped (encrypted) under a key-encryption key from the key file, which is
//! configuration and never enters the database. Rotating adds a new active key-encryption key
//! and re-wraps the data keys under it; revoking removes an old one, after which it unwraps
//! nothing. A keyed blind index lets equal people be found without decrypting anyone.
//!
//! - [`ring`]: the key file and the key ring read from it.
//! - [`crypto`]: data keys, sealing and opening fields, wrapping, the blind index.
//! - [`service`]: the data keys in the database, re-wrapping, and what the command line uses.

mod crypto;
mod ring;
mod service;
#[doc(hidden)]
pub mod testing;

pub use crypto::{blind_index, WrappedKey};
pub(crate) use crypto::{new_data_key, open, rewrap, seal, unwrap_key, DataKey};
pub use preventkit_domain::sealed::KeyState;
pub use ring::{KeyInfo, KeyRing, MAX_KEY_FILE_BYTES};
pub use service::RewrapReport;

/// Where the demonstration keeps its key file: `demo.keys` beside the SQLite database file
/// (in the current folder for PostgreSQL), so that its cases stay readable after a restart.
pub fn demo_key_file(database_url: &str) -> std::path::PathBuf {
    let beside = preventkit_storage::sqlite_path(database_url)
        .and_then(|db| std::path::Path::new(&db).parent().map(|p| p.to_path_buf()));
    beside.unwrap_or_default().join("demo.keys")
}

/// Why a key could not be read, made or used. Never carries key material or plaintext.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{path} already exists; choose another file (an existing key file is never overwritten)"
    )]
    Exists { path: String },
    #[error("the key file is larger than {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("the key file is not valid{}: {message}", .line.map(|l| format!(" (line {l})")).unwrap_or_default())]
    Format {
        line: Option<usize>,
        message: String,
    },
    #[error("encryption key {0} is not in the key file")]
    UnknownKey(String),
    #[error("encryption key {0} is revoked and decrypts nothing")]
    Revoked(String),
    #[error("an encrypted value or wrapped key does not open: it was changed, moved or sealed with another key")]
    Tampered,
    #[error("encryption key {0} is the active key and cannot be revoked; rotate first")]
    ActiveCannotBeRevoked(String),
    #[error(
        "encryption key {id} still wraps {count} case keys; run `preventkit keys rewrap` first"
    )]
    InUse { id: String, count: u64 },
    #[error("no encryption key is configured; create one with `preventkit keys create --file PATH` and set PREVENTKIT_KEYS_FILE")]
    NotConfigured,
    #[error("the operating system's random number generator failed")]
    Random,
    #[error("a value could not be encrypted")]
    Encrypt,
}

#[cfg(test)]
mod tests;
