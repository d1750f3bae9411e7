//! The self-assessment use cases on every engine: framework import rules, creating an
//! assessment, answering with history, stale edits refused, the life cycle with self-approval
//! refused, and carrying answers into the next period.

// Test code: a failed unwrap, expect, panic or index is the test failing, as it should be.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use preventkit_domain::assessment::{State, Transition};
use preventkit_domain::policy::decide;
use preventkit_domain::{
    Actor, AssessmentId, Clearance, Marking, PartnershipId, Permission, QuestionId, Role, Scope,
    UserId,
};
use preventkit_services::assessment::NewAssessment;

/// A question id.
fn q(id: &str) -> QuestionId {
    QuestionId::from(id)
}
use preventkit_services::framework::ImportOutcome;
use preventkit_services::{App, RequestContext, SecurityConfig, ServiceError};
use preventkit_testkit::{each_engine, frameworks, fresh_app, Engine, Sql};

const FRAMEWORK: &str = frameworks::MINI;

fn verified(user: UserId, p: PartnershipId, role: Role) -> Actor {
    Actor::from_verified(preventkit_services::domain::VerifiedIdentity {
        user_id: user,
        system_admin: false,
        memberships: vec![(p, role)],
        clearance: Clearance(Marking::Official),
        mfa_verified: true,
    })
}

fn actor(p: PartnershipId, role: Role) -> Actor {
    verified(UserId::new(), p, role)
}

/// A demonstration account as an actor holding `role` in `p`.
async fn member(app: &App, p: PartnershipId, email: &str, role: Role) -> Actor {
    let g = decide(&Actor::console(), Permission::UserManage, Scope::Platform).expect("grant");
    let user = app.find_user_by_email(&g, email).await.expect("demo user");
    verified(user.id.parse().expect("uuid"), p, role)
}

async fn partnership(app: &App) -> PartnershipId {
    app.load_demo().await.expect("demo");
    let g = decide(
        &Actor::console(),
        Permission::PartnershipManage,
        Scope::Platform,
    )
    .expect("grant");
    let p = app.list_all_partnerships(&g).await.expect("list");
    p.into_iter()
        .find(|p| p.name == "Riverton Prevent Partnership")
        .expect("demo partnership")
        .id
}

#[each_engine]
async fn framework_versions_never_change_in_place(engine: Engine) {
    let (app, _db) = fresh_app(&engine, SecurityConfig::default()).await;
    let g = decide(
        &Actor::console(),
        Permission::FrameworkManage,
        Scope::Platform,
    )
    .expect("grant");
    let ctx = RequestContext::console();
    assert_eq!(
        app.import_framework(&g, "mini.toml", FRAMEWORK, &ctx)
            .await
            .expect("import"),
        ImportOutcome::Imported {
            key: "mini".into(),
            version: 1
        }
    );
    assert_eq!(
        app.import_framework(&g, "mini.toml", FRAMEWORK, &ctx)
            .await
            .expect("again"),
        ImportOutcome::AlreadyPresent {
            key: "mini".into(),
            version: 1
        }
    );
    let changed = FRAMEWORK.replace("Is it shared?", "Is it shared widely?");
    let err = app
        .import_framework(&g, "mini.toml", &changed, &ctx)
        .await
        .expect_err("in place");
    assert!(
        err.to_string().contains("publish the change as version 2"),
        "{err}"
    );
    let v2 = changed.replace("version = 1", "version = 2");
    assert!(app
        .import_framework(&g, "mini.toml", &v2, &ctx)
        .await
        .is_ok());
    let bad = FRAMEWORK.replace(
        "scale = \"progress\"\n\n[[sections.questions]]",
        "scale = \"stages\"\n\n[[sections.questions]]",
    );
    let err = app
        .import_framework(&g, "bad.toml", &bad, &ctx)
        .await
        .expect_err("bad file");
    assert!(err.to_string().contains("bad.toml"), "{err}");
    let read = decide(
        &Actor::console(),
        Permission::FrameworkRead,
        Scope::Platform,
    )
    .expect("grant");
    let list = app.list_frameworks(&read).await.expect("list");
    assert_eq!(list.iter().filter(|f| f.key == "mini").count(), 2);
}

