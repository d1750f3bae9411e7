use crate::administration::tables::Partnerships;
use crate::decode::{all, one};
use crate::evidence::{Evidence as E, EvidenceFiles as F, EvidenceLinks as L};
use crate::schema::{id, int, int_null, ref_id, text, text_null, Step};
use crate::{StorageError, Tx};
use preventkit_domain::assessment::date_text;
use preventkit_domain::evidence::Evidence as EvidenceItem;
use rows::EvidenceRow;
#[allow(unused_imports)]
use sea_query::{ColumnDef, ForeignKey, Iden, Index, Table};
use sea_query::{Expr, OnConflict, Order, Query};

mod rows;

// The tables of this capability.

#[derive(Iden, Clone, Copy)]
pub enum Evidence {
    Table,
    Id,
    PartnershipId,
    Title,
    Kind,
    Url,
    FileName,
    ContentType,
    Size,
    OwnerId,
    Marking,
    ReviewDate,
    CreatedBy,
    CreatedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum EvidenceFiles {
    Table,
    EvidenceId,
    Bytes,
}

#[derive(Iden, Clone, Copy)]
pub enum EvidenceLinks {
    Table,
    EvidenceId,
    AssessmentId,
    QuestionId,
}

pub(crate) fn migration_5() -> Vec<Step> {
    use Step::{Index as I, Table as T};
    vec![
        T(Table::create()
            .table(Evidence::Table)
            .col(id(Evidence::Id))
            .col(ref_id(Evidence::PartnershipId))
            .col(text(Evidence::Title))
            .col(text(Evidence::Kind))
            .col(text_null(Evidence::Url))
            .col(text_null(Evidence::FileName))
            .col(text_null(Evidence::ContentType))
            .col(int_null(Evidence::Size))
            .col(ref_id(Evidence::OwnerId))
            .col(text(Evidence::Marking))
            .col(text_null(Evidence::ReviewDate))
            .col(ref_id(Evidence::CreatedBy))
            .col(int(Evidence::CreatedAt))
            .foreign_key(
                ForeignKey::create()
                    .from(Evidence::Table, Evidence::PartnershipId)
                    .to(Partnerships::Table, Partnerships::Id),
            )
            .to_owned()),
        T(Table::create()
            .table(EvidenceFiles::Table)
            .col(id(EvidenceFiles::EvidenceId))
            .col(ColumnDef::new(EvidenceFiles::Bytes).binary().not_null())
            .foreign_key(
                ForeignKey::create()
                    .from(EvidenceFiles::Table, EvidenceFiles::EvidenceId)
                    .to(Evidence::Table, Evidence::Id),
            )
            .to_owned()),
        T(Table::create()
            .table(EvidenceLinks::Table)
            .col(ref_id(EvidenceLinks::EvidenceId))
            .col(ref_id(EvidenceLinks::AssessmentId))
            .col(
                ColumnDef::new(EvidenceLinks::QuestionId)
                    .string_len(100)
                    .not_null(),
            )
            .primary_key(
                Index::create()
                    .col(EvidenceLinks::EvidenceId)
                    .col(EvidenceLinks::AssessmentId)
                    .col(EvidenceLinks::QuestionId),
            )
            .foreign_key(
                ForeignKey::create()
                    .from(EvidenceLinks::Table, EvidenceLinks::EvidenceId)
                    .to(Evidence::Table, Evidence::Id),
            )
            .to_owned()),
        I(Index::create()
            .name("evidence_links_assessment")
            .table(EvidenceLinks::Table)
            .col(EvidenceLinks::AssessmentId)
            .to_owned()),
    ]
}

const COLS: [E; 13] = [
    E::Id,
    E::PartnershipId,
    E::Title,
    E::Kind,
    E::Url,
    E::FileName,
    E::ContentType,
    E::Size,
    E::OwnerId,
    E::Marking,
    E::ReviewDate,
    E::CreatedBy,
    E::CreatedAt,
];

pub async fn insert(
    tx: &mut Tx,
    e: &EvidenceItem,
    bytes: Option<Vec<u8>>,
) -> Result<(), StorageError> {
    tx.execute(&crate::insert(
        E::Table,
        [
            (E::Id, e.id.to_string().into()),
            (E::PartnershipId, e.partnership_id.to_string().into()),
            (E::Title, e.title.clone().into()),
            (E::Kind, e.kind.key().into()),
            (E::Url, e.url.clone().into()),
            (E::FileName, e.file_name.clone().into()),
            (E::ContentType, e.content_type.clone().into()),
            (E::Size, e.size.into()),
            (E::OwnerId, e.owner_id.to_string().into()),
            (E::Marking, e.marking.key().into()),
            (E::ReviewDate, e.review_date.map(date_text).into()),
            (E::CreatedBy, e.created_by.to_string().into()),
            (E::CreatedAt, e.created_at.millis().into()),
        ],
    )?)
    .await?;
    if let Some(b) = bytes {
        tx.execute(&crate::insert(
            F::Table,
            [
                (F::EvidenceId, e.id.to_string().into()),
                (F::Bytes, b.into()),
            ],
        )?)
        .await?;
    }
    Ok(())
}

pub async fn get(
    tx: &mut Tx,
    id: &str,
    partnership_id: &str,
) -> Result<Option<EvidenceItem>, StorageError> {
    let row: Option<EvidenceRow> = tx
        .fetch_optional(
            &Query::select()
                .columns(COLS)
                .from(E::Table)
                .and_where(Expr::col(E::Id).eq(id))
                .and_where(Expr::col(E::PartnershipId).eq(partnership_id))
                .to_owned(),
        )
        .await?;
    one(row)
}

pub async fn for_partnership(
    tx: &mut Tx,
    partnership_id: &str,
) -> Result<Vec<EvidenceItem>, StorageError> {
    let rows: Vec<EvidenceRow> = tx
        .fetch_all(
            &Query::select()
                .columns(COLS)
                .from(E::Table)
                .and_where(Expr::col(E::PartnershipId).eq(partnership_id))
                .order_by(E::Title, Order::Asc)
                .to_owned(),
        )
        .await?;
    all(rows)
}

pub async fn bytes(tx: &mut Tx, id: &str) -> Result<Option<Vec<u8>>, StorageError> {
    let row: Option<(Vec<u8>,)> = tx
        .fetch_optional(
            &Query::select()
                .column(F::Bytes)
                .from(F::Table)
                .and_where(Expr::col(F::EvidenceId).eq(id))
                .to_owned(),
        )
        .await?;
    Ok(row.map(|(b,)| b))
}

/// Link an item to a question of an assessment (linking twice is harmless).
pub async fn link(
    tx: &mut Tx,
    evidence: &str,
    assessment: &str,
    question: &str,
) -> Result<(), StorageError> {
    let mut stmt = crate::insert(
        L::Table,
        [
            (L::EvidenceId, evidence.into()),
            (L::AssessmentId, assessment.into()),
            (L::QuestionId, question.into()),
        ],
    )?;
    stmt.on_conflict(
        OnConflict::columns([L::EvidenceId, L::AssessmentId, L::QuestionId])
            .do_nothing()
            .to_owned(),
    );
    tx.execute(&stmt).await?;
    Ok(())
}

/// (evidence id, question id) pairs of one assessment.
pub async fn links(tx: &mut Tx, assessment: &str) -> Result<Vec<(String, String)>, StorageError> {
    tx.fetch_all(
        &Query::select()
            .columns([L::EvidenceId, L::QuestionId])
            .from(L::Table)
            .and_where(Expr::col(L::AssessmentId).eq(assessment))
            .to_owned(),
    )
    .await
}
