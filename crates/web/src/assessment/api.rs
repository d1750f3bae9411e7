//! The self-assessment over the API: the frameworks on offer, a partnership's assessments,
//! their answers (with the same stale-edit protection as the pages) and their life cycle.
//!
//! Each handler receives the grant the guard decided for its route and passes it to the
//! services, which check it again; this module only translates between JSON and the use cases.

use crate::api::types::{rfc3339, Created, ErrorBody, ErrorDetail};
use crate::api::{ApiError, ApiJson, ApiResult};
use crate::extract::{ApiIds, Granted};
use crate::guard::Identity;
use crate::{AppState, WebError};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use preventkit_services::assessment::{AssessmentView, NewAssessment};
use preventkit_services::domain::assessment::Response as Answer;
use preventkit_services::domain::assessment::Transition;
use preventkit_services::domain::framework::{Framework, Question};
use preventkit_services::domain::{AssessmentId, PartnershipId, QuestionId};
use preventkit_services::ServiceError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// This capability's part of the API description.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        list_frameworks,
        list_assessments,
        create_assessment,
        get_assessment,
        list_responses,
        get_response,
        put_response,
        transition,
        approve,
        list_comments,
        add_comment,
        upgrade_offer,
        upgrade,
        super::spreadsheet_api::export_xlsx,
        super::spreadsheet_api::export_csv,
        super::spreadsheet_api::import_xlsx
    ),
    components(schemas(TransitionAction))
)]
pub(crate) struct Doc;

// ---------------------------------------------------------------------------------------------
// Bodies.
// ---------------------------------------------------------------------------------------------

/// One stored version of a framework.
#[derive(Serialize, ToSchema)]
pub struct FrameworkVersion {
    /// The framework's key, such as `prevent-duty-benchmarks`. Give it as `framework` when
    /// starting an assessment; the newest version is used.
    pub key: String,
    pub version: i64,
    pub title: String,
    /// How many questions this version asks.
    pub questions: usize,
    pub imported_at: String,
}

/// Where an assessment is in its life cycle.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AssessmentStateKey {
    Draft,
    Submitted,
    Approved,
    Locked,
}

/// An assessment, as listed.
#[derive(Serialize, ToSchema)]
pub struct AssessmentSummary {
    pub id: String,
    pub title: String,
    /// `YYYY-MM-DD`.
    pub period_start: String,
    /// `YYYY-MM-DD`.
    pub period_end: String,
    #[schema(value_type = AssessmentStateKey)]
    pub state: String,
    /// The earlier assessment this one started from.
    pub previous_id: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// The framework version an assessment answers.
#[derive(Serialize, ToSchema)]
pub struct FrameworkRef {
    pub key: String,
    pub version: i64,
    pub title: String,
}

/// Answered questions of one kind within a section.
#[derive(Serialize, ToSchema)]
pub struct KindProgress {
    /// The kind's key, such as `expectation`.
    pub kind: String,
    /// The kind's label, such as `Expectation of compliance`.
    pub label: String,
    pub answered: usize,
    pub total: usize,
}

/// Progress on one top-level section. A question counts as answered once it has a rating
/// (a level or `n/a`).
#[derive(Serialize, ToSchema)]
pub struct SectionProgress {
    pub id: String,
    pub number: String,
    pub title: String,
    pub answered: usize,
    pub total: usize,
    pub by_kind: Vec<KindProgress>,
}

/// An assessment with its progress.
#[derive(Serialize, ToSchema)]
pub struct AssessmentDetail {
    pub id: String,
    pub partnership_id: String,
    pub title: String,
    pub framework: FrameworkRef,
    pub period_start: String,
    pub period_end: String,
    #[schema(value_type = AssessmentStateKey)]
    pub state: String,
    /// The state in words.
    pub state_label: String,
    /// Who submitted the current submission (an account id).
    pub submitted_by: Option<String>,
    pub previous_id: Option<String>,
    pub created_by: String,
    pub created_at: String,
    pub updated_at: String,
    /// Answered questions across the whole assessment.
    pub answered: usize,
    pub total: usize,
    pub progress: Vec<SectionProgress>,
}

/// The current answer to one question.
#[derive(Serialize, ToSchema)]
pub struct ResponseItem {
    /// The question's id within the framework (used in the path).
    pub question: String,
    pub number: String,
    pub title: String,
    /// The question's kind key, such as `expectation`.
    pub kind: String,
    /// A level key of the question's scale, `n/a`, or empty when not yet assessed.
    pub rating: String,
    pub details: String,
    /// Counts changes from 1. Send it back as `version` when changing the answer.
    #[schema(minimum = 1)]
    pub version: i64,
    /// Who last changed the answer (an account id).
    pub updated_by: Option<String>,
    pub updated_at: String,
}

/// An earlier version of an answer.
#[derive(Serialize, ToSchema)]
pub struct HistoryEntry {
    #[schema(minimum = 1)]
    pub version: i64,
    pub rating: String,
    pub details: String,
    pub changed_by: Option<String>,
    pub changed_at: String,
}

/// One answer with what the question accepts and every earlier version.
#[derive(Serialize, ToSchema)]
pub struct ResponseDetail {
    #[serde(flatten)]
    pub response: ResponseItem,
    /// The ratings this question accepts besides the empty one: the scale's level keys, lowest
    /// first, then `n/a` where the scale allows it.
    pub allowed_ratings: Vec<String>,
    /// Earlier versions, newest first.
    pub history: Vec<HistoryEntry>,
}

/// A new assessment.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAssessmentRequest {
    #[schema(schema_with = crate::api::openapi::title_200)]
    pub title: String,
    /// A framework key from `GET /api/v1/frameworks`; its newest version is used.
    #[schema(min_length = 1, pattern = r"\S")]
    pub framework: String,
    /// `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub period_start: String,
    /// `YYYY-MM-DD`, on or after `period_start`.
    #[schema(format = Date)]
    pub period_end: String,
    /// Start from this earlier assessment's answers (of the same partnership).
    #[serde(default)]
    pub previous_id: Option<String>,
    /// Assess one member organisation instead of the whole partnership.
    #[serde(default)]
    pub organisation_id: Option<String>,
}

