//! The actions raised from an assessment's gaps: raising one, the list, changing one (under
//! the stale-edit rule) and closing one after confirming.

use super::*;
use axum::extract::Query;
use preventkit_services::assessment::{ActionEdit, ActionOwner, ActionRefused, NewAction};
use preventkit_services::domain::assessment::{Action, ActionStatus};
use preventkit_services::domain::dates::DateEntry;
use preventkit_services::domain::ActionId;

/// The fields of the new-action and change-action forms, in page order.
const ACTION_FIELDS: [&str; 4] = ["title", "owner_id", "due_date", "status"];

/// The question a new action is for, from the address.
#[derive(serde::Deserialize)]
pub struct ForQuestion {
    #[serde(default)]
    question: String,
}

fn owner_items(owners: &[ActionOwner]) -> Vec<Value> {
    owners
        .iter()
        .map(|o| context! { value => o.user_id.to_string(), text => o.name })
        .collect()
}

fn owner_name(owners: &[ActionOwner], a: &Action) -> String {
    owners
        .iter()
        .find(|o| o.user_id == a.owner)
        .map_or_else(|| "A former member".to_owned(), |o| o.name.clone())
}

/// The question an action answers, as "1.1 Title", or nothing when it is not in the framework.
fn question_text(view: &AssessmentView, question: Option<&QuestionId>) -> Option<(String, String)> {
    let q = question?;
    view.framework
        .questions()
        .into_iter()
        .find(|(_, x)| x.id == q.as_str())
        .map(|(_, x)| (x.id.clone(), format!("{} {}", x.number, x.title)))
}

/// An action as the pages show it.
pub(crate) fn action_value(
    view: &AssessmentView,
    owners: &[ActionOwner],
    a: &Action,
    today: time::Date,
) -> Value {
    let question = question_text(view, a.question.as_ref());
    context! {
        id => a.id.to_string(),
        title => a.title,
        question_id => question.as_ref().map(|(i, _)| i.clone()),
        question => question.map(|(_, t)| t),
        owner => owner_name(owners, a),
        due => date_text(a.due),
        status => a.status.label(),
        status_key => a.status.key(),
        open => a.status.is_open(),
        overdue => a.overdue(today),
        closing_note => a.closing_note,
        version => a.version,
    }
}

// ----- Raising an action -----

#[allow(clippy::too_many_arguments)]
async fn new_action_page(
    state: &AppState,
    id: &Identity,
    g: &Grant,
    aid: AssessmentId,
    question: &str,
    status: StatusCode,
    errors: Option<&ValidationErrors>,
    input: &NewAction,
) -> PageResult {
    let pid = pid_of(g)?;
    let view = state.app.assessment(&read_grant(id, g, pid), aid).await?;
    // An action may be raised for the assessment as a whole; a question it names must exist.
    let question = question.trim();
    let (question_id, question_title) = if question.is_empty() {
        (String::new(), String::new())
    } else {
        question_text(&view, Some(&QuestionId::from(question))).ok_or(crate::WebError::NotFound)?
    };
    let owners = state.app.action_owners(g).await?;
    render(
        state,
        id,
        "assessment/action-new.html",
        status,
        context! {
            title => "Raise an action",
            partnership_id => pid.to_string(),
            assessment => context! { id => view.assessment.id, title => view.assessment.title },
            question => context! { id => question_id, title => question_title },
            owners => owner_items(&owners),
            values => context! {
                title => input.title, owner_id => input.owner_id, due_date => input.due_date.parts(),
            },
            errors => form_errors_in(errors.unwrap_or(&ValidationErrors::new()), &ACTION_FIELDS),
        },
    )
    .map_err(PageError::from)
}

pub async fn new_action_form(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, aid)): PageIds<(PartnershipId, AssessmentId)>,
    Query(q): Query<ForQuestion>,
) -> PageResult {
    new_action_page(
        &state,
        &id,
        &g,
        aid,
        &q.question,
        StatusCode::OK,
        None,
        &NewAction::default(),
    )
    .await
}

