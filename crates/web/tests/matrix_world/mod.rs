//! The world the authorisation matrix runs in: the demonstration data, plus real objects of
//! every kind in the other partnership (Eastvale) and a few spare ones in the own partnership
//! (Riverton) that allowed writes may consume. Everything is made through the services, with
//! grants the policy gives to actors built here; nothing is written to the database directly.

use preventkit_services::administration::NewInvitation;
use preventkit_services::administration::NewMember;
use preventkit_services::assessment::{NewAction, NewAssessment};
use preventkit_services::demo::DEMO_PASSWORD;
use preventkit_services::domain::assessment::Transition;
use preventkit_services::domain::channel::ReferralInput;
use preventkit_services::domain::dates::DateEntry;
use preventkit_services::domain::policy::decide;
use preventkit_services::domain::shipped::PREVENT_DUTY_BENCHMARK;
use preventkit_services::domain::{
    Actor, Clearance, Marking, PartnershipId, Permission, QuestionId, Role, Scope, UserId,
};
use preventkit_services::evidence::{NewEvidence, Upload};
use preventkit_services::identity::NewToken;
use preventkit_services::identity::SessionView;
use preventkit_services::{Grant, RequestContext};
use preventkit_testkit::{complete_session, Browser, Page, Server};
use std::collections::BTreeMap;

pub const RIVERTON: &str = "Riverton Prevent Partnership";
pub const EASTVALE: &str = "Eastvale Prevent Partnership";
pub const EASTVALE_ADMIN: &str = "admin@eastvale.example";
pub const EASTVALE_LEAD: &str = "lead@eastvale.example";
pub const RIVERTON_LEAD: &str = "lead@riverton.example";
pub const RIVERTON_BOARD: &str = "board@riverton.example";
pub const RIVERTON_ADMIN: &str = "admin@riverton.example";
pub const SYSADMIN: &str = "sysadmin@preventkit.example";
/// Spare accounts: their memberships may be removed by the matrix (and are given back), and
/// the Riverton one is disabled and enabled again by the system administrator.
pub const RIVERTON_SPARE: &str = "spare@riverton.example";
pub const EASTVALE_SPARE: &str = "spare@eastvale.example";
/// Someone Eastvale has invited, who has no account.
pub const EASTVALE_INVITEE: &str = "newcomer@eastvale.example";

/// The question the matrix uses in Riverton: benchmark 7 is assigned to the police, the
/// contributor's organisation, so the contributor may answer it as well as the lead.
pub const RIVERTON_QUESTION: &str = "7.1";
/// The question Eastvale has answered, commented on and given evidence for.
pub const EASTVALE_QUESTION: &str = "1.1";

pub fn grant(actor: &Actor, p: Permission, scope: Scope) -> Grant {
    decide(actor, p, scope).unwrap_or_else(|d| panic!("set-up grant {p:?}: {d:?}"))
}

pub fn console_grant(p: Permission, scope: Scope) -> Grant {
    grant(&Actor::console(), p, scope)
}

/// A member acting in one partnership with one role, second factor passed.
pub fn member(user: &str, partnership: PartnershipId, role: Role) -> Actor {
    Actor::from_verified(preventkit_services::domain::VerifiedIdentity {
        user_id: user.parse().expect("user id"),
        system_admin: false,
        memberships: vec![(partnership, role)],
        clearance: Clearance(Marking::OfficialSensitive),
        mfa_verified: true,
    })
}

pub fn system_admin(user: &str) -> Actor {
    Actor::from_verified(preventkit_services::domain::VerifiedIdentity {
        user_id: user.parse().expect("user id"),
        system_admin: true,
        memberships: Vec::new(),
        clearance: Clearance(Marking::OfficialSensitive),
        mfa_verified: true,
    })
}

pub fn ctx() -> RequestContext {
    RequestContext::console()
}

/// Real ids of both partnerships.
pub struct World {
    pub riverton: String,
    pub eastvale: String,
    pub riverton_pid: PartnershipId,
    pub eastvale_pid: PartnershipId,
    /// Riverton City Council (a Riverton organisation).
    pub riverton_org: String,
    pub eastvale_org: String,

