//! Enums whose values are stored, sent and shown: one list gives each variant its machine key
//! and its label, and everything else (serde, storage, templates, the list of all values) is
//! derived from that list, so a key can never be spelt two ways.
//!
//! ```
//! preventkit_domain::keyed_enum! {
//!     /// How tidy a desk is.
//!     pub enum Desk {
//!         /// Nothing on it.
//!         Clear: "clear", "Clear";
//!         Busy: "busy", "Covered in papers";
//!     }
//! }
//! assert_eq!(Desk::from_key("busy"), Some(Desk::Busy));
//! assert_eq!(Desk::Busy.label(), "Covered in papers");
//! assert_eq!(serde_json::to_string(&Desk::Clear).ok().as_deref(), Some("\"clear\""));
//! assert_eq!(Desk::ALL.len(), 2);
//! ```

/// A key that names no variant.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{key}` is not a known {kind}")]
pub struct UnknownKey {
    pub kind: &'static str,
    pub key: String,
}

/// Declares an enum from `Variant: "key", "Label";` lines. The enum gets `ALL`, `KEYS`,
/// `key()`, `label()`, `from_key()`, `FromStr`, and serde that reads and writes the key.
#[macro_export]
macro_rules! keyed_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident : $key:literal , $label:literal ; )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: [$name; [$($key),+].len()] = [$($name::$variant),+];
            /// Every key, in declaration order.
            pub const KEYS: [&'static str; [$($key),+].len()] = [$($key),+];

            /// The stable machine key, as stored and sent.
            pub fn key(self) -> &'static str {
                match self {
                    $( $name::$variant => $key, )+
                }
            }

            /// The words a person reads.
            pub fn label(self) -> &'static str {
                match self {
                    $( $name::$variant => $label, )+
                }
            }

            /// The value a key names, if any.
            pub fn from_key(key: &str) -> Option<Self> {
                match key {
                    $( $key => Some($name::$variant), )+
                    _ => None,
                }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::keyed::UnknownKey;
            fn from_str(key: &str) -> Result<Self, Self::Err> {
                Self::from_key(key).ok_or_else(|| $crate::keyed::UnknownKey {
                    kind: stringify!($name),
                    key: key.to_owned(),
                })
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.key())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let key = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(d)?;
                Self::from_key(&key)
                    .ok_or_else(|| ::serde::de::Error::unknown_variant(&key, &Self::KEYS))
            }
        }
    };
}

#[cfg(test)]
mod tests {
    crate::keyed_enum! {
        enum Colour {
            Red: "red", "Red";
            DarkBlue: "dark-blue", "Dark blue";
        }
    }

    #[test]
    fn keys_labels_and_serde_agree() {
        for c in Colour::ALL {
            assert_eq!(Colour::from_key(c.key()), Some(c));
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.key()));
            assert_eq!(serde_json::from_str::<Colour>(&json).unwrap(), c);
        }
        assert_eq!(Colour::DarkBlue.label(), "Dark blue");
        assert_eq!("dark-blue".parse::<Colour>(), Ok(Colour::DarkBlue));
        let err = "green".parse::<Colour>().unwrap_err();
        assert_eq!(err.to_string(), "`green` is not a known Colour");
        let e = serde_json::from_str::<Colour>("\"green\"").unwrap_err();
        assert!(
            e.to_string().contains("expected `red` or `dark-blue`"),
            "{e}"
        );
    }
}
