use std::collections::HashSet;

use knd_shared::{Inn, Ogrn};

use super::*;

fn small() -> Registry {
    Registry::generate(Spec {
        seed: 42,
        subjects: 300,
        objects: 2_000,
    })
    .unwrap()
}

#[test]
fn subjects_have_valid_unique_numbers() {
    let r = small();
    let mut inns = HashSet::new();
    let mut ogrns = HashSet::new();
    for s in r.subjects() {
        let inn = Inn::parse(&s.inn).unwrap();
        let ogrn = Ogrn::parse(&s.ogrn).unwrap();
        assert_eq!(inn.is_organisation(), !ogrn.is_sole_trader(), "{s:?}");
        assert_eq!(inn.is_organisation(), !s.name.starts_with("ИП "), "{s:?}");
        assert!(inns.insert(s.inn.clone()));
        assert!(ogrns.insert(s.ogrn.clone()));
    }
}

#[test]
fn objects_are_counted_exactly_and_deterministic() {
    let r = small();
    let objects: Vec<ObjectRow> = r.objects().collect();
    assert_eq!(objects.len(), 2_000);
    let keys: HashSet<&str> = objects.iter().map(|o| o.key.as_str()).collect();
    assert_eq!(keys.len(), 2_000);
    assert_eq!(objects, small().objects().collect::<Vec<_>>());
    let low = objects
        .iter()
        .filter(|o| o.risk == Some(RiskCategory::Low))
        .count();
    let extreme = objects
        .iter()
        .filter(|o| o.risk == Some(RiskCategory::ExtremelyHigh))
        .count();
    assert!(
        low > 10 * extreme.max(1),
        "{low} low, {extreme} extremely high"
    );
    // Chunks hold every row once, whatever their size.
    let rows = |chunks: Vec<Vec<u8>>| -> Vec<u8> {
        chunks
            .into_iter()
            .flat_map(|c| {
                let text = String::from_utf8(c).unwrap();
                let body = text.split_once('\n').unwrap().1.to_owned();
                body.into_bytes()
            })
            .collect()
    };
    assert_eq!(
        rows(r.object_chunks(333).collect()),
        rows(r.object_chunks(5_000).collect())
    );
    assert_eq!(r.object_chunks(333).count(), 7);
}

#[test]
fn fewer_objects_than_subjects() {
    let r = Registry::generate(Spec {
        seed: 1,
        subjects: 10,
        objects: 4,
    })
    .unwrap();
    assert_eq!(r.objects().count(), 4);
}

#[test]
fn degrees_are_exact() {
    assert_eq!(degrees(576_262_000), "57.6262000");
    assert_eq!(degrees(-1), "-0.0000001");
}
