//! Reading cases: the list, opening one (with its read audit), exceptional access, and the
//! data protection officer's view of who opened what.

use super::{
    outcome_of, subject, CaseAccessEntry, CaseHeading, CaseOpener, CaseView,
    ExceptionalAccessListing, Facts, TimelineEntry, TimelineKind,
};
use crate::audit::event;
use crate::{App, RequestContext, ServiceError};
use preventkit_domain::actions::{AuditAction, ChannelAction};
use preventkit_domain::audit::{AuditQuery, Outcome};
use preventkit_domain::channel::{
    CaseEventKind, CaseEventRecord, CaseListing, CasePart, CaseReference, Deconfliction,
    DeconflictionResult, ExceptionalAccess, Information, Person,
};
use preventkit_domain::policy::{
    case_access, may_change_case, CaseAccess, CaseRelation, EXCEPTIONAL_ACCESS_MS,
};
use preventkit_domain::validate::{self, ValidationErrors};
use preventkit_domain::{CaseId, Grant, PartnershipId, Permission, Role, Timestamp, UserId};
use preventkit_storage::{self as store, Tx};
use std::collections::HashMap;

/// How many events of a case's access log are read at a time (storage's largest page).
const ACCESS_LOG_PAGE: u64 = 500;

/// The longest reason for exceptional access.
const REASON_MAX: usize = 1_000;

impl App {
    pub(crate) fn now(&self) -> Timestamp {
        Timestamp::from_millis(self.config().clock.now_ms())
    }

    /// The partnership's cases as lists show them: references, stages, types of concern and
    /// dates, never personal data or narrative, so listing them opens nothing.
    pub async fn cases(&self, grant: &Grant) -> Result<Vec<CaseListing>, ServiceError> {
        let partnership = grant.require_partnership_read(Permission::CaseRead)?;
        let mut tx = self.db().read().await?;
        let list = store::channel::list(&mut tx, partnership).await?;
        tx.commit().await?;
        Ok(list)
    }

    /// The facts about one case for the grant's holder; not found when the partnership has
    /// no such case or the holder may not see it at all.
    pub(crate) async fn case_facts(
        &self,
        tx: &mut Tx,
        grant: &Grant,
        partnership: PartnershipId,
        id: CaseId,
    ) -> Result<(Facts, CaseAccess), ServiceError> {
        let facts = store::channel::facts(tx, partnership, id, grant.user_id())
            .await?
            .ok_or(ServiceError::NotFound)?;
        let access = case_access(grant, &facts.1, self.now());
        if access == CaseAccess::None {
            return Err(ServiceError::NotFound);
        }
        Ok((facts, access))
    }

