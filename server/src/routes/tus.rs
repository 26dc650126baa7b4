//! The tus 1.0 protocol's headers (https://tus.io/protocols/resumable-upload): the version check
//! every tus request goes through, and the `Upload-*` headers. The metadata format is a few lines,
//! so it is parsed here rather than with a tus crate (the Rust ones are whole servers or clients).

use std::collections::HashMap;

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::error::{ApiError, ApiResult};

pub(super) const VERSION: &str = "1.0.0";
/// Creation, and termination so that a device at its limit of unfinished uploads can drop one.
pub(super) const EXTENSIONS: &str = "creation,termination,expiration";
/// The media type of a PATCH body (tus 1.0 core).
pub(super) const OFFSET_OCTET_STREAM: &str = "application/offset+octet-stream";

/// The most of a refused body read (and discarded) so that its client sees the answer.
pub(super) const DRAIN_CAP: u64 = 8 << 20;

pub(super) const TUS_RESUMABLE: HeaderName = HeaderName::from_static("tus-resumable");
pub(super) const TUS_VERSION: HeaderName = HeaderName::from_static("tus-version");
pub(super) const TUS_EXTENSION: HeaderName = HeaderName::from_static("tus-extension");
pub(super) const TUS_MAX_SIZE: HeaderName = HeaderName::from_static("tus-max-size");
pub(super) const UPLOAD_OFFSET: HeaderName = HeaderName::from_static("upload-offset");
pub(super) const UPLOAD_EXPIRES: HeaderName = HeaderName::from_static("upload-expires");
pub(super) const UPLOAD_LENGTH: HeaderName = HeaderName::from_static("upload-length");
pub(super) const UPLOAD_METADATA: HeaderName = HeaderName::from_static("upload-metadata");
pub(super) const UPLOAD_DEFER_LENGTH: HeaderName = HeaderName::from_static("upload-defer-length");

/// Reads and discards, in the background, what is left of a refused request's body, up to
/// `cap` bytes and a few seconds, so that the client reads the answer instead of a connection
/// reset while it is still sending (hyper resets a connection closed with unread data). The
/// answer itself goes out at once. A client that asked `Expect: 100-continue` was told nothing
/// and sends nothing: then there is nothing to drain.
pub(super) fn drain_later<S, E>(headers: &HeaderMap, mut body: S, cap: u64)
where
    S: futures_util::Stream<Item = Result<bytes::Bytes, E>> + Unpin + Send + 'static,
{
    use futures_util::StreamExt as _;
    if headers.contains_key(axum::http::header::EXPECT) {
        return;
    }
    tokio::spawn(async move {
        let drain = async {
            let mut read = 0u64;
            while read < cap {
                match body.next().await {
                    Some(Ok(chunk)) => read += chunk.len() as u64,
                    _ => break,
                }
            }
        };
        let _ = tokio::time::timeout(std::time::Duration::from_secs(10), drain).await;
    });
}

/// Every tus response carries `Tus-Resumable`; a request other than OPTIONS that does not speak
/// version 1.0.0 gets 412 with the versions this server speaks (tus 1.0 core, "Tus-Resumable"),
/// before it is authenticated or its body is read.
pub(super) async fn protocol(req: Request, next: Next) -> Response {
    let speaks = req.method() == Method::OPTIONS
        || req
            .headers()
            .get(&TUS_RESUMABLE)
            .is_some_and(|v| v.as_bytes() == VERSION.as_bytes());
    let mut resp = if speaks {
        next.run(req).await
    } else {
        let headers = req.headers().clone();
        drain_later(&headers, req.into_body().into_data_stream(), DRAIN_CAP);
        let mut resp = ApiError::PreconditionFailed(format!(
            "this server speaks tus {VERSION}: send Tus-Resumable: {VERSION}"
        ))
        .into_response();
        resp.headers_mut()
            .insert(TUS_VERSION, HeaderValue::from_static(VERSION));
        resp
    };
    resp.headers_mut()
        .insert(TUS_RESUMABLE, HeaderValue::from_static(VERSION));
    resp
}

