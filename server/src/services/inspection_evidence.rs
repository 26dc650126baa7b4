//! An inspection's field evidence as a console user reads it: every record the devices sent for
//! it, each verified again here (the device's signature and the server's receipt), and the
//! server's own judgement of each photo's time and place against the inspection.
//!
//! The records are found through the projection (every finding, photo, document, start and
//! finish names its record, and so does every review flag), then read by id: an inspection has
//! tens to hundreds of records, not millions. Notes are not projected per inspection, so they
//! are not listed.

use std::collections::{BTreeSet, HashMap};

use knd_shared::calendar::zone::AgencyZone;
use knd_shared::receipt::Receipt;
use knd_shared::record::Timestamp;
use knd_shared::record::verify as verify_record;
use knd_shared::{DeviceId, InspectionId, RecordId};
use time::{Date, OffsetDateTime};

use crate::error::ApiResult;
use crate::model::{ControlObject, Device, FieldData, Inspection, StoredRecord, Subject, User};
use crate::services::inspection_reads;
use crate::services::policy::{self, Action, Scope};
use crate::state::AppState;

/// Most records one evidence page reads (a larger inspection shows the first ones and says so).
pub const MAX_RECORDS: usize = 2000;

/// How a record's signature checked out against its device's enrolled key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureCheck {
    Valid,
    /// Refused, with the reason in Russian then English.
    Invalid(String),
}

/// A record of the inspection, as stored, with its checks.
#[derive(Debug, Clone)]
pub struct EvidenceRecord {
    pub id: RecordId,
    pub kind: String,
    pub device: DeviceId,
    /// The device's name, when it is one of the agency's.
    pub device_name: Option<String>,
    pub seq: u64,
    pub log_index: u64,
    pub received_at: OffsetDateTime,
    /// The device's time, as signed.
    pub at: String,
    pub signature: SignatureCheck,
    /// Whether the server's receipt verifies against the log key and names this record.
    pub receipt_valid: bool,
    /// Whether the viewer may open the record and its bundle (an inspector: their devices' only).
    pub readable: bool,
}

/// What the server finds of a photo's time and place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhotoCheck {
    /// Its time falls on a day (agency zone) outside the inspection's dates.
    OutsideDates { day: Date, from: Date, to: Date },
    /// It is farther than 1 km from every object with a known position (the nearest named).
    FarFromObject { distance_m: u64, object: String },
}

/// Everything the evidence page shows.
#[derive(Debug, Clone)]
pub struct Evidence {
    pub inspection: Inspection,
    pub field: FieldData,
    /// In log order.
    pub records: Vec<EvidenceRecord>,
    /// More records than [`MAX_RECORDS`] exist; only the first are listed.
    pub truncated: bool,
    /// The server's checks per photo record.
    pub photo_checks: HashMap<RecordId, Vec<PhotoCheck>>,
}

/// The inspection's objects as the registry holds them (positions, addresses), and its subject.
pub async fn objects_and_subject(
    state: &AppState,
    insp: &Inspection,
) -> ApiResult<(Vec<ControlObject>, Option<Subject>)> {
    let keys: Vec<String> = insp.objects.iter().map(|(_, k)| k.clone()).collect();
    let objects = if keys.is_empty() {
        Vec::new()
    } else {
        state.store.objects_by_keys(insp.agency, &keys).await?
    };
    let subject = state
        .store
        .subject_by_inn(insp.agency, &insp.subject_inn)
        .await?;
    Ok((objects, subject))
}

/// The evidence of an inspection the user may see (404 otherwise).
pub async fn evidence(state: &AppState, user: &User, id: InspectionId) -> ApiResult<Evidence> {
    let inspection = inspection_reads::get(state, user, id).await?;
    let field = state.store.field_data(inspection.id).await?;
    let (objects, _) = objects_and_subject(state, &inspection).await?;
    let ids = record_ids(&field);
    let truncated = ids.len() > MAX_RECORDS;
    let mut stored: Vec<StoredRecord> = Vec::with_capacity(ids.len().min(MAX_RECORDS));
    for rid in ids.into_iter().take(MAX_RECORDS) {
        if let Some(r) = state.store.get_record(rid).await? {
            if r.agency == Some(inspection.agency) {
                stored.push(r);
            }
        }
    }
    stored.sort_by_key(|r| r.log_index);
    let mut devices: HashMap<DeviceId, Option<Device>> = HashMap::new();
    for r in &stored {
        if let std::collections::hash_map::Entry::Vacant(slot) = devices.entry(r.device) {
            let d = state
                .store
                .get_device(Some(inspection.agency), r.device)
                .await?;
            slot.insert(d);
        }
    }
    let mine = match policy::scope(user, Action::ReadRecord) {
        Scope::Agency => None,
        Scope::Own(me) => Some(me),
    };
    let log_key = state.server.identity.public_key;
    let records = stored
        .iter()
        .map(|r| {
            let device = devices.get(&r.device).and_then(Option::as_ref);
            check_record(r, device, &log_key, mine)
        })
        .collect();
    // A time the device supplied is the moment the photo was added, not when it was taken: like
    // the app, only a time from the photo's own metadata is judged against the dates.
    let device_times: Vec<RecordId> = stored
        .iter()
        .filter(|r| r.kind == "photo")
        .filter_map(|r| {
            let v = knd_shared::record::parse_unverified(&r.bytes).ok()?;
            (v.body.get("time_source").and_then(|t| t.as_str()) == Some("device")).then_some(r.id)
        })
        .collect();
    let photo_checks = field
        .photos
        .iter()
        .map(|p| {
            let checks = photo_checks(
                &state.zone,
                &inspection,
                &objects,
                p.taken_at
                    .as_deref()
                    .filter(|_| !device_times.contains(&p.record)),
                p.lat_e7.zip(p.lon_e7),
            );
            (p.record, checks)
        })
        .collect();
    Ok(Evidence {
        inspection,
        field,
        records,
        truncated,
        photo_checks,
    })
}