/// A change to one answer.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponseUpdate {
    /// A level key of the question's scale, `n/a` where the scale allows it, or empty.
    pub rating: String,
    pub details: String,
    /// The version of the answer this change is based on (from the last read).
    #[serde(deserialize_with = "crate::api::types::whole_number")]
    pub version: i64,
}

/// What the refused edit would have written.
#[derive(Serialize, ToSchema)]
pub struct YourEdit {
    pub rating: String,
    pub details: String,
}

/// Someone else changed the answer since the version the edit was based on. Nothing was
/// written; `current` is what is stored now and `yours` what was sent, so the client can show
/// both and send again based on `current.version`.
#[derive(Serialize, ToSchema)]
pub struct StaleEditBody {
    pub error: ErrorDetail,
    pub current: ResponseItem,
    pub yours: YourEdit,
}

/// A 409 from changing an answer: a stale edit (code `stale_edit`, with `current` and `yours`),
/// or another conflict (code `conflict`).
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum AnswerConflict {
    Stale(Box<StaleEditBody>),
    Other(ErrorBody),
}

/// The moves the Prevent lead makes. Approval is a separate call, for the board.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TransitionAction {
    Submit,
    Lock,
    Reopen,
}

impl TransitionAction {
    fn from_key(key: &str) -> Option<Self> {
        match key {
            "submit" => Some(Self::Submit),
            "lock" => Some(Self::Lock),
            "reopen" => Some(Self::Reopen),
            _ => None,
        }
    }
}

/// Move an assessment on: `{"action": "submit"}`, `{"action": "lock"}`, or
/// `{"action": "reopen", "reason": "..."}` (a reason is required to reopen).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransitionRequest {
    pub action: String,
    /// Why the assessment is reopened; required for `reopen`, ignored otherwise.
    #[serde(default)]
    pub reason: Option<String>,
    /// For `submit`: the draft may go to the board with questions not answered. Without it, a
    /// draft with blank questions is refused (422, field `confirm_unanswered`) and nothing
    /// changes.
    #[serde(default)]
    pub confirm_unanswered: Option<bool>,
}

