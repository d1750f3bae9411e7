//! The API document describes the server exactly, and the API's limits hold, on a real server:
//!
//! - every API route is in the document with the errors it can answer (400 and 401 on every
//!   one, 403, 404, 413 and 422 where they can happen, 503), and every answer the tests provoke
//!   (stale edits, conflicts, refusals, validation errors) matches its documented schema and
//!   content type;
//! - the constraints the server enforces are in the schemas (non-empty strings, the reason to
//!   reopen, integer versions, enums);
//! - evidence files come back with a documented content type;
//! - bodies over the limit answer 413; a 10 MiB evidence file fits in base64, a larger one is
//!   refused with a structured error;
//! - errors that do not come from a handler (unknown path, wrong method, bad path encoding)
//!   are JSON too.

// Test code: a failed unwrap, expect, panic or index is the test failing, as it should be.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use base64::Engine as _;
use preventkit_services::domain::Access;
use preventkit_services::evidence::MAX_FILE_BYTES;
use preventkit_testkit::{each_engine, Browser, Engine, Page, Server};
use preventkit_web::api::MAX_JSON_BYTES;
use preventkit_web::evidence::api::{FILE_TYPES, MAX_EVIDENCE_JSON_BYTES};
use preventkit_web::routes::{specs, Surface};
use serde_json::{json, Value};

const RIVERTON: &str = "Riverton Prevent Partnership";

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

// ---------------------------------------------------------------------------------------------
// A small JSON Schema checker: enough of 2020-12 for this document ($ref, oneOf, anyOf, type,
// enum, required, properties, additionalProperties, items, minLength, minimum).
// ---------------------------------------------------------------------------------------------

fn resolve<'a>(doc: &'a Value, reference: &str) -> &'a Value {
    let path = reference.strip_prefix("#/").expect("a local reference");
    path.split('/').fold(doc, |v, part| &v[part])
}

fn type_matches(v: &Value, t: &str) -> bool {
    match t {
        "string" => v.is_string(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        "object" => v.is_object(),
        "array" => v.is_array(),
        _ => false,
    }
}

/// What is wrong with `v` under `schema` (nothing, if empty).
fn check(doc: &Value, schema: &Value, v: &Value, at: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(r) = schema["$ref"].as_str() {
        return check(doc, resolve(doc, r), v, at);
    }
    if let Some(all) = schema["oneOf"].as_array() {
        let ok = all
            .iter()
            .filter(|s| check(doc, s, v, at).is_empty())
            .count();
        if ok != 1 {
            out.push(format!("{at}: matches {ok} of oneOf, not exactly one"));
        }
    }
    if let Some(any) = schema["anyOf"].as_array() {
        if !any.iter().any(|s| check(doc, s, v, at).is_empty()) {
            out.push(format!("{at}: matches none of anyOf"));
        }
    }
    match &schema["type"] {
        Value::String(t) if !type_matches(v, t) => out.push(format!("{at}: not a {t}: {v}")),
        Value::Array(ts) if !ts.iter().any(|t| type_matches(v, t.as_str().unwrap_or(""))) => {
            out.push(format!("{at}: not any of {ts:?}: {v}"))
        }
        _ => {}
    }
    if let Some(list) = schema["enum"].as_array() {
        if !list.contains(v) {
            out.push(format!("{at}: {v} is not one of {list:?}"));
        }
    }
    if let (Some(min), Some(s)) = (schema["minLength"].as_u64(), v.as_str()) {
        if (s.chars().count() as u64) < min {
            out.push(format!("{at}: shorter than {min}"));
        }
    }
    if let (Some(min), Some(n)) = (schema["minimum"].as_f64(), v.as_f64()) {
        if n < min {
            out.push(format!("{at}: {n} is below {min}"));
        }
    }
    if let Some(obj) = v.as_object() {
        for r in schema["required"].as_array().into_iter().flatten() {
            let name = r.as_str().unwrap_or_default();
            if !obj.contains_key(name) {
                out.push(format!("{at}: '{name}' is missing"));
            }
        }
        let props = schema["properties"].as_object();
        for (k, val) in obj {
            match props.and_then(|p| p.get(k)) {
                Some(s) => out.extend(check(doc, s, val, &format!("{at}.{k}"))),
                None if schema["additionalProperties"] == json!(false) => {
                    out.push(format!("{at}: '{k}' is not documented"))
                }
                None => {}
            }
        }
    }
    if let (Some(items), Some(arr)) = (schema.get("items"), v.as_array()) {
        for (i, item) in arr.iter().enumerate() {
            out.extend(check(doc, items, item, &format!("{at}[{i}]")));
        }
    }
    out
}

/// The documented response of `method pattern` for this status, with $refs followed.
fn documented<'a>(doc: &'a Value, pattern: &str, method: &str, status: u16) -> &'a Value {
    let r = &doc["paths"][pattern][method.to_lowercase()]["responses"][status.to_string()];
    assert!(
        r.is_object(),
        "{method} {pattern} does not document {status}"
    );
    match r["$ref"].as_str() {
        Some(reference) => resolve(doc, reference),
        None => r,
    }
}

