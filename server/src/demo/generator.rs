//! Synthetic registries of any size: subjects with valid ИНН and ОГРН, and control objects at
//! street addresses across the city's districts, in the CSV format of the registry import.
//!
//! The output depends only on the seed and the sizes. Subjects are held in memory (a hundred
//! thousand take a few megabytes); objects are produced one at a time, each subject's from its
//! own random stream, so a million objects stream out in chunks without being held at once.

use std::fmt::Write as _;

use anyhow::{Context as _, bail};
use knd_shared::RiskCategory;
use knd_shared::registry::SizeClass;
use time::Date;

use super::data::{DemoData, demo_data};
use super::ids;
use super::rng::Rng;

/// The header of a subjects file (`POST /api/v1/import/subjects`).
pub const SUBJECTS_HEADER: &str = "inn,ogrn,name,size_class";
/// The header of an objects file (`POST /api/v1/import/objects`), with the optional risk decision.
pub const OBJECTS_HEADER: &str = "object_key,subject_inn,control_type,address,district,lat,lon,risk_category,risk_decided_on,risk_reason";

/// Mixed into the seed for the objects' streams, so they do not repeat the subjects' stream.
const OBJECT_STREAMS: u64 = 0x0B1E_C757_0B1E_C757;

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spec {
    pub seed: u64,
    pub subjects: usize,
    pub objects: usize,
}

/// A controlled person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectRow {
    pub inn: String,
    pub ogrn: String,
    pub name: String,
    pub size_class: SizeClass,
    /// Index into the data's activities.
    pub activity: usize,
    /// Index into the data's districts: where most of its places are.
    pub home: usize,
}

/// A control object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectRow {
    pub key: String,
    /// Index into [`Registry::subjects`].
    pub subject: usize,
    pub control_type: &'static str,
    pub address: String,
    pub district: &'static str,
    pub lat_e7: i64,
    pub lon_e7: i64,
    pub risk: Option<RiskCategory>,
    /// The category decision: its date and reasons (ч.1 ст.23).
    pub decision: Option<(Date, String)>,
}

/// A generated registry: the subjects, and how many objects each has.
#[derive(Debug)]
pub struct Registry {
    data: &'static DemoData,
    seed: u64,
    subjects: Vec<SubjectRow>,
    counts: Vec<u32>,
}

/// How common each category is among objects: most are low or moderate risk, very few extremely
/// high (the shape of the published registries of the large control types).
fn category_weight(c: RiskCategory) -> u32 {
    match c {
        RiskCategory::Low => 40,
        RiskCategory::Moderate => 25,
        RiskCategory::Medium => 15,
        RiskCategory::Significant => 10,
        RiskCategory::High => 5,
        RiskCategory::ExtremelyHigh => 1,
    }
}

/// Tax office codes enough for `n` numbers of `per_office` each: the data's own, then more codes
/// of the region.
fn offices(data: &DemoData, n: usize, per_office: usize) -> anyhow::Result<Vec<u32>> {
    let mut list = data.registry.tax_offices.clone();
    let needed = n.div_ceil(per_office).max(1);
    let base = data.registry.region * 100;
    let mut extra = base + 40;
    while list.len() < needed {
        if extra > base + 99 {
            bail!("too many subjects for one region's tax offices");
        }
        if !list.contains(&extra) {
            list.push(extra);
        }
        extra += 1;
    }
    Ok(list)
}

impl Registry {
    /// Generates the subjects and spreads the objects over them (larger businesses have more).
    pub fn generate(spec: Spec) -> anyhow::Result<Registry> {
        let data = demo_data()?;
        if spec.subjects == 0 && spec.objects > 0 {
            bail!("objects need at least one subject");
        }
        let mut rng = Rng::new(spec.seed);
        // First who is a sole trader, so that numbers can be handed out one-to-one.
        let sole: Vec<bool> = (0..spec.subjects).map(|_| rng.chance(30)).collect();
        let n_sole = sole.iter().filter(|s| **s).count();
        let org_offices = offices(data, spec.subjects - n_sole, 100_000)?;
        let ip_offices = offices(data, n_sole, 1_000_000)?;
        let (mut k_org, mut k_ip) = (0usize, 0usize);
        let mut subjects = Vec::with_capacity(spec.subjects);
        for &is_sole in &sole {
            let activity = rng.weighted(
                &data
                    .registry
                    .activities
                    .iter()
                    .map(|a| a.weight)
                    .collect::<Vec<_>>(),
            );
            let home = rng.index(data.registry.districts.len());
            let year = rng.range(2, 25) as u32;
            let row = if is_sole {
                let office = ip_offices[k_ip % ip_offices.len()];
                let serial = ids::scramble6((k_ip / ip_offices.len()) as u32);
                k_ip += 1;
                SubjectRow {
                    inn: ids::inn_individual(office, serial),
                    ogrn: ids::ogrnip(
                        year.max(4),
                        data.registry.region,
                        u64::from(office % 100) * 10_000_000 + u64::from(serial),
                    ),
                    name: person_name(data, &mut rng),
                    size_class: [SizeClass::Micro, SizeClass::Small][rng.weighted(&[85, 15])],
                    activity,
                    home,
                }
            } else {
                let office = org_offices[k_org % org_offices.len()];
                let serial = ids::scramble5((k_org / org_offices.len()) as u32);
                k_org += 1;
                SubjectRow {
                    inn: ids::inn_organisation(office, serial),
                    ogrn: ids::ogrn(year, data.registry.region, office, serial),
                    name: company_name(data, &mut rng, activity),
                    size_class: SizeClass::ALL[rng.weighted(&[50, 30, 14, 6])],
                    activity,
                    home,
                }
            };
            subjects.push(row);
        }
        let counts = spread(&mut rng, &subjects, spec.objects);
        Ok(Registry {
            data,
            seed: spec.seed,
            subjects,
            counts,
        })
    }

