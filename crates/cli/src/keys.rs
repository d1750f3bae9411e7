//! `preventkit keys`: the key file that encrypts case records, and the checks `serve` makes.

use crate::config::Config;
use anyhow::Context as _;
use clap::Subcommand;
use preventkit_services::domain::actions::KeyAction;
use preventkit_services::keys::{demo_key_file, KeyRing};
use preventkit_services::App;
use std::path::{Path, PathBuf};

/// How many data keys one transaction re-wraps.
const REWRAP_BATCH: usize = 100;

/// What to do when case records exist and no key file is configured.
pub const NO_KEY_FILE: &str = "the database holds case records but no encryption key file is \
configured, so they cannot be read. Set PREVENTKIT_KEYS_FILE (or `keys_file` in the \
configuration file) to the key file they were encrypted with. To start a new one, run \
`preventkit keys create --file /path/outside/the/database/keys.toml`; see docs/keys.md.";

#[derive(Subcommand)]
pub enum KeysCommand {
    /// Create a new key file with one active key and an index key; prints the key's id, never
    /// its secret. Never overwrites a file.
    Create {
        #[arg(long)]
        file: PathBuf,
    },
    /// List the keys in the configured key file and how many case keys each one wraps.
    List,
    /// Add a new active key to the configured key file, then re-wrap every case key under it.
    Rotate,
    /// Re-wrap every case key not yet under the active key (finishes an interrupted rotation).
    Rewrap,
    /// Revoke a retired key: it decrypts nothing from then on. Refused while any case key is
    /// still wrapped under it, and for the active key.
    Revoke { id: String },
}

fn configured(cfg: &Config) -> anyhow::Result<&Path> {
    cfg.keys_file.as_deref().context(
        "no key file is configured: set PREVENTKIT_KEYS_FILE (or `keys_file` in the \
         configuration file), or create one with `preventkit keys create --file PATH`",
    )
}

fn load(path: &Path) -> anyhow::Result<KeyRing> {
    KeyRing::load(path).map_err(|e| anyhow::anyhow!("the key file {}: {e}", path.display()))
}

async fn open(cfg: &Config, ring: &KeyRing) -> anyhow::Result<App> {
    Ok(App::open(&cfg.database_url, cfg.security_with(Some(ring.clone()))).await?)
}

async fn rewrap(app: &App) -> anyhow::Result<()> {
    let r = app.rewrap_all(REWRAP_BATCH).await?;
    println!(
        "Re-wrapped {} case keys under the active key in {} batches ({} already done elsewhere).",
        r.rewrapped, r.batches, r.skipped
    );
    Ok(())
}

pub async fn run(command: KeysCommand, cfg: &Config) -> anyhow::Result<()> {
    match command {
        KeysCommand::Create { file } => {
            let ring = KeyRing::create_file(&file)?;
            println!(
                "Created the key file {} with encryption key {} and an index key.",
                file.display(),
                ring.active_id()
            );
            println!(
                "Keep it outside the database, its backups and the repository, and back it up \
                 separately. Set PREVENTKIT_KEYS_FILE={} for every server.",
                file.display()
            );
        }
        KeysCommand::List => {
            let ring = load(configured(cfg)?)?;
            let app = open(cfg, &ring).await?;
            let usage = app.key_usage().await?;
            let count = |id: &str| {
                usage
                    .iter()
                    .find(|(k, _)| k == id)
                    .map(|(_, n)| *n)
                    .unwrap_or(0)
            };
            for k in ring.keys() {
                println!(
                    "{}  created {}  {}  wraps {} case keys",
                    k.id,
                    k.created,
                    k.state.key(),
                    count(&k.id)
                );
            }
            for (id, n) in usage
                .iter()
                .filter(|(id, _)| !ring.keys().iter().any(|k| &k.id == id))
            {
                println!("{id}  not in the key file  wraps {n} case keys (they cannot be read)");
            }
            app.close().await;
        }
        KeysCommand::Rotate => {
            let path = configured(cfg)?;
            let mut ring = load(path)?;
            let id = ring.rotate()?;
            ring.save(path)?;
            println!(
                "Added encryption key {id} to {} as the active key.",
                path.display()
            );
            let app = open(cfg, &ring).await?;
            app.record_key_change(KeyAction::Rotated, &id).await?;
            rewrap(&app).await?;
            println!(
                "Restart every server with the updated key file. Revoke the previous key with \
                 `preventkit keys revoke ID` once `preventkit keys list` shows it wraps nothing."
            );
            app.close().await;
        }
        KeysCommand::Rewrap => {
            let ring = load(configured(cfg)?)?;
            let app = open(cfg, &ring).await?;
            rewrap(&app).await?;
            app.close().await;
        }
        KeysCommand::Revoke { id } => {
            let path = configured(cfg)?;
            let mut ring = load(path)?;
            let app = open(cfg, &ring).await?;
            app.check_revocable(&id).await?;
            ring.revoke(&id)?;
            ring.save(path)?;
            app.record_key_change(KeyAction::Revoked, &id).await?;
            println!(
                "Revoked encryption key {id}: its secret was removed from {}.",
                path.display()
            );
            app.close().await;
        }
    }
    Ok(())
}

/// The demonstration's key ring: `demo.keys` beside its SQLite database, made on first use.
pub fn demo_keys(database_url: &str) -> anyhow::Result<KeyRing> {
    let path = demo_key_file(database_url);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the folder {}", dir.display()))?;
    }
    let ring = if path.exists() {
        load(&path)?
    } else {
        KeyRing::create_file(&path)?
    };
    println!(
        "Demonstration encryption keys: {} (PREVENTKIT_KEYS_FILE is not set).",
        path.display()
    );
    Ok(ring)
}

/// Refuse to serve case records that cannot be read; without any, serve without them.
pub async fn check_before_serving(app: &App) -> anyhow::Result<()> {
    if app.key_ring().is_some() {
        return Ok(());
    }
    if app.has_case_data().await? {
        anyhow::bail!(NO_KEY_FILE);
    }
    tracing::info!(
        "case records are unavailable until an encryption key file is set (PREVENTKIT_KEYS_FILE)"
    );
    Ok(())
}
