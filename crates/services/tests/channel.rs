//! Channel case management on every engine: a referral sealed and numbered, need to know
//! decided by relationship (case officer, panel chair, exceptional access that lapses), every
//! read of case content audited, screening in the guidance's order with stale outcomes
//! refused, the same person found only within a partnership, and sealed values that do not
//! open in another place.

// Test code: a failed unwrap, expect, panic or index is the test failing, as it should be.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use preventkit_domain::channel::{
    CasePart, CaseStage, DeconflictionInput, InformationInput, OutcomeInput, ReferralInput,
    ScreeningOutcome,
};
use preventkit_domain::dates::DateEntry;
use preventkit_domain::policy::{decide, CaseRelation};
use preventkit_domain::{
    Actor, CaseId, Clearance, Grant, Marking, PartnershipId, Permission, Role, Scope, UserId,
};
use preventkit_services::channel::TimelineKind;
use preventkit_services::{App, RequestContext, SecurityConfig, ServiceError};
use preventkit_testkit::{each_engine, fresh_app, Engine, Sql};

const RIVERTON: &str = "Riverton Prevent Partnership";
const EASTVALE: &str = "Eastvale Prevent Partnership";

fn ctx() -> RequestContext {
    RequestContext {
        source: Some("127.0.0.7".into()),
    }
}

async fn partnership(app: &App, name: &str) -> PartnershipId {
    let g = decide(
        &Actor::console(),
        Permission::PartnershipManage,
        Scope::Platform,
    )
    .unwrap();
    app.list_all_partnerships(&g)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.name == name)
        .unwrap()
        .id
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

/// A grant for `permission` to `user` holding `role` in `p`, cleared as `clearance`.
fn grant(
    user: UserId,
    p: PartnershipId,
    role: Role,
    clearance: Marking,
    permission: Permission,
) -> Grant {
    let actor = Actor::from_verified(preventkit_domain::VerifiedIdentity {
        user_id: user,
        system_admin: false,
        memberships: vec![(p, role)],
        clearance: Clearance(clearance),
        mfa_verified: true,
    });
    decide(&actor, permission, Scope::Partnership(p)).unwrap()
}

struct Demo {
    app: App,
    _db: preventkit_testkit::TestDatabase,
    p: PartnershipId,
    referrer: UserId,
    chair: UserId,
    officer: UserId,
    other_officer: UserId,
    panel: UserId,
    auditor: UserId,
}

async fn demo(engine: &Engine) -> Demo {
    let (app, db) = fresh_app(engine, SecurityConfig::default()).await;
    app.load_demo().await.unwrap();
    let p = partnership(&app, RIVERTON).await;
    Demo {
        referrer: user(&app, "referrer@riverton.example").await,
        chair: user(&app, "chair@riverton.example").await,
        officer: user(&app, "caseofficer@riverton.example").await,
        other_officer: user(&app, "caseofficer2@riverton.example").await,
        panel: user(&app, "panel@riverton.example").await,
        auditor: user(&app, "auditor@riverton.example").await,
        app,
        _db: db,
        p,
    }
}

impl Demo {
    fn refer_grant(&self) -> Grant {
        grant(
            self.referrer,
            self.p,
            Role::Referrer,
            Marking::Official,
            Permission::CaseRefer,
        )
    }
    fn chair(&self, permission: Permission) -> Grant {
        grant(
            self.chair,
            self.p,
            Role::ChannelChair,
            Marking::OfficialSensitive,
            permission,
        )
    }
    fn officer(&self, permission: Permission) -> Grant {
        grant(
            self.officer,
            self.p,
            Role::CaseOfficer,
            Marking::OfficialSensitive,
            permission,
        )
    }
    fn other_officer(&self, permission: Permission) -> Grant {
        grant(
            self.other_officer,
            self.p,
            Role::CaseOfficer,
            Marking::OfficialSensitive,
            permission,
        )
    }
    fn auditor(&self) -> Grant {
        grant(
            self.auditor,
            self.p,
            Role::Auditor,
            Marking::OfficialSensitive,
            Permission::CaseAccessReview,
        )
    }

    async fn refer(&self, input: &ReferralInput) -> CaseId {
        self.app
            .refer(&self.refer_grant(), &ctx(), input)
            .await
            .unwrap()
            .id
    }

