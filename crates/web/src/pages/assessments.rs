//! The partnership self-assessment: list, start, task list with progress and heat map, the
//! question page, and the life-cycle actions.

use super::{fail, form_errors, render, render_with_flash, see_other_with, svc, PageResult};
use crate::extract::{Fields, Granted};
use crate::guard::Identity;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use minijinja::{context, Value};
use preventkit_services::assessments::{AssessmentView, NewAssessment, StaleEdit};
use preventkit_services::domain::assessment::{Rating, State as AState, Transition};
use preventkit_services::domain::policy::decide;
use preventkit_services::domain::validate::ValidationErrors;
use preventkit_services::domain::{PartnershipId, Permission, Scope};
use preventkit_services::{Grant, ServiceError};

fn can(id: &Identity, p: Permission, pid: PartnershipId) -> bool {
    id.session
        .as_ref()
        .is_some_and(|s| decide(&s.actor, p, Scope::Partnership(pid)).is_ok())
}

fn pid_of(state: &AppState, id: &Identity, g: &Grant) -> Result<PartnershipId, super::PageError> {
    g.partnership()
        .ok_or_else(|| fail(state, id)(crate::WebError::NotFound))
}

fn state_label(key: &str) -> &'static str {
    AState::from_key(key)
        .map(|s| s.label())
        .unwrap_or("Unknown")
}

async fn list_page(state: &AppState, id: &Identity, g: &Grant, headers: &HeaderMap) -> PageResult {
    let pid = pid_of(state, id, g)?;
    let rows = state
        .app
        .list_assessments(g)
        .await
        .map_err(svc(state, id))?;
    let items: Vec<Value> = rows
        .iter()
        .map(|a| context! { id => a.id, title => a.title, start => a.period_start, end => a.period_end, state => state_label(&a.state) })
        .collect();
    render_with_flash(
        state,
        id,
        headers,
        "pages/assessments.html",
        context! {
            title => "Self-assessments",
            partnership_id => pid.to_string(),
            assessments => items,
            can_manage => can(id, Permission::AssessmentManage, pid),
        },
    )
    .map_err(fail(state, id))
}

pub async fn list(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    headers: HeaderMap,
) -> PageResult {
    list_page(&state, &id, &g, &headers).await
}

async fn new_page(
    state: &AppState,
    id: &Identity,
    g: &Grant,
    status: StatusCode,
    errors: Option<&ValidationErrors>,
    values: Value,
) -> PageResult {
    let pid = pid_of(state, id, g)?;
    let frameworks = match id
        .session
        .as_ref()
        .and_then(|s| decide(&s.actor, Permission::FrameworkRead, Scope::Platform).ok())
    {
        Some(fg) => state
            .app
            .list_frameworks(&fg)
            .await
            .map_err(svc(state, id))?,
        None => Vec::new(),
    };
    let mut seen = std::collections::BTreeMap::new();
    for f in frameworks {
        seen.insert(f.key.clone(), f);
    }
    let options: Vec<Value> = seen
        .values()
        .map(|f| context! { value => f.key, text => format!("{} (version {}, {} questions)", f.title, f.version, f.questions) })
        .collect();
    let read = id.session.as_ref().and_then(|s| {
        decide(
            &s.actor,
            Permission::AssessmentRead,
            Scope::Partnership(pid),
        )
        .ok()
    });
    let previous: Vec<Value> = match read {
        Some(r) => state
            .app
            .list_assessments(&r)
            .await
            .map_err(svc(state, id))?
            .into_iter()
            .map(|a| context! { value => a.id, text => format!("{} ({} to {})", a.title, a.period_start, a.period_end) })
            .collect(),
        None => Vec::new(),
    };
    let organisations: Vec<Value> = state
        .app
        .partnership_organisations(g)
        .await
        .map_err(svc(state, id))?
        .into_iter()
        .map(|(v, t)| context! { value => v, text => t })
        .collect();
    render(
        state,
        id,
        "pages/assessment-new.html",
        status,
        context! {
            title => "Start a self-assessment",
            organisations => organisations,
            partnership_id => pid.to_string(),
            frameworks => options,
            previous => previous,
            errors => errors.map(form_errors),
            values => values,
        },
    )
    .map_err(fail(state, id))
}

