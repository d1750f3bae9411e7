//! Every read of case content leaves exactly one audit event, written before the page or the
//! answer leaves the server; a route that shows no case content leaves none. Every route that
//! names a case is listed here as one or the other, so a new one must be classified before this
//! test passes again.

// Test code: a failed unwrap, expect, panic or index is the test failing, as it should be.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use axum::http::Method;
use preventkit_services::identity::NewToken;
use preventkit_services::RequestContext;
use preventkit_testkit::{complete_session, each_engine, Browser, Engine, Server, Sql};
use preventkit_web::routes::specs;
use std::collections::HashMap;

const RIVERTON: &str = "Riverton Prevent Partnership";

/// Routes that show a case's content, with who reads them and the read event they leave.
const CONTENT: &[(&str, &str, &str)] = &[
    (
        "/p/{partnership}/cases/{case}",
        "chair@riverton.example",
        "case.read.chair",
    ),
    (
        "/api/v1/partnerships/{partnership}/cases/{case}",
        "chair@riverton.example",
        "case.read.chair",
    ),
];

/// Routes that name a case but show none of its content (its reference and stage at most),
/// with who uses them and the status they answer.
const NO_CONTENT: &[(&str, &str, u16)] = &[
    (
        "/p/{partnership}/referrals/{case}/sent",
        "referrer@riverton.example",
        200,
    ),
    (
        "/p/{partnership}/cases/{case}/attach",
        "chair@riverton.example",
        303,
    ),
    (
        "/p/{partnership}/cases/{case}/deconfliction",
        "chair@riverton.example",
        200,
    ),
    (
        "/p/{partnership}/cases/{case}/information",
        "chair@riverton.example",
        200,
    ),
    (
        "/p/{partnership}/cases/{case}/outcome",
        "chair@riverton.example",
        200,
    ),
    (
        "/p/{partnership}/cases/{case}/access",
        "auditor@riverton.example",
        200,
    ),
    (
        "/p/{partnership}/panel/meetings/{meeting}/cases/{case}/decision",
        "chair@riverton.example",
        200,
    ),
    (
        "/p/{partnership}/panel/meetings/{meeting}/cases/{case}/decision/recorded",
        "chair@riverton.example",
        200,
    ),
    (
        "/api/v1/partnerships/{partnership}/cases/{case}/access-log",
        "auditor@riverton.example",
        200,
    ),
];

fn role_of(email: &str) -> &'static str {
    match email {
        "chair@riverton.example" => "channel-chair",
        "auditor@riverton.example" => "auditor",
        _ => "referrer",
    }
}

/// Each person signed in once: a browser holding their session and an API token made from it.
async fn people(s: &Server, p: &str) -> HashMap<&'static str, (Browser, String)> {
    let mut out = HashMap::new();
    for email in [
        "chair@riverton.example",
        "auditor@riverton.example",
        "referrer@riverton.example",
    ] {
        let session_token = complete_session(&s.app, email).await;
        let session = s.app.session(&session_token).await.unwrap().unwrap();
        let (_, token) = s
            .app
            .create_token(
                &session,
                &NewToken {
                    name: "reads".into(),
                    partnership_id: p.into(),
                    role: role_of(email).into(),
                    days: "30".into(),
                },
                &RequestContext::default(),
            )
            .await
            .unwrap();
        let mut b = s.browser();
        b.set_cookie("pk_session", &session_token);
        out.insert(email, (b, token));
    }
    out
}

async fn reads(sql: &mut Sql, case: &str) -> Vec<(String, String, String)> {
    sql.rows(&format!(
        "SELECT a.action, COALESCE(a.object_type, ''), u.email FROM audit_events a \
         JOIN users u ON u.id = a.actor_id \
         WHERE a.object_id = '{case}' AND a.action LIKE 'case.read.%' ORDER BY a.position"
    ))
    .await
    .into_iter()
    .map(|r| {
        (
            r[0].clone().unwrap(),
            r[1].clone().unwrap(),
            r[2].clone().unwrap(),
        )
    })
    .collect()
}

#[each_engine]
async fn every_read_of_case_content_leaves_exactly_one_event(engine: Engine) {
    // Every route naming a case is classified, and every classified route exists.
    let named: Vec<&str> = specs()
        .into_iter()
        .filter(|s| s.method == Method::GET && s.path.contains("{case}"))
        .map(|s| s.path)
        .collect();
    let classified: Vec<&str> = CONTENT
        .iter()
        .map(|(p, _, _)| *p)
        .chain(NO_CONTENT.iter().map(|(p, _, _)| *p))
        .collect();
    for path in &named {
        assert!(
            classified.contains(path),
            "classify {path} as showing content or not"
        );
    }
    for path in &classified {
        assert!(named.contains(path), "{path} is no longer a route");
    }

    let s = Server::start(&engine).await;
    let p = s.partnership_id(RIVERTON).await;
    let mut sql = s.sql().await;
    // The demonstration case on the published agenda of the panel's meeting.
    let row = sql
        .rows("SELECT meeting_id, case_id FROM agenda_items ORDER BY case_id LIMIT 1")
        .await;
    let meeting = row[0][0].clone().expect("a demonstration meeting");
    let case = row[0][1].clone().expect("a case on its agenda");
    let path_of = |pattern: &str| {
        pattern
            .replace("{partnership}", &p)
            .replace("{meeting}", &meeting)
            .replace("{case}", &case)
    };
    let mut people = people(&s, &p).await;

    for (pattern, email, status) in NO_CONTENT {
        let before = reads(&mut sql, &case).await;
        let path = path_of(pattern);
        let (browser, token) = people.get_mut(email).unwrap();
        let page = if path.starts_with("/api/") {
            browser.api("GET", &path, Some(token), None).await
        } else {
            browser.get(&path).await
        };
        assert_eq!(page.status, *status, "{pattern}: {}", page.body);
        assert_eq!(
            reads(&mut sql, &case).await,
            before,
            "{pattern} reads no content"
        );
    }

    for (pattern, email, action) in CONTENT {
        let before = reads(&mut sql, &case).await;
        let path = path_of(pattern);
        let (browser, token) = people.get_mut(email).unwrap();
        let (page, part) = if path.starts_with("/api/") {
            (
                browser.api("GET", &path, Some(token), None).await,
                "case-api",
            )
        } else {
            (browser.get(&path).await, "case")
        };
        assert_eq!(page.status, 200, "{pattern}: {}", page.body);
        let after = reads(&mut sql, &case).await;
        assert_eq!(
            after.len(),
            before.len() + 1,
            "{pattern} leaves exactly one read event"
        );
        assert_eq!(
            after.last().unwrap(),
            &((*action).to_owned(), part.to_owned(), (*email).to_owned()),
            "{pattern}: who read which part, and how"
        );
    }
}
