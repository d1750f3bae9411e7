use crate::administration::tables::{
    Organisations as O, PartnershipOrganisations as PO, Partnerships as P,
};
use crate::records::{OrganisationRow, PartnershipRow};
use crate::{StorageError, Tx};
use sea_query::{Expr, Order, Query};

pub async fn insert(tx: &mut Tx, row: &PartnershipRow) -> Result<(), StorageError> {
    tx.execute(&crate::insert(
        P::Table,
        [
            (P::Id, row.id.clone().into()),
            (P::Name, row.name.clone().into()),
            (
                P::LeadOrganisationId,
                row.lead_organisation_id.clone().into(),
            ),
            (P::ParentId, row.parent_id.clone().into()),
            (P::RegionId, row.region_id.clone().into()),
            (P::CreatedAt, row.created_at.into()),
        ],
    )?)
    .await?;
    Ok(())
}

fn select() -> sea_query::SelectStatement {
    Query::select()
        .columns([
            P::Id,
            P::Name,
            P::LeadOrganisationId,
            P::ParentId,
            P::RegionId,
            P::CreatedAt,
        ])
        .from(P::Table)
        .to_owned()
}

pub async fn list(tx: &mut Tx) -> Result<Vec<PartnershipRow>, StorageError> {
    tx.fetch_all(&select().order_by(P::Name, Order::Asc).to_owned())
        .await
}

pub async fn list_by_ids(tx: &mut Tx, ids: &[String]) -> Result<Vec<PartnershipRow>, StorageError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    tx.fetch_all(
        &select()
            .and_where(Expr::col(P::Id).is_in(ids.iter().cloned()))
            .order_by(P::Name, Order::Asc)
            .to_owned(),
    )
    .await
}

pub async fn get(tx: &mut Tx, id: &str) -> Result<Option<PartnershipRow>, StorageError> {
    tx.fetch_optional(&select().and_where(Expr::col(P::Id).eq(id)).to_owned())
        .await
}

pub async fn add_organisation(
    tx: &mut Tx,
    partnership_id: &str,
    organisation_id: &str,
) -> Result<(), StorageError> {
    tx.execute(&crate::insert(
        PO::Table,
        [
            (PO::PartnershipId, partnership_id.into()),
            (PO::OrganisationId, organisation_id.into()),
        ],
    )?)
    .await?;
    Ok(())
}

pub async fn organisations_of(
    tx: &mut Tx,
    partnership_id: &str,
) -> Result<Vec<OrganisationRow>, StorageError> {
    tx.fetch_all(
        &Query::select()
            .columns([
                (O::Table, O::Id),
                (O::Table, O::Name),
                (O::Table, O::OrgType),
                (O::Table, O::CreatedAt),
            ])
            .from(O::Table)
            .inner_join(
                PO::Table,
                Expr::col((PO::Table, PO::OrganisationId)).equals((O::Table, O::Id)),
            )
            .and_where(Expr::col((PO::Table, PO::PartnershipId)).eq(partnership_id))
            .order_by((O::Table, O::Name), Order::Asc)
            .to_owned(),
    )
    .await
}
