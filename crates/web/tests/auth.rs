//! Signing in, MFA enrolment and challenge, recovery codes, throttling, CSRF, session
//! lifetime and rotation, over real HTTP on every engine.

// Test code: a failed unwrap, expect, panic or index is the test failing, as it should be.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use preventkit_testkit::{
    current_step, each_engine, element_text, totp_at, Engine, Options, Server,
};

const PW: &str = preventkit_services::demo::DEMO_PASSWORD;

#[each_engine]
async fn mfa_enrolment_challenge_and_recovery_codes(engine: Engine) {
    let s = Server::start(&engine).await;
    let mut b = s.browser();

    // Password first: an administrator must set up MFA before anything else.
    let r = b
        .post_form(
            "/sign-in",
            "/sign-in",
            &[("email", "admin@riverton.example"), ("password", PW)],
        )
        .await;
    assert_eq!(r.status, 303, "{}", engine.name());
    assert_eq!(r.location(), Some("/sign-in/mfa/set-up"));
    let pre_mfa_cookie = b
        .cookies
        .get("pk_session")
        .cloned()
        .expect("session cookie");
    // Nothing else is reachable yet.
    let r = b.get("/home").await;
    assert_eq!(r.location(), Some("/sign-in/mfa/set-up"));

    let setup = b.get("/sign-in/mfa/set-up").await;
    assert_eq!(setup.status, 200);
    assert!(setup.body.contains("<svg"), "QR code is shown");
    let secret = element_text(&setup.body, "id=\"totp-secret\">").expect("secret shown");
    let secret = secret.replace(' ', "");

    // A wrong code re-renders with an error summary and changes nothing.
    let r = b
        .post_form(
            "/sign-in/mfa/set-up",
            "/sign-in/mfa/set-up",
            &[("code", "000000")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("govuk-error-summary"));
    assert!(r.body.contains("href=\"#code\""));

    // Every code comes from this one time step (the server accepts a step either side
    // of its own), so where the step boundary falls changes nothing below.
    let step = current_step();
    let r = b
        .post_form(
            "/sign-in/mfa/set-up",
            "/sign-in/mfa/set-up",
            &[("code", &totp_at(&secret, step))],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let codes: Vec<String> = r
        .body
        .split("<li><code>")
        .skip(1)
        .filter_map(|c| c.split('<').next().map(str::to_owned))
        .collect();
    assert_eq!(codes.len(), 10, "ten recovery codes");
    // The session id rotated: the pre-MFA id no longer works.
    let new_cookie = b.cookies.get("pk_session").cloned().expect("new session");
    assert_ne!(new_cookie, pre_mfa_cookie);
    let mut old = s.browser();
    old.set_cookie("pk_session", &pre_mfa_cookie);
    assert_eq!(old.get("/home").await.location(), Some("/sign-in"));
    assert_eq!(b.get("/home").await.status, 200);

    // Sign out ends the session on the server: the old cookie is dead.
    let home = b.get("/home").await;
    let csrf = home.csrf().expect("csrf");
    let r = b.post_raw("/sign-out", &[("csrf_token", &csrf)]).await;
    assert_eq!(r.location(), Some("/sign-in"));
    let mut replay = s.browser();
    replay.set_cookie("pk_session", &new_cookie);
    assert_eq!(replay.get("/home").await.location(), Some("/sign-in"));

    // Next sign-in asks for a code.
    let mut b = s.browser();
    let r = b
        .post_form(
            "/sign-in",
            "/sign-in",
            &[("email", "admin@riverton.example"), ("password", PW)],
        )
        .await;
    assert_eq!(r.location(), Some("/sign-in/mfa"));
    // The code used at enrolment cannot be used again (same time step).
    let r = b
        .post_form(
            "/sign-in/mfa",
            "/sign-in/mfa",
            &[("code", &totp_at(&secret, step))],
        )
        .await;
    assert_eq!(r.status, 422, "a TOTP code is good once");
    // A recovery code works once.
    let r = b
        .post_form("/sign-in/mfa", "/sign-in/mfa", &[("code", &codes[0])])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), Some("/home"));

    let mut again = s.browser();
    again
        .post_form(
            "/sign-in",
            "/sign-in",
            &[("email", "admin@riverton.example"), ("password", PW)],
        )
        .await;
    let r = again
        .post_form("/sign-in/mfa", "/sign-in/mfa", &[("code", &codes[0])])
        .await;
    assert_eq!(r.status, 422, "a recovery code is good once");
    let r = again
        .post_form(
            "/sign-in/mfa",
            "/sign-in/mfa",
            &[("code", &totp_at(&secret, step + 1))],
        )
        .await;
    assert_eq!(r.status, 303, "a fresh TOTP code works");
}