    // Riverton: what allowed reads are given.
    pub riverton_lead: String,
    pub riverton_board: String,
    pub riverton_admin: String,
    pub sysadmin: String,
    /// This year's demonstration draft.
    pub riverton_draft: String,
    /// A file the lead added to the draft (OFFICIAL, so every reader may download it).
    pub riverton_file: String,
    /// An action raised from the draft's gap, owned by the lead.
    pub riverton_action: String,
    /// The demonstration panel meeting, its agenda published.
    pub riverton_meeting: String,
    /// The demonstration case on that meeting's agenda, waiting for the panel.
    pub riverton_panel_case: String,
    /// The lead's membership.
    pub riverton_membership: String,
    pub riverton_spare_user: String,
    pub riverton_spare_membership: String,

    // Eastvale: real objects of every kind.
    pub eastvale_admin: String,
    pub eastvale_lead: String,
    pub eastvale_draft: String,
    pub eastvale_submitted: String,
    pub eastvale_answer_version: i64,
    pub eastvale_link: String,
    pub eastvale_file: String,
    pub eastvale_action: String,
    pub eastvale_membership: String,
    pub eastvale_token: String,
    pub eastvale_invitation: String,
    pub eastvale_spare_membership: String,

    // Channel: a Riverton case assigned to the Riverton case officer, and an Eastvale case.
    pub riverton_case: String,
    pub riverton_case_officer: String,
    pub eastvale_case: String,
}

/// A referral about a fictional person.
pub fn sample_referral(name: &str) -> ReferralInput {
    ReferralInput {
        person_name: name.into(),
        date_of_birth: DateEntry::Iso("2009-04-02".into()),
        approximate_age: String::new(),
        gender: "not-known".into(),
        address: "Riverton".into(),
        contact: String::new(),
        professionals: String::new(),
        concern: "Shared violent material with classmates (fictional).".into(),
        concern_type: "extreme-right-wing".into(),
        organisation: "Riverton Academy".into(),
        sector: "education".into(),
        aware: "no".into(),
    }
}

/// A referral made by `user` acting with `role` in `partnership`, when that role may refer.
pub async fn refer_as(
    s: &Server,
    user: &str,
    partnership: PartnershipId,
    role: Role,
    name: &str,
) -> Option<String> {
    let g = decide(
        &member(user, partnership, role),
        Permission::CaseRefer,
        Scope::Partnership(partnership),
    )
    .ok()?;
    Some(
        s.app
            .refer(&g, &ctx(), &sample_referral(name))
            .await
            .expect("a referral")
            .id
            .to_string(),
    )
}

pub async fn user_id(s: &Server, email: &str) -> String {
    let g = console_grant(Permission::UserManage, Scope::Platform);
    s.app
        .find_user_by_email(&g, email)
        .await
        .unwrap_or_else(|e| panic!("{email}: {e:?}"))
        .id
}

async fn organisation_id(s: &Server, name: &str) -> String {
    let g = console_grant(Permission::OrganisationRead, Scope::Platform);
    s.app
        .list_organisations(&g)
        .await
        .expect("organisations")
        .into_iter()
        .find(|o| o.name == name)
        .unwrap_or_else(|| panic!("organisation {name}"))
        .id
        .to_string()
}

/// Give a role at once, as the operator at the command line does (a new account when the
/// email has none).
pub async fn console_add_member(
    s: &Server,
    partnership: PartnershipId,
    email: &str,
    organisation: &str,
    role: Role,
) -> String {
    let g = console_grant(
        Permission::MembershipManage,
        Scope::Partnership(partnership),
    );
    s.app
        .add_member(
            &g,
            &NewMember {
                email: email.into(),
                role: role.key().into(),
                display_name: format!("Spare {}", role.label()),
                organisation_id: organisation.into(),
                password: DEMO_PASSWORD.into(),
            },
            &ctx(),
        )
        .await
        .unwrap_or_else(|e| panic!("add {email}: {e:?}"))
        .to_string()
}