    pub fn subjects(&self) -> &[SubjectRow] {
        &self.subjects
    }

    pub fn data(&self) -> &'static DemoData {
        self.data
    }

    /// Every object, subject by subject, generated as it is read.
    pub fn objects(&self) -> impl Iterator<Item = ObjectRow> + '_ {
        let starts = self.counts.iter().scan(0usize, |n, &c| {
            let start = *n;
            *n += c as usize;
            Some(start)
        });
        self.counts
            .iter()
            .zip(starts)
            .enumerate()
            .flat_map(move |(s, (&count, start))| {
                let mut rng = Rng::stream(self.seed ^ OBJECT_STREAMS, s as u64);
                (0..count as usize).map(move |j| self.object(&mut rng, s, start + j))
            })
    }

    fn object(&self, rng: &mut Rng, s: usize, n: usize) -> ObjectRow {
        let r = &self.data.registry;
        let subject = &self.subjects[s];
        let activity = &r.activities[subject.activity];
        let district_index = if rng.chance(70) {
            subject.home
        } else {
            rng.index(r.districts.len())
        };
        let district = &r.districts[district_index];
        let mut address = format!(
            "{}, {}, д. {}",
            r.city,
            rng.pick(&district.streets),
            if rng.chance(70) {
                rng.range(1, 40)
            } else {
                rng.range(41, 180)
            }
        );
        if rng.chance(15) {
            let _ = write!(address, ", корп. {}", rng.range(1, 4));
        }
        if rng.chance(20) {
            let _ = write!(address, ", пом. {}", rng.range(1, 60));
        }
        // A triangular spread around the district's centre: denser in the middle.
        let mut around = |centre: i64, spread: i64| {
            centre + (rng.range(-spread, spread) + rng.range(-spread, spread)) / 2
        };
        let lat_e7 = around(district.lat_e7, district.spread_lat_e7);
        let lon_e7 = around(district.lon_e7, district.spread_lon_e7);
        let weights: Vec<u32> = activity.types.iter().map(|t| t.weight).collect();
        let type_code = activity.types[rng.weighted(&weights)].code.as_str();
        // Checked in `data::check`: every activity's types exist.
        let control_type = self
            .data
            .control_type(type_code)
            .map_or("fire", |t| t.code.as_str());
        let categories = self
            .data
            .control_type(control_type)
            .map_or_else(|| RiskCategory::ALL.to_vec(), |t| t.used_categories());
        let risk = if rng.chance(3) {
            None // not yet assigned: counts as low (ч.7 ст.23)
        } else {
            let w: Vec<u32> = categories.iter().map(|c| category_weight(*c)).collect();
            Some(categories[rng.weighted(&w)])
        };
        let decision = risk.map(|_| {
            let reasons = &r.risk_reasons;
            let reason = format!(
                "{}; {}; {}",
                rng.pick(&reasons.severity),
                rng.pick(&reasons.probability),
                rng.pick(&reasons.conduct)
            );
            (
                working_day(time::macros::date!(2024 - 01 - 09), rng.range(0, 990)),
                reason,
            )
        });
        let prefix: String = control_type.to_uppercase().chars().take(4).collect();
        ObjectRow {
            key: format!("{prefix}-{:07}", n + 1),
            subject: s,
            control_type,
            address,
            district: &district.name,
            lat_e7,
            lon_e7,
            risk,
            decision,
        }
    }

    /// The subjects as CSV files of at most `rows` rows each, header included.
    pub fn subject_chunks(&self, rows: usize) -> impl Iterator<Item = Vec<u8>> + '_ {
        self.subjects.chunks(rows.max(1)).map(|chunk| {
            let mut out = csv_writer(SUBJECTS_HEADER);
            for s in chunk {
                let _ = out.write_record([s.inn.as_str(), &s.ogrn, &s.name, s.size_class.as_str()]);
            }
            finish(out)
        })
    }

    /// The objects as CSV files of at most `rows` rows each, header included.
    pub fn object_chunks(&self, rows: usize) -> impl Iterator<Item = Vec<u8>> + '_ {
        let mut objects = self.objects().peekable();
        std::iter::from_fn(move || {
            objects.peek()?;
            let mut out = csv_writer(OBJECTS_HEADER);
            for o in objects.by_ref().take(rows.max(1)) {
                self.write_object(&mut out, &o);
            }
            Some(finish(out))
        })
    }

    fn write_object(&self, out: &mut csv::Writer<Vec<u8>>, o: &ObjectRow) {
        let (decided, reason) = o.decision.as_ref().map_or((String::new(), ""), |(d, r)| {
            (knd_shared::calendar::iso_date::format(*d), r.as_str())
        });
        let _ = out.write_record([
            o.key.as_str(),
            &self.subjects[o.subject].inn,
            o.control_type,
            &o.address,
            o.district,
            &degrees(o.lat_e7),
            &degrees(o.lon_e7),
            o.risk.map_or("", RiskCategory::as_str),
            &decided,
            reason,
        ]);
    }
}

