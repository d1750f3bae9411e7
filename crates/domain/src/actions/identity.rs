crate::audit_actions! {
    /// Signing in and out, and what people do to their own accounts and tokens.
    pub enum IdentityAction {
        SignedIn: "session.sign-in", "Signed in";
        SignedInWithRecoveryCode: "session.sign-in-recovery-code", "Signed in with a recovery code";
        PasswordAccepted: "session.password-accepted", "Password accepted, second step due";
        SecondFactorPassed: "session.mfa", "Two-factor code accepted";
        SignedOut: "session.sign-out", "Signed out";
        SessionExpired: "session.expire", "Session ended by inactivity";
        MfaEnrolled: "account.mfa-enrol", "Two-factor sign-in set up";
        PasswordChanged: "account.change-password", "Password changed";
        RecoveryCodesIssued: "account.recovery-codes", "New recovery codes issued";
        TokenCreated: "api-token.create", "API token created";
        TokenRevoked: "api-token.revoke", "API token revoked";
    }
}
