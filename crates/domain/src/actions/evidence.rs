crate::audit_actions! {
    /// Evidence items: files and links.
    pub enum EvidenceAction {
        Added: "evidence.create", "Evidence added";
        Linked: "evidence.link", "Evidence linked to a question";
        Downloaded: "evidence.download", "Evidence file downloaded";
    }
}
