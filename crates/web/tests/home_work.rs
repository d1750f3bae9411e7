//! Home is each person's work: what is assigned to them, waiting for their approval, and
//! owned by them and falling due, read only where the policy lets them see it.

// Test code: a failed unwrap, expect, panic or index is the test failing, as it should be.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use preventkit_services::assessment::NewAction;
use preventkit_services::domain::policy::decide;
use preventkit_services::domain::{
    Actor, Clearance, Marking, Permission, Role, Scope, VerifiedIdentity,
};
use preventkit_services::RequestContext;
use preventkit_testkit::{each_engine, Engine, Page, Server};

const RIVERTON: &str = "Riverton Prevent Partnership";
const THIS_YEAR: &str = "Prevent duty benchmark 2026 to 2027";

/// The text of one group of the home page's work, from its heading to the next group.
fn group<'a>(home: &'a Page, heading: &str) -> &'a str {
    let marker = format!("\">{heading}</h3>");
    let start = home
        .body
        .find(&marker)
        .unwrap_or_else(|| panic!("no group `{heading}` on the home page:\n{}", home.body));
    let rest = &home.body[start..];
    let end = rest.find("</section>").unwrap_or(rest.len());
    &rest[..end]
}

#[each_engine]
async fn home_shows_each_person_their_work(engine: Engine) {
    let e = engine.name();
    let s = Server::start(&engine).await;
    let pid = s.partnership_id(RIVERTON).await;

    // An action owned by the contributor, overdue, and one far off that is not listed yet.
    let users = decide(&Actor::console(), Permission::UserManage, Scope::Platform).unwrap();
    let contributor = s
        .app
        .find_user_by_email(&users, "contributor@riverton.example")
        .await
        .unwrap();
    let lead_account = s
        .app
        .find_user_by_email(&users, "lead@riverton.example")
        .await
        .unwrap();
    let partnership = pid.parse().unwrap();
    let lead_actor = Actor::from_verified(VerifiedIdentity {
        user_id: lead_account.id.parse().unwrap(),
        system_admin: false,
        memberships: vec![(partnership, Role::PreventLead)],
        clearance: Clearance(Marking::OfficialSensitive),
        mfa_verified: true,
    });
    let raise = decide(
        &lead_actor,
        Permission::ActionManage,
        Scope::Partnership(partnership),
    )
    .unwrap();
    let today = s.app.today();
    // One of them raised from this year's draft, so it has a page to open.
    let read = decide(
        &lead_actor,
        Permission::AssessmentRead,
        Scope::Partnership(partnership),
    )
    .unwrap();
    let draft = s
        .app
        .list_assessments(&read)
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.title == THIS_YEAR)
        .unwrap()
        .id
        .to_string();
    for (title, days, on) in [
        ("Refresh the referral flowchart", -2, ""),
        ("Plan next year's training", 90, ""),
        (
            "Update the Channel panel's terms of reference",
            3,
            draft.as_str(),
        ),
    ] {
        s.app
            .create_action(
                &raise,
                &NewAction {
                    assessment_id: on.to_owned(),
                    question_id: String::new(),
                    title: title.into(),
                    owner_id: contributor.id.clone(),
                    due_date: (today + time::Duration::days(days)).to_string().into(),
                },
                &RequestContext::default(),
            )
            .await
            .unwrap();
    }

    // The contributor (police): benchmark 7 is assigned to their organisation.
    let mut partner = s.signed_in("contributor@riverton.example").await;
    let home = partner.get("/home").await;
    assert_eq!(home.status, 200);
    let questions = group(&home, "Questions for you to answer");
    assert!(questions.contains(THIS_YEAR), "[{e}] {questions}");
    assert!(
        questions.contains("0 of 9 reviewed this period"),
        "[{e}] benchmark 7 has nine questions, all carried over from last year and none reviewed yet: {questions}"
    );
    let actions = group(&home, "Actions you own");
    assert!(
        actions.contains("Refresh the referral flowchart"),
        "[{e}] {actions}"
    );
    assert!(actions.contains("Overdue"), "[{e}] {actions}");
    // An action raised from an assessment opens on that assessment's actions page, at its row.
    let raised = actions
        .split("href=\"")
        .map(|h| {
            h.split('"')
                .next()
                .unwrap_or_default()
                .replace("&#x2f;", "/")
        })
        .find(|h| h.contains("/actions#action-"));
    assert!(
        raised.as_deref().is_some_and(
            |h| h.starts_with(&format!("/p/{pid}/assessments/{draft}/actions#action-"))
        ),
        "[{e}] {actions}"
    );
    let page = partner
        .get(
            raised
                .as_deref()
                .unwrap_or_default()
                .split('#')
                .next()
                .unwrap_or_default(),
        )
        .await;
    assert_eq!(
        page.status, 200,
        "[{e}] the owner can open the actions page"
    );
    assert!(page.body.contains("Update the Channel panel"), "[{e}]");
    assert!(
        !home.body.contains("Plan next year&#x27;s training")
            && !home.body.contains("Plan next year's training"),
        "[{e}] an action due in 90 days is not listed yet"
    );
    assert!(
        !home.body.contains("Self-assessments in progress"),
        "[{e}] progress is the lead's"
    );
    assert!(!home.body.contains("Waiting for your approval"));

    // The lead: the draft's progress, and evidence they own that is past its review date.
    let mut lead = s.signed_in("lead@riverton.example").await;
    let home = lead.get("/home").await;
    let drafts = group(&home, "Self-assessments in progress");
    assert!(
        drafts.contains(THIS_YEAR) && drafts.contains("3 of 38 reviewed this period"),
        "[{e}] {drafts}"
    );
    let href = drafts
        .split("href=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("a link to the draft")
        .replace("&#x2f;", "/");
    assert!(
        href.starts_with(&format!("/p/{pid}/assessments/")),
        "{href}"
    );
    let evidence = group(&home, "Evidence you own that is due for review");
    assert!(
        evidence.contains("Counter-terrorism local profile briefing to chief officers")
            && evidence.contains("Due 31 October 2026")
            && evidence.contains("Overdue"),
        "[{e}] {evidence}"
    );
    assert!(
        !home.body.contains("Questions for you to answer"),
        "[{e}] nothing is assigned to the lead by name"
    );

    // Submitted: it waits for the board member, and the lead's draft list no longer has it.
    let csrf = lead.get(&href).await.csrf().expect("csrf");
    assert_eq!(
        lead.post_raw(
            &format!("{href}/submit"),
            &[("confirm_unanswered", "yes"), ("csrf_token", &csrf)],
        )
        .await
        .status,
        303
    );
    let mut board = s.signed_in("board@riverton.example").await;
    let home = board.get("/home").await;
    let waiting = group(&home, "Waiting for your approval");
    assert!(
        waiting.contains(THIS_YEAR) && waiting.replace("&#x2f;", "/").contains(&href),
        "[{e}] {waiting}"
    );
    assert!(!lead
        .get("/home")
        .await
        .body
        .contains("Self-assessments in progress"));

    // Someone in another partnership sees none of it.
    let mut other = s.signed_in("admin@eastvale.example").await;
    let home = other.get("/home").await;
    assert!(!home.body.contains(THIS_YEAR), "[{e}] {}", home.body);

    // The platform administrator's home is about the platform.
    let mut sysadmin = s
        .signed_in(preventkit_services::demo::SYSTEM_ADMIN_EMAIL)
        .await;
    let home = sysadmin.get("/home").await;
    assert!(home.body.contains("Platform administration"));
    assert!(
        !home.body.contains("You do not belong to any partnership"),
        "{}",
        home.body
    );
}
