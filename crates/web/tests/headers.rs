//! The header walk: every declared route, asked every way it can be asked, answers with the
//! security headers; and the cookies the service sets are HttpOnly and SameSite, and with
//! secure cookies on, `__Host-` prefixed and Secure. With an https public address every answer
//! carries Strict-Transport-Security, and never over http. A redirect never carries a CR or LF
//! from the request. On every engine.

// Test code: a failed unwrap, expect, panic or index is the test failing, as it should be.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use preventkit_services::demo::DEMO_PASSWORD;
use preventkit_services::domain::policy::decide;
use preventkit_services::domain::{Access, Actor, PartnershipId, Permission, Scope};
use preventkit_services::identity::NewToken;
use preventkit_services::RequestContext;
use preventkit_testkit::{each_engine, Browser, Engine, Options, Page, Server};
use preventkit_web::routes::{specs, RouteSpec, Surface};
use preventkit_web::WebConfig;

const STYLESHEET: &str = "/assets/app.css";

/// What is wrong with one answer's headers (nothing, if the list is empty).
fn header_problems(path: &str, r: &Page) -> Vec<String> {
    let mut p = Vec::new();
    match r.header("content-security-policy") {
        None => p.push("no Content-Security-Policy".to_owned()),
        Some(csp) => {
            if !csp.contains("frame-ancestors 'none'") {
                p.push(format!("CSP without frame-ancestors 'none': {csp}"));
            }
            if csp.contains("unsafe-inline") || csp.contains("unsafe-eval") {
                p.push(format!("CSP allows unsafe script or style: {csp}"));
            }
        }
    }
    if r.header("x-content-type-options") != Some("nosniff") {
        p.push(format!(
            "X-Content-Type-Options: {:?}",
            r.header("x-content-type-options")
        ));
    }
    if r.header("referrer-policy").is_none() {
        p.push("no Referrer-Policy".to_owned());
    }
    if r.header("cross-origin-opener-policy").is_none() {
        p.push("no Cross-Origin-Opener-Policy".to_owned());
    }
    if r.header("strict-transport-security").is_some() {
        p.push("Strict-Transport-Security over plain http".to_owned());
    }
    if path != STYLESHEET && r.header("cache-control") != Some("no-store") {
        p.push(format!("Cache-Control: {:?}", r.header("cache-control")));
    }
    for c in set_cookies(r) {
        if !c.has("httponly") {
            p.push(format!("cookie {} is not HttpOnly", c.name));
        }
        if !matches!(
            c.attr("samesite").map(str::to_ascii_lowercase).as_deref(),
            Some("lax" | "strict")
        ) {
            p.push(format!("cookie {} has no SameSite=Lax or Strict", c.name));
        }
    }
    p
}

/// One `Set-Cookie` header, parsed.
struct SetCookie {
    name: String,
    value: String,
    attrs: Vec<(String, Option<String>)>,
}

impl SetCookie {
    fn has(&self, name: &str) -> bool {
        self.attrs.iter().any(|(k, _)| k.eq_ignore_ascii_case(name))
    }
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| v.as_deref())
    }
}

fn set_cookies(r: &Page) -> Vec<SetCookie> {
    r.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| {
            let mut parts = v.split(';').map(str::trim);
            let (name, value) = parts.next()?.split_once('=')?;
            let attrs = parts
                .filter(|a| !a.is_empty())
                .map(|a| match a.split_once('=') {
                    Some((k, v)) => (k.trim().to_owned(), Some(v.trim().to_owned())),
                    None => (a.to_owned(), None),
                })
                .collect();
            Some(SetCookie {
                name: name.to_owned(),
                value: value.to_owned(),
                attrs,
            })
        })
        .collect()
}

fn cookie_named<'a>(cookies: &'a [SetCookie], name: &str) -> &'a SetCookie {
    cookies
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no Set-Cookie for {name}"))
}

struct Ids {
    riverton: String,
    eastvale: String,
    eastvale_membership: String,
    organisation: String,
}

