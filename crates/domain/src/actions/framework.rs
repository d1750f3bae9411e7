crate::audit_actions! {
    /// Assessment frameworks.
    pub enum FrameworkAction {
        Imported: "framework.import", "Framework version imported";
    }
}