/// The answer is documented for its status, with its content type, its body's schema and its
/// documented headers.
fn conforms(doc: &Value, pattern: &str, method: &str, r: &Page) {
    let response = documented(doc, pattern, method, r.status);
    for (name, _) in response["headers"].as_object().into_iter().flatten() {
        assert!(
            r.header(name).is_some(),
            "{method} {pattern} -> {}: documented header {name} is missing",
            r.status
        );
    }
    let Some(content) = response["content"].as_object() else {
        assert!(
            r.body.is_empty(),
            "{method} {pattern} -> {}: documented without a body, but sent {}",
            r.status,
            r.body
        );
        return;
    };
    let sent = r
        .header("content-type")
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned();
    let Some(media) = content.get(&sent) else {
        panic!(
            "{method} {pattern} -> {}: content type {sent} is not documented ({:?})",
            r.status,
            content.keys().collect::<Vec<_>>()
        );
    };
    if let Some(schema) = media.get("schema") {
        let body: Value = serde_json::from_str(&r.body).expect("a JSON body");
        let problems = check(doc, schema, &body, "body");
        assert!(
            problems.is_empty(),
            "{method} {pattern} -> {}: the body does not match the document:\n{}\n{}",
            r.status,
            problems.join("\n"),
            r.body
        );
    }
}

async fn document(s: &Server) -> Value {
    let r = s.browser().get("/api/v1/openapi.json").await;
    assert_eq!(r.status, 200);
    r.json()
}

// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_api_route_is_documented_with_the_errors_it_can_answer() {
    let engine = Engine::Sqlite;
    let s = Server::start(&engine).await;
    let doc = document(&s).await;
    let routes: Vec<_> = specs()
        .into_iter()
        .filter(|r| r.surface == Surface::Api && r.path != "/api/v1/openapi.json")
        .collect();
    let mut problems = Vec::new();
    let mut documented_ops = 0;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("a path item") {
            documented_ops += 1;
            let Some(route) = routes
                .iter()
                .find(|r| r.path == path && r.method.as_str().eq_ignore_ascii_case(method))
            else {
                problems.push(format!("{method} {path} is documented but not served"));
                continue;
            };
            let has_body = op.get("requestBody").is_some();
            let has_query = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|p| p["in"] == "query");
            let mut wanted = vec!["400", "401", "503"];
            if matches!(route.access, Access::Permission(_)) {
                wanted.push("403");
            }
            if path.contains('{') {
                wanted.push("404");
            }
            if has_body {
                wanted.extend(["413", "422"]);
            }
            if has_query {
                wanted.push("422");
            }
            for status in wanted {
                let r = &op["responses"][status];
                if !r.is_object() {
                    problems.push(format!("{method} {path} does not document {status}"));
                    continue;
                }
                let r = match r["$ref"].as_str() {
                    Some(reference) => resolve(&doc, reference),
                    None => r,
                };
                if r["description"]
                    .as_str()
                    .is_none_or(|d| d.trim().is_empty())
                {
                    problems.push(format!("{method} {path} {status} has no description"));
                }
                if !r["content"]["application/json"]["schema"].is_object() {
                    problems.push(format!("{method} {path} {status} has no JSON error body"));
                }
                if status == "401" && !r["headers"]["WWW-Authenticate"].is_object() {
                    problems.push(format!("{method} {path} 401 without WWW-Authenticate"));
                }
            }
            if !matches!(route.access, Access::Permission(_)) && op["responses"]["403"].is_object()
            {
                problems.push(format!("{method} {path} documents a 403 it cannot answer"));
            }
        }
    }
    assert_eq!(
        documented_ops,
        routes.len(),
        "every API route is documented once"
    );
    // Every reference leads somewhere.
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    out.push(r.clone());
                }
                m.values().for_each(|x| refs(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    refs(&doc, &mut all);
    for r in all {
        if resolve(&doc, &r).is_null() {
            problems.push(format!("{r} leads nowhere"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_schemas_carry_the_constraints_the_server_enforces() {
    let engine = Engine::Sqlite;
    let s = Server::start(&engine).await;
    let doc = document(&s).await;
    let schemas = &doc["components"]["schemas"];
    let prop = |schema: &str, p: &str| -> Value {
        let v = &schemas[schema]["properties"][p];
        match v["$ref"].as_str() {
            Some(r) => resolve(&doc, r).clone(),
            None => v.clone(),
        }
    };

    // Non-empty strings.
    for (schema, p) in [
        ("NewAssessmentRequest", "title"),
        ("NewAssessmentRequest", "framework"),
        ("NewComment", "body"),
        ("NewMembership", "email"),
    ] {
        let v = prop(schema, p);
        assert!(
            v["minLength"].as_u64().is_some_and(|n| n >= 1),
            "{schema}.{p} has no minLength: {v}"
        );
    }
    // Text the server trims and checks for control characters, base64 and email addresses
    // are described by patterns.
    for (schema, p) in [
        ("NewAssessmentRequest", "title"),
        ("NewComment", "body"),
        ("NewMembership", "email"),
    ] {
        assert!(
            prop(schema, p)["pattern"].is_string(),
            "{schema}.{p} has no pattern"
        );
    }
    let file_variant = schemas["NewEvidenceRequest"]["oneOf"]
        .as_array()
        .and_then(|v| {
            v.iter()
                .find(|v| v["properties"]["kind"]["enum"] == json!(["file"]))
        })
        .expect("a file variant");
    assert!(file_variant["properties"]["content_base64"]["pattern"].is_string());
    // Versions are integers counted from 1.
    assert_eq!(prop("ResponseUpdate", "version")["type"], "integer");
    assert_eq!(prop("UpgradeRequest", "to_version")["type"], "integer");
    assert_eq!(prop("ResponseItem", "version")["minimum"], 1);
    // Enums.
    assert_eq!(
        prop("AssessmentSummary", "state")["enum"],
        json!(["draft", "submitted", "approved", "locked"])
    );
    assert_eq!(
        prop("EvidenceItem", "marking")["enum"],
        json!(["OFFICIAL", "OFFICIAL-SENSITIVE"])
    );
    assert_eq!(
        prop("EvidenceItem", "kind")["enum"],
        json!(["file", "link"])
    );
    assert_eq!(
        prop("AuditEvent", "outcome")["enum"],
        json!(["success", "failure", "denied"])
    );
    let roles = prop("Membership", "role")["enum"].clone();
    assert!(
        roles
            .as_array()
            .is_some_and(|r| r.contains(&json!("prevent-lead"))),
        "roles: {roles}"
    );
    assert_eq!(prop("UpdateMembership", "role")["enum"], roles);
    let codes = prop("ErrorDetail", "code")["enum"].clone();
    for c in ["stale_edit", "payload_too_large", "validation_failed"] {
        assert!(
            codes.as_array().is_some_and(|l| l.contains(&json!(c))),
            "{c} in {codes}"
        );
    }
    // Reopening needs a reason; submitting and locking do not.
    let t = &schemas["TransitionRequest"];
    let variants = t["oneOf"].as_array().expect("TransitionRequest is oneOf");
    let reopen = variants
        .iter()
        .find(|v| v["properties"]["action"]["enum"] == json!(["reopen"]))
        .expect("a reopen variant");
    assert!(
        reopen["required"]
            .as_array()
            .is_some_and(|r| r.contains(&json!("reason"))),
        "reopen requires a reason"
    );
    assert_eq!(reopen["properties"]["reason"]["minLength"], 1);
    for body in [
        json!({"action": "submit"}),
        json!({"action": "lock", "reason": null}),
        json!({"action": "reopen", "reason": "Board asked for changes"}),
    ] {
        assert!(
            check(&doc, t, &body, "body").is_empty(),
            "{body} is a valid TransitionRequest"
        );
    }
    for body in [
        json!({"action": "reopen"}),
        json!({"action": "reopen", "reason": ""}),
        json!({"action": "approve"}),
        json!({"action": "submit", "colour": "red"}),
    ] {
        assert!(
            !check(&doc, t, &body, "body").is_empty(),
            "{body} is not a valid TransitionRequest"
        );
    }
    // Evidence is an existing item, a link or a file.
    let e = &schemas["NewEvidenceRequest"];
    for body in [
        json!({"evidence_id": "0d5e..."}),
        json!({"kind": "link", "title": "Plan", "url": "https://example.org/plan", "marking": "official"}),
        json!({"kind": "file", "title": "Minutes", "file_name": "m.pdf", "content_base64": "JVBERg==", "marking": "official-sensitive", "review_date": "2027-01-31"}),
    ] {
        assert!(
            check(&doc, e, &body, "body").is_empty(),
            "{body} is a valid NewEvidenceRequest"
        );
    }
    for body in [
        json!({}),
        json!({"kind": "link", "title": "Plan", "marking": "official"}),
        json!({"kind": "file", "title": "", "file_name": "m.pdf", "content_base64": "JVBERg==", "marking": "official"}),
        json!({"kind": "link", "title": "Plan", "url": "https://example.org", "marking": "secret"}),
    ] {
        assert!(
            !check(&doc, e, &body, "body").is_empty(),
            "{body} is not a valid NewEvidenceRequest"
        );
    }

    // And the server refuses what the schemas refuse.
    let pid = s.partnership_id(RIVERTON).await;
    let lead = s.token("lead@riverton.example", &pid, "prevent-lead").await;
    let mut b = s.browser();
    let base = format!("/api/v1/partnerships/{pid}/assessments");
    let draft = draft_id(&mut b, &base, &lead).await;
    for (path, body) in [
        (
            format!("{base}/{draft}/transitions"),
            json!({"action": "reopen", "reason": "  "}),
        ),
        (
            format!("{base}/{draft}/responses/1.1/comments"),
            json!({"body": " "}),
        ),
        (
            base.clone(),
            json!({"title": " ", "framework": "prevent-duty-benchmarks",
                "period_start": "2027-04-01", "period_end": "2028-03-31"}),
        ),
    ] {
        let r = b.api("POST", &path, Some(&lead), Some(body)).await;
        assert_eq!(r.status, 422, "{path}: {}", r.body);
    }
}

/// A request to make (method, path, documented pattern, token, body) and the status expected.
type Case<'a> = (&'a str, String, String, Option<&'a str>, Option<Value>, u16);

async fn draft_id(b: &mut Browser, base: &str, token: &str) -> String {
    let list = b.api("GET", base, Some(token), None).await.json();
    list.as_array()
        .expect("a list")
        .iter()
        .find(|a| a["state"] == "draft")
        .expect("the demonstration draft")["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

#[each_engine]
async fn answers_match_their_documented_status_content_type_and_schema(engine: Engine) {
    let s = Server::start(&engine).await;
    let doc = document(&s).await;
    let pid = s.partnership_id(RIVERTON).await;
    let lead = s.token("lead@riverton.example", &pid, "prevent-lead").await;
    let contributor = s
        .token("contributor@riverton.example", &pid, "contributor")
        .await;
    let mut b = s.browser();
    let base = format!("/api/v1/partnerships/{pid}/assessments");
    let p_base = "/api/v1/partnerships/{partnership}/assessments";
    let draft = draft_id(&mut b, &base, &lead).await;
    let answer = format!("{base}/{draft}/responses/1.1");
    let p_answer = format!("{p_base}/{{assessment}}/responses/{{question}}");

    let r = b.api("GET", &answer, Some(&lead), None).await;
    conforms(&doc, &p_answer, "GET", &r);
    let version = r.json()["version"].as_i64().expect("version");

    // A change, then a stale edit: 409 with the stored answer and the refused edit.
    let r = b
        .api(
            "PUT",
            &answer,
            Some(&lead),
            Some(json!({"rating": "", "details": "first", "version": version})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    conforms(&doc, &p_answer, "PUT", &r);
    let r = b
        .api(
            "PUT",
            &answer,
            Some(&lead),
            Some(json!({"rating": "", "details": "second", "version": version})),
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(r.json()["error"]["code"], "stale_edit");
    assert_eq!(r.json()["yours"]["details"], "second");
    conforms(&doc, &p_answer, "PUT", &r);

    // Refusals and mistakes, each as documented.
    let cases: Vec<Case> = vec![
        ("GET", answer.clone(), p_answer.clone(), None, None, 401),
        (
            "GET",
            answer.clone(),
            p_answer.clone(),
            Some("pkt_not-a-token"),
            None,
            401,
        ),
        (
            "POST",
            format!("{base}/{draft}/transitions"),
            format!("{p_base}/{{assessment}}/transitions"),
            Some(&contributor),
            Some(json!({"action": "submit"})),
            403,
        ),
        (
            "GET",
            format!("{base}/{}", uuid::Uuid::new_v4()),
            format!("{p_base}/{{assessment}}"),
            Some(&lead),
            None,
            404,
        ),
        (
            "GET",
            "/api/v1/partnerships/not-an-id/assessments".to_owned(),
            p_base.to_owned(),
            Some(&lead),
            None,
            404,
        ),
        (
            "POST",
            format!("{base}/{draft}/transitions"),
            format!("{p_base}/{{assessment}}/transitions"),
            Some(&lead),
            Some(json!({"action": "reopen"})),
            422,
        ),
        (
            "POST",
            format!("{base}/{draft}/transitions"),
            format!("{p_base}/{{assessment}}/transitions"),
            Some(&lead),
            Some(json!({"action": "lock"})),
            409,
        ),
        (
            "PUT",
            answer.clone(),
            p_answer.clone(),
            Some(&lead),
            Some(json!({"rating": "", "details": "x", "version": "1"})),
            422,
        ),
        (
            "GET",
            format!("/api/v1/partnerships/{pid}/audit-events?limit=x"),
            "/api/v1/partnerships/{partnership}/audit-events".to_owned(),
            Some(&lead),
            None,
            403,
        ),
    ];
    for (method, path, pattern, token, body, status) in cases {
        let r = b.api(method, &path, token, body).await;
        assert_eq!(r.status, status, "{method} {path}: {}", r.body);
        conforms(&doc, &pattern, method, &r);
    }

    // A body that is not JSON: 400, as documented.
    let r = raw(
        &s,
        "POST",
        &format!("{base}/{draft}/transitions"),
        &lead,
        "text/plain",
        b"submit".to_vec(),
    )
    .await;
    assert_eq!(r.status, 400, "{}", r.body);
    conforms(
        &doc,
        &format!("{p_base}/{{assessment}}/transitions"),
        "POST",
        &r,
    );

    // A draft with blank questions is refused until the lead says so (422), then submitted.
    let r = b
        .api(
            "POST",
            &format!("{base}/{draft}/transitions"),
            Some(&lead),
            Some(json!({"action": "submit"})),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    conforms(
        &doc,
        &format!("{p_base}/{{assessment}}/transitions"),
        "POST",
        &r,
    );
    // Submitted: answers are frozen, a 409 of the other kind.
    let r = b
        .api(
            "POST",
            &format!("{base}/{draft}/transitions"),
            Some(&lead),
            Some(json!({"action": "submit", "confirm_unanswered": true})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    conforms(
        &doc,
        &format!("{p_base}/{{assessment}}/transitions"),
        "POST",
        &r,
    );
    let now = b.api("GET", &answer, Some(&lead), None).await.json()["version"]
        .as_i64()
        .expect("version");
    let r = b
        .api(
            "PUT",
            &answer,
            Some(&lead),
            Some(json!({"rating": "", "details": "late", "version": now})),
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(r.json()["error"]["code"], "conflict");
    conforms(&doc, &p_answer, "PUT", &r);
    // An import into an assessment that is not a draft: the error body, as documented.
    let r = b
        .api(
            "POST",
            &format!("{base}/{draft}/import"),
            Some(&lead),
            Some(json!({"file": ""})),
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(r.json()["error"]["code"], "conflict");
    conforms(&doc, &format!("{p_base}/{{assessment}}/import"), "POST", &r);
}

/// A request with a raw body of the given type.
async fn raw(
    s: &Server,
    method: &str,
    path: &str,
    token: &str,
    content_type: &str,
    body: Vec<u8>,
) -> Page {
    let client = reqwest::Client::new();
    let m = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
    let res = client
        .request(m, format!("{}{path}", s.base))
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("request");
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let body = res.text().await.unwrap_or_default();
    Page {
        status,
        headers,
        body,
    }
}

/// The smallest file of each accepted kind: the extension and the first bytes.
fn sample(ext: &str) -> Vec<u8> {
    match ext {
        "pdf" => b"%PDF-1.4\n".to_vec(),
        "png" => b"\x89PNG\r\n\x1a\n".to_vec(),
        "jpg" => b"\xFF\xD8\xFF\xE0".to_vec(),
        "txt" => b"notes\n".to_vec(),
        "csv" => b"a,b\n1,2\n".to_vec(),
        _ => b"PK\x03\x04".to_vec(),
    }
}

#[each_engine]
async fn evidence_files_are_served_with_a_documented_content_type(engine: Engine) {
    let s = Server::start(&engine).await;
    let doc = document(&s).await;
    let pattern = "/api/v1/partnerships/{partnership}/evidence/{evidence}/file";
    let listed: Vec<String> = documented(&doc, pattern, "GET", 200)["content"]
        .as_object()
        .expect("content")
        .keys()
        .cloned()
        .collect();
    let pid = s.partnership_id(RIVERTON).await;
    let lead = s.token("lead@riverton.example", &pid, "prevent-lead").await;
    let mut b = s.browser();
    let base = format!("/api/v1/partnerships/{pid}/assessments");
    let draft = draft_id(&mut b, &base, &lead).await;
    let mut served = Vec::new();
    for ext in [
        "pdf", "png", "jpg", "docx", "xlsx", "pptx", "odt", "ods", "txt", "csv",
    ] {
        let r = b
            .api(
                "POST",
                &format!("{base}/{draft}/responses/1.1/evidence"),
                Some(&lead),
                Some(json!({"kind": "file", "title": format!("A .{ext} file"),
                        "file_name": format!("evidence.{ext}"),
                        "content_base64": b64(&sample(ext)), "marking": "official"})),
            )
            .await;
        assert_eq!(r.status, 201, ".{ext}: {}", r.body);
        let id = r.json()["id"].as_str().expect("id").to_owned();
        let r = b
            .api(
                "GET",
                &format!("/api/v1/partnerships/{pid}/evidence/{id}/file"),
                Some(&lead),
                None,
            )
            .await;
        assert_eq!(r.status, 200, ".{ext}");
        let t = r.header("content-type").unwrap_or_default().to_owned();
        assert!(
            listed.contains(&t),
            ".{ext} is served as {t}, not documented: {listed:?}"
        );
        assert!(
            r.header("content-disposition")
                .is_some_and(|d| d.starts_with("attachment;")),
            ".{ext} is an attachment"
        );
        conforms(&doc, pattern, "GET", &r);
        served.push(t);
    }
    served.sort();
    served.dedup();
    let mut all: Vec<String> = FILE_TYPES.iter().map(|t| (*t).to_owned()).collect();
    all.sort();
    assert_eq!(served, all, "each documented type is one the server serves");
}

#[each_engine]
async fn bodies_over_the_limit_answer_413_with_a_structured_error(engine: Engine) {
    let s = Server::start(&engine).await;
    let doc = document(&s).await;
    let pid = s.partnership_id(RIVERTON).await;
    let lead = s.token("lead@riverton.example", &pid, "prevent-lead").await;
    let mut b = s.browser();
    let base = format!("/api/v1/partnerships/{pid}/assessments");
    let before = b.api("GET", &base, Some(&lead), None).await.json();

    // Over 1 MiB, and over the old 11 MiB too: 413, JSON, nothing created.
    for size in [MAX_JSON_BYTES + 1, 12 * 1024 * 1024] {
        let title = "x".repeat(size);
        let body = json!({"title": title, "framework": "prevent-duty-benchmarks",
                "period_start": "2027-04-01", "period_end": "2028-03-31"});
        let r = b.api("POST", &base, Some(&lead), Some(body)).await;
        assert_eq!(
            r.status,
            413,
            "{size} bytes: {}",
            &r.body[..r.body.len().min(200)]
        );
        assert_eq!(r.json()["error"]["code"], "payload_too_large");
        conforms(
            &doc,
            "/api/v1/partnerships/{partnership}/assessments",
            "POST",
            &r,
        );
    }
    // Just under the limit is read (and then refused for what it says).
    let title = "x".repeat(MAX_JSON_BYTES - 200);
    let r = b
        .api(
            "POST",
            &base,
            Some(&lead),
            Some(
                json!({"title": title, "framework": "prevent-duty-benchmarks",
                    "period_start": "2027-04-01", "period_end": "2028-03-31"}),
            ),
        )
        .await;
    assert_eq!(r.status, 422, "{}", &r.body[..r.body.len().min(200)]);
    assert_eq!(b.api("GET", &base, Some(&lead), None).await.json(), before);
}

#[each_engine]
async fn a_10_mib_evidence_file_fits_in_base64_and_a_larger_one_is_refused_clearly(engine: Engine) {
    let e = engine.name();
    let s = Server::start(&engine).await;
    let doc = document(&s).await;
    let pattern =
        "/api/v1/partnerships/{partnership}/assessments/{assessment}/responses/{question}/evidence";
    let pid = s.partnership_id(RIVERTON).await;
    let lead = s.token("lead@riverton.example", &pid, "prevent-lead").await;
    let mut b = s.browser();
    let base = format!("/api/v1/partnerships/{pid}/assessments");
    let draft = draft_id(&mut b, &base, &lead).await;
    let path = format!("{base}/{draft}/responses/1.1/evidence");
    let pdf = |len: usize| {
        let mut v = b"%PDF-1.4\n".to_vec();
        v.resize(len, b'a');
        v
    };
    let body = |bytes: &[u8]| {
        json!({"kind": "file", "title": "Large minutes", "file_name": "large.pdf",
                "content_base64": b64(bytes), "marking": "official"})
    };

    // Exactly 10 MiB: about 13.3 MiB of base64, accepted and served back whole.
    let r = b
        .api("POST", &path, Some(&lead), Some(body(&pdf(MAX_FILE_BYTES))))
        .await;
    assert_eq!(r.status, 201, "[{e}] {}", r.body);
    let id = r.json()["id"].as_str().expect("id").to_owned();
    let r = b
        .api(
            "GET",
            &format!("/api/v1/partnerships/{pid}/evidence/{id}/file"),
            Some(&lead),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "[{e}]");
    assert_eq!(r.body.len(), MAX_FILE_BYTES, "[{e}] the whole file");

    // One byte more: 422 naming content_base64 and the limit.
    let r = b
        .api(
            "POST",
            &path,
            Some(&lead),
            Some(body(&pdf(MAX_FILE_BYTES + 1))),
        )
        .await;
    assert_eq!(r.status, 422, "[{e}] {}", r.body);
    let err = &r.json()["error"];
    assert_eq!(err["code"], "validation_failed", "[{e}]");
    assert_eq!(err["field"], "content_base64", "[{e}]");
    assert!(
        err["fields"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("10 MiB")),
        "[{e}] {}",
        r.body
    );
    conforms(&doc, pattern, "POST", &r);

    // A body larger than any 10 MiB file needs: 413.
    let r = b
        .api(
            "POST",
            &path,
            Some(&lead),
            Some(body(&pdf(MAX_EVIDENCE_JSON_BYTES))),
        )
        .await;
    assert_eq!(r.status, 413, "[{e}] {}", r.body);
    assert_eq!(r.json()["error"]["code"], "payload_too_large", "[{e}]");
    conforms(&doc, pattern, "POST", &r);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_that_no_handler_made_are_json_too() {
    let engine = Engine::Sqlite;
    let s = Server::start(&engine).await;
    let pid = s.partnership_id(RIVERTON).await;
    let lead = s.token("lead@riverton.example", &pid, "prevent-lead").await;
    let mut b = s.browser();
    for (method, path, status) in [
        ("GET", "/api/v1/no-such-thing".to_owned(), 404),
        ("GET", "/api/v1/organisations/".to_owned(), 404),
        ("DELETE", "/api/v1/me".to_owned(), 405),
        (
            "GET",
            format!("/api/v1/partnerships/{pid}/assessments/%FF%FE"),
            400,
        ),
    ] {
        let r = b.api(method, &path, Some(&lead), None).await;
        assert_eq!(r.status, status, "{method} {path}: {}", r.body);
        assert!(
            r.header("content-type")
                .is_some_and(|t| t.starts_with("application/json")),
            "{method} {path}: {:?}",
            r.header("content-type")
        );
        assert!(r.json()["error"]["code"].is_string(), "{}", r.body);
    }
    // Pages keep their HTML.
    let r = b.get("/no-such-page").await;
    assert_eq!(r.status, 404);
    assert!(r
        .header("content-type")
        .is_some_and(|t| t.starts_with("text/html")));
}

#[each_engine]
async fn versions_are_whole_numbers_as_json_schema_counts_them_and_bodies_are_objects(
    engine: Engine,
) {
    let e = engine.name();
    let s = Server::start(&engine).await;
    let pid = s.partnership_id(RIVERTON).await;
    let lead = s.token("lead@riverton.example", &pid, "prevent-lead").await;
    let board = s
        .token("board@riverton.example", &pid, "board-member")
        .await;
    let mut b = s.browser();
    let base = format!("/api/v1/partnerships/{pid}/assessments");
    let draft = draft_id(&mut b, &base, &lead).await;
    let answer = format!("{base}/{draft}/responses/1.1");
    let version = b.api("GET", &answer, Some(&lead), None).await.json()["version"]
        .as_i64()
        .expect("version");

    // `3.0` is the integer 3 in JSON Schema, so the server takes it as 3.
    let body = format!(r#"{{"rating": "", "details": "whole", "version": {version}.0}}"#);
    let r = raw(
        &s,
        "PUT",
        &answer,
        &lead,
        "application/json",
        body.into_bytes(),
    )
    .await;
    assert_eq!(r.status, 200, "[{e}] {}", r.body);
    assert_eq!(r.json()["version"], version + 1, "[{e}]");
    // A fraction is not a version.
    let body = format!(r#"{{"rating": "", "details": "half", "version": {version}.5}}"#);
    let r = raw(
        &s,
        "PUT",
        &answer,
        &lead,
        "application/json",
        body.into_bytes(),
    )
    .await;
    assert_eq!(r.status, 422, "[{e}] {}", r.body);
    let r = b
        .api(
            "POST",
            &format!("{base}/{draft}/upgrade"),
            Some(&lead),
            Some(json!({"to_version": 1.0})),
        )
        .await;
    assert_ne!(r.status, 422, "[{e}] {}", r.body);

    // A body that is not an object is refused, even where the object is empty.
    for body in ["[]", "null", "1", "\"x\""] {
        let r = raw(
            &s,
            "POST",
            &format!("{base}/{draft}/approval"),
            &board,
            "application/json",
            body.as_bytes().to_vec(),
        )
        .await;
        assert_eq!(r.status, 422, "[{e}] {body}: {}", r.body);
        assert_eq!(r.json()["error"]["field"], "body", "[{e}] {body}");
    }
}
