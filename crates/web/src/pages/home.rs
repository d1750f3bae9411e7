//! The signed-in home page and the partnership switcher.

use super::{render, render_with_flash, see_other, PageError, PageResult};
use crate::extract::{Fields, Signed};
use crate::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use minijinja::context;
use preventkit_services::domain::work::{WorkItem, WorkKind, WorkTarget};
use preventkit_services::domain::{dates, PartnershipId};

#[derive(serde::Serialize)]
struct PartnershipItem {
    id: String,
    name: String,
    roles: Vec<&'static str>,
    active: bool,
}

async fn partnership_items(
    state: &AppState,
    s: &preventkit_services::identity::SessionView,
) -> Result<Vec<PartnershipItem>, preventkit_services::ServiceError> {
    Ok(state
        .app
        .my_partnerships(&s.actor)
        .await?
        .into_iter()
        .map(|(p, roles)| PartnershipItem {
            active: s.active_partnership == Some(p.id),
            id: p.id.to_string(),
            name: p.name,
            roles: roles.into_iter().map(|r| r.label()).collect(),
        })
        .collect())
}

pub async fn home(
    State(state): State<AppState>,
    Signed(s, id): Signed,
    headers: HeaderMap,
) -> PageResult {
    let items = partnership_items(&state, &s).await?;
    let invitations = crate::identity::pages::account::invitation_rows(&state, &s).await?;
    let work = work_groups(&state.app.my_work(&s.actor).await?, state.app.today());
    render_with_flash(
        &state,
        &id,
        &headers,
        "pages/home.html",
        context! {
            title => "Home",
            work => work,
            invitations => invitations,
            name => s.user.display_name,
            partnerships => items,
            system_admin => s.user.system_admin,
            active => s.active_partnership.map(|p| p.to_string()),
        },
    )
    .map_err(PageError::from)
}

/// Where a piece of work is done, if it has a page of its own.
fn work_href(target: &WorkTarget) -> Option<String> {
    match target {
        WorkTarget::Assessment {
            partnership,
            assessment,
        } => Some(format!("/p/{partnership}/assessments/{assessment}")),
        WorkTarget::Action {
            partnership,
            assessment: Some(assessment),
            action,
        } => Some(format!(
            "/p/{partnership}/assessments/{assessment}/actions#action-{action}"
        )),
        WorkTarget::Case { partnership, case } => Some(format!("/p/{partnership}/cases/{case}")),
        WorkTarget::Action { .. } | WorkTarget::Evidence { .. } => None,
    }
}

/// The home page's work, grouped by kind in the order the kinds are declared.
fn work_groups(items: &[WorkItem], today: time::Date) -> Vec<minijinja::Value> {
    WorkKind::ALL
        .iter()
        .filter_map(|kind| {
            let rows: Vec<_> = items
                .iter()
                .filter(|i| i.kind == *kind)
                .map(|i| {
                    context! {
                        title => i.title,
                        partnership => i.partnership_name,
                        href => work_href(&i.target),
                        due => i.due.map(dates::long_date),
                        overdue => i.overdue(today),
                        done => i.progress.map(|p| p.done),
                        total => i.progress.map(|p| p.total),
                    }
                })
                .collect();
            (!rows.is_empty())
                .then(|| context! { kind => kind.key(), heading => kind.label(), items => rows })
        })
        .collect()
}

fn radio_items(items: &[PartnershipItem]) -> Vec<minijinja::Value> {
    items
        .iter()
        .map(|p| {
            context! { value => p.id, text => p.name, hint => context! { text => p.roles.join(", ") }, checked => p.active }
        })
        .collect()
}

pub async fn switcher(State(state): State<AppState>, Signed(s, id): Signed) -> PageResult {
    let items = partnership_items(&state, &s).await?;
    render(
        &state,
        &id,
        "pages/switcher.html",
        StatusCode::OK,
        context! { title => "Choose a partnership", radio_items => radio_items(&items) },
    )
    .map_err(PageError::from)
}

pub async fn switch(
    State(state): State<AppState>,
    Signed(s, id): Signed,
    form: Fields,
) -> PageResult {
    let chosen = form.get("partnership").parse::<PartnershipId>();
    let Ok(pid) = chosen else {
        let items = partnership_items(&state, &s).await?;
        let errors = preventkit_services::domain::validate::ValidationErrors::single(
            "partnership",
            "Choose a partnership",
        );
        return render(
            &state,
            &id,
            "pages/switcher.html",
            StatusCode::UNPROCESSABLE_ENTITY,
            context! { title => "Choose a partnership", radio_items => radio_items(&items), errors => super::form_errors(&errors) },
        )
        .map_err(PageError::from);
    };
    state.app.switch_partnership(&s, pid).await?;
    Ok(see_other(&format!("/p/{pid}")))
}
