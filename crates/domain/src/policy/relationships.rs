//! Relationship rules: decisions that depend on the actor's relation to one record, once the
//! permission itself is granted. Each takes the [`Grant`] and facts that storage fetched about
//! the record; none looks at the database or compares roles anywhere else.

use super::Grant;
use crate::marking::Marking;
use crate::{OrganisationId, Role, Timestamp, UserId};

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

/// What decides who may open one Channel case, fetched by storage for the person asking.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaseFacts {
    /// Who made the referral.
    pub referrer: Option<UserId>,
    /// The case officer assigned to the case.
    pub case_officer: Option<UserId>,
    /// Until when the person asking holds exceptional access to this case, if they were given
    /// it.
    pub exceptional_until: Option<Timestamp>,
    /// The meetings the person asking is invited to whose published agenda has this case on
    /// it: each gives a window in which they may read the case (see [`AgendaWindow`]).
    pub agenda_windows: Vec<AgendaWindow>,
}

/// A case on the published agenda of a panel meeting the reader is invited to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AgendaWindow {
    /// When the agenda was published.
    pub published_at: Timestamp,
    /// The day of the meeting.
    pub meeting_on: time::Date,
}

/// How many days after a panel meeting its invited members may still read the cases on its
/// agenda (to finish actions agreed at the table). The window runs from the agenda's
/// publication to the end of the seventh day after the meeting (midnight UTC).
pub const AGENDA_READ_DAYS_AFTER_MEETING: i64 = 7;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

impl AgendaWindow {
    /// The moment the window closes.
    pub fn closes_at(&self) -> Timestamp {
        let midnight = self
            .meeting_on
            .midnight()
            .assume_utc()
            .unix_timestamp()
            .saturating_mul(1000);
        Timestamp::from_millis(
            midnight.saturating_add((AGENDA_READ_DAYS_AFTER_MEETING + 1).saturating_mul(DAY_MS)),
        )
    }

    /// Whether `now` falls in the window.
    pub fn is_open(&self, now: Timestamp) -> bool {
        self.published_at <= now && now < self.closes_at()
    }
}

crate::keyed_enum! {
    /// How a reader came to open a case; recorded with every read.
    pub enum CaseRelation {
        CaseOfficer: "case-officer", "As its case officer";
        PanelChair: "panel-chair", "As the panel chair";
        Exceptional: "exceptional", "By exceptional access";
        PanelMember: "panel-member", "As a member of the panel meeting";
    }
}

/// What the holder of a case grant may do with one case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaseAccess {
    /// Open the case: read it, and change it where [`may_change_case`] allows.
    Open(CaseRelation),
    /// No relationship, but a Channel role: the case opens only after the person gives a
    /// reason for exceptional access, which is recorded and reviewed.
    ExceptionalOnly,
    /// Nothing: the case is not shown at all.
    None,
}

/// The clearance every reader of case content needs.
pub const CASE_MARKING: Marking = Marking::OfficialSensitive;

/// Who may open a Channel case, once a case permission is granted in its partnership:
/// - the panel chair opens every case of the panel (one panel per partnership for now);
/// - the case officer assigned to a case opens it;
/// - anyone else with a Channel role opens it only by exceptional access, while that lasts;
/// - nobody without OFFICIAL-SENSITIVE clearance opens any case.
///
/// - a panel member opens a case, to read it, while it is on the published agenda of a meeting
///   they are invited to: from the agenda's publication to the end of the
///   [`AGENDA_READ_DAYS_AFTER_MEETING`]th day after the meeting.
pub fn case_access(grant: &Grant, facts: &CaseFacts, now: Timestamp) -> CaseAccess {
    if !grant.may_read_marking(CASE_MARKING) {
        return CaseAccess::None;
    }
    let roles = grant.roles();
    if roles.contains(&Role::ChannelChair) {
        return CaseAccess::Open(CaseRelation::PanelChair);
    }
    if roles.contains(&Role::CaseOfficer) && facts.case_officer == Some(grant.user_id()) {
        return CaseAccess::Open(CaseRelation::CaseOfficer);
    }
    let channel_role = roles
        .iter()
        .any(|r| matches!(r, Role::CaseOfficer | Role::PanelMember));
    if !channel_role {
        return CaseAccess::None;
    }
    if roles.contains(&Role::PanelMember) && facts.agenda_windows.iter().any(|w| w.is_open(now)) {
        return CaseAccess::Open(CaseRelation::PanelMember);
    }
    match facts.exceptional_until {
        Some(until) if now < until => CaseAccess::Open(CaseRelation::Exceptional),
        _ => CaseAccess::ExceptionalOnly,
    }
}

/// Whether the grant's holder may record steps and decisions on a case: its case officer or
/// the panel chair. Exceptional access and a panel member's reading of the agenda are for
/// reading only.
pub fn may_change_case(grant: &Grant, facts: &CaseFacts, now: Timestamp) -> bool {
    matches!(
        case_access(grant, facts, now),
        CaseAccess::Open(CaseRelation::CaseOfficer | CaseRelation::PanelChair)
    )
}

/// Whether the grant's holder made this referral, and so may see its status (and only that).
pub fn is_referrer_of(grant: &Grant, facts: &CaseFacts) -> bool {
    facts.referrer == Some(grant.user_id())
}

/// Whether the grant's holder is the case officer assigned to this case.
pub fn is_case_officer_of(grant: &Grant, facts: &CaseFacts) -> bool {
    grant.roles().contains(&Role::CaseOfficer) && facts.case_officer == Some(grant.user_id())
}

/// Whether the grant's holder assigns case officers (the panel chair), and so is told of
/// referrals waiting for one.
pub fn assigns_case_officers(grant: &Grant) -> bool {
    grant.roles().contains(&Role::ChannelChair)
}

/// Whether the grant's holder runs the Channel panel (its chair): they see a meeting's agenda
/// before it is published.
pub fn runs_panel(grant: &Grant) -> bool {
    grant.roles().contains(&Role::ChannelChair)
}

/// Whether someone holding `role` may be assigned a case as its case officer.
pub fn may_be_case_officer(role: Role) -> bool {
    matches!(role, Role::CaseOfficer | Role::ChannelChair)
}

/// How long exceptional access to a case lasts once given, in milliseconds (one hour).
pub const EXCEPTIONAL_ACCESS_MS: i64 = 60 * 60 * 1000;

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