    /// Open a case: the policy decides whether the grant's holder may (as its case officer,
    /// as the panel chair, or by exceptional access they were given), the read is appended to
    /// the audit log, and only then is the content unsealed. If the audit cannot be written,
    /// nothing is shown.
    pub async fn open_case(
        &self,
        grant: &Grant,
        ctx: &RequestContext,
        id: CaseId,
        part: CasePart,
    ) -> Result<CaseView, ServiceError> {
        let partnership = grant.require_partnership_read(Permission::CaseRead)?;
        let mut tx = self.db().write().await?;
        let ((listing, facts), access) = self.case_facts(&mut tx, grant, partnership, id).await?;
        let relation = match access {
            CaseAccess::Open(r) => r,
            _ => {
                return Err(ServiceError::ExceptionalAccessNeeded {
                    reference: listing.reference,
                })
            }
        };
        let action = match relation {
            CaseRelation::CaseOfficer => ChannelAction::ReadAsOfficer,
            CaseRelation::PanelChair => ChannelAction::ReadAsChair,
            CaseRelation::Exceptional => ChannelAction::ReadByException,
            CaseRelation::PanelMember => ChannelAction::ReadAsPanelMember,
        };
        event(
            &mut tx,
            Some(grant.user_id()),
            ctx,
            action,
            subject(id, partnership, part),
            Outcome::Success,
        )
        .await?;
        let record = store::channel::get(&mut tx, partnership, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let opener = CaseOpener::new(self.case_key(&mut tx, &id.to_string()).await?);
        let s = &record.sealed;
        let person = Person {
            name: opener.case_field("person_name", id, &s.person_name)?,
            date_of_birth: match &s.date_of_birth {
                Some(d) => Some(
                    preventkit_domain::dates::parse_iso(&opener.case_field(
                        "date_of_birth",
                        id,
                        d,
                    )?)
                    .ok_or_else(|| ServiceError::Internal("a sealed date did not decode".into()))?,
                ),
                None => None,
            },
            approximate_age: match &s.approximate_age {
                Some(a) => opener.case_field("approximate_age", id, a)?.parse().ok(),
                None => None,
            },
            gender: record.gender,
            address: opener.case_field("address", id, &s.address)?,
            contact: opener.optional_field("contact", id, &s.contact)?,
            professionals: opener.optional_field("professionals", id, &s.professionals)?,
        };
        let concern = opener.case_field("concern", id, &s.concern)?;
        let organisation = opener.case_field("organisation", id, &s.organisation)?;
        let events = store::channel::events(&mut tx, partnership, id).await?;
        let same_person = match (&record.identity_index, record.attached_to) {
            (Some(index), None) => {
                store::channel::same_identity(&mut tx, partnership, index, id).await?
            }
            _ => Vec::new(),
        };
        let attached = store::channel::attached(&mut tx, partnership, id).await?;
        let attached_to = match record.attached_to {
            Some(to) => store::channel::listing(&mut tx, partnership, to).await?,
            None => None,
        };
        let mut people: Vec<UserId> = events
            .iter()
            .flat_map(|e| [Some(e.by), e.user])
            .flatten()
            .collect();
        people.push(listing.referrer);
        people.extend(listing.case_officer);
        let names = names(&mut tx, people).await?;
        let others: HashMap<CaseId, CaseReference> = attached
            .iter()
            .map(|c| (c.id, c.reference.clone()))
            .collect();
        let mut timeline = vec![TimelineEntry {
            at: listing.referred_at,
            by_name: name_of(&names, listing.referrer),
            kind: TimelineKind::Referred,
        }];
        for e in &events {
            timeline.push(TimelineEntry {
                at: e.at,
                by_name: name_of(&names, e.by),
                kind: timeline_kind(e, &opener, &names, &others)?,
            });
        }
        let now = self.now();
        let view = CaseView {
            may_change: may_change_case(grant, &facts, now) && record.screening_open(),
            may_assign: grant.roles().contains(&Role::ChannelChair) && record.attached_to.is_none(),
            relation,
            person,
            age_band: record.age_band,
            concern,
            organisation,
            aware: record.aware,
            referrer_name: name_of(&names, listing.referrer),
            officer_name: listing.case_officer.map(|o| name_of(&names, o)),
            latest_deconfliction: latest_deconfliction(&events),
            timeline,
            same_person,
            attached,
            attached_to,
            listing,
        };
        tx.commit().await?;
        Ok(view)
    }

    /// A case without its content, for the pages that record a step on it: only for its case
    /// officer and the panel chair.
    pub async fn case_heading(
        &self,
        grant: &Grant,
        id: CaseId,
    ) -> Result<CaseHeading, ServiceError> {
        let partnership = grant.require_partnership(Permission::CaseManage)?;
        let mut tx = self.db().read().await?;
        let ((listing, facts), _) = self.case_facts(&mut tx, grant, partnership, id).await?;
        if !may_change_case(grant, &facts, self.now()) {
            return Err(ServiceError::Denied(
                preventkit_domain::Denial::NotPermitted,
            ));
        }
        let events = store::channel::events(&mut tx, partnership, id).await?;
        tx.commit().await?;
        Ok(CaseHeading {
            listing,
            latest_deconfliction: latest_deconfliction(&events),
        })
    }

    /// Give the grant's holder exceptional access to a case they have no relationship with,
    /// for an hour, with their reason. Recorded, and listed for the data protection officer.
    pub async fn give_exceptional_access(
        &self,
        grant: &Grant,
        ctx: &RequestContext,
        id: CaseId,
        reason: &str,
    ) -> Result<(), ServiceError> {
        let partnership = grant.require_partnership_read(Permission::CaseRead)?;
        let mut e = ValidationErrors::new();
        let reason = validate::required_lines(
            "reason",
            "why you need to open this case",
            reason,
            REASON_MAX,
            &mut e,
        );
        e.into_result().map_err(ServiceError::Validation)?;
        let mut tx = self.db().write().await?;
        let (_, access) = self.case_facts(&mut tx, grant, partnership, id).await?;
        if access != CaseAccess::ExceptionalOnly {
            // Already open to them (or it lapsed into another kind of access): nothing to give.
            tx.commit().await?;
            return Ok(());
        }
        let now = self.now();
        store::channel::insert_exception(
            &mut tx,
            &ExceptionalAccess {
                case: id,
                partnership,
                user: grant.user_id(),
                reason,
                given_at: now,
                until: Timestamp::from_millis(now.millis() + EXCEPTIONAL_ACCESS_MS),
            },
        )
        .await?;
        event(
            &mut tx,
            Some(grant.user_id()),
            ctx,
            ChannelAction::ExceptionalAccess,
            subject(id, partnership, CasePart::Record),
            Outcome::Success,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Who opened a case or changed it, and when, for the data protection officer and the
    /// auditor: the log's events about the case, never its content. Viewing it is recorded.
    pub async fn case_access_log(
        &self,
        grant: &Grant,
        ctx: &RequestContext,
        id: CaseId,
    ) -> Result<(CaseReference, Vec<CaseAccessEntry>), ServiceError> {
        let partnership = grant.require_partnership(Permission::CaseAccessReview)?;
        let mut tx = self.db().write().await?;
        let listing = store::channel::listing(&mut tx, partnership, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        // The log is read a page at a time (storage answers at most 500 events a call), so a
        // case opened many times still shows every read.
        let mut events = Vec::new();
        let mut before = None;
        loop {
            let page = store::audit::search(
                &mut tx,
                Some(partnership),
                &AuditQuery {
                    object_id: Some(id.to_string()),
                    before_position: before,
                    limit: ACCESS_LOG_PAGE,
                    ..AuditQuery::default()
                },
            )
            .await?;
            let full = page.len() as u64 == ACCESS_LOG_PAGE;
            before = page.last().map(|e| e.position);
            events.extend(page);
            if !full || before.is_none() {
                break;
            }
        }
        let names = names(&mut tx, events.iter().filter_map(|e| e.actor).collect()).await?;
        event(
            &mut tx,
            Some(grant.user_id()),
            ctx,
            ChannelAction::AccessLogRead,
            subject(id, partnership, CasePart::Record),
            Outcome::Success,
        )
        .await?;
        tx.commit().await?;
        let entries = events
            .into_iter()
            .map(|e| CaseAccessEntry {
                at: e.occurred_at,
                who: e.actor.map(|a| name_of(&names, a)).unwrap_or_default(),
                action: AuditAction::describe(&e.action).to_owned(),
                action_key: e.action,
                part: e.object_type.unwrap_or_default(),
            })
            .collect();
        Ok((listing.reference, entries))
    }

    /// Exceptional access given in the partnership, newest first, for review.
    pub async fn exceptional_accesses(
        &self,
        grant: &Grant,
    ) -> Result<Vec<ExceptionalAccessListing>, ServiceError> {
        let partnership = grant.require_partnership(Permission::CaseAccessReview)?;
        let mut tx = self.db().read().await?;
        let given = store::channel::exceptions(&mut tx, partnership).await?;
        let names = names(&mut tx, given.iter().map(|g| g.user).collect()).await?;
        let mut out = Vec::with_capacity(given.len());
        for g in given {
            let Some(listing) = store::channel::listing(&mut tx, partnership, g.case).await? else {
                continue;
            };
            out.push(ExceptionalAccessListing {
                case: g.case,
                reference: listing.reference,
                who: name_of(&names, g.user),
                reason: g.reason,
                given_at: g.given_at,
                until: g.until,
            });
        }
        tx.commit().await?;
        Ok(out)
    }
}

/// The result of the latest deconfliction recorded.
pub(crate) fn latest_deconfliction(events: &[CaseEventRecord]) -> Option<DeconflictionResult> {
    events.iter().rev().find_map(|e| e.deconfliction)
}

pub(crate) async fn names(
    tx: &mut Tx,
    mut people: Vec<UserId>,
) -> Result<HashMap<UserId, String>, ServiceError> {
    people.sort();
    people.dedup();
    Ok(store::identity::users::names(tx, &people)
        .await?
        .into_iter()
        .collect())
}

pub(crate) fn name_of(names: &HashMap<UserId, String>, user: UserId) -> String {
    names
        .get(&user)
        .cloned()
        .unwrap_or_else(|| "A former user".to_owned())
}

fn timeline_kind(
    e: &CaseEventRecord,
    opener: &CaseOpener,
    names: &HashMap<UserId, String>,
    others: &HashMap<CaseId, CaseReference>,
) -> Result<TimelineKind, ServiceError> {
    let detail = match &e.detail {
        Some(d) => opener.detail(e.id, d)?,
        None => super::EventDetail::default(),
    };
    let corrupt = || ServiceError::Internal("a case entry is missing a part".into());
    Ok(match e.kind {
        CaseEventKind::Assigned => TimelineKind::Assigned {
            officer_name: name_of(names, e.user.ok_or_else(corrupt)?),
        },
        CaseEventKind::Deconfliction => TimelineKind::Deconfliction(Deconfliction {
            on: e.on.ok_or_else(corrupt)?,
            with_whom: detail.with_whom,
            result: e.deconfliction.ok_or_else(corrupt)?,
        }),
        CaseEventKind::Information => TimelineKind::Information(Information {
            source: detail.source,
            received: e.on.ok_or_else(corrupt)?,
            narrative: detail.narrative,
        }),
        CaseEventKind::Outcome => {
            TimelineKind::Outcome(outcome_of(e.outcome.ok_or_else(corrupt)?, detail))
        }
        CaseEventKind::Decision => {
            TimelineKind::Decision(super::decision_of(e.decision.ok_or_else(corrupt)?, detail))
        }
        CaseEventKind::Attached => TimelineKind::Attached {
            reference: e
                .other_case
                .and_then(|c| others.get(&c).cloned())
                .ok_or_else(corrupt)?,
        },
    })
}
