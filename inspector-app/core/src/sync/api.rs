//! The server's sync API over HTTP (DESIGN.md section 5): enrollment, pull, push and tus 1.0
//! photo uploads. Only transport lives here; what to send and what the answers mean for the
//! store is in [`super`].

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use knd_shared::PublicKey;
use knd_shared::note::NoteVerifier;
use reqwest::{Method, StatusCode, header};
use serde::Deserialize;
use serde_json::Value;

use super::SyncError;

const TUS: &str = "1.0.0";

/// What enrollment answered.
#[derive(Debug, Clone)]
pub struct Enrolled {
    pub device_id: knd_shared::DeviceId,
    pub token: String,
    pub server_key: PublicKey,
    pub log_origin: String,
}

#[derive(Debug, Deserialize)]
struct EnrollAnswer {
    device_id: String,
    token: String,
    server_key: String,
    log_origin: String,
}

/// One pull page as the server sends it (only what the device uses; the rest survives inside
/// the assignment bodies, kept as JSON).
#[derive(Debug, Deserialize)]
pub struct PullAnswer {
    pub cursor: String,
    pub more: bool,
    pub reset: bool,
    #[serde(default)]
    pub assignments: Vec<Value>,
    #[serde(default)]
    pub checklists: Vec<Value>,
    #[serde(default)]
    pub removed: Vec<Removed>,
    #[serde(default)]
    pub calendar: Vec<Value>,
    pub server_time: String,
}

#[derive(Debug, Deserialize)]
pub struct Removed {
    pub id: String,
    #[allow(dead_code)]
    pub reason: String,
}

/// The server's answer for one pushed record.
#[derive(Debug, Deserialize)]
pub struct PushItem {
    pub id: Option<String>,
    pub status: String,
    pub reason: Option<String>,
    pub detail: Option<String>,
    pub receipt: Option<Box<serde_json::value::RawValue>>,
}

#[derive(Debug, Deserialize)]
struct PushAnswer {
    results: Vec<PushItem>,
}

/// Where a tus upload stands on the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadStart {
    /// The server has the blob already: nothing to send.
    Stored,
    /// Send bytes to `location` from `offset`.
    At { location: String, offset: u64 },
}

