crate::audit_actions! {
    /// Accounts, organisations, partnerships, regions, memberships and invitations.
    pub enum AdministrationAction {
        UserCreated: "user.create", "Account created";
        UserDisabled: "user.disable", "Account disabled";
        UserEnabled: "user.enable", "Account enabled";
        MfaReset: "user.reset-mfa", "Two-factor sign-in reset";
        ClearanceSet: "user.set-clearance", "Clearance changed";
        OrganisationCreated: "organisation.create", "Organisation created";
        RegionCreated: "region.create", "Region created";
        PartnershipCreated: "partnership.create", "Partnership created";
        OrganisationAdded: "partnership.add-organisation", "Organisation added to partnership";
        MembershipCreated: "membership.create", "Membership given";
        MembershipUpdated: "membership.update", "Membership changed";
        MembershipRemoved: "membership.delete", "Membership removed";
        InvitationCreated: "invitation.create", "Invitation sent";
        InvitationAccepted: "invitation.accept", "Invitation accepted";
        InvitationDeclined: "invitation.decline", "Invitation declined";
    }
}