#[each_engine]
async fn unknown_and_known_emails_get_the_same_answer_and_throttling_is_temporary_and_per_source(
    engine: Engine,
) {
    let s = Server::start_with(
        &engine,
        Options {
            web: preventkit_web::WebConfig {
                trust_forwarded_for: true,
                ..Default::default()
            },
            ..Default::default()
        },
    )
    .await;
    let mut attacker = s.browser();
    attacker
        .extra
        .push(("x-forwarded-for".into(), "203.0.113.7".into()));

    let known = attacker
        .post_form(
            "/sign-in",
            "/sign-in",
            &[
                ("email", "referrer@riverton.example"),
                ("password", "wrong password"),
            ],
        )
        .await;
    let unknown = attacker
        .post_form(
            "/sign-in",
            "/sign-in",
            &[
                ("email", "nobody@riverton.example"),
                ("password", "wrong password"),
            ],
        )
        .await;
    assert_eq!(known.status, 401);
    assert_eq!(unknown.status, known.status);
    let strip = |p: &preventkit_testkit::Page| {
        p.body
            .replace(&p.csrf().unwrap_or_default(), "")
            .replace("referrer@riverton.example", "EMAIL")
            .replace("nobody@riverton.example", "EMAIL")
    };
    assert_eq!(
        strip(&known),
        strip(&unknown),
        "identical pages for known and unknown emails"
    );

    // Four more failures from this address for this account (five in all)...
    for _ in 0..4 {
        let r = attacker
            .post_form(
                "/sign-in",
                "/sign-in",
                &[
                    ("email", "referrer@riverton.example"),
                    ("password", "wrong password"),
                ],
            )
            .await;
        assert_eq!(r.status, 401);
    }
    // ...and now even the right password is refused from here.
    let r = attacker
        .post_form(
            "/sign-in",
            "/sign-in",
            &[("email", "referrer@riverton.example"), ("password", PW)],
        )
        .await;
    assert_eq!(r.status, 429);
    assert!(r.body.contains("too many attempts"));
    // The same answer for an unknown email throttled the same way.
    for _ in 0..4 {
        attacker
            .post_form(
                "/sign-in",
                "/sign-in",
                &[("email", "nobody@riverton.example"), ("password", "x")],
            )
            .await;
    }
    let r = attacker
        .post_form(
            "/sign-in",
            "/sign-in",
            &[("email", "nobody@riverton.example"), ("password", "x")],
        )
        .await;
    assert_eq!(r.status, 429);

    // The real user, from their own address, is not locked out.
    let mut owner = s.browser();
    owner
        .extra
        .push(("x-forwarded-for".into(), "198.51.100.20".into()));
    let r = owner
        .post_form(
            "/sign-in",
            "/sign-in",
            &[("email", "referrer@riverton.example"), ("password", PW)],
        )
        .await;
    assert_eq!(r.status, 303, "owner signs in from another address");
    assert_eq!(r.location(), Some("/home"));

    // Every failure and refusal is in the audit log.
    let grant = preventkit_services::domain::policy::decide(
        &preventkit_services::domain::Actor::console(),
        preventkit_services::domain::Permission::PlatformAuditRead,
        preventkit_services::domain::Scope::Platform,
    )
    .expect("grant");
    let events = s
        .app
        .audit_events(
            &grant,
            &preventkit_services::audit::AuditQuery {
                action_prefix: Some("session.sign-in".into()),
                limit: 500,
                ..Default::default()
            },
        )
        .await
        .expect("events");
    let failures = events
        .iter()
        .filter(|e| e.outcome.key() == "failure")
        .count();
    let denied = events
        .iter()
        .filter(|e| e.outcome.key() == "denied")
        .count();
    assert!(failures >= 10, "failures recorded: {failures}");
    assert!(denied >= 2, "throttled attempts recorded: {denied}");
    assert!(events.iter().all(|e| e.source.is_some()));
    // Events carry ids, never the email typed.
    assert!(events
        .iter()
        .all(|e| !e.object_id.clone().unwrap_or_default().contains('@')));

    // The refusal lasts for the rest of the 15-minute window, and no longer.
    let right_password = [("email", "referrer@riverton.example"), ("password", PW)];
    s.advance_clock(14 * 60 * 1000);
    let r = attacker
        .post_form("/sign-in", "/sign-in", &right_password)
        .await;
    assert_eq!(r.status, 429, "still refused within the window");
    s.advance_clock(60 * 1000 + 1);
    let r = attacker
        .post_form("/sign-in", "/sign-in", &right_password)
        .await;
    assert_eq!(r.status, 303, "accepted again once the window has passed");
    assert_eq!(r.location(), Some("/home"));
}