async fn ids(s: &Server) -> Ids {
    let console = Actor::console();
    let riverton = s.partnership_id("Riverton Prevent Partnership").await;
    let eastvale = s.partnership_id("Eastvale Prevent Partnership").await;
    let pid: PartnershipId = eastvale.parse().expect("partnership id");
    let g = decide(
        &console,
        Permission::MembershipRead,
        Scope::Partnership(pid),
    )
    .expect("grant");
    let eastvale_membership = s.app.list_members(&g).await.expect("members")[0]
        .id
        .to_string();
    let g = decide(&console, Permission::OrganisationRead, Scope::Platform).expect("grant");
    let organisation = s.app.list_organisations(&g).await.expect("organisations")[0]
        .id
        .to_string();
    Ids {
        riverton,
        eastvale,
        eastvale_membership,
        organisation,
    }
}

fn concrete(pattern: &str, ids: &Ids) -> String {
    pattern
        .split('/')
        .map(|seg| match seg {
            "{partnership}" => ids.riverton.clone(),
            "{membership}" => ids.eastvale_membership.clone(),
            "{organisation}" => ids.organisation.clone(),
            "{id}" => ids.eastvale.clone(),
            s if s.starts_with('{') => uuid::Uuid::new_v4().to_string(),
            s => s.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

async fn admin_token(s: &Server, b: &Browser, riverton: &str) -> String {
    let cookie = b.cookies.get("pk_session").expect("session cookie");
    let session = s
        .app
        .session(cookie)
        .await
        .expect("session")
        .expect("live session");
    let input = NewToken {
        name: "headers".into(),
        partnership_id: riverton.into(),
        role: "administrator".into(),
        days: "30".into(),
    };
    s.app
        .create_token(&session, &input, &RequestContext::default())
        .await
        .expect("token")
        .1
}

/// Ask a page route as this browser: GET, or POST with `csrf` (if any) and nothing else.
async fn ask_page(b: &mut Browser, spec: &RouteSpec, path: &str, csrf: Option<&str>) -> Page {
    if spec.method == "POST" {
        match csrf {
            Some(c) => b.post_raw(path, &[("csrf_token", c)]).await,
            None => b.post_raw(path, &[]).await,
        }
    } else {
        b.get(path).await
    }
}

async fn ask_api(b: &mut Browser, spec: &RouteSpec, path: &str, token: Option<&str>) -> Page {
    let body =
        matches!(spec.method.as_str(), "POST" | "PATCH" | "PUT").then(|| serde_json::json!({}));
    b.api(spec.method.as_str(), path, token, body).await
}

#[each_engine]
async fn every_route_answers_with_the_security_headers_whoever_asks(engine: Engine) {
    let routes = specs();
    let mut problems = Vec::new();
    let e = engine.name();
    let s = Server::start(&engine).await;
    let ids = ids(&s).await;
    let mut answers = 0usize;
    let mut note = |label: String, path: &str, r: &Page, problems: &mut Vec<String>| {
        answers += 1;
        for p in header_problems(path, r) {
            problems.push(format!("[{e}] {label} -> {}: {p}", r.status));
        }
    };

    // Nobody signed in, no token.
    let mut anon = s.browser();
    for spec in &routes {
        let path = concrete(spec.path, &ids);
        let r = match spec.surface {
            Surface::Page => ask_page(&mut anon, spec, &path, None).await,
            Surface::Api => ask_api(&mut anon, spec, &path, None).await,
        };
        note(
            format!("{} {} (anonymous)", spec.method, spec.path),
            spec.path,
            &r,
            &mut problems,
        );
    }

    // Fully signed in, with a good CSRF token on every post. Signing out is left to the
    // end, so that these sessions last the walk.
    let mut sessions = Vec::new();
    for email in [
        "sysadmin@preventkit.example",
        "admin@riverton.example",
        "lead@riverton.example",
    ] {
        let mut b = s.signed_in(email).await;
        let csrf = b.get("/account").await.csrf().expect("csrf");
        sessions.push((email, b, csrf));
    }
    let token = admin_token(&s, &sessions[1].1, &ids.riverton).await;
    for spec in routes
        .iter()
        .filter(|r| r.surface == Surface::Page && r.path != "/sign-out")
    {
        let path = concrete(spec.path, &ids);
        for (who, b, csrf) in sessions.iter_mut() {
            let r = ask_page(b, spec, &path, Some(csrf.as_str())).await;
            note(
                format!("{} {} ({who})", spec.method, spec.path),
                spec.path,
                &r,
                &mut problems,
            );
        }
    }

    // The API with a token (and without, above).
    for spec in routes.iter().filter(|r| r.surface == Surface::Api) {
        let path = concrete(spec.path, &ids);
        let r = ask_api(&mut anon, spec, &path, Some(&token)).await;
        note(
            format!("{} {} (admin token)", spec.method, spec.path),
            spec.path,
            &r,
            &mut problems,
        );
    }

    // Half signed in: the MFA set-up page (with its QR code) and the other sign-in steps,
    // cancelling last.
    let mut half = s.browser();
    let r = half
        .post_form(
            "/sign-in",
            "/sign-in",
            &[
                ("email", "chair@riverton.example"),
                ("password", DEMO_PASSWORD),
            ],
        )
        .await;
    note(
        "POST /sign-in (password only)".into(),
        "/sign-in",
        &r,
        &mut problems,
    );
    let csrf = half.get("/sign-in/mfa/set-up").await.csrf().expect("csrf");
    let mut steps: Vec<&RouteSpec> = routes
        .iter()
        .filter(|r| r.access == Access::MfaPending)
        .collect();
    steps.sort_by_key(|r| r.path == "/sign-in/cancel");
    for spec in steps {
        let r = ask_page(&mut half, spec, spec.path, Some(&csrf)).await;
        note(
            format!("{} {} (half signed in)", spec.method, spec.path),
            spec.path,
            &r,
            &mut problems,
        );
    }

    // Signing out, with a session kept for the purpose.
    let mut leaving = s.signed_in("referrer@riverton.example").await;
    let csrf = leaving.get("/account").await.csrf().expect("csrf");
    let r = leaving
        .post_raw("/sign-out", &[("csrf_token", &csrf)])
        .await;
    assert_eq!(r.status, 303, "[{e}] signed out");
    note(
        "POST /sign-out (signed in)".into(),
        "/sign-out",
        &r,
        &mut problems,
    );

    eprintln!("header walk [{e}]: {answers} answers checked");
    assert!(
        problems.is_empty(),
        "answers without the right headers:\n{}",
        problems.join("\n")
    );
}

#[each_engine]
async fn the_session_cookie_is_http_only_and_same_site(engine: Engine) {
    let e = engine.name();
    let s = Server::start(&engine).await;
    let mut b = s.browser();
    let form = b.get("/sign-in").await;
    let pre = set_cookies(&form);
    let pre = cookie_named(&pre, "pk_pre");
    assert!(
        pre.has("HttpOnly") && pre.attr("SameSite").is_some(),
        "[{e}] pre-sign-in cookie"
    );
    let csrf = form.csrf().expect("csrf");
    let r = b
        .post_raw(
            "/sign-in",
            &[
                ("email", "referrer@riverton.example"),
                ("password", DEMO_PASSWORD),
                ("csrf_token", &csrf),
            ],
        )
        .await;
    assert_eq!((r.status, r.location()), (303, Some("/home")), "[{e}]");
    let cookies = set_cookies(&r);
    let session = cookie_named(&cookies, "pk_session");
    assert!(!session.value.is_empty(), "[{e}]");
    assert!(session.has("HttpOnly"), "[{e}] HttpOnly");
    let same_site = session.attr("SameSite").map(str::to_ascii_lowercase);
    assert!(
        matches!(same_site.as_deref(), Some("lax" | "strict")),
        "[{e}] SameSite: {same_site:?}"
    );
    assert_eq!(session.attr("Path"), Some("/"), "[{e}]");
    assert!(!session.has("Domain"), "[{e}] no Domain");
    assert_eq!(b.get("/home").await.status, 200, "[{e}] the cookie works");
}

#[each_engine]
async fn with_secure_cookies_the_session_cookie_is_host_prefixed_and_secure(engine: Engine) {
    let e = engine.name();
    let s = Server::start_with(
        &engine,
        Options {
            web: WebConfig {
                secure_cookies: true,
                ..Default::default()
            },
            ..Default::default()
        },
    )
    .await;
    let host_only = |c: &SetCookie, what: &str| {
        assert!(c.has("Secure"), "[{e}] {what} is Secure");
        assert!(c.has("HttpOnly"), "[{e}] {what} is HttpOnly");
        assert!(c.attr("SameSite").is_some(), "[{e}] {what} has SameSite");
        assert_eq!(c.attr("Path"), Some("/"), "[{e}] {what} has Path=/");
        assert!(!c.has("Domain"), "[{e}] {what} has no Domain");
    };

    // The sign-in form hands out the pre-sign-in cookie that its CSRF token is bound to.
    let mut b = s.browser();
    let form = b.get("/sign-in").await;
    assert_eq!(form.status, 200, "[{e}]");
    let cookies = set_cookies(&form);
    assert!(
        cookies.iter().all(|c| c.name != "pk_pre"),
        "[{e}] no unprefixed cookie"
    );
    host_only(cookie_named(&cookies, "__Host-pk_pre"), "__Host-pk_pre");
    assert!(b.cookies.contains_key("__Host-pk_pre"), "[{e}]");
    let csrf = form.csrf().expect("csrf");

    // A referrer needs no second factor: the password completes the sign-in.
    let r = b
        .post_raw(
            "/sign-in",
            &[
                ("email", "referrer@riverton.example"),
                ("password", DEMO_PASSWORD),
                ("csrf_token", &csrf),
            ],
        )
        .await;
    assert_eq!(
        (r.status, r.location()),
        (303, Some("/home")),
        "[{e}] {}",
        r.body
    );
    let cookies = set_cookies(&r);
    assert!(
        cookies.iter().all(|c| c.name != "pk_session"),
        "[{e}] no unprefixed session cookie"
    );
    let session = cookie_named(&cookies, "__Host-pk_session");
    assert!(!session.value.is_empty(), "[{e}]");
    host_only(session, "__Host-pk_session");
    let value = session.value.clone();

    // The browser keeps it under its prefixed name, and the server reads that name only.
    assert_eq!(b.cookies.get("__Host-pk_session"), Some(&value), "[{e}]");
    assert_eq!(
        b.get("/home").await.status,
        200,
        "[{e}] the prefixed cookie works"
    );
    let mut unprefixed = s.browser();
    unprefixed.set_cookie("pk_session", &value);
    assert_eq!(
        unprefixed.get("/home").await.location(),
        Some("/sign-in"),
        "[{e}] the unprefixed name is ignored"
    );

    // Signing out clears it under the same name and attributes.
    let csrf = b.get("/account").await.csrf().expect("csrf");
    let r = b.post_raw("/sign-out", &[("csrf_token", &csrf)]).await;
    assert_eq!(r.status, 303, "[{e}]");
    let cookies = set_cookies(&r);
    let cleared = cookie_named(&cookies, "__Host-pk_session");
    assert_eq!(cleared.attr("Max-Age"), Some("0"), "[{e}]");
    host_only(cleared, "the cleared __Host-pk_session");
}

#[each_engine]
async fn with_an_https_public_address_every_answer_carries_strict_transport_security(
    engine: Engine,
) {
    let routes = specs();
    let e = engine.name();
    let s = Server::start_with(
        &engine,
        Options {
            web: WebConfig {
                secure_cookies: true,
                ..Default::default()
            },
            ..Default::default()
        },
    )
    .await;
    let ids = ids(&s).await;
    let mut anon = s.browser();
    let mut missing = Vec::new();
    let mut check = |label: String, r: &Page| {
        if r.header("strict-transport-security") != Some("max-age=31536000; includeSubDomains") {
            missing.push(format!(
                "[{e}] {label} -> {}: {:?}",
                r.status,
                r.header("strict-transport-security")
            ));
        }
    };
    for spec in &routes {
        let path = concrete(spec.path, &ids);
        let r = match spec.surface {
            Surface::Page => ask_page(&mut anon, spec, &path, None).await,
            Surface::Api => ask_api(&mut anon, spec, &path, None).await,
        };
        check(format!("{} {}", spec.method, spec.path), &r);
    }
    // Answers no route made: an unknown page, an unknown API path, a wrong method, and a
    // body over the limit.
    for path in ["/no-such-page", "/api/v1/no-such-thing"] {
        let r = anon.get(path).await;
        check(format!("GET {path}"), &r);
    }
    let r = anon.api("DELETE", "/healthz", None, None).await;
    check("DELETE /healthz".into(), &r);
    let token = s
        .token("lead@riverton.example", &ids.riverton, "prevent-lead")
        .await;
    let r = anon
        .api(
            "POST",
            &format!("/api/v1/partnerships/{}/assessments", ids.riverton),
            Some(&token),
            Some(serde_json::json!({"title": "x".repeat(2 * 1024 * 1024)})),
        )
        .await;
    assert_eq!(r.status, 413, "[{e}]");
    check("POST a body over the limit".into(), &r);
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[each_engine]
async fn a_cr_or_lf_in_a_redirect_target_is_refused_with_400(engine: Engine) {
    let e = engine.name();
    let s = Server::start(&engine).await;
    let pid = s.partnership_id("Riverton Prevent Partnership").await;
    let mut lead = s.signed_in("lead@riverton.example").await;
    let list = lead.get(&format!("/p/{pid}/assessments")).await;
    let marker = format!("/p/{pid}/assessments/");
    let draft = list
        .body
        .match_indices(&marker)
        .map(|(i, _)| &list.body[i + marker.len()..i + marker.len() + 36])
        .find(|id| uuid::Uuid::parse_str(id).is_ok())
        .expect("an assessment")
        .to_owned();
    let question = format!("/p/{pid}/assessments/{draft}/questions/1.1");
    let page = lead.get(&question).await;
    assert_eq!(page.status, 200, "[{e}]");
    let csrf = page.csrf().expect("csrf");
    let version = preventkit_testkit::extract_value(&page.body, "name=\"version\" value=\"")
        .expect("the answer's version");
    for next in [
        "1.2\r\nSet-Cookie: injected=1",
        "1.2\nLocation: https://elsewhere.example/",
        "1.2\r",
    ] {
        let r = lead
            .post_raw(
                &question,
                &[
                    ("csrf_token", csrf.as_str()),
                    ("rating", ""),
                    ("details", "changed by a crafted form"),
                    ("version", version.as_str()),
                    ("then", "next"),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(r.status, 400, "[{e}] {next:?}");
        assert!(r.location().is_none(), "[{e}] {next:?}: no Location");
        assert!(
            set_cookies(&r).iter().all(|c| c.name != "injected"),
            "[{e}] {next:?}: nothing injected"
        );
    }
    // Nothing was saved.
    let after = lead.get(&question).await;
    assert_eq!(
        preventkit_testkit::extract_value(&after.body, "name=\"version\" value=\""),
        Some(version.clone()),
        "[{e}] the answer did not change"
    );
    assert!(
        !after.body.contains("changed by a crafted form"),
        "[{e}] the details did not change"
    );

    // The same form with a plain next question is saved and redirected (so the refusals
    // above were about the target, not the form).
    let r = lead
        .post_raw(
            &question,
            &[
                ("csrf_token", csrf.as_str()),
                ("rating", ""),
                ("details", "saved by the real form"),
                ("version", version.as_str()),
                ("then", "next"),
                ("next", "1.2"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "[{e}] {}", r.body);
    assert_eq!(
        r.location(),
        Some(format!("/p/{pid}/assessments/{draft}/questions/1.2").as_str()),
        "[{e}]"
    );

    // A CR or LF in a path segment never reaches a Location either.
    let r = lead
        .post_raw(
            &format!("/p/{pid}/assessments/{draft}/questions/1.1%0D%0ASet-Cookie:%20x=1"),
            &[("csrf_token", csrf.as_str()), ("version", version.as_str())],
        )
        .await;
    assert!(
        r.status == 404 || r.status == 400,
        "[{e}] a crafted path: {}",
        r.status
    );
    assert!(r.location().is_none(), "[{e}] a crafted path: no Location");
}
