//! Accounts, sign-in sessions with their two-factor state, API tokens and the sign-in throttle.

mod rows;
pub mod sessions;
pub mod tables;
pub mod throttle;
pub mod tokens;
pub mod users;
