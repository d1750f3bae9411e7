//! Demonstration data: two fictional partnerships with a user for each kind of role, so that a
//! newcomer can sign in and look around. Loading twice changes nothing.

use crate::administration::{NewMember, NewOrganisation, NewPartnership, NewUser};
use crate::assessment::NewAssessment;
use crate::evidence::NewEvidence;
use crate::{App, RequestContext, ServiceError};
use preventkit_domain::assessment::Transition;
use preventkit_domain::policy::decide;
use preventkit_domain::shipped::PREVENT_DUTY_BENCHMARK;
use preventkit_domain::{Actor, OrganisationId, PartnershipId, Permission, Role, Scope};
use preventkit_storage as store;

/// The password every demonstration account starts with. Demonstration data only.
pub const DEMO_PASSWORD: &str = "demo-password-2026";

/// One demonstration account.
#[derive(Clone, Debug)]
pub struct DemoAccount {
    pub email: &'static str,
    pub role: &'static str,
    pub needs_mfa: bool,
}

/// What the demo contains.
#[derive(Clone, Debug)]
pub struct DemoSummary {
    pub created: bool,
    pub partnership: String,
    pub accounts: Vec<DemoAccount>,
}

const PARTNERSHIP: &str = "Riverton Prevent Partnership";
const OTHER_PARTNERSHIP: &str = "Eastvale Prevent Partnership";

const ORGS: &[(&str, &str)] = &[
    ("Riverton City Council", "local-authority-unitary"),
    ("Riverton Police", "police-force"),
    ("Riverton Health NHS Trust", "health"),
    ("Riverton College", "education"),
    ("Riverton Youth Justice Service", "youth-offending"),
    ("Riverton Community Links", "voluntary-sector"),
    ("Eastvale District Council", "local-authority-district"),
];

/// (email, name, organisation index, role)
const PEOPLE: &[(&str, &str, usize, Role)] = &[
    (
        "admin@riverton.example",
        "Alex Admin",
        0,
        Role::Administrator,
    ),
    ("lead@riverton.example", "Priya Lead", 0, Role::PreventLead),
    (
        "contributor@riverton.example",
        "Chris Contributor",
        1,
        Role::Contributor,
    ),
    ("board@riverton.example", "Bola Board", 2, Role::BoardMember),
    (
        "councillor@riverton.example",
        "Cllr Elin Member",
        0,
        Role::ElectedMember,
    ),
    ("chair@riverton.example", "Sam Chair", 0, Role::ChannelChair),
    ("panel@riverton.example", "Pat Panel", 3, Role::PanelMember),
    (
        "caseofficer@riverton.example",
        "Kim Case",
        0,
        Role::CaseOfficer,
    ),
    (
        "caseofficer2@riverton.example",
        "Jo Second",
        0,
        Role::CaseOfficer,
    ),
    (
        "referrer@riverton.example",
        "Rory Referrer",
        3,
        Role::Referrer,
    ),
    ("auditor@riverton.example", "Ada Auditor", 0, Role::Auditor),
    (
        "regional@riverton.example",
        "Reggie Regional",
        5,
        Role::RegionalViewer,
    ),
];

/// Last year's demonstration ratings, taken in turn question by question: mostly achieving,
/// some developing, a few not yet started, so the heat map and the gaps list have something
/// to show.
const DEMO_RATINGS: [&str; 6] = [
    "achieving",
    "developing",
    "achieving",
    "not-yet-started",
    "achieving",
    "developing",
];

/// Demonstration accounts cleared for OFFICIAL-SENSITIVE.
const SENSITIVE: &[&str] = &[
    "lead@riverton.example",
    "chair@riverton.example",
    "panel@riverton.example",
    "caseofficer@riverton.example",
    "caseofficer2@riverton.example",
];

pub const SYSTEM_ADMIN_EMAIL: &str = "sysadmin@preventkit.example";