#[each_engine]
async fn answering_the_life_cycle_and_the_next_period(engine: Engine) {
    let (app, _db) = fresh_app(&engine, SecurityConfig::default()).await;
    let ctx = RequestContext::console();
    let fg = decide(
        &Actor::console(),
        Permission::FrameworkManage,
        Scope::Platform,
    )
    .expect("grant");
    app.import_framework(&fg, "mini.toml", FRAMEWORK, &ctx)
        .await
        .expect("import");
    let p = partnership(&app).await;
    let scope = Scope::Partnership(p);
    let lead = member(&app, p, "lead@riverton.example", Role::PreventLead).await;
    let partner = member(&app, p, "contributor@riverton.example", Role::Contributor).await;
    let board = member(&app, p, "board@riverton.example", Role::BoardMember).await;
    let manage = decide(&lead, Permission::AssessmentManage, scope).expect("lead manages");

    // Bad input changes nothing.
    let read = decide(&lead, Permission::AssessmentRead, scope).expect("read");
    let before = app.list_assessments(&read).await.expect("list");
    let bad = NewAssessment {
        title: " ".into(),
        framework: "nope".into(),
        period_start: "2026-13-01".into(),
        period_end: "x".into(),
        previous_id: String::new(),
        organisation_id: uuid::Uuid::new_v4().to_string(),
    };
    match app.create_assessment(&manage, &bad, &ctx).await {
        Err(ServiceError::Validation(v)) => {
            let fields: Vec<&str> = v.0.iter().map(|e| e.field.as_str()).collect();
            assert!(
                fields.contains(&"title") && fields.contains(&"framework"),
                "{fields:?}"
            );
        }
        other => panic!("expected validation errors, got {other:?}"),
    }
    let after = app.list_assessments(&read).await.expect("list");
    assert_eq!(
        after.iter().map(|a| &a.id).collect::<Vec<_>>(),
        before.iter().map(|a| &a.id).collect::<Vec<_>>()
    );

    let id = app
        .create_assessment(
            &manage,
            &NewAssessment {
                title: "2025/26".into(),
                framework: "mini".into(),
                period_start: "2025-04-01".into(),
                period_end: "2026-03-31".into(),
                previous_id: String::new(),
                organisation_id: String::new(),
            },
            &ctx,
        )
        .await
        .expect("create");
    // Only the partnership's own organisations can be assessed on their own.
    let bad_org = NewAssessment {
        title: "One organisation".into(),
        framework: "mini".into(),
        period_start: "2025-04-01".into(),
        period_end: "2026-03-31".into(),
        previous_id: String::new(),
        organisation_id: uuid::Uuid::new_v4().to_string(),
    };
    match app.create_assessment(&manage, &bad_org, &ctx).await {
        Err(ServiceError::Validation(v)) => {
            assert!(v.0.iter().any(|e| e.field == "organisation_id"), "{v:?}")
        }
        other => panic!("expected a refused organisation, got {other:?}"),
    }
    let view = app.assessment(&read, id).await.expect("view");
    assert_eq!(view.responses.len(), 2);
    assert_eq!(view.progress()[0].answered, 0);

    // A contributor answers only what is assigned to them.
    let respond = decide(&partner, Permission::AssessmentRespond, scope).expect("respond");
    assert!(matches!(
        app.respond(&respond, id, &q("1.1"), 1, "developing", "", &ctx)
            .await,
        Err(Err(ServiceError::Conflict(_)))
    ));
    app.assign(&manage, id, "b1", "", &partner.user_id().to_string(), &ctx)
        .await
        .expect("assign");
    // A stale second edit is refused with both versions.
    let v2 = app
        .respond(
            &respond,
            id,
            &q("1.1"),
            1,
            "developing",
            "We have a draft.",
            &ctx,
        )
        .await
        .expect("rate");
    assert_eq!(v2.response.version, 2);
    assert_eq!(v2.response.rating, "developing");
    let lead_respond = decide(&lead, Permission::AssessmentRespond, scope).expect("respond");
    match app
        .respond(
            &lead_respond,
            id,
            &q("1.1"),
            1,
            "achieving",
            "Signed off.",
            &ctx,
        )
        .await
    {
        Err(Ok(stale)) => {
            assert_eq!(stale.current.rating, "developing");
            assert_eq!(stale.current.version, 2);
            assert_eq!(stale.yours_details, "Signed off.");
        }
        other => panic!("expected a stale edit, got {other:?}"),
    }
    // A rating outside the scale is refused.
    assert!(matches!(
        app.respond(&respond, id, &q("1.1"), 2, "excellent", "", &ctx)
            .await,
        Err(Err(ServiceError::Validation(_)))
    ));
    app.respond(
        &lead_respond,
        id,
        &q("1.1"),
        2,
        "achieving",
        "Signed off.",
        &ctx,
    )
    .await
    .expect("current edit");
    let history = app
        .response_history(&read, id, &q("1.1"))
        .await
        .expect("history");
    assert_eq!(
        history
            .iter()
            .map(|h| h.rating.as_str())
            .collect::<Vec<_>>(),
        vec!["developing", ""]
    );

    // A board member cannot answer; a referrer cannot even read.
    assert!(decide(&board, Permission::AssessmentRespond, scope).is_err());
    assert!(decide(&actor(p, Role::Referrer), Permission::AssessmentRead, scope).is_err());

    // Life cycle: the submitter cannot approve their own submission.
    app.transition(
        &manage,
        id,
        &Transition::Submit {
            unanswered_confirmed: true,
        },
        &ctx,
    )
    .await
    .expect("submit");
    let lead_as_board = verified(lead.user_id(), p, Role::BoardMember);
    let own = decide(&lead_as_board, Permission::AssessmentApprove, scope).expect("grant");
    let err = app
        .transition(&own, id, &Transition::Approve { reference: None }, &ctx)
        .await
        .expect_err("own approval");
    assert!(err.to_string().contains("someone else"), "{err}");
    // Answers are frozen once submitted.
    assert!(matches!(
        app.respond(&respond, id, &q("1.2"), 1, "developing", "", &ctx)
            .await,
        Err(Err(ServiceError::Conflict(_)))
    ));
    let approve = decide(&board, Permission::AssessmentApprove, scope).expect("approve");
    assert_eq!(
        app.transition(&approve, id, &Transition::Approve { reference: None }, &ctx)
            .await
            .expect("approve"),
        State::Approved
    );
    assert_eq!(
        app.transition(&manage, id, &Transition::Lock, &ctx)
            .await
            .expect("lock"),
        State::Locked
    );
    assert!(app
        .transition(&manage, id, &Transition::Reopen { reason: "".into() }, &ctx)
        .await
        .is_err());
    assert_eq!(
        app.transition(
            &manage,
            id,
            &Transition::Reopen {
                reason: "A figure was wrong".into()
            },
            &ctx
        )
        .await
        .expect("reopen"),
        State::Draft
    );

    // The next period starts from this one's answers.
    let next = app
        .create_assessment(
            &manage,
            &NewAssessment {
                title: "2026/27".into(),
                framework: "mini".into(),
                period_start: "2026-04-01".into(),
                period_end: "2027-03-31".into(),
                previous_id: id.to_string(),
                organisation_id: String::new(),
            },
            &ctx,
        )
        .await
        .expect("next period");
    let nv = app.assessment(&read, next).await.expect("view");
    assert_eq!(nv.responses["1.1"].rating, "achieving");
    assert_eq!(nv.responses["1.1"].details, "Signed off.");
    assert_eq!(nv.assessment.previous, Some(id));

    // Another partnership cannot see it.
    let other = PartnershipId::new();
    let outsider = decide(
        &actor(other, Role::PreventLead),
        Permission::AssessmentRead,
        Scope::Partnership(other),
    )
    .expect("grant");
    assert!(matches!(
        app.assessment(&outsider, id).await,
        Err(ServiceError::NotFound)
    ));
}

