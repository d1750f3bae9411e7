crate::audit_actions! {
    /// Channel case management. Every read of case content is an event too, naming how the
    /// reader came to it (as the case officer, as the panel chair, or by exceptional access).
    pub enum ChannelAction {
        Referred: "case.refer", "Referral made";
        Attached: "case.attach", "Referral added to an existing case";
        Assigned: "case.assign", "Case officer assigned";
        Deconflicted: "case.deconflict", "Police deconfliction recorded";
        InformationAdded: "case.information", "Information from a partner recorded";
        Screened: "case.screen", "Screening outcome recorded";
        ReadAsOfficer: "case.read.officer", "Case opened by its case officer";
        ReadAsChair: "case.read.chair", "Case opened by the panel chair";
        ReadByException: "case.read.exceptional", "Case opened by exceptional access";
        ReadAsPanelMember: "case.read.panel-member", "Case opened by a member of the panel meeting";
        ExceptionalAccess: "case.exceptional-access", "Exceptional access to a case given";
        StatusRead: "case.read.status", "Referral status seen by its referrer";
        AccessLogRead: "case.access-log", "Case access log viewed";
        ExceptionReviewed: "case.exception-review", "Exceptional access reviewed";
    }
}