pub async fn membership_of(s: &Server, partnership: PartnershipId, email: &str) -> Option<String> {
    let g = console_grant(Permission::MembershipRead, Scope::Partnership(partnership));
    s.app
        .list_members(&g)
        .await
        .expect("members")
        .into_iter()
        .find(|m| m.email == email)
        .map(|m| m.id.to_string())
}

pub async fn session_of(s: &Server, cookie: &str) -> SessionView {
    s.app
        .session(cookie)
        .await
        .expect("session")
        .expect("live session")
}

/// A token made from a session, for a role the session's account holds.
pub async fn make_token(
    s: &Server,
    session: &SessionView,
    partnership: &str,
    role: Role,
    name: &str,
) -> (String, String) {
    let (id, secret) = s
        .app
        .create_token(
            session,
            &NewToken {
                name: name.into(),
                partnership_id: partnership.into(),
                role: role.key().into(),
                days: "30".into(),
            },
            &RequestContext::default(),
        )
        .await
        .expect("create token");
    (id.to_string(), secret)
}

impl World {
    pub async fn build(s: &Server) -> World {
        let riverton = s.partnership_id(RIVERTON).await;
        let eastvale = s.partnership_id(EASTVALE).await;
        let riverton_pid: PartnershipId = riverton.parse().expect("partnership id");
        let eastvale_pid: PartnershipId = eastvale.parse().expect("partnership id");
        let riverton_org = organisation_id(s, "Riverton City Council").await;
        let eastvale_org = organisation_id(s, "Eastvale District Council").await;
        let riverton_lead = user_id(s, RIVERTON_LEAD).await;
        let riverton_board = user_id(s, RIVERTON_BOARD).await;
        let riverton_admin = user_id(s, RIVERTON_ADMIN).await;
        let sysadmin = user_id(s, SYSADMIN).await;
        let eastvale_admin = user_id(s, EASTVALE_ADMIN).await;

        // Riverton: the demonstration draft, a file on it, the lead's membership, a spare.
        let lead = member(&riverton_lead, riverton_pid, Role::PreventLead);
        let here = Scope::Partnership(riverton_pid);
        let riverton_draft = s
            .app
            .list_assessments(&grant(&lead, Permission::AssessmentRead, here))
            .await
            .expect("Riverton assessments")
            .into_iter()
            .find(|a| a.state.key() == "draft")
            .expect("the demonstration draft")
            .id
            .to_string();
        let riverton_file = s
            .app
            .add_evidence(
                &grant(&lead, Permission::AssessmentRespond, here),
                &riverton_draft,
                RIVERTON_QUESTION,
                &NewEvidence {
                    title: "Riverton training register".into(),
                    kind: "file".into(),
                    url: String::new(),
                    marking: "official".into(),
                    review_date: Default::default(),
                },
                Some(Upload {
                    file_name: "training-register.txt".into(),
                    bytes: b"Riverton training register\n".to_vec(),
                }),
                &ctx(),
            )
            .await
            .expect("Riverton file");
        let riverton_action = s
            .app
            .create_action(
                &grant(&lead, Permission::ActionManage, here),
                &NewAction {
                    assessment_id: riverton_draft.clone(),
                    question_id: RIVERTON_QUESTION.into(),
                    title: "Riverton's action".into(),
                    owner_id: riverton_lead.clone(),
                    due_date: "2027-01-31".into(),
                },
                &ctx(),
            )
            .await
            .expect("Riverton action")
            .to_string();
        let riverton_membership = membership_of(s, riverton_pid, RIVERTON_LEAD)
            .await
            .expect("the lead's membership");
        let riverton_spare_membership = console_add_member(
            s,
            riverton_pid,
            RIVERTON_SPARE,
            &riverton_org,
            Role::Contributor,
        )
        .await;
        let riverton_spare_user = user_id(s, RIVERTON_SPARE).await;
        // The spare person sits on the panel too, so that the chair can take them off it.
        let chair = member(
            &user_id(s, "chair@riverton.example").await,
            riverton_pid,
            Role::ChannelChair,
        );
        s.app
            .add_panel_member(
                &grant(&chair, Permission::PanelManage, here),
                &ctx(),
                &riverton_spare_user,
                "housing",
            )
            .await
            .expect("Riverton panel member");

        // Eastvale: members, two assessments with answers, evidence (a link and a file), a
        // comment, an action, a token and an invitation.
        console_add_member(
            s,
            eastvale_pid,
            EASTVALE_LEAD,
            &eastvale_org,
            Role::PreventLead,
        )
        .await;
        let eastvale_spare_membership = console_add_member(
            s,
            eastvale_pid,
            EASTVALE_SPARE,
            &eastvale_org,
            Role::Contributor,
        )
        .await;
        let eastvale_lead = user_id(s, EASTVALE_LEAD).await;
        let eastvale_membership = membership_of(s, eastvale_pid, EASTVALE_LEAD)
            .await
            .expect("Eastvale lead's membership");
        let e_lead = member(&eastvale_lead, eastvale_pid, Role::PreventLead);
        let there = Scope::Partnership(eastvale_pid);
        let manage = grant(&e_lead, Permission::AssessmentManage, there);
        let respond = grant(&e_lead, Permission::AssessmentRespond, there);
        let new_assessment = |title: &str| NewAssessment {
            title: title.into(),
            framework: PREVENT_DUTY_BENCHMARK.into(),
            period_start: "2026-04-01".into(),
            period_end: "2027-03-31".into(),
            ..NewAssessment::default()
        };
        let eastvale_draft = s
            .app
            .create_assessment(&manage, &new_assessment("Eastvale benchmark draft"), &ctx())
            .await
            .expect("Eastvale draft");
        let eastvale_submitted = s
            .app
            .create_assessment(
                &manage,
                &new_assessment("Eastvale benchmark submitted"),
                &ctx(),
            )
            .await
            .expect("Eastvale submitted");
        for a in [eastvale_draft, eastvale_submitted] {
            for (q, rating) in [(EASTVALE_QUESTION, "achieving"), ("1.2", "developing")] {
                let version = s
                    .app
                    .assessment(&respond, a)
                    .await
                    .expect("Eastvale assessment")
                    .responses[q]
                    .version;
                s.app
                    .respond(
                        &respond,
                        a,
                        &QuestionId::from(q),
                        version,
                        rating,
                        "Eastvale's own words",
                        &ctx(),
                    )
                    .await
                    .unwrap_or_else(|_| panic!("Eastvale answer {q}"));
            }
        }
        let eastvale_answer_version = s
            .app
            .assessment(&respond, eastvale_draft)
            .await
            .expect("Eastvale draft")
            .responses[EASTVALE_QUESTION]
            .version;
        let eastvale_link = s
            .app
            .add_evidence(
                &respond,
                &eastvale_draft.to_string(),
                EASTVALE_QUESTION,
                &NewEvidence {
                    title: "Eastvale board minutes".into(),
                    kind: "link".into(),
                    url: "https://intranet.eastvale.example/prevent/minutes".into(),
                    marking: "official".into(),
                    review_date: "2027-03-31".into(),
                },
                None,
                &ctx(),
            )
            .await
            .expect("Eastvale link");
        let eastvale_file = s
            .app
            .add_evidence(
                &respond,
                &eastvale_draft.to_string(),
                EASTVALE_QUESTION,
                &NewEvidence {
                    title: "Eastvale risk assessment".into(),
                    kind: "file".into(),
                    url: String::new(),
                    marking: "official".into(),
                    review_date: Default::default(),
                },
                Some(Upload {
                    file_name: "risk-assessment.txt".into(),
                    bytes: b"Eastvale risk assessment\n".to_vec(),
                }),
                &ctx(),
            )
            .await
            .expect("Eastvale file");
        s.app
            .add_comment(
                &grant(&e_lead, Permission::AssessmentComment, there),
                eastvale_draft,
                &QuestionId::from(EASTVALE_QUESTION),
                "Eastvale's comment",
                &ctx(),
            )
            .await
            .expect("Eastvale comment");
        let eastvale_action = s
            .app
            .create_action(
                &grant(&e_lead, Permission::ActionManage, there),
                &NewAction {
                    assessment_id: eastvale_draft.to_string(),
                    question_id: EASTVALE_QUESTION.into(),
                    title: "Eastvale's action".into(),
                    owner_id: eastvale_lead.clone(),
                    due_date: "2027-01-31".into(),
                },
                &ctx(),
            )
            .await
            .expect("Eastvale action");
        s.app
            .transition(
                &manage,
                eastvale_submitted,
                &Transition::Submit {
                    unanswered_confirmed: true,
                },
                &ctx(),
            )
            .await
            .expect("Eastvale submits");
        let eve = complete_session(&s.app, EASTVALE_ADMIN).await;
        let eve = session_of(s, &eve).await;
        let (eastvale_token, _) =
            make_token(s, &eve, &eastvale, Role::Administrator, "Eastvale's token").await;
        let eastvale_invitation = s
            .app
            .invite_member(
                &grant(
                    &member(&eastvale_admin, eastvale_pid, Role::Administrator),
                    Permission::MembershipManage,
                    there,
                ),
                &NewInvitation {
                    email: EASTVALE_INVITEE.into(),
                    role: Role::Contributor.key().into(),
                },
                &ctx(),
            )
            .await
            .expect("Eastvale invitation")
            .to_string();

        // Channel: the Riverton referrer's referral, assigned by the chair to the case officer,
        // and a referral in Eastvale by its lead.
        let referrer = user_id(s, "referrer@riverton.example").await;
        let chair = user_id(s, "chair@riverton.example").await;
        let riverton_case_officer = user_id(s, "caseofficer@riverton.example").await;
        let riverton_case = refer_as(s, &referrer, riverton_pid, Role::Referrer, "Matrix Person")
            .await
            .expect("the referrer refers");
        s.app
            .assign_case_officer(
                &grant(
                    &member(&chair, riverton_pid, Role::ChannelChair),
                    Permission::CaseAssign,
                    here,
                ),
                &ctx(),
                riverton_case.parse().expect("case id"),
                &riverton_case_officer,
            )
            .await
            .expect("the chair assigns the case officer");
        let eastvale_case = refer_as(
            s,
            &eastvale_lead,
            eastvale_pid,
            Role::PreventLead,
            "Eastvale Person",
        )
        .await
        .expect("Eastvale's lead refers");
        let mut sql = s.sql().await;
        let riverton_meeting = sql
            .rows(&format!(
                "SELECT id FROM panel_meetings WHERE partnership_id = '{riverton}'"
            ))
            .await[0][0]
            .clone()
            .expect("the demonstration meeting");
        let riverton_panel_case = sql
            .rows(&format!(
                "SELECT case_id FROM agenda_items WHERE meeting_id = '{riverton_meeting}'"
            ))
            .await[0][0]
            .clone()
            .expect("a case on the demonstration agenda");

        World {
            riverton_meeting,
            riverton_panel_case,
            riverton,
            eastvale,
            riverton_pid,
            eastvale_pid,
            riverton_org,
            eastvale_org,
            riverton_lead,
            riverton_board,
            riverton_admin,
            sysadmin,
            riverton_draft,
            riverton_file,
            riverton_action,
            riverton_membership,
            riverton_spare_user,
            riverton_spare_membership,
            eastvale_admin,
            eastvale_lead,
            eastvale_draft: eastvale_draft.to_string(),
            eastvale_submitted: eastvale_submitted.to_string(),
            eastvale_answer_version,
            eastvale_link,
            eastvale_file,
            eastvale_action: eastvale_action.to_string(),
            eastvale_membership,
            eastvale_token,
            eastvale_invitation,
            eastvale_spare_membership,
            riverton_case,
            riverton_case_officer,
            eastvale_case,
        }
    }

