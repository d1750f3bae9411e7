crate::audit_actions! {
    /// The Channel panel: its members, meetings, agendas, attendance and decisions.
    pub enum PanelAction {
        MemberAdded: "panel.member-add", "Panel member added";
        MemberRemoved: "panel.member-remove", "Panel member removed";
        MeetingCreated: "panel.meeting-create", "Panel meeting created";
        AgendaPublished: "panel.agenda-publish", "Panel agenda published";
        AttendanceRecorded: "panel.attendance", "Panel attendance recorded";
        DecisionRecorded: "panel.decision", "Panel decision recorded";
    }
}
