//! The Channel journey through the JSON API on a real server, on every engine: a referral
//! made with a token, refused input answered field by field, the chair assigning, the case
//! officer screening to the panel with a stale outcome refused, the referrer told only the
//! status, exceptional access asked for and given, and the auditor's access log.

// Test code: a failed unwrap, expect, panic or index is the test failing, as it should be.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use preventkit_testkit::{each_engine, Engine, Server};
use serde_json::{json, Value};

const RIVERTON: &str = "Riverton Prevent Partnership";

fn ok(status: u16) -> bool {
    (200..300).contains(&status)
}

#[each_engine]
async fn the_journey_from_referral_to_the_panel_through_the_api(engine: Engine) {
    let s = Server::start(&engine).await;
    let p = s.partnership_id(RIVERTON).await;
    let referrer = s.token("referrer@riverton.example", &p, "referrer").await;
    let chair = s.token("chair@riverton.example", &p, "channel-chair").await;
    let officer = s
        .token("caseofficer@riverton.example", &p, "case-officer")
        .await;
    let other = s
        .token("caseofficer2@riverton.example", &p, "case-officer")
        .await;
    let auditor = s.token("auditor@riverton.example", &p, "auditor").await;
    let mut b = s.browser();
    let mut sql = s.sql().await;
    let cases = "SELECT COUNT(*) FROM cases";
    let before = sql.number(cases).await;
    let api = |rest: &str| format!("/api/v1/partnerships/{p}{rest}");

    // Refused input names every field and changes nothing.
    let r = b
        .api(
            "POST",
            &api("/referrals"),
            Some(&referrer),
            Some(json!({
                "person_name": "", "date_of_birth": "", "gender": "unknown", "address": "",
                "concern": "", "concern_type": "watch-list", "organisation": "", "sector": "",
                "aware": ""
            })),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    let body = r.json();
    assert_eq!(body["error"]["code"], "validation_failed");
    let fields: Vec<String> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    for f in [
        "person_name",
        "date_of_birth",
        "gender",
        "concern_type",
        "sector",
        "aware",
    ] {
        assert!(fields.iter().any(|x| x == f), "{f} in {body}");
    }
    assert_eq!(sql.number(cases).await, before);

    let r = b
        .api(
            "POST",
            &api("/referrals"),
            Some(&referrer),
            Some(json!({
                "person_name": "Robin Apitest", "date_of_birth": "2009-09-09", "gender": "female",
                "address": "2 Mill Lane, Riverton", "concern": "NARRATIVE-API Talked of attacking a mosque",
                "concern_type": "extreme-right-wing", "organisation": "Riverton College",
                "sector": "education", "aware": "no"
            })),
        )
        .await;
    assert!(ok(r.status), "{}", r.body);
    let made = r.json();
    let case = made["id"].as_str().unwrap().to_owned();
    assert!(made["reference"].as_str().unwrap().starts_with("CH-"));
    assert_eq!(sql.number(cases).await, before + 1);

    // The referrer sees the status only, and cannot open the case.
    let r = b
        .api("GET", &api("/referrals"), Some(&referrer), None)
        .await;
    let mine: Value = r.json();
    let status = mine
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == case.as_str())
        .unwrap()["status"]
        .clone();
    assert_eq!(status, "Referred, waiting for screening");
    let r = b
        .api(
            "GET",
            &api(&format!("/cases/{case}")),
            Some(&referrer),
            None,
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(!r.body.contains("Robin"));

    // The chair assigns the case officer.
    let officer_id = sql
        .rows("SELECT id FROM users WHERE email = 'caseofficer@riverton.example'")
        .await[0][0]
        .clone()
        .unwrap();
    let r = b
        .api(
            "PUT",
            &api(&format!("/cases/{case}/officer")),
            Some(&chair),
            Some(json!({ "officer": officer_id })),
        )
        .await;
    assert!(ok(r.status), "{}", r.body);

    // The officer screens it: deconfliction, information, then the outcome on a version.
    let today = s.app.today().to_string();
    let r = b
        .api(
            "POST",
            &api(&format!("/cases/{case}/deconflictions")),
            Some(&officer),
            Some(json!({ "on": today, "with_whom": "CTP Prevent team", "result": "no-conflict" })),
        )
        .await;
    assert!(ok(r.status), "{}", r.body);
    let r = b
        .api(
            "POST",
            &api(&format!("/cases/{case}/information")),
            Some(&officer),
            Some(json!({ "source": "Riverton College", "received": today, "narrative": "NARRATIVE-PARTNER Absent often" })),
        )
        .await;
    assert!(ok(r.status), "{}", r.body);
    let r = b
        .api("GET", &api(&format!("/cases/{case}")), Some(&officer), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let view = r.json();
    assert_eq!(view["relation"], "case-officer");
    assert_eq!(view["person"]["name"], "Robin Apitest");
    assert_eq!(view["timeline"].as_array().unwrap().len(), 4);
    let version = view["case"]["version"].as_i64().unwrap();
    let outcome = |v: i64| json!({ "version": v, "outcome": "to-panel", "reasons": "REASONS-API Needs multi-agency support" });
    let r = b
        .api(
            "POST",
            &api(&format!("/cases/{case}/outcome")),
            Some(&officer),
            Some(outcome(version - 1)),
        )
        .await;
    assert_eq!(r.status, 409, "a stale version: {}", r.body);
    let r = b
        .api(
            "POST",
            &api(&format!("/cases/{case}/outcome")),
            Some(&officer),
            Some(outcome(version)),
        )
        .await;
    assert!(ok(r.status), "{}", r.body);

    // The referrer hears the category; nothing anyone else wrote.
    let r = b
        .api("GET", &api("/referrals"), Some(&referrer), None)
        .await;
    assert!(
        r.body.contains("Screened: sent to the Channel panel"),
        "{}",
        r.body
    );
    for secret in ["NARRATIVE-PARTNER", "REASONS-API", "CTP Prevent team"] {
        assert!(!r.body.contains(secret));
    }

    // Another case officer must ask for exceptional access, with a reason.
    let r = b
        .api("GET", &api(&format!("/cases/{case}")), Some(&other), None)
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(r.json()["error"]["code"], "exceptional_access_needed");
    assert!(!r.body.contains("Robin"));
    let r = b
        .api(
            "POST",
            &api(&format!("/cases/{case}/exceptional-access")),
            Some(&other),
            Some(json!({ "reason": "Covering the duty desk today" })),
        )
        .await;
    assert!(ok(r.status), "{}", r.body);
    let r = b
        .api("GET", &api(&format!("/cases/{case}")), Some(&other), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["relation"], "exceptional");

    // The auditor sees every read and change of the case, without its content.
    let r = b
        .api(
            "GET",
            &api(&format!("/cases/{case}/access-log")),
            Some(&auditor),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    for key in [
        "case.refer",
        "case.assign",
        "case.read.officer",
        "case.exceptional-access",
        "case.read.exceptional",
        "case.screen",
    ] {
        assert!(r.body.contains(key), "{key} in {}", r.body);
    }
    for secret in ["Robin", "NARRATIVE", "REASONS-API"] {
        assert!(!r.body.contains(secret), "{secret}");
    }
    // The auditor has no way into the content itself.
    let r = b
        .api("GET", &api(&format!("/cases/{case}")), Some(&auditor), None)
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
}
