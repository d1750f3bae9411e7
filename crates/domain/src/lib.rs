//! Prevent Toolkit domain: types, rules and the authorisation policy.
//!
//! This crate does no I/O. Storage, services and the web layer depend on it; it depends on
//! nothing of ours.

#![forbid(unsafe_code)]

pub mod actions;
pub mod administration;
pub mod assessment;
pub mod audit;
pub mod channel;
pub mod dates;
pub mod evidence;
pub mod framework;
pub mod identity;
pub mod ids;
pub mod import_plan;
pub mod keyed;
pub mod marking;
pub mod panel;
pub mod policy;
pub mod role;
pub mod sealed;
pub mod shipped;
pub mod submission;
pub mod validate;
pub mod work;

pub use administration::OrganisationType;
pub use ids::*;
pub use marking::{Clearance, Marking};
pub use policy::{Access, Actor, Denial, Grant, Permission, Scope, VerifiedIdentity};
pub use role::Role;
