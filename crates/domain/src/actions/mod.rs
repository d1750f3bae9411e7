//! What the audit log records as having happened: one enum of actions per capability, each
//! action with a stable machine key (as stored, and as filtered by prefix) and words a person
//! reads ("Membership removed").
//!
//! A capability adds its file here and one line to [`CATALOGUE`]; its services record events
//! with its own enum, so no action is ever a free string.

mod access;
mod administration;
mod assessment;
mod channel;
mod evidence;
mod framework;
mod identity;
mod keys;
mod panel;

pub use access::AccessAction;
pub use administration::AdministrationAction;
pub use assessment::AssessmentAction;
pub use channel::ChannelAction;
pub use evidence::EvidenceAction;
pub use framework::FrameworkAction;
pub use identity::IdentityAction;
pub use keys::KeyAction;
pub use panel::PanelAction;

/// An action of any capability, as the audit log records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AuditAction {
    key: &'static str,
    label: &'static str,
}

impl AuditAction {
    /// The stored key, such as `membership.delete`.
    pub fn key(self) -> &'static str {
        self.key
    }

    /// The words a person reads, such as "Membership removed".
    pub fn label(self) -> &'static str {
        self.label
    }

    /// The action a stored key names, looked up across every capability.
    pub fn from_key(key: &str) -> Option<Self> {
        CATALOGUE.iter().find_map(|lookup| lookup(key))
    }

    /// The words for a stored key; a key no capability declares any more is shown as stored.
    pub fn describe(key: &str) -> &str {
        match Self::from_key(key) {
            Some(a) => a.label,
            None => key,
        }
    }

    /// Every action of every capability, for lists and checks.
    pub fn all() -> Vec<AuditAction> {
        let mut all = Vec::new();
        all.extend(AccessAction::ALL.map(AuditAction::from));
        all.extend(IdentityAction::ALL.map(AuditAction::from));
        all.extend(AdministrationAction::ALL.map(AuditAction::from));
        all.extend(FrameworkAction::ALL.map(AuditAction::from));
        all.extend(AssessmentAction::ALL.map(AuditAction::from));
        all.extend(EvidenceAction::ALL.map(AuditAction::from));
        all.extend(KeyAction::ALL.map(AuditAction::from));
        all.extend(ChannelAction::ALL.map(AuditAction::from));
        all.extend(PanelAction::ALL.map(AuditAction::from));
        all
    }
}

/// Each capability's lookup from a stored key: one line per capability.
const CATALOGUE: &[fn(&str) -> Option<AuditAction>] = &[
    |k| AccessAction::from_key(k).map(AuditAction::from),
    |k| IdentityAction::from_key(k).map(AuditAction::from),
    |k| AdministrationAction::from_key(k).map(AuditAction::from),
    |k| FrameworkAction::from_key(k).map(AuditAction::from),
    |k| AssessmentAction::from_key(k).map(AuditAction::from),
    |k| EvidenceAction::from_key(k).map(AuditAction::from),
    |k| KeyAction::from_key(k).map(AuditAction::from),
    |k| ChannelAction::from_key(k).map(AuditAction::from),
    |k| PanelAction::from_key(k).map(AuditAction::from),
];

/// Declares a capability's audit actions: a keyed enum that converts into [`AuditAction`].
#[macro_export]
macro_rules! audit_actions {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($body:tt)+ }) => {
        $crate::keyed_enum! { $(#[$meta])* $vis enum $name { $($body)+ } }

        impl From<$name> for $crate::actions::AuditAction {
            fn from(a: $name) -> Self {
                $crate::actions::AuditAction::new(a.key(), a.label())
            }
        }
    };
}

impl AuditAction {
    #[doc(hidden)]
    pub const fn new(key: &'static str, label: &'static str) -> Self {
        Self { key, label }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_key_is_unique_dotted_and_found_again() {
        let all = AuditAction::all();
        let keys: HashSet<_> = all.iter().map(|a| a.key()).collect();
        assert_eq!(keys.len(), all.len(), "two actions share a key");
        for a in &all {
            assert_eq!(AuditAction::from_key(a.key()), Some(*a));
            let (capability, verb) = a.key().split_once('.').unwrap();
            assert!(!capability.is_empty() && !verb.is_empty(), "{}", a.key());
            assert!(
                a.label().chars().next().unwrap().is_uppercase(),
                "{}",
                a.label()
            );
        }
        assert_eq!(AuditAction::describe("thing.gone"), "thing.gone");
        assert_eq!(
            AuditAction::describe("membership.delete"),
            "Membership removed"
        );
    }
}
