//! Prevent Toolkit domain: types, rules and the authorisation policy.
//!
//! This crate does no I/O. Storage, services and the web layer depend on it; it depends on
//! nothing of ours.

pub mod administration;
pub mod assessment;
pub mod audit;
pub mod framework;
pub mod ids;
pub mod keyed;
pub mod marking;
pub mod policy;
pub mod role;
pub mod shipped;
pub mod validate;

pub use administration::OrganisationType;
pub use ids::*;
pub use marking::{Clearance, Marking};
pub use policy::{Access, Actor, Denial, Grant, Permission, Scope, VerifiedIdentity};
pub use role::Role;
