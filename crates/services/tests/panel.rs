//! The Channel panel on every engine: members by sector and the sectors missing, meetings with
//! invitations and an agenda built from the cases due, panel members reading a case only while
//! it is on the published agenda of a meeting they are invited to (each read audited), and the
//! panel's decision moving a case on, refused when stale, with its reasons sealed.

// Test code: a failed unwrap, expect, panic or index is the test failing, as it should be.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use preventkit_domain::channel::{
    CasePart, CaseStage, DeconflictionInput, InformationInput, OutcomeInput, ReferralInput,
};
use preventkit_domain::dates::DateEntry;
use preventkit_domain::panel::{
    AgendaItemKind, Attendance, DecisionInput, MeetingInput, PanelDecision, Sector,
};
use preventkit_domain::policy::{decide, CaseRelation};
use preventkit_domain::{
    Actor, CaseId, Clearance, Grant, Marking, MeetingId, PartnershipId, Permission, Role, Scope,
    UserId,
};
use preventkit_services::channel::TimelineKind;
use preventkit_services::{App, RequestContext, SecurityConfig, ServiceError};
use preventkit_testkit::{each_engine, fresh_app, Engine, Sql};

const RIVERTON: &str = "Riverton Prevent Partnership";
const DAY_MS: i64 = 24 * 60 * 60 * 1000;

