//! Whether a photo's own time and place fit the inspection (issue: a 2008 photo taken in Italy
//! entered a 2026 inspection in Yaroslavl without a word). Pure: the caller warns the inspector
//! and, if the photo is kept, puts the warnings in its record for the server and the console.

use knd_shared::calendar::zone::AgencyZone;
use knd_shared::record::kinds::{FAR_FROM_OBJECT_M, MetadataSource, PhotoWarning, Position};
use time::Date;

use super::IngestedPhoto;

/// An object of the inspection with a known position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectPlace {
    pub key: String,
    pub position: Position,
}

/// Mean Earth radius (IUGG), metres.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Great-circle distance in whole metres (haversine). Written by hand: a dozen lines, where a
/// geodesy crate would bring far more than the kilometre-scale check needs (the spherical
/// model is within 0.5 % of the ellipsoid).
pub fn distance_m(a: Position, b: Position) -> u64 {
    let rad = |e7: i64| (e7 as f64 / 1e7).to_radians();
    let (lat1, lat2) = (rad(a.lat_e7), rad(b.lat_e7));
    let dlat = lat2 - lat1;
    let dlon = rad(b.lon_e7) - rad(a.lon_e7);
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    let d = 2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin();
    // Finite and at most half the circumference, so the cast is exact enough and cannot wrap.
    d.round() as u64
}

/// The warnings a photo's time and place give against the inspection:
/// - its EXIF time falls on a date (in the agency's zone) outside `dates` (a time the device
///   supplied is the moment of adding, not evidence of when the shutter fired, so it is not
///   judged);
/// - its position, from EXIF or the device, is more than [`FAR_FROM_OBJECT_M`] from every
///   object with a known position.
///
/// Missing facts (no dates, no zone, no position, objects without coordinates) give no warning.
pub fn place_and_time(
    photo: &IngestedPhoto,
    dates: Option<(Date, Date)>,
    zone: Option<&AgencyZone>,
    objects: &[ObjectPlace],
) -> Vec<PhotoWarning> {
    let mut found = Vec::new();
    if let (MetadataSource::Exif, Some((from, to)), Some(zone)) = (photo.time_source, dates, zone) {
        let day = zone.local_date(photo.taken_at.as_datetime());
        if day < from || day > to {
            found.push(PhotoWarning::TakenOutsideDates {
                taken_at: photo.taken_at,
                from,
                to,
            });
        }
    }
    if let Some(at) = photo.position {
        let nearest = objects
            .iter()
            .map(|o| (distance_m(at, o.position), o))
            .min_by_key(|(d, _)| *d);
        if let Some((d, o)) = nearest.filter(|(d, _)| *d > FAR_FROM_OBJECT_M) {
            found.push(PhotoWarning::FarFromObject {
                distance_m: d,
                object: o.key.clone(),
            });
        }
    }
    found
}
