//! Photo ingest (DESIGN.md section 8): the original bytes and their SHA-256 are the evidence;
//! EXIF time, GPS and orientation are read; an oriented thumbnail is made for the UI.
//!
//! [`ingest`] is pure: it reads bytes and returns what to store, or refuses. Nothing is written
//! until it has succeeded ([`crate::Store::add_photo`] writes the files and the row).

mod checks;
mod exif;
#[cfg(test)]
pub(crate) mod tests;

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::metadata::Orientation;
use image::{DynamicImage, ImageFormat, ImageReader, Limits};
use knd_shared::record::Timestamp;
use knd_shared::record::kinds::{MetadataSource, Photo, PhotoWarning, Position};
use knd_shared::{InspectionId, Sha256};
use time::UtcOffset;

pub use checks::{ObjectPlace, distance_m, place_and_time};

/// Largest photo accepted, in bytes: a 200-megapixel phone JPEG is about 40 MB.
pub const MAX_PHOTO_BYTES: usize = 64 * 1024 * 1024;
/// Largest side accepted, in pixels (decompression bombs are refused before decoding).
pub const MAX_SIDE: u32 = 20_000;
/// The thumbnail's long side, in pixels.
pub const THUMBNAIL_SIDE: u32 = 512;
const THUMBNAIL_QUALITY: u8 = 80;
/// Memory the decoder may allocate: a 20000×20000 RGB image is 1.2 GB, more than a tablet
/// has to spare; 512 MiB covers 170 megapixels of RGB.
const MAX_DECODE_ALLOC: u64 = 512 * 1024 * 1024;

/// Why a photo was refused. Nothing was written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    #[error("файл пуст / the file is empty")]
    Empty,
    #[error(
        "файл слишком велик: {size} байт, предел {limit} / the file is too large: {size} bytes, the limit is {limit}"
    )]
    TooLarge { size: usize, limit: usize },
    #[error(
        "файл не является изображением JPEG, PNG или WebP / the file is not a JPEG, PNG or WebP image"
    )]
    NotAnImage,
    #[error("изображение повреждено или обрезано / the image is damaged or truncated: {0}")]
    Damaged(String),
    #[error(
        "изображение не читается: это не фотография или от неё остался только заголовок / the image cannot be read: it is not a photo, or only its header is left: {0}"
    )]
    Unreadable(String),
    #[error(
        "изображение слишком велико для устройства / the image is too large for the device: {0}"
    )]
    TooManyPixels(String),
    #[error("не удалось сделать миниатюру / could not make the thumbnail: {0}")]
    Thumbnail(String),
}

/// What the device knows when the photo is added: its clock, its UTC offset (for EXIF times
/// written without one) and its position fix, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceContext {
    pub now: Timestamp,
    pub utc_offset: UtcOffset,
    pub position: Option<Position>,
}

/// A photo that passed ingest: the evidence, its metadata, and its thumbnail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestedPhoto {
    pub sha256: Sha256,
    /// Size of the original in bytes.
    pub bytes: u64,
    pub mime: &'static str,
    /// File extension for the stored original.
    pub extension: &'static str,
    /// Width and height as displayed (after the EXIF orientation).
    pub width: u32,
    pub height: u32,
    /// EXIF orientation 1..=8 (1: as stored).
    pub orientation: u8,
    pub taken_at: Timestamp,
    pub time_source: MetadataSource,
    pub position: Option<Position>,
    /// `None` when neither the photo nor the device had a position.
    pub position_source: Option<MetadataSource>,
    /// JPEG, oriented, long side at most [`THUMBNAIL_SIDE`].
    pub thumbnail: Vec<u8>,
    pub thumbnail_width: u32,
    pub thumbnail_height: u32,
    /// Why the image does not decode cleanly (a JPEG cut short, or corrupt data in its scan,
    /// which decoders fill with grey); `None` for a sound image. A damaged photo is only kept
    /// when the inspector insists, and then its record says so.
    pub damaged: Option<String>,
}