/// The shipped frameworks are installed once, again as a no-op, and never over a newer
/// version the deployment imported itself; the demonstration partnership gets last year's
/// benchmark assessment locked after board approval and this year's draft started from it.
#[each_engine]
async fn shipped_frameworks_and_the_demonstration_assessments(engine: Engine) {
    let (app, _db) = fresh_app(&engine, SecurityConfig::default()).await;
    let first = app.install_shipped_frameworks().await.expect("install");
    assert_eq!(
        first,
        vec![
            ImportOutcome::Imported {
                key: "hmic-prevent-2009".into(),
                version: 2
            },
            ImportOutcome::Imported {
                key: "lde-partnership-2008".into(),
                version: 2
            },
            ImportOutcome::Imported {
                key: "prevent-duty-benchmark".into(),
                version: 3
            },
        ]
    );
    // A deployment publishes its own next version of the LDE model; a restart keeps it.
    let (_, lde) = preventkit_domain::shipped::FRAMEWORKS[1];
    let g = decide(
        &Actor::console(),
        Permission::FrameworkManage,
        Scope::Platform,
    )
    .expect("grant");
    let (_, lde2) = frameworks::next_version(lde);
    let lde2 = lde2.replacen("title = \"", "title = \"Local ", 1);
    app.import_framework(&g, "lde2.toml", &lde2, &RequestContext::console())
        .await
        .expect("own version");
    let again = app.install_shipped_frameworks().await.expect("again");
    assert!(again
        .iter()
        .all(|o| matches!(o, ImportOutcome::AlreadyPresent { .. })));

    let p = partnership(&app).await;
    let scope = Scope::Partnership(p);
    let lead = member(&app, p, "lead@riverton.example", Role::PreventLead).await;
    let read = decide(&lead, Permission::AssessmentRead, scope).expect("read");
    let list = app.list_assessments(&read).await.expect("list");
    assert_eq!(list.len(), 2, "{list:?}");
    let last = list
        .iter()
        .find(|a| a.start_text() == "2025-04-01")
        .expect("last year");
    let current = list
        .iter()
        .find(|a| a.start_text() == "2026-04-01")
        .expect("this year");
    assert_eq!(last.state, State::Locked);
    assert_eq!(current.state, State::Draft);
    assert_eq!(current.previous, Some(last.id));

    let view = app.assessment(&read, current.id).await.expect("view");
    assert_eq!(view.framework_key, "prevent-duty-benchmark");
    assert_eq!(view.responses.len(), 38);
    assert!(view.responses.values().all(|r| !r.rating.is_empty()));
    // The answers moved on this year differ from last year's in the comparison.
    let comparison = app.compare(&read, current.id).await.expect("compare");
    assert_eq!(comparison.assessments.len(), 2);
    let changed: Vec<&str> = comparison
        .rows
        .iter()
        .filter(|r| r.ratings.windows(2).any(|w| w[0] != w[1]))
        .map(|r| r.number.as_str())
        .collect();
    assert!(!changed.is_empty() && changed.len() <= 3, "{changed:?}");
    // Summarised as the five HMIC capabilities, every question counted at least once.
    let summaries = app.mapped_summaries(&read, current.id).await.expect("map");
    let hmic = summaries
        .iter()
        .find(|s| s.rows.len() == 5)
        .expect("capabilities");
    let counted: usize = hmic.rows.iter().flat_map(|r| &r.counts).sum();
    assert!(counted >= 37, "{counted}");
    // Evidence carried into this year.
    let evidence = app
        .assessment_evidence(&read, &current.id.to_string())
        .await
        .expect("evidence");
    assert!(evidence.iter().any(|(q, _)| q == "2.1"), "{evidence:?}");
}