/// An HTTP client for one server, with the device's token once enrolled.
#[derive(Debug, Clone)]
pub struct Api {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

/// The message of a problem+json answer, or the status line.
async fn problem(resp: reqwest::Response) -> SyncError {
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    let detail = serde_json::from_str::<Value>(&text)
        .ok()
        .and_then(|v| {
            v.get("detail")
                .or_else(|| v.get("title"))
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .unwrap_or_else(|| text.chars().take(200).collect());
    SyncError::Server {
        status: status.as_u16(),
        message: detail,
    }
}

fn network(e: reqwest::Error) -> SyncError {
    SyncError::Network(e.to_string())
}

impl Api {
    /// A client for `base` (e.g. `http://10.0.0.5:8080`). Timeouts are short enough for a
    /// basement with one bar of signal to fail fast and retry, long enough for a slow link.
    pub fn new(base: &str, token: Option<String>) -> Result<Self, SyncError> {
        let base = base.trim().trim_end_matches('/').to_owned();
        let parsed = reqwest::Url::parse(&base)
            .map_err(|e| SyncError::BadServerUrl(format!("{base}: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
            return Err(SyncError::BadServerUrl(base));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(120))
            .user_agent(concat!("knd-inspector/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(network)?;
        Ok(Self { http, base, token })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let url = if path.starts_with("http://") || path.starts_with("https://") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        };
        let rb = self.http.request(method, url);
        match &self.token {
            Some(t) => rb.bearer_auth(t),
            None => rb,
        }
    }

    /// Is the server there? (`/healthz`, quick.)
    pub async fn reachable(&self) -> bool {
        self.request(Method::GET, "/healthz")
            .timeout(Duration::from_secs(5))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
    }

    /// `POST /api/v1/devices/enroll`.
    pub async fn enroll(
        &self,
        code: &str,
        public_key: &PublicKey,
        name: &str,
    ) -> Result<Enrolled, SyncError> {
        let resp = self
            .request(Method::POST, "/api/v1/devices/enroll")
            .json(
                &serde_json::json!({"code": code, "public_key": public_key.to_hex(), "name": name}),
            )
            .send()
            .await
            .map_err(network)?;
        if !resp.status().is_success() {
            return Err(problem(resp).await);
        }
        let a: EnrollAnswer = resp.json().await.map_err(protocol)?;
        let server_key = NoteVerifier::parse(&a.server_key)
            .map_err(|e| SyncError::Protocol(format!("server key: {e}")))?
            .public_key()
            .to_owned();
        Ok(Enrolled {
            device_id: knd_shared::DeviceId::parse(&a.device_id)
                .map_err(|e| SyncError::Protocol(format!("device id: {e}")))?,
            token: a.token,
            server_key,
            log_origin: a.log_origin,
        })
    }

    /// `GET /api/v1/sync/pull`.
    pub async fn pull(&self, cursor: Option<&str>) -> Result<PullAnswer, SyncError> {
        let mut url = reqwest::Url::parse(&format!("{}/api/v1/sync/pull", self.base))
            .map_err(|e| SyncError::BadServerUrl(e.to_string()))?;
        if let Some(c) = cursor {
            url.query_pairs_mut().append_pair("cursor", c);
        }
        let resp = self
            .request(Method::GET, url.as_str())
            .send()
            .await
            .map_err(network)?;
        if !resp.status().is_success() {
            return Err(problem(resp).await);
        }
        resp.json().await.map_err(protocol)
    }

    /// `POST /api/v1/sync/push` with the records exactly as signed.
    pub async fn push(&self, records: &[&[u8]]) -> Result<Vec<PushItem>, SyncError> {
        let mut body = b"{\"records\":[".to_vec();
        for (i, r) in records.iter().enumerate() {
            if i > 0 {
                body.push(b',');
            }
            body.extend_from_slice(r);
        }
        body.extend_from_slice(b"]}");
        let resp = self
            .request(Method::POST, "/api/v1/sync/push")
            .header(header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .map_err(network)?;
        if !resp.status().is_success() {
            return Err(problem(resp).await);
        }
        let a: PushAnswer = resp.json().await.map_err(protocol)?;
        if a.results.len() != records.len() {
            return Err(SyncError::Protocol(format!(
                "{} answers for {} records",
                a.results.len(),
                records.len()
            )));
        }
        Ok(a.results)
    }

    /// tus creation: declares the size and SHA-256. A blob the server holds already answers
    /// 200 and is not sent again.
    pub async fn create_upload(
        &self,
        sha256: &str,
        mime: &str,
        length: u64,
    ) -> Result<UploadStart, SyncError> {
        let metadata = format!(
            "sha256 {},mime {}",
            STANDARD.encode(sha256),
            STANDARD.encode(mime)
        );
        let resp = self
            .request(Method::POST, "/api/v1/uploads")
            .header("tus-resumable", TUS)
            .header("upload-length", length.to_string())
            .header("upload-metadata", metadata)
            .send()
            .await
            .map_err(network)?;
        match resp.status() {
            StatusCode::OK => Ok(UploadStart::Stored),
            StatusCode::CREATED => {
                let location = resp
                    .headers()
                    .get(header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .ok_or_else(|| SyncError::Protocol("upload without Location".into()))?
                    .to_owned();
                Ok(UploadStart::At {
                    location,
                    offset: 0,
                })
            }
            _ => Err(problem(resp).await),
        }
    }

    /// tus `HEAD`: the upload's offset, or `None` when the server no longer has it (expired,
    /// or finished and turned into a blob).
    pub async fn upload_offset(&self, location: &str) -> Result<Option<u64>, SyncError> {
        let resp = self
            .request(Method::HEAD, location)
            .header("tus-resumable", TUS)
            .send()
            .await
            .map_err(network)?;
        match resp.status() {
            s if s.is_success() => Ok(Some(offset_header(&resp)?)),
            StatusCode::NOT_FOUND | StatusCode::GONE => Ok(None),
            _ => Err(problem(resp).await),
        }
    }

    /// tus `PATCH`: sends `bytes` at `offset`; the new offset.
    pub async fn patch_upload(
        &self,
        location: &str,
        offset: u64,
        bytes: Vec<u8>,
    ) -> Result<u64, SyncError> {
        let resp = self
            .request(Method::PATCH, location)
            .header("tus-resumable", TUS)
            .header("upload-offset", offset.to_string())
            .header(header::CONTENT_TYPE, "application/offset+octet-stream")
            .body(bytes)
            .send()
            .await
            .map_err(network)?;
        if resp.status().is_success() {
            offset_header(&resp)
        } else {
            Err(problem(resp).await)
        }
    }
}

fn offset_header(resp: &reqwest::Response) -> Result<u64, SyncError> {
    resp.headers()
        .get("upload-offset")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| SyncError::Protocol("answer without Upload-Offset".into()))
}

fn protocol(e: reqwest::Error) -> SyncError {
    if e.is_decode() {
        SyncError::Protocol(e.to_string())
    } else {
        SyncError::Network(e.to_string())
    }
}
