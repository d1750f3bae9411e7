//! A deployment that answered version 1 of the shipped Prevent duty benchmark starts a release
//! that ships a newer version of it: the draft is offered the move, every answer carries
//! across (question ids are stable between versions), and none is left behind.

// Test code: a failed unwrap, expect, panic or index is the test failing, as it should be.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use preventkit_domain::policy::decide;
use preventkit_domain::shipped::{FRAMEWORKS, PREVENT_DUTY_BENCHMARK};
use preventkit_domain::{
    Actor, Clearance, Marking, PartnershipId, Permission, Role, Scope, VerifiedIdentity,
};
use preventkit_services::administration::{NewOrganisation, NewPartnership, NewUser};
use preventkit_services::assessment::NewAssessment;
use preventkit_services::demo::DEMO_PASSWORD;
use preventkit_services::framework::ImportOutcome;
use preventkit_services::{App, RequestContext, SecurityConfig};
use preventkit_testkit::{each_engine, frameworks, fresh_app, Engine};
use std::collections::BTreeMap;

/// A partnership and its Prevent lead, made directly rather than with the demonstration data
/// (which installs the shipped frameworks, so would start on the newest version).
async fn partnership_and_lead(app: &App, ctx: &RequestContext) -> (PartnershipId, Actor) {
    let console = Actor::console();
    let og = decide(&console, Permission::OrganisationManage, Scope::Platform).expect("grant");
    let council = app
        .create_organisation(
            &og,
            &NewOrganisation {
                name: "Upton Council".into(),
                org_type: "local-authority-unitary".into(),
            },
            ctx,
        )
        .await
        .expect("organisation");
    let pg = decide(&console, Permission::PartnershipManage, Scope::Platform).expect("grant");
    let region = app
        .create_region(&pg, "Upton region", ctx)
        .await
        .expect("region");
    let p = app
        .create_partnership(
            &pg,
            &NewPartnership {
                name: "Upton Prevent Partnership".into(),
                lead_organisation_id: council.to_string(),
                region_id: region.to_string(),
                ..NewPartnership::default()
            },
            ctx,
        )
        .await
        .expect("partnership");
    let ug = decide(&console, Permission::UserManage, Scope::Platform).expect("grant");
    let user = app
        .create_user(
            &ug,
            &NewUser {
                email: "lead@upton.example".into(),
                display_name: "Una Lead".into(),
                organisation_id: council.to_string(),
                password: DEMO_PASSWORD.into(),
                clearance: "official".into(),
                system_admin: false,
            },
            ctx,
        )
        .await
        .expect("user");
    let lead = Actor::from_verified(VerifiedIdentity {
        user_id: user,
        system_admin: false,
        memberships: vec![(p, Role::PreventLead)],
        clearance: Clearance(Marking::Official),
        mfa_verified: true,
    });
    (p, lead)
}

#[each_engine]
async fn a_draft_on_benchmark_version_1_moves_to_the_shipped_version_with_every_answer(
    engine: Engine,
) {
    let (app, _db) = fresh_app(&engine, SecurityConfig::default()).await;
    let ctx = RequestContext::console();
    let fg = decide(
        &Actor::console(),
        Permission::FrameworkManage,
        Scope::Platform,
    )
    .expect("grant");
    // The database as an earlier release left it: version 1 of the benchmark, and a draft on
    // it with every question answered.
    assert_eq!(
        app.import_framework(
            &fg,
            "prevent-duty-benchmark.toml",
            frameworks::BENCHMARK_VERSION_1,
            &ctx
        )
        .await
        .expect("version 1"),
        ImportOutcome::Imported {
            key: PREVENT_DUTY_BENCHMARK.into(),
            version: 1
        }
    );
    let (p, lead) = partnership_and_lead(&app, &ctx).await;
    let scope = Scope::Partnership(p);
    let manage = decide(&lead, Permission::AssessmentManage, scope).expect("manage");
    let respond = decide(&lead, Permission::AssessmentRespond, scope).expect("respond");
    let read = decide(&lead, Permission::AssessmentRead, scope).expect("read");
    let id = app
        .create_assessment(
            &manage,
            &NewAssessment {
                title: "Prevent duty benchmark 2026 to 2027".into(),
                framework: PREVENT_DUTY_BENCHMARK.into(),
                period_start: "2026-04-01".into(),
                period_end: "2027-03-31".into(),
                ..NewAssessment::default()
            },
            &ctx,
        )
        .await
        .expect("create");
    let before = app.assessment(&read, id).await.expect("view");
    assert_eq!(before.framework_version, 1);
    let questions: Vec<String> = before
        .framework
        .questions()
        .into_iter()
        .map(|(_, q)| q.id.clone())
        .collect();
    assert_eq!(questions.len(), 38);
    let ratings = ["not-yet-started", "developing", "achieving", "n/a"];
    for (i, q) in questions.iter().enumerate() {
        let version = before.responses[q.as_str()].version;
        let details = format!("Answer to {q} on version 1.");
        app.respond(
            &respond,
            id,
            &preventkit_services::domain::QuestionId(q.clone()),
            version,
            ratings[i % ratings.len()],
            &details,
            &ctx,
        )
        .await
        .expect("answer");
    }
    let answers = |view: &preventkit_services::assessment::AssessmentView| {
        view.responses
            .iter()
            .map(|(q, r)| (q.clone(), (r.rating.clone(), r.details.clone())))
            .collect::<BTreeMap<_, _>>()
    };
    let answered = answers(&app.assessment(&read, id).await.expect("view"));
    assert_eq!(answered.len(), 38);
    assert!(answered.values().all(|(rating, _)| !rating.is_empty()));

    // The new release starts: the shipped frameworks are installed beside version 1.
    let (_, shipped_text) = FRAMEWORKS[2];
    let shipped = preventkit_domain::framework::parse("shipped", shipped_text)
        .expect("the shipped benchmark parses")
        .envelope
        .version;
    assert!(shipped > 1, "the benchmark ships a version newer than 1");
    let installed = app.install_shipped_frameworks().await.expect("install");
    assert!(
        installed.contains(&ImportOutcome::Imported {
            key: PREVENT_DUTY_BENCHMARK.into(),
            version: shipped
        }),
        "{installed:?}"
    );

    // The draft is offered the move, and every answered question carries across.
    let plan = app
        .upgrade_plan(&manage, id)
        .await
        .expect("plan")
        .expect("the shipped version is offered");
    assert_eq!(
        (plan.from_version, plan.to_version),
        (1, i64::from(shipped))
    );
    assert_eq!(plan.carried.len(), 38, "{plan:?}");
    assert!(plan.retired.is_empty(), "{plan:?}");
    assert!(plan.added.is_empty(), "{plan:?}");
    assert!(plan.rating_cleared.is_empty(), "{plan:?}");

    let done = app
        .upgrade_assessment(&manage, id, i64::from(shipped), &ctx)
        .await
        .expect("move");
    assert_eq!(done, plan);
    let after = app.assessment(&read, id).await.expect("view");
    assert_eq!(after.framework_version, i64::from(shipped));
    assert_eq!(
        answers(&after),
        answered,
        "every answer is there after the move"
    );
    // The questions are now read in the shipped wording.
    let title = |number: &str| {
        after
            .framework
            .questions()
            .into_iter()
            .find(|(_, q)| q.number == number)
            .map(|(_, q)| q.title.clone())
            .unwrap_or_default()
    };
    assert!(title("6.1").contains("formal"), "{}", title("6.1"));
    assert_eq!(app.upgrade_plan(&manage, id).await.expect("plan"), None);
}