#[each_engine]
async fn state_changes_without_a_valid_csrf_token_are_refused_and_change_nothing(engine: Engine) {
    let s = Server::start(&engine).await;
    let mut b = s.signed_in("referrer@riverton.example").await;
    let new_pw = "a brand new pass phrase";
    for token in [None, Some("forged-token")] {
        let mut fields = vec![
            ("current_password", PW),
            ("new_password", new_pw),
            ("confirm_password", new_pw),
        ];
        if let Some(t) = token {
            fields.push(("csrf_token", t));
        }
        let r = b.post_raw("/account/password", &fields).await;
        assert_eq!(r.status, 400, "{}", engine.name());
        assert!(r.body.contains("This form has expired"));
    }
    // A token from another browser's session is refused too.
    let other = s.signed_in("lead@riverton.example").await;
    let mut other = other;
    let foreign = other.get("/account").await.csrf().expect("csrf");
    let r = b
        .post_raw(
            "/account/password",
            &[
                ("current_password", PW),
                ("new_password", new_pw),
                ("confirm_password", new_pw),
                ("csrf_token", &foreign),
            ],
        )
        .await;
    assert_eq!(r.status, 400);
    // The password did not change.
    let check = s
        .app
        .sign_in("referrer@riverton.example", PW, &Default::default())
        .await;
    assert!(check.is_ok(), "old password still works");
    // A sign-in form without the pre-sign-in token is refused.
    let mut fresh = s.browser();
    let r = fresh
        .post_raw(
            "/sign-in",
            &[("email", "referrer@riverton.example"), ("password", PW)],
        )
        .await;
    assert_eq!(r.status, 400);
}

#[each_engine]
async fn bad_form_input_rerenders_with_errors_and_changes_nothing(engine: Engine) {
    let s = Server::start(&engine).await;
    let mut b = s.signed_in("referrer@riverton.example").await;
    let r = b
        .post_form(
            "/account",
            "/account/password",
            &[
                ("current_password", "not it"),
                ("new_password", "short"),
                ("confirm_password", "different"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("govuk-error-summary"));
    for field in ["current_password", "new_password", "confirm_password"] {
        assert!(
            r.body.contains(&format!("href=\"#{field}\"")),
            "summary links to {field}"
        );
    }
    assert!(r.body.contains("Password must be 8 characters or more"));
    assert!(r.body.contains("<title>Error: "));
    assert!(s
        .app
        .sign_in("referrer@riverton.example", PW, &Default::default())
        .await
        .is_ok());

    // Sign-in with empty fields.
    let mut anon = s.browser();
    let r = anon
        .post_form("/sign-in", "/sign-in", &[("email", ""), ("password", "")])
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Enter your email address"));
    assert!(r.body.contains("Enter your password"));

    // A good change works, rotates the session and signs out other sessions.
    let mut second = s.signed_in("referrer@riverton.example").await;
    let new_pw = "a brand new pass phrase";
    let r = b
        .post_form(
            "/account",
            "/account/password",
            &[
                ("current_password", PW),
                ("new_password", new_pw),
                ("confirm_password", new_pw),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(b.get("/account").await.status, 200);
    assert_eq!(second.get("/account").await.location(), Some("/sign-in"));
}

#[each_engine]
async fn idle_sessions_expire(engine: Engine) {
    let s = Server::start_with(
        &engine,
        Options {
            security: preventkit_services::SecurityConfig {
                session_idle_ms: 10 * 60 * 1000,
                ..Default::default()
            },
            ..Default::default()
        },
    )
    .await;
    let mut b = s.signed_in("referrer@riverton.example").await;
    assert_eq!(b.get("/account").await.status, 200);
    // Idle time counts from the last request, not from signing in.
    s.advance_clock(9 * 60 * 1000);
    assert_eq!(b.get("/account").await.status, 200, "9 minutes idle");
    s.advance_clock(9 * 60 * 1000);
    assert_eq!(b.get("/account").await.status, 200, "9 more minutes idle");
    s.advance_clock(10 * 60 * 1000 + 1);
    assert_eq!(b.get("/account").await.location(), Some("/sign-in"));
}
