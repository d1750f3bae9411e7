//! The tables of this capability.

use sea_query::Iden;

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