/// Every record the projection names for the inspection, each once.
fn record_ids(f: &FieldData) -> BTreeSet<RecordId> {
    let mut ids = BTreeSet::new();
    ids.extend(f.started_record);
    ids.extend(f.finished_record);
    ids.extend(f.findings.iter().map(|x| x.record));
    ids.extend(f.photos.iter().map(|x| x.record));
    ids.extend(f.documents.iter().map(|x| x.record));
    ids.extend(f.flags.iter().map(|x| x.record));
    ids
}

fn check_record(
    r: &StoredRecord,
    device: Option<&Device>,
    log_key: &knd_shared::PublicKey,
    mine: Option<knd_shared::UserId>,
) -> EvidenceRecord {
    let (signature, at) = match device {
        None => (
            SignatureCheck::Invalid(
                "устройство не найдено среди устройств ведомства / the device is not one of the agency's"
                    .into(),
            ),
            String::new(),
        ),
        Some(d) => match verify_record(&r.bytes, &d.public_key) {
            Ok(v) if v.id == r.id && v.device == d.id && v.hash == r.hash => {
                (SignatureCheck::Valid, v.at.to_string())
            }
            Ok(v) => (
                SignatureCheck::Invalid(
                    "подпись верна, но запись не совпадает с хранимой / the signature holds but the record differs from the stored one".into(),
                ),
                v.at.to_string(),
            ),
            Err(e) => (
                SignatureCheck::Invalid(format!(
                    "подпись не прошла проверку ({}) / the signature does not verify ({e})",
                    e.reason()
                )),
                String::new(),
            ),
        },
    };
    let receipt_valid = Receipt::verify(&r.receipt, log_key)
        .is_ok_and(|rc| rc.record == r.hash && rc.index == r.log_index);
    EvidenceRecord {
        id: r.id,
        kind: r.kind.clone(),
        device: r.device,
        device_name: device.map(|d| d.name.clone()),
        seq: r.seq,
        log_index: r.log_index,
        received_at: r.received_at,
        at,
        signature,
        receipt_valid,
        readable: mine.is_none_or(|me| device.is_some_and(|d| d.user == Some(me))),
    }
}

/// The server's own checks of a photo's time and place (the device's, signed in the record,
/// are shown beside them): its time (`None` when it is not the photo's own) on a day outside
/// the inspection's dates in the agency's zone, its position more than 1 km from every object
/// with a known position.
pub fn photo_checks(
    zone: &AgencyZone,
    insp: &Inspection,
    objects: &[ControlObject],
    taken_at: Option<&str>,
    position: Option<(i64, i64)>,
) -> Vec<PhotoCheck> {
    let mut found = Vec::new();
    if let Some(t) = taken_at.and_then(|t| Timestamp::parse(t).ok()) {
        let day = zone.local_date(t.as_datetime());
        if day < insp.starts_on || day > insp.ends_on {
            found.push(PhotoCheck::OutsideDates {
                day,
                from: insp.starts_on,
                to: insp.ends_on,
            });
        }
    }
    if let Some(at) = position {
        let nearest = objects
            .iter()
            .filter_map(|o| o.position.map(|p| (distance_m(at, p), o)))
            .min_by_key(|(d, _)| *d);
        if let Some((d, o)) =
            nearest.filter(|(d, _)| *d > knd_shared::record::kinds::FAR_FROM_OBJECT_M)
        {
            found.push(PhotoCheck::FarFromObject {
                distance_m: d,
                object: o.object_key.clone(),
            });
        }
    }
    found
}

/// Great-circle distance in whole metres between positions in degrees × 10^7: the same
/// function the inspector app judges a photo with (`knd_shared::geo`), so both agree on what
/// "more than 1 km" is.
pub fn distance_m(a: (i64, i64), b: (i64, i64)) -> u64 {
    let at = |(lat_e7, lon_e7): (i64, i64)| knd_shared::record::kinds::Position { lat_e7, lon_e7 };
    knd_shared::geo::distance_m(at(a), at(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        // Yaroslavl, 0.01° of latitude apart: about 1.1 km.
        let a = (576_260_000, 398_840_000);
        let b = (576_360_000, 398_840_000);
        let d = distance_m(a, b);
        assert!((1_100..1_125).contains(&d), "{d}");
        assert_eq!(distance_m(a, a), 0);
    }
}