fn accounts() -> Vec<DemoAccount> {
    let mut v = vec![DemoAccount {
        email: SYSTEM_ADMIN_EMAIL,
        role: "System administrator",
        needs_mfa: true,
    }];
    v.extend(PEOPLE.iter().map(|(email, _, _, role)| DemoAccount {
        email,
        role: role.label(),
        needs_mfa: role.requires_mfa(),
    }));
    v
}

impl App {
    /// Load the demonstration data unless it is there already.
    pub async fn load_demo(&self) -> Result<DemoSummary, ServiceError> {
        let mut tx = self.db().read().await?;
        let existing = store::administration::partnerships::list(&mut tx).await?;
        tx.commit().await?;
        if existing.iter().any(|p| p.name == PARTNERSHIP) {
            return Ok(DemoSummary {
                created: false,
                partnership: PARTNERSHIP.into(),
                accounts: accounts(),
            });
        }
        let console = Actor::console();
        let ctx = RequestContext::console();
        let org_grant = decide(&console, Permission::OrganisationManage, Scope::Platform)?;
        let mut org_ids: Vec<OrganisationId> = Vec::new();
        for (name, kind) in ORGS {
            let id = self
                .create_organisation(
                    &org_grant,
                    &NewOrganisation {
                        name: (*name).into(),
                        org_type: (*kind).into(),
                    },
                    &ctx,
                )
                .await?;
            org_ids.push(id);
        }
        let org_id = |i: usize| {
            org_ids.get(i).map(ToString::to_string).ok_or_else(|| {
                ServiceError::Internal(format!("demonstration organisation {i} was not made"))
            })
        };
        let p_grant = decide(&console, Permission::PartnershipManage, Scope::Platform)?;
        let region = self
            .create_region(&p_grant, "North of England (demo)", &ctx)
            .await?;
        let partnership = self
            .create_partnership(
                &p_grant,
                &NewPartnership {
                    name: PARTNERSHIP.into(),
                    lead_organisation_id: org_id(0)?,
                    parent_id: String::new(),
                    region_id: region.to_string(),
                },
                &ctx,
            )
            .await?;
        for org in org_ids.iter().skip(1).take(5) {
            self.add_partnership_organisation(&p_grant, partnership, &org.to_string(), &ctx)
                .await?;
        }
        let other = self
            .create_partnership(
                &p_grant,
                &NewPartnership {
                    name: OTHER_PARTNERSHIP.into(),
                    lead_organisation_id: org_id(6)?,
                    parent_id: String::new(),
                    region_id: region.to_string(),
                },
                &ctx,
            )
            .await?;

        let u_grant = decide(&console, Permission::UserManage, Scope::Platform)?;
        self.create_user(
            &u_grant,
            &NewUser {
                email: SYSTEM_ADMIN_EMAIL.into(),
                display_name: "Sys Admin".into(),
                organisation_id: org_id(0)?,
                password: DEMO_PASSWORD.into(),
                clearance: "official-sensitive".into(),
                system_admin: true,
            },
            &ctx,
        )
        .await?;
        self.demo_members(&console, partnership, &org_ids, PEOPLE, &ctx)
            .await?;
        // The lead and the Channel roles handle OFFICIAL-SENSITIVE material; partners do not.
        for email in SENSITIVE {
            let user = self.find_user_by_email(&u_grant, email).await?;
            let id = user
                .id
                .parse()
                .map_err(|_| ServiceError::Internal("stored user id is not a UUID".into()))?;
            self.set_user_clearance(&u_grant, id, "official-sensitive", &ctx)
                .await?;
        }
        self.demo_assessments(partnership, &org_ids, &ctx).await?;
        if self.key_ring().is_some() {
            self.demo_cases(partnership, &ctx).await?;
        } else {
            tracing::info!("no encryption key: the demonstration has no Channel cases");
        }
        self.demo_members(
            &console,
            other,
            &org_ids,
            &[(
                "admin@eastvale.example",
                "Eve Eastvale",
                6,
                Role::Administrator,
            )],
            &ctx,
        )
        .await?;
        Ok(DemoSummary {
            created: true,
            partnership: PARTNERSHIP.into(),
            accounts: accounts(),
        })
    }

