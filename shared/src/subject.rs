//! Registration numbers of controlled persons: ИНН and ОГРН / ОГРНИП, each with its check digits.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why a string is not a valid ИНН.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InnError {
    #[error(
        "ИНН — 10 (организация) или 12 (физическое лицо) цифр, получено {0:?} / an inn has 10 (organisation) or 12 (individual) digits, got {0:?}"
    )]
    Format(String),
    #[error("ИНН {0}: неверное контрольное число / inn {0} fails its check digit")]
    CheckDigit(String),
    /// All zeros pass the check digits but name no one.
    #[error("ИНН {0} из одних нулей / inn {0} is all zeros")]
    Zero(String),
}

/// Why a string is not a valid ОГРН / ОГРНИП.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OgrnError {
    #[error(
        "ОГРН — 13 (организация) или 15 (ИП) цифр, получено {0:?} / an ogrn has 13 (organisation) or 15 (individual entrepreneur) digits, got {0:?}"
    )]
    Format(String),
    #[error("ОГРН {0}: неверное контрольное число / ogrn {0} fails its check digit")]
    CheckDigit(String),
    /// All zeros pass the check digit but name no one.
    #[error("ОГРН {0} из одних нулей / ogrn {0} is all zeros")]
    Zero(String),
}

fn digits(s: &str) -> Option<Vec<u32>> {
    s.chars().map(|c| c.to_digit(10)).collect()
}

/// Weighted sum mod 11 mod 10: the check digit rule of the ИНН (приказ ФНС России ММВ-7-6/435@,
/// приложение: порядок расчёта контрольного числа).
fn inn_check(d: &[u32], weights: &[u32]) -> u32 {
    d.iter().zip(weights).map(|(a, b)| a * b).sum::<u32>() % 11 % 10
}

/// Taxpayer number, ИНН: 10 digits for an organisation, 12 for an individual or sole trader.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Inn(String);

impl Inn {
    /// Parses and checks the check digit(s).
    pub fn parse(s: &str) -> Result<Self, InnError> {
        let d = digits(s).ok_or_else(|| InnError::Format(s.to_owned()))?;
        let ok = match d.len() {
            10 => d[9] == inn_check(&d, &[2, 4, 10, 3, 5, 9, 4, 6, 8]),
            12 => {
                d[10] == inn_check(&d, &[7, 2, 4, 10, 3, 5, 9, 4, 6, 8])
                    && d[11] == inn_check(&d, &[3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8])
            }
            _ => return Err(InnError::Format(s.to_owned())),
        };
        if d.iter().all(|&x| x == 0) {
            return Err(InnError::Zero(s.to_owned()));
        }
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(InnError::CheckDigit(s.to_owned()))
        }
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// An organisation (10 digits) rather than an individual (12).
    pub fn is_organisation(&self) -> bool {
        self.0.len() == 10
    }
}

/// Primary state registration number: ОГРН (13 digits, organisations) or ОГРНИП (15 digits, sole
/// traders).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ogrn(String);

impl Ogrn {
    /// Parses and checks the check digit: the number without its last digit, modulo 11 (ОГРН) or 13
    /// (ОГРНИП), then modulo 10.
    pub fn parse(s: &str) -> Result<Self, OgrnError> {
        let format = || OgrnError::Format(s.to_owned());
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format());
        }
        let modulus = match s.len() {
            13 => 11,
            15 => 13,
            _ => return Err(format()),
        };
        if s.bytes().all(|b| b == b'0') {
            return Err(OgrnError::Zero(s.to_owned()));
        }
        let (body, check) = s.split_at(s.len() - 1);
        let body: u64 = body.parse().map_err(|_| format())?;
        let check: u64 = check.parse().map_err(|_| format())?;
        if body % modulus % 10 == check {
            Ok(Self(s.to_owned()))
        } else {
            Err(OgrnError::CheckDigit(s.to_owned()))
        }
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// An ОГРНИП (sole trader) rather than an organisation's ОГРН.
    pub fn is_sole_trader(&self) -> bool {
        self.0.len() == 15
    }
}

macro_rules! string_newtype_impls {
    ($name:ident, $err:ty) => {
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }
        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                Self::parse(&s).map_err(serde::de::Error::custom)
            }
        }
        impl std::str::FromStr for $name {
            type Err = $err;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }
    };
}

string_newtype_impls!(Inn, InnError);
string_newtype_impls!(Ogrn, OgrnError);

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check_inn(s: &str, ok: bool) {
        assert_eq!(Inn::parse(s).is_ok(), ok, "{s}");
    }

    #[track_caller]
    fn check_ogrn(s: &str, ok: bool) {
        assert_eq!(Ogrn::parse(s).is_ok(), ok, "{s}");
    }

    #[test]
    fn inn() {
        check_inn("7707083893", true); // ПАО Сбербанк
        check_inn("7736207543", true); // ООО «Яндекс»
        check_inn("500100732259", true); // a published individual's example
        check_inn("7707083894", false);
        check_inn("500100732258", false);
        check_inn("500100732269", false);
        check_inn("770708389", false);
        check_inn("77070838930", false);
        check_inn("77070838a3", false);
        check_inn("７７０７０８３８９３", false); // fullwidth digits are not digits here
        check_inn("", false);
        check_inn("000000000000", false); // passes the check digits, names no one
        check_inn("0000000000", false);
        assert!(matches!(Inn::parse("0000000000"), Err(InnError::Zero(_))));
        assert!(Inn::parse("7707083893").unwrap().is_organisation());
        assert!(matches!(
            Inn::parse("7707083894"),
            Err(InnError::CheckDigit(_))
        ));
        assert!(matches!(Inn::parse("123"), Err(InnError::Format(_))));
    }

    #[test]
    fn ogrn() {
        check_ogrn("1027700132195", true); // ПАО Сбербанк
        check_ogrn("1027739850962", true); // ООО «Яндекс»
        check_ogrn("304500116000157", true); // a published ОГРНИП example
        check_ogrn("1027700132194", false);
        check_ogrn("304500116000158", false);
        check_ogrn("102770013219", false);
        check_ogrn("0000000000000", false); // passes the check digit, names no one
        check_ogrn("000000000000000", false);
        check_ogrn("10277001321955", false);
        check_ogrn("+027700132195", false);
        assert!(Ogrn::parse("304500116000157").unwrap().is_sole_trader());
    }

    #[test]
    fn serde_validates() {
        assert!(serde_json::from_str::<Inn>("\"7707083893\"").is_ok());
        assert!(serde_json::from_str::<Inn>("\"7707083894\"").is_err());
        assert_eq!(
            serde_json::to_string(&Ogrn::parse("1027700132195").unwrap()).unwrap(),
            "\"1027700132195\""
        );
    }
}
