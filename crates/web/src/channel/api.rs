//! Channel case management over the API: referral, the referrer's statuses, the case list, a
//! case (every read audited), exceptional access, assigning, screening, and who opened a case.
//!
//! Cases are named by opaque ids and references; nothing personal is ever in a path.

use crate::api::types::{rfc3339, ErrorBody};
use crate::api::{no_content, ApiJson, ApiResult};
use crate::extract::{ApiIds, Granted};
use crate::guard::Identity;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use preventkit_services::channel::{CaseView, TimelineEntry, TimelineKind};
use preventkit_services::domain::channel::{
    CaseListing, CasePart, DeconflictionInput, InformationInput, OutcomeInput, ReferralInput,
};
use preventkit_services::domain::dates::DateEntry;
use preventkit_services::domain::{CaseId, PartnershipId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// This capability's part of the API description.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    refer,
    my_referrals,
    cases,
    case,
    give_exceptional_access,
    assign_officer,
    record_deconfliction,
    record_information,
    record_outcome,
    access_log
))]
pub(crate) struct Doc;

const PARTNERSHIP: &str = "Partnership id";

// ----- Bodies -----

/// A referral. Keys of the closed lists are those of the referral form.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferralRequest {
    /// The person's full name.
    pub person_name: String,
    /// `YYYY-MM-DD`, or empty when not known (then give `approximate_age`).
    #[serde(default)]
    #[schema(pattern = r"^\s*([0-9]{4}-[0-9]{2}-[0-9]{2})?\s*$")]
    pub date_of_birth: String,
    /// Whole years, when the date of birth is not known.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 120)]
    pub approximate_age: Option<u32>,
    /// `female`, `male`, `other` or `not-known`.
    pub gender: String,
    /// Address, or the area the person lives in.
    pub address: String,
    #[serde(default)]
    pub contact: String,
    /// Professionals already involved.
    #[serde(default)]
    pub professionals: String,
    /// What was seen or heard.
    pub concern: String,
    /// The type of concern: `islamist`, `extreme-right-wing`, `left-wing-anarchist-single-issue`,
    /// `conflicted-or-unclear`, `violence-fascination`, `no-identified-ideology` or `other`.
    pub concern_type: String,
    /// The referrer's organisation.
    pub organisation: String,
    /// The referrer's sector, such as `education` or `health`.
    pub sector: String,
    /// Whether the person knows about the referral: `yes`, `no` or `not-known`.
    pub aware: String,
}

/// A referral sent.
#[derive(Serialize, ToSchema)]
pub struct Referred {
    pub id: String,
    /// The case's reference, such as `CH-2026-0042`.
    pub reference: String,
}

/// One of the caller's referrals: where it is, and once screened the category of the
/// outcome. Never anything others added.
#[derive(Serialize, ToSchema)]
pub struct ReferralStatus {
    pub id: String,
    pub reference: String,
    pub referred_at: String,
    pub status: String,
}

/// A case as lists show it: no personal data and no narrative.
#[derive(Serialize, ToSchema)]
pub struct CaseSummary {
    pub id: String,
    pub reference: String,
    /// `referred`, `screening`, `awaiting-panel` or `closed`.
    pub stage: String,
    pub stage_label: String,
    /// The outcome of screening, once recorded.
    pub outcome: Option<String>,
    pub concern_type: String,
    pub sector: String,
    pub referred_at: String,
    pub updated_at: String,
    pub case_officer_id: Option<String>,
    /// Give it back when recording the outcome.
    pub version: i64,
}

fn summary(l: &CaseListing) -> CaseSummary {
    CaseSummary {
        id: l.id.to_string(),
        reference: l.reference.to_string(),
        stage: l.stage.key().into(),
        stage_label: l.stage.label().into(),
        outcome: l.outcome.map(|o| o.key().to_owned()),
        concern_type: l.concern.key().into(),
        sector: l.sector.key().into(),
        referred_at: rfc3339(l.referred_at.0),
        updated_at: rfc3339(l.updated_at.0),
        case_officer_id: l.case_officer.map(|u| u.to_string()),
        version: l.version,
    }
}

