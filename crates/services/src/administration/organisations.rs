//! Organisations, regions and partnerships, run by platform administrators.

use super::*;
use preventkit_domain::actions::AdministrationAction;

impl App {
    pub async fn list_organisations(
        &self,
        grant: &Grant,
    ) -> Result<Vec<Organisation>, ServiceError> {
        grant.require(Permission::OrganisationRead)?;
        let mut tx = self.db().read().await?;
        let rows = store::administration::organisations::list(&mut tx).await?;
        tx.commit().await?;
        Ok(rows)
    }

    pub async fn get_organisation(
        &self,
        grant: &Grant,
        id: OrganisationId,
    ) -> Result<Organisation, ServiceError> {
        grant.require(Permission::OrganisationRead)?;
        let mut tx = self.db().read().await?;
        let row = store::administration::organisations::get(&mut tx, id).await?;
        tx.commit().await?;
        row.ok_or(ServiceError::NotFound)
    }

    pub async fn create_organisation(
        &self,
        grant: &Grant,
        input: &NewOrganisation,
        ctx: &RequestContext,
    ) -> Result<OrganisationId, ServiceError> {
        grant.require(Permission::OrganisationManage)?;
        let mut errors = ValidationErrors::new();
        let name = validate::required_text(
            "name",
            "the organisation's name",
            &input.name,
            200,
            &mut errors,
        );
        let org_type = OrganisationType::from_key(input.org_type.trim());
        if org_type.is_none() {
            errors.add("org_type", "Choose the type of organisation");
        }
        errors.into_result()?;
        let org_type = org_type.ok_or_else(|| ServiceError::Internal("validated".into()))?;
        let id = OrganisationId::new();
        let mut tx = self.db().write().await?;
        store::administration::organisations::insert(
            &mut tx,
            &Organisation {
                id,
                name,
                org_type,
                created_at: now(),
            },
        )
        .await
        .map_err(|e| match e {
            StorageError::Conflict => {
                ServiceError::field("name", "An organisation with this name already exists")
            }
            other => other.into(),
        })?;
        event(
            &mut tx,
            actor_id(grant),
            ctx,
            AdministrationAction::OrganisationCreated,
            Subject::Organisation(id.to_string()),
            Outcome::Success,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn list_regions(&self, grant: &Grant) -> Result<Vec<Region>, ServiceError> {
        grant.require(Permission::PartnershipManage)?;
        let mut tx = self.db().read().await?;
        let rows = store::administration::organisations::list_regions(&mut tx).await?;
        tx.commit().await?;
        Ok(rows)
    }

    pub async fn create_region(
        &self,
        grant: &Grant,
        name: &str,
        ctx: &RequestContext,
    ) -> Result<RegionId, ServiceError> {
        grant.require(Permission::PartnershipManage)?;
        let mut errors = ValidationErrors::new();
        let name = validate::required_text("name", "the region's name", name, 200, &mut errors);
        errors.into_result()?;
        let id = RegionId::new();
        let mut tx = self.db().write().await?;
        store::administration::organisations::insert_region(
            &mut tx,
            &Region {
                id,
                name,
                created_at: now(),
            },
        )
        .await
        .map_err(|e| match e {
            StorageError::Conflict => {
                ServiceError::field("name", "A region with this name already exists")
            }
            other => other.into(),
        })?;
        event(
            &mut tx,
            actor_id(grant),
            ctx,
            AdministrationAction::RegionCreated,
            Subject::Region(id.to_string()),
            Outcome::Success,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    // ----- partnerships -----

    /// Every partnership (platform administration).
    pub async fn list_all_partnerships(
        &self,
        grant: &Grant,
    ) -> Result<Vec<Partnership>, ServiceError> {
        grant.require(Permission::PartnershipManage)?;
        let mut tx = self.db().read().await?;
        let rows = store::administration::partnerships::list(&mut tx).await?;
        tx.commit().await?;
        Ok(rows)
    }

    /// The partnerships a user belongs to (for the switcher). Needs no grant: it reads only
    /// the caller's own memberships.
    pub async fn my_partnerships(
        &self,
        actor: &preventkit_domain::Actor,
    ) -> Result<Vec<(Partnership, Vec<Role>)>, ServiceError> {
        let mut ids: Vec<PartnershipId> = actor.memberships().iter().map(|(p, _)| *p).collect();
        ids.sort();
        ids.dedup();
        let mut tx = self.db().read().await?;
        let rows = store::administration::partnerships::list_by_ids(&mut tx, &ids).await?;
        tx.commit().await?;
        Ok(rows
            .into_iter()
            .map(|p| {
                let roles = actor.roles_in(p.id).collect();
                (p, roles)
            })
            .collect())
    }

    /// One partnership with its member organisations.
    pub async fn get_partnership(
        &self,
        grant: &Grant,
    ) -> Result<(Partnership, Vec<Organisation>), ServiceError> {
        let pid = grant.require_partnership(Permission::PartnershipRead)?;
        let mut tx = self.db().read().await?;
        let p = store::administration::partnerships::get(&mut tx, pid)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let orgs = store::administration::partnerships::organisations_of(&mut tx, pid).await?;
        tx.commit().await?;
        Ok((p, orgs))
    }

    pub async fn create_partnership(
        &self,
        grant: &Grant,
        input: &NewPartnership,
        ctx: &RequestContext,
    ) -> Result<PartnershipId, ServiceError> {
        grant.require(Permission::PartnershipManage)?;
        let mut errors = ValidationErrors::new();
        let name = validate::required_text(
            "name",
            "the partnership's name",
            &input.name,
            200,
            &mut errors,
        );
        let lead: Option<OrganisationId> = parse_id(
            "lead_organisation_id",
            &input.lead_organisation_id,
            "Choose the lead local authority",
            &mut errors,
        );
        let parent: Option<PartnershipId> = optional_id(
            "parent_id",
            &input.parent_id,
            "Choose a parent partnership from the list",
            &mut errors,
        );
        let region: Option<RegionId> = optional_id(
            "region_id",
            &input.region_id,
            "Choose a region from the list",
            &mut errors,
        );
        let mut tx = self.db().write().await?;
        if let Some(lead) = lead {
            match store::administration::organisations::get(&mut tx, lead).await? {
                Some(o) if o.org_type.is_local_authority() => {}
                Some(_) => errors.add(
                    "lead_organisation_id",
                    "The lead organisation must be a local authority",
                ),
                None => errors.add("lead_organisation_id", "Choose the lead local authority"),
            }
        }
        if let Some(parent) = parent {
            if store::administration::partnerships::get(&mut tx, parent)
                .await?
                .is_none()
            {
                errors.add("parent_id", "Choose a parent partnership from the list");
            }
        }
        if let Some(region) = region {
            if store::administration::organisations::get_region(&mut tx, region)
                .await?
                .is_none()
            {
                errors.add("region_id", "Choose a region from the list");
            }
        }
        errors.into_result()?;
        let lead = lead.ok_or_else(|| ServiceError::Internal("validated".into()))?;
        let id = PartnershipId::new();
        store::administration::partnerships::insert(
            &mut tx,
            &Partnership {
                id,
                name,
                lead_organisation_id: lead,
                parent_id: parent,
                region_id: region,
                created_at: now(),
            },
        )
        .await
        .map_err(|e| match e {
            StorageError::Conflict => {
                ServiceError::field("name", "A partnership with this name already exists")
            }
            other => other.into(),
        })?;
        store::administration::partnerships::add_organisation(&mut tx, id, lead).await?;
        event(
            &mut tx,
            actor_id(grant),
            ctx,
            AdministrationAction::PartnershipCreated,
            Subject::Partnership(id.to_string()),
            Outcome::Success,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Add a member organisation to a partnership.
    pub async fn add_partnership_organisation(
        &self,
        grant: &Grant,
        partnership: PartnershipId,
        organisation: &str,
        ctx: &RequestContext,
    ) -> Result<(), ServiceError> {
        grant.require(Permission::PartnershipManage)?;
        let mut errors = ValidationErrors::new();
        let org: Option<OrganisationId> = parse_id(
            "organisation_id",
            organisation,
            "Choose an organisation",
            &mut errors,
        );
        errors.into_result()?;
        let org = org.ok_or_else(|| ServiceError::Internal("validated".into()))?;
        let mut tx = self.db().write().await?;
        if store::administration::partnerships::get(&mut tx, partnership)
            .await?
            .is_none()
        {
            return Err(ServiceError::NotFound);
        }
        if store::administration::organisations::get(&mut tx, org)
            .await?
            .is_none()
        {
            return Err(ServiceError::field(
                "organisation_id",
                "Choose an organisation",
            ));
        }
        store::administration::partnerships::add_organisation(&mut tx, partnership, org)
            .await
            .map_err(|e| conflict(e, "That organisation is already a member"))?;
        event(
            &mut tx,
            actor_id(grant),
            ctx,
            AdministrationAction::OrganisationAdded,
            Subject::Partnership(partnership.to_string()),
            Outcome::Success,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
