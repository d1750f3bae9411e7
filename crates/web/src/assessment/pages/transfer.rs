//! Downloading the assessment as a spreadsheet, and importing one.

#[allow(unused_imports)]
use super::*;

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

pub async fn import_xlsx(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    PageIds((_, aid)): PageIds<(PartnershipId, AssessmentId)>,
    mut multipart: axum::extract::Multipart,
) -> PageResult {
    let pid = pid_of(&g)?;
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
        Some(bytes) => state.app.import_xlsx(&g, aid, &bytes, &id.ctx).await,
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
            let view = state.app.assessment(&g, aid).await?;
            render(
                &state,
                &id,
                "assessment/import.html",
                StatusCode::UNPROCESSABLE_ENTITY,
                context! {
                    title => "Import answers from a spreadsheet",
                    partnership_id => pid.to_string(),
                    assessment => context! { id => view.assessment.id, title => view.assessment.title },
                    errors => form_errors(&e),
                },
            )
            .map_err(PageError::from)
        }
        Err(ServiceError::Conflict(m)) => render(
            &state,
            &id,
            "error.html",
            StatusCode::CONFLICT,
            context! { title => "The answers could not be imported", message => m },
        )
        .map_err(PageError::from),
        Err(e) => Err(PageError::from(e)),
    }
}