/// The person a case is about.
#[derive(Serialize, ToSchema)]
pub struct CasePerson {
    pub name: String,
    /// `YYYY-MM-DD`, when known.
    pub date_of_birth: Option<String>,
    pub approximate_age: Option<u32>,
    pub gender: String,
    pub age_band: String,
    pub address: String,
    pub contact: String,
    pub professionals: String,
}

/// One entry of a case's timeline, oldest first. `kind` says which of the other fields are
/// given.
#[derive(Serialize, ToSchema)]
pub struct TimelineItem {
    pub at: String,
    pub by_name: String,
    /// `referred`, `assigned`, `deconfliction`, `information`, `outcome` or `attached`.
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub officer_name: Option<String>,
    /// `YYYY-MM-DD`: the day of a deconfliction, or when information was received.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub with_whom: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub narrative: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other_service: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reasons: Option<String>,
    /// The reference of a referral added to this case.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// For `decision`: `adopt`, `not-adopted` or `back-to-police`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<String>,
}

fn timeline_item(e: &TimelineEntry) -> TimelineItem {
    let mut t = TimelineItem {
        at: rfc3339(e.at.0),
        by_name: e.by_name.clone(),
        kind: String::new(),
        officer_name: None,
        on: None,
        with_whom: None,
        result: None,
        source: None,
        narrative: None,
        outcome: None,
        services: Vec::new(),
        other_service: None,
        reasons: None,
        reference: None,
        decision: None,
    };
    match &e.kind {
        TimelineKind::Referred => t.kind = "referred".into(),
        TimelineKind::Assigned { officer_name } => {
            t.kind = "assigned".into();
            t.officer_name = Some(officer_name.clone());
        }
        TimelineKind::Deconfliction(d) => {
            t.kind = "deconfliction".into();
            t.on = Some(d.on.to_string());
            t.with_whom = Some(d.with_whom.clone());
            t.result = Some(d.result.key().into());
        }
        TimelineKind::Information(i) => {
            t.kind = "information".into();
            t.on = Some(i.received.to_string());
            t.source = Some(i.source.clone());
            t.narrative = Some(i.narrative.clone());
        }
        TimelineKind::Outcome(o) => {
            t.kind = "outcome".into();
            t.outcome = Some(o.outcome.key().into());
            t.services = o.services.iter().map(|s| s.key().to_owned()).collect();
            t.other_service = (!o.other_service.is_empty()).then(|| o.other_service.clone());
            t.reasons = Some(o.reasons.clone());
        }
        TimelineKind::Attached { reference } => {
            t.kind = "attached".into();
            t.reference = Some(reference.to_string());
        }
        TimelineKind::Decision(d) => {
            t.kind = "decision".into();
            t.decision = Some(d.decision.key().into());
            t.services = d.services.iter().map(|s| s.key().to_owned()).collect();
            t.other_service = (!d.other_service.is_empty()).then(|| d.other_service.clone());
            t.reasons = Some(d.reasons.clone());
        }
    }
    t
}

/// A case, as its case officer, the panel chair or someone with exceptional access reads it.
/// Every read is recorded.
#[derive(Serialize, ToSchema)]
pub struct Case {
    pub case: CaseSummary,
    /// How the caller came to it: `case-officer`, `panel-chair` or `exceptional`.
    pub relation: String,
    pub may_change: bool,
    pub may_assign: bool,
    pub person: CasePerson,
    /// What was seen or heard.
    pub concern: String,
    pub organisation: String,
    /// Whether the person knows about the referral: `yes`, `no` or `not-known`.
    pub aware: String,
    pub referrer_name: String,
    pub officer_name: Option<String>,
    pub latest_deconfliction: Option<String>,
    pub timeline: Vec<TimelineItem>,
    /// Other cases of this partnership about the same person.
    pub same_person: Vec<CaseSummary>,
    /// Referrals added to this case.
    pub attached: Vec<CaseSummary>,
    /// The case this referral was added to.
    pub attached_to: Option<CaseSummary>,
}