pub async fn create_action(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, aid)): PageIds<(PartnershipId, AssessmentId)>,
    form: Fields,
) -> PageResult {
    let question = form.get("question_id");
    let input = NewAction {
        assessment_id: aid.to_string(),
        question_id: question.clone(),
        title: form.get("title"),
        owner_id: form.get("owner_id"),
        due_date: form.date("due_date"),
    };
    match state.app.create_action(&g, &input, &id.ctx).await {
        Ok(_) => {
            let pid = pid_of(&g)?;
            Ok(see_other_with(
                &state.cfg,
                &format!("/p/{pid}/assessments/{aid}/gaps"),
                "action-created",
            ))
        }
        Err(ServiceError::Validation(e)) => {
            new_action_page(
                &state,
                &id,
                &g,
                aid,
                &question,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(&e),
                &input,
            )
            .await
        }
        Err(e) => Err(PageError::from(e)),
    }
}

// ----- The list -----

pub async fn actions(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, aid)): PageIds<(PartnershipId, AssessmentId)>,
    headers: HeaderMap,
) -> PageResult {
    let pid = pid_of(&g)?;
    let view = state.app.assessment(&g, aid).await?;
    let raised = state.app.assessment_actions(&g, aid).await?;
    let owners = state.app.action_owners(&g).await?;
    let today = state.app.today();
    let (open, closed): (Vec<&Action>, Vec<&Action>) =
        raised.iter().partition(|a| a.status.is_open());
    let show = |list: Vec<&Action>| -> Vec<Value> {
        list.into_iter()
            .map(|a| action_value(&view, &owners, a, today))
            .collect()
    };
    let overdue = open.iter().filter(|a| a.overdue(today)).count();
    render_with_flash(
        &state,
        &id,
        &headers,
        "assessment/actions.html",
        context! {
            title => format!("Actions: {}", view.assessment.title),
            partnership_id => pid.to_string(),
            assessment => context! { id => view.assessment.id, title => view.assessment.title },
            open => show(open),
            closed => show(closed),
            overdue => overdue,
            can_act => can(&id, Permission::ActionManage, pid),
        },
    )
    .map_err(PageError::from)
}

// ----- Changing an action -----

/// What a stale edit shows: the action as it now is, beside what the person typed.
fn stale_value(
    view: &AssessmentView,
    owners: &[ActionOwner],
    current: &Action,
    today: time::Date,
) -> Value {
    action_value(view, owners, current, today)
}

#[allow(clippy::too_many_arguments)]
async fn edit_page(
    state: &AppState,
    id: &Identity,
    g: &Grant,
    aid: AssessmentId,
    action: &Action,
    status: StatusCode,
    errors: Option<&ValidationErrors>,
    typed: Option<(&ActionEdit, i64)>,
    stale: Option<&Action>,
) -> PageResult {
    let pid = pid_of(g)?;
    let view = state.app.assessment(&read_grant(id, g, pid), aid).await?;
    let owners = state.app.action_owners(g).await?;
    let today = state.app.today();
    let (values, version) = match typed {
        Some((t, v)) => (
            context! { title => t.title, owner_id => t.owner_id, due_date => t.due_date.parts(), status => t.status },
            v,
        ),
        None => (
            context! {
                title => action.title, owner_id => action.owner.to_string(),
                due_date => DateEntry::from(date_text(action.due)).parts(), status => action.status.key(),
            },
            action.version,
        ),
    };
    let statuses: Vec<Value> = ActionStatus::EDITABLE
        .iter()
        .map(|s| context! { value => s.key(), text => s.label() })
        .collect();
    render(
        state,
        id,
        "assessment/action-edit.html",
        status,
        context! {
            title => "Change the action",
            partnership_id => pid.to_string(),
            assessment => context! { id => view.assessment.id, title => view.assessment.title },
            action => action_value(&view, &owners, action, today),
            owners => owner_items(&owners),
            statuses => statuses,
            values => values,
            version => version,
            stale => stale.map(|s| stale_value(&view, &owners, s, today)),
            errors => form_errors_in(errors.unwrap_or(&ValidationErrors::new()), &ACTION_FIELDS),
        },
    )
    .map_err(PageError::from)
}

pub async fn edit_action_form(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, aid, action)): PageIds<(PartnershipId, AssessmentId, ActionId)>,
) -> PageResult {
    let a = state.app.assessment_action(&g, aid, action).await?;
    if !a.status.is_open() {
        return closed_page(&state, &id);
    }
    edit_page(&state, &id, &g, aid, &a, StatusCode::OK, None, None, None).await
}

/// A closed action cannot be changed or closed again (409).
fn closed_page(state: &AppState, id: &Identity) -> PageResult {
    conflict_page(
        state,
        id,
        "The action is closed",
        "This action is closed and can no longer be changed.".into(),
    )
}