/// A header holding a non-negative integer (`Upload-Length`, `Upload-Offset`).
pub(super) fn number(headers: &HeaderMap, name: &HeaderName) -> ApiResult<Option<u64>> {
    let Some(v) = headers.get(name) else {
        return Ok(None);
    };
    v.to_str()
        .ok()
        .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|s| s.parse().ok())
        .map(Some)
        .ok_or_else(|| ApiError::BadRequest(format!("{name} must be a non-negative integer")))
}

/// `Upload-Metadata`: comma-separated pairs of a key and its base64 value (the value may be
/// absent). Keys are unique.
pub(super) fn metadata(headers: &HeaderMap) -> ApiResult<HashMap<String, Option<Vec<u8>>>> {
    let bad = |why: String| ApiError::BadRequest(format!("Upload-Metadata: {why}"));
    let Some(v) = headers.get(&UPLOAD_METADATA) else {
        return Ok(HashMap::new());
    };
    let text = v.to_str().map_err(|_| bad("not ASCII".into()))?.trim();
    let mut out = HashMap::new();
    for pair in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (key, value) = match pair.split_once(' ') {
            Some((k, v)) => (k, Some(v.trim())),
            None => (pair, None),
        };
        let value = match value {
            Some(v) => Some(
                STANDARD
                    .decode(v)
                    .map_err(|_| bad(format!("the value of {key:?} is not base64")))?,
            ),
            None => None,
        };
        if out.insert(key.to_owned(), value).is_some() {
            return Err(bad(format!("{key:?} is given twice")));
        }
    }
    Ok(out)
}

/// A metadata value as text.
pub(super) fn text(
    meta: &HashMap<String, Option<Vec<u8>>>,
    key: &str,
) -> ApiResult<Option<String>> {
    match meta.get(key) {
        None | Some(None) => Ok(None),
        Some(Some(bytes)) => String::from_utf8(bytes.clone()).map(Some).map_err(|_| {
            ApiError::BadRequest(format!(
                "Upload-Metadata: the value of {key:?} is not UTF-8"
            ))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(v: &str) -> ApiResult<HashMap<String, Option<Vec<u8>>>> {
        let mut h = HeaderMap::new();
        h.insert(UPLOAD_METADATA, HeaderValue::from_str(v).unwrap());
        metadata(&h)
    }

    #[test]
    fn metadata_pairs() {
        let m = parse(
            "filename d29ybGRfZG9taW5hdGlvbl9wbGFuLnBkZg==,is_confidential, mime aW1hZ2UvanBlZw==",
        )
        .unwrap();
        assert_eq!(
            text(&m, "filename").unwrap().unwrap(),
            "world_domination_plan.pdf"
        );
        assert_eq!(m["is_confidential"], None);
        assert_eq!(text(&m, "mime").unwrap().unwrap(), "image/jpeg");
        assert_eq!(text(&m, "sha256").unwrap(), None);
        assert!(parse("").unwrap().is_empty());
        assert!(parse("a !!!").is_err(), "not base64");
        assert!(parse("a YQ==,a Yg==").is_err(), "duplicate key");
        assert!(text(&parse("a /w==").unwrap(), "a").is_err(), "not UTF-8");
    }

    #[test]
    fn numbers() {
        let mut h = HeaderMap::new();
        assert_eq!(number(&h, &UPLOAD_LENGTH).unwrap(), None);
        for (v, ok) in [
            ("0", Some(0)),
            ("1048576", Some(1 << 20)),
            ("-1", None),
            ("+1", None),
            ("1.5", None),
            ("", None),
            ("99999999999999999999999", None),
        ] {
            h.insert(UPLOAD_LENGTH, HeaderValue::from_static(v));
            assert_eq!(number(&h, &UPLOAD_LENGTH).ok().flatten(), ok, "{v}");
        }
    }
}