fn case_body(v: &CaseView) -> Case {
    let p = &v.person;
    Case {
        case: summary(&v.listing),
        relation: v.relation.key().into(),
        may_change: v.may_change,
        may_assign: v.may_assign,
        person: CasePerson {
            name: p.name.clone(),
            date_of_birth: p.date_of_birth.map(|d| d.to_string()),
            approximate_age: p.approximate_age,
            gender: p.gender.key().into(),
            age_band: v.age_band.key().into(),
            address: p.address.clone(),
            contact: p.contact.clone(),
            professionals: p.professionals.clone(),
        },
        concern: v.concern.clone(),
        organisation: v.organisation.clone(),
        aware: v.aware.key().into(),
        referrer_name: v.referrer_name.clone(),
        officer_name: v.officer_name.clone(),
        latest_deconfliction: v.latest_deconfliction.map(|d| d.key().to_owned()),
        timeline: v.timeline.iter().map(timeline_item).collect(),
        same_person: v.same_person.iter().map(summary).collect(),
        attached: v.attached.iter().map(summary).collect(),
        attached_to: v.attached_to.as_ref().map(summary),
    }
}

/// Why the caller opens a case without a relationship to it. Do not include personal details.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExceptionalAccessRequest {
    #[schema(min_length = 1, pattern = r"\S")]
    pub reason: String,
}

/// The case officer to assign.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    /// The user id of a case officer or the chair of this partnership.
    #[schema(min_length = 1, pattern = r"\S")]
    pub officer: String,
}

/// The police deconfliction step.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeconflictionRequest {
    /// `YYYY-MM-DD`, today or earlier.
    #[schema(format = Date)]
    pub on: String,
    /// Who it was done with (a team or role is enough).
    #[schema(min_length = 1, pattern = r"\S")]
    pub with_whom: String,
    /// `no-conflict`, `police-led` or `hold`.
    pub result: String,
}

/// Information gathered from a partner.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InformationRequest {
    /// Where it came from (an organisation or team).
    #[schema(min_length = 1, pattern = r"\S")]
    pub source: String,
    /// `YYYY-MM-DD`, today or earlier.
    #[schema(format = Date)]
    pub received: String,
    #[schema(min_length = 1, pattern = r"\S")]
    pub narrative: String,
}

/// The outcome of screening.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeRequest {
    /// The case's version this outcome was decided on (from the last read). If the case has
    /// changed since, nothing is recorded and the answer is 409.
    #[serde(deserialize_with = "crate::api::types::whole_number")]
    pub version: i64,
    /// `no-further-action`, `signposted`, `police-managed` or `to-panel`.
    pub outcome: String,
    /// For `signposted`: the services, such as `early-help` or `other`.
    #[serde(default)]
    pub services: Vec<String>,
    /// For the service `other`: which.
    #[serde(default)]
    pub other_service: String,
    #[schema(min_length = 1, pattern = r"\S")]
    pub reasons: String,
}

/// Who opened a case and when, without its content.
#[derive(Serialize, ToSchema)]
pub struct AccessLog {
    pub case_id: String,
    pub reference: String,
    pub entries: Vec<AccessEntry>,
}

#[derive(Serialize, ToSchema)]
pub struct AccessEntry {
    pub at: String,
    pub who: String,
    pub action: String,
    pub action_label: String,
    /// Which part of the case was shown, or the reason given for exceptional access.
    pub part: String,
}

// ----- Handlers -----

