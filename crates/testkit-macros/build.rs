//! Whether the PostgreSQL leg is on is decided when the tests are built: a change of
//! `PREVENTKIT_TEST_DATABASE_URL` rebuilds this crate, and so re-expands every test.

fn main() {
    println!("cargo:rerun-if-env-changed=PREVENTKIT_TEST_DATABASE_URL");
    println!("cargo:rerun-if-changed=build.rs");
    let on = std::env::var("PREVENTKIT_TEST_DATABASE_URL").is_ok_and(|v| !v.is_empty());
    println!(
        "cargo:rustc-env=PREVENTKIT_TESTKIT_POSTGRESQL_LEG={}",
        if on { "on" } else { "off" }
    );
}
