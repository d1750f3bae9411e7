//! Screening a case: assigning its case officer, the police deconfliction, information
//! gathered from partners, the outcome, and adding a referral to the case of the same person.

use super::reading::latest_deconfliction;
use super::{subject, CaseSealer, EventDetail, OfficerChoice};
use crate::audit::event;
use crate::{App, RequestContext, ServiceError};
use preventkit_domain::actions::ChannelAction;
use preventkit_domain::audit::Outcome as AuditOutcome;
use preventkit_domain::channel::{
    outcome_allowed, read_deconfliction, read_information, read_outcome, stage_after,
    stage_after_assignment, CaseEventKind, CaseEventRecord, CasePart, CaseRecord, CaseStage,
    DeconflictionInput, InformationInput, Outcome, OutcomeInput,
};
use preventkit_domain::policy::{may_be_case_officer, may_change_case, CaseAccess};
use preventkit_domain::validate::ValidationErrors;
use preventkit_domain::{CaseEventId, CaseId, Denial, Grant, PartnershipId, Permission, UserId};
use preventkit_storage::{self as store, Tx};

/// Said when a case changed between reading it and writing to it.
pub(crate) const CHANGED: &str =
    "Someone else changed this case while you were working on it. Check the case and try again";

impl App {
    /// Open a write transaction on a case the grant's holder may change (its case officer or
    /// the panel chair), with the case as stored.
    async fn case_for_change(
        &self,
        grant: &Grant,
        id: CaseId,
    ) -> Result<(Tx, PartnershipId, CaseRecord), ServiceError> {
        let partnership = grant.require_partnership(Permission::CaseManage)?;
        let mut tx = self.db().write().await?;
        let ((_, facts), _) = self.case_facts(&mut tx, grant, partnership, id).await?;
        if !may_change_case(grant, &facts, self.now()) {
            return Err(ServiceError::Denied(Denial::NotPermitted));
        }
        let record = store::channel::get(&mut tx, partnership, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        Ok((tx, partnership, record))
    }

    /// Record a timeline entry with its sealed words, move a waiting referral into screening,
    /// and append the audit event, all in the caller's transaction.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn record_step(
        &self,
        tx: &mut Tx,
        grant: &Grant,
        ctx: &RequestContext,
        record: &CaseRecord,
        mut entry: CaseEventRecord,
        detail: Option<EventDetail>,
        action: impl Into<preventkit_domain::actions::AuditAction> + Send,
        change: store::channel::CaseChange,
    ) -> Result<(), ServiceError> {
        let id = record.listing.id;
        if let Some(d) = detail {
            let sealer = CaseSealer::new(self.case_key(tx, &id.to_string()).await?);
            entry.detail = Some(sealer.detail(entry.id, &d)?);
        }
        store::channel::insert_event(tx, &entry).await?;
        let changed = store::channel::change(
            tx,
            record.partnership,
            id,
            record.listing.version,
            &change,
            entry.at,
        )
        .await?;
        if !changed {
            return Err(ServiceError::Conflict(CHANGED.into()));
        }
        event(
            tx,
            Some(grant.user_id()),
            ctx,
            action,
            subject(id, record.partnership, CasePart::Record),
            AuditOutcome::Success,
        )
        .await
    }

    pub(crate) fn entry(
        &self,
        grant: &Grant,
        record: &CaseRecord,
        kind: CaseEventKind,
    ) -> CaseEventRecord {
        CaseEventRecord {
            id: CaseEventId::new(),
            case: record.listing.id,
            partnership: record.partnership,
            kind,
            at: self.now(),
            by: grant.user_id(),
            on: None,
            deconfliction: None,
            outcome: None,
            decision: None,
            user: None,
            other_case: None,
            detail: None,
        }
    }

    /// The members of the partnership who may be a case's officer.
    pub async fn case_officers(&self, grant: &Grant) -> Result<Vec<OfficerChoice>, ServiceError> {
        let partnership = grant.require_partnership(Permission::CaseAssign)?;
        let mut tx = self.db().read().await?;
        let members = store::administration::memberships::members_of(&mut tx, partnership).await?;
        tx.commit().await?;
        let mut out: Vec<OfficerChoice> = Vec::new();
        for m in members {
            if may_be_case_officer(m.role)
                && m.disabled_at.is_none()
                && !out.iter().any(|o| o.user == m.user_id)
            {
                out.push(OfficerChoice {
                    user: m.user_id,
                    name: m.display_name,
                });
            }
        }
        Ok(out)
    }

