//! `preventkit keys` as an operator uses it, and `serve` refusing to start with case records it
//! cannot read.

// Test code: a failed unwrap, expect, panic or index is the test failing, as it should be.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use preventkit_testkit::{fresh_database, Engine, Sql};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_preventkit");

fn command(url: &str, keys: Option<&Path>, args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.args(args)
        .env("PREVENTKIT_DATABASE_URL", url)
        .env("PREVENTKIT_LOG", "warn")
        .env_remove("PREVENTKIT_CONFIG");
    match keys {
        Some(k) => c.env("PREVENTKIT_KEYS_FILE", k),
        None => c.env_remove("PREVENTKIT_KEYS_FILE"),
    };
    c
}

fn run(url: &str, keys: Option<&Path>, args: &[&str]) -> Output {
    command(url, keys, args).output().expect("run preventkit")
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// The base64 values in a key file: the index key and every key's secret.
fn secrets(file: &Path) -> Vec<String> {
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("index_key") || l.starts_with("secret"))
        .map(|l| l.split('"').nth(1).unwrap().to_owned())
        .collect()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_are_created_listed_rotated_and_revoked_without_showing_a_secret() {
    let db = fresh_database(&Engine::Sqlite).await;
    let url = db.url.clone();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("keys.toml");
    let f = file.to_str().unwrap();

    let o = run(&url, None, &["keys", "create", "--file", f]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let first = out
        .split("encryption key ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .unwrap()
        .to_owned();
    assert!(first.starts_with('k'), "{out}");
    let made = secrets(&file);
    assert_eq!(made.len(), 2);
    for s in &made {
        assert!(!out.contains(s.as_str()) && !err.contains(s.as_str()));
    }
    // Never overwritten.
    let again = run(&url, None, &["keys", "create", "--file", f]);
    assert!(!again.status.success());
    assert!(text(&again).1.contains("already exists"));
    assert_eq!(secrets(&file), made);

    let o = run(&url, Some(&file), &["keys", "list"]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        out.contains(&first) && out.contains("active") && out.contains("wraps 0 case keys"),
        "{out}"
    );
    for s in &made {
        assert!(
            !out.contains(s.as_str()) && !err.contains(s.as_str()),
            "{out}"
        );
    }

    let o = run(&url, Some(&file), &["keys", "rotate"]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.contains("Re-wrapped 0 case keys"), "{out}");
    let listed = text(&run(&url, Some(&file), &["keys", "list"])).0;
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(lines.len(), 2, "{listed}");
    assert!(
        lines[0].starts_with(&first) && lines[0].contains("retired"),
        "{listed}"
    );
    assert!(lines[1].contains("active"), "{listed}");
    let second = lines[1].split_whitespace().next().unwrap().to_owned();
    for s in secrets(&file) {
        assert!(!listed.contains(s.as_str()));
    }

    // The active key cannot be revoked; the retired one cannot while a case key needs it.
    let o = run(&url, Some(&file), &["keys", "revoke", &second]);
    assert!(!o.status.success());
    assert!(
        text(&o).1.contains("active key and cannot be revoked"),
        "{:?}",
        text(&o)
    );
    let mut sql = Sql::connect(&url).await;
    sql.execute(&format!(
        "INSERT INTO case_keys (case_id, partnership_id, kek_id, wrapped, created_at, updated_at) \
         VALUES ('case-1', '00000000-0000-0000-0000-000000000001', '{first}', 'pkw1.AAAA', 0, 0)"
    ))
    .await;
    let o = run(&url, Some(&file), &["keys", "revoke", &first]);
    assert!(!o.status.success());
    assert!(
        text(&o).1.contains("still wraps 1 case keys"),
        "{:?}",
        text(&o)
    );
    assert!(text(&run(&url, Some(&file), &["keys", "list"]))
        .0
        .contains("wraps 1 case keys"));
    sql.execute("DELETE FROM case_keys").await;
    let o = run(&url, Some(&file), &["keys", "revoke", &first]);
    assert!(o.status.success(), "{:?}", text(&o));
    let listed = text(&run(&url, Some(&file), &["keys", "list"])).0;
    assert!(
        listed.lines().next().unwrap().contains("revoked"),
        "{listed}"
    );
    let kept = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        kept.matches("secret =").count(),
        1,
        "the revoked secret is gone"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert_eq!(
        sql.number(
            "SELECT COUNT(*) FROM audit_events WHERE action IN ('key.rotate', 'key.revoke')"
        )
        .await,
        2
    );
}

/// Wait for a process that should stop by itself; kill it and fail if it does not.
fn finish(mut child: std::process::Child) -> Output {
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("serve kept running");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    child.wait_with_output().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_refuses_case_records_without_a_key_file_and_names_the_fix() {
    let db = fresh_database(&Engine::Sqlite).await;
    let url = db.url.clone();
    assert!(run(&url, None, &["migrate"]).status.success());
    Sql::connect(&url)
        .await
        .execute(
            "INSERT INTO case_keys (case_id, partnership_id, kek_id, wrapped, created_at, updated_at) \
             VALUES ('case-1', '00000000-0000-0000-0000-000000000001', 'k1', 'pkw1.AAAA', 0, 0)",
        )
        .await;
    let child = command(&url, None, &["serve"])
        .env("PREVENTKIT_LISTEN", format!("127.0.0.1:{}", free_port()))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let o = finish(child);
    let (_, err) = text(&o);
    assert!(!o.status.success());
    assert!(err.contains("preventkit keys create --file"), "{err}");
    assert!(err.contains("PREVENTKIT_KEYS_FILE"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demonstration_keeps_its_key_file_beside_its_database() {
    let db = fresh_database(&Engine::Sqlite).await;
    let url = db.url.clone();
    let keys = db.dir().unwrap().join("demo.keys");
    for round in 0..2 {
        let port = free_port();
        let mut child = command(&url, None, &["serve", "--demo"])
            .env("PREVENTKIT_LISTEN", format!("127.0.0.1:{port}"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(r) = reqwest::get(format!("http://127.0.0.1:{port}/readyz")).await {
                if r.status().is_success() {
                    break;
                }
            }
            assert!(Instant::now() < deadline, "the demonstration did not start");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let _ = child.kill();
        let out = child.wait_with_output().unwrap();
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("demo.keys"),
            "round {round}: says where the keys are"
        );
        assert!(keys.exists());
        if round == 0 {
            // The second start loads the same file rather than making another.
            std::fs::copy(&keys, db.dir().unwrap().join("first.keys")).unwrap();
        } else {
            assert_eq!(
                std::fs::read(&keys).unwrap(),
                std::fs::read(db.dir().unwrap().join("first.keys")).unwrap()
            );
        }
    }
}
