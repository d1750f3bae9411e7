//! Configuration: built-in defaults, then an optional TOML file, then environment variables
//! (each later source wins). Every setting is documented in docs/configuration.md.

use preventkit_services::keys::KeyRing;
use preventkit_services::SecurityConfig;
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// `sqlite://path/to/file.db` or `postgres://user@host/db`.
    pub database_url: String,
    /// Address the web server listens on.
    pub listen: String,
    /// Address of the separate Prometheus listener; empty for none.
    pub metrics_listen: String,
    /// The address users reach the service at; https turns on secure cookies.
    pub public_url: String,
    /// Trust `X-Forwarded-For` for the source address (only behind a proxy that sets it).
    pub trust_forwarded_for: bool,
    pub session_idle_minutes: i64,
    pub session_absolute_hours: i64,
    pub token_max_days: i64,
    /// `text` or `json`.
    pub log_format: String,
    /// A tracing filter, such as `info` or `info,preventkit_web=debug`.
    pub log: String,
    /// Fail a page whose template uses a variable it was not given (for development).
    pub strict_templates: bool,
    /// The key file with the keys that encrypt case records (see docs/keys.md). Kept outside
    /// the database and its backups.
    pub keys_file: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: "sqlite://data/preventkit.db".into(),
            listen: "127.0.0.1:8080".into(),
            metrics_listen: String::new(),
            public_url: "http://127.0.0.1:8080".into(),
            trust_forwarded_for: false,
            session_idle_minutes: 30,
            session_absolute_hours: 12,
            token_max_days: 365,
            log_format: "text".into(),
            log: "info,sqlx=warn".into(),
            strict_templates: false,
            keys_file: None,
        }
    }
}

impl Config {
    pub fn load(file: Option<&Path>) -> anyhow::Result<Config> {
        let mut cfg = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
                toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
            }
            None => Config::default(),
        };
        let env = |k: &str| std::env::var(format!("PREVENTKIT_{k}")).ok();
        let int = |k: &str, v: String| -> anyhow::Result<i64> {
            v.parse()
                .map_err(|_| anyhow::anyhow!("PREVENTKIT_{k} must be a whole number"))
        };
        if let Some(v) = env("DATABASE_URL") {
            cfg.database_url = v;
        }
        if let Some(v) = env("LISTEN") {
            cfg.listen = v;
        }
        if let Some(v) = env("METRICS_LISTEN") {
            cfg.metrics_listen = v;
        }
        if let Some(v) = env("PUBLIC_URL") {
            cfg.public_url = v;
        }
        if let Some(v) = env("TRUST_FORWARDED_FOR") {
            cfg.trust_forwarded_for = matches!(v.as_str(), "1" | "true" | "yes");
        }
        if let Some(v) = env("SESSION_IDLE_MINUTES") {
            cfg.session_idle_minutes = int("SESSION_IDLE_MINUTES", v)?;
        }
        if let Some(v) = env("SESSION_ABSOLUTE_HOURS") {
            cfg.session_absolute_hours = int("SESSION_ABSOLUTE_HOURS", v)?;
        }
        if let Some(v) = env("TOKEN_MAX_DAYS") {
            cfg.token_max_days = int("TOKEN_MAX_DAYS", v)?;
        }
        if let Some(v) = env("LOG_FORMAT") {
            cfg.log_format = v;
        }
        if let Some(v) = env("LOG") {
            cfg.log = v;
        }
        if let Some(v) = env("STRICT_TEMPLATES") {
            cfg.strict_templates = matches!(v.as_str(), "1" | "true" | "yes");
        }
        if let Some(v) = env("KEYS_FILE") {
            cfg.keys_file = (!v.is_empty()).then(|| PathBuf::from(v));
        }
        if cfg.session_idle_minutes < 1 || cfg.session_absolute_hours < 1 || cfg.token_max_days < 1
        {
            anyhow::bail!("session and token lifetimes must be at least 1");
        }
        Ok(cfg)
    }

    /// The limits, and the key ring from the key file when one is configured.
    pub fn security(&self) -> anyhow::Result<SecurityConfig> {
        Ok(self.security_with(self.load_keys()?))
    }

    /// The limits, with the key ring given.
    pub fn security_with(&self, keys: Option<KeyRing>) -> SecurityConfig {
        SecurityConfig {
            session_idle_ms: self.session_idle_minutes * 60_000,
            session_absolute_ms: self.session_absolute_hours * 3_600_000,
            token_max_days: self.token_max_days,
            keys,
            ..Default::default()
        }
    }

    /// The key ring from the configured key file, if one is configured.
    pub fn load_keys(&self) -> anyhow::Result<Option<KeyRing>> {
        self.keys_file
            .as_deref()
            .map(|path| {
                KeyRing::load(path)
                    .map_err(|e| anyhow::anyhow!("the key file {}: {e}", path.display()))
            })
            .transpose()
    }

    pub fn web(&self) -> preventkit_web::WebConfig {
        preventkit_web::WebConfig {
            secure_cookies: self.public_url.starts_with("https://"),
            trust_forwarded_for: self.trust_forwarded_for,
            strict_templates: self.strict_templates,
            ..Default::default()
        }
    }
}
