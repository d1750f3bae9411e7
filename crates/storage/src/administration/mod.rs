//! Organisations, partnerships and regions, memberships and invitations to them.

pub mod invitations;
pub mod memberships;
pub mod organisations;
pub mod partnerships;
pub(crate) mod rows;
pub mod tables;
