//! The self-assessment as a spreadsheet over the API: download it (XLSX or CSV) and bring a
//! filled-in XLSX back under the same stale-edit rule as the pages: an answer changed since the
//! file was exported is never overwritten.

use crate::api::types::ErrorBody;
use crate::api::{ApiError, ApiJson, ApiResult};
use crate::assessment::pages::download;
use crate::extract::{ApiIds, Granted};
use crate::guard::Identity;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine as _;
use preventkit_services::assessment::ImportReport;
use preventkit_services::domain::import_plan::{Answer, Decision};
use preventkit_services::domain::{AssessmentId, PartnershipId};
use preventkit_services::ServiceError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The largest import request: a spreadsheet of 6 MiB, as base64.
const MAX_IMPORT_BYTES: usize = 8 * 1024 * 1024;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A filled-in spreadsheet to bring back.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportRequest {
    /// The XLSX file exported from this assessment, as base64.
    pub file: String,
    /// Write the current changes even though some answers are refused as stale. Without it,
    /// a file with stale answers writes nothing and comes back with 409 and the plan.
    #[serde(default)]
    pub confirm: bool,
}

/// An answer as the file or the site has it.
#[derive(Serialize, ToSchema)]
pub struct ImportAnswer {
    /// As stored: a level key, `n/a`, or empty for not assessed.
    pub rating: String,
    pub details: String,
}

/// A question the file changes.
#[derive(Serialize, ToSchema)]
pub struct ImportChange {
    pub question: String,
    pub number: String,
    /// The version the file was exported at (and the change is based on).
    pub based_on: i64,
    pub answer: ImportAnswer,
}

/// A question whose answer changed on the site after the file was exported: the file's answer
/// is not written.
#[derive(Serialize, ToSchema)]
pub struct ImportStale {
    pub question: String,
    pub number: String,
    /// The version the file was exported at; absent when the row does not say.
    pub exported_version: Option<i64>,
    pub current_version: i64,
    pub current: ImportAnswer,
    pub file: ImportAnswer,
}

/// A question the file leaves as it is.
#[derive(Serialize, ToSchema)]
pub struct ImportUnchanged {
    pub question: String,
    pub number: String,
}

/// What an import did (`applied`), or would do once confirmed.
#[derive(Serialize, ToSchema)]
pub struct ImportResult {
    /// True when the changes were written; false when stale answers need `confirm` first.
    pub applied: bool,
    pub changed: Vec<ImportChange>,
    pub stale: Vec<ImportStale>,
    pub unchanged: Vec<ImportUnchanged>,
}

/// A 409 from an import: the plan, when stale answers need `confirm` (nothing was written), or
/// the error body, when the assessment cannot be changed at all.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum ImportConflict {
    Plan(ImportResult),
    Error(ErrorBody),
}

fn answer(a: &Answer) -> ImportAnswer {
    ImportAnswer {
        rating: a.rating.clone(),
        details: a.details.clone(),
    }
}

impl From<&ImportReport> for ImportResult {
    fn from(r: &ImportReport) -> Self {
        let mut out = ImportResult {
            applied: r.applied,
            changed: Vec::new(),
            stale: Vec::new(),
            unchanged: Vec::new(),
        };
        for row in &r.plan.rows {
            let (question, number) = (row.question.as_str().to_owned(), row.number.clone());
            match &row.decision {
                Decision::Unchanged => out.unchanged.push(ImportUnchanged { question, number }),
                Decision::Change { based_on, to } => out.changed.push(ImportChange {
                    question,
                    number,
                    based_on: *based_on,
                    answer: answer(to),
                }),
                Decision::Stale {
                    exported_version,
                    current,
                    file,
                } => out.stale.push(ImportStale {
                    question,
                    number,
                    exported_version: *exported_version,
                    current_version: current.version,
                    current: answer(&current.answer),
                    file: answer(file),
                }),
            }
        }
        out
    }
}

/// The assessment as a spreadsheet laid out like the paper tool: a sheet per benchmark, each
/// answer's version in a hidden column, and the evidence titles with their marking (only that
/// an item exists, for items above the reader's clearance).
#[utoipa::path(get, path = "/api/v1/partnerships/{partnership}/assessments/{assessment}/export.xlsx", tag = "assessments",
    params(("partnership" = String, Path, description = "Partnership id"), ("assessment" = String, Path, description = "Assessment id")),
    responses(
        (status = 200, description = "The spreadsheet", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn export_xlsx(
    State(state): State<AppState>,
    Granted(g): Granted,
    ApiIds((_, aid)): ApiIds<(PartnershipId, AssessmentId)>,
) -> ApiResult<Response> {
    let bytes = state.app.export_xlsx(&g, aid).await?;
    Ok(download(bytes, XLSX, "self-assessment.xlsx"))
}

/// The assessment as CSV (one row per question), with values a spreadsheet would read as a
/// formula neutralised.
#[utoipa::path(get, path = "/api/v1/partnerships/{partnership}/assessments/{assessment}/export.csv", tag = "assessments",
    params(("partnership" = String, Path, description = "Partnership id"), ("assessment" = String, Path, description = "Assessment id")),
    responses(
        (status = 200, description = "The answers as CSV", content_type = "text/csv", body = String),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn export_csv(
    State(state): State<AppState>,
    Granted(g): Granted,
    ApiIds((_, aid)): ApiIds<(PartnershipId, AssessmentId)>,
) -> ApiResult<Response> {
    let text = state.app.export_csv(&g, aid).await?;
    Ok(download(
        text.into_bytes(),
        "text/csv; charset=utf-8",
        "self-assessment.csv",
    ))
}

/// Bring answers back from a filled-in spreadsheet. Every bad row and column is reported (422)
/// and nothing changes unless the whole file is good. An answer changed on the site after the
/// file was exported is never overwritten: it is listed in `stale` with both versions. If
/// there are stale answers and `confirm` is not set, nothing is written and the plan comes
/// back with 409; with `confirm`, the other changes are written and the stale ones left.
#[utoipa::path(post, path = "/api/v1/partnerships/{partnership}/assessments/{assessment}/import", tag = "assessments",
    params(("partnership" = String, Path, description = "Partnership id"), ("assessment" = String, Path, description = "Assessment id")),
    request_body = ImportRequest,
    responses(
        (status = 200, description = "Imported: what changed, what was refused as stale and what was already the same", body = ImportResult),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Some answers changed on the site since the export: nothing was written (`applied` is false); send again with `confirm` to write the rest. Or the assessment is not a draft (an error body)", body = ImportConflict),
        (status = 413, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn import_xlsx(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    ApiIds((_, aid)): ApiIds<(PartnershipId, AssessmentId)>,
    ApiJson(body): ApiJson<ImportRequest, MAX_IMPORT_BYTES>,
) -> ApiResult<Response> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(body.file.trim())
        .map_err(|_| {
            ApiError::from(ServiceError::field(
                "file",
                "Send the spreadsheet as base64 in 'file'",
            ))
        })?;
    let report = state
        .app
        .import_xlsx(&g, aid, &bytes, body.confirm, &id.ctx)
        .await?;
    let status = if report.applied {
        StatusCode::OK
    } else {
        StatusCode::CONFLICT
    };
    Ok((status, Json(ImportResult::from(&report))).into_response())
}
