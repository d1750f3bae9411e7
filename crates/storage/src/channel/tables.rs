//! The tables of Channel case management (migration 11).

use crate::administration::tables::Partnerships;
use crate::schema::{id, int, ref_id, ref_id_null, text, text_null, Step};
use sea_query::{ForeignKey, Iden, Index, Table};

/// One row per case. Everything personal or narrative is sealed (see `domain::sealed`); the
/// plain columns are what routes work and counts cases.
#[derive(Iden, Clone, Copy)]
pub enum Cases {
    Table,
    Id,
    PartnershipId,
    Reference,
    Year,
    Number,
    Stage,
    Outcome,
    ConcernType,
    Sector,
    Aware,
    Gender,
    AgeBand,
    ReferrerId,
    CaseOfficerId,
    AttachedTo,
    IdentityIndex,
    PersonName,
    DateOfBirth,
    ApproximateAge,
    Address,
    Contact,
    Professionals,
    Concern,
    Organisation,
    ReferredAt,
    UpdatedAt,
    Version,
}

/// A case's timeline: screening steps, outcomes, assignments, attached referrals.
#[derive(Iden, Clone, Copy)]
pub enum CaseEvents {
    Table,
    Id,
    CaseId,
    PartnershipId,
    Kind,
    At,
    ByUser,
    OnDate,
    Result,
    UserRef,
    CaseRef,
    Detail,
}

/// Exceptional access given to one person for one case, for a while.
#[derive(Iden, Clone, Copy)]
pub enum CaseExceptions {
    Table,
    Id,
    CaseId,
    PartnershipId,
    UserId,
    Reason,
    GivenAt,
    Until,
}

pub(crate) fn migration_11() -> Vec<Step> {
    use Step::{Index as I, Table as T};
    vec![
        T(Table::create()
            .table(Cases::Table)
            .col(id(Cases::Id))
            .col(ref_id(Cases::PartnershipId))
            .col(text(Cases::Reference))
            .col(int(Cases::Year))
            .col(int(Cases::Number))
            .col(text(Cases::Stage))
            .col(text_null(Cases::Outcome))
            .col(text(Cases::ConcernType))
            .col(text(Cases::Sector))
            .col(text(Cases::Aware))
            .col(text(Cases::Gender))
            .col(text(Cases::AgeBand))
            .col(ref_id(Cases::ReferrerId))
            .col(ref_id_null(Cases::CaseOfficerId))
            .col(ref_id_null(Cases::AttachedTo))
            .col(text_null(Cases::IdentityIndex))
            .col(text(Cases::PersonName))
            .col(text_null(Cases::DateOfBirth))
            .col(text_null(Cases::ApproximateAge))
            .col(text(Cases::Address))
            .col(text_null(Cases::Contact))
            .col(text_null(Cases::Professionals))
            .col(text(Cases::Concern))
            .col(text(Cases::Organisation))
            .col(int(Cases::ReferredAt))
            .col(int(Cases::UpdatedAt))
            .col(int(Cases::Version))
            .foreign_key(
                ForeignKey::create()
                    .from(Cases::Table, Cases::PartnershipId)
                    .to(Partnerships::Table, Partnerships::Id),
            )
            .to_owned()),
        I(Index::create()
            .name("cases_number")
            .table(Cases::Table)
            .col(Cases::PartnershipId)
            .col(Cases::Year)
            .col(Cases::Number)
            .unique()
            .to_owned()),
        I(Index::create()
            .name("cases_identity")
            .table(Cases::Table)
            .col(Cases::PartnershipId)
            .col(Cases::IdentityIndex)
            .to_owned()),
        I(Index::create()
            .name("cases_referrer")
            .table(Cases::Table)
            .col(Cases::PartnershipId)
            .col(Cases::ReferrerId)
            .to_owned()),
        T(Table::create()
            .table(CaseEvents::Table)
            .col(id(CaseEvents::Id))
            .col(ref_id(CaseEvents::CaseId))
            .col(ref_id(CaseEvents::PartnershipId))
            .col(text(CaseEvents::Kind))
            .col(int(CaseEvents::At))
            .col(ref_id(CaseEvents::ByUser))
            .col(text_null(CaseEvents::OnDate))
            .col(text_null(CaseEvents::Result))
            .col(ref_id_null(CaseEvents::UserRef))
            .col(ref_id_null(CaseEvents::CaseRef))
            .col(text_null(CaseEvents::Detail))
            .foreign_key(
                ForeignKey::create()
                    .from(CaseEvents::Table, CaseEvents::CaseId)
                    .to(Cases::Table, Cases::Id),
            )
            .to_owned()),
        I(Index::create()
            .name("case_events_case")
            .table(CaseEvents::Table)
            .col(CaseEvents::CaseId)
            .col(CaseEvents::At)
            .to_owned()),
        T(Table::create()
            .table(CaseExceptions::Table)
            .col(id(CaseExceptions::Id))
            .col(ref_id(CaseExceptions::CaseId))
            .col(ref_id(CaseExceptions::PartnershipId))
            .col(ref_id(CaseExceptions::UserId))
            .col(text(CaseExceptions::Reason))
            .col(int(CaseExceptions::GivenAt))
            .col(int(CaseExceptions::Until))
            .foreign_key(
                ForeignKey::create()
                    .from(CaseExceptions::Table, CaseExceptions::CaseId)
                    .to(Cases::Table, Cases::Id),
            )
            .to_owned()),
        I(Index::create()
            .name("case_exceptions_user")
            .table(CaseExceptions::Table)
            .col(CaseExceptions::CaseId)
            .col(CaseExceptions::UserId)
            .to_owned()),
        I(Index::create()
            .name("case_exceptions_partnership")
            .table(CaseExceptions::Table)
            .col(CaseExceptions::PartnershipId)
            .col(CaseExceptions::GivenAt)
            .to_owned()),
    ]
}