/// A newer framework version is offered to a draft, and moving to it carries answers across
/// question by question where the ids match; nothing is deleted.
#[each_engine]
async fn a_draft_moves_to_a_newer_framework_version_carrying_answers(engine: Engine) {
    let (app, _db) = fresh_app(&engine, SecurityConfig::default()).await;
    let ctx = RequestContext::console();
    let fg = decide(
        &Actor::console(),
        Permission::FrameworkManage,
        Scope::Platform,
    )
    .expect("grant");
    app.import_framework(&fg, "mini.toml", FRAMEWORK, &ctx)
        .await
        .expect("import");
    let p = partnership(&app).await;
    let scope = Scope::Partnership(p);
    let lead = member(&app, p, "lead@riverton.example", Role::PreventLead).await;
    let manage = decide(&lead, Permission::AssessmentManage, scope).expect("manage");
    let respond = decide(&lead, Permission::AssessmentRespond, scope).expect("respond");
    let id = app
        .create_assessment(
            &manage,
            &NewAssessment {
                title: "Mini 2026".into(),
                framework: "mini".into(),
                period_start: "2026-04-01".into(),
                period_end: "2027-03-31".into(),
                ..NewAssessment::default()
            },
            &ctx,
        )
        .await
        .expect("create");
    app.respond(
        &respond,
        id,
        &q("1.1"),
        1,
        "developing",
        "Draft agreed.",
        &ctx,
    )
    .await
    .expect("1.1");
    app.respond(&respond, id, &q("1.2"), 1, "achieving", "Shared.", &ctx)
        .await
        .expect("1.2");
    assert_eq!(app.upgrade_plan(&manage, id).await.expect("plan"), None);

    // Version 2: "developing" leaves the scale, 1.2 is retired and 1.3 is new.
    let v2 = FRAMEWORK
            .replace("version = 1", "version = 2")
            .replace(
                "[[scales.levels]]\nkey = \"developing\"\nlabel = \"Developing\"\ncolour = \"#f47738\"\n\n",
                "",
            )
            .replace("id = \"1.2\"\nnumber = \"1.2\"", "id = \"1.3\"\nnumber = \"1.3\"");
    app.import_framework(&fg, "mini-2.toml", &v2, &ctx)
        .await
        .expect("import v2");
    let plan = app
        .upgrade_plan(&manage, id)
        .await
        .expect("plan")
        .expect("a newer version is offered");
    assert_eq!((plan.from_version, plan.to_version), (1, 2));
    assert_eq!(plan.rating_cleared, ["1.1"]);
    assert_eq!(plan.added, ["1.3"]);
    assert_eq!(plan.retired, ["1.2"]);
    assert!(plan.carried.is_empty());

    // The next period starts on version 2 from this one's answers by the same rule: the
    // details of 1.1 come across though its rating is no longer on the scale.
    let next = app
        .create_assessment(
            &manage,
            &NewAssessment {
                title: "Mini 2027".into(),
                framework: "mini".into(),
                period_start: "2027-04-01".into(),
                period_end: "2028-03-31".into(),
                previous_id: id.to_string(),
                ..NewAssessment::default()
            },
            &ctx,
        )
        .await
        .expect("next period");
    let read_next = decide(&lead, Permission::AssessmentRead, scope).expect("read");
    let next_view = app.assessment(&read_next, next).await.expect("view");
    assert_eq!(next_view.framework_version, 2);
    let carried = &next_view.responses["1.1"];
    assert_eq!(
        (carried.rating.as_str(), carried.details.as_str()),
        ("", "Draft agreed.")
    );
    assert_eq!(next_view.responses["1.3"].rating, "");

    // Reviewing an older offer than the newest version changes nothing.
    assert!(matches!(
        app.upgrade_assessment(&manage, id, 1, &ctx).await,
        Err(ServiceError::Conflict(_))
    ));
    // A contributor may not move it.
    let partner = member(&app, p, "contributor@riverton.example", Role::Contributor).await;
    let partner_read = decide(&partner, Permission::AssessmentRead, scope).expect("read");
    assert!(app.upgrade_plan(&partner_read, id).await.is_err());

    let done = app
        .upgrade_assessment(&manage, id, 2, &ctx)
        .await
        .expect("move");
    assert_eq!(done, plan);
    let read = decide(&lead, Permission::AssessmentRead, scope).expect("read");
    let view = app.assessment(&read, id).await.expect("view");
    assert_eq!(view.framework_version, 2);
    let q11 = &view.responses["1.1"];
    assert_eq!(
        (q11.rating.as_str(), q11.details.as_str()),
        ("", "Draft agreed.")
    );
    let history = app
        .response_history(&read, id, &q("1.1"))
        .await
        .expect("history");
    assert_eq!(history[0].rating, "developing", "the old rating is kept");
    assert_eq!(view.responses["1.3"].rating, "");
    // The retired question's answer is still stored, though no longer asked.
    assert_eq!(view.responses["1.2"].rating, "achieving");
    assert_eq!(view.progress()[0].total, 2);
    // Nothing more to move.
    assert_eq!(app.upgrade_plan(&manage, id).await.expect("plan"), None);
    assert!(matches!(
        app.upgrade_assessment(&manage, id, 2, &ctx).await,
        Err(ServiceError::Conflict(_))
    ));
}

