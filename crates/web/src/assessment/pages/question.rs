//! The question page: answering, assigning and commenting.

#[allow(unused_imports)]
use super::*;

/// The question page's fields from top to bottom, for the error summary's order: the answer,
/// the add-evidence form, linking held evidence, and the comment.
const FIELD_ORDER: &[&str] = &[
    "rating",
    "details",
    "title",
    "kind",
    "file",
    "url",
    "marking",
    "review_date",
    "evidence_id",
    "comment",
];

/// The fields of the add-evidence forms: an error on one of them opens the "Add evidence"
/// section.
const EVIDENCE_FIELDS: &[&str] = &[
    "title",
    "kind",
    "file",
    "url",
    "marking",
    "review_date",
    "evidence_id",
];

/// What a question page shows besides the question: errors, a stale edit with what the user
/// typed in the answer, what they typed in another form (`values`: the evidence form's
/// `title`, `kind`, `url`, `marking` and `review_date` boxes, or the `comment`), or a
/// one-time message.
#[derive(Default)]
pub(crate) struct QuestionExtras<'a> {
    pub(crate) errors: Option<&'a ValidationErrors>,
    pub(crate) stale: Option<&'a StaleEdit>,
    pub(crate) typed: Option<(String, String)>,
    pub(crate) values: Option<Value>,
    pub(crate) flash: Option<&'static str>,
}

/// The question page again, for handlers that hold the path's identifiers as text (the
/// evidence pages): an identifier that is not well formed names nothing, so it answers not
/// found.
pub(crate) async fn question_page(
    state: &AppState,
    id: &Identity,
    g: &Grant,
    aid: &str,
    qid: &str,
    status: StatusCode,
    extras: QuestionExtras<'_>,
) -> PageResult {
    let aid: AssessmentId = aid
        .parse()
        .map_err(|_| PageError::from(crate::WebError::NotFound))?;
    render_question(state, id, g, aid, &QuestionId::from(qid), status, extras).await
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn typed_question_page(
    state: &AppState,
    id: &Identity,
    g: &Grant,
    aid: AssessmentId,
    qid: &QuestionId,
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
            ..QuestionExtras::default()
        },
    )
    .await
}

/// The grant to answer questions in the partnership, if the person holds one.
fn respond_grant(id: &Identity, pid: PartnershipId) -> Option<Grant> {
    id.session.as_ref().and_then(|s| {
        decide(
            &s.actor,
            Permission::AssessmentRespond,
            Scope::Partnership(pid),
        )
        .ok()
    })
}

/// The question to go to after saving `qid`: for someone who answers only the questions
/// assigned to them, their next assigned question; for the lead, the next question of the
/// framework. `None` when there is none after this one.
async fn next_question(
    state: &AppState,
    respond: Option<&Grant>,
    view: &AssessmentView,
    qid: &str,
) -> Result<Option<String>, PageError> {
    let all = view.framework.questions();
    let pos = all.iter().position(|(_, x)| x.id == qid).unwrap_or(0);
    let later = all.iter().skip(pos + 1).map(|(_, x)| x.id.clone());
    match respond {
        Some(r) if !preventkit_services::domain::policy::answers_any_question(r) => {
            let mine = state.app.assigned_to_me(r, view.assessment.id).await?;
            Ok(later.into_iter().find(|q| mine.contains(q)))
        }
        _ => Ok(later.into_iter().next()),
    }
}

