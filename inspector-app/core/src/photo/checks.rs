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

pub use knd_shared::geo::distance_m;

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