    pub fn riverton_lead_actor(&self) -> Actor {
        member(&self.riverton_lead, self.riverton_pid, Role::PreventLead)
    }

    /// A new Riverton assessment, moved on to `state` (draft, submitted or approved): the lead
    /// starts and submits it, the board approves it.
    pub async fn riverton_assessment_in(&self, s: &Server, state: &str) -> String {
        let here = Scope::Partnership(self.riverton_pid);
        let lead = self.riverton_lead_actor();
        let manage = grant(&lead, Permission::AssessmentManage, here);
        let id = s
            .app
            .create_assessment(
                &manage,
                &NewAssessment {
                    title: format!("Matrix assessment ({state})"),
                    framework: PREVENT_DUTY_BENCHMARK.into(),
                    period_start: "2027-04-01".into(),
                    period_end: "2028-03-31".into(),
                    ..NewAssessment::default()
                },
                &ctx(),
            )
            .await
            .expect("assessment");
        if state == "draft" {
            return id.to_string();
        }
        s.app
            .transition(
                &manage,
                id,
                &Transition::Submit {
                    unanswered_confirmed: true,
                },
                &ctx(),
            )
            .await
            .expect("submit");
        if state == "submitted" {
            return id.to_string();
        }
        let board = member(&self.riverton_board, self.riverton_pid, Role::BoardMember);
        s.app
            .transition(
                &grant(&board, Permission::AssessmentApprove, here),
                id,
                &Transition::Approve { reference: None },
                &ctx(),
            )
            .await
            .expect("approve");
        assert_eq!(state, "approved");
        id.to_string()
    }