    async fn assign(&self, case: CaseId) {
        self.app
            .assign_case_officer(
                &self.chair(Permission::CaseAssign),
                &ctx(),
                case,
                &self.officer.to_string(),
            )
            .await
            .unwrap();
    }
}

fn referral(name: &str, dob: &str) -> ReferralInput {
    ReferralInput {
        person_name: name.into(),
        date_of_birth: DateEntry::Iso(dob.into()),
        approximate_age: String::new(),
        gender: "male".into(),
        address: "CANARY-ADDRESS 1 Mill Lane".into(),
        contact: "CANARY-CONTACT 07700 900000".into(),
        professionals: "CANARY-PROFESSIONALS school nurse".into(),
        concern: "CANARY-CONCERN Shared violent material with classmates".into(),
        concern_type: "extreme-right-wing".into(),
        organisation: "CANARY-ORGANISATION Riverton College".into(),
        sector: "education".into(),
        aware: "no".into(),
    }
}

async fn audit_count(sql: &mut Sql, case: CaseId, action: &str) -> i64 {
    sql.number(&format!(
        "SELECT COUNT(*) FROM audit_events WHERE object_id = '{case}' AND action = '{action}'"
    ))
    .await
}

#[each_engine]
async fn a_referral_is_sealed_numbered_and_its_referrer_sees_only_the_status(engine: Engine) {
    let d = demo(&engine).await;
    let before = d
        .app
        .cases(&d.chair(Permission::CaseRead))
        .await
        .unwrap()
        .len();
    let made = d
        .app
        .refer(
            &d.refer_grant(),
            &ctx(),
            &referral("CANARY-NAME Alex Example", "2010-05-04"),
        )
        .await
        .unwrap();
    let year = d.app.today().year();
    let list = d.app.cases(&d.chair(Permission::CaseRead)).await.unwrap();
    assert_eq!(list.len(), before + 1);
    assert!(
        made.reference.as_str().starts_with(&format!("CH-{year}-")),
        "{}",
        made.reference
    );
    let again = d.refer(&referral("Someone Else", "2001-01-01")).await;
    let next = list
        .iter()
        .find(|c| c.id == made.id)
        .unwrap()
        .reference
        .clone();
    let second = d
        .app
        .cases(&d.chair(Permission::CaseRead))
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.id == again)
        .unwrap()
        .reference;
    let number = |r: &str| r.rsplit('-').next().unwrap().parse::<i64>().unwrap();
    assert_eq!(number(second.as_str()), number(next.as_str()) + 1);

    // Every personal and narrative column holds a sealed value, never the text.
    let mut sql = Sql::connect(&d._db.url).await;
    let rows = sql
        .rows(&format!(
            "SELECT person_name, date_of_birth, address, contact, professionals, concern, organisation \
             FROM cases WHERE id = '{}'",
            made.id
        ))
        .await;
    for value in rows[0].iter() {
        let v = value.clone().unwrap();
        assert!(v.starts_with("pk1."), "sealed: {v}");
        assert!(!v.contains("CANARY"), "{v}");
        assert!(!v.contains("2010-05-04"));
    }

    // The referrer sees the status of their referrals, and nothing more.
    let mine = d.app.my_referrals(&d.refer_grant(), &ctx()).await.unwrap();
    let status = mine.iter().find(|r| r.id == made.id).unwrap();
    assert_eq!(status.status, "Referred, waiting for screening");
    assert!(matches!(
        d.app
            .open_case(&d.refer_grant(), &ctx(), made.id, CasePart::Record)
            .await,
        Err(ServiceError::Denied(_))
    ));
    assert_eq!(
        d.app
            .referral_sent(&d.refer_grant(), made.id)
            .await
            .unwrap(),
        made.reference
    );
    let stranger = grant(
        UserId::new(),
        d.p,
        Role::Referrer,
        Marking::Official,
        Permission::CaseRefer,
    );
    assert!(matches!(
        d.app.referral_sent(&stranger, made.id).await,
        Err(ServiceError::NotFound)
    ));
    assert!(d
        .app
        .my_referrals(&stranger, &ctx())
        .await
        .unwrap()
        .is_empty());

    // A bad referral changes nothing and names its fields.
    let mut bad = referral("", "2010-13-04");
    bad.concern_type = "watch-list".into();
    match d.app.refer(&d.refer_grant(), &ctx(), &bad).await {
        Err(ServiceError::Validation(v)) => {
            let fields: Vec<&str> = v.0.iter().map(|e| e.field.as_str()).collect();
            assert!(fields.contains(&"person_name"), "{fields:?}");
            assert!(fields.contains(&"date_of_birth"), "{fields:?}");
            assert!(fields.contains(&"concern_type"), "{fields:?}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        d.app
            .cases(&d.chair(Permission::CaseRead))
            .await
            .unwrap()
            .len(),
        before + 2
    );
}

#[each_engine]
async fn a_case_opens_by_relationship_and_every_read_is_audited(engine: Engine) {
    let d = demo(&engine).await;
    let mut sql = Sql::connect(&d._db.url).await;
    let case = d.refer(&referral("Jordan Sample", "2009-02-03")).await;

    // The home page: the chair is told the referral waits for a case officer.
    let work = |user: UserId, role: Role| {
        Actor::from_verified(preventkit_domain::VerifiedIdentity {
            user_id: user,
            system_admin: false,
            memberships: vec![(d.p, role)],
            clearance: Clearance(Marking::OfficialSensitive),
            mfa_verified: true,
        })
    };
    let reference = d
        .app
        .cases(&d.chair(Permission::CaseRead))
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.id == case)
        .unwrap()
        .reference
        .to_string();
    let titled = |items: Vec<preventkit_domain::work::WorkItem>,
                  kind: preventkit_domain::work::WorkKind| {
        items
            .into_iter()
            .filter(|i| i.kind == kind)
            .map(|i| i.title)
            .collect::<Vec<_>>()
    };
    use preventkit_domain::work::WorkKind as W;
    let chair_work = d
        .app
        .my_work(&work(d.chair, Role::ChannelChair))
        .await
        .unwrap();
    assert!(titled(chair_work, W::ReferralsToAssign).contains(&reference));
    let officer_work = d
        .app
        .my_work(&work(d.officer, Role::CaseOfficer))
        .await
        .unwrap();
    assert!(!titled(officer_work, W::CasesToScreen).contains(&reference));

    // Before assignment a case officer has no relationship: exceptional access only.
    assert!(matches!(
        d.app
            .open_case(
                &d.officer(Permission::CaseRead),
                &ctx(),
                case,
                CasePart::Record
            )
            .await,
        Err(ServiceError::ExceptionalAccessNeeded { .. })
    ));
    // The chair reads every case of the panel.
    let v = d
        .app
        .open_case(
            &d.chair(Permission::CaseRead),
            &ctx(),
            case,
            CasePart::Record,
        )
        .await
        .unwrap();
    assert_eq!(v.relation, CaseRelation::PanelChair);
    assert_eq!(v.person.name, "Jordan Sample");
    assert!(v.may_assign);
    assert_eq!(audit_count(&mut sql, case, "case.read.chair").await, 1);

    d.assign(case).await;
    let v = d
        .app
        .open_case(
            &d.officer(Permission::CaseRead),
            &ctx(),
            case,
            CasePart::Record,
        )
        .await
        .unwrap();
    assert_eq!(v.relation, CaseRelation::CaseOfficer);
    assert_eq!(v.listing.stage, CaseStage::Screening);
    assert!(v.may_change && !v.may_assign);
    assert_eq!(
        v.concern,
        "CANARY-CONCERN Shared violent material with classmates"
    );
    d.app
        .open_case(
            &d.officer(Permission::CaseManage),
            &ctx(),
            case,
            CasePart::ApiRecord,
        )
        .await
        .unwrap();
    assert_eq!(audit_count(&mut sql, case, "case.read.officer").await, 2);
    assert_eq!(
        sql.number(&format!(
            "SELECT COUNT(*) FROM audit_events WHERE object_id = '{case}' AND object_type = 'case-api'"
        ))
        .await,
        1,
        "the part shown is recorded"
    );

    // Another case officer and a panel member need exceptional access, with a reason.
    let other = d.other_officer(Permission::CaseRead);
    assert!(matches!(
        d.app
            .open_case(&other, &ctx(), case, CasePart::Record)
            .await,
        Err(ServiceError::ExceptionalAccessNeeded { .. })
    ));
    assert!(matches!(
        d.app
            .give_exceptional_access(&other, &ctx(), case, "  ")
            .await,
        Err(ServiceError::Validation(_))
    ));
    d.app
        .give_exceptional_access(
            &other,
            &ctx(),
            case,
            "Covering for the case officer on leave",
        )
        .await
        .unwrap();
    let v = d
        .app
        .open_case(&other, &ctx(), case, CasePart::Record)
        .await
        .unwrap();
    assert_eq!(v.relation, CaseRelation::Exceptional);
    assert!(!v.may_change, "exceptional access only reads");
    assert_eq!(
        audit_count(&mut sql, case, "case.read.exceptional").await,
        1
    );
    assert!(matches!(
        d.app
            .record_information(
                &d.other_officer(Permission::CaseManage),
                &ctx(),
                case,
                &InformationInput {
                    source: "School".into(),
                    received: DateEntry::Iso("2026-01-05".into()),
                    narrative: "Attendance has dropped".into(),
                },
            )
            .await,
        Err(ServiceError::Denied(_))
    ));
    let panel = grant(
        d.panel,
        d.p,
        Role::PanelMember,
        Marking::OfficialSensitive,
        Permission::CaseRead,
    );
    assert!(matches!(
        d.app
            .open_case(&panel, &ctx(), case, CasePart::Record)
            .await,
        Err(ServiceError::ExceptionalAccessNeeded { .. })
    ));

    // The access lapses after an hour.
    d.app.config().clock.advance(61 * 60 * 1000);
    assert!(matches!(
        d.app
            .open_case(&other, &ctx(), case, CasePart::Record)
            .await,
        Err(ServiceError::ExceptionalAccessNeeded { .. })
    ));

    // Without OFFICIAL-SENSITIVE clearance, nothing opens; other roles cannot even ask.
    let uncleared = grant(
        d.chair,
        d.p,
        Role::ChannelChair,
        Marking::Official,
        Permission::CaseRead,
    );
    assert!(matches!(
        d.app
            .open_case(&uncleared, &ctx(), case, CasePart::Record)
            .await,
        Err(ServiceError::NotFound)
    ));
    // Another partnership's chair does not find it.
    let east = partnership(&d.app, EASTVALE).await;
    let foreign = grant(
        d.chair,
        east,
        Role::ChannelChair,
        Marking::OfficialSensitive,
        Permission::CaseRead,
    );
    assert!(matches!(
        d.app
            .open_case(&foreign, &ctx(), case, CasePart::Record)
            .await,
        Err(ServiceError::NotFound)
    ));

    // The data protection officer sees who opened it, and how, without its content.
    let (reference, log) = d
        .app
        .case_access_log(&d.auditor(), &ctx(), case)
        .await
        .unwrap();
    assert_eq!(reference, v.listing.reference);
    let keys: Vec<&str> = log.iter().map(|e| e.action_key.as_str()).collect();
    assert_eq!(
        keys.iter().filter(|k| **k == "case.read.officer").count(),
        2
    );
    assert_eq!(keys.iter().filter(|k| **k == "case.read.chair").count(), 1);
    assert_eq!(
        keys.iter()
            .filter(|k| **k == "case.read.exceptional")
            .count(),
        1
    );
    assert!(keys.contains(&"case.exceptional-access"));
    assert!(log.iter().any(|e| e.who == "Kim Case"));
    let given = d.app.exceptional_accesses(&d.auditor()).await.unwrap();
    let mine = given.iter().find(|g| g.case == case).unwrap();
    assert_eq!(mine.reason, "Covering for the case officer on leave");
    assert_eq!(mine.reference, v.listing.reference);
}

