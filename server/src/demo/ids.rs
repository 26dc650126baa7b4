//! Synthetic registration numbers with valid check digits: the registry import checks them with
//! `knd_shared::Inn` and `Ogrn`, so made-up numbers must pass the same rules as real ones.
//!
//! Each number is built from a tax office code and a serial that the caller makes unique, so
//! two subjects never share an ИНН or an ОГРН.

/// The ИНН check digit: weighted sum mod 11 mod 10 (приказ ФНС России ММВ-7-6/435@).
fn inn_check(digits: &[u32], weights: &[u32]) -> u32 {
    digits.iter().zip(weights).map(|(d, w)| d * w).sum::<u32>() % 11 % 10
}

fn digits_of(s: &str) -> Vec<u32> {
    s.bytes().map(|b| u32::from(b - b'0')).collect()
}

/// An organisation's ИНН: 4 digits of the tax office, a 5-digit serial, the check digit.
pub fn inn_organisation(office: u32, serial: u32) -> String {
    let body = format!("{:04}{:05}", office % 10_000, serial % 100_000);
    let check = inn_check(&digits_of(&body), &[2, 4, 10, 3, 5, 9, 4, 6, 8]);
    format!("{body}{check}")
}

/// An individual's ИНН (a sole trader's): 4 digits of the tax office, a 6-digit serial, two
/// check digits.
pub fn inn_individual(office: u32, serial: u32) -> String {
    let mut s = format!("{:04}{:06}", office % 10_000, serial % 1_000_000);
    let d = digits_of(&s);
    let n11 = inn_check(&d, &[7, 2, 4, 10, 3, 5, 9, 4, 6, 8]);
    s.push(char::from(b'0' + n11 as u8));
    let d = digits_of(&s);
    let n12 = inn_check(&d, &[3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]);
    s.push(char::from(b'0' + n12 as u8));
    s
}

/// An organisation's ОГРН: sign 1, year, region, tax office, 5-digit record number, and the check
/// digit (the first 12 digits as a number mod 11 mod 10).
pub fn ogrn(year: u32, region: u32, office: u32, record: u32) -> String {
    let body = format!(
        "1{:02}{:02}{:02}{:05}",
        year % 100,
        region % 100,
        office % 100,
        record % 100_000
    );
    // 12 digits always fit in a u64.
    let n: u64 = body.bytes().fold(0, |n, b| n * 10 + u64::from(b - b'0'));
    format!("{body}{}", n % 11 % 10)
}

/// A sole trader's ОГРНИП: sign 3, year, region, 9-digit record number, and the check digit (the
/// first 14 digits mod 13 mod 10).
pub fn ogrnip(year: u32, region: u32, record: u64) -> String {
    let body = format!(
        "3{:02}{:02}{:09}",
        year % 100,
        region % 100,
        record % 1_000_000_000
    );
    let n: u64 = body.bytes().fold(0, |n, b| n * 10 + u64::from(b - b'0'));
    format!("{body}{}", n % 13 % 10)
}

/// Serials 0..100,000 in a scrambled but one-to-one order (7919 is prime to 10^5), so that
/// neighbouring subjects do not get neighbouring numbers.
pub fn scramble5(x: u32) -> u32 {
    ((u64::from(x % 100_000) * 7919 + 31_337) % 100_000) as u32
}

/// Serials 0..1,000,000, scrambled one-to-one.
pub fn scramble6(x: u32) -> u32 {
    ((u64::from(x % 1_000_000) * 7919 + 271_828) % 1_000_000) as u32
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use knd_shared::{Inn, Ogrn};

    use super::*;

    #[test]
    fn known_numbers() {
        // Published examples: ПАО Сбербанк and a sole trader's ОГРНИП.
        assert_eq!(inn_organisation(7707, 8389), "7707083893");
        assert_eq!(ogrn(2, 77, 0, 13219), "1027700132195");
        assert_eq!(ogrnip(4, 50, 11_600_015), "304500116000157");
    }

    #[test]
    fn every_number_passes_the_checks_and_serials_are_unique() {
        let mut inns = HashSet::new();
        for x in (0..100_000).step_by(7) {
            let serial = scramble5(x);
            let inn = inn_organisation(7604, serial);
            assert!(Inn::parse(&inn).is_ok(), "{inn}");
            assert!(inns.insert(inn));
            let o = ogrn(x % 24 + 2, 76, 4, serial);
            assert!(Ogrn::parse(&o).is_ok(), "{o}");
            let ip = inn_individual(7606, scramble6(x * 9));
            assert!(Inn::parse(&ip).is_ok(), "{ip}");
            let oip = ogrnip(x % 24 + 2, 76, u64::from(x) * 31);
            assert!(Ogrn::parse(&oip).is_ok(), "{oip}");
        }
        let all: HashSet<u32> = (0..100_000).map(scramble5).collect();
        assert_eq!(all.len(), 100_000);
        let all: HashSet<u32> = (0..1_000_000).map(scramble6).collect();
        assert_eq!(all.len(), 1_000_000);
    }
}