pub(crate) async fn render_question(
    state: &AppState,
    id: &Identity,
    g: &Grant,
    aid: AssessmentId,
    question: &QuestionId,
    status: StatusCode,
    extras: QuestionExtras<'_>,
) -> PageResult {
    let qid = question.as_str();
    let QuestionExtras {
        errors,
        stale,
        typed,
        values,
        flash,
    } = extras;
    let pid = pid_of(g)?;
    let read = read_grant(id, g, pid);
    let view = state.app.assessment(&read, aid).await?;
    let Some((section, q)) = view
        .framework
        .questions()
        .into_iter()
        .find(|(_, q)| q.id == qid)
    else {
        return Err(PageError::from(crate::WebError::NotFound));
    };
    let response = view.responses.get(qid).cloned();
    let history = state.app.response_history(&read, aid, question).await?;
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
    let st = view.assessment.state;
    let respond_grant = respond_grant(id, pid);
    let may_answer = match &respond_grant {
        Some(r) => state.app.ensure_may_answer(r, aid, question).await.is_ok(),
        None => false,
    };
    let editable = st.editable() && may_answer;
    // Why the answer cannot be changed here, in the reader's terms.
    let locked_because = if editable {
        None
    } else if !st.editable() {
        Some(format!(
            "This assessment is {}: answers can be changed only while it is a draft.",
            st.label().to_lowercase()
        ))
    } else if respond_grant.is_some() {
        Some("This question is assigned to someone else, so you can read it but not change it. Ask the Prevent lead if it should be yours.".to_owned())
    } else {
        Some(
            "Your role in this partnership reads the assessment but does not answer questions."
                .to_owned(),
        )
    };
    let carried = response
        .as_ref()
        .is_some_and(|r| !reviewed_this_period(r.version) && !r.rating.is_empty());
    let assigned = state
        .app
        .assignments(&read, aid)
        .await?
        .remove(qid)
        .unwrap_or_default();
    let comments = state.app.comments(&read, aid, question).await?;
    let history: Vec<Value> = history
        .iter()
        .map(|h| context! { version => h.version, rating => rating_display(&view, qid, &h.rating), details => h.details, at => h.changed_at })
        .collect();
    let stale_ctx = stale.map(|s| {
        context! {
            theirs_rating => rating_label(&view, qid, &s.current.rating), theirs_details => s.current.details,
            theirs_version => s.current.version, yours_rating => rating_label(&view, qid, &s.yours_rating),
            yours_details => s.yours_details, at => s.current.updated_at,
        }
    });
    // Where "Save and go to the next question" goes. Someone who answers only their assigned
    // questions always has the button: after their last one it goes back to the task list.
    let next = if editable {
        next_question(state, respond_grant.as_ref(), &view, qid).await?
    } else {
        None
    };
    let only_assigned = respond_grant
        .as_ref()
        .is_some_and(|r| !preventkit_services::domain::policy::answers_any_question(r));
    // The ratings that need supporting details, for the details box's hint.
    let details_needed_for: Vec<String> = scale
        .map(|s| {
            s.levels
                .iter()
                .filter(|l| l.details_required)
                .map(|l| l.label.clone())
                .collect()
        })
        .unwrap_or_default();
    let details_hint = details_hint(&details_needed_for);
    let evidence_open = errors.is_some_and(|e| {
        e.0.iter()
            .any(|f| EVIDENCE_FIELDS.contains(&f.field.as_str()))
    });
    let evidence: Vec<Value> = state
        .app
        .assessment_evidence(&read, &aid.to_string())
        .await?
        .into_iter()
        .filter(|(q, _)| q == qid)
        .map(|(_, e)| Value::from_serialize(&e))
        .collect();
    let linkable: Vec<Value> = if editable {
        match &respond_grant {
            Some(r) => state
                .app
                .partnership_evidence(r)
                .await?
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
        "assessment/question.html",
        status,
        context! {
            title => format!("{} {}", q.number, q.title),
            partnership_id => pid.to_string(),
            assessment => context! { id => view.assessment.id, title => view.assessment.title, state => st.label() },
            section => context! { number => section.number, title => section.title },
            question => context! {
                id => q.id, number => q.number, title => q.title, guidance => q.guidance,
                kind => view.framework.kind_label(&q.kind).unwrap_or(&q.kind),
                prompts => q.prompts, evidence => q.evidence,
            },
            rating_items => items,
            rating_shown => rating_display(&view, qid, &current_rating),
            rating => current_rating,
            details => current_details,
            version => response.as_ref().map(|r| r.version).unwrap_or(1),
            editable => editable,
            locked_because => locked_because,
            carried => carried,
            history => history,
            stale => stale_ctx,
            next => next,
            next_button => next.is_some() || only_assigned,
            details_hint => details_hint,
            evidence_open => evidence_open,
            evidence => evidence,
            linkable => linkable,
            assigned => assigned,
            comments => comments,
            can_comment => can(id, Permission::AssessmentComment, pid),
            errors => errors.map(|e| form_errors_in(e, FIELD_ORDER)),
            values => values,
            flash => flash,
        },
    )
    .map_err(PageError::from)
}

/// What the supporting details box asks for, naming the ratings that need them.
fn details_hint(needed_for: &[String]) -> String {
    let needed = match needed_for {
        [] => String::new(),
        [one] => format!(" A rating of {one} needs them."),
        [first @ .., last] => format!(" A rating of {} or {last} needs them.", first.join(", ")),
    };
    format!(
        "Say what is in place, what is missing and what evidence shows it.{needed} Describe the \
         partnership's arrangements: do not enter names or other personal details of members of \
         the public, or of anyone referred."
    )
}

pub async fn question(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, aid, qid)): PageIds<(PartnershipId, AssessmentId, QuestionId)>,
    headers: HeaderMap,
) -> PageResult {
    // The one-time message left by adding evidence or a comment: shown here, then cleared.
    let flash = crate::pages::flash_message(&headers);
    let mut page = render_question(
        &state,
        &id,
        &g,
        aid,
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
            crate::pages::clear_flash_cookie(&state.cfg),
        );
    }
    Ok(page)
}

