//! Who someone is: accounts and passwords, sign-in sessions with two-factor authentication,
//! and API tokens. The actor every other capability acts for is built here and only here.

mod accounts;
mod sessions;
mod tokens;

pub use accounts::*;
pub use sessions::*;
pub use tokens::*;

use preventkit_domain::{Actor, VerifiedIdentity};

/// The one place in the product where an [`Actor`] is made for a person: from a session whose
/// password and second factor were checked, from a verified API token, or (for the
/// demonstration data loaded at the console) from the demonstration accounts. A test of this
/// crate makes sure nothing else calls [`Actor::from_verified`].
pub(crate) fn actor(verified: VerifiedIdentity) -> Actor {
    Actor::from_verified(verified)
}
