//! What is waiting for a person: the home page's list of their work, gathered from every
//! capability they take part in. Only what the person may see is ever listed (each part is
//! read under a grant from the policy), and only titles and counts: never answer text,
//! evidence content or anything about members of the public.

use crate::{ActionId, AssessmentId, CaseId, EvidenceId, PartnershipId};
use time::Date;

crate::keyed_enum! {
    /// The kinds of work the home page lists, in the order it shows them.
    pub enum WorkKind {
        CasesToScreen: "cases-to-screen", "Cases for you to screen";
        ReferralsToAssign: "referrals-to-assign", "Referrals waiting for a case officer";
        QuestionsAssigned: "questions-assigned", "Questions for you to answer";
        ApprovalWaiting: "approval-waiting", "Waiting for your approval";
        ActionsDue: "actions-due", "Actions you own";
        EvidenceReview: "evidence-review", "Evidence you own that is due for review";
        DraftProgress: "draft-progress", "Self-assessments in progress";
    }
}

/// Where a piece of work is done.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WorkTarget {
    Assessment {
        partnership: PartnershipId,
        assessment: AssessmentId,
    },
    Action {
        partnership: PartnershipId,
        action: ActionId,
        assessment: Option<AssessmentId>,
    },
    Evidence {
        partnership: PartnershipId,
        evidence: EvidenceId,
    },
    /// A Channel case, named on the home page by its reference only.
    Case {
        partnership: PartnershipId,
        case: CaseId,
    },
}

/// Progress through a set of questions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    pub done: u32,
    pub total: u32,
}

/// One thing waiting for the person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkItem {
    pub kind: WorkKind,
    pub partnership: PartnershipId,
    pub partnership_name: String,
    /// The record's own title (an assessment, an action, an evidence item the person may
    /// read), never free text typed about a person.
    pub title: String,
    pub target: WorkTarget,
    pub due: Option<Date>,
    pub progress: Option<Progress>,
}

impl WorkItem {
    /// Whether the item's due date has passed on `today`.
    pub fn overdue(&self, today: Date) -> bool {
        self.due.is_some_and(|d| d < today)
    }
}

/// How far ahead the home page looks for due dates.
pub const DUE_WITHIN_DAYS: i64 = 30;

/// The order the home page shows work in: by kind, then soonest due first, then title.
pub fn sort(items: &mut [WorkItem]) {
    items.sort_by(|a, b| {
        (
            a.kind,
            a.due.is_none(),
            a.due,
            &a.partnership_name,
            &a.title,
        )
            .cmp(&(
                b.kind,
                b.due.is_none(),
                b.due,
                &b.partnership_name,
                &b.title,
            ))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn item(kind: WorkKind, title: &str, due: Option<Date>) -> WorkItem {
        let partnership = PartnershipId::new();
        WorkItem {
            kind,
            partnership,
            partnership_name: "P".into(),
            title: title.into(),
            target: WorkTarget::Assessment {
                partnership,
                assessment: AssessmentId::new(),
            },
            due,
            progress: None,
        }
    }

    #[test]
    fn work_is_ordered_by_kind_then_soonest_due() {
        let mut items = vec![
            item(WorkKind::ActionsDue, "later", Some(date!(2026 - 12 - 20))),
            item(WorkKind::ActionsDue, "no date", None),
            item(WorkKind::QuestionsAssigned, "answer", None),
            item(WorkKind::ActionsDue, "sooner", Some(date!(2026 - 12 - 01))),
        ];
        sort(&mut items);
        let titles: Vec<_> = items.iter().map(|i| i.title.as_str()).collect();
        assert_eq!(titles, ["answer", "sooner", "later", "no date"]);
        assert!(items[1].overdue(date!(2026 - 12 - 02)));
        assert!(!items[2].overdue(date!(2026 - 12 - 02)));
    }
}
