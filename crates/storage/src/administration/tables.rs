//! The tables of this capability and the migrations that created them.

use crate::schema::{id, int, int_null, ref_id, ref_id_null, text, Step};
#[allow(unused_imports)]
use sea_query::{ColumnDef, ForeignKey, Iden, Index, Table};

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

pub(crate) fn migration_7() -> Vec<Step> {
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
