//! A real server on 127.0.0.1, on a fresh database, and the ways in: signing in as a
//! demonstration account (with the MFA step) and making API tokens.

use crate::browser::Browser;
use crate::engine::{fresh_database, Engine, TestDatabase};
use crate::sql::Sql;
use crate::totp::totp_now;
use preventkit_services::demo::DEMO_PASSWORD;
use preventkit_services::identity::NewToken;
use preventkit_services::identity::Stage;
use preventkit_services::keys::KeyRing;
use preventkit_services::{App, RequestContext, SecurityConfig};
use preventkit_web::WebConfig;
use std::net::SocketAddr;

/// A running server.
pub struct Server {
    /// Its address, as `http://127.0.0.1:PORT`.
    pub base: String,
    pub app: App,
    /// The database it serves.
    pub url: String,
    pub engine: Engine,
    /// The database this server made (none for a second server on another's database).
    _db: Option<TestDatabase>,
    handle: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.handle.abort();
    }
}

/// How to start a [`Server`].
pub struct Options {
    pub web: WebConfig,
    pub security: SecurityConfig,
    /// Load the demonstration partnerships, accounts and assessments.
    pub demo: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            web: WebConfig::default(),
            security: SecurityConfig::default(),
            demo: true,
        }
    }
}

impl Server {
    /// A server with the demonstration data on a fresh database.
    pub async fn start(engine: &Engine) -> Server {
        Self::start_with(engine, Options::default()).await
    }

    /// A server on a fresh database with nothing in it but the schema.
    pub async fn start_empty(engine: &Engine) -> Server {
        Self::start_with(
            engine,
            Options {
                demo: false,
                ..Options::default()
            },
        )
        .await
    }

    pub async fn start_with(engine: &Engine, opts: Options) -> Server {
        let db = fresh_database(engine).await;
        let app = App::open(&db.url, with_keys(opts.security, None))
            .await
            .expect("open app");
        if opts.demo {
            app.load_demo().await.expect("load demo");
        }
        Self::serve(app, opts.web, db.url.clone(), engine.clone(), Some(db)).await
    }

    /// Another server on this server's database, as behind a load balancer (`opts.demo` is
    /// not used: the data is already there). Stops when dropped.
    pub async fn another(&self, opts: Options) -> Server {
        let keys = self.app.key_ring().cloned();
        let app = App::open(&self.url, with_keys(opts.security, keys))
            .await
            .expect("open the same database");
        Self::serve(app, opts.web, self.url.clone(), self.engine.clone(), None).await
    }

    async fn serve(
        app: App,
        web: WebConfig,
        url: String,
        engine: Engine,
        db: Option<TestDatabase>,
    ) -> Server {
        // Every test renders its pages with strict templates: a variable a template was not
        // given fails the page instead of rendering as nothing.
        let web = WebConfig {
            strict_templates: true,
            ..web
        };
        let router = preventkit_web::router(app.clone(), web).expect("router");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr: SocketAddr = listener.local_addr().expect("address");
        let handle = tokio::spawn(async move {
            let _ = preventkit_web::serve(listener, router, std::future::pending()).await;
        });
        Server {
            base: format!("http://{addr}"),
            app,
            url,
            engine,
            _db: db,
            handle,
        }
    }

    /// A browser with no cookies.
    pub fn browser(&self) -> Browser {
        Browser::new(&self.base)
    }

    /// Sign in as a demonstration account through the services (setting up MFA when the
    /// account needs it) and answer a browser holding the complete session.
    pub async fn signed_in(&self, email: &str) -> Browser {
        let token = complete_session(&self.app, email).await;
        let mut b = self.browser();
        b.set_cookie("pk_session", &token);
        b
    }

    /// Move the clock that session lifetimes and the sign-in throttle read forward, as if
    /// `ms` milliseconds had passed.
    pub fn advance_clock(&self, ms: i64) {
        self.app.config().clock.advance(ms);
    }

    /// A raw connection to the server's database (for what only the database can show).
    pub async fn sql(&self) -> Sql {
        Sql::connect(&self.url).await
    }