/// Every subject gets one object (while there are enough), the rest go by size: a large business
/// has many places, a micro one few.
fn spread(rng: &mut Rng, subjects: &[SubjectRow], objects: usize) -> Vec<u32> {
    let n = subjects.len();
    if objects <= n {
        return (0..n).map(|i| u32::from(i < objects)).collect();
    }
    let weights: Vec<u64> = subjects
        .iter()
        .map(|s| {
            let base = match s.size_class {
                SizeClass::Micro => 1,
                SizeClass::Small => 3,
                SizeClass::Medium => 8,
                SizeClass::Large => 25,
            };
            base * (1 + rng.below(3))
        })
        .collect();
    let total: u128 = weights.iter().map(|&w| u128::from(w)).sum();
    let extra = (objects - n) as u128;
    let mut counts: Vec<u32> = weights
        .iter()
        .map(|&w| 1 + (extra * u128::from(w) / total) as u32)
        .collect();
    let given: usize = counts.iter().map(|&c| c as usize).sum();
    for c in counts.iter_mut().take(objects - given) {
        *c += 1;
    }
    counts
}

fn company_name(data: &DemoData, rng: &mut Rng, activity: usize) -> String {
    let r = &data.registry;
    let form = &r.legal_forms
        [rng.weighted(&r.legal_forms.iter().map(|f| f.weight).collect::<Vec<_>>())]
    .form;
    let suffix = rng.pick(&r.activities[activity].suffixes);
    let name = match rng.below(3) {
        0 | 1 => format!("{}{suffix}", rng.pick(&r.prefixes)),
        _ if rng.chance(50) => rng.pick(&r.brands).clone(),
        _ => format!("{}-{}", rng.pick(&r.brands), capitalise(suffix)),
    };
    format!("{form} «{name}»")
}

fn person_name(data: &DemoData, rng: &mut Rng) -> String {
    let p = &data.registry.people;
    let surname = rng.pick(&p.surnames);
    let root = rng.pick(&p.patronymic_roots);
    if rng.chance(50) {
        format!("ИП {surname} {} {root}ич", rng.pick(&p.male_names))
    } else {
        format!("ИП {surname}а {} {root}на", rng.pick(&p.female_names))
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The working day (Monday to Friday) on or after `days` days past `from`.
fn working_day(from: Date, days: i64) -> Date {
    let d = from + time::Duration::days(days);
    match d.weekday() {
        time::Weekday::Saturday => d + time::Duration::days(2),
        time::Weekday::Sunday => d + time::Duration::days(1),
        _ => d,
    }
}

/// Degrees × 10^7 as decimal degrees, exactly («57.6262000»).
pub fn degrees(e7: i64) -> String {
    let sign = if e7 < 0 { "-" } else { "" };
    let a = e7.unsigned_abs();
    format!("{sign}{}.{:07}", a / 10_000_000, a % 10_000_000)
}

fn csv_writer(header: &str) -> csv::Writer<Vec<u8>> {
    let mut buf = Vec::with_capacity(64 * 1024);
    buf.extend_from_slice(header.as_bytes());
    buf.push(b'\n');
    csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(buf)
}

fn finish(out: csv::Writer<Vec<u8>>) -> Vec<u8> {
    // Writing to a Vec cannot fail.
    out.into_inner()
        .unwrap_or_else(|e| e.into_inner().get_ref().clone())
}

/// Writes a registry as CSV files into `dir`: `subjects-NNNN.csv` and `objects-NNNN.csv`, each of
/// at most `rows` rows, in the order to import them. Returns the file names.
pub fn write_files(
    spec: Spec,
    dir: &std::path::Path,
    rows: usize,
) -> anyhow::Result<Vec<std::path::PathBuf>> {
    let registry = Registry::generate(spec)?;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut written = Vec::new();
    let files = registry
        .subject_chunks(rows)
        .enumerate()
        .map(|(i, c)| (format!("subjects-{:04}.csv", i + 1), c))
        .chain(
            registry
                .object_chunks(rows)
                .enumerate()
                .map(|(i, c)| (format!("objects-{:04}.csv", i + 1), c)),
        );
    for (name, bytes) in files {
        let path = dir.join(name);
        std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
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
}
