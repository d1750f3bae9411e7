//! What every Prevent Toolkit test crate shares, so that each test says only what it proves:
//!
//! - the engines: SQLite always, PostgreSQL when `PREVENTKIT_TEST_DATABASE_URL` is set, and
//!   [`each_engine`], which runs a test once per engine as separately named tests;
//! - a fresh, empty database per test on each engine ([`fresh_database`]);
//! - a real server on a real port with or without the demonstration data ([`Server`]), signed-in
//!   browsers that keep cookies and send CSRF tokens ([`Browser`]), API tokens, and TOTP codes;
//! - raw SQL for what only the database can show: locks, triggers and whole-table snapshots
//!   ([`Sql`], [`Snapshot`]);
//! - the sample framework files the tests import ([`frameworks`]).

#![forbid(unsafe_code)]
// Test support, never in the binary: a failed unwrap, expect, panic or index fails the test
// or the run that uses it, as it should.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod browser;
mod engine;
pub mod frameworks;
mod server;
mod sql;
mod totp;

pub use browser::{
    date_boxes, element_text, extract_value, field_value, unescape_html, upload, Browser, Page,
};
pub use engine::{
    block_on, engines, fresh_database, Engine, TestDatabase, POSTGRESQL_URL_VARIABLE,
};
pub use preventkit_testkit_macros::{each_engine, postgresql_only};
pub use server::{complete_session, fresh_app, Options, Server};
pub use sql::{Snapshot, Sql, TableSnapshot};
pub use totp::{current_step, totp_at, totp_now, STEP_SECONDS};