fn ctx() -> RequestContext {
    RequestContext {
        source: Some("127.0.0.9".into()),
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

fn grant(user: UserId, p: PartnershipId, role: Role, permission: Permission) -> Grant {
    let actor = Actor::from_verified(preventkit_domain::VerifiedIdentity {
        user_id: user,
        system_admin: false,
        memberships: vec![(p, role)],
        clearance: Clearance(Marking::OfficialSensitive),
        mfa_verified: true,
    });
    decide(&actor, permission, Scope::Partnership(p)).unwrap()
}

struct Demo {
    app: App,
    db: preventkit_testkit::TestDatabase,
    p: PartnershipId,
    referrer: UserId,
    chair: UserId,
    officer: UserId,
    other_officer: UserId,
    panel: UserId,
    lead: UserId,
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
        lead: user(&app, "lead@riverton.example").await,
        app,
        db,
        p,
    }
}

impl Demo {
    fn chair(&self, permission: Permission) -> Grant {
        grant(self.chair, self.p, Role::ChannelChair, permission)
    }
    fn officer(&self, permission: Permission) -> Grant {
        grant(self.officer, self.p, Role::CaseOfficer, permission)
    }
    fn member(&self, permission: Permission) -> Grant {
        grant(self.panel, self.p, Role::PanelMember, permission)
    }

    /// A new case screened and sent to the panel.
    async fn case_for_panel(&self, name: &str) -> CaseId {
        let refer = grant(self.referrer, self.p, Role::Referrer, Permission::CaseRefer);
        let case = self
            .app
            .refer(
                &refer,
                &ctx(),
                &ReferralInput {
                    person_name: name.into(),
                    date_of_birth: DateEntry::Iso("2009-09-09".into()),
                    approximate_age: String::new(),
                    gender: "female".into(),
                    address: "2 Test Road".into(),
                    contact: String::new(),
                    professionals: String::new(),
                    concern: "Shared violent material".into(),
                    concern_type: "extreme-right-wing".into(),
                    organisation: "Riverton College".into(),
                    sector: "education".into(),
                    aware: "yes".into(),
                },
            )
            .await
            .unwrap()
            .id;
        self.app
            .assign_case_officer(
                &self.chair(Permission::CaseAssign),
                &ctx(),
                case,
                &self.officer.to_string(),
            )
            .await
            .unwrap();
        let manage = self.officer(Permission::CaseManage);
        let today = self.app.today().to_string();
        self.app
            .record_deconfliction(
                &manage,
                &ctx(),
                case,
                &DeconflictionInput {
                    on: DateEntry::Iso(today.clone()),
                    with_whom: "Prevent police team".into(),
                    result: "no-conflict".into(),
                },
            )
            .await
            .unwrap();
        self.app
            .record_information(
                &manage,
                &ctx(),
                case,
                &InformationInput {
                    source: "College".into(),
                    received: DateEntry::Iso(today),
                    narrative: "Attendance has dropped".into(),
                },
            )
            .await
            .unwrap();
        let version = self
            .app
            .case_heading(&manage, case)
            .await
            .unwrap()
            .listing
            .version;
        self.app
            .record_outcome(
                &manage,
                &ctx(),
                case,
                version,
                &OutcomeInput {
                    outcome: "to-panel".into(),
                    reasons: "Needs multi-agency support".into(),
                    ..OutcomeInput::default()
                },
            )
            .await
            .unwrap();
        case
    }

    async fn meeting_in(&self, days: i64, invitees: Option<Vec<String>>) -> MeetingId {
        let on = self.app.today() + time::Duration::days(days);
        self.app
            .create_meeting(
                &self.chair(Permission::PanelManage),
                &ctx(),
                &MeetingInput {
                    on: DateEntry::Iso(on.to_string()),
                    invitees,
                },
            )
            .await
            .unwrap()
    }
}

async fn audit_count(sql: &mut Sql, object: &str, action: &str) -> i64 {
    sql.number(&format!(
        "SELECT COUNT(*) FROM audit_events WHERE object_id = '{object}' AND action = '{action}'"
    ))
    .await
}

#[each_engine]
async fn the_panel_shows_its_members_by_sector_and_the_sectors_missing(engine: Engine) {
    let d = demo(&engine).await;
    let read = d.member(Permission::PanelRead);
    let panel = d.app.panel(&read).await.unwrap();
    let sectors: Vec<Sector> = panel.members.iter().map(|m| m.sector).collect();
    assert!(sectors.contains(&Sector::Education), "{sectors:?}");
    assert!(!panel.missing.contains(&Sector::Education));
    assert!(panel.missing.contains(&Sector::Police));
    assert!(!panel.missing.contains(&Sector::Other));

    let manage = d.chair(Permission::PanelManage);
    let lead = d.lead.to_string();
    assert!(d
        .app
        .panel_member_choices(&manage)
        .await
        .unwrap()
        .iter()
        .any(|c| c.user == d.lead));
    match d.app.add_panel_member(&manage, &ctx(), &lead, "").await {
        Err(ServiceError::Validation(e)) => assert_eq!(e.0[0].field, "sector"),
        other => panic!("a sector is needed: {other:?}"),
    }
    d.app
        .add_panel_member(&manage, &ctx(), &lead, "police")
        .await
        .unwrap();
    let panel = d.app.panel(&read).await.unwrap();
    assert!(!panel.missing.contains(&Sector::Police));
    assert!(matches!(
        d.app
            .add_panel_member(&manage, &ctx(), &lead, "health")
            .await,
        Err(ServiceError::Validation(_))
    ));
    // Only the chair runs the panel.
    assert!(d
        .app
        .add_panel_member(&read, &ctx(), &lead, "health")
        .await
        .is_err());
    d.app
        .remove_panel_member(&manage, &ctx(), d.lead)
        .await
        .unwrap();
    let panel = d.app.panel(&read).await.unwrap();
    assert!(panel.missing.contains(&Sector::Police));
    assert!(!panel.members.iter().any(|m| m.user == d.lead));
}

#[each_engine]
async fn a_meeting_invites_the_panel_and_its_agenda_lists_the_cases_due(engine: Engine) {
    let d = demo(&engine).await;
    let case = d.case_for_panel("Agenda Person").await;
    let manage = d.chair(Permission::PanelManage);
    let suggested = d.app.suggested_meeting_date(&manage).await.unwrap();
    let demo_meeting = d.app.panel_meetings(&manage).await.unwrap()[0].meeting.on;
    assert!(suggested > demo_meeting, "monthly after the last meeting");

    let meeting = d.meeting_in(14, None).await;
    let view = d.app.panel_meeting(&manage, meeting).await.unwrap();
    assert_eq!(
        view.invitees.len(),
        3,
        "every member of the panel by default"
    );
    assert!(view.invitees.iter().all(|i| i.attendance.is_none()));
    let item = view.agenda.iter().find(|e| e.item.case == case).unwrap();
    assert_eq!(item.item.kind, AgendaItemKind::NewCase);
    assert!(item.decidable);
    assert!(view
        .agenda
        .iter()
        .all(|e| e.stage == CaseStage::AwaitingPanel || e.stage == CaseStage::Adopted));

    // Members see the agenda only once it is published.
    let member_view = d
        .app
        .panel_meeting(&d.member(Permission::PanelRead), meeting)
        .await
        .unwrap();
    assert!(!member_view.agenda_shown && member_view.agenda.is_empty());

    // Attendance, by invited person.
    d.app
        .record_attendance(
            &manage,
            &ctx(),
            meeting,
            &[
                (d.panel.to_string(), "apologies".into()),
                (d.chair.to_string(), "attended".into()),
            ],
        )
        .await
        .unwrap();
    assert!(matches!(
        d.app
            .record_attendance(
                &manage,
                &ctx(),
                meeting,
                &[(d.lead.to_string(), "attended".into())],
            )
            .await,
        Err(ServiceError::Validation(_))
    ));
    let view = d.app.panel_meeting(&manage, meeting).await.unwrap();
    let of = |u: UserId| view.invitees.iter().find(|i| i.user == u).unwrap();
    assert_eq!(of(d.panel).attendance, Some(Attendance::Apologies));
    assert_eq!(of(d.panel).sector, Some(Sector::Education));
    assert_eq!(of(d.chair).attendance, Some(Attendance::Attended));

    // Only the people chosen are invited.
    let few = d.meeting_in(20, Some(vec![d.chair.to_string()])).await;
    let view = d.app.panel_meeting(&manage, few).await.unwrap();
    assert_eq!(view.invitees.len(), 1);
    let mut sql = Sql::connect(&d.db.url).await;
    assert_eq!(
        audit_count(&mut sql, &few.to_string(), "panel.meeting-create").await,
        1
    );
}

#[each_engine]
async fn panel_members_read_a_case_only_while_it_is_on_the_published_agenda_of_their_meeting(
    engine: Engine,
) {
    let d = demo(&engine).await;
    let case = d.case_for_panel("Window Person").await;
    let meeting = d.meeting_in(10, None).await;
    let member = d.member(Permission::CaseRead);
    let open = |g: Grant| {
        let app = d.app.clone();
        async move { app.open_case(&g, &ctx(), case, CasePart::Record).await }
    };
    // Before publication: exceptional access only.
    assert!(matches!(
        open(member.clone()).await,
        Err(ServiceError::ExceptionalAccessNeeded { .. })
    ));
    d.app
        .publish_agenda(&d.chair(Permission::PanelManage), &ctx(), meeting)
        .await
        .unwrap();
    let v = open(member.clone()).await.unwrap();
    assert_eq!(v.relation, CaseRelation::PanelMember);
    assert!(!v.may_change, "members of the meeting only read");
    open(member.clone()).await.unwrap();
    let mut sql = Sql::connect(&d.db.url).await;
    assert_eq!(
        audit_count(&mut sql, &case.to_string(), "case.read.panel-member").await,
        2,
        "each read by a member of the meeting is recorded"
    );
    // Someone with the panel member role who is not invited never reads it.
    let uninvited = grant(
        d.other_officer,
        d.p,
        Role::PanelMember,
        Permission::CaseRead,
    );
    assert!(matches!(
        open(uninvited.clone()).await,
        Err(ServiceError::ExceptionalAccessNeeded { .. })
    ));
    // A week after the meeting they still may; eight days after, no longer.
    d.app.config().clock.advance(17 * DAY_MS);
    open(member.clone()).await.unwrap();
    d.app.config().clock.advance(DAY_MS + 1);
    assert!(matches!(
        open(member.clone()).await,
        Err(ServiceError::ExceptionalAccessNeeded { .. })
    ));
    assert!(matches!(
        open(uninvited).await,
        Err(ServiceError::ExceptionalAccessNeeded { .. })
    ));
    assert_eq!(
        audit_count(&mut sql, &case.to_string(), "case.read.panel-member").await,
        3
    );
}

#[each_engine]
async fn the_panel_decides_with_sealed_reasons_and_a_stale_decision_is_refused(engine: Engine) {
    let d = demo(&engine).await;
    let case = d.case_for_panel("Decision Person").await;
    let meeting = d.meeting_in(3, None).await;
    let manage = d.chair(Permission::PanelManage);
    let input = DecisionInput {
        decision: "adopt".into(),
        reasons: "CANARY-DECISION Vulnerable and consents to support".into(),
        ..DecisionInput::default()
    };
    let heading = d
        .app
        .decision_heading(&manage, meeting, case)
        .await
        .unwrap();
    assert_eq!(heading.stage, CaseStage::AwaitingPanel);
    let checked = d
        .app
        .check_decision(&manage, meeting, case, &input)
        .await
        .unwrap();
    assert_eq!(checked.decision, PanelDecision::Adopt);
    match d
        .app
        .check_decision(&manage, meeting, case, &DecisionInput::default())
        .await
    {
        Err(ServiceError::Validation(e)) => {
            let fields: Vec<&str> = e.0.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(fields, ["decision", "reasons"]);
        }
        other => panic!("{other:?}"),
    }
    // A stale version is refused and changes nothing.
    assert!(matches!(
        d.app
            .record_decision(&manage, &ctx(), meeting, case, heading.version - 1, &input)
            .await,
        Err(ServiceError::Conflict(_))
    ));
    // Only the chair decides.
    let officer_try = d.officer(Permission::CaseManage);
    assert!(d
        .app
        .record_decision(&officer_try, &ctx(), meeting, case, heading.version, &input)
        .await
        .is_err());
    d.app
        .record_decision(&manage, &ctx(), meeting, case, heading.version, &input)
        .await
        .unwrap();
    // Decided once: a second decision is refused.
    let again = d
        .app
        .decision_heading(&manage, meeting, case)
        .await
        .unwrap();
    assert_eq!(again.stage, CaseStage::Adopted);
    assert!(matches!(
        d.app
            .record_decision(&manage, &ctx(), meeting, case, again.version, &input)
            .await,
        Err(ServiceError::Conflict(_))
    ));

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
    assert_eq!(v.listing.stage, CaseStage::Adopted);
    let decision = v
        .timeline
        .iter()
        .find_map(|e| match &e.kind {
            TimelineKind::Decision(x) => Some(x.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(decision.decision, PanelDecision::Adopt);
    assert!(decision.reasons.starts_with("CANARY-DECISION"));

    // The reasons are sealed; the decision's key is plain.
    let mut sql = Sql::connect(&d.db.url).await;
    let rows = sql
        .rows(&format!(
            "SELECT result, detail FROM case_events WHERE case_id = '{case}' AND kind = 'decision'"
        ))
        .await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][0].as_deref(), Some("adopt"));
    let detail = rows[0][1].clone().unwrap();
    assert!(
        detail.starts_with("pk1.") && !detail.contains("CANARY"),
        "{detail}"
    );
    assert_eq!(
        audit_count(&mut sql, &case.to_string(), "panel.decision").await,
        1
    );

    // The referrer hears the category, never the reasons.
    let refer = grant(d.referrer, d.p, Role::Referrer, Permission::CaseRefer);
    let mine = d.app.my_referrals(&refer, &ctx()).await.unwrap();
    assert_eq!(
        mine.iter().find(|r| r.id == case).unwrap().status,
        "Adopted as a Channel case"
    );

    // The adopted case is under review at the next meeting.
    let next = d.meeting_in(30, None).await;
    let view = d.app.panel_meeting(&manage, next).await.unwrap();
    let item = view.agenda.iter().find(|e| e.item.case == case).unwrap();
    assert_eq!(item.item.kind, AgendaItemKind::Review);
    assert!(!item.decidable);
}
