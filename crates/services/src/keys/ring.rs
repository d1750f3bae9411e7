//! The key file and the key ring read from it: the key-encryption keys (one active, others
//! retired or revoked) and the blind-index key.

use super::crypto::random;
use super::KeyError;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use preventkit_domain::sealed::KeyState;
use serde::{Deserialize, Serialize};
use std::io::{Read as _, Write as _};
use std::path::Path;
use zeroize::{Zeroize as _, Zeroizing};

/// The largest key file read: a file with hundreds of keys is far smaller.
pub const MAX_KEY_FILE_BYTES: u64 = 64 * 1024;

const HEADER: &str = "# Prevent Toolkit encryption keys. Keep this file outside the database, its \
backups and the repository.\n# Managed with `preventkit keys`; see docs/keys.md.\n";

/// One key-encryption key.
#[derive(Clone)]
pub(super) struct Kek {
    pub id: String,
    pub created: time::Date,
    pub state: KeyState,
    /// Absent once revoked and removed from the file.
    pub secret: Option<Zeroizing<[u8; 32]>>,
}

/// The key-encryption keys and the blind-index key. Cheap enough to clone; never printed.
#[derive(Clone)]
pub struct KeyRing {
    keks: Vec<Kek>,
    index_key: Zeroizing<[u8; 32]>,
}

