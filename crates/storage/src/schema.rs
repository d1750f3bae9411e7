//! Table names, column names and migrations. The schema is written once with `sea-query`'s
//! schema builder, which writes each engine's DDL, and the migrations are compiled into the
//! binary.

use crate::db::{Db, StorageError};
use crate::now_ms;
use sea_query::{
    ColumnDef, ForeignKey, Iden, Index, IndexCreateStatement, Query, Table, TableCreateStatement,
};

#[derive(Iden, Clone, Copy)]
pub enum SchemaMigrations {
    Table,
    Version,
    Name,
    AppliedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum Users {
    Table,
    Id,
    Email,
    DisplayName,
    OrganisationId,
    PasswordHash,
    TotpSecret,
    MfaEnrolledAt,
    LastTotpStep,
    SystemAdmin,
    Clearance,
    DisabledAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum RecoveryCodes {
    Table,
    Id,
    UserId,
    CodeHash,
    UsedAt,
    CreatedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum Organisations {
    Table,
    Id,
    Name,
    OrgType,
    CreatedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum Regions {
    Table,
    Id,
    Name,
    CreatedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum Partnerships {
    Table,
    Id,
    Name,
    LeadOrganisationId,
    ParentId,
    RegionId,
    CreatedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum PartnershipOrganisations {
    Table,
    PartnershipId,
    OrganisationId,
}

#[derive(Iden, Clone, Copy)]
pub enum Memberships {
    Table,
    Id,
    PartnershipId,
    UserId,
    Role,
    CreatedAt,
}

/// An invitation to take a role in a partnership, which the person accepts themselves.
#[derive(Iden, Clone, Copy)]
pub enum Invitations {
    Table,
    Id,
    PartnershipId,
    Email,
    Role,
    InvitedBy,
    CreatedAt,
    ExpiresAt,
    AcceptedAt,
    DeclinedAt,
    MembershipId,
}

#[derive(Iden, Clone, Copy)]
pub enum Sessions {
    Table,
    IdHash,
    UserId,
    Stage,
    PendingTotpSecret,
    ActivePartnershipId,
    CreatedAt,
    LastSeenAt,
}

#[derive(Iden, Clone, Copy)]
pub enum ApiTokens {
    Table,
    Id,
    UserId,
    PartnershipId,
    Role,
    Name,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    RevokedAt,
    LastUsedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum Throttle {
    Table,
    Key,
    WindowStart,
    Failures,
}

#[derive(Iden, Clone, Copy)]
pub enum Settings {
    Table,
    Key,
    Value,
}

#[derive(Iden, Clone, Copy)]
pub enum Jobs {
    Table,
    Name,
    LockedUntil,
    LockedBy,
    LastRunAt,
}

#[derive(Iden, Clone, Copy)]
pub enum AuditEvents {
    Table,
    Seq,
    Id,
    OccurredAt,
    ActorId,
    PartnershipId,
    Action,
    ObjectType,
    ObjectId,
    Outcome,
    Source,
    PrevHash,
    Hash,
}

#[derive(Iden, Clone, Copy)]
pub enum FrameworkVersions {
    Table,
    Id,
    FrameworkKey,
    Version,
    Title,
    Fingerprint,
    Source,
    ImportedAt,
}

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
}

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

#[derive(Iden, Clone, Copy)]
pub enum AuditHead {
    Table,
    Id,
    LastSeq,
    LastHash,
    TouchedAt,
}

fn id(col: impl Iden + 'static) -> ColumnDef {
    ColumnDef::new(col)
        .string_len(36)
        .not_null()
        .primary_key()
        .to_owned()
}
fn text(col: impl Iden + 'static) -> ColumnDef {
    ColumnDef::new(col).text().not_null().to_owned()
}
fn text_null(col: impl Iden + 'static) -> ColumnDef {
    ColumnDef::new(col).text().null().to_owned()
}
fn ref_id(col: impl Iden + 'static) -> ColumnDef {
    ColumnDef::new(col).string_len(36).not_null().to_owned()
}
fn ref_id_null(col: impl Iden + 'static) -> ColumnDef {
    ColumnDef::new(col).string_len(36).null().to_owned()
}
fn int(col: impl Iden + 'static) -> ColumnDef {
    ColumnDef::new(col).big_integer().not_null().to_owned()
}
fn int_null(col: impl Iden + 'static) -> ColumnDef {
    ColumnDef::new(col).big_integer().null().to_owned()
}

enum Step {
    Table(TableCreateStatement),
    Index(IndexCreateStatement),
}

fn migration_1() -> Vec<Step> {
    use Step::{Index as I, Table as T};
    vec![
        T(Table::create()
            .table(Organisations::Table)
            .col(id(Organisations::Id))
            .col(text(Organisations::Name).unique_key())
            .col(text(Organisations::OrgType))
            .col(int(Organisations::CreatedAt))
            .to_owned()),
        T(Table::create()
            .table(Regions::Table)
            .col(id(Regions::Id))
            .col(text(Regions::Name).unique_key())
            .col(int(Regions::CreatedAt))
            .to_owned()),
        T(Table::create()
            .table(Partnerships::Table)
            .col(id(Partnerships::Id))
            .col(text(Partnerships::Name).unique_key())
            .col(ref_id(Partnerships::LeadOrganisationId))
            .col(ref_id_null(Partnerships::ParentId))
            .col(ref_id_null(Partnerships::RegionId))
            .col(int(Partnerships::CreatedAt))
            .foreign_key(
                ForeignKey::create()
                    .from(Partnerships::Table, Partnerships::LeadOrganisationId)
                    .to(Organisations::Table, Organisations::Id),
            )
            .foreign_key(
                ForeignKey::create()
                    .from(Partnerships::Table, Partnerships::ParentId)
                    .to(Partnerships::Table, Partnerships::Id),
            )
            .foreign_key(
                ForeignKey::create()
                    .from(Partnerships::Table, Partnerships::RegionId)
                    .to(Regions::Table, Regions::Id),
            )
            .to_owned()),
        T(Table::create()
            .table(PartnershipOrganisations::Table)
            .col(ref_id(PartnershipOrganisations::PartnershipId))
            .col(ref_id(PartnershipOrganisations::OrganisationId))
            .primary_key(
                Index::create()
                    .col(PartnershipOrganisations::PartnershipId)
                    .col(PartnershipOrganisations::OrganisationId),
            )
            .foreign_key(
                ForeignKey::create()
                    .from(
                        PartnershipOrganisations::Table,
                        PartnershipOrganisations::PartnershipId,
                    )
                    .to(Partnerships::Table, Partnerships::Id),
            )
            .foreign_key(
                ForeignKey::create()
                    .from(
                        PartnershipOrganisations::Table,
                        PartnershipOrganisations::OrganisationId,
                    )
                    .to(Organisations::Table, Organisations::Id),
            )
            .to_owned()),
        T(Table::create()
            .table(Users::Table)
            .col(id(Users::Id))
            .col(text(Users::Email).unique_key())
            .col(text(Users::DisplayName))
            .col(ref_id(Users::OrganisationId))
            .col(text(Users::PasswordHash))
            .col(text_null(Users::TotpSecret))
            .col(int_null(Users::MfaEnrolledAt))
            .col(int_null(Users::LastTotpStep))
            .col(int(Users::SystemAdmin))
            .col(text(Users::Clearance))
            .col(int_null(Users::DisabledAt))
            .col(int(Users::CreatedAt))
            .col(int(Users::UpdatedAt))
            .foreign_key(
                ForeignKey::create()
                    .from(Users::Table, Users::OrganisationId)
                    .to(Organisations::Table, Organisations::Id),
            )
            .to_owned()),
        T(Table::create()
            .table(RecoveryCodes::Table)
            .col(id(RecoveryCodes::Id))
            .col(ref_id(RecoveryCodes::UserId))
            .col(text(RecoveryCodes::CodeHash))
            .col(int_null(RecoveryCodes::UsedAt))
            .col(int(RecoveryCodes::CreatedAt))
            .foreign_key(
                ForeignKey::create()
                    .from(RecoveryCodes::Table, RecoveryCodes::UserId)
                    .to(Users::Table, Users::Id),
            )
            .to_owned()),
        I(Index::create()
            .name("recovery_codes_user")
            .table(RecoveryCodes::Table)
            .col(RecoveryCodes::UserId)
            .to_owned()),
        T(Table::create()
            .table(Memberships::Table)
            .col(id(Memberships::Id))
            .col(ref_id(Memberships::PartnershipId))
            .col(ref_id(Memberships::UserId))
            .col(text(Memberships::Role))
            .col(int(Memberships::CreatedAt))
            .foreign_key(
                ForeignKey::create()
                    .from(Memberships::Table, Memberships::PartnershipId)
                    .to(Partnerships::Table, Partnerships::Id),
            )
            .foreign_key(
                ForeignKey::create()
                    .from(Memberships::Table, Memberships::UserId)
                    .to(Users::Table, Users::Id),
            )
            .to_owned()),
        I(Index::create()
            .name("memberships_unique_role")
            .table(Memberships::Table)
            .col(Memberships::PartnershipId)
            .col(Memberships::UserId)
            .col(Memberships::Role)
            .unique()
            .to_owned()),
        I(Index::create()
            .name("memberships_user")
            .table(Memberships::Table)
            .col(Memberships::UserId)
            .to_owned()),
        T(Table::create()
            .table(Sessions::Table)
            .col(
                ColumnDef::new(Sessions::IdHash)
                    .string_len(64)
                    .not_null()
                    .primary_key(),
            )
            .col(ref_id(Sessions::UserId))
            .col(text(Sessions::Stage))
            .col(text_null(Sessions::PendingTotpSecret))
            .col(ref_id_null(Sessions::ActivePartnershipId))
            .col(int(Sessions::CreatedAt))
            .col(int(Sessions::LastSeenAt))
            .foreign_key(
                ForeignKey::create()
                    .from(Sessions::Table, Sessions::UserId)
                    .to(Users::Table, Users::Id),
            )
            .to_owned()),
        I(Index::create()
            .name("sessions_user")
            .table(Sessions::Table)
            .col(Sessions::UserId)
            .to_owned()),
        T(Table::create()
            .table(ApiTokens::Table)
            .col(id(ApiTokens::Id))
            .col(ref_id(ApiTokens::UserId))
            .col(ref_id(ApiTokens::PartnershipId))
            .col(text(ApiTokens::Role))
            .col(text(ApiTokens::Name))
            .col(
                ColumnDef::new(ApiTokens::TokenHash)
                    .string_len(64)
                    .not_null()
                    .unique_key(),
            )
            .col(int(ApiTokens::CreatedAt))
            .col(int(ApiTokens::ExpiresAt))
            .col(int_null(ApiTokens::RevokedAt))
            .col(int_null(ApiTokens::LastUsedAt))
            .foreign_key(
                ForeignKey::create()
                    .from(ApiTokens::Table, ApiTokens::UserId)
                    .to(Users::Table, Users::Id),
            )
            .foreign_key(
                ForeignKey::create()
                    .from(ApiTokens::Table, ApiTokens::PartnershipId)
                    .to(Partnerships::Table, Partnerships::Id),
            )
            .to_owned()),
        T(Table::create()
            .table(Throttle::Table)
            .col(
                ColumnDef::new(Throttle::Key)
                    .string_len(100)
                    .not_null()
                    .primary_key(),
            )
            .col(int(Throttle::WindowStart))
            .col(int(Throttle::Failures))
            .to_owned()),
        T(Table::create()
            .table(Settings::Table)
            .col(
                ColumnDef::new(Settings::Key)
                    .string_len(100)
                    .not_null()
                    .primary_key(),
            )
            .col(text(Settings::Value))
            .to_owned()),
        T(Table::create()
            .table(Jobs::Table)
            .col(
                ColumnDef::new(Jobs::Name)
                    .string_len(100)
                    .not_null()
                    .primary_key(),
            )
            .col(int(Jobs::LockedUntil))
            .col(text_null(Jobs::LockedBy))
            .col(int_null(Jobs::LastRunAt))
            .to_owned()),
        T(Table::create()
            .table(AuditEvents::Table)
            .col(
                ColumnDef::new(AuditEvents::Seq)
                    .big_integer()
                    .not_null()
                    .primary_key(),
            )
            .col(
                ColumnDef::new(AuditEvents::Id)
                    .string_len(36)
                    .not_null()
                    .unique_key(),
            )
            .col(int(AuditEvents::OccurredAt))
            .col(ref_id_null(AuditEvents::ActorId))
            .col(ref_id_null(AuditEvents::PartnershipId))
            .col(text(AuditEvents::Action))
            .col(text_null(AuditEvents::ObjectType))
            .col(text_null(AuditEvents::ObjectId))
            .col(text(AuditEvents::Outcome))
            .col(text_null(AuditEvents::Source))
            .col(
                ColumnDef::new(AuditEvents::PrevHash)
                    .string_len(64)
                    .not_null(),
            )
            .col(ColumnDef::new(AuditEvents::Hash).string_len(64).not_null())
            .to_owned()),
        I(Index::create()
            .name("audit_events_partnership")
            .table(AuditEvents::Table)
            .col(AuditEvents::PartnershipId)
            .col(AuditEvents::Seq)
            .to_owned()),
        T(Table::create()
            .table(AuditHead::Table)
            .col(
                ColumnDef::new(AuditHead::Id)
                    .big_integer()
                    .not_null()
                    .primary_key(),
            )
            .col(int(AuditHead::LastSeq))
            .col(
                ColumnDef::new(AuditHead::LastHash)
                    .string_len(64)
                    .not_null(),
            )
            .col(int(AuditHead::TouchedAt))
            .to_owned()),
    ]
}

fn migration_2() -> Vec<Step> {
    vec![
        Step::Table(
            Table::create()
                .table(FrameworkVersions::Table)
                .col(id(FrameworkVersions::Id))
                .col(
                    ColumnDef::new(FrameworkVersions::FrameworkKey)
                        .string_len(100)
                        .not_null(),
                )
                .col(int(FrameworkVersions::Version))
                .col(text(FrameworkVersions::Title))
                .col(
                    ColumnDef::new(FrameworkVersions::Fingerprint)
                        .string_len(64)
                        .not_null(),
                )
                .col(text(FrameworkVersions::Source))
                .col(int(FrameworkVersions::ImportedAt))
                .to_owned(),
        ),
        Step::Index(
            Index::create()
                .name("framework_versions_key_version")
                .table(FrameworkVersions::Table)
                .col(FrameworkVersions::FrameworkKey)
                .col(FrameworkVersions::Version)
                .unique()
                .to_owned(),
        ),
    ]
}

fn migration_3() -> Vec<Step> {
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

fn migration_4() -> Vec<Step> {
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

fn migration_5() -> Vec<Step> {
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

fn migration_6() -> Vec<Step> {
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

fn migration_7() -> Vec<Step> {
    use Step::{Index as I, Table as T};
    vec![
        T(Table::create()
            .table(Invitations::Table)
            .col(id(Invitations::Id))
            .col(ref_id(Invitations::PartnershipId))
            .col(text(Invitations::Email))
            .col(text(Invitations::Role))
            .col(ref_id(Invitations::InvitedBy))
            .col(int(Invitations::CreatedAt))
            .col(int(Invitations::ExpiresAt))
            .col(int_null(Invitations::AcceptedAt))
            .col(int_null(Invitations::DeclinedAt))
            .col(ref_id_null(Invitations::MembershipId))
            .foreign_key(
                ForeignKey::create()
                    .from(Invitations::Table, Invitations::PartnershipId)
                    .to(Partnerships::Table, Partnerships::Id),
            )
            .to_owned()),
        I(Index::create()
            .name("invitations_email")
            .table(Invitations::Table)
            .col(Invitations::Email)
            .to_owned()),
        I(Index::create()
            .name("invitations_partnership")
            .table(Invitations::Table)
            .col(Invitations::PartnershipId)
            .to_owned()),
    ]
}

struct Migration {
    version: i64,
    name: &'static str,
    steps: fn() -> Vec<Step>,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "platform: organisations, partnerships, accounts, sessions, tokens, audit",
        steps: migration_1,
    },
    Migration {
        version: 2,
        name: "assessment framework versions",
        steps: migration_2,
    },
    Migration {
        version: 3,
        name: "assessments, responses with history, state transitions",
        steps: migration_3,
    },
    Migration {
        version: 4,
        name: "action plan: actions raised from assessment gaps",
        steps: migration_4,
    },
    Migration {
        version: 5,
        name: "evidence: files and links with marking and review date, linked to questions",
        steps: migration_5,
    },
    Migration {
        version: 6,
        name: "comments on questions and assignment of questions to partners",
        steps: migration_6,
    },
    Migration {
        version: 7,
        name: "invitations to a role, accepted by the person invited",
        steps: migration_7,
    },
];

async fn ensure_migrations_table(db: &Db) -> Result<(), StorageError> {
    let stmt = Table::create()
        .table(SchemaMigrations::Table)
        .if_not_exists()
        .col(
            ColumnDef::new(SchemaMigrations::Version)
                .big_integer()
                .not_null()
                .primary_key(),
        )
        .col(text(SchemaMigrations::Name))
        .col(int(SchemaMigrations::AppliedAt))
        .to_owned();
    db.execute_raw(&stmt.build_any(db.engine().schema_builder()))
        .await
}

async fn applied(db: &Db) -> Result<Vec<i64>, StorageError> {
    let mut tx = db.read().await?;
    let rows: Vec<(i64,)> = tx
        .fetch_all(
            &Query::select()
                .column(SchemaMigrations::Version)
                .from(SchemaMigrations::Table)
                .to_owned(),
        )
        .await?;
    tx.commit().await?;
    Ok(rows.into_iter().map(|(v,)| v).collect())
}

/// Apply pending migrations, each in its own transaction together with its record in
/// `schema_migrations`. Two processes migrating at once on PostgreSQL queue on that record's
/// primary key; the second finds the work done and moves on.
pub(crate) async fn migrate(db: &Db) -> Result<Vec<i64>, StorageError> {
    ensure_migrations_table(db).await?;
    let done = applied(db).await?;
    let mut newly = Vec::new();
    for m in MIGRATIONS.iter().filter(|m| !done.contains(&m.version)) {
        let mut tx = db.read().await?;
        let claim = crate::repo::insert(
            SchemaMigrations::Table,
            [
                (SchemaMigrations::Version, m.version.into()),
                (SchemaMigrations::Name, m.name.into()),
                (SchemaMigrations::AppliedAt, now_ms().into()),
            ],
        )?;
        let claimed = tx.execute(&claim).await;
        match claimed {
            Ok(_) => {}
            Err(StorageError::Conflict) => {
                tx.rollback().await?;
                continue;
            }
            Err(e) => return Err(e),
        }
        for step in (m.steps)() {
            let sql = match step {
                Step::Table(t) => t.build_any(db.engine().schema_builder()),
                Step::Index(i) => i.build_any(db.engine().schema_builder()),
            };
            tx.execute_sql(&sql).await?;
        }
        if m.version == 1 {
            tx.execute(&crate::repo::insert(
                AuditHead::Table,
                [
                    (AuditHead::Id, 1i64.into()),
                    (AuditHead::LastSeq, 0i64.into()),
                    (
                        AuditHead::LastHash,
                        preventkit_domain::audit::GENESIS_HASH.into(),
                    ),
                    (AuditHead::TouchedAt, now_ms().into()),
                ],
            )?)
            .await?;
        }
        tx.commit().await?;
        newly.push(m.version);
    }
    Ok(newly)
}

pub(crate) async fn is_current(db: &Db) -> Result<bool, StorageError> {
    let done = match applied(db).await {
        Ok(d) => d,
        Err(StorageError::Database(_)) => return Ok(false),
        Err(e) => return Err(e),
    };
    Ok(MIGRATIONS.iter().all(|m| done.contains(&m.version)))
}

/// The newest schema version this build knows.
pub fn latest_version() -> i64 {
    MIGRATIONS.iter().map(|m| m.version).max().unwrap_or(0)
}
