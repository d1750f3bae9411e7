//! What waits for a person, for their home page: questions assigned to them, assessments
//! waiting for their approval, actions and evidence they own that fall due, and the progress of
//! drafts they lead. Each part is read only in the partnerships where the policy grants the
//! person the matching permission, and the relationship rules of the policy decide which
//! assigned questions are theirs.

use crate::{App, ServiceError};
use preventkit_domain::policy::{self, decide, AnswerFacts};
use preventkit_domain::work::{
    self as domain_work, Progress, WorkItem, WorkKind, WorkTarget, DUE_WITHIN_DAYS,
};
use preventkit_domain::{Actor, Grant, PartnershipId, Permission, Scope};
use preventkit_storage as store;
use std::collections::BTreeMap;

/// The partnerships where `actor` holds `permission`, with the grants.
fn granted(actor: &Actor, permission: Permission) -> Vec<Grant> {
    let mut partnerships: Vec<PartnershipId> =
        actor.memberships().iter().map(|(p, _)| *p).collect();
    partnerships.sort();
    partnerships.dedup();
    partnerships
        .into_iter()
        .filter_map(|p| decide(actor, permission, Scope::Partnership(p)).ok())
        .collect()
}

fn scopes(grants: &[Grant]) -> Vec<PartnershipId> {
    grants
        .iter()
        .filter_map(|g| g.scope().partnership())
        .collect()
}

impl App {
    /// Everything waiting for `actor`, in the order the home page shows it.
    pub async fn my_work(&self, actor: &Actor) -> Result<Vec<WorkItem>, ServiceError> {
        let today = self.today();
        let until = today.saturating_add(time::Duration::days(DUE_WITHIN_DAYS));
        let me = actor.user_id();
        let respond = granted(actor, Permission::AssessmentRespond);
        let approve = granted(actor, Permission::AssessmentApprove);
        let manage = granted(actor, Permission::AssessmentManage);
        let actions = granted(actor, Permission::AssessmentRead);
        let mut tx = self.db().read().await?;
        let assigned = store::work::assigned_questions(&mut tx, &scopes(&respond), me).await?;
        let submitted = store::work::submitted(&mut tx, &scopes(&approve)).await?;
        let drafts = store::work::drafts(&mut tx, &scopes(&manage)).await?;
        let actions_due = store::work::actions_due(&mut tx, &scopes(&actions), me, until).await?;
        let evidence_due = store::work::evidence_due(&mut tx, &scopes(&actions), me, until).await?;
        tx.commit().await?;

        let mut items = Vec::new();

        // Assigned questions, one line per assessment: only those the relationship rule says
        // are this person's (assigned to them or their organisation, and theirs to answer).
        let mut per_assessment: BTreeMap<String, WorkItem> = BTreeMap::new();
        for q in assigned {
            let Some(grant) = respond
                .iter()
                .find(|g| g.scope().partnership() == Some(q.partnership))
            else {
                continue;
            };
            let facts = AnswerFacts {
                organisation: q.organisation,
                assigned_user: q.assigned_user,
                assigned_organisation: q.assigned_organisation,
            };
            if !policy::is_assigned_to(grant, &facts) || !policy::may_answer(grant, &facts) {
                continue;
            }
            let entry = per_assessment
                .entry(q.assessment.to_string())
                .or_insert_with(|| WorkItem {
                    kind: WorkKind::QuestionsAssigned,
                    partnership: q.partnership,
                    partnership_name: q.partnership_name.clone(),
                    title: q.title.clone(),
                    target: WorkTarget::Assessment {
                        partnership: q.partnership,
                        assessment: q.assessment,
                    },
                    due: None,
                    progress: Some(Progress { done: 0, total: 0 }),
                });
            if let Some(p) = entry.progress.as_mut() {
                p.total += 1;
                if q.reviewed {
                    p.done += 1;
                }
            }
        }
        items.extend(per_assessment.into_values());

        // Nobody approves what they submitted themselves.
        items.extend(
            submitted
                .into_iter()
                .filter(|s| s.submitted_by != Some(me))
                .map(|s| s.item),
        );
        items.extend(drafts);
        items.extend(actions_due);
        // Evidence above the reader's clearance is listed without its title.
        items.extend(evidence_due.into_iter().map(|(mut item, marking)| {
            if !actor.clearance().permits(marking) {
                item.title = "An evidence item marked above your clearance".into();
            }
            item
        }));
        items.extend(self.case_work(actor).await?);
        domain_work::sort(&mut items);
        Ok(items)
    }

    /// Channel work: the cases a case officer is screening, and for the panel chair the
    /// referrals waiting for a case officer. Named by reference only.
    async fn case_work(&self, actor: &Actor) -> Result<Vec<WorkItem>, ServiceError> {
        let mut items = Vec::new();
        let grants = granted(actor, Permission::CaseManage);
        if grants.is_empty() {
            return Ok(items);
        }
        let mut tx = self.db().read().await?;
        for grant in &grants {
            let Some(p) = grant.scope().partnership() else {
                continue;
            };
            let name = store::administration::partnerships::get(&mut tx, p)
                .await?
                .map(|p| p.name)
                .unwrap_or_default();
            for case in store::channel::list(&mut tx, p).await? {
                let facts = policy::CaseFacts {
                    referrer: Some(case.referrer),
                    case_officer: case.case_officer,
                    exceptional_until: None,
                    agenda_windows: Vec::new(),
                };
                let kind = if !case.stage.is_screening_open() {
                    continue;
                } else if policy::is_case_officer_of(grant, &facts) {
                    WorkKind::CasesToScreen
                } else if case.case_officer.is_none() && policy::assigns_case_officers(grant) {
                    WorkKind::ReferralsToAssign
                } else {
                    continue;
                };
                items.push(WorkItem {
                    kind,
                    partnership: p,
                    partnership_name: name.clone(),
                    title: case.reference.to_string(),
                    target: WorkTarget::Case {
                        partnership: p,
                        case: case.id,
                    },
                    due: None,
                    progress: None,
                });
            }
        }
        tx.commit().await?;
        Ok(items)
    }

    /// Today's date in UTC, by the application's clock.
    pub fn today(&self) -> time::Date {
        preventkit_domain::Timestamp(self.config().clock.now_ms())
            .to_datetime()
            .map(|t| t.date())
            .unwrap_or(time::Date::MIN)
    }
}