#[each_engine]
async fn screening_follows_the_deconfliction_and_a_stale_outcome_is_refused(engine: Engine) {
    let d = demo(&engine).await;
    let case = d.refer(&referral("Casey Test", "2008-08-08")).await;
    d.assign(case).await;
    let manage = d.officer(Permission::CaseManage);
    let outcome = OutcomeInput {
        outcome: "to-panel".into(),
        services: vec![],
        other_service: String::new(),
        reasons: "Vulnerable to radicalisation; needs multi-agency support".into(),
    };
    let version = d
        .app
        .case_heading(&manage, case)
        .await
        .unwrap()
        .listing
        .version;
    match d
        .app
        .record_outcome(&manage, &ctx(), case, version, &outcome)
        .await
    {
        Err(ServiceError::Conflict(m)) => assert!(m.contains("deconfliction"), "{m}"),
        other => panic!("deconflict first: {other:?}"),
    }
    let deconflict = |result: &str| DeconflictionInput {
        on: DateEntry::Iso(d.app.today().to_string()),
        with_whom: "CANARY-POLICE Counter Terrorism Policing".into(),
        result: result.into(),
    };
    d.app
        .record_deconfliction(&manage, &ctx(), case, &deconflict("hold"))
        .await
        .unwrap();
    let version = d
        .app
        .case_heading(&manage, case)
        .await
        .unwrap()
        .listing
        .version;
    assert!(matches!(
        d.app
            .record_outcome(&manage, &ctx(), case, version, &outcome)
            .await,
        Err(ServiceError::Conflict(_))
    ));
    d.app
        .record_deconfliction(&manage, &ctx(), case, &deconflict("no-conflict"))
        .await
        .unwrap();
    d.app
        .record_information(
            &manage,
            &ctx(),
            case,
            &InformationInput {
                source: "CANARY-SOURCE Riverton College".into(),
                received: DateEntry::Iso(d.app.today().to_string()),
                narrative: "CANARY-INFORMATION Attendance has dropped".into(),
            },
        )
        .await
        .unwrap();
    let heading = d.app.case_heading(&manage, case).await.unwrap();
    d.app.check_outcome(&manage, case, &outcome).await.unwrap();
    // A version from before the information was added is stale: nothing is recorded.
    assert!(matches!(
        d.app
            .record_outcome(&manage, &ctx(), case, version, &outcome)
            .await,
        Err(ServiceError::Conflict(_))
    ));
    assert_eq!(
        d.app
            .case_heading(&manage, case)
            .await
            .unwrap()
            .listing
            .stage,
        CaseStage::Screening
    );
    d.app
        .record_outcome(&manage, &ctx(), case, heading.listing.version, &outcome)
        .await
        .unwrap();

    let v = d
        .app
        .open_case(
            &d.officer(Permission::CaseRead),
            &ctx(),
            case,
            CasePart::Record,
        )
        .await
        .unwrap();
    assert_eq!(v.listing.stage, CaseStage::AwaitingPanel);
    assert_eq!(v.listing.outcome, Some(ScreeningOutcome::ToPanel));
    assert!(!v.may_change, "screening is over");
    let kinds: Vec<String> = v
        .timeline
        .iter()
        .map(|e| match &e.kind {
            TimelineKind::Referred => "referred".to_owned(),
            TimelineKind::Assigned { officer_name } => format!("assigned {officer_name}"),
            TimelineKind::Deconfliction(x) => format!("deconfliction {}", x.result.key()),
            TimelineKind::Information(i) => format!("information {}", i.narrative),
            TimelineKind::Outcome(o) => format!("outcome {}", o.reasons),
            TimelineKind::Decision(x) => format!("decision {}", x.decision.key()),
            TimelineKind::Attached { reference } => format!("attached {reference}"),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "referred",
            "assigned Kim Case",
            "deconfliction hold",
            "deconfliction no-conflict",
            "information CANARY-INFORMATION Attendance has dropped",
            "outcome Vulnerable to radicalisation; needs multi-agency support",
        ]
    );

    // The referrer hears the outcome's category, never the reasons.
    let mine = d.app.my_referrals(&d.refer_grant(), &ctx()).await.unwrap();
    assert_eq!(
        mine.iter().find(|r| r.id == case).unwrap().status,
        "Screened: sent to the Channel panel"
    );
    assert!(matches!(
        d.app
            .record_deconfliction(&manage, &ctx(), case, &deconflict("no-conflict"))
            .await,
        Err(ServiceError::Conflict(_))
    ));

    // Timeline words are sealed in storage.
    let mut sql = Sql::connect(&d._db.url).await;
    for row in sql
        .rows(&format!(
            "SELECT detail FROM case_events WHERE case_id = '{case}'"
        ))
        .await
    {
        if let Some(v) = &row[0] {
            assert!(v.starts_with("pk1.") && !v.contains("CANARY"), "{v}");
        }
    }
}

