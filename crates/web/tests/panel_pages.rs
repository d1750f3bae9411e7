//! The Channel panel's pages: the panel with its sectors missing, making a meeting (with the
//! form kept on error), publishing its agenda, and recording a decision through "check your
//! answers" to its confirmation; members read the published agenda but do not run the panel.

// Test code: a failed unwrap, expect, panic or index is the test failing, as it should be.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use preventkit_testkit::{each_engine, Engine, Server};

/// The values of the inputs named `name` (attributes in any order within their tags).
fn input_values(body: &str, name: &str) -> Vec<String> {
    let marker = format!("name=\"{name}\"");
    body.match_indices(&marker)
        .filter_map(|(at, _)| {
            let start = body[..at].rfind('<')?;
            let end = at + body[at..].find('>')?;
            let tag = &body[start..end];
            let v = tag.find("value=\"")? + "value=\"".len();
            tag[v..]
                .split('"')
                .next()
                .map(preventkit_testkit::unescape_html)
        })
        .collect()
}

/// The first link whose address starts with `prefix` and ends with `suffix`.
fn link(body: &str, prefix: &str, suffix: &str) -> String {
    body.match_indices(&format!("href=\"{prefix}"))
        .filter_map(|(i, _)| body[i + 6..].split('"').next())
        .find(|h| h.ends_with(suffix))
        .unwrap_or_else(|| panic!("no link {prefix}...{suffix}: {body}"))
        .to_owned()
}

#[each_engine]
async fn the_chair_makes_a_meeting_publishes_its_agenda_and_records_a_decision(engine: Engine) {
    let e = engine.name();
    let s = Server::start(&engine).await;
    let pid = s.partnership_id("Riverton Prevent Partnership").await;
    let mut chair = s.signed_in("chair@riverton.example").await;

    let panel = chair.get(&format!("/p/{pid}/panel")).await;
    assert_eq!(panel.status, 200, "[{e}]");
    assert!(panel.body.contains("Pat Panel"), "[{e}]");
    assert!(
        panel.body.contains("No member of the panel comes from"),
        "[{e}]"
    );
    assert!(panel.body.contains("Police"), "[{e}]");

    // A meeting without a date is refused with the form kept.
    let list = format!("/p/{pid}/panel/meetings");
    let form = chair.get(&list).await;
    assert_eq!(form.status, 200, "[{e}]");
    let invitees = input_values(&form.body, "invitees");
    assert_eq!(invitees.len(), 3, "[{e}] every member offered");
    assert!(
        !input_values(&form.body, "on-year")
            .first()
            .unwrap()
            .is_empty(),
        "[{e}] a date is suggested"
    );
    let mut fields: Vec<(&str, &str)> = vec![("on-day", ""), ("on-month", ""), ("on-year", "")];
    fields.extend(invitees.iter().take(2).map(|i| ("invitees", i.as_str())));
    let r = chair.post_form(&list, &list, &fields).await;
    assert_eq!(r.status, 422, "[{e}] {}", r.body);
    assert!(r.body.contains("There is a problem"), "[{e}]");
    assert!(r.body.contains("href=\"#on\""), "[{e}]");
    let kept = input_values(&r.body, "invitees");
    assert_eq!(kept.len(), 3, "[{e}]");
    assert_eq!(
        r.body.matches(" checked").count(),
        2,
        "[{e}] the choices are kept"
    );

    let on = s.app.today() + time::Duration::days(5);
    let (day, month, year) = (
        on.day().to_string(),
        u8::from(on.month()).to_string(),
        on.year().to_string(),
    );
    let mut fields: Vec<(&str, &str)> =
        vec![("on-day", &day), ("on-month", &month), ("on-year", &year)];
    fields.extend(invitees.iter().map(|i| ("invitees", i.as_str())));
    let r = chair.post_form(&list, &list, &fields).await;
    assert_eq!(r.status, 303, "[{e}] {}", r.body);
    let meeting = r.location().unwrap().to_owned();
    let page = chair.get(&meeting).await;
    assert_eq!(page.status, 200, "[{e}]");
    assert!(page.body.contains("The meeting was made"), "[{e}]");
    assert!(
        page.body.contains("CH-"),
        "[{e}] the agenda lists references"
    );
    assert!(
        !page.body.contains("Alex Fictional"),
        "[{e}] no personal data on the agenda"
    );
    assert!(
        page.body.contains(&format!("href=\"/p/{pid}/cases/")),
        "[{e}]"
    );

    // A member does not see the agenda before it is published, and does not run the panel.
    let mut member = s.signed_in("panel@riverton.example").await;
    let before = member.get(&meeting).await;
    assert_eq!(before.status, 200, "[{e}]");
    assert!(!before.body.contains("CH-"), "[{e}]");
    let publish = format!("{meeting}/publish");
    let refused = member.post_form(&meeting, &publish, &[]).await;
    assert_eq!(refused.status, 403, "[{e}]");

    let r = chair.post_form(&meeting, &publish, &[]).await;
    assert_eq!(r.status, 303, "[{e}] {}", r.body);
    let after = member.get(&meeting).await;
    assert!(
        after.body.contains("CH-"),
        "[{e}] published to those invited"
    );

    // The decision: the form, its errors in field order, check your answers, confirmation.
    let page = chair.get(&meeting).await;
    let decision = link(&page.body, &format!("{meeting}/cases/"), "/decision");
    let form = chair.get(&decision).await;
    assert_eq!(form.status, 200, "[{e}]");
    let r = chair
        .post_form(
            &decision,
            &decision,
            &[("decision", "not-adopted"), ("reasons", "")],
        )
        .await;
    assert_eq!(r.status, 422, "[{e}]");
    let first = r.body.find("href=\"#services\"").expect("services error");
    let second = r.body.find("href=\"#reasons\"").expect("reasons error");
    assert!(first < second, "[{e}] errors in field order");
    let reasons = "Vulnerable and the family asked for support";
    let check = chair
        .post_form(
            &decision,
            &decision,
            &[("decision", "adopt"), ("reasons", reasons)],
        )
        .await;
    assert_eq!(check.status, 200, "[{e}] {}", check.body);
    assert!(
        check.body.contains("Check the panel&#x27;s decision")
            || check.body.contains("Check the panel's decision"),
        "[{e}]"
    );
    assert!(check.body.contains(reasons), "[{e}]");
    let version = input_values(&check.body, "version").remove(0);
    let confirm = format!("{decision}/confirm");
    let done = chair
        .post_form(
            &decision,
            &confirm,
            &[
                ("version", &version),
                ("decision", "adopt"),
                ("reasons", reasons),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "[{e}] {}", done.body);
    let recorded = chair.get(done.location().unwrap()).await;
    assert_eq!(recorded.status, 200, "[{e}]");
    assert!(recorded.body.contains("Decision recorded"), "[{e}]");
    assert!(recorded.body.contains("Adopted as a Channel case"), "[{e}]");
    // The same answers again are stale: refused.
    let again = chair
        .post_form(
            &meeting,
            &confirm,
            &[
                ("version", &version),
                ("decision", "adopt"),
                ("reasons", reasons),
            ],
        )
        .await;
    assert_eq!(again.status, 409, "[{e}]");
}
