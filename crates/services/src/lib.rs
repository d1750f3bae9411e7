//! Use cases of Prevent Toolkit: each opens a transaction, applies the domain's rules, writes
//! the change and its audit event together, and commits.
//!
//! The web layer and the command line call these and nothing below them: this crate re-exports
//! the handle to the database only as an opaque [`App`], and every read or change of partnership
//! data takes a [`Grant`] that only the domain's policy can issue.

#![forbid(unsafe_code)]

// The capabilities, each a module with the same name in every layer crate.
pub mod administration;
pub mod assessment;
pub mod audit;
pub mod channel;
pub mod evidence;
pub mod framework;
pub mod identity;
pub mod keys;
pub mod panel;

// Machinery shared by the capabilities.
pub mod demo;
mod error;
pub mod jobs;
pub mod secrets;
pub mod work;

pub use error::ServiceError;
pub use preventkit_domain as domain;
pub use preventkit_domain::{Actor, Grant};

use preventkit_storage::Db;
use std::sync::Arc;

/// Limits and timeouts that operators may tune.
#[derive(Clone, Debug)]
pub struct SecurityConfig {
    /// A session ends after this long without a request.
    pub session_idle_ms: i64,
    /// A session ends this long after sign-in, however busy.
    pub session_absolute_ms: i64,
    /// The longest life an API token may be given.
    pub token_max_days: i64,
    /// Refusals of anonymous requests are counted per source address over this window and
    /// written as one event (see `audit::AnonymousRefusals`).
    pub anonymous_refusal_window_ms: i64,
    /// The clock that session lifetimes and the sign-in throttle are measured against.
    pub clock: Clock,
    /// The keys that encrypt case records (from the key file). Without them, case records
    /// are unavailable; everything else works.
    pub keys: Option<keys::KeyRing>,
}

/// The system clock, moved on by an offset that only tests change (to see a session or a
/// throttling window run out without waiting). Clones share the offset.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    offset_ms: Arc<std::sync::atomic::AtomicI64>,
}

impl Clock {
    /// Milliseconds since the Unix epoch.
    pub fn now_ms(&self) -> i64 {
        now_ms() + self.offset_ms.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Move this clock and its clones forward, as if `ms` milliseconds had passed.
    pub fn advance(&self, ms: i64) {
        self.offset_ms
            .fetch_add(ms, std::sync::atomic::Ordering::Relaxed);
    }
}

impl Default for SecurityConfig {
    fn default() -> Self {
        Self {
            session_idle_ms: 30 * 60 * 1000,
            session_absolute_ms: 12 * 60 * 60 * 1000,
            token_max_days: 365,
            anonymous_refusal_window_ms: 5 * 60 * 1000,
            clock: Clock::default(),
            keys: None,
        }
    }
}

/// Facts about the request that the audit log records.
#[derive(Clone, Debug, Default)]
pub struct RequestContext {
    /// The source address of the request, or `None` from the command line.
    pub source: Option<String>,
}

impl RequestContext {
    pub fn console() -> Self {
        Self { source: None }
    }
}

/// The application: a database and the server-wide secret used to sign CSRF tokens. Cheap to
/// clone.
#[derive(Clone)]
pub struct App {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    config: SecurityConfig,
    secret: secrets::ServerSecret,
    dummy_hash: String,
    frameworks: framework::FrameworkCache,
    answers: assessment::AnswerWriter,
    anonymous: audit::AnonymousRefusals,
}

impl App {
    /// Connect to the database, apply migrations and load (or create) the server secret.
    pub async fn open(database_url: &str, config: SecurityConfig) -> Result<App, ServiceError> {
        let db = Db::connect(database_url).await?;
        db.migrate().await?;
        Self::with_db(db, config).await
    }

    /// Connect without migrating (for `verify-audit` and other read-only commands).
    pub async fn open_existing(
        database_url: &str,
        config: SecurityConfig,
    ) -> Result<App, ServiceError> {
        let db = Db::connect(database_url).await?;
        if !db.is_migrated().await? {
            return Err(ServiceError::NotMigrated);
        }
        Self::with_db(db, config).await
    }

    async fn with_db(db: Db, config: SecurityConfig) -> Result<App, ServiceError> {
        let secret = secrets::ServerSecret::load_or_create(&db).await?;
        let dummy_hash = identity::hash_password(&secrets::random_token(24))?;
        let answers = assessment::AnswerWriter::start(db.clone());
        let anonymous = audit::AnonymousRefusals::new(config.anonymous_refusal_window_ms);
        Ok(App {
            inner: Arc::new(Inner {
                db,
                config,
                secret,
                dummy_hash,
                frameworks: framework::FrameworkCache::default(),
                answers,
                anonymous,
            }),
        })
    }

    pub(crate) fn db(&self) -> &Db {
        &self.inner.db
    }

    pub fn config(&self) -> &SecurityConfig {
        &self.inner.config
    }

    pub(crate) fn frameworks(&self) -> &framework::FrameworkCache {
        &self.inner.frameworks
    }

    pub(crate) fn answers(&self) -> &assessment::AnswerWriter {
        &self.inner.answers
    }

    pub(crate) fn anonymous(&self) -> &audit::AnonymousRefusals {
        &self.inner.anonymous
    }

    pub(crate) fn dummy_hash(&self) -> &str {
        &self.inner.dummy_hash
    }

    pub(crate) fn secret(&self) -> &secrets::ServerSecret {
        &self.inner.secret
    }

    /// The name of the storage engine in use ("sqlite" or "postgresql").
    pub fn engine_name(&self) -> &'static str {
        self.inner.db.engine().name()
    }

    /// Whether the database answers and its schema is current (for `/readyz`).
    pub async fn ready(&self) -> Result<(), ServiceError> {
        self.inner.db.ping().await?;
        if self.inner.db.is_migrated().await? {
            Ok(())
        } else {
            Err(ServiceError::NotMigrated)
        }
    }

    /// Write a consistent copy of an SQLite database to `target`.
    pub async fn backup(&self, target: &std::path::Path) -> Result<(), ServiceError> {
        Ok(self.inner.db.backup_to(target).await?)
    }

    pub async fn close(&self) {
        if let Err(e) = self.flush_anonymous_refusals(true).await {
            tracing::warn!(error = %e, "could not record the last anonymous refusals");
        }
        self.inner.db.close().await;
    }
}

pub(crate) fn now_ms() -> i64 {
    preventkit_storage::now_ms()
}

/// Put an SQLite backup in place of the database at `database_url` (server stopped). Answers
/// where the replaced file was moved.
pub async fn restore(
    database_url: &str,
    backup: &std::path::Path,
) -> Result<std::path::PathBuf, ServiceError> {
    Ok(preventkit_storage::restore_sqlite(database_url, backup).await?)
}

/// Apply pending migrations to the database at `database_url`; answers the versions applied.
pub async fn migrate(database_url: &str) -> Result<Vec<i64>, ServiceError> {
    let db = Db::connect(database_url).await?;
    let applied = db.migrate().await?;
    db.close().await;
    Ok(applied)
}