    /// Assign a case's officer (the panel chair does). A referral waiting for screening is
    /// then being screened.
    pub async fn assign_case_officer(
        &self,
        grant: &Grant,
        ctx: &RequestContext,
        id: CaseId,
        officer: &str,
    ) -> Result<(), ServiceError> {
        let partnership = grant.require_partnership(Permission::CaseAssign)?;
        let choices = self.case_officers(grant).await?;
        let officer: UserId = officer
            .trim()
            .parse()
            .ok()
            .filter(|u| choices.iter().any(|c| c.user == *u))
            .ok_or_else(|| {
                ServiceError::Validation(ValidationErrors::single(
                    "officer",
                    "Select a case officer from the list",
                ))
            })?;
        let mut tx = self.db().write().await?;
        let (_, access) = self.case_facts(&mut tx, grant, partnership, id).await?;
        if !matches!(access, CaseAccess::Open(_)) {
            return Err(ServiceError::Denied(Denial::NotPermitted));
        }
        let record = store::channel::get(&mut tx, partnership, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        if record.attached_to.is_some() {
            return Err(ServiceError::Conflict(
                "This referral was added to another case: assign that case's officer instead"
                    .into(),
            ));
        }
        let mut entry = self.entry(grant, &record, CaseEventKind::Assigned);
        entry.user = Some(officer);
        let change = store::channel::CaseChange {
            stage: Some(stage_after_assignment(record.listing.stage)),
            case_officer: Some(officer),
            ..Default::default()
        };
        self.record_step(
            &mut tx,
            grant,
            ctx,
            &record,
            entry,
            None,
            ChannelAction::Assigned,
            change,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Record the police deconfliction step.
    pub async fn record_deconfliction(
        &self,
        grant: &Grant,
        ctx: &RequestContext,
        id: CaseId,
        input: &DeconflictionInput,
    ) -> Result<(), ServiceError> {
        let d = read_deconfliction(input, self.today()).map_err(ServiceError::Validation)?;
        let step = ScreeningStep {
            kind: CaseEventKind::Deconfliction,
            on: d.on,
            deconfliction: Some(d.result),
            detail: EventDetail {
                with_whom: d.with_whom,
                ..Default::default()
            },
            action: ChannelAction::Deconflicted,
        };
        self.record_screening_step(grant, ctx, id, step).await
    }

    /// Record information gathered from a partner.
    pub async fn record_information(
        &self,
        grant: &Grant,
        ctx: &RequestContext,
        id: CaseId,
        input: &InformationInput,
    ) -> Result<(), ServiceError> {
        let i = read_information(input, self.today()).map_err(ServiceError::Validation)?;
        let step = ScreeningStep {
            kind: CaseEventKind::Information,
            on: i.received,
            deconfliction: None,
            detail: EventDetail {
                source: i.source,
                narrative: i.narrative,
                ..Default::default()
            },
            action: ChannelAction::InformationAdded,
        };
        self.record_screening_step(grant, ctx, id, step).await
    }

    /// Record a dated screening step on a case still being screened; a referral waiting for
    /// screening is then being screened.
    async fn record_screening_step(
        &self,
        grant: &Grant,
        ctx: &RequestContext,
        id: CaseId,
        step: ScreeningStep,
    ) -> Result<(), ServiceError> {
        let (mut tx, _, record) = self.case_for_change(grant, id).await?;
        screening_open(&record)?;
        let mut entry = self.entry(grant, &record, step.kind);
        entry.on = Some(step.on);
        entry.deconfliction = step.deconfliction;
        let change = store::channel::CaseChange {
            stage: Some(stage_after_assignment(record.listing.stage)),
            ..Default::default()
        };
        self.record_step(
            &mut tx,
            grant,
            ctx,
            &record,
            entry,
            Some(step.detail),
            step.action,
            change,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Read an outcome and check it may be recorded now, without recording it (for "check
    /// your answers").
    pub async fn check_outcome(
        &self,
        grant: &Grant,
        id: CaseId,
        input: &OutcomeInput,
    ) -> Result<Outcome, ServiceError> {
        let o = read_outcome(input).map_err(ServiceError::Validation)?;
        let (tx, partnership, record) = self.case_for_change(grant, id).await?;
        let mut tx = tx;
        let events = store::channel::events(&mut tx, partnership, id).await?;
        tx.rollback().await?;
        screening_open(&record)?;
        outcome_allowed(
            record.listing.stage,
            latest_deconfliction(&events),
            o.outcome,
        )
        .map_err(|r| ServiceError::Conflict(r.message().into()))?;
        Ok(o)
    }

    /// Record the outcome of screening, if the case is still at `version` (the version the
    /// person checked their answers against).
    pub async fn record_outcome(
        &self,
        grant: &Grant,
        ctx: &RequestContext,
        id: CaseId,
        version: i64,
        input: &OutcomeInput,
    ) -> Result<(), ServiceError> {
        let o = read_outcome(input).map_err(ServiceError::Validation)?;
        let (mut tx, partnership, record) = self.case_for_change(grant, id).await?;
        if record.listing.version != version {
            return Err(ServiceError::Conflict(CHANGED.into()));
        }
        screening_open(&record)?;
        let events = store::channel::events(&mut tx, partnership, id).await?;
        outcome_allowed(
            record.listing.stage,
            latest_deconfliction(&events),
            o.outcome,
        )
        .map_err(|r| ServiceError::Conflict(r.message().into()))?;
        let mut entry = self.entry(grant, &record, CaseEventKind::Outcome);
        entry.outcome = Some(o.outcome);
        let detail = EventDetail {
            services: o.services.iter().map(|s| s.key().to_owned()).collect(),
            other_service: o.other_service,
            reasons: o.reasons,
            ..Default::default()
        };
        let change = store::channel::CaseChange {
            stage: Some(stage_after(o.outcome)),
            outcome: Some(o.outcome),
            ..Default::default()
        };
        self.record_step(
            &mut tx,
            grant,
            ctx,
            &record,
            entry,
            Some(detail),
            ChannelAction::Screened,
            change,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Add a referral to the case of the same person (found by the exact match of name and
    /// date of birth within the partnership). The referral keeps its own record and key; its
    /// screening ends, and it follows the case it was added to.
    pub async fn attach_referral(
        &self,
        grant: &Grant,
        ctx: &RequestContext,
        id: CaseId,
        to: CaseId,
    ) -> Result<(), ServiceError> {
        let (mut tx, partnership, record) = self.case_for_change(grant, id).await?;
        screening_open(&record)?;
        let target = store::channel::get(&mut tx, partnership, to)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let same = record.identity_index.is_some()
            && record.identity_index == target.identity_index
            && target.attached_to.is_none()
            && target.listing.id != id;
        if !same {
            return Err(ServiceError::Conflict(
                "A referral can only be added to a case found for the same person".into(),
            ));
        }
        let mut entry = self.entry(grant, &target, CaseEventKind::Attached);
        entry.other_case = Some(id);
        store::channel::insert_event(&mut tx, &entry).await?;
        let change = store::channel::CaseChange {
            stage: Some(CaseStage::Closed),
            attached_to: Some(to),
            case_officer: target.listing.case_officer,
            ..Default::default()
        };
        let changed = store::channel::change(
            &mut tx,
            partnership,
            id,
            record.listing.version,
            &change,
            entry.at,
        )
        .await?;
        if !changed {
            return Err(ServiceError::Conflict(CHANGED.into()));
        }
        event(
            &mut tx,
            Some(grant.user_id()),
            ctx,
            ChannelAction::Attached,
            subject(id, partnership, CasePart::Record),
            AuditOutcome::Success,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// A dated step of screening, with its sealed words and its audit action.
struct ScreeningStep {
    kind: CaseEventKind,
    on: time::Date,
    deconfliction: Option<preventkit_domain::channel::DeconflictionResult>,
    detail: EventDetail,
    action: ChannelAction,
}

fn screening_open(record: &CaseRecord) -> Result<(), ServiceError> {
    if record.screening_open() {
        Ok(())
    } else {
        Err(ServiceError::Conflict(
            "Screening of this case has ended, so steps can no longer be added".into(),
        ))
    }
}
