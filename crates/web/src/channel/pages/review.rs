//! The data protection view: who opened a case and when, and the exceptional accesses to
//! review. Neither shows any case content.

use super::{case_path, ms};
use crate::assessment::pages::pid_of;
use crate::extract::{Granted, PageIds};
use crate::guard::Identity;
use crate::pages::{render, PageError, PageResult};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use minijinja::{context, Value};
use preventkit_services::domain::channel::CasePart;
use preventkit_services::domain::{CaseId, PartnershipId};

pub async fn case_access_log(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, case)): PageIds<(PartnershipId, CaseId)>,
) -> PageResult {
    let pid = pid_of(&g)?;
    let (reference, entries) = state.app.case_access_log(&g, &id.ctx, case).await?;
    let rows: Vec<Value> = entries
        .iter()
        .map(|e| {
            context! {
                at => ms(e.at),
                who => e.who,
                action => e.action,
                part => CasePart::from_key(&e.part).map_or(e.part.as_str(), |p| p.label()),
            }
        })
        .collect();
    render(
        &state,
        &id,
        "channel/access-log.html",
        StatusCode::OK,
        context! {
            title => format!("Who opened case {reference}"),
            partnership_id => pid.to_string(),
            reference => reference.as_str(),
            case_id => case.to_string(),
            entries => rows,
        },
    )
    .map_err(PageError::from)
}

pub async fn exceptional_accesses(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
) -> PageResult {
    let pid = pid_of(&g)?;
    let list = state.app.exceptional_accesses(&g).await?;
    let rows: Vec<Value> = list
        .iter()
        .map(|a| {
            context! {
                case_id => a.case.to_string(),
                access_path => format!("{}/access", case_path(pid, a.case)),
                reference => a.reference.as_str(),
                who => a.who,
                reason => a.reason,
                given_at => ms(a.given_at),
                until => ms(a.until),
            }
        })
        .collect();
    render(
        &state,
        &id,
        "channel/case-access.html",
        StatusCode::OK,
        context! {
            title => "Exceptional access to cases",
            partnership_id => pid.to_string(),
            accesses => rows,
        },
    )
    .map_err(PageError::from)
}