/// Many people answering at once: edits arriving together are committed together, each is
/// applied or refused on its own merits, nothing acknowledged is lost, and the audit chain
/// stays whole. When a transaction of several edits fails, each edit is tried again on its
/// own, so one bad edit does not lose the good edits it arrived with.
#[each_engine]
async fn concurrent_answers_are_each_saved_once_or_refused_as_stale(engine: Engine) {
    let (app, db) = fresh_app(&engine, SecurityConfig::default()).await;
    let p = partnership(&app).await;
    let mut sql = Sql::connect(&db.url).await;
    watch_answer_writes(&mut sql).await;
    let scope = Scope::Partnership(p);
    let lead = member(&app, p, "lead@riverton.example", Role::PreventLead).await;
    let read = decide(&lead, Permission::AssessmentRead, scope).expect("read");
    let respond = decide(&lead, Permission::AssessmentRespond, scope).expect("respond");
    let draft = app
        .list_assessments(&read)
        .await
        .expect("list")
        .into_iter()
        .find(|a| a.state == State::Draft)
        .expect("the demonstration draft");
    let view = app.assessment(&read, draft.id).await.expect("view");
    let before: std::collections::HashMap<String, i64> = view
        .responses
        .iter()
        .map(|(q, r)| (q.clone(), r.version))
        .collect();
    let questions: Vec<String> = view
        .framework
        .questions()
        .into_iter()
        .map(|(_, q)| q.id.clone())
        .collect();

    // Every question edited once, and question 1.1 edited four times from the same
    // version: 41 edits in flight together. They start at once behind a barrier, while the
    // write lock is held elsewhere, so they queue for the writer together.
    let mut edits: Vec<(String, String)> = questions
        .iter()
        .map(|q| (q.clone(), format!("Edit of {q}")))
        .collect();
    for n in 0..3 {
        edits.push(("1.1".into(), format!("Rival edit {n} of 1.1")));
    }
    let handles = edit_at_once(&app, &respond, draft.id, &mut sql, None, edits, &before).await;
    let mut saved: std::collections::HashMap<String, Vec<String>> = Default::default();
    let mut stale = 0;
    for h in handles {
        let (q, details, r) = h.await.expect("task");
        match r {
            Ok(a) => {
                assert_eq!(a.response.version, before[&q] + 1);
                saved.entry(q).or_default().push(details);
            }
            Err(Ok(s)) => {
                assert_eq!(q, "1.1", "only the rival edits can be stale");
                assert_eq!(s.current.version, before[&q] + 1);
                stale += 1;
            }
            Err(Err(e)) => panic!("edit of {q} failed: {e}"),
        }
    }
    assert_eq!(stale, 3, "three of the four edits of 1.1 were stale");
    assert_eq!(saved.len(), questions.len());
    assert!(saved.values().all(|v| v.len() == 1));

    // What was acknowledged is what is stored, with the replaced answer in the history.
    let after = app.assessment(&read, draft.id).await.expect("view");
    for q in &questions {
        let r = &after.responses[q];
        assert_eq!(r.version, before[q] + 1, "{q}");
        assert_eq!(r.details, saved[q][0], "{q}");
    }
    let history = app
        .response_history(&read, draft.id, &q("2.1"))
        .await
        .expect("history");
    assert_eq!(history[0].version, before["2.1"]);
    let verified = app.verify_audit().await.expect("verify");
    assert!(verified.is_ok(), "the audit chain is whole: {verified:?}");

    // Group commit: every saved edit was written once, and some transaction held several.
    let writes = answer_writes(&mut sql).await;
    assert_eq!(
        writes.len(),
        questions.len(),
        "one write per saved edit: {writes:?}"
    );
    let transactions: std::collections::BTreeSet<i64> = writes.iter().map(|w| w.1).collect();
    assert!(
        transactions.len() < writes.len(),
        "edits that arrived together were committed together: {} edits in {} transactions",
        writes.len(),
        transactions.len()
    );

    // A failed transaction is retried edit by edit: one edit the database refuses, among
    // good edits arriving with it, fails alone. One good edit goes first, to be the writer's
    // first transaction on its own; the rest, the refused one among them, queue behind it.
    let (poisoned, good) = questions.split_first().expect("questions");
    let events_before = respond_events(&mut sql).await;
    let history_before = history_rows(&mut sql).await;
    let second = |q: &String| (q.clone(), format!("Second edit of {q}"));
    let mut edits: Vec<(String, String)> = vec![(poisoned.clone(), POISON.to_owned())];
    edits.extend(good[1..].iter().map(second));
    let current: std::collections::HashMap<String, i64> = after
        .responses
        .iter()
        .map(|(q, r)| (q.clone(), r.version))
        .collect();
    let opener = Some(second(&good[0]));
    let handles = edit_at_once(&app, &respond, draft.id, &mut sql, opener, edits, &current).await;
    for h in handles {
        let (q, details, r) = h.await.expect("task");
        match r {
            Ok(a) if q != *poisoned => assert_eq!(a.response.details, details),
            Err(Err(_)) if q == *poisoned => {}
            Ok(_) => panic!("the edit of {q} that the database refuses was saved"),
            Err(Ok(s)) => panic!("edit of {q} stale against {}", s.current.version),
            Err(Err(e)) => panic!("edit of {q} failed: {e}"),
        }
    }
    let last = app.assessment(&read, draft.id).await.expect("view");
    assert_eq!(last.responses[poisoned].version, current[poisoned]);
    assert_eq!(
        last.responses[poisoned].details,
        after.responses[poisoned].details
    );
    for q in good {
        assert_eq!(last.responses[q].version, current[q] + 1, "{q}");
        assert_eq!(
            last.responses[q].details,
            format!("Second edit of {q}"),
            "{q}"
        );
    }
    assert_eq!(
        respond_events(&mut sql).await - events_before,
        good.len() as i64,
        "one audit event per good edit, none for the refused one"
    );
    assert_eq!(
        history_rows(&mut sql).await - history_before,
        good.len() as i64,
        "one history row per good edit, none for the refused one"
    );
    let verified = app.verify_audit().await.expect("verify");
    assert!(verified.is_ok(), "the audit chain is whole: {verified:?}");
}

