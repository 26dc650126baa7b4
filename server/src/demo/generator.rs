//! Synthetic registries of any size: subjects with valid ИНН and ОГРН, and control objects at
//! street addresses across the city's districts, in the CSV format of the registry import.
//!
//! Each object comes with five years of history (`history/`: the risk events an earlier system
//! hands over) and the category the risk model gives on it, and the history is written as the
//! risk events CSV of `services::risk_events::import_csv`.
//!
//! The output depends only on the seed, the sizes and the day taken as today. Subjects are held
//! in memory (a hundred thousand take a few megabytes); objects are produced one at a time, each
//! subject's from its own random stream and each object's history from its own, so a million
//! objects and their history stream out in chunks without being held at once.

use std::fmt::Write as _;

use std::collections::BTreeMap;

use anyhow::{Context as _, bail};
use knd_shared::RiskCategory;
use knd_shared::planning::RiskModel;
use knd_shared::registry::{ControlTypeRules, SizeClass};
use time::Date;

use super::data::{ControlTypeData, DemoData, demo_data};
use super::history::facts::Counting;
use super::history::{self, Attributes, Conduct, HistoryEvent, Place};
use super::ids;
use super::rng::Rng;

/// The header of a subjects file (`POST /api/v1/import/subjects`).
pub const SUBJECTS_HEADER: &str = "inn,ogrn,name,size_class";
/// The header of an objects file (`POST /api/v1/import/objects`), with the optional risk decision
/// and the activity attributes the risk model reads (a JSON object).
pub const OBJECTS_HEADER: &str = "object_key,subject_inn,control_type,address,district,lat,lon,risk_category,risk_decided_on,risk_reason,attributes";
/// The header of a history file (`services::risk_events::import_csv`).
pub const HISTORY_HEADER: &str = "object_key,kind,occurred_on,due_on,passed,source,note";

/// Mixed into the seed for the objects' streams, so they do not repeat the subjects' stream.
const OBJECT_STREAMS: u64 = 0x0B1E_C757_0B1E_C757;
/// Mixed into the seed for each object's history.
const HISTORY_STREAMS: u64 = 0x4157_0B1E_4157_0B1E;
/// Mixed into the seed for each subject's conduct.
const CONDUCT_STREAMS: u64 = 0xC0DE_C0DE_5AFE_7EA5;

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
    pub attributes: Attributes,
    /// The object's history, oldest first.
    pub events: Vec<HistoryEvent>,
    /// The category the risk model gives on the history as of today.
    pub modelled: RiskCategory,
    /// New information arrived after the decision: `risk` is the decision's, not `modelled`.
    pub perturbed: bool,
}

/// A control type as the generator scores its objects: the rules the demo puts and their model.
#[derive(Debug)]
struct TypeModel {
    data: &'static ControlTypeData,
    rules: ControlTypeRules,
    model: RiskModel,
}

/// A generated registry: the subjects, how many objects each has, and the day its history ends.
#[derive(Debug)]
pub struct Registry {
    data: &'static DemoData,
    seed: u64,
    subjects: Vec<SubjectRow>,
    conduct: Vec<Conduct>,
    counts: Vec<u32>,
    types: BTreeMap<&'static str, TypeModel>,
    counting: Counting,
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
    /// [`Registry::generate_on`] the agency's today (Moscow time by default).
    pub fn generate(spec: Spec) -> anyhow::Result<Registry> {
        Self::generate_on(
            spec,
            knd_shared::calendar::zone::AgencyZone::default().today(),
        )
    }

