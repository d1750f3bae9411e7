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
use preventkit_services::domain::dates::{DateEntry, DateParts};
use preventkit_services::domain::validate::{self, ValidationErrors};
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
    /// The page's date inputs for `from` and `to` (day, month and year boxes). When any box
    /// is filled they are used; otherwise `from` and `to` as `YYYY-MM-DD` (the API, and the
    /// "Older events" link, which carries the dates already read).
    #[serde(default, rename = "from-day")]
    pub from_day: String,
    #[serde(default, rename = "from-month")]
    pub from_month: String,
    #[serde(default, rename = "from-year")]
    pub from_year: String,
    #[serde(default, rename = "to-day")]
    pub to_day: String,
    #[serde(default, rename = "to-month")]
    pub to_month: String,
    #[serde(default, rename = "to-year")]
    pub to_year: String,
    #[serde(default)]
    pub before: String,
}

impl Filter {
    fn entry(iso: &str, day: &str, month: &str, year: &str) -> DateEntry {
        if [day, month, year].iter().all(|b| b.trim().is_empty()) {
            DateEntry::from(iso)
        } else {
            DateEntry::Parts(DateParts {
                day: day.to_owned(),
                month: month.to_owned(),
                year: year.to_owned(),
            })
        }
    }
    pub(crate) fn start_entry(&self) -> DateEntry {
        Self::entry(
            &self.from,
            &self.from_day,
            &self.from_month,
            &self.from_year,
        )
    }
    pub(crate) fn end_entry(&self) -> DateEntry {
        Self::entry(&self.to, &self.to_day, &self.to_month, &self.to_year)
    }
}

pub(crate) fn to_query(f: &Filter) -> Result<AuditQuery, ValidationErrors> {
    let mut errs = Vec::new();
    let mut dates = ValidationErrors::new();
    let midnight = |d: time::Date| d.midnight().assume_utc().unix_timestamp() * 1000;
    let from_ms =
        validate::date("from", "from date", &f.start_entry(), false, &mut dates).map(midnight);
    // "To" is inclusive of that whole day.
    let to_ms = validate::date("to", "to date", &f.end_entry(), false, &mut dates)
        .map(|d| midnight(d) + 24 * 60 * 60 * 1000);
    for e in dates.0 {
        errs.push((e.field, e.message));
    }
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
    let mut v = ValidationErrors::new();
    for (field, m) in errs {
        v.add(&field, m);
    }
    v.into_result()?;
    Ok(AuditQuery {
        actor,
        // The page's person filter is given to `audit_events_named` beside the query.
        actor_name: None,
        action_prefix: Some(f.action.trim().to_owned()).filter(|s| !s.is_empty()),
        outcome,
        object_id: None,
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
    // The boxes show what was typed; the "Older events" link carries the dates as read.
    let (from_parts, to_parts) = (filter.start_entry().parts(), filter.end_entry().parts());
    let iso = |e: DateEntry| {
        preventkit_services::domain::dates::read_date(&e)
            .ok()
            .flatten()
            .map(|d| d.to_string())
            .unwrap_or_default()
    };
    let (from_iso, to_iso) = (iso(filter.start_entry()), iso(filter.end_entry()));
    render(
        state,
        id,
        "audit/log.html",
        status,
        context! {
            title => heading, events => rows, filter => filter, errors => errors, older => older,
            actions => actions, from_parts => from_parts, to_parts => to_parts,
            from_iso => from_iso, to_iso => to_iso,
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