impl IngestedPhoto {
    /// The body of the `photo` record, with the warnings the inspector saw: the damage, if any,
    /// first, then `found` (time and place, see [`place_and_time`]).
    pub fn body(
        &self,
        inspection: InspectionId,
        caption: Option<String>,
        found: Vec<PhotoWarning>,
    ) -> Photo {
        let warnings = self
            .damaged
            .iter()
            .map(|reason| PhotoWarning::Damaged {
                reason: reason.clone(),
            })
            .chain(found)
            .collect();
        Photo {
            inspection,
            sha256: self.sha256,
            bytes: self.bytes,
            mime: self.mime.to_owned(),
            width: Some(self.width),
            height: Some(self.height),
            taken_at: Some(self.taken_at),
            time_source: Some(self.time_source),
            position: self.position,
            position_source: self.position_source,
            caption,
            warnings,
        }
    }
}

/// Checks and reads a photo. The whole image is decoded: what is not an image is refused here,
/// and an image that decodes only with gaps (cut short, corrupt data) is returned marked
/// [`IngestedPhoto::damaged`], for the caller to refuse unless the inspector insists.
pub fn ingest(original: &[u8], device: &DeviceContext) -> Result<IngestedPhoto, PhotoError> {
    if original.is_empty() {
        return Err(PhotoError::Empty);
    }
    if original.len() > MAX_PHOTO_BYTES {
        return Err(PhotoError::TooLarge {
            size: original.len(),
            limit: MAX_PHOTO_BYTES,
        });
    }
    // The content decides the format, never the file name.
    let (format, mime, extension) = match image::guess_format(original) {
        Ok(ImageFormat::Jpeg) => (ImageFormat::Jpeg, "image/jpeg", "jpg"),
        Ok(ImageFormat::Png) => (ImageFormat::Png, "image/png", "png"),
        Ok(ImageFormat::WebP) => (ImageFormat::WebP, "image/webp", "webp"),
        _ => return Err(PhotoError::NotAnImage),
    };
    let (image, damaged) = if format == ImageFormat::Jpeg {
        let strict = if jpeg_is_complete(original) {
            strict_jpeg(original)?
        } else {
            Err("the JPEG ends before its last marker".to_owned())
        };
        match strict {
            Ok(image) => (image, None),
            // A damaged JPEG is decoded again leniently, as any viewer would show it.
            Err(why) => (decode(original, format)?, Some(why)),
        }
    } else {
        (decode(original, format)?, None)
    };

    let facts = exif::read(original, device.utc_offset);
    let orientation =
        Orientation::from_exif(facts.orientation).unwrap_or(Orientation::NoTransforms);
    let (width, height) = match facts.orientation {
        5..=8 => (image.height(), image.width()),
        _ => (image.width(), image.height()),
    };
    // Scale first, then orient: rotating 512 pixels is cheaper than rotating 12 million.
    let mut thumb = if image.width().max(image.height()) > THUMBNAIL_SIDE {
        image.thumbnail(THUMBNAIL_SIDE, THUMBNAIL_SIDE)
    } else {
        image
    };
    thumb.apply_orientation(orientation);
    let thumb = DynamicImage::ImageRgb8(thumb.to_rgb8());
    let mut thumbnail = Vec::new();
    JpegEncoder::new_with_quality(&mut thumbnail, THUMBNAIL_QUALITY)
        .encode_image(&thumb)
        .map_err(|e| PhotoError::Thumbnail(e.to_string()))?;

    let (taken_at, time_source) = match facts.taken_at {
        Some(t) => (t, MetadataSource::Exif),
        None => (device.now, MetadataSource::Device),
    };
    let (position, position_source) = match (facts.position, device.position) {
        (Some(p), _) => (Some(p), Some(MetadataSource::Exif)),
        (None, Some(p)) => (Some(p), Some(MetadataSource::Device)),
        (None, None) => (None, None),
    };
    Ok(IngestedPhoto {
        sha256: Sha256::digest(original),
        bytes: u64::try_from(original.len()).unwrap_or(u64::MAX),
        mime,
        extension,
        width,
        height,
        orientation: facts.orientation,
        taken_at,
        time_source,
        position,
        position_source,
        thumbnail_width: thumb.width(),
        thumbnail_height: thumb.height(),
        thumbnail,
        damaged,
    })
}