/// Make a referral. Only its status is shown back to the referrer afterwards.
#[utoipa::path(post, path = "/api/v1/partnerships/{partnership}/referrals", tag = "channel",
    params(("partnership" = String, Path, description = PARTNERSHIP)),
    request_body = ReferralRequest,
    responses((status = 201, body = Referred), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn refer(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    ApiJson(body): ApiJson<ReferralRequest>,
) -> ApiResult<Response> {
    let input = ReferralInput {
        person_name: body.person_name,
        date_of_birth: DateEntry::Iso(body.date_of_birth),
        approximate_age: body
            .approximate_age
            .map(|a| a.to_string())
            .unwrap_or_default(),
        gender: body.gender,
        address: body.address,
        contact: body.contact,
        professionals: body.professionals,
        concern: body.concern,
        concern_type: body.concern_type,
        organisation: body.organisation,
        sector: body.sector,
        aware: body.aware,
    };
    let r = state.app.refer(&g, &id.ctx, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(Referred {
            id: r.id.to_string(),
            reference: r.reference.to_string(),
        }),
    )
        .into_response())
}

/// The caller's own referrals, with where each one is.
#[utoipa::path(get, path = "/api/v1/partnerships/{partnership}/referrals", tag = "channel",
    params(("partnership" = String, Path, description = PARTNERSHIP)),
    responses((status = 200, body = [ReferralStatus]), (status = 403, body = ErrorBody)))]
pub async fn my_referrals(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
) -> ApiResult<Json<Vec<ReferralStatus>>> {
    let list = state.app.my_referrals(&g, &id.ctx).await?;
    Ok(Json(
        list.into_iter()
            .map(|r| ReferralStatus {
                id: r.id.to_string(),
                reference: r.reference.to_string(),
                referred_at: rfc3339(r.referred_at.0),
                status: r.status,
            })
            .collect(),
    ))
}

/// The partnership's cases, without personal data or narrative.
#[utoipa::path(get, path = "/api/v1/partnerships/{partnership}/cases", tag = "channel",
    params(("partnership" = String, Path, description = PARTNERSHIP)),
    responses((status = 200, body = [CaseSummary]), (status = 403, body = ErrorBody)))]
pub async fn cases(
    State(state): State<AppState>,
    Granted(g): Granted,
) -> ApiResult<Json<Vec<CaseSummary>>> {
    let list = state.app.cases(&g).await?;
    Ok(Json(list.iter().map(summary).collect()))
}

/// A case. The read is recorded before the answer is sent. Without a relationship to the case,
/// the answer is 403 `exceptional_access_needed` until exceptional access is given.
#[utoipa::path(get, path = "/api/v1/partnerships/{partnership}/cases/{case}", tag = "channel",
    params(("partnership" = String, Path, description = PARTNERSHIP), ("case" = String, Path, description = "Case id")),
    responses((status = 200, body = Case), (status = 403, body = ErrorBody, description = "Not allowed (`forbidden`), or the case opens only by exceptional access (`exceptional_access_needed`)"), (status = 404, body = ErrorBody)))]
pub async fn case(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    ApiIds((_, cid)): ApiIds<(PartnershipId, CaseId)>,
) -> ApiResult<Json<Case>> {
    let view = state
        .app
        .open_case(&g, &id.ctx, cid, CasePart::ApiRecord)
        .await?;
    Ok(Json(case_body(&view)))
}

