//! Table names, column names and migrations. The schema is written once with `sea-query`'s
//! schema builder, which writes each engine's DDL, and the migrations are compiled into the
//! binary.

use crate::administration::tables::Memberships;
use crate::administration::tables::Organisations;
use crate::administration::tables::PartnershipOrganisations;
use crate::administration::tables::Partnerships;
use crate::administration::tables::Regions;
use crate::identity::tables::ApiTokens;
use crate::identity::tables::RecoveryCodes;
use crate::identity::tables::Sessions;
use crate::identity::tables::Throttle;
use crate::identity::tables::Users;
use crate::jobs::Jobs;
use crate::settings::Settings;

use crate::db::{Db, StorageError};
use crate::now_ms;
use sea_query::{
    ColumnDef, ForeignKey, Iden, Index, IndexCreateStatement, Query, Table, TableAlterStatement,
    TableCreateStatement, TableDropStatement, TableRenameStatement,
};

#[derive(Iden, Clone, Copy)]
pub enum SchemaMigrations {
    Table,
    Version,
    Name,
    AppliedAt,
}

/// The audit log: one hash chain per partnership and one for the platform. `position` orders
/// every event across chains (the order they were written in); `seq` numbers an event within
/// its `chain`.
#[derive(Iden, Clone, Copy)]
pub enum AuditEvents {
    Table,
    Position,
    Chain,
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

/// The single chain head of schema versions 1 to 7 (replaced by [`AuditChainHeads`]).
#[derive(Iden, Clone, Copy)]
pub enum AuditHead {
    Table,
    Id,
    LastSeq,
    LastHash,
    TouchedAt,
}

pub(crate) fn id(col: impl Iden + 'static) -> ColumnDef {
    ColumnDef::new(col)
        .string_len(36)
        .not_null()
        .primary_key()
        .to_owned()
}
pub(crate) fn text(col: impl Iden + 'static) -> ColumnDef {
    ColumnDef::new(col).text().not_null().to_owned()
}
pub(crate) fn text_null(col: impl Iden + 'static) -> ColumnDef {
    ColumnDef::new(col).text().null().to_owned()
}
pub(crate) fn ref_id(col: impl Iden + 'static) -> ColumnDef {
    ColumnDef::new(col).string_len(36).not_null().to_owned()
}
pub(crate) fn ref_id_null(col: impl Iden + 'static) -> ColumnDef {
    ColumnDef::new(col).string_len(36).null().to_owned()
}
pub(crate) fn int(col: impl Iden + 'static) -> ColumnDef {
    ColumnDef::new(col).big_integer().not_null().to_owned()
}
pub(crate) fn int_null(col: impl Iden + 'static) -> ColumnDef {
    ColumnDef::new(col).big_integer().null().to_owned()
}

/// The head of each audit chain: its last sequence number and hash.
#[derive(Iden, Clone, Copy)]
pub enum AuditChainHeads {
    Table,
    Chain,
    LastSeq,
    LastHash,
    TouchedAt,
}

/// A step of a migration that moves data, run in the migration's transaction.
pub(crate) type DataStep = for<'a> fn(
    &'a mut crate::Tx,
) -> std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<(), StorageError>> + Send + 'a>,
>;

pub(crate) enum Step {
    Table(TableCreateStatement),
    Index(IndexCreateStatement),
    Rename(Box<TableRenameStatement>),
    Drop(TableDropStatement),
    /// One change to a table (one column added: SQLite takes one per statement).
    Alter(Box<TableAlterStatement>),
    Data(DataStep),
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
        steps: crate::framework::migration_2,
    },
    Migration {
        version: 3,
        name: "assessments, responses with history, state transitions",
        steps: crate::assessment::tables::migration_3,
    },
    Migration {
        version: 4,
        name: "action plan: actions raised from assessment gaps",
        steps: crate::assessment::tables::migration_4,
    },
    Migration {
        version: 5,
        name: "evidence: files and links with marking and review date, linked to questions",
        steps: crate::evidence::migration_5,
    },
    Migration {
        version: 6,
        name: "comments on questions and assignment of questions to partners",
        steps: crate::assessment::tables::migration_6,
    },
    Migration {
        version: 7,
        name: "invitations to a role, accepted by the person invited",
        steps: crate::administration::tables::migration_7,
    },
    Migration {
        version: 8,
        name: "audit: one hash chain per partnership and one for the platform",
        steps: crate::audit::migration_8,
    },
    Migration {
        version: 9,
        name: "actions: a version for the stale-edit rule, and how they were closed",
        steps: crate::assessment::tables::migration_9,
    },
    Migration {
        version: 10,
        name: "keys: each case's data key, wrapped by a key-encryption key",
        steps: crate::keys::migration_10,
    },
    Migration {
        version: 11,
        name: "channel: cases, their timelines and exceptional access",
        steps: crate::channel::migration_11,
    },
    Migration {
        version: 12,
        name: "the Channel panel: members by sector, meetings, invitations, agendas",
        steps: crate::panel::migration_12,
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
pub(crate) async fn migrate(db: &Db, up_to: i64) -> Result<Vec<i64>, StorageError> {
    ensure_migrations_table(db).await?;
    let done = applied(db).await?;
    let mut newly = Vec::new();
    for m in MIGRATIONS
        .iter()
        .filter(|m| !done.contains(&m.version) && m.version <= up_to)
    {
        let mut tx = db.read().await?;
        let claim = crate::insert(
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
            let builder = db.engine().schema_builder();
            let sql = match step {
                Step::Table(t) => t.build_any(builder),
                Step::Index(i) => i.build_any(builder),
                Step::Rename(r) => r.build_any(builder),
                Step::Drop(d) => d.build_any(builder),
                Step::Alter(a) => a.build_any(builder),
                Step::Data(data) => {
                    data(&mut tx).await?;
                    continue;
                }
            };
            tx.execute_sql(&sql).await?;
        }
        if m.version == 1 {
            tx.execute(&crate::insert(
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
