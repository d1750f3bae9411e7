//! Evidence pages: adding and linking evidence to a question, and downloading a file.

use crate::assessment::pages::{pid_of, question_page, QuestionExtras};
use crate::extract::{Fields, Granted};
use crate::guard::Identity;
use crate::pages::{see_other_with, PageError, PageResult};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use minijinja::context;
use preventkit_services::ServiceError;

pub async fn add_evidence(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    Path((_, aid, qid)): Path<(String, String, String)>,
    mut multipart: axum::extract::Multipart,
) -> PageResult {
    let mut input = preventkit_services::evidence::NewEvidence::default();
    let mut upload = None;
    let mut review = preventkit_domain::dates::DateParts::default();
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
            "review_date-day" => review.day = value,
            "review_date-month" => review.month = value,
            "review_date-year" => review.year = value,
            _ => {}
        }
    }
    input.review_date = preventkit_domain::dates::DateEntry::Parts(review.clone());
    let pid = pid_of(&g)?;
    let chosen_file = upload.as_ref().map(|u| u.file_name.clone());
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
        Err(ServiceError::Validation(mut e)) => {
            // A browser never fills a file input in again. When the file was fine but another
            // field needs correcting, say so on the file field, so the person chooses it again
            // before sending the form back (otherwise they would only learn it on the next try).
            if input.kind.trim() == "file" && !e.0.iter().any(|f| f.field == "file") {
                if let Some(name) = chosen_file.filter(|n| !n.trim().is_empty()) {
                    let name = name
                        .rsplit(['/', '\\'])
                        .next()
                        .unwrap_or_default()
                        .to_owned();
                    e.add(
                        "file",
                        format!("Choose the file {name} again: it was fine, but a file cannot be kept while the rest of the form is corrected"),
                    );
                }
            }
            // Everything typed comes back; only the file has to be chosen again.
            let values = context! {
                title => input.title,
                kind => input.kind,
                url => input.url,
                marking => input.marking,
                review_date => context! { day => review.day, month => review.month, year => review.year },
            };
            question_page(
                &state,
                &id,
                &g,
                &aid,
                &qid,
                StatusCode::UNPROCESSABLE_ENTITY,
                QuestionExtras {
                    errors: Some(&e),
                    values: Some(values),
                    ..QuestionExtras::default()
                },
            )
            .await
        }
        Err(e) => Err(PageError::from(e)),
    }
}

pub async fn link_evidence(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    Path((_, aid, qid)): Path<(String, String, String)>,
    form: Fields,
) -> PageResult {
    let pid = pid_of(&g)?;
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
                QuestionExtras {
                    errors: Some(&e),
                    values: Some(context! { evidence_id => form.get("evidence_id") }),
                    ..QuestionExtras::default()
                },
            )
            .await
        }
        Err(e) => Err(PageError::from(e)),
    }
}

pub async fn evidence_file(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    Path((_, eid)): Path<(String, String)>,
) -> PageResult {
    let (name, content_type, bytes) = state.app.evidence_file(&g, &eid, &id.ctx).await?;
    // Served as an attachment with the stored type.
    use axum::response::IntoResponse;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, content_type),
            (
                axum::http::header::CONTENT_DISPOSITION,
                crate::evidence::api::attachment(&name),
            ),
        ],
        bytes,
    )
        .into_response())
}