    /// An open invitation to a Riverton role for `email`, from someone other than its owner
    /// (the system administrator, or for the system administrator the Riverton administrator).
    pub async fn invitation_for(&self, s: &Server, email: &str) -> String {
        let from = if email == SYSADMIN {
            member(&self.riverton_admin, self.riverton_pid, Role::Administrator)
        } else {
            system_admin(&self.sysadmin)
        };
        s.app
            .invite_member(
                &grant(
                    &from,
                    Permission::MembershipManage,
                    Scope::Partnership(self.riverton_pid),
                ),
                &NewInvitation {
                    email: email.into(),
                    role: Role::Auditor.key().into(),
                },
                &ctx(),
            )
            .await
            .expect("invitation")
            .to_string()
    }

    /// Everything Eastvale holds, as the services show it to Eastvale's own lead and to the
    /// console, keyed by object. The spare account's membership is left out: the system
    /// administrator may remove it in the matrix, and that is checked where it happens.
    pub async fn eastvale_snapshot(&self, s: &Server) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        let there = Scope::Partnership(self.eastvale_pid);
        let (p, orgs) = s
            .app
            .get_partnership(&console_grant(Permission::PartnershipRead, there))
            .await
            .expect("Eastvale");
        out.insert("partnership".into(), format!("{p:?} {orgs:?}"));
        let members = s
            .app
            .list_members(&console_grant(Permission::MembershipRead, there))
            .await
            .expect("Eastvale members");
        let users = console_grant(Permission::UserManage, Scope::Platform);
        for m in members.iter().filter(|m| m.email != EASTVALE_SPARE) {
            out.insert(format!("membership {}", m.id), format!("{m:?}"));
            let account = s
                .app
                .find_user_by_email(&users, &m.email)
                .await
                .expect("account");
            out.insert(format!("account {}", m.user_id), format!("{account:?}"));
            let uid: UserId = m.user_id;
            for t in s.app.list_tokens(uid).await.expect("tokens") {
                out.insert(format!("token {}", t.id), format!("{t:?}"));
            }
        }
        for i in s
            .app
            .partnership_invitations(&console_grant(Permission::MembershipRead, there))
            .await
            .expect("Eastvale invitations")
        {
            out.insert(format!("invitation {}", i.id), format!("{i:?}"));
        }
        let lead = member(&self.eastvale_lead, self.eastvale_pid, Role::PreventLead);
        let read = grant(&lead, Permission::AssessmentRead, there);
        let manage = grant(&lead, Permission::AssessmentManage, there);
        for e in s
            .app
            .partnership_evidence(&read)
            .await
            .expect("Eastvale evidence")
        {
            out.insert(format!("evidence {}", e.id), format!("{e:?}"));
        }
        for a in s
            .app
            .list_assessments(&read)
            .await
            .expect("Eastvale assessments")
        {
            let view = s.app.assessment(&read, a.id).await.expect("assessment");
            out.insert(
                format!("assessment {}", a.id),
                format!("{:?}", view.assessment),
            );
            for (_, q) in view.framework.questions() {
                if let Some(r) = view.responses.get(&q.id) {
                    out.insert(format!("answer {} {}", a.id, q.id), format!("{r:?}"));
                }
                let comments = s
                    .app
                    .comments(&read, a.id, &QuestionId::from(q.id.as_str()))
                    .await
                    .expect("comments");
                if !comments.is_empty() {
                    out.insert(
                        format!("comments {} {}", a.id, q.id),
                        format!("{comments:?}"),
                    );
                }
            }
            let mut links: Vec<String> = s
                .app
                .assessment_evidence(&read, &a.id.to_string())
                .await
                .expect("evidence links")
                .into_iter()
                .map(|(q, e)| format!("{q}:{}", e.id))
                .collect();
            links.sort();
            out.insert(format!("evidence links {}", a.id), links.join(" "));
            for action in s
                .app
                .assessment_actions(&read, a.id)
                .await
                .expect("actions")
            {
                out.insert(format!("action {}", action.id), format!("{action:?}"));
            }
            let mut assigned: Vec<String> = s
                .app
                .assignments(&read, a.id)
                .await
                .expect("assignments")
                .into_iter()
                .map(|(q, v)| format!("{q}:{v:?}"))
                .collect();
            assigned.sort();
            out.insert(format!("assignments {}", a.id), assigned.join(" "));
            let offer = s
                .app
                .upgrade_plan(&manage, a.id)
                .await
                .expect("upgrade plan");
            out.insert(
                format!("upgrade {}", a.id),
                format!("{:?}", offer.is_some()),
            );
        }
        out
    }
}

