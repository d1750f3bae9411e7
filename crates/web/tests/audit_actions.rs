//! The audit log names what happened in words a person reads, beside the stable key, and
//! every action it records is one that a capability declares.

// Test code: a failed unwrap, expect, panic or index is the test failing, as it should be.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use preventkit_services::domain::actions::AuditAction;
use preventkit_testkit::{each_engine, Engine, Server};

const RIVERTON: &str = "Riverton Prevent Partnership";

#[each_engine]
async fn every_recorded_action_is_declared_and_named_in_words(engine: Engine) {
    let s = Server::start(&engine).await;
    let pid = s.partnership_id(RIVERTON).await;
    // Signing in and making a token are recorded in the partnership's log as well as the
    // platform's; the auditor then reads the partnership's log.
    let token = s.token("auditor@riverton.example", &pid, "auditor").await;
    let mut api = s.browser();
    let r = api
        .api(
            "GET",
            &format!("/api/v1/partnerships/{pid}/audit-events?limit=500"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let events: Vec<serde_json::Value> = serde_json::from_str(&r.body).expect("events");
    assert!(!events.is_empty(), "the log has events");
    for e in &events {
        let key = e["action"].as_str().expect("action key");
        let action = AuditAction::from_key(key)
            .unwrap_or_else(|| panic!("`{key}` is recorded but no capability declares it"));
        assert_eq!(e["action_label"], action.label(), "{key}");
    }
    assert!(
        events
            .iter()
            .any(|e| e["action"] == "api-token.create" && e["action_label"] == "API token created"),
        "making the token is in the log, in words: {events:?}"
    );

    // The page shows the words, with the key beneath (to the partnership's administrator: an
    // account signs in with its second factor once per test).
    let mut admin = s.signed_in("admin@riverton.example").await;
    let page = admin.get(&format!("/p/{pid}/audit")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("API token created"), "{}", page.body);
    assert!(page.body.contains("api-token.create"));
}
