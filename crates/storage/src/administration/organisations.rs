use crate::administration::tables::{Organisations as O, Regions as R};
use crate::records::{OrganisationRow, RegionRow};
use crate::{StorageError, Tx};
use sea_query::{Expr, Order, Query};

pub async fn insert(tx: &mut Tx, row: &OrganisationRow) -> Result<(), StorageError> {
    tx.execute(&crate::insert(
        O::Table,
        [
            (O::Id, row.id.clone().into()),
            (O::Name, row.name.clone().into()),
            (O::OrgType, row.org_type.clone().into()),
            (O::CreatedAt, row.created_at.into()),
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

pub async fn list(tx: &mut Tx) -> Result<Vec<OrganisationRow>, StorageError> {
    tx.fetch_all(&select().order_by(O::Name, Order::Asc).to_owned())
        .await
}

pub async fn get(tx: &mut Tx, id: &str) -> Result<Option<OrganisationRow>, StorageError> {
    tx.fetch_optional(&select().and_where(Expr::col(O::Id).eq(id)).to_owned())
        .await
}

pub async fn insert_region(tx: &mut Tx, row: &RegionRow) -> Result<(), StorageError> {
    tx.execute(&crate::insert(
        R::Table,
        [
            (R::Id, row.id.clone().into()),
            (R::Name, row.name.clone().into()),
            (R::CreatedAt, row.created_at.into()),
        ],
    )?)
    .await?;
    Ok(())
}

pub async fn list_regions(tx: &mut Tx) -> Result<Vec<RegionRow>, StorageError> {
    tx.fetch_all(
        &Query::select()
            .columns([R::Id, R::Name, R::CreatedAt])
            .from(R::Table)
            .order_by(R::Name, Order::Asc)
            .to_owned(),
    )
    .await
}

pub async fn get_region(tx: &mut Tx, id: &str) -> Result<Option<RegionRow>, StorageError> {
    tx.fetch_optional(
        &Query::select()
            .columns([R::Id, R::Name, R::CreatedAt])
            .from(R::Table)
            .and_where(Expr::col(R::Id).eq(id))
            .to_owned(),
    )
    .await
}
