//! Evidence, comments and framework upgrades of a self-assessment over the API.
//!
//! Evidence follows the same rules as on the pages: items marked above the caller's clearance
//! show that they exist and their marking, never their content; files are stored under
//! server-generated ids and served only as attachments.

use super::types::{rfc3339, Created, ErrorBody};
use super::{ApiJson, ApiResult};
use crate::extract::Granted;
use crate::guard::Identity;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine as _;
use preventkit_services::assessments::UpgradePlan;
use preventkit_services::evidence::{EvidenceView, NewEvidence, Upload};
use preventkit_services::ServiceError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One evidence item as the caller may see it, with the question it supports here.
#[derive(Serialize, ToSchema)]
pub struct EvidenceItem {
    pub id: String,
    /// The question of this assessment the item supports (an item can support several; it
    /// is then listed once per question).
    pub question: String,
    /// False when the item is marked above the caller's clearance: only `id`, `kind`,
    /// `marking` and `review_date` are given.
    pub visible: bool,
    pub title: Option<String>,
    /// `file` or `link`.
    pub kind: String,
    pub url: Option<String>,
    pub file_name: Option<String>,
    pub size: Option<i64>,
    /// `OFFICIAL` or `OFFICIAL-SENSITIVE`.
    pub marking: String,
    /// `YYYY-MM-DD`: when the item should be checked again.
    pub review_date: Option<String>,
    /// The name of the item's owner (who added it), when visible.
    pub owner: Option<String>,
}

fn evidence_item(question: String, e: EvidenceView) -> EvidenceItem {
    EvidenceItem {
        id: e.id,
        question,
        visible: e.visible,
        title: e.title,
        kind: e.kind,
        url: e.url,
        file_name: e.file_name,
        size: e.size,
        marking: e.marking,
        review_date: e.review_date,
        owner: e.owner,
    }
}

/// New evidence for a question: a link, a file (its bytes in base64), or an item of the
/// partnership that already exists (`evidence_id` alone).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEvidenceRequest {
    /// An existing item of the partnership to link to this question; give nothing else.
    #[serde(default)]
    pub evidence_id: Option<String>,
    #[serde(default)]
    pub title: String,
    /// `link` or `file`.
    #[serde(default)]
    pub kind: String,
    /// For a link: an `https://` or `http://` address.
    #[serde(default)]
    pub url: String,
    /// For a file: its name, such as `minutes.pdf`.
    #[serde(default)]
    pub file_name: String,
    /// For a file: its bytes, base64-encoded (at most 10 MiB once decoded).
    #[serde(default)]
    pub content_base64: String,
    /// `official` or `official-sensitive`.
    #[serde(default)]
    pub marking: String,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub review_date: String,
}

/// A comment on a question.
#[derive(Serialize, ToSchema)]
pub struct Comment {
    /// The author's name.
    pub author: String,
    pub body: String,
    pub created_at: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewComment {
    /// Plain text, at most 5,000 characters.
    pub body: String,
}

/// What moving a draft to the newest version of its framework does.
#[derive(Serialize, ToSchema)]
pub struct UpgradeBody {
    pub framework: String,
    pub from_version: i64,
    pub to_version: i64,
    /// Question numbers whose answers carry across.
    pub carried: Vec<String>,
    /// Question numbers whose rating is not on the newer scale: cleared, details kept, the
    /// old rating in the history.
    pub rating_cleared: Vec<String>,
    /// Question numbers new in the newer version.
    pub added: Vec<String>,
    /// Question ids no longer asked; their answers stay stored.
    pub retired: Vec<String>,
}

impl From<UpgradePlan> for UpgradeBody {
    fn from(p: UpgradePlan) -> Self {
        UpgradeBody {
            framework: p.framework_key,
            from_version: p.from_version,
            to_version: p.to_version,
            carried: p.carried,
            rating_cleared: p.rating_cleared,
            added: p.added,
            retired: p.retired,
        }
    }
}

/// Whether a newer framework version is available, and what moving to it would do.
#[derive(Serialize, ToSchema)]
pub struct UpgradeOffer {
    pub available: bool,
    pub plan: Option<UpgradeBody>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpgradeRequest {
    /// The version reviewed (from the offer). If a newer one has arrived since, nothing
    /// changes and the answer is 409.
    pub to_version: i64,
}

/// Every evidence item linked to the assessment's questions.
#[utoipa::path(get, path = "/api/v1/partnerships/{partnership}/assessments/{assessment}/evidence", tag = "evidence",
    params(("partnership" = String, Path, description = "Partnership id"), ("assessment" = String, Path, description = "Assessment id")),
    responses((status = 200, body = [EvidenceItem]), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_evidence(
    State(state): State<AppState>,
    Granted(g): Granted,
    Path((_, aid)): Path<(String, String)>,
) -> ApiResult<Json<Vec<EvidenceItem>>> {
    let items = state.app.assessment_evidence(&g, &aid).await?;
    Ok(Json(
        items
            .into_iter()
            .map(|(q, e)| evidence_item(q, e))
            .collect(),
    ))
}

/// Add evidence to a question: a new link or file, or an existing item of the partnership.
/// Only while the assessment is a draft, by someone who may answer the question.
#[utoipa::path(post, path = "/api/v1/partnerships/{partnership}/assessments/{assessment}/responses/{question}/evidence", tag = "evidence",
    params(("partnership" = String, Path, description = "Partnership id"), ("assessment" = String, Path, description = "Assessment id"), ("question" = String, Path, description = "Question id")),
    request_body = NewEvidenceRequest,
    responses((status = 201, description = "The item's id", body = Created), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_evidence(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    Path((_, aid, qid)): Path<(String, String, String)>,
    ApiJson(body): ApiJson<NewEvidenceRequest>,
) -> ApiResult<Response> {
    if let Some(existing) = body.evidence_id.filter(|e| !e.trim().is_empty()) {
        state
            .app
            .link_evidence(&g, &aid, &qid, existing.trim(), &id.ctx)
            .await?;
        return Ok((
            StatusCode::CREATED,
            Json(Created {
                id: existing.trim().to_owned(),
            }),
        )
            .into_response());
    }
    let upload = if body.kind.trim() == "file" {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(body.content_base64.trim())
            .map_err(|_| {
                ServiceError::field("content_base64", "The file's content must be base64")
            })?;
        Some(Upload {
            file_name: body.file_name,
            bytes,
        })
    } else {
        None
    };
    let input = NewEvidence {
        title: body.title,
        kind: body.kind,
        url: body.url,
        marking: body.marking,
        review_date: body.review_date,
    };
    let eid = state
        .app
        .add_evidence(&g, &aid, &qid, &input, upload, &id.ctx)
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id: eid })).into_response())
}