fn decode(bytes: &[u8], format: ImageFormat) -> Result<DynamicImage, PhotoError> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    reader.limits(limits);
    reader.decode().map_err(|e| match e {
        image::ImageError::Limits(l) => PhotoError::TooManyPixels(l.to_string()),
        image::ImageError::Unsupported(u) => PhotoError::Unreadable(u.to_string()),
        other => PhotoError::Unreadable(other.to_string()),
    })
}

/// Decodes a JPEG in zune-jpeg's strict mode, which refuses what its default mode (and so
/// `image`) papers over: an invalid Huffman code or an unknown marker inside the scan, i.e. a
/// stretch of overwritten data. The inner `Err` says why; the outer one is an image too large
/// for the device, refused before any pixel is allocated.
fn strict_jpeg(bytes: &[u8]) -> Result<Result<DynamicImage, String>, PhotoError> {
    use zune_core::bytestream::ZCursor;
    use zune_core::colorspace::ColorSpace;
    use zune_core::options::DecoderOptions;
    let options = DecoderOptions::default()
        .set_strict_mode(true)
        .set_max_width(MAX_SIDE as usize)
        .set_max_height(MAX_SIDE as usize)
        .jpeg_set_out_colorspace(ColorSpace::RGB);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(bytes), options);
    // zune-jpeg's messages come quoted.
    let words = |e: zune_jpeg::errors::DecodeErrors| e.to_string().trim_matches('"').to_owned();
    if let Err(e) = decoder.decode_headers() {
        return Ok(Err(words(e)));
    }
    let Some((w, h)) = decoder.dimensions() else {
        return Ok(Err("no frame header".into()));
    };
    if (w as u64) * (h as u64) * 3 > MAX_DECODE_ALLOC {
        return Err(PhotoError::TooManyPixels(format!(
            "{w}×{h} pixels need more than {} MiB",
            MAX_DECODE_ALLOC >> 20
        )));
    }
    let pixels = match decoder.decode() {
        Ok(p) => p,
        Err(e) => return Ok(Err(words(e))),
    };
    let (Ok(w), Ok(h)) = (u32::try_from(w), u32::try_from(h)) else {
        return Ok(Err("dimensions out of range".into()));
    };
    Ok(image::RgbImage::from_raw(w, h, pixels)
        .map(DynamicImage::ImageRgb8)
        .ok_or_else(|| "the decoder gave fewer pixels than the frame has".to_owned()))
}
/// Whether a JPEG's main image reaches its end-of-image marker.
///
/// The JPEG decoder fills a truncated scan with grey and succeeds, so a photo cut short by a
/// failed copy would be kept as evidence without this check. Written by hand because no
/// maintained crate answers "is this JPEG complete": walk the marker segments from SOI to the
/// first SOS (skipping APPn payloads, which may hold an EXIF thumbnail with markers of its own),
/// then look for EOI in what follows (entropy-coded data escapes 0xFF, so 0xFF 0xD9 there is a
/// marker).
fn jpeg_is_complete(bytes: &[u8]) -> bool {
    if bytes.get(..2) != Some(&[0xFF, 0xD8]) {
        return false;
    }
    let mut i = 2;
    loop {
        // Markers may be preceded by fill bytes 0xFF.
        while bytes.get(i) == Some(&0xFF) && bytes.get(i + 1) == Some(&0xFF) {
            i += 1;
        }
        let (Some(&0xFF), Some(&marker)) = (bytes.get(i), bytes.get(i + 1)) else {
            return false;
        };
        match marker {
            // Standalone markers without a length.
            0x01 | 0xD0..=0xD7 => i += 2,
            0xD9 => return false,
            _ => {
                let Some(len) = bytes
                    .get(i + 2..i + 4)
                    .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])))
                else {
                    return false;
                };
                let next = i + 2 + len;
                if marker == 0xDA {
                    return bytes
                        .get(next..)
                        .is_some_and(|rest| rest.windows(2).any(|w| w == [0xFF, 0xD9]));
                }
                i = next;
            }
        }
    }
}
