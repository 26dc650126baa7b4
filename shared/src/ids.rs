//! Identifier newtypes. Every entity id is a UUID; new ones are version 7 (time-ordered), so they
//! sort by creation time in indexes and logs. Parsing accepts any UUID version, because records made
//! elsewhere only *recommend* v7 (DESIGN.md section 4), but only in the lowercase hyphenated form
//! that the record format fixes.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use uuid::Uuid;

/// Why a string is not an identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a lowercase hyphenated uuid: {0:?}")]
pub struct IdError(pub String);

/// Parses the one textual form the record format allows: 36 characters, lowercase, hyphenated.
pub(crate) fn parse_uuid(s: &str) -> Result<Uuid, IdError> {
    let canonical = s.len() == 36
        && s.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_digit() || (b'a'..=b'f').contains(&b),
        });
    if !canonical {
        return Err(IdError(s.to_owned()));
    }
    Uuid::parse_str(s).map_err(|_| IdError(s.to_owned()))
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh, time-ordered (v7) id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            /// Parses the lowercase hyphenated form.
            pub fn parse(s: &str) -> Result<Self, IdError> {
                parse_uuid(s).map(Self)
            }

            /// The id as a plain UUID, e.g. for a database column.
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl From<Uuid> for $name {
            fn from(u: Uuid) -> Self {
                Self(u)
            }
        }

        impl FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, IdError> {
                Self::parse(s)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                // `Uuid`'s Display is the lowercase hyphenated form.
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                Self::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

id_type!(
    /// A signed record (DESIGN.md section 4).
    RecordId
);
id_type!(
    /// An enrolled device: an inspector's tablet or laptop, or the server's own chain.
    DeviceId
);
id_type!(
    /// A control (supervisory) agency, КНО.
    AgencyId
);
id_type!(
    /// A console or API user.
    UserId
);
id_type!(
    /// A controlled person (business), контролируемое лицо.
    SubjectId
);
id_type!(
    /// A control object, объект контроля.
    ObjectId
);
id_type!(
    /// An inspection (control measure), КНМ.
    InspectionId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_ids_are_v7_and_round_trip() {
        let id = RecordId::new();
        assert_eq!(id.as_uuid().get_version_num(), 7);
        assert_eq!(RecordId::parse(&id.to_string()), Ok(id));
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(serde_json::from_str::<RecordId>(&json).unwrap(), id);
    }

    #[test]
    fn only_the_canonical_form_parses() {
        assert!(DeviceId::parse("0192f39d-aaaa-7bbb-8ccc-000000000001").is_ok());
        for bad in [
            "0192F39D-AAAA-7BBB-8CCC-000000000001",
            "0192f39daaaa7bbb8ccc000000000001",
            "{0192f39d-aaaa-7bbb-8ccc-000000000001}",
            "urn:uuid:0192f39d-aaaa-7bbb-8ccc-000000000001",
            "0192f39d-aaaa-7bbb-8ccc-00000000000g",
            "",
        ] {
            assert!(DeviceId::parse(bad).is_err(), "{bad}");
        }
    }
}