pub async fn answer(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, aid, qid)): PageIds<(PartnershipId, AssessmentId, QuestionId)>,
    form: Fields,
) -> PageResult {
    // The next question goes into the redirect: refuse a control character before saving.
    if form.get("next").chars().any(char::is_control) {
        return Err(PageError::from(crate::WebError::BadRequest(
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
        return typed_question_page(
            &state,
            &id,
            &g,
            aid,
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
        .respond(&g, aid, &qid, version, &rating, &details, &id.ctx)
        .await
    {
        Ok(_) => {
            let pid = pid_of(&g)?;
            let summary = format!("/p/{pid}/assessments/{aid}");
            if form.get("then") != "next" {
                return Ok(see_other_with(&state.cfg, &summary, "answer-saved"));
            }
            // The next question is worked out again now (assignments may have changed since
            // the page was shown), never taken from the form.
            let view = state.app.assessment(&g, aid).await?;
            match next_question(&state, Some(&g), &view, qid.as_str()).await? {
                Some(next) => Ok(see_other_with(
                    &state.cfg,
                    &format!("{summary}/questions/{next}"),
                    "answer-saved",
                )),
                None => Ok(see_other_with(
                    &state.cfg,
                    &summary,
                    "answer-saved-none-left",
                )),
            }
        }
        Err(Ok(stale)) => {
            // Someone else saved first: show both; keep what this user typed in the form.
            let typed = Some((stale.yours_rating.clone(), stale.yours_details.clone()));
            typed_question_page(
                &state,
                &id,
                &g,
                aid,
                &qid,
                StatusCode::CONFLICT,
                None,
                Some(&stale),
                typed,
            )
            .await
        }
        Err(Err(ServiceError::Validation(e))) => {
            typed_question_page(
                &state,
                &id,
                &g,
                aid,
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
            typed_question_page(
                &state,
                &id,
                &g,
                aid,
                &qid,
                StatusCode::CONFLICT,
                Some(&e),
                None,
                None,
            )
            .await
        }
        Err(Err(e)) => Err(PageError::from(e)),
    }
}

pub async fn assign(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, aid)): PageIds<(PartnershipId, AssessmentId)>,
    form: Fields,
) -> PageResult {
    let pid = pid_of(&g)?;
    match state
        .app
        .assign(&g, aid, &form.get("target"), &form.get("organisation_id"), &form.get("user_id"), &id.ctx)
        .await
    {
        Ok(_) => Ok(see_other_with(&state.cfg, &format!("/p/{pid}/assessments/{aid}/assign"), "questions-assigned")),
        Err(ServiceError::Validation(e)) => render(
            &state,
            &id,
            "error.html",
            StatusCode::UNPROCESSABLE_ENTITY,
            context! { title => "The questions could not be assigned", message => e.0.iter().map(|f| f.message.clone()).collect::<Vec<_>>().join(". ") },
        )
        .map_err(PageError::from),
        Err(e) => Err(PageError::from(e)),
    }
}

pub async fn comment(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, aid, qid)): PageIds<(PartnershipId, AssessmentId, QuestionId)>,
    form: Fields,
) -> PageResult {
    let pid = pid_of(&g)?;
    match state
        .app
        .add_comment(&g, aid, &qid, &form.get("comment"), &id.ctx)
        .await
    {
        Ok(()) => Ok(see_other_with(
            &state.cfg,
            &format!("/p/{pid}/assessments/{aid}/questions/{qid}"),
            "comment-added",
        )),
        Err(ServiceError::Validation(e)) => {
            render_question(
                &state,
                &id,
                &g,
                aid,
                &qid,
                StatusCode::UNPROCESSABLE_ENTITY,
                QuestionExtras {
                    errors: Some(&e),
                    values: Some(context! { comment => form.get("comment") }),
                    ..QuestionExtras::default()
                },
            )
            .await
        }
        Err(e) => Err(PageError::from(e)),
    }
}
