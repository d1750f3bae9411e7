//! The `preventkit` binary as an operator uses it: sub-commands, audit tamper detection on
//! both engines, backup and restore while serving, and two servers sharing one PostgreSQL.

// Test code: a failed unwrap, expect, panic or index is the test failing, as it should be.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use preventkit_testkit::{engines, fresh_database, postgresql_only, Engine, Sql, TestDatabase};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_preventkit");

fn run(url: &str, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("PREVENTKIT_DATABASE_URL", url)
        .env("PREVENTKIT_LOG", "warn")
        .output()
        .expect("run preventkit")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Fresh databases: SQLite always, PostgreSQL when a test server is configured.
async fn databases() -> Vec<TestDatabase> {
    let mut v = Vec::new();
    for engine in engines() {
        v.push(fresh_database(&engine).await);
    }
    v
}

async fn sql(url: &str, statement: &str) {
    Sql::connect(url).await.execute(statement).await;
}

#[test]
fn help_lists_the_sub_commands() {
    let o = Command::new(BIN).arg("--help").output().expect("run");
    let text = stdout(&o);
    for cmd in [
        "serve",
        "migrate",
        "demo",
        "user",
        "partnership",
        "verify-audit",
        "backup",
        "restore",
        "framework",
    ] {
        assert!(
            text.lines().any(|l| l.trim_start().starts_with(cmd)),
            "--help lists {cmd}:\n{text}"
        );
    }
    let o = Command::new(BIN)
        .args(["user", "--help"])
        .output()
        .expect("run");
    let text = stdout(&o);
    for cmd in ["create", "reset-mfa", "disable"] {
        assert!(text.contains(cmd), "user --help lists {cmd}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_audit_finds_every_kind_of_tampering() {
    // Each case starts from a fresh, intact log written by `demo`.
    type Tamper = (&'static str, &'static [&'static str], &'static str);
    // Each changes the platform's chain (accounts and organisations) only.
    let cases: &[Tamper] = &[
        ("an edited row", &["UPDATE audit_events SET action = 'user.nothing' WHERE chain = 'platform' AND seq = 5"], "edited at event 5: event 5 was changed"),
        ("a deleted row", &["DELETE FROM audit_events WHERE chain = 'platform' AND seq = 3"], "missing"),
        (
            "an inserted row",
            &["UPDATE audit_events SET seq = seq + 1000 WHERE chain = 'platform' AND seq >= 4",
              "INSERT INTO audit_events (chain, seq, id, occurred_at, actor_id, partnership_id, action, object_type, object_id, outcome, source, prev_hash, hash) SELECT chain, 4, 'forged', occurred_at, actor_id, partnership_id, 'user.create', object_type, object_id, outcome, source, prev_hash, hash FROM audit_events WHERE chain = 'platform' AND seq = 3"],
            "event 4",
        ),
        (
            "two rows reordered",
            &["UPDATE audit_events SET seq = -1 WHERE chain = 'platform' AND seq = 3",
              "UPDATE audit_events SET seq = 3 WHERE chain = 'platform' AND seq = 4",
              "UPDATE audit_events SET seq = 4 WHERE chain = 'platform' AND seq = -1"],
            "event 3",
        ),
        ("rows cut off the end", &["DELETE FROM audit_events WHERE chain = 'platform' AND seq > (SELECT last_seq - 3 FROM audit_chain_heads WHERE chain = 'platform')"], "chain head"),
    ];
    for case in cases {
        for db in databases().await {
            let url = db.url.clone();
            let o = run(&url, &["demo"]);
            assert!(
                o.status.success(),
                "demo: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            let ok = run(&url, &["verify-audit"]);
            assert!(ok.status.success(), "an intact log passes");
            assert!(stdout(&ok).contains("intact"));
            let json = run(&url, &["verify-audit", "--json"]);
            assert!(json.status.success());
            let report: serde_json::Value =
                serde_json::from_str(&stdout(&json)).expect("a JSON report");
            assert_eq!(report["intact"], true, "{report}");
            for statement in case.1 {
                sql(&url, statement).await;
            }
            let bad = run(&url, &["verify-audit"]);
            assert!(
                !bad.status.success(),
                "{}: tampering with {} is found",
                url.split(':').next().unwrap_or(""),
                case.0
            );
            let text = stdout(&bad);
            assert!(text.contains("tampered"), "{text}");
            assert!(text.contains("chain platform: "), "{text}");
            assert!(text.contains(case.2), "{}: {text}", case.0);
            // The report as JSON names the one broken chain; the partnership's is intact.
            let json = run(&url, &["verify-audit", "--json"]);
            assert!(!json.status.success());
            let report: serde_json::Value =
                serde_json::from_str(&stdout(&json)).expect("a JSON report");
            assert_eq!(report["intact"], false);
            let chains = report["chains"].as_array().expect("chains");
            assert!(chains.len() >= 2, "{report}");
            let broken: Vec<&str> = chains
                .iter()
                .filter(|c| !c["broken"].is_null())
                .filter_map(|c| c["chain"].as_str())
                .collect();
            assert_eq!(broken, ["platform"], "{}: {report}", case.0);
        }
    }
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

async fn serve(url: &str) -> (Server, String) {
    let port = free_port();
    let child = Command::new(BIN)
        .arg("serve")
        .env("PREVENTKIT_DATABASE_URL", url)
        .env("PREVENTKIT_LISTEN", format!("127.0.0.1:{port}"))
        .env("PREVENTKIT_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start server");
    let server = Server(child);
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(r) = reqwest::get(format!("{base}/readyz")).await {
            if r.status().is_success() {
                break;
            }
        }
        assert!(Instant::now() < deadline, "server did not become ready");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    (server, base)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_while_serving_and_restore_round_trip() {
    let db = fresh_database(&Engine::Sqlite).await;
    let dir = db.dir().expect("a SQLite database's folder");
    let url = db.url.clone();
    assert!(run(&url, &["demo"]).status.success());
    let snapshot = dir.join("snapshot.db");
    let snap = snapshot.to_string_lossy().into_owned();
    let listing = |url: &str| {
        ["user", "organisation", "partnership", "framework"]
            .iter()
            .map(|what| stdout(&run(url, &[what, "list"])))
            .collect::<Vec<_>>()
    };
    let before = listing(&url);
    {
        let (_server, _base) = serve(&url).await;
        let o = run(&url, &["backup", &snap]);
        assert!(
            o.status.success(),
            "backup: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        // Never overwrites.
        let again = run(&url, &["backup", &snap]);
        assert!(
            !again.status.success(),
            "a second backup to the same file is refused"
        );
    }
    // A change after the snapshot...
    let o = run(
        &url,
        &[
            "organisation",
            "create",
            "--name",
            "Added later",
            "--type",
            "fire",
        ],
    );
    assert!(o.status.success());
    assert_ne!(listing(&url), before);
    // ...is gone after restoring it, and the audit chain is intact.
    let o = run(&url, &["restore", &snap]);
    assert!(
        o.status.success(),
        "restore: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(listing(&url), before, "content equals the snapshot");
    assert!(run(&url, &["verify-audit"]).status.success());
    // A file that is not a database is refused and changes nothing.
    let junk = dir.join("junk.db");
    std::fs::write(&junk, b"not a database").expect("write");
    let o = run(&url, &["restore", &junk.to_string_lossy()]);
    assert!(!o.status.success());
    assert_eq!(listing(&url), before);
    // Bad input to a sub-command names the field and changes nothing.
    let o = run(
        &url,
        &[
            "organisation",
            "create",
            "--name",
            "X",
            "--type",
            "not-a-type",
        ],
    );
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("--type: Choose the type of organisation"));
    assert_eq!(listing(&url), before);
}

/// A PostgreSQL database is backed up with pg_dump: the backup command says so.
#[postgresql_only]
async fn backup_of_postgresql_points_to_pg_dump(engine: Engine) {
    let dir = tempfile::tempdir().expect("tempdir");
    let pg = fresh_database(&engine).await.url;
    assert!(run(&pg, &["migrate"]).status.success());
    let o = run(
        &pg,
        &["backup", &dir.path().join("pg.db").to_string_lossy()],
    );
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("pg_dump"));
}

fn csrf(body: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let i = body.find(marker).expect("csrf field") + marker.len();
    body[i..].split('"').next().expect("value").to_owned()
}

fn set_cookie(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| {
            c.strip_prefix(&format!("{name}="))
                .map(|v| v.split(';').next().unwrap_or("").to_owned())
        })
}

/// Two servers sharing one PostgreSQL database share its sessions.
#[postgresql_only]
async fn a_session_made_on_one_server_works_on_another(engine: Engine) {
    let url = fresh_database(&engine).await.url;
    assert!(run(&url, &["demo"]).status.success());
    let (_a, a) = serve(&url).await;
    let (_b, b) = serve(&url).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");

    // Sign in on server A.
    let form = client
        .get(format!("{a}/sign-in"))
        .send()
        .await
        .expect("form");
    let pre = set_cookie(&form, "pk_pre").expect("pre-sign-in cookie");
    let token = csrf(&form.text().await.expect("body"));
    let r = client
        .post(format!("{a}/sign-in"))
        .header("cookie", format!("pk_pre={pre}"))
        .form(&[
            ("email", "referrer@riverton.example"),
            ("password", "demo-password-2026"),
            ("csrf_token", &token),
        ])
        .send()
        .await
        .expect("sign in");
    assert_eq!(r.status().as_u16(), 303);
    let session = set_cookie(&r, "pk_session").expect("session cookie");
    let cookie = format!("pk_session={session}");

    // Server B knows the session.
    let r = client
        .get(format!("{b}/account"))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("account");
    assert_eq!(
        r.status().as_u16(),
        200,
        "the session made on A is valid on B"
    );
    let token = csrf(&r.text().await.expect("body"));
    // Signing out on B ends it on A too.
    let r = client
        .post(format!("{b}/sign-out"))
        .header("cookie", &cookie)
        .form(&[("csrf_token", token.as_str())])
        .send()
        .await
        .expect("sign out");
    assert_eq!(r.status().as_u16(), 303);
    let r = client
        .get(format!("{a}/account"))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("account");
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(
        r.headers().get("location").and_then(|v| v.to_str().ok()),
        Some("/sign-in")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configuration_file_and_metrics_listener() {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let metrics_port = free_port();
    let config = dir.path().join("preventkit.toml");
    std::fs::write(
        &config,
        format!(
            "database_url = \"sqlite://{}/from-file.db\"\nlisten = \"127.0.0.1:{port}\"\nmetrics_listen = \"127.0.0.1:{metrics_port}\"\nlog_format = \"json\"\n",
            dir.path().display()
        ),
    )
    .expect("write config");
    let child = Command::new(BIN)
        .args(["--config", &config.to_string_lossy(), "serve"])
        .env_remove("PREVENTKIT_DATABASE_URL")
        .env_remove("PREVENTKIT_LISTEN")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start");
    let _server = Server(child);
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(r) = reqwest::get(format!("{base}/readyz")).await {
            if r.status().is_success() {
                break;
            }
        }
        assert!(
            Instant::now() < deadline,
            "server from the config file did not start"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        dir.path().join("from-file.db").exists(),
        "the database named in the file is used"
    );
    let _ = reqwest::get(format!("{base}/sign-in"))
        .await
        .expect("a page");
    let metrics = reqwest::get(format!("http://127.0.0.1:{metrics_port}/metrics"))
        .await
        .expect("metrics")
        .text()
        .await
        .expect("body");
    assert!(metrics.contains("http_requests_total"), "{metrics}");
    assert!(
        metrics.contains("route=\"/sign-in\""),
        "route patterns, not concrete paths"
    );
    // Metrics are not served on the public listener.
    let r = reqwest::get(format!("{base}/metrics"))
        .await
        .expect("public");
    assert_eq!(r.status().as_u16(), 404);

    // An unknown key is refused, naming the file and the key.
    std::fs::write(&config, "databse_url = \"x\"\n").expect("write");
    let o = Command::new(BIN)
        .args(["--config", &config.to_string_lossy(), "migrate"])
        .output()
        .expect("run");
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("preventkit.toml") && err.contains("databse_url"),
        "{err}"
    );
}
