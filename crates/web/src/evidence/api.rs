//! Evidence of a self-assessment over the API.
//!
//! Evidence follows the same rules as on the pages: items marked above the caller's clearance
//! show that they exist and their marking, never their content; files are stored under
//! server-generated ids and served only as attachments.

use crate::api::types::{Created, ErrorBody};
use crate::api::{ApiError, ApiJson, ApiResult};
use crate::extract::Granted;
use crate::guard::Identity;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine as _;
use preventkit_services::evidence::{EvidenceView, NewEvidence, Upload, MAX_FILE_BYTES};
use preventkit_services::ServiceError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// This capability's part of the API description.
#[derive(utoipa::OpenApi)]
#[openapi(paths(list_evidence, add_evidence, evidence_file))]
pub(crate) struct Doc;

/// The content types evidence files are served with (the type is decided from the file's
/// extension when it is uploaded, and checked against its first bytes).
pub const FILE_TYPES: [&str; 10] = [
    "application/pdf",
    "image/png",
    "image/jpeg",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "text/plain",
    "text/csv",
];

/// The length of the base64 text of the largest file accepted (10 MiB).
pub const MAX_FILE_BASE64: usize = 4 * MAX_FILE_BYTES.div_ceil(3);

/// The largest body `POST .../evidence` accepts: a 10 MiB file in base64 (about 13.3 MiB) and
/// room for the other fields. Anything larger is refused with 413 before it is read whole.
pub const MAX_EVIDENCE_JSON_BYTES: usize = MAX_FILE_BASE64 + 64 * 1024;

/// The evidence file download answers with one of [`FILE_TYPES`] and a `Content-Disposition`
/// naming the file; the derive macros cannot list several content types, so this says it.
pub struct FileTypes;

impl utoipa::Modify for FileTypes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        use utoipa::openapi::{ContentBuilder, HeaderBuilder, RefOr, ResponseBuilder};
        let Some(op) = openapi
            .paths
            .paths
            .get_mut("/api/v1/partnerships/{partnership}/evidence/{evidence}/file")
            .and_then(|item| item.get.as_mut())
        else {
            return;
        };
        let mut r = ResponseBuilder::new()
            .description("The file, as an attachment, with the content type of its kind")
            .header(
                "Content-Disposition",
                HeaderBuilder::new()
                    .schema(ObjectBuilder::new().schema_type(Type::String))
                    .description(Some("`attachment; filename=\"...\"`"))
                    .build(),
            );
        for t in FILE_TYPES {
            r = r.content(t, ContentBuilder::new().build());
        }
        op.responses
            .responses
            .insert("200".to_owned(), RefOr::T(r.build()));
    }
}

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
    #[schema(value_type = EvidenceKind)]
    pub kind: String,
    pub url: Option<String>,
    pub file_name: Option<String>,
    pub size: Option<i64>,
    #[schema(value_type = MarkingLabel)]
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

/// `file` or `link`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum EvidenceKind {
    File,
    Link,
}

/// A protective marking, as shown.
#[derive(Serialize, ToSchema)]
pub enum MarkingLabel {
    #[serde(rename = "OFFICIAL")]
    Official,
    #[serde(rename = "OFFICIAL-SENSITIVE")]
    OfficialSensitive,
}

/// New evidence for a question: a link, a file (its bytes in base64), or an item of the
/// partnership that already exists (`evidence_id` alone).
#[derive(Deserialize)]
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