pub async fn edit_action(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, aid, action)): PageIds<(PartnershipId, AssessmentId, ActionId)>,
    form: Fields,
) -> PageResult {
    let pid = pid_of(&g)?;
    let input = ActionEdit {
        title: form.get("title"),
        owner_id: form.get("owner_id"),
        due_date: form.date("due_date"),
        status: form.get("status"),
    };
    // A version that is not a number was not read from any version of the action.
    let based_on = form.get("version").trim().parse::<i64>().unwrap_or(0);
    match state
        .app
        .edit_action(&g, aid, action, based_on, &input, &id.ctx)
        .await
    {
        Ok(_) => Ok(see_other_with(
            &state.cfg,
            &format!("/p/{pid}/assessments/{aid}/actions"),
            "action-changed",
        )),
        Err(ActionRefused::Stale(s)) => {
            // The form is based on the version now stored, so saving again keeps the typed one.
            let current = s.current;
            if !current.status.is_open() {
                return closed_page(&state, &id);
            }
            edit_page(
                &state,
                &id,
                &g,
                aid,
                &current,
                StatusCode::CONFLICT,
                None,
                Some((&input, current.version)),
                Some(&current),
            )
            .await
        }
        Err(ActionRefused::Error(ServiceError::Validation(e))) => {
            let a = state.app.assessment_action(&g, aid, action).await?;
            edit_page(
                &state,
                &id,
                &g,
                aid,
                &a,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(&e),
                Some((&input, based_on)),
                None,
            )
            .await
        }
        Err(ActionRefused::Error(ServiceError::Conflict(_))) => closed_page(&state, &id),
        Err(ActionRefused::Error(e)) => Err(PageError::from(e)),
    }
}

// ----- Closing an action -----

#[allow(clippy::too_many_arguments)]
async fn close_page(
    state: &AppState,
    id: &Identity,
    g: &Grant,
    aid: AssessmentId,
    action: &Action,
    status: StatusCode,
    errors: Option<&ValidationErrors>,
    note: &str,
    stale: bool,
) -> PageResult {
    let pid = pid_of(g)?;
    let view = state.app.assessment(&read_grant(id, g, pid), aid).await?;
    let owners = state.app.action_owners(g).await?;
    let today = state.app.today();
    render(
        state,
        id,
        "assessment/action-close.html",
        status,
        context! {
            title => "Close the action",
            partnership_id => pid.to_string(),
            assessment => context! { id => view.assessment.id, title => view.assessment.title },
            action => action_value(&view, &owners, action, today),
            values => context! { closing_note => note },
            stale => stale,
            errors => form_errors_in(errors.unwrap_or(&ValidationErrors::new()), &["closing_note"]),
        },
    )
    .map_err(PageError::from)
}

pub async fn close_action_form(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, aid, action)): PageIds<(PartnershipId, AssessmentId, ActionId)>,
) -> PageResult {
    let a = state.app.assessment_action(&g, aid, action).await?;
    if !a.status.is_open() {
        return closed_page(&state, &id);
    }
    close_page(&state, &id, &g, aid, &a, StatusCode::OK, None, "", false).await
}

pub async fn close_action(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, aid, action)): PageIds<(PartnershipId, AssessmentId, ActionId)>,
    form: Fields,
) -> PageResult {
    let pid = pid_of(&g)?;
    let note = form.get("closing_note");
    let based_on = form.get("version").trim().parse::<i64>().unwrap_or(0);
    match state
        .app
        .close_action(&g, aid, action, based_on, &note, &id.ctx)
        .await
    {
        Ok(_) => Ok(see_other_with(
            &state.cfg,
            &format!("/p/{pid}/assessments/{aid}/actions"),
            "action-closed",
        )),
        Err(ActionRefused::Stale(s)) => {
            if !s.current.status.is_open() {
                return closed_page(&state, &id);
            }
            close_page(
                &state,
                &id,
                &g,
                aid,
                &s.current,
                StatusCode::CONFLICT,
                None,
                &note,
                true,
            )
            .await
        }
        Err(ActionRefused::Error(ServiceError::Validation(e))) => {
            let a = state.app.assessment_action(&g, aid, action).await?;
            close_page(
                &state,
                &id,
                &g,
                aid,
                &a,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(&e),
                &note,
                false,
            )
            .await
        }
        Err(ActionRefused::Error(ServiceError::Conflict(_))) => closed_page(&state, &id),
        Err(ActionRefused::Error(e)) => Err(PageError::from(e)),
    }
}