impl utoipa::PartialSchema for TransitionRequest {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use crate::api::openapi::{non_empty, one_of_keys};
        use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, OneOfBuilder, Type};
        let move_on = ObjectBuilder::new()
            .property(
                "action",
                one_of_keys(
                    "Submit a draft or lock an approved assessment.",
                    ["submit", "lock"],
                ),
            )
            .required("action")
            .property(
                "reason",
                ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
                        Type::String,
                        Type::Null,
                    ]))
                    .description(Some("Ignored for `submit` and `lock`.")),
            )
            .property(
                "confirm_unanswered",
                ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
                        Type::Boolean,
                        Type::Null,
                    ]))
                    .description(Some(
                        "For `submit`: send the draft to the board even though some questions are not answered. Without it such a draft is refused (422) and nothing changes.",
                    )),
            )
            .additional_properties(Some(AdditionalProperties::FreeForm(false)));
        let reopen = ObjectBuilder::new()
            .property("action", one_of_keys("Reopen: back to draft.", ["reopen"]))
            .required("action")
            .property("reason", non_empty("Why the assessment is reopened.", None))
            .required("reason")
            .property(
                "confirm_unanswered",
                ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
                        Type::Boolean,
                        Type::Null,
                    ]))
                    .description(Some("Ignored for `reopen`.")),
            )
            .additional_properties(Some(AdditionalProperties::FreeForm(false)));
        OneOfBuilder::new()
            .item(move_on)
            .item(reopen)
            .description(Some(
                "Move an assessment on. `reopen` needs a `reason`; approval is POST .../approval. See also TransitionAction.",
            ))
            .into()
    }
}

impl ToSchema for TransitionRequest {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("TransitionRequest")
    }
}

/// Approval: `{}`, or with the minute or meeting reference that records the board's decision.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovalRequest {
    /// The minute or meeting reference, such as "Board 12 March 2027, item 4".
    #[serde(default)]
    pub reference: Option<String>,
}

/// Where an assessment now stands.
#[derive(Serialize, ToSchema)]
pub struct AssessmentStateBody {
    pub id: String,
    #[schema(value_type = AssessmentStateKey)]
    pub state: String,
    pub state_label: String,
}

// ---------------------------------------------------------------------------------------------
// Translation.
// ---------------------------------------------------------------------------------------------

fn find_question<'a>(f: &'a Framework, id: &str) -> Option<&'a Question> {
    f.question(id)
}

/// The answer to `q` as stored in `view`, if there is one.
fn response_item(view: &AssessmentView, q: &Question) -> Option<ResponseItem> {
    view.responses.get(&q.id).map(|r| item(q, r))
}

/// One stored answer to `q`.
fn item(q: &Question, r: &Answer) -> ResponseItem {
    ResponseItem {
        question: q.id.clone(),
        number: q.number.clone(),
        title: q.title.clone(),
        kind: q.kind.clone(),
        rating: r.rating.clone(),
        details: r.details.clone(),
        version: r.version,
        updated_by: r.updated_by.map(|u| u.to_string()),
        updated_at: rfc3339(r.updated_at.millis()),
    }
}

fn allowed_ratings(f: &Framework, q: &Question) -> Vec<String> {
    let Some(scale) = f.scale(&q.scale) else {
        return Vec::new();
    };
    let mut out: Vec<String> = scale.levels.iter().map(|l| l.key.clone()).collect();
    if scale.not_applicable.is_some() {
        out.push("n/a".to_owned());
    }
    out
}

fn conflict(error: ErrorDetail, current: ResponseItem, yours: YourEdit) -> Response {
    (
        StatusCode::CONFLICT,
        Json(StaleEditBody {
            error,
            current,
            yours,
        }),
    )
        .into_response()
}

fn internal(what: &str) -> ApiError {
    ApiError(WebError::Internal(what.to_owned()))
}

// ---------------------------------------------------------------------------------------------
// Handlers.
// ---------------------------------------------------------------------------------------------

/// Every stored framework version, oldest first.
#[utoipa::path(get, path = "/api/v1/frameworks", tag = "assessments",
    responses((status = 200, body = [FrameworkVersion]), (status = 403, body = ErrorBody)))]
pub async fn list_frameworks(
    State(state): State<AppState>,
    Granted(g): Granted,
) -> ApiResult<Json<Vec<FrameworkVersion>>> {
    let list = state.app.list_frameworks(&g).await?;
    Ok(Json(
        list.into_iter()
            .map(|f| FrameworkVersion {
                key: f.key,
                version: f.version,
                title: f.title,
                questions: f.questions,
                imported_at: rfc3339(f.imported_at.millis()),
            })
            .collect(),
    ))
}

/// The partnership's assessments.
#[utoipa::path(get, path = "/api/v1/partnerships/{partnership}/assessments", tag = "assessments",
    params(("partnership" = String, Path, description = "Partnership id")),
    responses((status = 200, body = [AssessmentSummary]), (status = 403, body = ErrorBody)))]