/// What may be shown of a key: never its secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyInfo {
    pub id: String,
    pub created: time::Date,
    pub state: KeyState,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyRing")
            .field("keys", &self.keys())
            .field("secrets", &"[redacted]")
            .finish()
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFile {
    index_key: String,
    #[serde(default)]
    keys: Vec<KeyEntry>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyEntry {
    id: String,
    created: String,
    state: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    secret: Option<String>,
}

impl Drop for KeyFile {
    /// The file's text form holds every secret in base64: wiped once parsed or written.
    fn drop(&mut self) {
        self.index_key.zeroize();
        for k in &mut self.keys {
            if let Some(s) = k.secret.as_mut() {
                s.zeroize();
            }
        }
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> KeyError + '_ {
    move |source| KeyError::Io {
        path: path.display().to_string(),
        source,
    }
}

fn format_error(message: impl Into<String>) -> KeyError {
    KeyError::Format {
        line: None,
        message: message.into(),
    }
}

fn secret_from(text: &str, what: &str) -> Result<Zeroizing<[u8; 32]>, KeyError> {
    let bytes = Zeroizing::new(
        STANDARD
            .decode(text.trim())
            .map_err(|_| format_error(format!("{what} is not base64")))?,
    );
    let key: [u8; 32] = bytes
        .as_slice()
        .try_into()
        .map_err(|_| format_error(format!("{what} must be 32 bytes, not {}", bytes.len())))?;
    Ok(Zeroizing::new(key))
}

fn date_text(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

fn today() -> time::Date {
    time::OffsetDateTime::now_utc().date()
}

fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

impl KeyRing {
    /// Parse key file text: exactly one active key, 32-byte secrets, unique ids, no unknown
    /// fields. Errors name the key and field, never a secret.
    pub fn parse(text: &str) -> Result<KeyRing, KeyError> {
        let file: KeyFile = toml::from_str(text).map_err(|e| KeyError::Format {
            line: e
                .span()
                .and_then(|s| text.get(..s.start))
                .map(|before| before.matches('\n').count() + 1),
            message: e.message().to_owned(),
        })?;
        let index_key = secret_from(&file.index_key, "index_key")?;
        let mut keks: Vec<Kek> = Vec::new();
        for e in &file.keys {
            if !valid_id(&e.id) {
                return Err(format_error(format!(
                    "key id `{}` must be letters, digits and hyphens",
                    e.id
                )));
            }
            if keks.iter().any(|k| k.id == e.id) {
                return Err(format_error(format!("key id {} appears twice", e.id)));
            }
            let created =
                preventkit_domain::assessment::parse_date(&e.created).ok_or_else(|| {
                    format_error(format!(
                        "key {}: created must be a date such as 2026-12-07",
                        e.id
                    ))
                })?;
            let state = KeyState::from_key(&e.state).ok_or_else(|| {
                format_error(format!(
                    "key {}: state must be active, retired or revoked",
                    e.id
                ))
            })?;
            let secret = match (&e.secret, state) {
                (Some(s), _) => Some(secret_from(s, &format!("key {}: secret", e.id))?),
                (None, KeyState::Revoked) => None,
                (None, _) => {
                    return Err(format_error(format!(
                        "key {}: secret is missing (only a revoked key may have none)",
                        e.id
                    )))
                }
            };
            keks.push(Kek {
                id: e.id.clone(),
                created,
                state,
                secret,
            });
        }
        match keks.iter().filter(|k| k.state == KeyState::Active).count() {
            1 => Ok(KeyRing { keks, index_key }),
            0 => Err(format_error("no key is active: exactly one must be")),
            n => Err(format_error(format!(
                "{n} keys are active: exactly one must be"
            ))),
        }
    }

    /// Read a key file, refusing one larger than [`MAX_KEY_FILE_BYTES`] before reading it.
    pub fn load(path: &Path) -> Result<KeyRing, KeyError> {
        let file = std::fs::File::open(path).map_err(io(path))?;
        let size = file.metadata().map_err(io(path))?.len();
        if size > MAX_KEY_FILE_BYTES {
            return Err(KeyError::TooLarge {
                limit: MAX_KEY_FILE_BYTES,
            });
        }
        let mut text = Zeroizing::new(String::new());
        file.take(MAX_KEY_FILE_BYTES + 1)
            .read_to_string(&mut text)
            .map_err(io(path))?;
        if text.len() as u64 > MAX_KEY_FILE_BYTES {
            return Err(KeyError::TooLarge {
                limit: MAX_KEY_FILE_BYTES,
            });
        }
        Self::parse(&text)
    }

    /// A ring in memory with one active key and an index key (tests and the demonstration).
    pub fn generate() -> KeyRing {
        Self::try_generate().unwrap_or_else(|_| KeyRing {
            keks: Vec::new(),
            index_key: Zeroizing::new([0; 32]),
        })
    }

    fn try_generate() -> Result<KeyRing, KeyError> {
        let mut ring = KeyRing {
            keks: Vec::new(),
            index_key: Zeroizing::new(random()?),
        };
        ring.add_active()?;
        Ok(ring)
    }

    /// Make a new key file with one active key and an index key. Never overwrites a file.
    pub fn create_file(path: &Path) -> Result<KeyRing, KeyError> {
        let ring = Self::try_generate()?;
        let text = ring.to_text()?;
        let mut file = match new_private_file(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(KeyError::Exists {
                    path: path.display().to_string(),
                })
            }
            Err(e) => return Err(io(path)(e)),
        };
        file.write_all(text.as_bytes()).map_err(io(path))?;
        file.sync_all().map_err(io(path))?;
        Ok(ring)
    }

    /// Write the ring to `path` atomically: a new private file beside it, then a rename.
    pub fn save(&self, path: &Path) -> Result<(), KeyError> {
        let text = self.to_text()?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "keys".into());
        let suffix = hex::encode(random::<6>()?);
        let temp = path.with_file_name(format!(".{name}.{suffix}.tmp"));
        let write = || -> std::io::Result<()> {
            let mut file = new_private_file(&temp)?;
            file.write_all(text.as_bytes())?;
            file.sync_all()?;
            std::fs::rename(&temp, path)
        };
        write().map_err(|e| {
            let _ = std::fs::remove_file(&temp);
            io(path)(e)
        })
    }

    fn to_text(&self) -> Result<Zeroizing<String>, KeyError> {
        let file = KeyFile {
            index_key: STANDARD.encode(self.index_key.as_slice()),
            keys: self
                .keks
                .iter()
                .map(|k| KeyEntry {
                    id: k.id.clone(),
                    created: date_text(k.created),
                    state: k.state.key().to_owned(),
                    secret: k.secret.as_ref().map(|s| STANDARD.encode(s.as_slice())),
                })
                .collect(),
        };
        let body = Zeroizing::new(toml::to_string(&file).map_err(|e| format_error(e.to_string()))?);
        Ok(Zeroizing::new(format!("{HEADER}{}", body.as_str())))
    }

    /// The id of the key new data keys are wrapped under.
    pub fn active_id(&self) -> &str {
        self.keks
            .iter()
            .find(|k| k.state == KeyState::Active)
            .map(|k| k.id.as_str())
            .unwrap_or_default()
    }

    /// Every key-encryption key: id, date made and state.
    pub fn keys(&self) -> Vec<KeyInfo> {
        self.keks
            .iter()
            .map(|k| KeyInfo {
                id: k.id.clone(),
                created: k.created,
                state: k.state,
            })
            .collect()
    }

    pub(super) fn entry(&self, id: &str) -> Option<&Kek> {
        self.keks.iter().find(|k| k.id == id)
    }

    pub(super) fn index_key(&self) -> &[u8; 32] {
        &self.index_key
    }

    fn add_active(&mut self) -> Result<String, KeyError> {
        let id = loop {
            let id = format!(
                "k{}-{}",
                date_text(today()).replace('-', ""),
                hex::encode(random::<2>()?)
            );
            if self.entry(&id).is_none() {
                break id;
            }
        };
        for k in &mut self.keks {
            if k.state == KeyState::Active {
                k.state = KeyState::Retired;
            }
        }
        self.keks.push(Kek {
            id: id.clone(),
            created: today(),
            state: KeyState::Active,
            secret: Some(Zeroizing::new(random()?)),
        });
        Ok(id)
    }

    /// Add a new active key; the previous active key becomes retired (it still unwraps what
    /// it wrapped until that is re-wrapped). Answers the new key's id. The index key is kept.
    pub fn rotate(&mut self) -> Result<String, KeyError> {
        self.add_active()
    }

    /// Revoke key `id`: it unwraps nothing from now on, and its secret is dropped from the
    /// ring (and from the file when saved). The active key cannot be revoked.
    pub fn revoke(&mut self, id: &str) -> Result<(), KeyError> {
        let k = self
            .keks
            .iter_mut()
            .find(|k| k.id == id)
            .ok_or_else(|| KeyError::UnknownKey(id.to_owned()))?;
        if k.state == KeyState::Active {
            return Err(KeyError::ActiveCannotBeRevoked(id.to_owned()));
        }
        k.state = KeyState::Revoked;
        k.secret = None;
        Ok(())
    }
}

/// A new file only the owner may read and write.
fn new_private_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    options.open(path)
}