/// The differences between two snapshots, one line each.
pub fn differences(
    before: &BTreeMap<String, String>,
    after: &BTreeMap<String, String>,
) -> Vec<String> {
    let mut out = Vec::new();
    for (k, v) in before {
        match after.get(k) {
            None => out.push(format!("gone: {k} (was {v})")),
            Some(w) if w != v => out.push(format!("changed: {k}\n    before {v}\n    after  {w}")),
            _ => {}
        }
    }
    for (k, v) in after {
        if !before.contains_key(k) {
            out.push(format!("new: {k} = {v}"));
        }
    }
    out
}

/// Post a multipart form (uploads) with the browser's cookies.
pub async fn post_multipart(
    s: &Server,
    b: &Browser,
    path: &str,
    fields: &[(&str, &str)],
    file: Option<(&str, Vec<u8>)>,
) -> Page {
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in preventkit_testkit::date_boxes(fields) {
        form = form.text(k, v);
    }
    if let Some((name, bytes)) = file {
        form = form.part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
        );
    }
    let cookie = b
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    let mut req = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .post(format!("{}{path}", s.base))
        .multipart(form);
    if !cookie.is_empty() {
        req = req.header("cookie", cookie);
    }
    let res = req.send().await.expect("upload");
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let body = res.text().await.unwrap_or_default();
    Page {
        status,
        headers,
        body,
    }
}

/// Whether a membership id is still in a partnership (its role), or "gone".
pub async fn membership_state(s: &Server, partnership: PartnershipId, id: &str) -> String {
    let g = console_grant(Permission::MembershipRead, Scope::Partnership(partnership));
    s.app
        .list_members(&g)
        .await
        .expect("members")
        .into_iter()
        .find(|m| m.id.to_string() == id)
        .map(|m| m.role.key().to_owned())
        .unwrap_or_else(|| "gone".into())
}
