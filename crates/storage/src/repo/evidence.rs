use crate::records::EvidenceRow;
use crate::schema::{Evidence as E, EvidenceFiles as F, EvidenceLinks as L};
use crate::{StorageError, Tx};
use sea_query::{Expr, OnConflict, Order, Query};

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
    e: &EvidenceRow,
    bytes: Option<Vec<u8>>,
) -> Result<(), StorageError> {
    tx.execute(&super::insert(
        E::Table,
        [
            (E::Id, e.id.clone().into()),
            (E::PartnershipId, e.partnership_id.clone().into()),
            (E::Title, e.title.clone().into()),
            (E::Kind, e.kind.clone().into()),
            (E::Url, e.url.clone().into()),
            (E::FileName, e.file_name.clone().into()),
            (E::ContentType, e.content_type.clone().into()),
            (E::Size, e.size.into()),
            (E::OwnerId, e.owner_id.clone().into()),
            (E::Marking, e.marking.clone().into()),
            (E::ReviewDate, e.review_date.clone().into()),
            (E::CreatedBy, e.created_by.clone().into()),
            (E::CreatedAt, e.created_at.into()),
        ],
    )?)
    .await?;
    if let Some(b) = bytes {
        tx.execute(&super::insert(
            F::Table,
            [(F::EvidenceId, e.id.clone().into()), (F::Bytes, b.into())],
        )?)
        .await?;
    }
    Ok(())
}

pub async fn get(
    tx: &mut Tx,
    id: &str,
    partnership_id: &str,
) -> Result<Option<EvidenceRow>, StorageError> {
    tx.fetch_optional(
        &Query::select()
            .columns(COLS)
            .from(E::Table)
            .and_where(Expr::col(E::Id).eq(id))
            .and_where(Expr::col(E::PartnershipId).eq(partnership_id))
            .to_owned(),
    )
    .await
}

pub async fn for_partnership(
    tx: &mut Tx,
    partnership_id: &str,
) -> Result<Vec<EvidenceRow>, StorageError> {
    tx.fetch_all(
        &Query::select()
            .columns(COLS)
            .from(E::Table)
            .and_where(Expr::col(E::PartnershipId).eq(partnership_id))
            .order_by(E::Title, Order::Asc)
            .to_owned(),
    )
    .await
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
    let mut stmt = super::insert(
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
