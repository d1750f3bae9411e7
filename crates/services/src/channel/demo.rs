//! Demonstration cases: fictional people at different stages, so that a person trying the
//! product sees referral, screening and the panel's queue. Every name is marked as fictional.

use crate::{App, RequestContext, ServiceError};
use preventkit_domain::channel::{
    DeconflictionInput, InformationInput, OutcomeInput, ReferralInput,
};
use preventkit_domain::dates::DateEntry;
use preventkit_domain::policy::decide;
use preventkit_domain::{CaseId, PartnershipId, Permission, Role, Scope};

struct DemoCase {
    name: &'static str,
    date_of_birth: &'static str,
    approximate_age: &'static str,
    gender: &'static str,
    concern_type: &'static str,
    sector: &'static str,
    organisation: &'static str,
    concern: &'static str,
    /// How far the case has gone: 0 referred, 1 assigned, 2 deconflicted with information,
    /// 3 screened to the panel, 4 signposted and closed.
    stage: u8,
}

const CASES: &[DemoCase] = &[
    DemoCase {
        name: "Alex Fictional (demo)",
        date_of_birth: "2010-03-14",
        approximate_age: "",
        gender: "male",
        concern_type: "extreme-right-wing",
        sector: "education",
        organisation: "Riverton College",
        concern: "Shared images of a banned group's symbols in class and said a named community 'had it coming'. Teachers noticed a change in friendship group over the last term.",
        stage: 3,
    },
    DemoCase {
        name: "Sam Madeup (demo)",
        date_of_birth: "",
        approximate_age: "24",
        gender: "not-known",
        concern_type: "violence-fascination",
        sector: "health",
        organisation: "Riverton Health Trust",
        concern: "Spoke at length in a clinic appointment about past school attacks and kept notes about them. No ideology mentioned.",
        stage: 2,
    },
    DemoCase {
        name: "Jordan Invented (demo)",
        date_of_birth: "2008-11-02",
        approximate_age: "",
        gender: "female",
        concern_type: "islamist",
        sector: "community",
        organisation: "Riverton Community Links",
        concern: "A youth worker heard them repeat material from an extremist online channel and ask how to travel abroad alone.",
        stage: 4,
    },
    DemoCase {
        name: "Riley Pretend (demo)",
        date_of_birth: "2011-06-30",
        approximate_age: "",
        gender: "male",
        concern_type: "conflicted-or-unclear",
        sector: "education",
        organisation: "Riverton College",
        concern: "Mixed and changing views picked up from several online groups; has been drawing symbols from more than one movement.",
        stage: 1,
    },
    DemoCase {
        name: "Casey Notreal (demo)",
        date_of_birth: "1990-01-20",
        approximate_age: "",
        gender: "female",
        concern_type: "left-wing-anarchist-single-issue",
        sector: "probation",
        organisation: "Riverton Probation Delivery Unit",
        concern: "Told their probation officer about plans to damage property of a company they blame for animal testing.",
        stage: 0,
    },
];

impl App {
    /// Refer and screen the demonstration cases in the demonstration partnership.
    pub(crate) async fn demo_cases(
        &self,
        partnership: PartnershipId,
        ctx: &RequestContext,
    ) -> Result<(), ServiceError> {
        let scope = Scope::Partnership(partnership);
        let referrer = self
            .demo_actor("referrer@riverton.example", partnership, Role::Referrer)
            .await?;
        let chair = self
            .demo_actor("chair@riverton.example", partnership, Role::ChannelChair)
            .await?;
        let officer = self
            .demo_actor(
                "caseofficer@riverton.example",
                partnership,
                Role::CaseOfficer,
            )
            .await?;
        let refer = decide(&referrer, Permission::CaseRefer, scope)?;
        let assign = decide(&chair, Permission::CaseAssign, scope)?;
        let manage = decide(&officer, Permission::CaseManage, scope)?;
        let officer_id = officer.user_id().to_string();
        let today = self.today().to_string();
        for c in CASES {
            let made = self
                .refer(
                    &refer,
                    ctx,
                    &ReferralInput {
                        person_name: c.name.into(),
                        date_of_birth: DateEntry::Iso(c.date_of_birth.into()),
                        approximate_age: c.approximate_age.into(),
                        gender: c.gender.into(),
                        address: "1 Example Street, Riverton (fictional)".into(),
                        contact: String::new(),
                        professionals: "Form tutor; school nurse (fictional)".into(),
                        concern: c.concern.into(),
                        concern_type: c.concern_type.into(),
                        organisation: c.organisation.into(),
                        sector: c.sector.into(),
                        aware: "yes".into(),
                    },
                )
                .await?;
            if c.stage >= 1 {
                self.assign_case_officer(&assign, ctx, made.id, &officer_id)
                    .await?;
            }
            if c.stage >= 2 {
                self.demo_screen(&manage, made.id, &today, ctx).await?;
            }
            if c.stage >= 3 {
                let outcome = if c.stage == 3 {
                    OutcomeInput {
                        outcome: "to-panel".into(),
                        reasons: "Several partners see a pattern of growing interest and the family asked for help. Multi-agency support is proportionate.".into(),
                        ..OutcomeInput::default()
                    }
                } else {
                    OutcomeInput {
                        outcome: "signposted".into(),
                        services: vec!["early-help".into(), "education".into()],
                        reasons: "The concern is about isolation more than ideology; early help and the college's pastoral team will support.".into(),
                        ..OutcomeInput::default()
                    }
                };
                let version = self.case_heading(&manage, made.id).await?.listing.version;
                self.record_outcome(&manage, ctx, made.id, version, &outcome)
                    .await?;
            }
        }
        self.demo_panel(partnership, ctx).await
    }

    async fn demo_screen(
        &self,
        manage: &preventkit_domain::Grant,
        id: CaseId,
        today: &str,
        ctx: &RequestContext,
    ) -> Result<(), ServiceError> {
        self.record_deconfliction(
            manage,
            ctx,
            id,
            &DeconflictionInput {
                on: DateEntry::Iso(today.into()),
                with_whom: "Counter Terrorism Policing, Prevent team (fictional)".into(),
                result: "no-conflict".into(),
            },
        )
        .await?;
        self.record_information(
            manage,
            ctx,
            id,
            &InformationInput {
                source: "Riverton College pastoral team (fictional)".into(),
                received: DateEntry::Iso(today.into()),
                narrative: "Attendance has fallen to 80% this term. Family engaged with the school and worried about time spent online.".into(),
            },
        )
        .await
    }
}
