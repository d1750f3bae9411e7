//! Downloading the assessment as a spreadsheet, and importing one.

#[allow(unused_imports)]
use super::*;
use preventkit_services::assessment::ImportReport;
use preventkit_services::domain::import_plan::{Answer as FileAnswer, Decision, FileEntry};

pub(crate) fn download(
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
    Granted(g): Granted,
    PageIds((_, aid)): PageIds<(PartnershipId, AssessmentId)>,
) -> PageResult {
    let bytes = state.app.export_xlsx(&g, aid).await?;
    Ok(download(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "self-assessment.xlsx",
    ))
}

pub async fn export_csv(
    State(state): State<AppState>,
    Granted(g): Granted,
    PageIds((_, aid)): PageIds<(PartnershipId, AssessmentId)>,
) -> PageResult {
    let text = state.app.export_csv(&g, aid).await?;
    Ok(download(
        text.into_bytes(),
        "text/csv; charset=utf-8",
        "self-assessment.csv",
    ))
}

/// The import page: where to get the spreadsheet, and the form to bring it back.
pub async fn import_form(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, aid)): PageIds<(PartnershipId, AssessmentId)>,
) -> PageResult {
    let view = state.app.assessment(&g, aid).await?;
    import_page(
        &state,
        &id,
        &g,
        &view,
        StatusCode::OK,
        &ValidationErrors::new(),
    )
}

fn import_page(
    state: &AppState,
    id: &Identity,
    g: &Grant,
    view: &AssessmentView,
    status: StatusCode,
    errors: &ValidationErrors,
) -> PageResult {
    let pid = pid_of(g)?;
    render(
        state,
        id,
        "assessment/import.html",
        status,
        context! {
            title => "Import answers from a spreadsheet",
            partnership_id => pid.to_string(),
            assessment => context! {
                id => view.assessment.id,
                title => view.assessment.title,
                editable => view.assessment.state.editable(),
                state_label => view.assessment.state.label(),
            },
            errors => form_errors(errors),
        },
    )
    .map_err(PageError::from)
}

/// Upload a filled-in spreadsheet. A file whose answers are all current is imported at once;
/// one with answers changed on the site since it was exported is shown question by question
/// first, and nothing is written until the person confirms.
pub async fn import_xlsx(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, aid)): PageIds<(PartnershipId, AssessmentId)>,
    mut multipart: axum::extract::Multipart,
) -> PageResult {
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
        Some(bytes) => state.app.import_xlsx(&g, aid, &bytes, false, &id.ctx).await,
    };
    import_outcome(&state, &id, &g, aid, result).await
}

/// Confirm an import that had stale answers: the file's rows come back as hidden fields and
/// are checked and decided again, so an answer changed meanwhile is still never overwritten.
pub async fn import_confirm(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, aid)): PageIds<(PartnershipId, AssessmentId)>,
    form: Fields,
) -> PageResult {
    // Another partnership's assessment is not found, whatever the form says.
    state.app.assessment(&g, aid).await?;
    let rows = carried_rows(&form).ok_or_else(|| {
        PageError::from(crate::WebError::BadRequest(
            "The form could not be read.".into(),
        ))
    })?;
    let result = state.app.apply_import(&g, aid, rows, &id.ctx).await;
    import_outcome(&state, &id, &g, aid, result).await
}

/// One row of the file as carried through the confirmation, in one hidden field as JSON so
/// that every character (line breaks included) comes back exactly as it was read.
#[derive(serde::Serialize, serde::Deserialize)]
struct CarriedRow {
    question: String,
    version: Option<i64>,
    rating: String,
    details: String,
}

/// The rows carried through the confirmation. `None` when the field cannot be read.
fn carried_rows(form: &Fields) -> Option<Vec<FileEntry>> {
    let rows: Vec<CarriedRow> = serde_json::from_str(&form.get("rows")).ok()?;
    Some(
        rows.into_iter()
            .map(|r| FileEntry {
                question: QuestionId::from(r.question.as_str()),
                number: String::new(),
                exported_version: r.version,
                answer: FileAnswer {
                    rating: r.rating,
                    details: r.details,
                },
            })
            .collect(),
    )
}

async fn import_outcome(
    state: &AppState,
    id: &Identity,
    g: &Grant,
    aid: AssessmentId,
    result: Result<ImportReport, ServiceError>,
) -> PageResult {
    match result {
        Ok(report) => import_report_page(state, id, g, &report),
        Err(ServiceError::Validation(e)) => {
            let view = state.app.assessment(g, aid).await?;
            import_page(state, id, g, &view, StatusCode::UNPROCESSABLE_ENTITY, &e)
        }
        Err(ServiceError::Conflict(m)) => {
            conflict_page(state, id, "The answers could not be imported", m)
        }
        Err(e) => Err(PageError::from(e)),
    }
}

/// The import, question by question: what changed, what was refused as stale (both versions
/// side by side) and what was already the same; with the confirmation form when nothing has
/// been written yet.
fn import_report_page(
    state: &AppState,
    id: &Identity,
    g: &Grant,
    report: &ImportReport,
) -> PageResult {
    let pid = pid_of(g)?;
    let view = &report.view;
    let title_of = |q: &QuestionId| {
        view.framework
            .question(q.as_str())
            .map(|q| q.title.clone())
            .unwrap_or_default()
    };
    let answer = |q: &QuestionId, a: &FileAnswer| {
        context! {
            rating => rating_label(view, q.as_str(), &a.rating),
            details => a.details,
        }
    };
    let changed: Vec<Value> = report
        .plan
        .changes()
        .filter_map(|r| match &r.decision {
            Decision::Change { to, .. } => Some(context! {
                id => r.question.as_str(),
                number => r.number,
                title => title_of(&r.question),
                answer => answer(&r.question, to),
            }),
            _ => None,
        })
        .collect();
    let stale: Vec<Value> = report
        .plan
        .stale()
        .filter_map(|r| match &r.decision {
            Decision::Stale {
                exported_version,
                current,
                file,
            } => {
                let stored = view.responses.get(r.question.as_str());
                Some(context! {
                    id => r.question.as_str(),
                    number => r.number,
                    title => title_of(&r.question),
                    exported_version => exported_version,
                    current_version => current.version,
                    current => answer(&r.question, &current.answer),
                    changed_at => stored.map(|s| s.updated_at.millis()),
                    file => answer(&r.question, file),
                })
            }
            _ => None,
        })
        .collect();
    let unchanged: Vec<Value> = report
        .plan
        .unchanged()
        .map(|r| context! { id => r.question.as_str(), number => r.number })
        .collect();
    let rows: Vec<CarriedRow> = report
        .rows
        .iter()
        .map(|r| CarriedRow {
            question: r.question.as_str().to_owned(),
            version: r.exported_version,
            rating: r.answer.rating.clone(),
            details: r.answer.details.clone(),
        })
        .collect();
    let rows = serde_json::to_string(&rows)
        .map_err(|e| PageError::from(crate::WebError::Internal(format!("import rows: {e}"))))?;
    render(
        state,
        id,
        "assessment/import-result.html",
        StatusCode::OK,
        context! {
            title => if report.applied { "Import finished" } else { "Check the import before anything is saved" },
            partnership_id => pid.to_string(),
            assessment => context! { id => view.assessment.id, title => view.assessment.title },
            applied => report.applied,
            changed => changed,
            stale => stale,
            unchanged => unchanged,
            rows => rows,
        },
    )
    .map_err(PageError::from)
}