    /// Two periods of the Prevent duty benchmark for the demonstration partnership: last
    /// year's, answered, approved by the board and locked, and this year's draft started from
    /// it, with a few answers moved on, one benchmark assigned to the police, and evidence.
    async fn demo_assessments(
        &self,
        partnership: PartnershipId,
        org_ids: &[OrganisationId],
        ctx: &RequestContext,
    ) -> Result<(), ServiceError> {
        self.install_shipped_frameworks().await?;
        let u_grant = decide(&Actor::console(), Permission::UserManage, Scope::Platform)?;
        let actor = |user: &crate::administration::UserAccount,
                     role: Role|
         -> Result<Actor, ServiceError> {
            Ok(crate::identity::actor(
                preventkit_domain::VerifiedIdentity {
                    user_id: user.id.parse().map_err(|_| {
                        ServiceError::Internal("stored user id is not a UUID".into())
                    })?,
                    system_admin: false,
                    memberships: vec![(partnership, role)],
                    clearance: preventkit_domain::Clearance(user.clearance.parse().map_err(
                        |_| ServiceError::Internal("stored clearance is not a marking".into()),
                    )?),
                    mfa_verified: true,
                },
            ))
        };
        let lead = actor(
            &self
                .find_user_by_email(&u_grant, "lead@riverton.example")
                .await?,
            Role::PreventLead,
        )?;
        let board = actor(
            &self
                .find_user_by_email(&u_grant, "board@riverton.example")
                .await?,
            Role::BoardMember,
        )?;
        let scope = Scope::Partnership(partnership);
        let manage = decide(&lead, Permission::AssessmentManage, scope)?;
        let respond = decide(&lead, Permission::AssessmentRespond, scope)?;
        let approve = decide(&board, Permission::AssessmentApprove, scope)?;

        let last = self
            .create_assessment(
                &manage,
                &NewAssessment {
                    title: "Prevent duty benchmark 2025 to 2026".into(),
                    framework: PREVENT_DUTY_BENCHMARK.into(),
                    period_start: "2025-04-01".into(),
                    period_end: "2026-03-31".into(),
                    ..NewAssessment::default()
                },
                ctx,
            )
            .await?;
        let view = self.assessment(&manage, last).await?;
        let questions: Vec<String> = view
            .framework
            .questions()
            .into_iter()
            .map(|(_, q)| q.id.clone())
            .collect();
        for (q, &rating) in questions.iter().zip(DEMO_RATINGS.iter().cycle()) {
            self.demo_answer(&respond, last, q, rating, ctx).await?;
        }
        let evidence = NewEvidence {
            title: "Prevent partnership board terms of reference".into(),
            kind: "link".into(),
            url: "https://intranet.riverton.example/prevent/board-terms-of-reference".into(),
            marking: "official".into(),
            review_date: "2027-03-31".into(),
        };
        let tor = self
            .add_evidence(&respond, &last.to_string(), "2.1", &evidence, None, ctx)
            .await?;
        self.link_evidence(&respond, &last.to_string(), "2.2", &tor, ctx)
            .await?;
        self.add_evidence(
            &respond,
            &last.to_string(),
            "1.1",
            &NewEvidence {
                title: "Counter-terrorism local profile briefing to chief officers".into(),
                kind: "link".into(),
                url: "https://intranet.riverton.example/prevent/ctlp-briefing".into(),
                marking: "official-sensitive".into(),
                review_date: "2026-10-31".into(),
            },
            None,
            ctx,
        )
        .await?;
        self.transition(
            &manage,
            last,
            &Transition::Submit {
                unanswered_confirmed: true,
            },
            ctx,
        )
        .await?;
        self.transition(
            &approve,
            last,
            &Transition::Approve { reference: None },
            ctx,
        )
        .await?;
        self.transition(&manage, last, &Transition::Lock, ctx)
            .await?;

        // This year: started from last year's answers and evidence.
        let current = self
            .create_assessment(
                &manage,
                &NewAssessment {
                    title: "Prevent duty benchmark 2026 to 2027".into(),
                    framework: PREVENT_DUTY_BENCHMARK.into(),
                    period_start: "2026-04-01".into(),
                    period_end: "2027-03-31".into(),
                    previous_id: last.to_string(),
                    ..NewAssessment::default()
                },
                ctx,
            )
            .await?;
        for (q, rating) in [
            ("1.2", "achieving"),
            ("3.3", "developing"),
            ("5.4", "achieving"),
        ] {
            self.demo_answer(&respond, current, q, rating, ctx).await?;
        }
        // Benchmark 7 (training) goes to the police to answer.
        if let Some(police) = org_ids.get(1) {
            self.assign(&manage, current, "b7", &police.to_string(), "", ctx)
                .await?;
        }
        Ok(())
    }

