use crate::administration::rows::{OrganisationRow, PartnershipRow};
use crate::administration::tables::{
    Organisations as O, PartnershipOrganisations as PO, Partnerships as P,
};
use crate::decode::{all, one};
use crate::{StorageError, Tx};
use preventkit_domain::administration::{Organisation, Partnership};
use preventkit_domain::{OrganisationId, PartnershipId};
use sea_query::{Expr, Order, Query};

pub async fn insert(tx: &mut Tx, row: &Partnership) -> Result<(), StorageError> {
    tx.execute(&crate::insert(
        P::Table,
        [
            (P::Id, row.id.to_string().into()),
            (P::Name, row.name.clone().into()),
            (
                P::LeadOrganisationId,
                row.lead_organisation_id.to_string().into(),
            ),
            (P::ParentId, row.parent_id.map(|p| p.to_string()).into()),
            (P::RegionId, row.region_id.map(|r| r.to_string()).into()),
            (P::CreatedAt, row.created_at.millis().into()),
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

pub async fn list(tx: &mut Tx) -> Result<Vec<Partnership>, StorageError> {
    let rows: Vec<PartnershipRow> = tx
        .fetch_all(&select().order_by(P::Name, Order::Asc).to_owned())
        .await?;
    all(rows)
}

pub async fn list_by_ids(
    tx: &mut Tx,
    ids: &[PartnershipId],
) -> Result<Vec<Partnership>, StorageError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<PartnershipRow> = tx
        .fetch_all(
            &select()
                .and_where(Expr::col(P::Id).is_in(ids.iter().map(|i| i.to_string())))
                .order_by(P::Name, Order::Asc)
                .to_owned(),
        )
        .await?;
    all(rows)
}

pub async fn get(tx: &mut Tx, id: PartnershipId) -> Result<Option<Partnership>, StorageError> {
    let row: Option<PartnershipRow> = tx
        .fetch_optional(
            &select()
                .and_where(Expr::col(P::Id).eq(id.to_string()))
                .to_owned(),
        )
        .await?;
    one(row)
}

pub async fn add_organisation(
    tx: &mut Tx,
    partnership_id: PartnershipId,
    organisation_id: OrganisationId,
) -> Result<(), StorageError> {
    tx.execute(&crate::insert(
        PO::Table,
        [
            (PO::PartnershipId, partnership_id.to_string().into()),
            (PO::OrganisationId, organisation_id.to_string().into()),
        ],
    )?)
    .await?;
    Ok(())
}

pub async fn organisations_of(
    tx: &mut Tx,
    partnership_id: PartnershipId,
) -> Result<Vec<Organisation>, StorageError> {
    let rows: Vec<OrganisationRow> = tx
        .fetch_all(
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
                .and_where(Expr::col((PO::Table, PO::PartnershipId)).eq(partnership_id.to_string()))
                .order_by((O::Table, O::Name), Order::Asc)
                .to_owned(),
        )
        .await?;
    all(rows)
}
