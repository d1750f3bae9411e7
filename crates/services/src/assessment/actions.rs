//! Actions raised from an assessment's gaps: who may be given one, changing them under the
//! stale-edit rule, and closing them.

use super::*;
use preventkit_domain::actions::AssessmentAction;
use store::assessment::actions::ActionChange;

/// A member of the partnership who can own an action.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ActionOwner {
    pub user_id: UserId,
    pub name: String,
}

/// An edit to an action, as typed.
#[derive(Clone, Debug, Default)]
pub struct ActionEdit {
    pub title: String,
    pub owner_id: String,
    pub due_date: DateEntry,
    pub status: String,
}

/// Why an edit or a close was refused: someone changed the action first. Both versions travel
/// back so nothing typed is lost.
#[derive(Clone, Debug)]
pub struct StaleAction {
    /// The action as it now is.
    pub current: Action,
}

/// An edit refused as stale, or an error.
#[derive(Debug)]
pub enum ActionRefused {
    Stale(Box<StaleAction>),
    Error(ServiceError),
}

impl<E: Into<ServiceError>> From<E> for ActionRefused {
    fn from(e: E) -> Self {
        ActionRefused::Error(e.into())
    }
}

/// The longest closing note.
const NOTE_MAX_CHARS: usize = 2_000;

impl App {
    /// The partnership's members who can own an action, by name; a member with several roles
    /// appears once, and disabled accounts not at all.
    pub async fn action_owners(&self, grant: &Grant) -> Result<Vec<ActionOwner>, ServiceError> {
        let pid = grant.require_partnership_read(Permission::AssessmentRead)?;
        let mut tx = self.db().read().await?;
        let members = store::administration::memberships::members_of(&mut tx, pid).await?;
        tx.commit().await?;
        let mut seen: Vec<ActionOwner> = Vec::new();
        for m in members {
            if m.disabled_at.is_some() || seen.iter().any(|o| o.user_id == m.user_id) {
                continue;
            }
            seen.push(ActionOwner {
                user_id: m.user_id,
                name: m.display_name,
            });
        }
        seen.sort_by_key(|o| o.name.to_lowercase());
        Ok(seen)
    }

    /// One action raised from an assessment, for someone who may manage actions.
    pub async fn assessment_action(
        &self,
        grant: &Grant,
        assessment: AssessmentId,
        id: ActionId,
    ) -> Result<Action, ServiceError> {
        let pid = grant.require_partnership_read(Permission::AssessmentRead)?;
        let mut tx = self.db().read().await?;
        let found = store::assessment::actions::get(&mut tx, id, pid).await?;
        tx.commit().await?;
        found
            .filter(|a| a.assessment == Some(assessment))
            .ok_or(ServiceError::NotFound)
    }

    /// Change an action's title, owner, due date and status. Refused as stale when it changed
    /// since version `based_on` was read; nothing is written then.
    pub async fn edit_action(
        &self,
        grant: &Grant,
        assessment: AssessmentId,
        id: ActionId,
        based_on: i64,
        input: &ActionEdit,
        ctx: &RequestContext,
    ) -> Result<Action, ActionRefused> {
        let pid = grant.require_partnership(Permission::ActionManage)?;
        let mut errors = ValidationErrors::new();
        let title =
            validate::required_text("title", "what needs doing", &input.title, 300, &mut errors);
        let mut tx = self.db().write().await?;
        let members = store::administration::memberships::members_of(&mut tx, pid).await?;
        let owner = members
            .iter()
            .find(|m| m.user_id.to_string() == input.owner_id.trim())
            .map(|m| m.user_id);
        if owner.is_none() {
            errors.add("owner_id", "Choose an owner from the partnership's members");
        }
        let due = validate::date("due_date", "due date", &input.due_date, true, &mut errors);
        let status = ActionStatus::EDITABLE
            .into_iter()
            .find(|s| s.key() == input.status.trim());
        if status.is_none() {
            errors.add("status", "Choose a status");
        }
        let current = store::assessment::actions::get(&mut tx, id, pid)
            .await?
            .filter(|a| a.assessment == Some(assessment))
            .ok_or(ServiceError::NotFound)?;
        if !current.status.is_open() {
            return Err(ServiceError::Conflict(
                "This action is closed and can no longer be changed".into(),
            )
            .into());
        }
        // What was typed is checked first, as answers are; then whether it is based on the
        // version stored now.
        errors.into_result().map_err(ServiceError::from)?;
        if current.version != based_on {
            return Err(ActionRefused::Stale(Box::new(StaleAction { current })));
        }
        let (Some(owner), Some(due), Some(status)) = (owner, due, status) else {
            return Err(ServiceError::Internal("checked fields missing".into()).into());
        };
        let change = ActionChange {
            title,
            owner,
            due,
            status,
            closing_note: None,
            closed_at: None,
        };
        self.write_action(
            tx,
            grant,
            pid,
            current,
            based_on,
            change,
            AssessmentAction::ActionEdited,
            ctx,
        )
        .await
    }