/// The supporting details that the database refuses (see [`watch_answer_writes`]).
const POISON: &str = "An edit the database refuses";

/// Record every answer written, with the number of audit events that existed when it was
/// written: a transaction appends its events after its answers, so the answers of one
/// transaction see the same number and those of different transactions different numbers.
/// And make the database refuse an answer whose details are [`POISON`].
async fn watch_answer_writes(sql: &mut Sql) {
    sql.execute(
        "CREATE TABLE test_answer_writes (response_id TEXT NOT NULL, details TEXT NOT NULL, \
         events_before BIGINT NOT NULL)",
    )
    .await;
    if sql.is_postgres() {
        sql.execute(&format!(
            "CREATE FUNCTION test_answer_writes() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN \
               IF NEW.details = '{POISON}' THEN RAISE EXCEPTION 'a refused answer'; END IF; \
               INSERT INTO test_answer_writes \
                 VALUES (NEW.id, NEW.details, (SELECT count(*) FROM audit_events)); \
               RETURN NEW; \
             END $$"
        ))
        .await;
        sql.execute(
            "CREATE TRIGGER test_answer_writes AFTER UPDATE ON responses \
             FOR EACH ROW EXECUTE FUNCTION test_answer_writes()",
        )
        .await;
    } else {
        sql.execute(&format!(
            "CREATE TRIGGER test_answer_writes AFTER UPDATE ON responses BEGIN \
               SELECT RAISE(ABORT, 'a refused answer') WHERE NEW.details = '{POISON}'; \
               INSERT INTO test_answer_writes \
                 VALUES (NEW.id, NEW.details, (SELECT count(*) FROM audit_events)); \
             END"
        ))
        .await;
    }
}

