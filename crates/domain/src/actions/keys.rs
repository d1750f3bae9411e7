crate::audit_actions! {
    /// Encryption keys, changed from the command line.
    pub enum KeyAction {
        Rotated: "key.rotate", "Encryption key rotated";
        Revoked: "key.revoke", "Encryption key revoked";
        Rewrapped: "key.rewrap", "Case keys re-wrapped under the active key";
    }
}