    /// A demonstration account as an actor holding `role` in `partnership`, as if it had signed
    /// in with two-factor authentication.
    pub(crate) async fn demo_actor(
        &self,
        email: &str,
        partnership: PartnershipId,
        role: Role,
    ) -> Result<Actor, ServiceError> {
        let u_grant = decide(&Actor::console(), Permission::UserManage, Scope::Platform)?;
        let user = self.find_user_by_email(&u_grant, email).await?;
        Ok(crate::identity::actor(
            preventkit_domain::VerifiedIdentity {
                user_id: user
                    .id
                    .parse()
                    .map_err(|_| ServiceError::Internal("stored user id is not a UUID".into()))?,
                system_admin: false,
                memberships: vec![(partnership, role)],
                clearance: preventkit_domain::Clearance(user.clearance.parse().map_err(|_| {
                    ServiceError::Internal("stored clearance is not a marking".into())
                })?),
                mfa_verified: true,
            },
        ))
    }

    /// Answer one demonstration question with words that fit the rating.
    async fn demo_answer(
        &self,
        respond: &preventkit_domain::Grant,
        assessment: preventkit_domain::AssessmentId,
        question: &str,
        rating: &str,
        ctx: &RequestContext,
    ) -> Result<(), ServiceError> {
        let view = self.assessment(respond, assessment).await?;
        let version = view
            .responses
            .get(question)
            .map(|r| r.version)
            .ok_or(ServiceError::NotFound)?;
        let details = match rating {
            "achieving" => "In place and working. The board reviewed it this year and the evidence is linked.",
            "developing" => "Partly in place. The remaining steps are in the partnership plan with an owner and a date.",
            _ => "Not started yet. Raised with the board as a gap for the coming year.",
        };
        let question = preventkit_domain::QuestionId::from(question);
        self.respond(
            respond, assessment, &question, version, rating, details, ctx,
        )
        .await
        .map_err(|e| match e {
            Ok(_) => ServiceError::Conflict("a demonstration answer was changed meanwhile".into()),
            Err(e) => e,
        })?;
        Ok(())
    }

    async fn demo_members(
        &self,
        console: &Actor,
        partnership: PartnershipId,
        org_ids: &[OrganisationId],
        people: &[(&str, &str, usize, Role)],
        ctx: &RequestContext,
    ) -> Result<(), ServiceError> {
        let grant = decide(
            console,
            Permission::MembershipManage,
            Scope::Partnership(partnership),
        )?;
        for (email, name, org, role) in people {
            let organisation_id = org_ids.get(*org).map(|o| o.to_string()).unwrap_or_default();
            self.add_member(
                &grant,
                &NewMember {
                    email: (*email).into(),
                    role: role.key().into(),
                    display_name: (*name).into(),
                    organisation_id,
                    password: DEMO_PASSWORD.into(),
                },
                ctx,
            )
            .await?;
        }
        Ok(())
    }
}
