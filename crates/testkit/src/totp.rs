//! Codes from an authenticator app, for the current time or an explicit time step.
//!
//! The server accepts a code for its own time step and one step either side, and each step
//! once per account. A test that must not depend on where in a step it runs takes the step
//! once ([`current_step`]) and makes every code from it ([`totp_at`]): a code for that step is
//! then "the code just used" and one for the next step "a fresh code", whenever the boundary
//! falls.

/// Seconds per TOTP time step.
pub const STEP_SECONDS: u64 = 30;

fn totp(secret_b32: &str) -> totp_rs::TOTP {
    let bytes = totp_rs::Secret::Encoded(secret_b32.replace(' ', ""))
        .to_bytes()
        .expect("base32 secret");
    totp_rs::TOTP::new(
        totp_rs::Algorithm::SHA1,
        6,
        1,
        STEP_SECONDS,
        bytes,
        None,
        "t".into(),
    )
    .expect("totp")
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs()
}

/// The time step the system clock is in now.
pub fn current_step() -> u64 {
    unix_now() / STEP_SECONDS
}

/// The code for time step `step` of a base32 secret.
pub fn totp_at(secret_b32: &str, step: u64) -> String {
    totp(secret_b32).generate(step * STEP_SECONDS)
}

/// The current code for a base32 secret.
pub fn totp_now(secret_b32: &str) -> String {
    totp(secret_b32).generate(unix_now())
}
