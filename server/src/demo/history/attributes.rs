//! The activity attributes of a control object that the risk model's severity rules read
//! (`floor_area_m2`, `people`, `hazardous_facility_class`), drawn by line of business and the
//! size of the business: a shop of a micro business is a few dozen square metres, a large
//! company's warehouse tens of thousands; some factories and a few boiler houses of cafés and
//! hotels are hazardous production facilities (116-ФЗ, classes I to IV).

use knd_shared::registry::SizeClass;

use crate::demo::rng::Rng;

/// What the severity rules read of one object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attributes {
    pub floor_area_m2: u32,
    /// People on site at the busiest hour (staff and visitors).
    pub people: u32,
    /// The hazard class of a hazardous production facility on site, 1 (I) to 4 (IV).
    pub hazardous_facility_class: Option<u8>,
}

impl Attributes {
    /// The attributes as the object stores them (a JSON object, keys in a fixed order).
    pub fn to_json(self) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        m.insert("floor_area_m2".into(), self.floor_area_m2.into());
        m.insert("people".into(), self.people.into());
        if let Some(c) = self.hazardous_facility_class {
            m.insert("hazardous_facility_class".into(), c.into());
        }
        serde_json::Value::Object(m)
    }
}

/// A line of business's places: floor area (m², the bounds of a log-uniform draw), people per
/// 100 m² at the busiest hour, and the percentage with a hazardous production facility.
struct Profile {
    area: (f64, f64),
    people_per_100m2: f64,
    hazardous_percent: u64,
}

fn profile(activity: &str) -> Profile {
    let p = |lo, hi, people_per_100m2, hazardous_percent| Profile {
        area: (lo, hi),
        people_per_100m2,
        hazardous_percent,
    };
    match activity {
        // Shops to shopping centres.
        "retail" => p(80.0, 9_000.0, 25.0, 0),
        // Cafés, canteens, restaurants: dense seating, a gas boiler now and then.
        "food" => p(90.0, 1_800.0, 72.0, 4),
        "grocery" => p(80.0, 4_500.0, 26.0, 0),
        // Repair shops, hairdressers, laundries.
        "services" => p(40.0, 1_200.0, 25.0, 1),
        // Workshops, plants and warehouses: large and thinly staffed, often hazardous.
        "industry" => p(500.0, 40_000.0, 4.0, 26),
        "hospitality" => p(350.0, 14_000.0, 18.0, 5),
        _ => p(40.0, 2_000.0, 6.0, 0),
    }
}

/// A log-uniform draw between `lo` and `hi`, leaning a little to the middle (a uniform with
/// 0.4 of another mixed in).
fn log_between(rng: &mut Rng, lo: f64, hi: f64) -> f64 {
    let u = (rng.below(1_000_000) as f64 + 0.4 * rng.below(1_000_000) as f64) / 1_400_000.0;
    lo * (hi / lo).powf(u)
}

/// A place of a business of `size` in line of business `activity`.
pub fn draw(rng: &mut Rng, activity: &str, size: SizeClass) -> Attributes {
    let p = profile(activity);
    let scale = match size {
        SizeClass::Micro => 0.55,
        SizeClass::Small => 1.0,
        SizeClass::Medium => 1.6,
        SizeClass::Large => 2.3,
    };
    let area = (log_between(rng, p.area.0, p.area.1) * scale).clamp(12.0, 120_000.0);
    // Occupancy varies by layout and trade: from half to one and a half of the usual density.
    let density = p.people_per_100m2 * (0.5 + rng.below(1_001) as f64 / 1_000.0);
    let people = (area * density / 100.0).round().max(1.0);
    let hazardous_facility_class = rng.chance(p.hazardous_percent).then(|| {
        // Most are class IV (a gas boiler house) or III; few are I or II.
        [4u8, 3, 2, 1][rng.weighted(&[46, 36, 14, 4])]
    });
    Attributes {
        // Whole square metres and people, as registries give them.
        floor_area_m2: area.round() as u32,
        people: people as u32,
        hazardous_facility_class,
    }
}