/// The answers written since [`watch_answer_writes`]: (details, audit events before).
async fn answer_writes(sql: &mut Sql) -> Vec<(String, i64)> {
    sql.rows("SELECT details, events_before FROM test_answer_writes")
        .await
        .into_iter()
        .map(|r| {
            let n = r[1].as_deref().unwrap_or_default().parse().expect("count");
            (r[0].clone().unwrap_or_default(), n)
        })
        .collect()
}

async fn respond_events(sql: &mut Sql) -> i64 {
    sql.number("SELECT count(*) FROM audit_events WHERE action = 'assessment.respond'")
        .await
}

async fn history_rows(sql: &mut Sql) -> i64 {
    sql.number("SELECT count(*) FROM response_history").await
}

type EditResult = (
    String,
    String,
    Result<
        preventkit_services::assessment::Answer,
        Result<preventkit_services::assessment::StaleEdit, ServiceError>,
    >,
);

/// Send `edits` (question, details; each based on the version in `versions`) all at once:
/// one task each, released together by a barrier while `sql` holds the write lock, which is
/// let go once the edits have had time to queue behind it. An `opener` is sent first, alone,
/// so that it is the writer's first transaction, waiting for the lock.
async fn edit_at_once(
    app: &App,
    respond: &preventkit_services::Grant,
    id: AssessmentId,
    sql: &mut Sql,
    opener: Option<(String, String)>,
    edits: Vec<(String, String)>,
    versions: &std::collections::HashMap<String, i64>,
) -> Vec<tokio::task::JoinHandle<EditResult>> {
    sql.hold_writes().await;
    let mut handles = Vec::new();
    if let Some(first) = opener {
        let go = std::sync::Arc::new(tokio::sync::Barrier::new(1));
        handles.push(send_edit(app, respond, id, first, versions, go));
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let start = std::sync::Arc::new(tokio::sync::Barrier::new(edits.len() + 1));
    for edit in edits {
        handles.push(send_edit(app, respond, id, edit, versions, start.clone()));
    }
    start.wait().await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    sql.release_writes().await;
    handles
}

/// One edit in a task of its own, sent when `start` lets it go.
fn send_edit(
    app: &App,
    respond: &preventkit_services::Grant,
    id: AssessmentId,
    (q, details): (String, String),
    versions: &std::collections::HashMap<String, i64>,
    start: std::sync::Arc<tokio::sync::Barrier>,
) -> tokio::task::JoinHandle<EditResult> {
    let app = app.clone();
    let respond = respond.clone();
    let based_on = versions[&q];
    tokio::spawn(async move {
        start.wait().await;
        let r = app
            .respond(
                &respond,
                id,
                &QuestionId::from(q.as_str()),
                based_on,
                "developing",
                &details,
                &RequestContext::console(),
            )
            .await;
        (q, details, r)
    })
}

/// A stored value that does not decode (an unknown state, a malformed date or identifier) is
/// an error naming the table and column, never read as some default: every service that reads
/// the assessment fails rather than carrying on with a made-up value.
#[each_engine]
async fn an_undecodable_stored_value_fails_instead_of_defaulting(engine: Engine) {
    use preventkit_storage::StorageError;
    let (app, db) = fresh_app(&engine, SecurityConfig::default()).await;
    let ctx = RequestContext::console();
    let fg = decide(
        &Actor::console(),
        Permission::FrameworkManage,
        Scope::Platform,
    )
    .expect("grant");
    app.import_framework(&fg, "mini.toml", FRAMEWORK, &ctx)
        .await
        .expect("import");
    let p = partnership(&app).await;
    let scope = Scope::Partnership(p);
    let lead = member(&app, p, "lead@riverton.example", Role::PreventLead).await;
    let manage = decide(&lead, Permission::AssessmentManage, scope).expect("manage");
    let read = decide(&lead, Permission::AssessmentRead, scope).expect("read");
    let respond = decide(&lead, Permission::AssessmentRespond, scope).expect("respond");
    let id = app
        .create_assessment(
            &manage,
            &NewAssessment {
                title: "2026 to 2027".into(),
                framework: "mini".into(),
                period_start: "2026-04-01".into(),
                period_end: "2027-03-31".into(),
                ..NewAssessment::default()
            },
            &ctx,
        )
        .await
        .expect("create");
    let undecodable = |r: Result<_, ServiceError>, column: &str| match r {
        Err(ServiceError::Storage(StorageError::Corrupt { table, column: c })) => {
            assert_eq!((table, c), ("assessments", column), "{}", engine.name());
        }
        Err(e) => panic!("{}: another error: {e:?}", engine.name()),
        Ok(_) => panic!("{}: an undecodable {column} was read", engine.name()),
    };
    let mut sql = Sql::connect(&db.url).await;

    sql.execute("UPDATE assessments SET state = 'bogus'").await;
    undecodable(app.assessment(&read, id).await.map(|_| ()), "state");
    undecodable(app.list_assessments(&read).await.map(|_| ()), "state");
    undecodable(
        app.transition(
            &manage,
            id,
            &Transition::Submit {
                unanswered_confirmed: true,
            },
            &ctx,
        )
        .await
        .map(|_| ()),
        "state",
    );
    // Before, an unknown state read as locked when answering: now the answer is refused as
    // a server fault and nothing is written.
    let history_before = history_rows(&mut sql).await;
    match app
        .respond(&respond, id, &q("1.1"), 1, "developing", "", &ctx)
        .await
    {
        Err(Err(ServiceError::Storage(StorageError::Corrupt { table, column }))) => {
            assert_eq!((table, column), ("assessments", "state"));
        }
        Err(Err(e)) => panic!("another error: {e:?}"),
        Err(Ok(_)) => panic!("read as a stale edit"),
        Ok(_) => panic!("an answer was saved to an assessment in no known state"),
    }
    assert_eq!(history_rows(&mut sql).await, history_before);

    sql.execute("UPDATE assessments SET state = 'draft', period_end = '2027-02-30'")
        .await;
    undecodable(app.assessment(&read, id).await.map(|_| ()), "period_end");

    sql.execute("UPDATE assessments SET period_end = '2027-03-31', created_by = 'not-a-uuid'")
        .await;
    undecodable(app.assessment(&read, id).await.map(|_| ()), "created_by");

    // The error names the place, never the stored value (which may be personal data).
    let shown = StorageError::Corrupt {
        table: "assessments",
        column: "created_by",
    }
    .to_string();
    assert!(!shown.contains("not-a-uuid"), "{shown}");
}
