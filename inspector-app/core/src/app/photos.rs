//! Photos as evidence: ingested, judged against the inspection (damage, time, place) before
//! anything is signed, kept only once the inspector has seen what is wrong with them, and shown
//! full size.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use knd_shared::calendar::iso_date;
use knd_shared::calendar::zone::AgencyZone;
use knd_shared::record::Timestamp;
use knd_shared::record::kinds::{PhotoWarning, Position};
use serde_json::Value;

use super::fieldwork::{checked_text, parse_inspection};
use super::present::{self, text};
use super::views::{PhotoOutcome, RecordStateView};
use super::{App, AppError, AppResult, ErrorKind, assignment};
use crate::photo::{DeviceContext, IngestedPhoto, ObjectPlace, ingest, place_and_time};

/// Every kind of photo warning this version finds, for a caller that accepts them all (tests,
/// tools); the UI sends back the kinds it showed.
pub const PHOTO_WARNING_KINDS: [&str; 3] = ["damaged", "taken_outside_dates", "far_from_object"];

/// [`PHOTO_WARNING_KINDS`] as the `accepted` argument of [`App::add_photo`].
pub fn all_photo_warnings() -> Vec<String> {
    PHOTO_WARNING_KINDS.map(str::to_owned).to_vec()
}

impl App {
    /// Adds a photo (the bytes as base64). What is not an image is refused. A photo that is
    /// damaged, taken outside the inspection's dates or far from its objects is not recorded
    /// until the inspector has seen why: the outcome lists the warnings and nothing changes,
    /// unless every warning found now is of a kind in `accepted` (the kinds the inspector was
    /// shown and chose to keep the photo despite). Then the photo is signed with them in its
    /// record, for the server and the act to show. Warnings are found afresh on every call, so
    /// a pull that changed the inspection's dates or objects in between shows them again.
    pub fn add_photo(
        &self,
        id: &str,
        data_base64: &str,
        caption: Option<String>,
        accepted: Vec<String>,
    ) -> AppResult<PhotoOutcome> {
        let inspection = parse_inspection(id)?;
        let a = self.assignment_of(inspection)?;
        self.refuse_after_act(inspection)?;
        let data = STANDARD
            .decode(data_base64.trim())
            .map_err(|_| AppError::invalid("файл не прочитан / the file could not be read"))?;
        let caption = caption
            .map(|c| checked_text(&c, "подпись / caption"))
            .transpose()?
            .filter(|c| !c.is_empty());
        let photo = ingest(&data, &device_context())?;
        let found = judge(&photo, &a);
        let objects = present::objects(&a);
        let views: Vec<_> = photo
            .body(inspection, None, found.clone())
            .warnings
            .iter()
            .map(|w| present::photo_warning(w, &objects))
            .collect();
        if views.iter().any(|w| !accepted.contains(&w.kind)) {
            return Ok(PhotoOutcome {
                added: None,
                warnings: views,
            });
        }
        let start = self.start_if_needed(inspection)?;
        let record = self.with_key(|key| {
            Ok(self.store().add_checked_photo(
                key,
                inspection,
                &data,
                &photo,
                caption.clone(),
                found,
                start,
            )?)
        })?;
        self.sync.wake();
        let row = self
            .store()
            .photos(inspection)?
            .into_iter()
            .find(|p| p.record_seq == record.seq)
            .ok_or_else(|| AppError::new(ErrorKind::Internal, "the photo just added is missing"))?;
        let added = present::photo_view(
            &row,
            &photo.thumbnail,
            caption,
            RecordStateView::Pending,
            &objects,
        );
        Ok(PhotoOutcome {
            warnings: added.warnings.clone(),
            added: Some(added),
        })
    }

    /// The original of a photo of this device as a `data:` URL, for the full-size view (the
    /// webview applies its EXIF orientation, as the thumbnail does).
    pub fn photo_original(&self, sha256: &str) -> AppResult<String> {
        let sha = sha256.trim().to_ascii_lowercase();
        let row = self.store().photo(&sha)?.ok_or_else(|| {
            AppError::new(ErrorKind::NotFound, "фото не найдено / photo not found")
        })?;
        let bytes = std::fs::read(self.dir.join(&row.path))
            .map_err(|e| AppError::from(crate::store::StoreError::Io(e)))?;
        // The file is named by its hash; what is shown as "the original" must still be it.
        if knd_shared::Sha256::digest(&bytes).to_hex() != row.sha256 {
            return Err(AppError::new(
                ErrorKind::Internal,
                "файл фото на устройстве изменён и не совпадает с подписанной записью / the photo's file on the device was altered and no longer matches its signed record",
            ));
        }
        Ok(format!(
            "data:{};base64,{}",
            row.mime,
            STANDARD.encode(bytes)
        ))
    }
}

/// The time and place warnings of a photo against its assignment: the inspection's dates in
/// the agency's zone, and the objects with coordinates.
fn judge(photo: &IngestedPhoto, a: &Value) -> Vec<PhotoWarning> {
    let date = |k| iso_date::parse(&text(a, k)).ok();
    let dates = date("starts_on").zip(date("ends_on"));
    let zone = assignment::time_zone(a).and_then(|tz| AgencyZone::parse(&tz).ok());
    place_and_time(photo, dates, zone.as_ref(), &places(a))
}

/// The assignment's objects that have a position.
fn places(a: &Value) -> Vec<ObjectPlace> {
    let Some(objects) = a.get("objects").and_then(Value::as_array) else {
        return vec![];
    };
    objects
        .iter()
        .filter_map(|o| {
            Some(ObjectPlace {
                key: text(o, "key"),
                position: Position {
                    lat_e7: o.get("lat_e7")?.as_i64()?,
                    lon_e7: o.get("lon_e7")?.as_i64()?,
                },
            })
        })
        .collect()
}

/// The device's clock and time zone for a photo without EXIF (no position: the desktop has no
/// GPS, and a tablet's fix is not yet passed in).
fn device_context() -> DeviceContext {
    DeviceContext {
        now: Timestamp::now(),
        utc_offset: time::UtcOffset::current_local_offset().unwrap_or(time::UtcOffset::UTC),
        position: None,
    }
}