pub async fn new_form(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
) -> PageResult {
    new_page(
        &state,
        &id,
        &g,
        StatusCode::OK,
        None,
        context! { framework => "prevent-duty-benchmark" },
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    form: Fields,
) -> PageResult {
    let input = NewAssessment {
        title: form.get("title"),
        framework: form.get("framework"),
        period_start: form.get("period_start"),
        period_end: form.get("period_end"),
        previous_id: form.get("previous_id"),
        organisation_id: form.get("organisation_id"),
    };
    match state.app.create_assessment(&g, &input, &id.ctx).await {
        Ok(aid) => {
            let pid = pid_of(&state, &id, &g)?;
            Ok(see_other_with(
                &state.cfg,
                &format!("/p/{pid}/assessments/{aid}"),
                "assessment-created",
            ))
        }
        Err(ServiceError::Validation(e)) => {
            let values = context! {
                title => input.title, framework => input.framework, period_start => input.period_start,
                period_end => input.period_end, previous_id => input.previous_id,
                organisation_id => input.organisation_id,
            };
            new_page(
                &state,
                &id,
                &g,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(&e),
                values,
            )
            .await
        }
        Err(e) => Err(svc(&state, &id)(e)),
    }
}

/// Counts of each rating per top-level section, for the heat map.
fn heat_map(view: &AssessmentView) -> (Vec<Value>, Vec<Value>) {
    let f = &view.framework;
    // Columns: the levels of the first scale, then not applicable and not assessed.
    let scale = f.scales.first();
    let mut columns: Vec<(String, String, String)> = scale
        .map(|s| {
            s.levels
                .iter()
                .map(|l| (l.key.clone(), l.label.clone(), l.colour.clone()))
                .collect()
        })
        .unwrap_or_default();
    columns.push(("n/a".into(), "Not applicable".into(), String::new()));
    columns.push((String::new(), "Not assessed".into(), String::new()));
    let head: Vec<Value> = columns
        .iter()
        .map(|(k, l, _)| context! { key => k, label => l })
        .collect();
    let mut rows = Vec::new();
    for s in &f.sections {
        let mut qs = Vec::new();
        fn walk<'a>(
            s: &'a preventkit_services::domain::framework::Section,
            out: &mut Vec<&'a str>,
        ) {
            out.extend(s.questions.iter().map(|q| q.id.as_str()));
            for c in &s.sections {
                walk(c, out);
            }
        }
        walk(s, &mut qs);
        let cells: Vec<Value> = columns
            .iter()
            .enumerate()
            .map(|(i, (key, _, _))| {
                let n = qs
                    .iter()
                    .filter(|q| {
                        view.responses
                            .get(**q)
                            .map(|r| r.rating.as_str())
                            .unwrap_or("")
                            == key
                    })
                    .count();
                context! { count => n, level => i, key => key }
            })
            .collect();
        rows.push(context! { number => s.number, title => s.title, cells => cells });
    }
    (head, rows)
}

