//! Protective marking of records and the clearance of users.
//!
//! Only OFFICIAL and OFFICIAL-SENSITIVE are ever stored; there is deliberately no variant for
//! anything higher, so the type system refuses it.

use serde::{Deserialize, Serialize};

crate::keyed_enum! {
    /// The protective marking of a record, an evidence item or a report section.
    pub enum Marking {
        Official: "official", "OFFICIAL";
        OfficialSensitive: "official-sensitive", "OFFICIAL-SENSITIVE";
    }
}

/// The highest marking a user may read. A user cleared for OFFICIAL-SENSITIVE may read OFFICIAL.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clearance(pub Marking);

impl Clearance {
    pub fn permits(self, marking: Marking) -> bool {
        marking <= self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clearance_orders_markings() {
        assert!(Clearance(Marking::OfficialSensitive).permits(Marking::Official));
        assert!(Clearance(Marking::OfficialSensitive).permits(Marking::OfficialSensitive));
        assert!(Clearance(Marking::Official).permits(Marking::Official));
        assert!(!Clearance(Marking::Official).permits(Marking::OfficialSensitive));
    }

    #[test]
    fn keys_round_trip() {
        for m in [Marking::Official, Marking::OfficialSensitive] {
            assert_eq!(Marking::from_key(m.key()), Some(m));
        }
        assert_eq!(Marking::from_key("secret"), None);
    }
}