    /// Close an action, with an optional note saying why. Refused as stale when it changed
    /// since version `based_on` was read.
    #[allow(clippy::too_many_arguments)]
    pub async fn close_action(
        &self,
        grant: &Grant,
        assessment: AssessmentId,
        id: ActionId,
        based_on: i64,
        note: &str,
        ctx: &RequestContext,
    ) -> Result<Action, ActionRefused> {
        let pid = grant.require_partnership(Permission::ActionManage)?;
        let mut errors = ValidationErrors::new();
        validate::free_text(
            "closing_note",
            "closing note",
            note,
            NOTE_MAX_CHARS,
            &mut errors,
        );
        let mut tx = self.db().write().await?;
        let current = store::assessment::actions::get(&mut tx, id, pid)
            .await?
            .filter(|a| a.assessment == Some(assessment))
            .ok_or(ServiceError::NotFound)?;
        if !current.status.is_open() {
            return Err(ServiceError::Conflict("This action is already closed".into()).into());
        }
        errors.into_result().map_err(ServiceError::from)?;
        if current.version != based_on {
            return Err(ActionRefused::Stale(Box::new(StaleAction { current })));
        }
        let note = note.trim();
        let change = ActionChange {
            title: current.title.clone(),
            owner: current.owner,
            due: current.due,
            status: ActionStatus::Closed,
            closing_note: Some(note.to_owned()).filter(|n| !n.is_empty()),
            closed_at: Some(now()),
        };
        self.write_action(
            tx,
            grant,
            pid,
            current,
            based_on,
            change,
            AssessmentAction::ActionClosed,
            ctx,
        )
        .await
    }

    /// Write a change checked against the version read, with its audit event, in one
    /// transaction.
    #[allow(clippy::too_many_arguments)]
    async fn write_action(
        &self,
        mut tx: store::Tx,
        grant: &Grant,
        pid: PartnershipId,
        current: Action,
        based_on: i64,
        change: ActionChange,
        what: AssessmentAction,
        ctx: &RequestContext,
    ) -> Result<Action, ActionRefused> {
        let id = current.id;
        if !store::assessment::actions::update(&mut tx, id, based_on, &change).await? {
            tx.rollback().await?;
            let mut read = self.db().read().await?;
            let now_stored = store::assessment::actions::get(&mut read, id, pid)
                .await?
                .ok_or(ServiceError::NotFound)?;
            read.commit().await?;
            return Err(ActionRefused::Stale(Box::new(StaleAction {
                current: now_stored,
            })));
        }
        event(
            &mut tx,
            Some(grant.user_id()),
            ctx,
            what,
            Subject::Action {
                id: id.to_string(),
                partnership: pid.to_string(),
            },
            Outcome::Success,
        )
        .await?;
        tx.commit().await?;
        Ok(Action {
            title: change.title,
            owner: change.owner,
            due: change.due,
            status: change.status,
            closing_note: change.closing_note,
            closed_at: change.closed_at,
            version: based_on + 1,
            ..current
        })
    }
}
