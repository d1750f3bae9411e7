crate::audit_actions! {
    /// Requests the server refused before any use case ran.
    pub enum AccessAction {
        NotSignedIn: "access.not-signed-in", "Refused: not signed in";
        NotSignedInRepeated: "access.not-signed-in-repeated", "Refused again: not signed in";
        MfaPending: "access.mfa-pending", "Refused: two-factor sign-in not finished";
        BadCsrfToken: "access.bad-csrf-token", "Refused: form token missing or wrong";
        NotFound: "access.not-found", "Refused: record not found for this person";
        WrongScope: "access.wrong-scope", "Refused: wrong scope";
        NotAMember: "access.not-a-member", "Refused: not a member of the partnership";
        NotPermitted: "access.not-permitted", "Refused: not permitted";
        MfaRequired: "access.mfa-required", "Refused: two-factor sign-in needed";
        AboveClearance: "access.above-clearance", "Refused: marked above clearance";
        SelfGrant: "access.self-grant", "Refused: change to one's own role";
    }
}

impl AccessAction {
    /// The refusal the policy gave.
    pub fn of(denial: crate::Denial) -> Self {
        use crate::Denial;
        match denial {
            Denial::WrongScope => AccessAction::WrongScope,
            Denial::NotAMember => AccessAction::NotAMember,
            Denial::NotPermitted => AccessAction::NotPermitted,
            Denial::MfaRequired => AccessAction::MfaRequired,
            Denial::AboveClearance => AccessAction::AboveClearance,
            Denial::SelfGrant => AccessAction::SelfGrant,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_denial_has_the_action_of_its_key() {
        for d in crate::Denial::ALL {
            assert_eq!(AccessAction::of(d).key(), format!("access.{}", d.key()));
        }
    }
}