impl utoipa::PartialSchema for NewEvidenceRequest {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use crate::api::openapi::{non_empty, one_of_keys};
        use utoipa::openapi::schema::{
            AdditionalProperties, ObjectBuilder, OneOfBuilder, SchemaType, Type,
        };
        let text = |description: &str, pattern: Option<&str>| {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(pattern)
                .description(Some(description))
        };
        // Without a usable `evidence_id`, the item is new.
        let no_existing = || {
            ObjectBuilder::new()
                .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
                .pattern(Some(r"^\s*$"))
                .description(Some("Empty or absent for a new item."))
        };
        let marking = one_of_keys(
            "The item's protective marking, at most the caller's clearance.",
            ["official", "official-sensitive"],
        );
        let review = || {
            text(
                "When the item should be checked again: `YYYY-MM-DD`, or empty.",
                Some(r"^\s*([0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01]))?\s*$"),
            )
        };
        let title = || crate::api::openapi::title_200();
        let existing = ObjectBuilder::new()
            .title(Some("An existing item"))
            .property(
                "evidence_id",
                text("An evidence item of the partnership.", Some(r"\S")),
            )
            .required("evidence_id")
            .property("title", text("Ignored.", None))
            .property("kind", text("Ignored.", None))
            .property("url", text("Ignored.", None))
            .property("file_name", text("Ignored.", None))
            .property("content_base64", text("Ignored.", None))
            .property("marking", text("Ignored.", None))
            .property("review_date", text("Ignored.", None))
            .additional_properties(Some(AdditionalProperties::FreeForm(false)));
        let link = ObjectBuilder::new()
            .title(Some("A link"))
            .property("evidence_id", no_existing())
            .property("kind", one_of_keys("A link.", ["link"]))
            .required("kind")
            .property("title", title())
            .required("title")
            .property(
                "url",
                text(
                    "An `https://` or `http://` address without spaces, at most 2,000 characters.",
                    Some(r"^\s*https?://\S*\s*$"),
                ),
            )
            .required("url")
            .property("marking", marking.clone())
            .required("marking")
            .property("review_date", review())
            .property("file_name", text("Ignored for a link.", None))
            .property("content_base64", text("Ignored for a link.", None))
            .additional_properties(Some(AdditionalProperties::FreeForm(false)));
        let file = ObjectBuilder::new()
            .title(Some("A file"))
            .property("evidence_id", no_existing())
            .property("kind", one_of_keys("A file.", ["file"]))
            .required("kind")
            .property("title", title())
            .required("title")
            .property(
                "file_name",
                non_empty(
                    "The file's name; its extension decides its type: .pdf, .png, .jpg, .jpeg, .docx, .xlsx, .pptx, .odt, .ods, .txt or .csv.",
                    None,
                ),
            )
            .required("file_name")
            .property(
                "content_base64",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .min_length(Some(1))
                    .pattern(Some(crate::api::openapi::BASE64_PATTERN))
                    .content_encoding("base64")
                    .description(Some(
                        "The file's bytes in standard base64: at most 10 MiB (10,485,760 bytes) once decoded, and starting as its type does.",
                    )),
            )
            .required("content_base64")
            .property("marking", marking)
            .required("marking")
            .property("review_date", review())
            .property("url", text("Ignored for a file.", None))
            .additional_properties(Some(AdditionalProperties::FreeForm(false)));
        OneOfBuilder::new()
            .item(existing)
            .item(link)
            .item(file)
            .description(Some(
                "New evidence for a question: an existing item of the partnership (`evidence_id`), a link, or a file with its bytes in base64.",
            ))
            .into()
    }
}

impl ToSchema for NewEvidenceRequest {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("NewEvidenceRequest")
    }
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
    ApiJson(body): ApiJson<NewEvidenceRequest, MAX_EVIDENCE_JSON_BYTES>,
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
        let text = body.content_base64.trim();
        if text.len() > MAX_FILE_BASE64 {
            return Err(too_big().into());
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|_| {
                ServiceError::field("content_base64", "The file's content must be base64")
            })?;
        if bytes.len() > MAX_FILE_BYTES {
            return Err(too_big().into());
        }
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
        review_date: body.review_date.into(),
    };
    let eid = state
        .app
        .add_evidence(&g, &aid, &qid, &input, upload, &id.ctx)
        .await
        .map_err(file_is_content)?;
    Ok((StatusCode::CREATED, Json(Created { id: eid })).into_response())
}

fn too_big() -> ServiceError {
    ServiceError::field(
        "content_base64",
        format!("The file must be 10 MiB ({MAX_FILE_BYTES} bytes) or smaller"),
    )
}

/// The services name the uploaded file `file`; in this API it is `content_base64`.
fn file_is_content(e: ServiceError) -> ApiError {
    match e {
        ServiceError::Validation(mut v) => {
            for f in &mut v.0 {
                if f.field == "file" {
                    f.field = "content_base64".into();
                }
            }
            ServiceError::Validation(v).into()
        }
        other => other.into(),
    }
}

/// An evidence file, as an attachment. Refused (403) above the caller's clearance.
#[utoipa::path(get, path = "/api/v1/partnerships/{partnership}/evidence/{evidence}/file", tag = "evidence",
    params(("partnership" = String, Path, description = "Partnership id"), ("evidence" = String, Path, description = "Evidence id")),
    responses((status = 200, description = "The file, as an attachment, with the content type of its kind"),
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