#[each_engine]
async fn the_same_person_is_found_only_within_the_partnership(engine: Engine) {
    let d = demo(&engine).await;
    let first = d.refer(&referral("Mary-Jane O'Neil", "2007-07-07")).await;
    let second = d.refer(&referral("  MARY JANE ONEIL ", "2007-07-07")).await;
    let other_day = d.refer(&referral("Mary-Jane O'Neil", "2007-07-08")).await;
    let east = partnership(&d.app, EASTVALE).await;
    let east_referrer = grant(
        UserId::new(),
        east,
        Role::Referrer,
        Marking::Official,
        Permission::CaseRefer,
    );
    d.app
        .refer(
            &east_referrer,
            &ctx(),
            &referral("Mary-Jane O'Neil", "2007-07-07"),
        )
        .await
        .unwrap();

    let read = d.chair(Permission::CaseRead);
    let v = d
        .app
        .open_case(&read, &ctx(), second, CasePart::Record)
        .await
        .unwrap();
    let found: Vec<CaseId> = v.same_person.iter().map(|c| c.id).collect();
    assert_eq!(found, [first], "exact match, this partnership only");
    assert!(!found.contains(&other_day));

    let manage = d.chair(Permission::CaseManage);
    assert!(matches!(
        d.app
            .attach_referral(&manage, &ctx(), other_day, first)
            .await,
        Err(ServiceError::Conflict(_))
    ));
    d.app
        .attach_referral(&manage, &ctx(), second, first)
        .await
        .unwrap();
    let v = d
        .app
        .open_case(&read, &ctx(), first, CasePart::Record)
        .await
        .unwrap();
    assert_eq!(
        v.attached.iter().map(|c| c.id).collect::<Vec<_>>(),
        [second]
    );
    assert!(v
        .timeline
        .iter()
        .any(|e| matches!(&e.kind, TimelineKind::Attached { .. })));
    let v = d
        .app
        .open_case(&read, &ctx(), second, CasePart::Record)
        .await
        .unwrap();
    assert_eq!(v.attached_to.map(|c| c.id), Some(first));
    assert!(v.same_person.is_empty());
    assert!(!v.may_change);
}