/// Open a case without a relationship to it, for a while, giving the reason. The access and
/// its reason are recorded and reviewed by the data protection officer.
#[utoipa::path(post, path = "/api/v1/partnerships/{partnership}/cases/{case}/exceptional-access", tag = "channel",
    params(("partnership" = String, Path, description = PARTNERSHIP), ("case" = String, Path, description = "Case id")),
    request_body = ExceptionalAccessRequest,
    responses((status = 204, description = "Given"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn give_exceptional_access(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    ApiIds((_, cid)): ApiIds<(PartnershipId, CaseId)>,
    ApiJson(body): ApiJson<ExceptionalAccessRequest>,
) -> ApiResult<Response> {
    state
        .app
        .give_exceptional_access(&g, &id.ctx, cid, &body.reason)
        .await?;
    Ok(no_content())
}

/// Assign the case officer.
#[utoipa::path(put, path = "/api/v1/partnerships/{partnership}/cases/{case}/officer", tag = "channel",
    params(("partnership" = String, Path, description = PARTNERSHIP), ("case" = String, Path, description = "Case id")),
    request_body = AssignRequest,
    responses((status = 204, description = "Assigned"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn assign_officer(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    ApiIds((_, cid)): ApiIds<(PartnershipId, CaseId)>,
    ApiJson(body): ApiJson<AssignRequest>,
) -> ApiResult<Response> {
    state
        .app
        .assign_case_officer(&g, &id.ctx, cid, &body.officer)
        .await?;
    Ok(no_content())
}

/// Record the police deconfliction step.
#[utoipa::path(post, path = "/api/v1/partnerships/{partnership}/cases/{case}/deconflictions", tag = "channel",
    params(("partnership" = String, Path, description = PARTNERSHIP), ("case" = String, Path, description = "Case id")),
    request_body = DeconflictionRequest,
    responses((status = 204, description = "Recorded"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn record_deconfliction(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    ApiIds((_, cid)): ApiIds<(PartnershipId, CaseId)>,
    ApiJson(body): ApiJson<DeconflictionRequest>,
) -> ApiResult<Response> {
    let input = DeconflictionInput {
        on: DateEntry::Iso(body.on),
        with_whom: body.with_whom,
        result: body.result,
    };
    state
        .app
        .record_deconfliction(&g, &id.ctx, cid, &input)
        .await?;
    Ok(no_content())
}

/// Record information gathered from a partner.
#[utoipa::path(post, path = "/api/v1/partnerships/{partnership}/cases/{case}/information", tag = "channel",
    params(("partnership" = String, Path, description = PARTNERSHIP), ("case" = String, Path, description = "Case id")),
    request_body = InformationRequest,
    responses((status = 204, description = "Recorded"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn record_information(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    ApiIds((_, cid)): ApiIds<(PartnershipId, CaseId)>,
    ApiJson(body): ApiJson<InformationRequest>,
) -> ApiResult<Response> {
    let input = InformationInput {
        source: body.source,
        received: DateEntry::Iso(body.received),
        narrative: body.narrative,
    };
    state
        .app
        .record_information(&g, &id.ctx, cid, &input)
        .await?;
    Ok(no_content())
}

/// Record the outcome of screening, based on the case's `version`.
#[utoipa::path(post, path = "/api/v1/partnerships/{partnership}/cases/{case}/outcome", tag = "channel",
    params(("partnership" = String, Path, description = PARTNERSHIP), ("case" = String, Path, description = "Case id")),
    request_body = OutcomeRequest,
    responses((status = 204, description = "Recorded"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "The case changed since `version`, or a rule of screening refuses this outcome (the message says which)"), (status = 422, body = ErrorBody)))]
pub async fn record_outcome(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    ApiIds((_, cid)): ApiIds<(PartnershipId, CaseId)>,
    ApiJson(body): ApiJson<OutcomeRequest>,
) -> ApiResult<Response> {
    let input = OutcomeInput {
        outcome: body.outcome,
        services: body.services,
        other_service: body.other_service,
        reasons: body.reasons,
    };
    state
        .app
        .record_outcome(&g, &id.ctx, cid, body.version, &input)
        .await?;
    Ok(no_content())
}

/// Who opened a case and when, for the data protection officer and the auditor.
#[utoipa::path(get, path = "/api/v1/partnerships/{partnership}/cases/{case}/access-log", tag = "channel",
    params(("partnership" = String, Path, description = PARTNERSHIP), ("case" = String, Path, description = "Case id")),
    responses((status = 200, body = AccessLog), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn access_log(
    State(state): State<AppState>,
    id: Identity,
    Granted(g): Granted,
    ApiIds((_, cid)): ApiIds<(PartnershipId, CaseId)>,
) -> ApiResult<Json<AccessLog>> {
    let (reference, entries) = state.app.case_access_log(&g, &id.ctx, cid).await?;
    Ok(Json(AccessLog {
        case_id: cid.to_string(),
        reference: reference.to_string(),
        entries: entries
            .into_iter()
            .map(|e| AccessEntry {
                at: rfc3339(e.at.0),
                who: e.who,
                action: e.action_key,
                action_label: e.action,
                part: e.part,
            })
            .collect(),
    }))
}