pub async fn show(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    Path((_, aid)): Path<(String, String)>,
    headers: HeaderMap,
) -> PageResult {
    let pid = pid_of(&state, &id, &g)?;
    let view = state
        .app
        .assessment(&g, &aid)
        .await
        .map_err(svc(&state, &id))?;
    let progress = view.progress();
    let (heat_head, heat_rows) = heat_map(&view);
    let st = AState::from_key(&view.row.state).unwrap_or(AState::Locked);
    let assignments = state
        .app
        .assignments(&g, &aid)
        .await
        .map_err(svc(&state, &id))?;
    let manage = id.session.as_ref().and_then(|s| {
        decide(
            &s.actor,
            Permission::AssessmentManage,
            Scope::Partnership(pid),
        )
        .ok()
    });
    let can_manage = manage.is_some();
    let upgrade = match &manage {
        Some(m) => state
            .app
            .upgrade_plan(m, &aid)
            .await
            .map_err(svc(&state, &id))?
            .map(|p| p.to_version),
        None => None,
    };
    let (org_options, people_options) = if let Some(m) = &manage {
        let orgs = state
            .app
            .partnership_organisations(m)
            .await
            .map_err(svc(&state, &id))?;
        let people = state
            .app
            .partnership_people(m)
            .await
            .map_err(svc(&state, &id))?;
        (
            orgs.into_iter()
                .map(|(v, t)| context! { value => v, text => t })
                .collect::<Vec<_>>(),
            people
                .into_iter()
                .map(|(v, t)| context! { value => v, text => t })
                .collect::<Vec<_>>(),
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let sections: Vec<Value> = view
        .framework
        .sections
        .iter()
        .zip(progress.iter())
        .map(|(s, p)| {
            let questions: Vec<Value> = s
                .questions
                .iter()
                .map(|q| {
                    let rating = view.responses.get(&q.id).map(|r| r.rating.clone()).unwrap_or_default();
                    let label = rating_label(&view, &q.id, &rating);
                    context! {
                        id => q.id, number => q.number, title => q.title,
                        kind => view.framework.kind_label(&q.kind).unwrap_or(&q.kind),
                        rating => label, answered => !rating.is_empty(),
                        assigned => assignments.get(&q.id),
                    }
                })
                .collect();
            context! { id => s.id, number => s.number, title => s.title, outcome => s.outcome, progress => p, questions => questions }
        })
        .collect();
    render_with_flash(
        &state,
        &id,
        &headers,
        "pages/assessment.html",
        context! {
            title => view.row.title,
            partnership_id => pid.to_string(),
            assessment => context! {
                id => view.row.id, title => view.row.title, start => view.row.period_start,
                end => view.row.period_end, state => st.label(), state_key => st.key(),
            },
            framework => context! { title => view.framework.envelope.title, version => view.framework_version },
            sections => sections,
            heat_head => heat_head,
            heat_rows => heat_rows,
            can_manage => can_manage,
            upgrade_to => upgrade,
            can_approve => can(&id, Permission::AssessmentApprove, pid),
            can_respond => can(&id, Permission::AssessmentRespond, pid),
            org_options => org_options,
            people_options => people_options,
        },
    )
    .map_err(fail(&state, &id))
}

fn rating_label(view: &AssessmentView, question: &str, rating: &str) -> String {
    match Rating::from_stored(rating) {
        Rating::NotAssessed => "Not assessed".into(),
        Rating::NotApplicable => "Not applicable".into(),
        Rating::Level(k) => {
            let scale = view
                .framework
                .questions()
                .into_iter()
                .find(|(_, q)| q.id == question)
                .and_then(|(_, q)| view.framework.scale(&q.scale));
            scale
                .and_then(|s| s.levels.iter().find(|l| l.key == k))
                .map(|l| l.label.clone())
                .unwrap_or(k)
        }
    }
}

/// What a question page shows besides the question: errors, a stale edit with what the user
/// typed, or a one-time message.
#[derive(Default)]
struct QuestionExtras<'a> {
    errors: Option<&'a ValidationErrors>,
    stale: Option<&'a StaleEdit>,
    typed: Option<(String, String)>,
    flash: Option<&'static str>,
}

#[allow(clippy::too_many_arguments)]
async fn question_page(
    state: &AppState,
    id: &Identity,
    g: &Grant,
    aid: &str,
    qid: &str,
    status: StatusCode,
    errors: Option<&ValidationErrors>,
    stale: Option<&StaleEdit>,
    typed: Option<(String, String)>,
) -> PageResult {
    render_question(
        state,
        id,
        g,
        aid,
        qid,
        status,
        QuestionExtras {
            errors,
            stale,
            typed,
            flash: None,
        },
    )
    .await
}

async fn render_question(
    state: &AppState,
    id: &Identity,
    g: &Grant,
    aid: &str,
    qid: &str,
    status: StatusCode,
    extras: QuestionExtras<'_>,
) -> PageResult {
    let QuestionExtras {
        errors,
        stale,
        typed,
        flash,
    } = extras;
    let pid = pid_of(state, id, g)?;
    let read = id
        .session
        .as_ref()
        .and_then(|s| {
            decide(
                &s.actor,
                Permission::AssessmentRead,
                Scope::Partnership(pid),
            )
            .ok()
        })
        .unwrap_or_else(|| g.clone());
    let view = state
        .app
        .assessment(&read, aid)
        .await
        .map_err(svc(state, id))?;
    let Some((section, q)) = view
        .framework
        .questions()
        .into_iter()
        .find(|(_, q)| q.id == qid)
    else {
        return Err(fail(state, id)(crate::WebError::NotFound));
    };
    let response = view.responses.get(qid).cloned();
    let history = state
        .app
        .response_history(&read, aid, qid)
        .await
        .map_err(svc(state, id))?;
    let scale = view.framework.scale(&q.scale);
    // What the form shows: what the user typed (after a refused save), else the stored answer.
    let (current_rating, current_details) = typed.unwrap_or_else(|| {
        response
            .as_ref()
            .map(|r| (r.rating.clone(), r.details.clone()))
            .unwrap_or_default()
    });
    let mut items: Vec<Value> = scale
        .map(|s| {
            s.levels
                .iter()
                .map(|l| {
                    let hint = q.descriptors.get(&l.key).cloned().or_else(|| l.description.clone());
                    context! { value => l.key, text => l.label, hint => hint.map(|h| context! { text => h }) }
                })
                .collect()
        })
        .unwrap_or_default();
    if scale.is_some_and(|s| s.not_applicable.is_some()) {
        items.push(context! { value => "n/a", text => "Not applicable" });
    }
    items.push(context! { value => "", text => "Not assessed yet" });
    let st = AState::from_key(&view.row.state).unwrap_or(AState::Locked);
    let respond_grant = id.session.as_ref().and_then(|s| {
        decide(
            &s.actor,
            Permission::AssessmentRespond,
            Scope::Partnership(pid),
        )
        .ok()
    });
    let editable = st.editable()
        && match &respond_grant {
            Some(r) => state.app.ensure_may_answer(r, aid, qid).await.is_ok(),
            None => false,
        };
    let assigned = state
        .app
        .assignments(&read, aid)
        .await
        .map_err(svc(state, id))?
        .remove(qid)
        .unwrap_or_default();
    let comments = state
        .app
        .comments(&read, aid, qid)
        .await
        .map_err(svc(state, id))?;
    let history: Vec<Value> = history
        .iter()
        .map(|h| context! { version => h.version, rating => rating_label(&view, qid, &h.rating), details => h.details, at => h.changed_at })
        .collect();
    let stale_ctx = stale.map(|s| {
        context! {
            theirs_rating => rating_label(&view, qid, &s.current.rating), theirs_details => s.current.details,
            theirs_version => s.current.version, yours_rating => rating_label(&view, qid, &s.yours_rating),
            yours_details => s.yours_details, at => s.current.updated_at,
        }
    });
    // The next and previous questions, for moving through the framework.
    let all = view.framework.questions();
    let pos = all.iter().position(|(_, x)| x.id == qid).unwrap_or(0);
    let next = all.get(pos + 1).map(|(_, x)| x.id.clone());
    let evidence: Vec<Value> = state
        .app
        .assessment_evidence(&read, aid)
        .await
        .map_err(svc(state, id))?
        .into_iter()
        .filter(|(q, _)| q == qid)
        .map(|(_, e)| Value::from_serialize(&e))
        .collect();
    let linkable: Vec<Value> = if editable {
        let respond = id.session.as_ref().and_then(|s| {
            decide(
                &s.actor,
                Permission::AssessmentRespond,
                Scope::Partnership(pid),
            )
            .ok()
        });
        match respond {
            Some(r) => state
                .app
                .partnership_evidence(&r)
                .await
                .map_err(svc(state, id))?
                .into_iter()
                .map(|e| context! { value => e.id, text => e.title })
                .collect(),
            None => Vec::new(),
        }
    } else {
        Vec::new()
    };
    render(
        state,
        id,
        "pages/assessment-question.html",
        status,
        context! {
            title => format!("{} {}", q.number, q.title),
            partnership_id => pid.to_string(),
            assessment => context! { id => view.row.id, title => view.row.title, state => st.label() },
            section => context! { number => section.number, title => section.title },
            question => context! {
                id => q.id, number => q.number, title => q.title, guidance => q.guidance,
                kind => view.framework.kind_label(&q.kind).unwrap_or(&q.kind),
                prompts => q.prompts, evidence => q.evidence,
            },
            rating_items => items,
            rating => current_rating,
            details => current_details,
            version => response.as_ref().map(|r| r.version).unwrap_or(1),
            editable => editable,
            history => history,
            stale => stale_ctx,
            next => next,
            evidence => evidence,
            linkable => linkable,
            assigned => assigned,
            comments => comments,
            can_comment => can(id, Permission::AssessmentComment, pid),
            errors => errors.map(form_errors),
            flash => flash,
        },
    )
    .map_err(fail(state, id))
}

pub async fn question(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    Path((_, aid, qid)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> PageResult {
    // The one-time message left by adding evidence or a comment: shown here, then cleared.
    let flash = super::flash_message(&headers);
    let mut page = render_question(
        &state,
        &id,
        &g,
        &aid,
        &qid,
        StatusCode::OK,
        QuestionExtras {
            flash,
            ..QuestionExtras::default()
        },
    )
    .await?;
    if flash.is_some() {
        page.headers_mut().append(
            axum::http::header::SET_COOKIE,
            super::clear_flash_cookie(&state.cfg),
        );
    }
    Ok(page)
}

pub async fn answer(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    Path((_, aid, qid)): Path<(String, String, String)>,
    form: Fields,
) -> PageResult {
    // The next question goes into the redirect: refuse a control character before saving.
    if form.get("next").chars().any(char::is_control) {
        return Err(fail(&state, &id)(crate::WebError::BadRequest(
            "The next question is not valid.".into(),
        )));
    }
    let rating = form.get("rating");
    let details = form.get("details");
    let Ok(version) = form.get("version").parse::<i64>() else {
        let e = ValidationErrors::single(
            "rating",
            "The form is missing its version. Reload the page and try again",
        );
        return question_page(
            &state,
            &id,
            &g,
            &aid,
            &qid,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(&e),
            None,
            Some((rating, details)),
        )
        .await;
    };
    match state
        .app
        .respond(&g, &aid, &qid, version, &rating, &details, &id.ctx)
        .await
    {
        Ok(_) => {
            let pid = pid_of(&state, &id, &g)?;
            let to = if form.get("then") == "next" && !form.get("next").is_empty() {
                format!("/p/{pid}/assessments/{aid}/questions/{}", form.get("next"))
            } else {
                format!("/p/{pid}/assessments/{aid}")
            };
            Ok(see_other_with(&state.cfg, &to, "answer-saved"))
        }
        Err(Ok(stale)) => {
            // Someone else saved first: show both; keep what this user typed in the form.
            let typed = Some((stale.yours_rating.clone(), stale.yours_details.clone()));
            question_page(
                &state,
                &id,
                &g,
                &aid,
                &qid,
                StatusCode::CONFLICT,
                None,
                Some(&stale),
                typed,
            )
            .await
        }
        Err(Err(ServiceError::Validation(e))) => {
            question_page(
                &state,
                &id,
                &g,
                &aid,
                &qid,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(&e),
                None,
                Some((rating, details)),
            )
            .await
        }
        Err(Err(ServiceError::Conflict(m))) => {
            let e = ValidationErrors::single("rating", m);
            question_page(
                &state,
                &id,
                &g,
                &aid,
                &qid,
                StatusCode::CONFLICT,
                Some(&e),
                None,
                None,
            )
            .await
        }
        Err(Err(e)) => Err(svc(&state, &id)(e)),
    }
}

async fn move_on(
    state: AppState,
    id: Identity,
    g: Grant,
    aid: String,
    t: Transition,
    flash: &str,
) -> PageResult {
    let pid = pid_of(&state, &id, &g)?;
    match state.app.transition(&g, &aid, &t, &id.ctx).await {
        Ok(_) => Ok(see_other_with(
            &state.cfg,
            &format!("/p/{pid}/assessments/{aid}"),
            flash,
        )),
        Err(ServiceError::Conflict(m)) => {
            let view = state
                .app
                .assessment(&g, &aid)
                .await
                .map_err(svc(&state, &id))?;
            render(
                &state,
                &id,
                "error.html",
                StatusCode::CONFLICT,
                context! { title => format!("{} could not be changed", view.row.title), message => m },
            )
            .map_err(fail(&state, &id))
        }
        Err(e) => Err(svc(&state, &id)(e)),
    }
}

/// What moving this draft to the newest version of its framework would do, for the lead to
/// review before confirming.
pub async fn upgrade_form(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    Path((_, aid)): Path<(String, String)>,
) -> PageResult {
    let pid = pid_of(&state, &id, &g)?;
    let view = state
        .app
        .assessment(&g, &aid)
        .await
        .map_err(svc(&state, &id))?;
    let plan = state
        .app
        .upgrade_plan(&g, &aid)
        .await
        .map_err(svc(&state, &id))?;
    render(
        &state,
        &id,
        "pages/assessment-upgrade.html",
        StatusCode::OK,
        context! {
            title => "Move to the newer framework version",
            partnership_id => pid.to_string(),
            assessment => context! { id => view.row.id, title => view.row.title },
            framework_title => view.framework.envelope.title,
            plan => plan,
        },
    )
    .map_err(fail(&state, &id))
}

pub async fn upgrade(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    Path((_, aid)): Path<(String, String)>,
    form: Fields,
) -> PageResult {
    let pid = pid_of(&state, &id, &g)?;
    let to_version: i64 = form.get("to_version").trim().parse().unwrap_or(-1);
    match state
        .app
        .upgrade_assessment(&g, &aid, to_version, &id.ctx)
        .await
    {
        Ok(_) => Ok(see_other_with(
            &state.cfg,
            &format!("/p/{pid}/assessments/{aid}"),
            "assessment-upgraded",
        )),
        Err(ServiceError::Conflict(m)) => render(
            &state,
            &id,
            "error.html",
            StatusCode::CONFLICT,
            context! { title => "The assessment was not moved", message => m },
        )
        .map_err(fail(&state, &id)),
        Err(e) => Err(svc(&state, &id)(e)),
    }
}

pub async fn submit(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    Path((_, aid)): Path<(String, String)>,
) -> PageResult {
    move_on(
        state,
        id,
        g,
        aid,
        Transition::Submit,
        "assessment-submitted",
    )
    .await
}

pub async fn approve(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    Path((_, aid)): Path<(String, String)>,
) -> PageResult {
    move_on(
        state,
        id,
        g,
        aid,
        Transition::Approve,
        "assessment-approved",
    )
    .await
}

pub async fn lock(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    Path((_, aid)): Path<(String, String)>,
) -> PageResult {
    move_on(state, id, g, aid, Transition::Lock, "assessment-locked").await
}

pub async fn reopen(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    Path((_, aid)): Path<(String, String)>,
    form: Fields,
) -> PageResult {
    let reason = form.get("reason");
    if reason.trim().is_empty() {
        let pid = pid_of(&state, &id, &g)?;
        let e = ValidationErrors::single("reason", "Give a reason for reopening the assessment");
        return render(
            &state,
            &id,
            "pages/assessment-reopen.html",
            StatusCode::UNPROCESSABLE_ENTITY,
            context! { title => "Reopen the assessment", partnership_id => pid.to_string(), assessment_id => aid, errors => form_errors(&e) },
        )
        .map_err(fail(&state, &id));
    }
    move_on(
        state,
        id,
        g,
        aid,
        Transition::Reopen { reason },
        "assessment-reopened",
    )
    .await
}

pub async fn compare(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    Path((_, aid)): Path<(String, String)>,
) -> PageResult {
    let pid = pid_of(&state, &id, &g)?;
    let view = state
        .app
        .assessment(&g, &aid)
        .await
        .map_err(svc(&state, &id))?;
    let cmp = state
        .app
        .compare(&g, &aid)
        .await
        .map_err(svc(&state, &id))?;
    let columns: Vec<Value> = cmp
        .assessments
        .iter()
        .map(|a| context! { id => a.id, title => a.title, start => a.period_start, end => a.period_end })
        .collect();
    let rows: Vec<Value> = cmp
        .rows
        .iter()
        .map(|(qid, number, title, ratings)| {
            let cells: Vec<Value> = ratings
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let changed = i > 0 && ratings[i - 1] != *r;
                    context! { label => rating_label(&view, qid, r), changed => changed }
                })
                .collect();
            let any_change = ratings.windows(2).any(|w| w[0] != w[1]);
            context! { number => number, title => title, cells => cells, changed => any_change }
        })
        .collect();
    render(
        &state,
        &id,
        "pages/assessment-compare.html",
        StatusCode::OK,
        context! {
            title => format!("Compare periods: {}", view.row.title),
            partnership_id => pid.to_string(),
            assessment => context! { id => view.row.id, title => view.row.title },
            columns => columns,
            rows => rows,
        },
    )
    .map_err(fail(&state, &id))
}

async fn gaps_page(
    state: &AppState,
    id: &Identity,
    g: &Grant,
    aid: &str,
    status: StatusCode,
    errors: Option<(&str, &ValidationErrors)>,
    headers: &HeaderMap,
) -> PageResult {
    let pid = pid_of(state, id, g)?;
    let read = id
        .session
        .as_ref()
        .and_then(|s| {
            decide(
                &s.actor,
                Permission::AssessmentRead,
                Scope::Partnership(pid),
            )
            .ok()
        })
        .unwrap_or_else(|| g.clone());
    let view = state
        .app
        .assessment(&read, aid)
        .await
        .map_err(svc(state, id))?;
    let actions = state
        .app
        .assessment_actions(&read, aid)
        .await
        .map_err(svc(state, id))?;
    let can_act = can(id, Permission::ActionManage, pid);
    let owners: Vec<Value> = if can_act {
        let manage = id.session.as_ref().and_then(|s| {
            decide(
                &s.actor,
                Permission::MembershipRead,
                Scope::Partnership(pid),
            )
            .ok()
        });
        let mut seen = std::collections::BTreeMap::new();
        if let Some(m) = manage {
            for member in state.app.list_members(&m).await.map_err(svc(state, id))? {
                seen.insert(member.user_id.clone(), member.display_name.clone());
            }
        }
        seen.into_iter()
            .map(|(v, t)| context! { value => v, text => t })
            .collect()
    } else {
        Vec::new()
    };
    let gaps: Vec<Value> = view
        .gaps()
        .into_iter()
        .map(|gap| {
            let raised: Vec<Value> = actions
                .iter()
                .filter(|a| a.question_id.as_deref() == Some(gap.question_id.as_str()))
                .map(|a| context! { title => a.title, due => a.due_date, status => a.status })
                .collect();
            let errs = errors.filter(|(q, _)| *q == gap.question_id).map(|(_, e)| form_errors(e));
            context! {
                id => gap.question_id, number => gap.number, title => gap.title, kind => gap.kind,
                rating => rating_label(&view, &gap.question_id, &gap.rating), actions => raised, errors => errs,
            }
        })
        .collect();
    let ctx = context! {
        title => format!("Gaps: {}", view.row.title),
        partnership_id => pid.to_string(),
        assessment => context! { id => view.row.id, title => view.row.title },
        gaps => gaps,
        owners => owners,
        can_act => can_act,
        // The summary links to the fields of the gap the form was for.
        errors => errors.map(|(q, e)| {
            let mut linked = e.clone();
            for f in &mut linked.0 {
                let prefix = match f.field.as_str() {
                    "owner_id" => "owner",
                    "due_date" => "due",
                    other => other,
                };
                f.field = format!("{prefix}-{q}");
            }
            form_errors(&linked)
        }),
    };
    if status == StatusCode::OK {
        render_with_flash(state, id, headers, "pages/assessment-gaps.html", ctx)
            .map_err(fail(state, id))
    } else {
        render(state, id, "pages/assessment-gaps.html", status, ctx).map_err(fail(state, id))
    }
}

pub async fn gaps(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    Path((_, aid)): Path<(String, String)>,
    headers: HeaderMap,
) -> PageResult {
    gaps_page(&state, &id, &g, &aid, StatusCode::OK, None, &headers).await
}

pub async fn create_action(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    Path((_, aid)): Path<(String, String)>,
    headers: HeaderMap,
    form: Fields,
) -> PageResult {
    let question = form.get("question_id");
    let input = preventkit_services::assessments::NewAction {
        assessment_id: aid.clone(),
        question_id: question.clone(),
        title: form.get("title"),
        owner_id: form.get("owner_id"),
        due_date: form.get("due_date"),
    };
    match state.app.create_action(&g, &input, &id.ctx).await {
        Ok(_) => {
            let pid = pid_of(&state, &id, &g)?;
            Ok(see_other_with(
                &state.cfg,
                &format!("/p/{pid}/assessments/{aid}/gaps"),
                "action-created",
            ))
        }
        Err(ServiceError::Validation(e)) => {
            gaps_page(
                &state,
                &id,
                &g,
                &aid,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some((&question, &e)),
                &headers,
            )
            .await
        }
        Err(e) => Err(svc(&state, &id)(e)),
    }
}

fn download(
    body: Vec<u8>,
    content_type: &'static str,
    file_name: &str,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        [
            (axum::http::header::CONTENT_TYPE, content_type.to_owned()),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

pub async fn export_xlsx(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    Path((_, aid)): Path<(String, String)>,
) -> PageResult {
    let bytes = state
        .app
        .export_xlsx(&g, &aid)
        .await
        .map_err(svc(&state, &id))?;
    Ok(download(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "self-assessment.xlsx",
    ))
}

pub async fn export_csv(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    Path((_, aid)): Path<(String, String)>,
) -> PageResult {
    let text = state
        .app
        .export_csv(&g, &aid)
        .await
        .map_err(svc(&state, &id))?;
    Ok(download(
        text.into_bytes(),
        "text/csv; charset=utf-8",
        "self-assessment.csv",
    ))
}

pub async fn import_xlsx(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    Path((_, aid)): Path<(String, String)>,
    mut multipart: axum::extract::Multipart,
) -> PageResult {
    let pid = pid_of(&state, &id, &g)?;
    let mut file: Option<Vec<u8>> = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some("file") {
            file = field.bytes().await.ok().map(|b| b.to_vec());
        }
    }
    let result = match file.filter(|f| !f.is_empty()) {
        None => Err(ServiceError::Validation(ValidationErrors::single(
            "file",
            "Choose the filled-in spreadsheet to upload",
        ))),
        Some(bytes) => state.app.import_xlsx(&g, &aid, &bytes, &id.ctx).await,
    };
    match result {
        Ok(changed) => Ok(see_other_with(
            &state.cfg,
            &format!("/p/{pid}/assessments/{aid}"),
            if changed == 0 {
                "assessment-imported-unchanged"
            } else {
                "assessment-imported"
            },
        )),
        Err(ServiceError::Validation(e)) => {
            let view = state
                .app
                .assessment(&g, &aid)
                .await
                .map_err(svc(&state, &id))?;
            render(
                &state,
                &id,
                "pages/assessment-import.html",
                StatusCode::UNPROCESSABLE_ENTITY,
                context! {
                    title => "Import answers from a spreadsheet",
                    partnership_id => pid.to_string(),
                    assessment => context! { id => view.row.id, title => view.row.title },
                    errors => form_errors(&e),
                },
            )
            .map_err(fail(&state, &id))
        }
        Err(ServiceError::Conflict(m)) => render(
            &state,
            &id,
            "error.html",
            StatusCode::CONFLICT,
            context! { title => "The answers could not be imported", message => m },
        )
        .map_err(fail(&state, &id)),
        Err(e) => Err(svc(&state, &id)(e)),
    }
}

pub async fn add_evidence(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    Path((_, aid, qid)): Path<(String, String, String)>,
    mut multipart: axum::extract::Multipart,
) -> PageResult {
    let mut input = preventkit_services::evidence::NewEvidence::default();
    let mut upload = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let file_name = field.file_name().unwrap_or_default().to_owned();
            let bytes = field.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
            if !bytes.is_empty() || !file_name.is_empty() {
                upload = Some(preventkit_services::evidence::Upload { file_name, bytes });
            }
            continue;
        }
        let value = field.text().await.unwrap_or_default();
        match name.as_str() {
            "title" => input.title = value,
            "kind" => input.kind = value,
            "url" => input.url = value,
            "marking" => input.marking = value,
            "review_date" => input.review_date = value,
            _ => {}
        }
    }
    let pid = pid_of(&state, &id, &g)?;
    match state
        .app
        .add_evidence(&g, &aid, &qid, &input, upload, &id.ctx)
        .await
    {
        Ok(_) => Ok(see_other_with(
            &state.cfg,
            &format!("/p/{pid}/assessments/{aid}/questions/{qid}"),
            "evidence-added",
        )),
        Err(ServiceError::Validation(e)) => {
            question_page(
                &state,
                &id,
                &g,
                &aid,
                &qid,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(&e),
                None,
                None,
            )
            .await
        }
        Err(e) => Err(svc(&state, &id)(e)),
    }
}