    /// Import the next version of the shipped Prevent duty benchmark (one above the version
    /// that ships), which adds one question (11.1) and changes nothing else, so drafts on the
    /// shipped version are offered the move. Answers the version imported.
    pub async fn import_benchmark_next_version(&self) -> u32 {
        let g = preventkit_services::domain::policy::decide(
            &preventkit_services::domain::Actor::console(),
            preventkit_services::domain::Permission::FrameworkManage,
            preventkit_services::domain::Scope::Platform,
        )
        .expect("grant");
        let (version, text) = crate::frameworks::benchmark_next_version();
        self.app
            .import_framework(&g, "benchmark-next.toml", &text, &Default::default())
            .await
            .expect("the next version");
        version
    }

    /// An API token for a demonstration account's role in a partnership.
    pub async fn token(&self, email: &str, partnership: &str, role: &str) -> String {
        self.tokens(email, partnership, &[role])
            .await
            .pop()
            .expect("a token")
    }

    /// Sign in once and make one API token per role (a second sign-in of an account with MFA
    /// would need a new TOTP step).
    pub async fn tokens(&self, email: &str, partnership: &str, roles: &[&str]) -> Vec<String> {
        let session_token = complete_session(&self.app, email).await;
        let session = self
            .app
            .session(&session_token)
            .await
            .expect("session")
            .expect("live session");
        let mut out = Vec::new();
        for role in roles {
            let (_, secret) = self
                .app
                .create_token(
                    &session,
                    &NewToken {
                        name: format!("test as {role}"),
                        partnership_id: partnership.into(),
                        role: (*role).into(),
                        days: "30".into(),
                    },
                    &RequestContext::default(),
                )
                .await
                .expect("create token");
            out.push(secret);
        }
        out
    }

    /// The id of a partnership by name.
    pub async fn partnership_id(&self, name: &str) -> String {
        let grant = preventkit_services::domain::policy::decide(
            &preventkit_services::domain::Actor::console(),
            preventkit_services::domain::Permission::PartnershipManage,
            preventkit_services::domain::Scope::Platform,
        )
        .expect("console grant");
        self.app
            .list_all_partnerships(&grant)
            .await
            .expect("list")
            .into_iter()
            .find(|p| p.name == name)
            .map(|p| p.id.to_string())
            .expect("partnership exists")
    }
}

/// The application on a fresh database with nothing in it but the schema, without a server.
/// Keep the database guard as long as the application.
pub async fn fresh_app(engine: &Engine, security: SecurityConfig) -> (App, TestDatabase) {
    let db = fresh_database(engine).await;
    let app = App::open(&db.url, with_keys(security, None))
        .await
        .expect("open app");
    (app, db)
}

/// Every test server and test application can keep case records: one without a key ring is
/// given `keys` (another server's ring, so both read the same cases) or a new one.
fn with_keys(security: SecurityConfig, keys: Option<KeyRing>) -> SecurityConfig {
    match security.keys {
        Some(_) => security,
        None => SecurityConfig {
            keys: Some(keys.unwrap_or_else(KeyRing::generate)),
            ..security
        },
    }
}

/// Complete sign-in through the services: password, then MFA set-up or challenge.
pub async fn complete_session(app: &App, email: &str) -> String {
    let ctx = RequestContext {
        source: Some("127.0.0.9".into()),
    };
    let new = app
        .sign_in(email, DEMO_PASSWORD, &ctx)
        .await
        .expect("sign in");
    match new.stage {
        Stage::Complete => new.token,
        Stage::MfaEnrol => {
            let session = app
                .session(&new.token)
                .await
                .expect("session")
                .expect("live");
            let (secret, _) = app
                .begin_enrolment(&session)
                .await
                .expect("begin enrolment");
            let code = totp_now(&secret);
            let (done, _codes) = app
                .finish_enrolment(&session, &code, &ctx)
                .await
                .expect("finish enrolment");
            done.token
        }
        Stage::MfaChallenge => panic!("{email} already has MFA; sign in once per test"),
    }
}
