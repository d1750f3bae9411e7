//! Making a referral, and following one's own referrals.

use super::{subject, CaseSealer, ReferralStatus, Referred};
use crate::audit::event;
use crate::keys::blind_index;
use crate::{App, RequestContext, ServiceError};
use preventkit_domain::actions::ChannelAction;
use preventkit_domain::audit::{Chain, Outcome};
use preventkit_domain::channel::{
    read_referral, referrer_status, CaseListing, CasePart, CaseRecord, CaseReference, CaseStage,
    Referral, ReferralInput, SealedReferral,
};
use preventkit_domain::{CaseId, Grant, Permission, Timestamp};
use preventkit_storage as store;

impl App {
    /// Read a referral without saving it, for "check your answers".
    pub async fn check_referral(
        &self,
        grant: &Grant,
        input: &ReferralInput,
    ) -> Result<Referral, ServiceError> {
        grant.require_partnership(Permission::CaseRefer)?;
        read_referral(input, self.today()).map_err(ServiceError::Validation)
    }

    /// Make a referral: a new case in the grant's partnership, its personal and narrative
    /// fields sealed under a data key of its own, numbered `CH-<year>-<n>`.
    pub async fn refer(
        &self,
        grant: &Grant,
        ctx: &RequestContext,
        input: &ReferralInput,
    ) -> Result<Referred, ServiceError> {
        let partnership = grant.require_partnership(Permission::CaseRefer)?;
        let today = self.today();
        let referral = read_referral(input, today).map_err(ServiceError::Validation)?;
        let ring = self.keys()?;
        let id = CaseId::new();
        let now = Timestamp::from_millis(self.config().clock.now_ms());
        let identity_index = referral
            .identity_key()
            .map(|k| blind_index(ring, partnership, &k));
        let mut tx = self.db().write().await?;
        // Numbers are taken under the partnership's chain lock, so two referrals made at once
        // never share one.
        store::audit::lock_chain(&mut tx, &Chain::Partnership(partnership)).await?;
        let year = today.year();
        let number = store::channel::next_number(&mut tx, partnership, year).await?;
        let key = self
            .case_key_new(&mut tx, &id.to_string(), partnership)
            .await?;
        let sealer = CaseSealer::new(key);
        let p = &referral.person;
        let sealed = SealedReferral {
            person_name: sealer.case_field("person_name", id, &p.name)?,
            date_of_birth: sealer.optional_field(
                "date_of_birth",
                id,
                &p.date_of_birth.map(|d| d.to_string()).unwrap_or_default(),
            )?,
            approximate_age: sealer.optional_field(
                "approximate_age",
                id,
                &p.approximate_age.map(|a| a.to_string()).unwrap_or_default(),
            )?,
            address: sealer.case_field("address", id, &p.address)?,
            contact: sealer.optional_field("contact", id, &p.contact)?,
            professionals: sealer.optional_field("professionals", id, &p.professionals)?,
            concern: sealer.case_field("concern", id, &referral.concern)?,
            organisation: sealer.case_field("organisation", id, &referral.organisation)?,
        };
        let reference = CaseReference::new(year, number);
        let record = CaseRecord {
            listing: CaseListing {
                id,
                reference: reference.clone(),
                stage: CaseStage::Referred,
                outcome: None,
                concern: referral.concern_type,
                sector: referral.sector,
                referred_at: now,
                referrer: grant.user_id(),
                case_officer: None,
                updated_at: now,
                version: 1,
            },
            partnership,
            year,
            number,
            aware: referral.aware,
            gender: p.gender,
            age_band: referral.age_band(today),
            identity_index,
            attached_to: None,
            sealed,
        };
        store::channel::insert(&mut tx, &record).await?;
        event(
            &mut tx,
            Some(grant.user_id()),
            ctx,
            ChannelAction::Referred,
            subject(id, partnership, CasePart::Record),
            Outcome::Success,
        )
        .await?;
        tx.commit().await?;
        Ok(Referred { id, reference })
    }

    /// The referrals the grant's holder made in its partnership, each with its status (and,
    /// once screened, the category of the outcome), newest first. A referral added to an
    /// existing case follows that case. Nothing anyone else wrote is shown; viewing the list
    /// is recorded.
    pub async fn my_referrals(
        &self,
        grant: &Grant,
        ctx: &RequestContext,
    ) -> Result<Vec<ReferralStatus>, ServiceError> {
        let partnership = grant.require_partnership(Permission::CaseRefer)?;
        let mut tx = self.db().write().await?;
        let mine = store::channel::referred_by(&mut tx, partnership, grant.user_id()).await?;
        let mut out = Vec::with_capacity(mine.len());
        for (listing, attached_to) in mine {
            let followed = match attached_to {
                Some(to) => store::channel::listing(&mut tx, partnership, to)
                    .await?
                    .unwrap_or_else(|| listing.clone()),
                None => listing.clone(),
            };
            out.push(ReferralStatus {
                id: listing.id,
                reference: listing.reference,
                referred_at: listing.referred_at,
                status: referrer_status(followed.stage, followed.outcome),
            });
        }
        event(
            &mut tx,
            Some(grant.user_id()),
            ctx,
            ChannelAction::StatusRead,
            crate::audit::Subject::Partnership(partnership.to_string()),
            Outcome::Success,
        )
        .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// The reference of a referral the grant's holder made, for the page that confirms it was
    /// sent. Anyone else's referral is not found.
    pub async fn referral_sent(
        &self,
        grant: &Grant,
        id: CaseId,
    ) -> Result<CaseReference, ServiceError> {
        let partnership = grant.require_partnership(Permission::CaseRefer)?;
        let listing = store::channel::listing(&mut self.db().read().await?, partnership, id)
            .await?
            .filter(|l| l.referrer == grant.user_id())
            .ok_or(ServiceError::NotFound)?;
        Ok(listing.reference)
    }
}
