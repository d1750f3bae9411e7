//! The panel's decision on a case on a meeting's agenda: adopt it as a Channel case, not adopt
//! it (signposting the person elsewhere), or pass it back to the police. The reasons are sealed
//! with the case's key; the case moves on only if nobody changed it since the chair checked
//! their answers.

use super::DecisionHeading;
use crate::channel::screening::CHANGED;
use crate::channel::EventDetail;
use crate::{App, RequestContext, ServiceError};
use preventkit_domain::actions::PanelAction;
use preventkit_domain::channel::{CaseEventKind, CaseRecord};
use preventkit_domain::panel::{decision_allowed, read_decision, Decision, DecisionInput};
use preventkit_domain::policy::may_change_case;
use preventkit_domain::{CaseId, Denial, Grant, MeetingId, PartnershipId, Permission};
use preventkit_storage::{self as store, Tx};

const NOT_WAITING: &str = "This case is not waiting for the panel's decision";

impl App {
    /// The case on an agenda that a decision is about, without its content.
    pub async fn decision_heading(
        &self,
        grant: &Grant,
        meeting: MeetingId,
        case: CaseId,
    ) -> Result<DecisionHeading, ServiceError> {
        let partnership = grant.require_partnership(Permission::PanelManage)?;
        let mut tx = self.db().read().await?;
        let (heading, _) = self
            .decision_case(&mut tx, grant, partnership, meeting, case)
            .await?;
        tx.commit().await?;
        Ok(heading)
    }

    /// Read a decision and check it may be recorded now, without recording it (for "check
    /// your answers").
    pub async fn check_decision(
        &self,
        grant: &Grant,
        meeting: MeetingId,
        case: CaseId,
        input: &DecisionInput,
    ) -> Result<Decision, ServiceError> {
        let d = read_decision(input).map_err(ServiceError::Validation)?;
        let heading = self.decision_heading(grant, meeting, case).await?;
        if !decision_allowed(heading.stage) {
            return Err(ServiceError::Conflict(NOT_WAITING.into()));
        }
        Ok(d)
    }

    /// Record the panel's decision on a case on a meeting's agenda, if the case is still at
    /// `version` (the version the chair checked their answers against).
    pub async fn record_decision(
        &self,
        grant: &Grant,
        ctx: &RequestContext,
        meeting: MeetingId,
        case: CaseId,
        version: i64,
        input: &DecisionInput,
    ) -> Result<(), ServiceError> {
        let partnership = grant.require_partnership(Permission::PanelManage)?;
        let d = read_decision(input).map_err(ServiceError::Validation)?;
        let mut tx = self.db().write().await?;
        let (_, record) = self
            .decision_case(&mut tx, grant, partnership, meeting, case)
            .await?;
        if record.listing.version != version {
            return Err(ServiceError::Conflict(CHANGED.into()));
        }
        if !decision_allowed(record.listing.stage) {
            return Err(ServiceError::Conflict(NOT_WAITING.into()));
        }
        let mut entry = self.entry(grant, &record, CaseEventKind::Decision);
        entry.decision = Some(d.decision);
        let detail = EventDetail {
            services: d.services.iter().map(|s| s.key().to_owned()).collect(),
            other_service: d.other_service,
            reasons: d.reasons,
            ..Default::default()
        };
        let change = store::channel::CaseChange {
            stage: Some(d.decision.stage_after()),
            ..Default::default()
        };
        self.record_step(
            &mut tx,
            grant,
            ctx,
            &record,
            entry,
            Some(detail),
            PanelAction::DecisionRecorded,
            change,
        )
        .await?;
        store::panel::set_decision(&mut tx, partnership, meeting, case, d.decision).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The case on a meeting's agenda, checked: the meeting and the item exist, and the
    /// grant's holder may change the case (the panel chair).
    async fn decision_case(
        &self,
        tx: &mut Tx,
        grant: &Grant,
        partnership: PartnershipId,
        meeting: MeetingId,
        case: CaseId,
    ) -> Result<(DecisionHeading, CaseRecord), ServiceError> {
        let m = store::panel::meeting(tx, partnership, meeting)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let item = store::panel::agenda(tx, partnership, meeting)
            .await?
            .into_iter()
            .find(|i| i.case == case)
            .ok_or(ServiceError::NotFound)?;
        let ((_, facts), _) = self.case_facts(tx, grant, partnership, case).await?;
        if !may_change_case(grant, &facts, self.now()) {
            return Err(ServiceError::Denied(Denial::NotPermitted));
        }
        let record = store::channel::get(tx, partnership, case)
            .await?
            .ok_or(ServiceError::NotFound)?;
        Ok((
            DecisionHeading {
                meeting: m,
                case,
                reference: item.reference,
                stage: record.listing.stage,
                version: record.listing.version,
            },
            record,
        ))
    }
}
