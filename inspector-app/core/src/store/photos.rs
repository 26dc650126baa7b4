//! Photos: the original and its thumbnail as files named by SHA-256, a row, and the signed
//! `photo` record.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use knd_shared::InspectionId;
use knd_shared::record::kinds::{MetadataSource, PhotoWarning, RecordKind};
use rusqlite::{OptionalExtension as _, params};
use serde::Serialize;

use super::records::{head, insert, to_map};
use super::{PHOTOS_DIR, Store, StoreError, StoreResult};
use crate::fsutil::write_atomic;
use crate::keystore::Unlocked;
use crate::photo::{DeviceContext, IngestedPhoto, PhotoError, ingest};

/// A stored photo as the UI lists it. Paths are relative to the profile folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PhotoRow {
    pub sha256: String,
    pub inspection: String,
    pub record_seq: u64,
    pub path: String,
    pub thumbnail_path: String,
    pub mime: String,
    pub bytes: u64,
    pub width: u32,
    pub height: u32,
    pub taken_at: String,
    pub time_source: String,
    pub lat_e7: Option<i64>,
    pub lon_e7: Option<i64>,
    pub position_source: Option<String>,
    pub upload_state: String,
    /// The warnings of the signed record (damaged, outside the dates, far from the object).
    pub warnings: Vec<PhotoWarning>,
}

fn source(s: MetadataSource) -> &'static str {
    match s {
        MetadataSource::Exif => "exif",
        MetadataSource::Device => "device",
    }
}

/// Files written by one `add_photo`, removed again if the transaction fails.
struct Written(Vec<PathBuf>);

impl Written {
    fn write(&mut self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        if !path.exists() {
            write_atomic(path, bytes)?;
            self.0.push(path.to_owned());
        }
        Ok(())
    }

    fn keep(mut self) {
        self.0.clear();
    }
}

impl Drop for Written {
    fn drop(&mut self) {
        for p in &self.0 {
            // Best effort: a leftover file named by its hash is harmless.
            let _ = fs::remove_file(p);
        }
    }
}

impl Store {
    /// Ingests a photo for `inspection` and records it: the original and the thumbnail are
    /// written first (content-addressed, atomically), then the row and the signed `photo` record
    /// commit in one transaction. A refused photo, a damaged one included, writes nothing; a
    /// failed transaction removes the files it wrote.
    pub fn add_photo(
        &mut self,
        key: &Unlocked,
        inspection: InspectionId,
        original: &[u8],
        device: &DeviceContext,
        caption: Option<String>,
    ) -> StoreResult<(super::StoredRecord, IngestedPhoto)> {
        let photo = ingest(original, device)?;
        if let Some(why) = &photo.damaged {
            return Err(PhotoError::Damaged(why.clone()).into());
        }
        let record =
            self.add_checked_photo(key, inspection, original, &photo, caption, vec![], None)?;
        Ok((record, photo))
    }

