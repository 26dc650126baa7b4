//! Thumbnails of an inspection's photos for the console, made on the server from the blob and
//! kept under `DATA_DIR/thumbs/<sha256>.jpg`: generated once, then read from disk. A thumbnail
//! shows the photo as the inspector saw it (its EXIF orientation applied), at most
//! [`MAX_SIDE`] pixels on its longer side.

use std::io::Cursor;
use std::path::PathBuf;

use futures_util::TryStreamExt as _;
use image::{DynamicImage, ImageDecoder as _, ImageReader, Limits};
use knd_shared::{InspectionId, Sha256};

use crate::error::{ApiError, ApiResult};
use crate::model::User;
use crate::services::{blobs, inspection_reads};
use crate::state::AppState;

/// The longer side of a thumbnail, in pixels (a grid of them reads at a desk; twice the
/// displayed size keeps them sharp on a dense screen).
pub const MAX_SIDE: u32 = 320;
/// JPEG quality of thumbnails.
const QUALITY: u8 = 80;
/// The largest picture decoded, per side: a photo from a phone is far below it; a crafted file
/// claiming more is refused before memory is taken for it.
const MAX_DECODED_SIDE: u32 = 16_384;

/// The thumbnail (JPEG bytes) of a photo of an inspection the user may see. 404 when the
/// inspection is not theirs to see, when no photo record of it names `sha256`, or when the blob
/// is not (yet) uploaded.
pub async fn thumbnail(
    state: &AppState,
    user: &User,
    inspection: InspectionId,
    sha256: &Sha256,
) -> ApiResult<Vec<u8>> {
    let insp = inspection_reads::get(state, user, inspection).await?;
    let field = state.store.field_data(insp.id).await?;
    if !field.photos.iter().any(|p| &p.sha256 == sha256) {
        return Err(ApiError::NotFound);
    }
    let blob = blobs::visible(state, insp.agency, sha256).await?;
    let path = cache_path(state, sha256);
    if let Ok(bytes) = tokio::fs::read(&path).await {
        return Ok(bytes);
    }
    let original: Vec<u8> = blobs::bytes(state, &blob)
        .await?
        .try_fold(Vec::with_capacity(blob.size as usize), |mut acc, chunk| {
            acc.extend_from_slice(&chunk);
            futures_util::future::ready(Ok(acc))
        })
        .await
        .map_err(|e| ApiError::Internal(format!("blob {sha256}: {e}")))?;
    let thumb = tokio::task::spawn_blocking(move || make(&original))
        .await
        .map_err(|e| ApiError::Internal(format!("thumbnail task: {e}")))?
        .map_err(|e| {
            ApiError::Unprocessable(format!(
                "фотографию не удалось прочитать ({e}) / the photo cannot be decoded ({e})"
            ))
        })?;
    store(&path, &thumb).await;
    Ok(thumb)
}

fn cache_path(state: &AppState, sha256: &Sha256) -> PathBuf {
    state
        .config
        .data_dir
        .join("thumbs")
        .join(format!("{}.jpg", sha256.to_hex()))
}

/// Writes the thumbnail beside its final name, then renames it (two requests making the same
/// thumbnail at once each write a whole file; a reader never sees half of one). A failure to
/// cache is logged, not shown: the page still gets its thumbnail.
async fn store(path: &std::path::Path, bytes: &[u8]) {
    let tmp = path.with_extension(format!("{}.tmp", uuid::Uuid::new_v4().simple()));
    let result = async {
        if let Some(dir) = path.parent() {
            tokio::fs::create_dir_all(dir).await?;
        }
        tokio::fs::write(&tmp, bytes).await?;
        tokio::fs::rename(&tmp, path).await
    }
    .await;
    if let Err(e) = result {
        let _ = tokio::fs::remove_file(&tmp).await;
        tracing::warn!(path = %path.display(), error = %e, "a thumbnail could not be cached");
    }
}

/// Decodes a photo, turns it as its EXIF orientation says, and encodes a JPEG thumbnail.
pub fn make(original: &[u8]) -> Result<Vec<u8>, image::ImageError> {
    let mut reader = ImageReader::new(Cursor::new(original)).with_guessed_format()?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DECODED_SIDE);
    limits.max_image_height = Some(MAX_DECODED_SIDE);
    reader.limits(limits);
    let mut decoder = reader.into_decoder()?;
    let orientation = decoder.orientation()?;
    let mut img = DynamicImage::from_decoder(decoder)?;
    img.apply_orientation(orientation);
    let small = img.thumbnail(MAX_SIDE, MAX_SIDE).into_rgb8();
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, QUALITY).encode_image(&small)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thumbnail_keeps_the_aspect_and_fits_the_box() {
        let img = image::RgbImage::from_pixel(1200, 600, image::Rgb([200, 30, 30]));
        let mut png = Vec::new();
        img.write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        let thumb = make(&png).unwrap();
        let back = image::load_from_memory(&thumb).unwrap();
        assert_eq!((back.width(), back.height()), (MAX_SIDE, MAX_SIDE / 2));
        assert!(make(b"not a picture").is_err());
    }
}
