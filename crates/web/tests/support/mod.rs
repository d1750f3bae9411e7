//! Shared test support: a real server on a real database (SQLite always, PostgreSQL when
//! `PREVENTKIT_TEST_DATABASE_URL` is set), real HTTP, and helpers to sign in as the
//! demonstration accounts.
#![allow(dead_code)]

use preventkit_services::demo::DEMO_PASSWORD;
use preventkit_services::identity::Stage;
use preventkit_services::{App, SecurityConfig};
use preventkit_web::WebConfig;
use std::collections::HashMap;
use std::net::SocketAddr;

/// Which database a test runs on.
#[derive(Clone, Debug)]
pub enum Engine {
    Sqlite,
    Postgres(String),
}

impl Engine {
    pub fn name(&self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres(_) => "postgresql",
        }
    }
}

/// Every engine this run can test. SQLite always; PostgreSQL when a URL is given.
pub fn engines() -> Vec<Engine> {
    let mut v = vec![Engine::Sqlite];
    match std::env::var("PREVENTKIT_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => v.push(Engine::Postgres(url)),
        _ => eprintln!("NOTE: PostgreSQL leg skipped: set PREVENTKIT_TEST_DATABASE_URL to run it"),
    }
    v
}

/// A new, empty database for one test. Answers its URL and a guard that keeps any temporary
/// folder alive.
pub async fn fresh_database(engine: &Engine) -> (String, Option<tempfile::TempDir>) {
    match engine {
        Engine::Sqlite => {
            let dir = tempfile::tempdir().expect("temporary folder");
            let url = format!("sqlite://{}/test.db", dir.path().display());
            (url, Some(dir))
        }
        Engine::Postgres(base) => {
            let name = format!("pk_test_{}", uuid::Uuid::new_v4().simple());
            let admin = preventkit_storage_admin(base).await;
            admin
                .execute_admin(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create test database");
            admin.close().await;
            let cut = base.rfind('/').expect("database URL has a path");
            (format!("{}/{name}", &base[..cut]), None)
        }
    }
}

async fn preventkit_storage_admin(url: &str) -> preventkit_storage::Db {
    preventkit_storage::Db::connect(url)
        .await
        .expect("connect to the PostgreSQL test server")
}

/// A running server.
pub struct Server {
    pub base: String,
    pub app: App,
    pub url: String,
    pub engine: Engine,
    _dir: Option<tempfile::TempDir>,
    handle: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.handle.abort();
    }
}

pub struct Options {
    pub web: WebConfig,
    pub security: SecurityConfig,
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
    pub async fn start(engine: &Engine) -> Server {
        Self::start_with(engine, Options::default()).await
    }

    pub async fn start_with(engine: &Engine, opts: Options) -> Server {
        let (url, dir) = fresh_database(engine).await;
        let app = App::open(&url, opts.security).await.expect("open app");
        if opts.demo {
            app.load_demo().await.expect("load demo");
        }
        let router = preventkit_web::router(app.clone(), opts.web).expect("router");
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
            engine: engine.clone(),
            _dir: dir,
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

    /// Import a version 2 of the shipped Prevent duty benchmark that adds one question
    /// (11.1) and changes nothing else, so drafts on version 1 are offered the move.
    pub async fn import_benchmark_version_2(&self) {
        let (_, text) = preventkit_services::domain::shipped::FRAMEWORKS[2];
        let v2 = format!(
            "{}\n[[sections]]\nid = \"b11\"\nnumber = \"11\"\ntitle = \"Local priorities\"\n\n\
             [[sections.questions]]\nid = \"11.1\"\nnumber = \"11.1\"\nkind = \"good-practice\"\n\
             title = \"Local priorities are reviewed each year.\"\nscale = \"progress\"\n",
            text.replacen("version = 1", "version = 2", 1)
        );
        let g = preventkit_services::domain::policy::decide(
            &preventkit_services::domain::Actor::console(),
            preventkit_services::domain::Permission::FrameworkManage,
            preventkit_services::domain::Scope::Platform,
        )
        .expect("grant");
        self.app
            .import_framework(&g, "benchmark-2.toml", &v2, &Default::default())
            .await
            .expect("version 2");
    }

    /// An API token for a demonstration account's role in a partnership.
    pub async fn token(&self, email: &str, partnership: &str, role: &str) -> String {
        let session_token = complete_session(&self.app, email).await;
        let session = self
            .app
            .session(&session_token)
            .await
            .expect("session")
            .expect("live session");
        let (_, secret) = self
            .app
            .create_token(
                &session,
                &preventkit_services::identity::NewToken {
                    name: "test".into(),
                    partnership_id: partnership.into(),
                    role: role.into(),
                    days: "30".into(),
                },
                &Default::default(),
            )
            .await
            .expect("create token");
        secret
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
            .map(|p| p.id)
            .expect("partnership exists")
    }
}

/// Complete sign-in through the services: password, then MFA set-up or challenge.
pub async fn complete_session(app: &App, email: &str) -> String {
    let ctx = preventkit_services::RequestContext {
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

/// The current TOTP code for a base32 secret.
pub fn totp_now(secret_b32: &str) -> String {
    let bytes = totp_rs::Secret::Encoded(secret_b32.replace(' ', ""))
        .to_bytes()
        .expect("base32 secret");
    let t = totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, bytes, None, "t".into())
        .expect("totp");
    t.generate_current().expect("clock")
}

/// The code for the next 30-second step (for a second sign-in inside one step).
pub fn totp_next(secret_b32: &str) -> String {
    let bytes = totp_rs::Secret::Encoded(secret_b32.replace(' ', ""))
        .to_bytes()
        .expect("base32 secret");
    let t = totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, bytes, None, "t".into())
        .expect("totp");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    t.generate(now + 30)
}

/// A response, read whole.
#[derive(Debug)]
pub struct Page {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Page {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    pub fn location(&self) -> Option<&str> {
        self.header("location")
    }
    /// The CSRF token in the page's forms.
    pub fn csrf(&self) -> Option<String> {
        extract_value(&self.body, "name=\"csrf_token\" value=\"")
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("JSON body")
    }
}

pub fn extract_value(body: &str, marker: &str) -> Option<String> {
    let start = body.find(marker)? + marker.len();
    let end = body[start..].find('"')? + start;
    Some(body[start..end].to_owned())
}

/// The text of the element whose opening tag ends with `marker` (up to the next tag).
pub fn element_text(body: &str, marker: &str) -> Option<String> {
    let i = body.find(marker)? + marker.len();
    let j = body[i..].find('<')? + i;
    Some(body[i..j].to_owned())
}

/// A cookie-keeping HTTP client that does not follow redirects.
pub struct Browser {
    base: String,
    client: reqwest::Client,
    pub cookies: HashMap<String, String>,
    /// Extra headers sent with every request (for example X-Forwarded-For).
    pub extra: Vec<(String, String)>,
}

impl Browser {
    pub fn new(base: &str) -> Self {
        Self {
            base: base.to_owned(),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            cookies: HashMap::new(),
            extra: Vec::new(),
        }
    }

