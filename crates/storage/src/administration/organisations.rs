use crate::administration::rows::{OrganisationRow, RegionRow};
use crate::administration::tables::{Organisations as O, Regions as R};
use crate::decode::{all, one};
use crate::{StorageError, Tx};
use preventkit_domain::administration::{Organisation, Region};
use preventkit_domain::{OrganisationId, RegionId};
use sea_query::{Expr, Order, Query};

pub async fn insert(tx: &mut Tx, row: &Organisation) -> Result<(), StorageError> {
    tx.execute(&crate::insert(
        O::Table,
        [
            (O::Id, row.id.to_string().into()),
            (O::Name, row.name.clone().into()),
            (O::OrgType, row.org_type.key().into()),
            (O::CreatedAt, row.created_at.millis().into()),
        ],
    )?)
    .await?;
    Ok(())
}

fn select() -> sea_query::SelectStatement {
    Query::select()
        .columns([O::Id, O::Name, O::OrgType, O::CreatedAt])
        .from(O::Table)
        .to_owned()
}

pub async fn list(tx: &mut Tx) -> Result<Vec<Organisation>, StorageError> {
    let rows: Vec<OrganisationRow> = tx
        .fetch_all(&select().order_by(O::Name, Order::Asc).to_owned())
        .await?;
    all(rows)
}

pub async fn get(tx: &mut Tx, id: OrganisationId) -> Result<Option<Organisation>, StorageError> {
    let row: Option<OrganisationRow> = tx
        .fetch_optional(
            &select()
                .and_where(Expr::col(O::Id).eq(id.to_string()))
                .to_owned(),
        )
        .await?;
    one(row)
}

pub async fn insert_region(tx: &mut Tx, row: &Region) -> Result<(), StorageError> {
    tx.execute(&crate::insert(
        R::Table,
        [
            (R::Id, row.id.to_string().into()),
            (R::Name, row.name.clone().into()),
            (R::CreatedAt, row.created_at.millis().into()),
        ],
    )?)
    .await?;
    Ok(())
}

pub async fn list_regions(tx: &mut Tx) -> Result<Vec<Region>, StorageError> {
    let rows: Vec<RegionRow> = tx
        .fetch_all(
            &Query::select()
                .columns([R::Id, R::Name, R::CreatedAt])
                .from(R::Table)
                .order_by(R::Name, Order::Asc)
                .to_owned(),
        )
        .await?;
    all(rows)
}

pub async fn get_region(tx: &mut Tx, id: RegionId) -> Result<Option<Region>, StorageError> {
    let row: Option<RegionRow> = tx
        .fetch_optional(
            &Query::select()
                .columns([R::Id, R::Name, R::CreatedAt])
                .from(R::Table)
                .and_where(Expr::col(R::Id).eq(id.to_string()))
                .to_owned(),
        )
        .await?;
    one(row)
}
