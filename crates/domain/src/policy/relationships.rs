//! Relationship rules: decisions that depend on the actor's relation to one record, once the
//! permission itself is granted. Each takes the [`Grant`] and facts that storage fetched about
//! the record; none looks at the database or compares roles anywhere else.

use super::Grant;
use crate::{OrganisationId, Role, UserId};

/// What decides who answers one question of an assessment.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AnswerFacts {
    /// The organisation the person answering belongs to.
    pub organisation: Option<OrganisationId>,
    /// The person the question is assigned to, if any.
    pub assigned_user: Option<UserId>,
    /// The organisation the question is assigned to, if any.
    pub assigned_organisation: Option<OrganisationId>,
}

/// Who may answer one question of an assessment, once the permission to answer at all
/// (`AssessmentRespond`) is granted. The Prevent lead answers any question; a contributor
/// answers the questions assigned to them or to their organisation; an unassigned question is
/// the lead's.
pub fn may_answer(grant: &Grant, facts: &AnswerFacts) -> bool {
    answers(grant.roles(), grant.user_id(), facts)
}

/// Whether the grant's holder may answer any question of an assessment (the Prevent lead),
/// rather than only those assigned to them (a contributor): what "the next question" means
/// for them after saving an answer.
pub fn answers_any_question(grant: &Grant) -> bool {
    grant.roles().contains(&Role::PreventLead)
}

/// Whether a question is assigned to the grant's holder: to them by name, or to the
/// organisation they belong to. (Who may answer it is [`may_answer`].)
pub fn is_assigned_to(grant: &Grant, facts: &AnswerFacts) -> bool {
    assigned(grant.user_id(), facts)
}

fn assigned(user: UserId, facts: &AnswerFacts) -> bool {
    facts.assigned_user == Some(user)
        || (facts.assigned_organisation.is_some()
            && facts.assigned_organisation == facts.organisation)
}

/// Whether a question can be assigned to someone holding `role`: only a role that answers
/// questions at all (the lead answers any; a contributor what is assigned to them).
pub fn may_be_assigned_questions(role: Role) -> bool {
    matches!(role, Role::PreventLead | Role::Contributor)
}

fn answers(roles: &[Role], user: UserId, facts: &AnswerFacts) -> bool {
    if roles.contains(&Role::PreventLead) {
        return true;
    }
    roles.contains(&Role::Contributor) && assigned(user, facts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contributors_answer_only_what_is_assigned_to_them() {
        let me = UserId::new();
        let my_org = OrganisationId::new();
        let other_org = OrganisationId::new();
        let c = [Role::Contributor];
        let facts = |u: Option<UserId>, o: Option<OrganisationId>, mine: Option<OrganisationId>| {
            AnswerFacts {
                organisation: mine,
                assigned_user: u,
                assigned_organisation: o,
            }
        };
        assert!(answers(&c, me, &facts(Some(me), None, Some(my_org))));
        assert!(answers(&c, me, &facts(None, Some(my_org), Some(my_org))));
        assert!(!answers(
            &c,
            me,
            &facts(None, Some(other_org), Some(my_org))
        ));
        assert!(
            !answers(&c, me, &facts(None, None, Some(my_org))),
            "unassigned is the lead's"
        );
        assert!(!answers(&c, me, &facts(None, None, None)));
        assert!(answers(&[Role::PreventLead], me, &facts(None, None, None)));
        assert!(!answers(
            &[Role::BoardMember],
            me,
            &facts(Some(me), None, Some(my_org))
        ));
    }
}