    pub fn set_cookie(&mut self, name: &str, value: &str) {
        self.cookies.insert(name.to_owned(), value.to_owned());
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn send(&mut self, req: reqwest::RequestBuilder) -> Page {
        let mut req = req;
        if !self.cookies.is_empty() {
            req = req.header("cookie", self.cookie_header());
        }
        for (k, v) in &self.extra {
            req = req.header(k.as_str(), v.as_str());
        }
        let res = req.send().await.expect("request");
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        for c in headers.get_all("set-cookie") {
            let Ok(c) = c.to_str() else { continue };
            let Some((kv, attrs)) = c.split_once(';').or(Some((c, ""))) else {
                continue;
            };
            let Some((k, v)) = kv.split_once('=') else {
                continue;
            };
            if attrs.contains("Max-Age=0") {
                self.cookies.remove(k.trim());
            } else {
                self.cookies
                    .insert(k.trim().to_owned(), v.trim().to_owned());
            }
        }
        let body = res.text().await.unwrap_or_default();
        Page {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let req = self.client.get(format!("{}{path}", self.base));
        self.send(req).await
    }

    /// Post a form as it is given (no CSRF token added).
    pub async fn post_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let body = serde_urlencoded::to_string(fields).expect("form");
        let req = self
            .client
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        self.send(req).await
    }

    /// Post an already encoded form body.
    pub async fn post_body(&mut self, path: &str, body: String) -> Page {
        let req = self
            .client
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        self.send(req).await
    }

    /// Load `form_page` for its CSRF token, then post `fields` with it to `path`.
    pub async fn post_form(
        &mut self,
        form_page: &str,
        path: &str,
        fields: &[(&str, &str)],
    ) -> Page {
        let page = self.get(form_page).await;
        let csrf = page
            .csrf()
            .unwrap_or_else(|| panic!("no CSRF token on {form_page}: {}", page.status));
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("csrf_token", &csrf));
        self.post_raw(path, &all).await
    }

    pub async fn api(
        &mut self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<serde_json::Value>,
    ) -> Page {
        let m = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut req = self.client.request(m, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        if let Some(b) = body {
            req = req
                .header("content-type", "application/json")
                .body(b.to_string());
        }
        self.send(req).await
    }
}

/// Post a multipart form with a CSRF token and one file (`file`, named `answers.xlsx`), with
/// the browser's cookies; answers the status and the body.
pub async fn upload(
    b: &mut Browser,
    base: &str,
    path: &str,
    csrf: &str,
    file: Vec<u8>,
) -> (u16, String) {
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", csrf.to_owned())
        .part(
            "file",
            reqwest::multipart::Part::bytes(file).file_name("answers.xlsx"),
        );
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let res = client
        .post(format!("{base}{path}"))
        .header("cookie", b.cookie_header())
        .multipart(form)
        .send()
        .await
        .expect("upload");
    let status = res.status().as_u16();
    (status, res.text().await.unwrap_or_default())
}