pub async fn list_assessments(
    State(state): State<AppState>,
    Granted(g): Granted,
) -> ApiResult<Json<Vec<AssessmentSummary>>> {
    let rows = state.app.list_assessments(&g).await?;
    Ok(Json(
        rows.into_iter()
            .map(|a| AssessmentSummary {
                id: a.id.to_string(),
                period_start: a.start_text(),
                period_end: a.end_text(),
                title: a.title,
                state: a.state.key().to_owned(),
                previous_id: a.previous.map(|p| p.to_string()),
                created_at: rfc3339(a.created_at.millis()),
                updated_at: rfc3339(a.updated_at.millis()),
            })
            .collect(),
    ))
}

/// Start an assessment for a period, in draft. Every question starts unanswered, or with the
/// earlier assessment's answer when `previous_id` is given.
#[utoipa::path(post, path = "/api/v1/partnerships/{partnership}/assessments", tag = "assessments",
    params(("partnership" = String, Path, description = "Partnership id")),
    request_body = NewAssessmentRequest,
    responses((status = 201, body = Created), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_assessment(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    ApiJson(body): ApiJson<NewAssessmentRequest>,
) -> ApiResult<Response> {
    let input = NewAssessment {
        title: body.title,
        framework: body.framework,
        period_start: body.period_start.into(),
        period_end: body.period_end.into(),
        previous_id: body.previous_id.unwrap_or_default(),
        organisation_id: body.organisation_id.unwrap_or_default(),
    };
    let aid = state.app.create_assessment(&g, &input, &id.ctx).await?;
    Ok((
        StatusCode::CREATED,
        Json(Created {
            id: aid.to_string(),
        }),
    )
        .into_response())
}

/// One assessment: its framework, state and progress per section.
#[utoipa::path(get, path = "/api/v1/partnerships/{partnership}/assessments/{assessment}", tag = "assessments",
    params(("partnership" = String, Path, description = "Partnership id"), ("assessment" = String, Path, description = "Assessment id")),
    responses((status = 200, body = AssessmentDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_assessment(
    State(state): State<AppState>,
    Granted(g): Granted,
    ApiIds((_, aid)): ApiIds<(PartnershipId, AssessmentId)>,
) -> ApiResult<Json<AssessmentDetail>> {
    let view = state.app.assessment(&g, aid).await?;
    let kinds = &view.framework.envelope.kinds;
    let progress: Vec<SectionProgress> = view
        .progress()
        .into_iter()
        .map(|s| SectionProgress {
            id: s.id,
            number: s.number,
            title: s.title,
            answered: s.answered,
            total: s.total,
            by_kind: s
                .by_kind
                .into_iter()
                .map(|(label, answered, total)| KindProgress {
                    kind: kinds
                        .iter()
                        .find(|k| k.label == label)
                        .map(|k| k.key.clone())
                        .unwrap_or_default(),
                    label,
                    answered,
                    total,
                })
                .collect(),
        })
        .collect();
    let a = &view.assessment;
    Ok(Json(AssessmentDetail {
        id: a.id.to_string(),
        partnership_id: a.partnership.to_string(),
        title: a.title.clone(),
        framework: FrameworkRef {
            key: view.framework_key.clone(),
            version: view.framework_version,
            title: view.framework.envelope.title.clone(),
        },
        period_start: a.start_text(),
        period_end: a.end_text(),
        state: a.state.key().to_owned(),
        state_label: a.state.label().to_owned(),
        submitted_by: a.submitted_by.map(|u| u.to_string()),
        previous_id: a.previous.map(|p| p.to_string()),
        created_by: a.created_by.to_string(),
        created_at: rfc3339(a.created_at.millis()),
        updated_at: rfc3339(a.updated_at.millis()),
        answered: progress.iter().map(|s| s.answered).sum(),
        total: progress.iter().map(|s| s.total).sum(),
        progress,
    }))
}

/// The current answer to every question, in the framework's order.
#[utoipa::path(get, path = "/api/v1/partnerships/{partnership}/assessments/{assessment}/responses", tag = "assessments",
    params(("partnership" = String, Path, description = "Partnership id"), ("assessment" = String, Path, description = "Assessment id")),
    responses((status = 200, body = [ResponseItem]), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_responses(
    State(state): State<AppState>,
    Granted(g): Granted,
    ApiIds((_, aid)): ApiIds<(PartnershipId, AssessmentId)>,
) -> ApiResult<Json<Vec<ResponseItem>>> {
    let view = state.app.assessment(&g, aid).await?;
    Ok(Json(
        view.framework
            .questions()
            .into_iter()
            .filter_map(|(_, q)| response_item(&view, q))
            .collect(),
    ))
}

/// One answer, what it accepts, and its earlier versions.
#[utoipa::path(get, path = "/api/v1/partnerships/{partnership}/assessments/{assessment}/responses/{question}", tag = "assessments",
    params(("partnership" = String, Path, description = "Partnership id"), ("assessment" = String, Path, description = "Assessment id"), ("question" = String, Path, description = "Question id, such as `1.1`")),
    responses((status = 200, body = ResponseDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_response(
    State(state): State<AppState>,
    Granted(g): Granted,
    ApiIds((_, aid, qid)): ApiIds<(PartnershipId, AssessmentId, QuestionId)>,
) -> ApiResult<Json<ResponseDetail>> {
    let (view, history) = state.app.response_with_history(&g, aid, &qid).await?;
    let q = find_question(&view.framework, qid.as_str()).ok_or(ApiError(WebError::NotFound))?;
    let response = response_item(&view, q).ok_or(ApiError(WebError::NotFound))?;
    Ok(Json(ResponseDetail {
        allowed_ratings: allowed_ratings(&view.framework, q),
        response,
        history: history
            .into_iter()
            .map(|h| HistoryEntry {
                version: h.version,
                rating: h.rating,
                details: h.details,
                changed_by: h.changed_by.map(|u| u.to_string()),
                changed_at: rfc3339(h.changed_at.millis()),
            })
            .collect(),
    }))
}

/// Rate one question and write its supporting details, based on the version last read. Only a
/// draft can change, and a contributor answers only the questions assigned to them or their
/// organisation. If someone else changed the answer since `version`, nothing is written and
/// the answer comes back with 409 as `current` (error code `stale_edit`). A rating whose level
/// the framework marks as needing supporting details (Developing and Achieving in the Prevent
/// duty benchmark) is refused with 422 naming the field `details` when they are empty.
#[utoipa::path(put, path = "/api/v1/partnerships/{partnership}/assessments/{assessment}/responses/{question}", tag = "assessments",
    params(("partnership" = String, Path, description = "Partnership id"), ("assessment" = String, Path, description = "Assessment id"), ("question" = String, Path, description = "Question id, such as `1.1`")),
    request_body = ResponseUpdate,
    responses(
        (status = 200, description = "Saved; `version` is the new version", body = ResponseItem),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "A stale edit (code `stale_edit`, with `current` and `yours`), or an assessment that is not a draft or a question assigned to someone else (code `conflict`)", body = AnswerConflict),
        (status = 422, body = ErrorBody)))]
pub async fn put_response(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    ApiIds((_, aid, qid)): ApiIds<(PartnershipId, AssessmentId, QuestionId)>,
    ApiJson(body): ApiJson<ResponseUpdate>,
) -> ApiResult<Response> {
    let result = state
        .app
        .respond(
            &g,
            aid,
            &qid,
            body.version,
            &body.rating,
            &body.details,
            &id.ctx,
        )
        .await;
    match result {
        Ok(saved) => {
            let q = saved
                .framework
                .question(qid.as_str())
                .ok_or_else(|| internal("a saved answer's question has gone"))?;
            Ok(Json(item(q, &saved.response)).into_response())
        }
        Err(Ok(stale)) => {
            let q = stale
                .framework
                .question(qid.as_str())
                .ok_or_else(|| internal("a stale answer's question has gone"))?;
            let current = item(q, &stale.current);
            let error = ErrorDetail {
                code: "stale_edit".to_owned(),
                message: format!(
                    "Someone else changed this answer after version {}. Nothing was saved; \
                     the stored answer is in 'current'. Send your change again based on version {} \
                     if it should replace it",
                    body.version, current.version
                ),
                field: Some("version".to_owned()),
                fields: Vec::new(),
            };
            Ok(conflict(
                error,
                current,
                YourEdit {
                    rating: stale.yours_rating,
                    details: stale.yours_details,
                },
            ))
        }
        Err(Err(e)) => Err(e.into()),
    }
}

/// Submit a draft, lock an approved assessment, or reopen one (back to draft, with a reason).
#[utoipa::path(post, path = "/api/v1/partnerships/{partnership}/assessments/{assessment}/transitions", tag = "assessments",
    params(("partnership" = String, Path, description = "Partnership id"), ("assessment" = String, Path, description = "Assessment id")),
    request_body = TransitionRequest,
    responses(
        (status = 200, body = AssessmentStateBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "The move is not possible from the current state", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn transition(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    ApiIds((_, aid)): ApiIds<(PartnershipId, AssessmentId)>,
    ApiJson(body): ApiJson<TransitionRequest>,
) -> ApiResult<Json<AssessmentStateBody>> {
    let t = match TransitionAction::from_key(body.action.trim()) {
        Some(TransitionAction::Submit) => Transition::Submit {
            unanswered_confirmed: body.confirm_unanswered.unwrap_or(false),
        },
        Some(TransitionAction::Lock) => Transition::Lock,
        Some(TransitionAction::Reopen) => {
            let reason = body.reason.unwrap_or_default();
            if reason.trim().is_empty() {
                return Err(ServiceError::field(
                    "reason",
                    "Give a reason for reopening the assessment",
                )
                .into());
            }
            Transition::Reopen { reason }
        }
        None => {
            return Err(ServiceError::field(
                "action",
                "'action' must be 'submit', 'lock' or 'reopen' (approval is POST .../approval)",
            )
            .into())
        }
    };
    move_on(&state, &id, &g, aid, &t).await
}

/// Approve a submitted assessment. Nobody approves an assessment they submitted.
#[utoipa::path(post, path = "/api/v1/partnerships/{partnership}/assessments/{assessment}/approval", tag = "assessments",
    params(("partnership" = String, Path, description = "Partnership id"), ("assessment" = String, Path, description = "Assessment id")),
    request_body = ApprovalRequest,
    responses(
        (status = 200, body = AssessmentStateBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Not submitted, or submitted by the caller", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn approve(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    ApiIds((_, aid)): ApiIds<(PartnershipId, AssessmentId)>,
    ApiJson(body): ApiJson<ApprovalRequest>,
) -> ApiResult<Json<AssessmentStateBody>> {
    let t = Transition::Approve {
        reference: body.reference,
    };
    move_on(&state, &id, &g, aid, &t).await
}

async fn move_on(
    state: &AppState,
    id: &Identity,
    g: &preventkit_services::Grant,
    aid: AssessmentId,
    t: &Transition,
) -> ApiResult<Json<AssessmentStateBody>> {
    let to = state.app.transition(g, aid, t, &id.ctx).await?;
    Ok(Json(AssessmentStateBody {
        id: aid.to_string(),
        state: to.key().to_owned(),
        state_label: to.label().to_owned(),
    }))
}

// Comments on questions and framework upgrades.

use preventkit_services::assessment::UpgradePlan;

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
    #[schema(schema_with = crate::api::openapi::comment_body)]
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
    #[serde(deserialize_with = "crate::api::types::whole_number")]
    pub to_version: i64,
}

/// The comments on a question, oldest first.
#[utoipa::path(get, path = "/api/v1/partnerships/{partnership}/assessments/{assessment}/responses/{question}/comments", tag = "assessments",
    params(("partnership" = String, Path, description = "Partnership id"), ("assessment" = String, Path, description = "Assessment id"), ("question" = String, Path, description = "Question id")),
    responses((status = 200, body = [Comment]), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_comments(
    State(state): State<AppState>,
    Granted(g): Granted,
    ApiIds((_, aid, qid)): ApiIds<(PartnershipId, AssessmentId, QuestionId)>,
) -> ApiResult<Json<Vec<Comment>>> {
    let rows = state.app.comments(&g, aid, &qid).await?;
    Ok(Json(
        rows.into_iter()
            .map(|c| Comment {
                author: c.author,
                body: c.body,
                created_at: rfc3339(c.created_at.millis()),
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
    ApiIds((_, aid, qid)): ApiIds<(PartnershipId, AssessmentId, QuestionId)>,
    ApiJson(body): ApiJson<NewComment>,
) -> ApiResult<StatusCode> {
    state
        .app
        .add_comment(&g, aid, &qid, &body.body, &id.ctx)
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
    ApiIds((_, aid)): ApiIds<(PartnershipId, AssessmentId)>,
) -> ApiResult<Json<UpgradeOffer>> {
    let plan = state.app.upgrade_plan(&g, aid).await?;
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
    ApiIds((_, aid)): ApiIds<(PartnershipId, AssessmentId)>,
    ApiJson(body): ApiJson<UpgradeRequest>,
) -> ApiResult<Json<UpgradeBody>> {
    let plan = state
        .app
        .upgrade_assessment(&g, aid, body.to_version, &id.ctx)
        .await?;
    Ok(Json(plan.into()))
}
