//! Storage for Prevent Toolkit on embedded SQLite or PostgreSQL.
//!
//! One code path serves both engines: queries are built once with `sea-query`, which writes the
//! right SQL dialect for the engine in use, and run through `sqlx`'s `Any` driver, which picks
//! the engine from the connection URL at run time. Only connection set-up (SQLite pragmas) and
//! backup know which engine they are on.
//!
//! This crate stores and fetches; it decides nothing. Policy lives in the domain crate and use
//! cases in the services crate.

#![forbid(unsafe_code)]

// The capabilities, each with the same name as in the other crates.
pub mod administration;
pub mod assessment;
pub mod audit;
pub mod channel;
pub mod evidence;
pub mod framework;
pub mod identity;
pub mod keys;
pub mod panel;

// Machinery shared by the capabilities.
mod column;
mod db;
mod decode;
pub mod jobs;
pub mod schema;
pub mod settings;
mod statement;
pub mod work;
pub use statement::insert;

pub use db::{restore_sqlite, sqlite_path, Db, Engine, StorageError, Tx};
pub use sea_query::SimpleExpr;

/// Milliseconds since the Unix epoch, UTC: the one way times are stored.
pub fn now_ms() -> i64 {
    let now = time::OffsetDateTime::now_utc();
    (now.unix_timestamp_nanos() / 1_000_000) as i64
}
