crate::audit_actions! {
    /// Self-assessments: their life cycle, answers, assignments, comments and actions.
    pub enum AssessmentAction {
        Created: "assessment.create", "Assessment started";
        Answered: "assessment.respond", "Answer saved";
        Assigned: "assessment.assign", "Question assigned";
        Commented: "assessment.comment", "Comment added";
        Imported: "assessment.import", "Answers imported from a spreadsheet";
        Upgraded: "assessment.upgrade", "Moved to a newer framework version";
        Submitted: "assessment.submit", "Assessment submitted";
        Approved: "assessment.approve", "Assessment approved";
        SentBack: "assessment.send-back", "Assessment sent back to the lead";
        Locked: "assessment.lock", "Assessment locked";
        Reopened: "assessment.reopen", "Assessment reopened";
        ActionRaised: "action.create", "Action raised";
        ActionEdited: "action.edit", "Action changed";
        ActionClosed: "action.close", "Action closed";
    }
}
