//! Organisations, regions and partnerships, run by platform administrators.

use super::*;
use preventkit_domain::actions::AdministrationAction;

impl App {
    pub async fn list_organisations(
        &self,
        grant: &Grant,
    ) -> Result<Vec<OrganisationRow>, ServiceError> {
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
    ) -> Result<OrganisationRow, ServiceError> {
        grant.require(Permission::OrganisationRead)?;
        let mut tx = self.db().read().await?;
        let row = store::administration::organisations::get(&mut tx, &id.to_string()).await?;
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
            &OrganisationRow {
                id: id.to_string(),
                name,
                org_type: org_type.key().to_owned(),
                created_at: now_ms(),
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

    pub async fn list_regions(&self, grant: &Grant) -> Result<Vec<RegionRow>, ServiceError> {
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
            &RegionRow {
                id: id.to_string(),
                name,
                created_at: now_ms(),
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
    ) -> Result<Vec<PartnershipRow>, ServiceError> {
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
    ) -> Result<Vec<(PartnershipRow, Vec<Role>)>, ServiceError> {
        let mut ids: Vec<String> = actor
            .memberships()
            .iter()
            .map(|(p, _)| p.to_string())
            .collect();
        ids.sort();
        ids.dedup();
        let mut tx = self.db().read().await?;
        let rows = store::administration::partnerships::list_by_ids(&mut tx, &ids).await?;
        tx.commit().await?;
        Ok(rows
            .into_iter()
            .map(|p| {
                let roles =
                    p.id.parse::<PartnershipId>()
                        .map(|pid| actor.roles_in(pid).collect())
                        .unwrap_or_default();
                (p, roles)
            })
            .collect())
    }

    /// One partnership with its member organisations.
    pub async fn get_partnership(
        &self,
        grant: &Grant,
    ) -> Result<(PartnershipRow, Vec<OrganisationRow>), ServiceError> {
        let pid = grant
            .require_partnership(Permission::PartnershipRead)?
            .to_string();
        let mut tx = self.db().read().await?;
        let p = store::administration::partnerships::get(&mut tx, &pid)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let orgs = store::administration::partnerships::organisations_of(&mut tx, &pid).await?;
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
            match store::administration::organisations::get(&mut tx, &lead.to_string()).await? {
                Some(o)
                    if OrganisationType::from_key(&o.org_type)
                        .is_some_and(|t| t.is_local_authority()) => {}
                Some(_) => errors.add(
                    "lead_organisation_id",
                    "The lead organisation must be a local authority",
                ),
                None => errors.add("lead_organisation_id", "Choose the lead local authority"),
            }
        }
        if let Some(parent) = parent {
            if store::administration::partnerships::get(&mut tx, &parent.to_string())
                .await?
                .is_none()
            {
                errors.add("parent_id", "Choose a parent partnership from the list");
            }
        }
        if let Some(region) = region {
            if store::administration::organisations::get_region(&mut tx, &region.to_string())
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
            &PartnershipRow {
                id: id.to_string(),
                name,
                lead_organisation_id: lead.to_string(),
                parent_id: parent.map(|p| p.to_string()),
                region_id: region.map(|r| r.to_string()),
                created_at: now_ms(),
            },
        )
        .await
        .map_err(|e| match e {
            StorageError::Conflict => {
                ServiceError::field("name", "A partnership with this name already exists")
            }
            other => other.into(),
        })?;
        store::administration::partnerships::add_organisation(
            &mut tx,
            &id.to_string(),
            &lead.to_string(),
        )
        .await?;
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
        if store::administration::partnerships::get(&mut tx, &partnership.to_string())
            .await?
            .is_none()
        {
            return Err(ServiceError::NotFound);
        }
        if store::administration::organisations::get(&mut tx, &org.to_string())
            .await?
            .is_none()
        {
            return Err(ServiceError::field(
                "organisation_id",
                "Choose an organisation",
            ));
        }
        store::administration::partnerships::add_organisation(
            &mut tx,
            &partnership.to_string(),
            &org.to_string(),
        )
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