/// Version 3 of the benchmark says which ratings need supporting details. A database holding
/// version 2 (which did not) installs it without a refusal, version 2 stays as it was, and a
/// draft on version 2 keeps that version's rules until it moves.
#[each_engine]
async fn the_benchmark_version_that_asks_for_details_installs_beside_version_2(engine: Engine) {
    let (app, _db) = fresh_app(&engine, SecurityConfig::default()).await;
    let ctx = RequestContext::console();
    let fg = decide(
        &Actor::console(),
        Permission::FrameworkManage,
        Scope::Platform,
    )
    .expect("grant");
    app.import_framework(
        &fg,
        "prevent-duty-benchmark.toml",
        frameworks::BENCHMARK_VERSION_2,
        &ctx,
    )
    .await
    .expect("version 2");
    let (p, lead) = partnership_and_lead(&app, &ctx).await;
    let scope = Scope::Partnership(p);
    let manage = decide(&lead, Permission::AssessmentManage, scope).expect("manage");
    let respond = decide(&lead, Permission::AssessmentRespond, scope).expect("respond");
    let read = decide(&lead, Permission::AssessmentRead, scope).expect("read");
    let id = app
        .create_assessment(
            &manage,
            &NewAssessment {
                title: "On version 2".into(),
                framework: PREVENT_DUTY_BENCHMARK.into(),
                period_start: "2026-04-01".into(),
                period_end: "2027-03-31".into(),
                ..NewAssessment::default()
            },
            &ctx,
        )
        .await
        .expect("create");

    let installed = app.install_shipped_frameworks().await.expect("install");
    assert!(
        installed.contains(&ImportOutcome::Imported {
            key: PREVENT_DUTY_BENCHMARK.into(),
            version: 3
        }),
        "{installed:?}"
    );
    // Installing again changes nothing, and version 2 is still stored.
    let again = app
        .install_shipped_frameworks()
        .await
        .expect("install again");
    assert!(again.contains(&ImportOutcome::AlreadyPresent {
        key: PREVENT_DUTY_BENCHMARK.into(),
        version: 3
    }));
    let fr = decide(
        &Actor::console(),
        Permission::FrameworkRead,
        Scope::Platform,
    )
    .expect("grant");
    let versions: Vec<i64> = app
        .list_frameworks(&fr)
        .await
        .expect("list")
        .into_iter()
        .filter(|f| f.key == PREVENT_DUTY_BENCHMARK)
        .map(|f| f.version)
        .collect();
    assert!(
        versions.contains(&2) && versions.contains(&3),
        "{versions:?}"
    );

    // The draft on version 2 saves Developing without details, as version 2 allows.
    let view = app.assessment(&read, id).await.expect("view");
    assert_eq!(view.framework_version, 2);
    let q = preventkit_domain::QuestionId::from("1.1");
    let version = view.responses["1.1"].version;
    app.respond(&respond, id, &q, version, "developing", "", &ctx)
        .await
        .expect("version 2 has no such rule");

    // A draft on version 3 does not.
    let id3 = app
        .create_assessment(
            &manage,
            &NewAssessment {
                title: "On version 3".into(),
                framework: PREVENT_DUTY_BENCHMARK.into(),
                period_start: "2027-04-01".into(),
                period_end: "2028-03-31".into(),
                ..NewAssessment::default()
            },
            &ctx,
        )
        .await
        .expect("create");
    let view = app.assessment(&read, id3).await.expect("view");
    assert_eq!(view.framework_version, 3);
    let version = view.responses["1.1"].version;
    match app
        .respond(&respond, id3, &q, version, "developing", " ", &ctx)
        .await
    {
        Err(Err(preventkit_services::ServiceError::Validation(e))) => {
            assert_eq!(e.0.len(), 1, "{e:?}");
            assert_eq!(e.0[0].field, "details");
        }
        other => panic!("refused without details: {other:?}"),
    }
}