    /// Generates the subjects and spreads the objects over them (larger businesses have more);
    /// their history ends on `today`.
    pub fn generate_on(spec: Spec, today: Date) -> anyhow::Result<Registry> {
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
        let conduct = (0..subjects.len())
            .map(|s| Conduct::draw(&mut Rng::stream(spec.seed ^ CONDUCT_STREAMS, s as u64)))
            .collect();
        let types: BTreeMap<&'static str, TypeModel> = data
            .control_types
            .iter()
            .map(|t| {
                let rules = t.rules();
                let model = rules.risk_model();
                (
                    t.code.as_str(),
                    TypeModel {
                        data: t,
                        rules,
                        model,
                    },
                )
            })
            .collect();
        let all_rules: Vec<&ControlTypeRules> = types.values().map(|t| &t.rules).collect();
        let counting = Counting::on(today, &all_rules);
        Ok(Registry {
            data,
            seed: spec.seed,
            subjects,
            conduct,
            counts,
            types,
            counting,
        })
    }

    /// The day the history ends on.
    pub fn today(&self) -> Date {
        self.counting.window.today
    }

    /// The severity class of potential harm the object's attributes give under its control
    /// type's model (1 when they raise nothing).
    pub fn severity_class(&self, o: &ObjectRow) -> u8 {
        self.types.get(o.control_type).map_or(1, |t| {
            t.model
                .score(&knd_shared::planning::ObjectFacts {
                    attributes: o.attributes.to_json(),
                    ..Default::default()
                })
                .severity_class
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
            .types
            .get_key_value(type_code)
            .map_or("fire", |(code, _)| *code);
        let t = &self.types[control_type];
        let place = Place {
            activity: &activity.code,
            size: subject.size_class,
            conduct: self.conduct[s],
            control_type: t.data,
            rules: &t.rules,
            model: &t.model,
        };
        let mut own = Rng::stream(self.seed ^ HISTORY_STREAMS, n as u64);
        let h = history::generate(&mut own, &place, &self.counting, &r.risk_reasons);
        let prefix: String = control_type.to_uppercase().chars().take(4).collect();
        ObjectRow {
            key: format!("{prefix}-{:07}", n + 1),
            subject: s,
            control_type,
            address,
            district: &district.name,
            lat_e7,
            lon_e7,
            risk: h.category,
            decision: h.decision,
            attributes: h.attributes,
            events: h.events,
            modelled: h.modelled,
            perturbed: h.perturbed,
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
            &o.attributes.to_json().to_string(),
        ]);
    }

    /// The objects' history as CSV files of at most `rows` events each, header included. Each
    /// event's source is `demo:<object key>:<n>`, so a re-imported file adds nothing.
    pub fn history_chunks(&self, rows: usize) -> impl Iterator<Item = Vec<u8>> + '_ {
        let mut events = self
            .objects()
            .flat_map(|o| {
                let key = o.key;
                o.events
                    .into_iter()
                    .enumerate()
                    .map(move |(i, e)| (format!("demo:{key}:{i}"), key.clone(), e))
                    .collect::<Vec<_>>()
            })
            .peekable();
        std::iter::from_fn(move || {
            events.peek()?;
            let mut out = csv_writer(HISTORY_HEADER);
            for (source, key, e) in events.by_ref().take(rows.max(1)) {
                let day = knd_shared::calendar::iso_date::format;
                let _ = out.write_record([
                    key.as_str(),
                    e.kind.as_str(),
                    &day(e.occurred_on),
                    &e.due_on.map(day).unwrap_or_default(),
                    e.passed.map_or("", |p| if p { "true" } else { "false" }),
                    &source,
                    &e.note,
                ]);
            }
            Some(finish(out))
        })
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

/// Writes a registry as CSV files into `dir`: `subjects-NNNN.csv`, `objects-NNNN.csv` and
/// `history-NNNN.csv`, each of at most `rows` rows, its history ending on `today`; to be
/// imported in that order. Returns the file names.
pub fn write_files(
    spec: Spec,
    today: Date,
    dir: &std::path::Path,
    rows: usize,
) -> anyhow::Result<Vec<std::path::PathBuf>> {
    let registry = Registry::generate_on(spec, today)?;
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
        )
        .chain(
            registry
                .history_chunks(rows)
                .enumerate()
                .map(|(i, c)| (format!("history-{:04}.csv", i + 1), c)),
        );
    for (name, bytes) in files {
        let path = dir.join(name);
        std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
#[path = "generator_tests.rs"]
mod tests;