    /// Records a photo already ingested and judged by the caller: `found` are the warnings the
    /// inspector saw and kept it despite (the damage, if any, is added from `photo`). Signs
    /// `first` (e.g. the inspection's `inspection_started`) just before the photo record in the
    /// same transaction: a refused photo signs neither.
    #[allow(clippy::too_many_arguments)] // one call site per caller; a struct would only rename them
    pub fn add_checked_photo(
        &mut self,
        key: &Unlocked,
        inspection: InspectionId,
        original: &[u8],
        photo: &IngestedPhoto,
        caption: Option<String>,
        found: Vec<PhotoWarning>,
        first: Option<(RecordKind, serde_json::Map<String, serde_json::Value>)>,
    ) -> StoreResult<super::StoredRecord> {
        if photo.sha256 != knd_shared::Sha256::digest(original) {
            return Err(StoreError::Corrupt(
                "the photo ingested is not these bytes".into(),
            ));
        }
        let sha = photo.sha256.to_hex();
        let exists: Option<i64> = self
            .conn
            .query_row("SELECT 1 FROM photos WHERE sha256 = ?1", [&sha], |r| {
                r.get(0)
            })
            .optional()?;
        if exists.is_some() {
            return Err(StoreError::PhotoExists(sha));
        }
        let signed_body = photo.body(inspection, caption, found);
        let body = to_map(&signed_body)?;
        let warnings = body
            .get("warnings")
            .map_or_else(|| "[]".to_owned(), serde_json::Value::to_string);
        // Check the body and key before touching the disk.
        let device_id = self.enrolled()?.device;
        if key.device() != device_id {
            return Err(StoreError::WrongDevice(key.device()));
        }
        knd_shared::record::kinds::check_body(RecordKind::Photo.as_str(), &body)?;
        if let Some((kind, body)) = &first {
            if !kind.signed_by_device() {
                return Err(StoreError::ServerKind(kind.as_str()));
            }
            knd_shared::record::kinds::check_body(kind.as_str(), body)?;
        }

        let rel_original = format!("{PHOTOS_DIR}/{sha}.{}", photo.extension);
        let rel_thumb = format!("{PHOTOS_DIR}/{sha}.thumb.jpg");
        let mut written = Written(Vec::new());
        written.write(&self.dir.join(&rel_original), original)?;
        written.write(&self.dir.join(&rel_thumb), &photo.thumbnail)?;

        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut head = head(&tx)?;
        if let Some((kind, body)) = first {
            let draft = knd_shared::record::RecordDraft::new(
                device_id,
                head.seq + 1,
                head.hash,
                kind,
                &body,
            )?;
            let signed = knd_shared::record::sign(key.key(), &draft)?;
            insert(&tx, kind, &signed.record, &signed.bytes)?;
            head = knd_shared::record::ChainHead::after(&signed.record);
        }
        let draft = knd_shared::record::RecordDraft::new(
            device_id,
            head.seq + 1,
            head.hash,
            RecordKind::Photo,
            &body,
        )?;
        let signed = knd_shared::record::sign(key.key(), &draft)?;
        insert(&tx, RecordKind::Photo, &signed.record, &signed.bytes)?;
        let seq = i64::try_from(signed.record.seq)
            .map_err(|_| StoreError::Corrupt("seq out of range".into()))?;
        tx.execute(
            "INSERT INTO photos (sha256, inspection, record_seq, path, thumbnail_path, mime, bytes,
                                 width, height, taken_at, time_source, lat_e7, lon_e7,
                                 position_source, warnings)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            params![
                sha,
                inspection.to_string(),
                seq,
                rel_original,
                rel_thumb,
                photo.mime,
                i64::try_from(photo.bytes).unwrap_or(i64::MAX),
                photo.width,
                photo.height,
                photo.taken_at.to_string(),
                source(photo.time_source),
                photo.position.map(|p| p.lat_e7),
                photo.position.map(|p| p.lon_e7),
                photo.position_source.map(source),
                warnings,
            ],
        )?;
        tx.commit()?;
        written.keep();
        let record = super::StoredRecord {
            id: signed.record.id,
            seq: signed.record.seq,
            hash: signed.record.hash,
            kind: RecordKind::Photo,
            at: signed.record.at,
            state: super::RecordState::Pending,
        };
        Ok(record)
    }

    /// One photo by its SHA-256 (hex).
    pub fn photo(&self, sha256: &str) -> StoreResult<Option<PhotoRow>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("{PHOTO_COLUMNS} WHERE sha256 = ?1"))?;
        Ok(stmt.query_row([sha256], photo_row).optional()?)
    }

    /// The photos of an inspection, in the order they were added.
    pub fn photos(&self, inspection: InspectionId) -> StoreResult<Vec<PhotoRow>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "{PHOTO_COLUMNS} WHERE inspection = ?1 ORDER BY record_seq"
        ))?;
        let rows = stmt.query_map([inspection.to_string()], photo_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

const PHOTO_COLUMNS: &str = "SELECT sha256, inspection, record_seq, path, thumbnail_path, mime,
    bytes, width, height, taken_at, time_source, lat_e7, lon_e7, position_source, upload_state,
    warnings FROM photos";

fn photo_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PhotoRow> {
    Ok(PhotoRow {
        sha256: r.get(0)?,
        inspection: r.get(1)?,
        record_seq: r.get(2)?,
        path: r.get(3)?,
        thumbnail_path: r.get(4)?,
        mime: r.get(5)?,
        bytes: r.get(6)?,
        width: r.get(7)?,
        height: r.get(8)?,
        taken_at: r.get(9)?,
        time_source: r.get(10)?,
        lat_e7: r.get(11)?,
        lon_e7: r.get(12)?,
        position_source: r.get(13)?,
        upload_state: r.get(14)?,
        warnings: serde_json::from_str(&r.get::<_, String>(15)?).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(15, rusqlite::types::Type::Text, e.into())
        })?,
    })
}
