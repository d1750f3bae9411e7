//! `preventkit`: the one binary. Serves the web application and API, and administers the
//! platform from the command line.

#![forbid(unsafe_code)]

mod config;
mod keys;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use config::Config;
use preventkit_services::administration::{NewMember, NewOrganisation, NewPartnership, NewUser};
use preventkit_services::domain::policy::decide;
use preventkit_services::domain::{Actor, Permission, Scope};
use preventkit_services::{App, RequestContext, ServiceError};
use std::io::BufRead as _;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "preventkit",
    version,
    about = "Prevent Toolkit: delivering the Prevent duty in one system"
)]
struct Cli {
    /// A TOML configuration file (settings in PREVENTKIT_* environment variables win over it).
    #[arg(long, global = true, env = "PREVENTKIT_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web application and API (applies migrations first).
    Serve {
        /// Load the demonstration partnership and accounts first (if not loaded yet).
        #[arg(long)]
        demo: bool,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Load the demonstration partnership and accounts, and print how to sign in.
    Demo,
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage partnerships.
    #[command(subcommand)]
    Partnership(PartnershipCommand),
    /// Manage organisations.
    #[command(subcommand)]
    Organisation(OrganisationCommand),
    /// Work with assessment framework files.
    #[command(subcommand)]
    Framework(FrameworkCommand),
    /// Check every audit chain (each partnership's and the platform's) and report the first
    /// broken link in each; exits non-zero if any chain is broken.
    VerifyAudit {
        /// Print the report as JSON: every chain with its events checked and its first break.
        #[arg(long)]
        json: bool,
    },
    /// Write a consistent snapshot of the SQLite database to FILE while it is in use.
    Backup { file: PathBuf },
    /// Replace the SQLite database with the snapshot in FILE (stop the server first).
    Restore { file: PathBuf },
    /// Manage the keys that encrypt case records: create, list, rotate, re-wrap, revoke.
    #[command(subcommand)]
    Keys(keys::KeysCommand),
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account. The first password is read from standard input, or generated and
    /// printed once.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// The organisation's id or exact name.
        #[arg(long)]
        organisation: String,
        /// Make the account a system administrator.
        #[arg(long)]
        system_admin: bool,
        /// `official` or `official-sensitive`.
        #[arg(long, default_value = "official")]
        clearance: String,
        /// Read the first password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Remove an account's second factor; they set it up again at next sign-in.
    ResetMfa {
        #[arg(long)]
        email: String,
    },
    /// Disable an account: its sessions end and its API tokens are revoked.
    Disable {
        #[arg(long)]
        email: String,
    },
    /// Re-enable a disabled account.
    Enable {
        #[arg(long)]
        email: String,
    },
    /// Set the highest protective marking an account may read.
    Clearance {
        #[arg(long)]
        email: String,
        /// `official` or `official-sensitive`.
        #[arg(long)]
        level: String,
    },
    /// List accounts.
    List,
}

#[derive(Subcommand)]
enum PartnershipCommand {
    /// Create a partnership led by a local authority.
    Create {
        #[arg(long)]
        name: String,
        /// The lead local authority's id or exact name.
        #[arg(long)]
        lead: String,
    },
    /// List partnerships.
    List,
    /// Give an existing account a role in a partnership.
    AddMember {
        /// The partnership's id or exact name.
        #[arg(long)]
        partnership: String,
        #[arg(long)]
        email: String,
        /// A role key, such as `administrator` or `prevent-lead`.
        #[arg(long)]
        role: String,
    },
}

#[derive(Subcommand)]
enum FrameworkCommand {
    /// Check framework files (format, references, ids) and mappings between them; report
    /// every problem with its file, place and fix.
    Check {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Import a framework file as a new version (a published version never changes).
    Import { file: PathBuf },
    /// List the framework versions available.
    List,
}

#[derive(Subcommand)]
enum OrganisationCommand {
    /// Create an organisation.
    Create {
        #[arg(long)]
        name: String,
        /// A type key, such as `local-authority-unitary` or `police-force`.
        #[arg(long = "type")]
        org_type: String,
    },
    /// List organisations.
    List,
}

fn init_logging(cfg: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_new(&cfg.log)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if cfg.log_format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let cfg = match Config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(2);
        }
    };
    init_logging(&cfg);
    match run(cli.command, cfg).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn print_demo(summary: &preventkit_services::demo::DemoSummary, url: &str) {
    println!();
    println!(
        "Demonstration data: {} ({})",
        summary.partnership,
        if summary.created {
            "loaded now"
        } else {
            "already loaded"
        }
    );
    println!(
        "Sign in at {url}/sign-in with any of these accounts; every password is: {}",
        preventkit_services::demo::DEMO_PASSWORD
    );
    for a in &summary.accounts {
        let mfa = if a.needs_mfa {
            " (sets up two-factor authentication at first sign-in)"
        } else {
            ""
        };
        println!("  {:<32} {}{}", a.email, a.role, mfa);
    }
    println!("Two-factor set-up shows a QR code and a key for any authenticator app (or `oathtool --totp -b KEY`).");
    println!("Demonstration data only: never use these accounts with real information.");
    println!();
}

fn console_grant(p: Permission, scope: Scope) -> Result<preventkit_services::Grant, ServiceError> {
    Ok(decide(&Actor::console(), p, scope)?)
}

async fn resolve_org(app: &App, key: &str) -> anyhow::Result<String> {
    let g = console_grant(Permission::OrganisationRead, Scope::Platform)?;
    let orgs = app.list_organisations(&g).await?;
    orgs.into_iter()
        .find(|o| o.id.to_string() == key || o.name == key)
        .map(|o| o.id.to_string())
        .with_context(|| format!("no organisation has the id or name '{key}'"))
}

async fn resolve_partnership(
    app: &App,
    key: &str,
) -> anyhow::Result<preventkit_services::domain::PartnershipId> {
    let g = console_grant(Permission::PartnershipManage, Scope::Platform)?;
    let all = app.list_all_partnerships(&g).await?;
    let p = all
        .into_iter()
        .find(|p| p.id.to_string() == key || p.name == key)
        .with_context(|| format!("no partnership has the id or name '{key}'"))?;
    Ok(p.id)
}

fn report(e: ServiceError) -> anyhow::Error {
    match e {
        ServiceError::Validation(v) if v.0.iter().all(|f| f.field == "file") => {
            anyhow::anyhow!(
                "{}",
                v.0.iter()
                    .map(|f| f.message.clone())
                    .collect::<Vec<_>>()
                    .join("\n")
            )
        }
        ServiceError::Validation(v) => {
            // Name the command-line option that carries each field.
            let option = |field: &str| match field {
                "org_type" => "type".to_owned(),
                "display_name" => "name".to_owned(),
                "organisation_id" => "organisation".to_owned(),
                "lead_organisation_id" => "lead".to_owned(),
                other => other.replace('_', "-"),
            };
            let lines: Vec<String> =
                v.0.iter()
                    .map(|f| format!("  --{}: {}", option(&f.field), f.message))
                    .collect();
            anyhow::anyhow!("the input was not accepted:\n{}", lines.join("\n"))
        }
        other => anyhow::anyhow!(other),
    }
}

async fn run(command: Command, cfg: Config) -> anyhow::Result<ExitCode> {
    let ctx = RequestContext::console();
    match command {
        Command::Serve { demo } => {
            let mut security = cfg.security()?;
            if demo && security.keys.is_none() {
                security.keys = Some(keys::demo_keys(&cfg.database_url)?);
            }
            let app = App::open(&cfg.database_url, security).await?;
            tracing::info!(engine = app.engine_name(), "database ready");
            keys::check_before_serving(&app).await?;
            // The shipped assessment frameworks are always available; importing them again
            // is a no-op.
            let installed = app.install_shipped_frameworks().await.map_err(report)?;
            tracing::info!(frameworks = installed.len(), "shipped frameworks ready");
            if demo {
                let s = app.load_demo().await.map_err(report)?;
                print_demo(&s, &cfg.public_url);
            }
            serve(app, &cfg).await?;
        }
        Command::Migrate => {
            let applied = preventkit_services::migrate(&cfg.database_url).await?;
            if applied.is_empty() {
                println!("The database schema is up to date.");
            } else {
                println!("Applied migrations: {applied:?}");
            }
        }
        Command::Demo => {
            let app = App::open(&cfg.database_url, cfg.security()?).await?;
            let s = app.load_demo().await.map_err(report)?;
            print_demo(&s, &cfg.public_url);
        }
        Command::User(u) => {
            let app = App::open(&cfg.database_url, cfg.security()?).await?;
            let g = console_grant(Permission::UserManage, Scope::Platform)?;
            match u {
                UserCommand::Create {
                    email,
                    name,
                    organisation,
                    system_admin,
                    clearance,
                    password_stdin,
                } => {
                    let organisation_id = resolve_org(&app, &organisation).await?;
                    let (password, generated) = if password_stdin {
                        let mut line = String::new();
                        std::io::stdin().lock().read_line(&mut line)?;
                        (line.trim_end_matches(['\r', '\n']).to_owned(), false)
                    } else {
                        (preventkit_services::secrets::random_token(15), true)
                    };
                    let input = NewUser {
                        email,
                        display_name: name,
                        organisation_id,
                        password: password.clone(),
                        clearance,
                        system_admin,
                    };
                    let id = app.create_user(&g, &input, &ctx).await.map_err(report)?;
                    println!("Created account {id}.");
                    if generated {
                        println!("First password (shown once): {password}");
                    }
                }
                UserCommand::ResetMfa { email } => {
                    let user = app.find_user_by_email(&g, &email).await.map_err(report)?;
                    app.reset_mfa(&g, user.id.parse()?, &ctx)
                        .await
                        .map_err(report)?;
                    println!("Two-factor authentication was reset; the person sets it up again at next sign-in.");
                }
                UserCommand::Disable { email } => {
                    let user = app.find_user_by_email(&g, &email).await.map_err(report)?;
                    app.set_user_disabled(&g, user.id.parse()?, true, &ctx)
                        .await
                        .map_err(report)?;
                    println!(
                        "The account was disabled; its sessions ended and its tokens were revoked."
                    );
                }
                UserCommand::Enable { email } => {
                    let user = app.find_user_by_email(&g, &email).await.map_err(report)?;
                    app.set_user_disabled(&g, user.id.parse()?, false, &ctx)
                        .await
                        .map_err(report)?;
                    println!("The account was enabled.");
                }
                UserCommand::Clearance { email, level } => {
                    let user = app.find_user_by_email(&g, &email).await.map_err(report)?;
                    app.set_user_clearance(&g, user.id.parse()?, &level, &ctx)
                        .await
                        .map_err(report)?;
                    println!("The clearance was set.");
                }
                UserCommand::List => {
                    for u in app.list_users(&g).await? {
                        let flags = format!(
                            "{}{}{}",
                            if u.system_admin { " system-admin" } else { "" },
                            if u.mfa_enrolled { " mfa" } else { "" },
                            if u.disabled { " disabled" } else { "" }
                        );
                        println!("{}  {}  {}{}", u.id, u.email, u.display_name, flags);
                    }
                }
            }
        }
        Command::Partnership(p) => {
            let app = App::open(&cfg.database_url, cfg.security()?).await?;
            match p {
                PartnershipCommand::Create { name, lead } => {
                    let g = console_grant(Permission::PartnershipManage, Scope::Platform)?;
                    let lead_organisation_id = resolve_org(&app, &lead).await?;
                    let input = NewPartnership {
                        name,
                        lead_organisation_id,
                        ..Default::default()
                    };
                    let id = app
                        .create_partnership(&g, &input, &ctx)
                        .await
                        .map_err(report)?;
                    println!("Created partnership {id}.");
                }
                PartnershipCommand::List => {
                    let g = console_grant(Permission::PartnershipManage, Scope::Platform)?;
                    for p in app.list_all_partnerships(&g).await? {
                        println!("{}  {}", p.id, p.name);
                    }
                }
                PartnershipCommand::AddMember {
                    partnership,
                    email,
                    role,
                } => {
                    let pid = resolve_partnership(&app, &partnership).await?;
                    let g = console_grant(Permission::MembershipManage, Scope::Partnership(pid))?;
                    let input = NewMember {
                        email,
                        role,
                        ..Default::default()
                    };
                    let id = app.add_member(&g, &input, &ctx).await.map_err(report)?;
                    println!("Added membership {id}.");
                }
            }
        }
        Command::Organisation(o) => {
            let app = App::open(&cfg.database_url, cfg.security()?).await?;
            match o {
                OrganisationCommand::Create { name, org_type } => {
                    let g = console_grant(Permission::OrganisationManage, Scope::Platform)?;
                    let id = app
                        .create_organisation(&g, &NewOrganisation { name, org_type }, &ctx)
                        .await
                        .map_err(report)?;
                    println!("Created organisation {id}.");
                }
                OrganisationCommand::List => {
                    let g = console_grant(Permission::OrganisationRead, Scope::Platform)?;
                    for o in app.list_organisations(&g).await? {
                        println!("{}  {}  ({})", o.id, o.name, o.org_type.key());
                    }
                }
            }
        }
        Command::Framework(FrameworkCommand::Check { files }) => {
            return check_frameworks(&files);
        }
        Command::Framework(FrameworkCommand::Import { file }) => {
            let app = App::open(&cfg.database_url, cfg.security()?).await?;
            let g = console_grant(Permission::FrameworkManage, Scope::Platform)?;
            let name = file.display().to_string();
            let text =
                std::fs::read_to_string(&file).with_context(|| format!("cannot read {name}"))?;
            match app
                .import_framework(&g, &name, &text, &ctx)
                .await
                .map_err(report)?
            {
                preventkit_services::framework::ImportOutcome::Imported { key, version } => {
                    println!("Imported {key} version {version}.");
                    if version > 1 {
                        println!(
                            "Draft assessments on an earlier version of {key} now offer their \
                             Prevent lead the move to version {version}, carrying answers across \
                             where the question ids match."
                        );
                    }
                }
                preventkit_services::framework::ImportOutcome::AlreadyPresent { key, version } => {
                    println!("{key} version {version} is already imported with the same content; nothing changed.")
                }
            }
        }
        Command::Framework(FrameworkCommand::List) => {
            let app = App::open(&cfg.database_url, cfg.security()?).await?;
            let g = console_grant(Permission::FrameworkRead, Scope::Platform)?;
            for f in app.list_frameworks(&g).await? {
                println!(
                    "{}  version {}  {} questions  {}",
                    f.key, f.version, f.questions, f.title
                );
            }
        }
        Command::VerifyAudit { json } => {
            let app = App::open_existing(&cfg.database_url, cfg.security()?).await?;
            let report = app.verify_audit().await?;
            if json {
                println!("{}", audit_report_json(&report));
            } else if report.is_ok() {
                println!(
                    "The audit log is intact: {} events in {} chains, every link verified.",
                    report.events(),
                    report.chains.len()
                );
            } else {
                println!("The audit log has been tampered with:");
                for (chain, b) in report.breaks() {
                    println!("  chain {chain}: {} at event {}: {b}.", b.kind(), b.seq());
                }
            }
            if !report.is_ok() {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Backup { file } => {
            let app = App::open_existing(&cfg.database_url, cfg.security()?).await?;
            app.backup(&file).await?;
            println!("Wrote a consistent snapshot to {}.", file.display());
        }
        Command::Keys(k) => keys::run(k, &cfg).await?,
        Command::Restore { file } => {
            let aside = preventkit_services::restore(&cfg.database_url, &file).await?;
            println!(
                "Restored from {}. The replaced database was kept as {}.",
                file.display(),
                aside.display()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn check_frameworks(files: &[PathBuf]) -> anyhow::Result<ExitCode> {
    use preventkit_services::domain::framework;
    let mut loaded = Vec::new();
    let mut failed = false;
    for path in files {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {name}"))?;
        match framework::parse(&name, &text) {
            Ok(f) => loaded.push((name, f)),
            Err(e) => {
                failed = true;
                eprintln!("{e}");
            }
        }
    }
    for (name, f) in &loaded {
        let others: Vec<&framework::Framework> = loaded
            .iter()
            .filter(|(n, _)| n != name)
            .map(|(_, f)| f)
            .collect();
        let problems = framework::check_mappings(f, &others);
        if !problems.is_empty() {
            failed = true;
            eprintln!(
                "{}",
                framework::FrameworkError {
                    file: name.clone(),
                    problems
                }
            );
            continue;
        }
        let questions = f.questions();
        let mut by_kind: std::collections::BTreeMap<&str, usize> = Default::default();
        for (_, q) in &questions {
            *by_kind
                .entry(f.kind_label(&q.kind).unwrap_or(&q.kind))
                .or_default() += 1;
        }
        let kinds: Vec<String> = by_kind.iter().map(|(k, n)| format!("{n} {k}")).collect();
        println!(
            "{name}: {} version {}: {} questions ({}), {} mappings: OK",
            f.envelope.id,
            f.envelope.version,
            questions.len(),
            kinds.join(", "),
            f.mappings.len()
        );
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

async fn serve(app: App, cfg: &Config) -> anyhow::Result<()> {
    let router = preventkit_web::router(app.clone(), cfg.web())?;
    let listener = tokio::net::TcpListener::bind(&cfg.listen)
        .await
        .with_context(|| format!("cannot listen on {}", cfg.listen))?;
    if !cfg.metrics_listen.is_empty() {
        let metrics = tokio::net::TcpListener::bind(&cfg.metrics_listen)
            .await
            .with_context(|| format!("cannot listen on {}", cfg.metrics_listen))?;
        tokio::spawn(async move {
            if let Err(e) = axum::serve(metrics, preventkit_web::metrics::router()).await {
                tracing::error!(error = %e, "metrics listener stopped");
            }
        });
    } else {
        // Count requests even without a listener, so the recorder is in place.
        let _ = preventkit_web::metrics::handle();
    }
    let jobs = preventkit_services::jobs::spawn(app.clone());
    println!(
        "Prevent Toolkit is running at http://{} (press Ctrl+C to stop)",
        cfg.listen
    );
    preventkit_web::serve(listener, router, shutdown_signal()).await?;
    jobs.abort();
    app.close().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

/// The audit report as JSON: whether the log is intact, and per chain its key, the events
/// checked and its first break (kind, sequence number, details and a sentence) or null.
fn audit_report_json(
    report: &preventkit_services::domain::audit::AuditVerification,
) -> serde_json::Value {
    let chains: Vec<serde_json::Value> = report
        .chains
        .iter()
        .map(|c| {
            serde_json::json!({
                "chain": c.chain,
                "events": c.events,
                "broken": c.broken.as_ref().map(|b| serde_json::json!({
                    "kind": b.kind(),
                    "seq": b.seq(),
                    "detail": b,
                    "message": b.to_string(),
                })),
            })
        })
        .collect();
    serde_json::json!({
        "intact": report.is_ok(),
        "events": report.events(),
        "chains": chains,
    })
}
