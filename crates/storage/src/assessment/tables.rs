//! The tables of this capability and the migrations that created them.

use crate::administration::tables::Partnerships;
use crate::framework::FrameworkVersions;
use crate::identity::tables::Users;

use crate::schema::{id, int, ref_id, ref_id_null, text, text_null, Step};
#[allow(unused_imports)]
use sea_query::{ColumnDef, ForeignKey, Iden, Index, Table};

#[derive(Iden, Clone, Copy)]
pub enum Assessments {
    Table,
    Id,
    PartnershipId,
    OrganisationId,
    FrameworkVersionId,
    Title,
    PeriodStart,
    PeriodEnd,
    State,
    SubmittedBy,
    PreviousId,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum Responses {
    Table,
    Id,
    AssessmentId,
    QuestionId,
    Rating,
    Details,
    Version,
    UpdatedBy,
    UpdatedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum ResponseHistory {
    Table,
    Id,
    ResponseId,
    Version,
    Rating,
    Details,
    ChangedBy,
    ChangedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum AssessmentTransitions {
    Table,
    Id,
    AssessmentId,
    FromState,
    ToState,
    Reason,
    ActorId,
    At,
}

#[derive(Iden, Clone, Copy)]
pub enum Actions {
    Table,
    Id,
    PartnershipId,
    AssessmentId,
    QuestionId,
    Title,
    OwnerId,
    DueDate,
    Status,
    CreatedBy,
    CreatedAt,
    Version,
    ClosingNote,
    ClosedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum Comments {
    Table,
    Id,
    AssessmentId,
    QuestionId,
    AuthorId,
    Body,
    CreatedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum Assignments {
    Table,
    AssessmentId,
    QuestionId,
    OrganisationId,
    UserId,
}

pub(crate) fn migration_3() -> Vec<Step> {
    use Step::{Index as I, Table as T};
    vec![
        T(Table::create()
            .table(Assessments::Table)
            .col(id(Assessments::Id))
            .col(ref_id(Assessments::PartnershipId))
            .col(ref_id_null(Assessments::OrganisationId))
            .col(ref_id(Assessments::FrameworkVersionId))
            .col(text(Assessments::Title))
            .col(text(Assessments::PeriodStart))
            .col(text(Assessments::PeriodEnd))
            .col(text(Assessments::State))
            .col(ref_id_null(Assessments::SubmittedBy))
            .col(ref_id_null(Assessments::PreviousId))
            .col(ref_id(Assessments::CreatedBy))
            .col(int(Assessments::CreatedAt))
            .col(int(Assessments::UpdatedAt))
            .foreign_key(
                ForeignKey::create()
                    .from(Assessments::Table, Assessments::PartnershipId)
                    .to(Partnerships::Table, Partnerships::Id),
            )
            .foreign_key(
                ForeignKey::create()
                    .from(Assessments::Table, Assessments::FrameworkVersionId)
                    .to(FrameworkVersions::Table, FrameworkVersions::Id),
            )
            .to_owned()),
        I(Index::create()
            .name("assessments_partnership")
            .table(Assessments::Table)
            .col(Assessments::PartnershipId)
            .to_owned()),
        T(Table::create()
            .table(Responses::Table)
            .col(id(Responses::Id))
            .col(ref_id(Responses::AssessmentId))
            .col(
                ColumnDef::new(Responses::QuestionId)
                    .string_len(100)
                    .not_null(),
            )
            .col(text(Responses::Rating))
            .col(text(Responses::Details))
            .col(int(Responses::Version))
            .col(ref_id_null(Responses::UpdatedBy))
            .col(int(Responses::UpdatedAt))
            .foreign_key(
                ForeignKey::create()
                    .from(Responses::Table, Responses::AssessmentId)
                    .to(Assessments::Table, Assessments::Id),
            )
            .to_owned()),
        I(Index::create()
            .name("responses_assessment_question")
            .table(Responses::Table)
            .col(Responses::AssessmentId)
            .col(Responses::QuestionId)
            .unique()
            .to_owned()),
        T(Table::create()
            .table(ResponseHistory::Table)
            .col(id(ResponseHistory::Id))
            .col(ref_id(ResponseHistory::ResponseId))
            .col(int(ResponseHistory::Version))
            .col(text(ResponseHistory::Rating))
            .col(text(ResponseHistory::Details))
            .col(ref_id_null(ResponseHistory::ChangedBy))
            .col(int(ResponseHistory::ChangedAt))
            .foreign_key(
                ForeignKey::create()
                    .from(ResponseHistory::Table, ResponseHistory::ResponseId)
                    .to(Responses::Table, Responses::Id),
            )
            .to_owned()),
        I(Index::create()
            .name("response_history_response")
            .table(ResponseHistory::Table)
            .col(ResponseHistory::ResponseId)
            .col(ResponseHistory::Version)
            .to_owned()),
        T(Table::create()
            .table(AssessmentTransitions::Table)
            .col(id(AssessmentTransitions::Id))
            .col(ref_id(AssessmentTransitions::AssessmentId))
            .col(text(AssessmentTransitions::FromState))
            .col(text(AssessmentTransitions::ToState))
            .col(text_null(AssessmentTransitions::Reason))
            .col(ref_id(AssessmentTransitions::ActorId))
            .col(int(AssessmentTransitions::At))
            .foreign_key(
                ForeignKey::create()
                    .from(
                        AssessmentTransitions::Table,
                        AssessmentTransitions::AssessmentId,
                    )
                    .to(Assessments::Table, Assessments::Id),
            )
            .to_owned()),
    ]
}

pub(crate) fn migration_4() -> Vec<Step> {
    vec![
        Step::Table(
            Table::create()
                .table(Actions::Table)
                .col(id(Actions::Id))
                .col(ref_id(Actions::PartnershipId))
                .col(ref_id_null(Actions::AssessmentId))
                .col(ColumnDef::new(Actions::QuestionId).string_len(100).null())
                .col(text(Actions::Title))
                .col(ref_id(Actions::OwnerId))
                .col(text(Actions::DueDate))
                .col(text(Actions::Status))
                .col(ref_id(Actions::CreatedBy))
                .col(int(Actions::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Actions::Table, Actions::PartnershipId)
                        .to(Partnerships::Table, Partnerships::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Actions::Table, Actions::OwnerId)
                        .to(Users::Table, Users::Id),
                )
                .to_owned(),
        ),
        Step::Index(
            Index::create()
                .name("actions_partnership")
                .table(Actions::Table)
                .col(Actions::PartnershipId)
                .to_owned(),
        ),
    ]
}

pub(crate) fn migration_6() -> Vec<Step> {
    use Step::{Index as I, Table as T};
    vec![
        T(Table::create()
            .table(Comments::Table)
            .col(id(Comments::Id))
            .col(ref_id(Comments::AssessmentId))
            .col(
                ColumnDef::new(Comments::QuestionId)
                    .string_len(100)
                    .not_null(),
            )
            .col(ref_id(Comments::AuthorId))
            .col(text(Comments::Body))
            .col(int(Comments::CreatedAt))
            .foreign_key(
                ForeignKey::create()
                    .from(Comments::Table, Comments::AssessmentId)
                    .to(Assessments::Table, Assessments::Id),
            )
            .to_owned()),
        I(Index::create()
            .name("comments_assessment_question")
            .table(Comments::Table)
            .col(Comments::AssessmentId)
            .col(Comments::QuestionId)
            .to_owned()),
        T(Table::create()
            .table(Assignments::Table)
            .col(ref_id(Assignments::AssessmentId))
            .col(
                ColumnDef::new(Assignments::QuestionId)
                    .string_len(100)
                    .not_null(),
            )
            .col(ref_id_null(Assignments::OrganisationId))
            .col(ref_id_null(Assignments::UserId))
            .foreign_key(
                ForeignKey::create()
                    .from(Assignments::Table, Assignments::AssessmentId)
                    .to(Assessments::Table, Assessments::Id),
            )
            .to_owned()),
        I(Index::create()
            .name("assignments_assessment_question")
            .table(Assignments::Table)
            .col(Assignments::AssessmentId)
            .col(Assignments::QuestionId)
            .unique()
            .to_owned()),
    ]
}

/// Actions get a version (for the stale-edit rule) and a record of how they were closed.
pub(crate) fn migration_9() -> Vec<Step> {
    let add = |col: ColumnDef| {
        Step::Alter(Box::new(
            Table::alter()
                .table(Actions::Table)
                .add_column(col)
                .to_owned(),
        ))
    };
    vec![
        add(ColumnDef::new(Actions::Version)
            .big_integer()
            .not_null()
            .default(1)
            .to_owned()),
        add(ColumnDef::new(Actions::ClosingNote)
            .text()
            .null()
            .to_owned()),
        add(ColumnDef::new(Actions::ClosedAt)
            .big_integer()
            .null()
            .to_owned()),
    ]
}
