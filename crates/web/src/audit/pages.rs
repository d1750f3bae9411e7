//! The audit log, filterable, for partnership administrators and auditors, and for platform
//! administrators.

use crate::extract::Granted;
use crate::guard::Identity;
use crate::pages::{render, PageError, PageResult};
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use minijinja::context;
use preventkit_services::audit::AuditQuery;
use preventkit_services::domain::actions::AuditAction;
use preventkit_services::domain::audit::Outcome;
use preventkit_services::domain::UserId;
use serde::Deserialize;

/// The filter form (GET, so a filtered view can be bookmarked). People are found by name
/// (`person`, any part of it); `actor` (an account id) still narrows to one account, for
/// addresses made before names could be searched and for the API. `action` is an action's
/// key, chosen from a list of readable actions (or, from the API, any start of keys).
#[derive(Deserialize, Default, Clone, serde::Serialize)]
pub struct Filter {
    #[serde(default)]
    pub person: String,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub outcome: String,
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub before: String,
}

fn parse_date(s: &str, errors: &mut Vec<(String, String)>, field: &str) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    match time::Date::parse(s, fmt) {
        Ok(d) => Some(d.midnight().assume_utc().unix_timestamp() * 1000),
        Err(_) => {
            errors.push((field.to_owned(), "Enter a date like 2026-11-22".to_owned()));
            None
        }
    }
}

pub(crate) fn to_query(
    f: &Filter,
) -> Result<AuditQuery, preventkit_services::domain::validate::ValidationErrors> {
    let mut errs = Vec::new();
    let from_ms = parse_date(&f.from, &mut errs, "from");
    // "To" is inclusive of that whole day.
    let to_ms = parse_date(&f.to, &mut errs, "to").map(|t| t + 24 * 60 * 60 * 1000);
    let outcome = match f.outcome.trim() {
        "" => None,
        o => match Outcome::from_key(o) {
            Some(o) => Some(o),
            None => {
                errs.push(("outcome".into(), "Choose an outcome from the list".into()));
                None
            }
        },
    };
    let actor = match f.actor.trim() {
        "" => None,
        a => match a.parse::<UserId>() {
            Ok(u) => Some(u),
            Err(_) => {
                errs.push(("actor".into(), "Enter an account id (a UUID)".into()));
                None
            }
        },
    };
    let before_position = f.before.trim().parse::<i64>().ok();
    let mut v = preventkit_services::domain::validate::ValidationErrors::new();
    for (field, m) in errs {
        v.add(&field, m);
    }
    v.into_result()?;
    Ok(AuditQuery {
        actor,
        action_prefix: Some(f.action.trim().to_owned()).filter(|s| !s.is_empty()),
        outcome,
        from_ms,
        to_ms,
        before_position,
        limit: 50,
    })
}

/// Every action the log records, by readable name, for the filter's list; an action asked for
/// that the list does not have (a start of keys typed into an address) is kept as an option.
fn action_choices(chosen: &str) -> Vec<minijinja::Value> {
    let mut all: Vec<(&'static str, &'static str)> = AuditAction::all()
        .into_iter()
        .map(|a| (a.label(), a.key()))
        .collect();
    all.sort_unstable();
    all.dedup_by(|a, b| a.1 == b.1);
    let mut items = vec![context! { value => "", text => "Any action" }];
    let chosen = chosen.trim();
    if !chosen.is_empty() && !all.iter().any(|(_, k)| *k == chosen) {
        let text = format!("Actions starting ‘{chosen}’");
        items.push(context! { value => chosen, text => text });
    }
    items.extend(
        all.into_iter()
            .map(|(label, key)| context! { value => key, text => label }),
    );
    items
}

async fn audit_page(
    state: &AppState,
    id: &Identity,
    grant: &preventkit_services::Grant,
    filter: Filter,
    heading: &str,
) -> PageResult {
    let (events, errors, status) = match to_query(&filter) {
        Ok(q) => (
            state
                .app
                .audit_events_named(grant, &q, &filter.person)
                .await?,
            None,
            StatusCode::OK,
        ),
        Err(e) => (
            Vec::new(),
            Some(crate::pages::form_errors(&e)),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    };
    let older = if events.len() == 50 {
        events.last().map(|e| e.event.position)
    } else {
        None
    };
    let rows: Vec<_> = events
        .into_iter()
        .map(|n| {
            let e = n.event;
            context! {
                seq => e.seq, at => e.occurred_at, actor => e.actor, actor_name => n.actor_name,
                action_label => AuditAction::describe(&e.action), action => e.action,
                object_type => e.object_type, object_id => e.object_id,
                outcome => e.outcome.label(), source => e.source,
            }
        })
        .collect();
    let actions = action_choices(&filter.action);
    render(
        state,
        id,
        "audit/log.html",
        status,
        context! {
            title => heading, events => rows, filter => filter, errors => errors, older => older,
            actions => actions,
        },
    )
    .map_err(PageError::from)
}

pub async fn partnership_audit(
    State(state): State<AppState>,
    id: Identity,
    Granted(grant): Granted,
    Query(filter): Query<Filter>,
) -> PageResult {
    audit_page(&state, &id, &grant, filter, "Audit log").await
}

pub async fn platform_audit(
    State(state): State<AppState>,
    id: Identity,
    Granted(grant): Granted,
    Query(filter): Query<Filter>,
) -> PageResult {
    audit_page(&state, &id, &grant, filter, "Platform audit log").await
}