#[each_engine]
async fn a_sealed_value_moved_to_another_row_or_column_does_not_open(engine: Engine) {
    let d = demo(&engine).await;
    let a = d.refer(&referral("Taylor One", "2005-05-05")).await;
    let b = d.refer(&referral("Taylor Two", "2006-06-06")).await;
    let read = d.chair(Permission::CaseRead);
    let mut sql = Sql::connect(&d._db.url).await;
    let before = sql.number("SELECT COUNT(*) FROM audit_events").await;

    // Another case's name copied over this one's.
    sql.execute(&format!(
        "UPDATE cases SET person_name = (SELECT person_name FROM cases WHERE id = '{b}') WHERE id = '{a}'"
    ))
    .await;
    assert!(matches!(
        d.app.open_case(&read, &ctx(), a, CasePart::Record).await,
        Err(ServiceError::Key(_))
    ));
    // This case's address copied into its own name column.
    sql.execute(&format!(
        "UPDATE cases SET person_name = address WHERE id = '{b}'"
    ))
    .await;
    assert!(matches!(
        d.app.open_case(&read, &ctx(), b, CasePart::Record).await,
        Err(ServiceError::Key(_))
    ));
    assert_eq!(
        sql.number("SELECT COUNT(*) FROM audit_events").await,
        before,
        "a read that shows nothing leaves no read event"
    );
}

#[each_engine]
async fn the_access_log_lists_every_read_however_many(engine: Engine) {
    let d = demo(&engine).await;
    let case = d.refer(&referral("Morgan Often", "2004-04-04")).await;
    let read = d.chair(Permission::CaseRead);
    for _ in 0..510 {
        d.app
            .open_case(&read, &ctx(), case, CasePart::ApiRecord)
            .await
            .unwrap();
    }
    let (_, log) = d
        .app
        .case_access_log(&d.auditor(), &ctx(), case)
        .await
        .unwrap();
    assert_eq!(
        log.iter()
            .filter(|e| e.action_key == "case.read.chair")
            .count(),
        510,
        "more reads than one page of the log"
    );
    assert!(
        log.iter().any(|e| e.action_key == "case.refer"),
        "the oldest too"
    );
}
