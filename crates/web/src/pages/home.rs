//! The signed-in home page and the partnership switcher.

use super::{render, render_with_flash, see_other, PageError, PageResult};
use crate::extract::{Fields, Signed};
use crate::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use minijinja::context;
use preventkit_services::domain::PartnershipId;

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
    render_with_flash(
        &state,
        &id,
        &headers,
        "pages/home.html",
        context! {
            title => "Home",
            invitations => invitations,
            name => s.user.display_name,
            partnerships => items,
            system_admin => s.user.system_admin,
            active => s.active_partnership.map(|p| p.to_string()),
        },
    )
    .map_err(PageError::from)
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