pub async fn link_evidence(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    Path((_, aid, qid)): Path<(String, String, String)>,
    form: Fields,
) -> PageResult {
    let pid = pid_of(&state, &id, &g)?;
    match state
        .app
        .link_evidence(&g, &aid, &qid, &form.get("evidence_id"), &id.ctx)
        .await
    {
        Ok(()) => Ok(see_other_with(
            &state.cfg,
            &format!("/p/{pid}/assessments/{aid}/questions/{qid}"),
            "evidence-linked",
        )),
        Err(ServiceError::Validation(e)) => {
            question_page(
                &state,
                &id,
                &g,
                &aid,
                &qid,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(&e),
                None,
                None,
            )
            .await
        }
        Err(e) => Err(svc(&state, &id)(e)),
    }
}

pub async fn evidence_file(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    Path((_, eid)): Path<(String, String)>,
) -> PageResult {
    let (name, content_type, bytes) = state
        .app
        .evidence_file(&g, &eid, &id.ctx)
        .await
        .map_err(svc(&state, &id))?;
    // Served as an attachment with the stored type.
    use axum::response::IntoResponse;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, content_type),
            (
                axum::http::header::CONTENT_DISPOSITION,
                crate::api::evidence::attachment(&name),
            ),
        ],
        bytes,
    )
        .into_response())
}