/// An evidence file, as an attachment. Refused (403) above the caller's clearance.
#[utoipa::path(get, path = "/api/v1/partnerships/{partnership}/evidence/{evidence}/file", tag = "evidence",
    params(("partnership" = String, Path, description = "Partnership id"), ("evidence" = String, Path, description = "Evidence id")),
    responses((status = 200, description = "The file, as an attachment", content_type = "application/octet-stream"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn evidence_file(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    Path((_, eid)): Path<(String, String)>,
) -> ApiResult<Response> {
    let (name, content_type, bytes) = state.app.evidence_file(&g, &eid, &id.ctx).await?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_DISPOSITION, attachment(&name)),
        ],
        bytes,
    )
        .into_response())
}

/// `Content-Disposition` for a download: only plain printable characters survive, and never a
/// quote or backslash that could end the quoted name early.
pub fn attachment(name: &str) -> String {
    let safe: String = name
        .chars()
        .filter(|c| (c.is_ascii_graphic() || *c == ' ') && *c != '"' && *c != '\\')
        .collect();
    format!("attachment; filename=\"{safe}\"")
}

/// The comments on a question, oldest first.
#[utoipa::path(get, path = "/api/v1/partnerships/{partnership}/assessments/{assessment}/responses/{question}/comments", tag = "assessments",
    params(("partnership" = String, Path, description = "Partnership id"), ("assessment" = String, Path, description = "Assessment id"), ("question" = String, Path, description = "Question id")),
    responses((status = 200, body = [Comment]), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_comments(
    State(state): State<AppState>,
    Granted(g): Granted,
    Path((_, aid, qid)): Path<(String, String, String)>,
) -> ApiResult<Json<Vec<Comment>>> {
    let rows = state.app.comments(&g, &aid, &qid).await?;
    Ok(Json(
        rows.into_iter()
            .map(|c| Comment {
                author: c.author,
                body: c.body,
                created_at: rfc3339(c.created_at),
            })
            .collect(),
    ))
}

/// Comment on a question.
#[utoipa::path(post, path = "/api/v1/partnerships/{partnership}/assessments/{assessment}/responses/{question}/comments", tag = "assessments",
    params(("partnership" = String, Path, description = "Partnership id"), ("assessment" = String, Path, description = "Assessment id"), ("question" = String, Path, description = "Question id")),
    request_body = NewComment,
    responses((status = 204, description = "Added"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_comment(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    Path((_, aid, qid)): Path<(String, String, String)>,
    ApiJson(body): ApiJson<NewComment>,
) -> ApiResult<StatusCode> {
    state
        .app
        .add_comment(&g, &aid, &qid, &body.body, &id.ctx)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Whether a newer version of the assessment's framework is available, and what moving to it
/// would do (only for a draft).
#[utoipa::path(get, path = "/api/v1/partnerships/{partnership}/assessments/{assessment}/upgrade", tag = "assessments",
    params(("partnership" = String, Path, description = "Partnership id"), ("assessment" = String, Path, description = "Assessment id")),
    responses((status = 200, body = UpgradeOffer), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn upgrade_offer(
    State(state): State<AppState>,
    Granted(g): Granted,
    Path((_, aid)): Path<(String, String)>,
) -> ApiResult<Json<UpgradeOffer>> {
    let plan = state.app.upgrade_plan(&g, &aid).await?;
    Ok(Json(UpgradeOffer {
        available: plan.is_some(),
        plan: plan.map(UpgradeBody::from),
    }))
}

/// Move a draft to the newest version of its framework, carrying answers across where the
/// question ids match.
#[utoipa::path(post, path = "/api/v1/partnerships/{partnership}/assessments/{assessment}/upgrade", tag = "assessments",
    params(("partnership" = String, Path, description = "Partnership id"), ("assessment" = String, Path, description = "Assessment id")),
    request_body = UpgradeRequest,
    responses((status = 200, body = UpgradeBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Not a draft, already on the newest version, or a newer version than the one reviewed", body = ErrorBody)))]
pub async fn upgrade(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    Path((_, aid)): Path<(String, String)>,
    ApiJson(body): ApiJson<UpgradeRequest>,
) -> ApiResult<Json<UpgradeBody>> {
    let plan = state
        .app
        .upgrade_assessment(&g, &aid, body.to_version, &id.ctx)
        .await?;
    Ok(Json(plan.into()))
}
