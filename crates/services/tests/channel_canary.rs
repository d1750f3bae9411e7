//! No plaintext where it does not belong: a unique string put into every sealed field of a
//! case is found in no database file (SQLite's main file, its write-ahead log and a backup) and
//! in no PostgreSQL dump, while a string the product keeps in the clear on purpose (the reason
//! for exceptional access) is found there, which proves the search reads what was written.

// Test code: a failed unwrap, expect, panic or index is the test failing, as it should be.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use preventkit_domain::channel::{
    CasePart, DeconflictionInput, InformationInput, OutcomeInput, ReferralInput,
};
use preventkit_domain::dates::DateEntry;
use preventkit_domain::policy::decide;
use preventkit_domain::{
    Actor, Clearance, Marking, PartnershipId, Permission, Role, Scope, UserId,
};
use preventkit_services::{App, RequestContext, SecurityConfig};
use preventkit_testkit::{each_engine, fresh_app, Engine};

fn grant(
    user: UserId,
    p: PartnershipId,
    role: Role,
    permission: Permission,
) -> preventkit_domain::Grant {
    let actor = Actor::from_verified(preventkit_domain::VerifiedIdentity {
        user_id: user,
        system_admin: false,
        memberships: vec![(p, role)],
        clearance: Clearance(Marking::OfficialSensitive),
        mfa_verified: true,
    });
    decide(&actor, permission, Scope::Partnership(p)).unwrap()
}

async fn user(app: &App, email: &str) -> UserId {
    let g = decide(&Actor::console(), Permission::UserManage, Scope::Platform).unwrap();
    app.find_user_by_email(&g, email)
        .await
        .unwrap()
        .id
        .parse()
        .unwrap()
}

/// Every place `needle` occurs in `haystack`.
fn hits(haystack: &[u8], needle: &str) -> usize {
    haystack
        .windows(needle.len())
        .filter(|w| *w == needle.as_bytes())
        .count()
}

#[each_engine]
async fn no_sealed_field_is_readable_in_the_database_files_or_a_dump(engine: Engine) {
    let (app, db) = fresh_app(&engine, SecurityConfig::default()).await;
    app.load_demo().await.unwrap();
    let g = decide(
        &Actor::console(),
        Permission::PartnershipManage,
        Scope::Platform,
    )
    .unwrap();
    let p = app
        .list_all_partnerships(&g)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.name == "Riverton Prevent Partnership")
        .unwrap()
        .id;
    let ctx = RequestContext::console();
    let tag = uuid::Uuid::new_v4().simple().to_string();
    let canary = |field: &str| format!("canary{field}{tag}");
    let fields = [
        "name",
        "address",
        "contact",
        "professionals",
        "concern",
        "organisation",
        "withwhom",
        "source",
        "narrative",
        "otherservice",
        "reasons",
    ];

    let referrer = grant(
        user(&app, "referrer@riverton.example").await,
        p,
        Role::Referrer,
        Permission::CaseRefer,
    );
    let made = app
        .refer(
            &referrer,
            &ctx,
            &ReferralInput {
                person_name: canary("name"),
                date_of_birth: DateEntry::Iso("1931-02-17".into()),
                approximate_age: String::new(),
                gender: "female".into(),
                address: canary("address"),
                contact: canary("contact"),
                professionals: canary("professionals"),
                concern: canary("concern"),
                concern_type: "other".into(),
                organisation: canary("organisation"),
                sector: "health".into(),
                aware: "not-known".into(),
            },
        )
        .await
        .unwrap();
    let chair_id = user(&app, "chair@riverton.example").await;
    let manage = grant(chair_id, p, Role::ChannelChair, Permission::CaseManage);
    let today = app.today().to_string();
    app.record_deconfliction(
        &manage,
        &ctx,
        made.id,
        &DeconflictionInput {
            on: DateEntry::Iso(today.clone()),
            with_whom: canary("withwhom"),
            result: "no-conflict".into(),
        },
    )
    .await
    .unwrap();
    app.record_information(
        &manage,
        &ctx,
        made.id,
        &InformationInput {
            source: canary("source"),
            received: DateEntry::Iso(today),
            narrative: canary("narrative"),
        },
    )
    .await
    .unwrap();
    let version = app
        .case_heading(&manage, made.id)
        .await
        .unwrap()
        .listing
        .version;
    app.record_outcome(
        &manage,
        &ctx,
        made.id,
        version,
        &OutcomeInput {
            outcome: "signposted".into(),
            services: vec!["other".into()],
            other_service: canary("otherservice"),
            reasons: canary("reasons"),
        },
    )
    .await
    .unwrap();
    // Read back: every canary opens for the chair, so each was really written.
    let v = app
        .open_case(
            &grant(chair_id, p, Role::ChannelChair, Permission::CaseRead),
            &ctx,
            made.id,
            CasePart::Record,
        )
        .await
        .unwrap();
    assert_eq!(v.person.name, canary("name"));
    assert_eq!(
        v.person.date_of_birth.map(|d| d.to_string()).as_deref(),
        Some("1931-02-17")
    );
    // The reason for exceptional access is kept in the clear on purpose (it is asked for
    // without personal details, for the data protection officer to review): the control.
    let officer = grant(
        user(&app, "caseofficer2@riverton.example").await,
        p,
        Role::CaseOfficer,
        Permission::CaseRead,
    );
    let control = format!("controlreason{tag}");
    app.give_exceptional_access(&officer, &ctx, made.id, &control)
        .await
        .unwrap();

    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    match engine {
        Engine::Sqlite => {
            let dir = db.dir().unwrap().to_owned();
            let backup = dir.join("backup.db");
            app.backup(&backup).await.unwrap();
            for name in ["test.db", "test.db-wal", "backup.db"] {
                if let Ok(bytes) = std::fs::read(dir.join(name)) {
                    files.push((name.into(), bytes));
                }
            }
            assert!(
                files.iter().any(|(n, _)| n == "test.db-wal"),
                "the log is searched too"
            );
        }
        _ => {
            let out = std::process::Command::new("pg_dump")
                .arg("--dbname")
                .arg(&db.url)
                .output()
                .expect("pg_dump runs");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            files.push(("pg_dump".into(), out.stdout));
        }
    }
    let everything: Vec<u8> = files.iter().flat_map(|(_, b)| b.clone()).collect();
    assert!(
        hits(&everything, &control) > 0,
        "the search reads what was written"
    );
    for f in fields {
        for (name, bytes) in &files {
            assert_eq!(hits(bytes, &canary(f)), 0, "{f} readable in {name}");
        }
    }
    for (name, bytes) in &files {
        assert_eq!(
            hits(bytes, "1931-02-17"),
            0,
            "the date of birth readable in {name}"
        );
    }
}