pub async fn assign(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    Path((_, aid)): Path<(String, String)>,
    form: Fields,
) -> PageResult {
    let pid = pid_of(&state, &id, &g)?;
    match state
        .app
        .assign(&g, &aid, &form.get("target"), &form.get("organisation_id"), &form.get("user_id"), &id.ctx)
        .await
    {
        Ok(_) => Ok(see_other_with(&state.cfg, &format!("/p/{pid}/assessments/{aid}"), "questions-assigned")),
        Err(ServiceError::Validation(e)) => render(
            &state,
            &id,
            "error.html",
            StatusCode::UNPROCESSABLE_ENTITY,
            context! { title => "The questions could not be assigned", message => e.0.iter().map(|f| f.message.clone()).collect::<Vec<_>>().join(". ") },
        )
        .map_err(fail(&state, &id)),
        Err(e) => Err(svc(&state, &id)(e)),
    }
}

pub async fn comment(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    Path((_, aid, qid)): Path<(String, String, String)>,
    form: Fields,
) -> PageResult {
    let pid = pid_of(&state, &id, &g)?;
    match state
        .app
        .add_comment(&g, &aid, &qid, &form.get("comment"), &id.ctx)
        .await
    {
        Ok(()) => Ok(see_other_with(
            &state.cfg,
            &format!("/p/{pid}/assessments/{aid}/questions/{qid}"),
            "comment-added",
        )),
        Err(ServiceError::Validation(e)) => {
            question_page(
                &state,
                &id,
                &g,
                &aid,
                &qid,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(&e),
                None,
                None,
            )
            .await
        }
        Err(e) => Err(svc(&state, &id)(e)),
    }
}

pub async fn capabilities(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    Path((_, aid)): Path<(String, String)>,
) -> PageResult {
    let pid = pid_of(&state, &id, &g)?;
    let view = state
        .app
        .assessment(&g, &aid)
        .await
        .map_err(svc(&state, &id))?;
    let summaries = state
        .app
        .mapped_summaries(&g, &aid)
        .await
        .map_err(svc(&state, &id))?;
    render(
        &state,
        &id,
        "pages/assessment-capabilities.html",
        StatusCode::OK,
        context! {
            title => format!("Summary by capability: {}", view.row.title),
            partnership_id => pid.to_string(),
            assessment => context! { id => view.row.id, title => view.row.title },
            summaries => summaries,
        },
    )
    .map_err(fail(&state, &id))
}
