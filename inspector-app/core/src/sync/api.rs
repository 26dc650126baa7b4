//! The server's sync API over HTTP (DESIGN.md section 5): enrollment, pull, push and tus 1.0
//! photo uploads. Only transport lives here; what to send and what the answers mean for the
//! store is in [`super`].

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use knd_shared::PublicKey;
use knd_shared::note::NoteVerifier;
use knd_shared::record::Timestamp;
use reqwest::{Method, StatusCode, header};
use serde::Deserialize;
use serde_json::Value;

use super::{EnrollRefusal, SyncError};

const TUS: &str = "1.0.0";
/// Records signed on the device and not yet receipted (the agency's console shows them).
const PENDING_HEADER: &str = "x-knd-pending";
/// The device's clock at the call, RFC 3339 (the console shows its skew from the server's).
const DEVICE_TIME_HEADER: &str = "x-knd-device-time";

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
    /// Objections to warnings this device's inspector issued, as they stand.
    #[serde(default)]
    pub warnings: Vec<Value>,
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

/// The path of enrollment: a server that answers 404 here is not a KND server.
const ENROLL_PATH: &str = "/api/v1/devices/enroll";

/// The problem types (RFC 9457 `type`) a KND server answers with all start with this.
const KND_PROBLEM: &str = "urn:knd:problem:";

/// What a refusal means, from its status and body. A KND server answers problem+json with a
/// `urn:knd:problem:` type; anything else at 4xx (a web page, another API's error) means the
/// address is not a KND server, or something (a Wi-Fi login page, a proxy) stands in between.
async fn problem(resp: reqwest::Response) -> SyncError {
    let status = resp.status();
    let retry_after = resp
        .headers()
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok());
    let text = match resp.text().await {
        Ok(text) => text,
        Err(e) => return transport(e),
    };
    refusal(status, retry_after, &text)
}

/// [`problem`] on the answer as read (a pure function, for the tests).
fn refusal(status: StatusCode, retry_after: Option<u64>, body: &str) -> SyncError {
    if status.is_server_error() {
        return SyncError::ServerFailed {
            status: status.as_u16(),
        };
    }
    let doc = serde_json::from_str::<Value>(body).ok();
    let problem = doc
        .as_ref()
        .and_then(|v| v.get("type"))
        .and_then(Value::as_str)
        .and_then(|t| t.strip_prefix(KND_PROBLEM))
        .map(|t| t.trim_start_matches(':').to_owned());
    let Some(problem) = problem else {
        return SyncError::NotKndServer {
            seen: format!("{status}: {}", excerpt(body)),
        };
    };
    let detail = doc
        .as_ref()
        .and_then(|v| v.get("detail").or_else(|| v.get("title")))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    match status {
        StatusCode::UNAUTHORIZED => SyncError::DeviceRefused,
        StatusCode::TOO_MANY_REQUESTS => SyncError::TooManyAttempts { retry_after },
        _ => SyncError::Server {
            status: status.as_u16(),
            problem,
            message: detail,
        },
    }
}

/// An enrollment refusal: the server's 403 names the code's problem by its type
/// (`enrollment-code-unknown`, `-used`, `-expired`; `server/src/error.rs`). Servers before the
/// types said it only in `detail` ("unknown enrollment code", "enrollment code already used",
/// "enrollment code expired"), which is still understood. A 404 or 405 on the enrollment path
/// is not a KND server.
fn enroll_refusal(e: SyncError) -> SyncError {
    match e {
        SyncError::Server {
            status: 403,
            problem,
            message,
        } => {
            let m = message.to_lowercase();
            let refusal = match problem.as_str() {
                "enrollment-code-used" => EnrollRefusal::Used,
                "enrollment-code-expired" => EnrollRefusal::Expired,
                "enrollment-code-unknown" => EnrollRefusal::Unknown,
                _ if m.contains("already used") => EnrollRefusal::Used,
                _ if m.contains("expired") => EnrollRefusal::Expired,
                _ if m.contains("unknown") => EnrollRefusal::Unknown,
                _ => {
                    return SyncError::Server {
                        status: 403,
                        problem,
                        message,
                    };
                }
            };
            SyncError::Enrollment(refusal)
        }
        SyncError::Server {
            status: 404 | 405,
            message,
            ..
        } => SyncError::NotKndServer {
            seen: format!("no enrollment endpoint: {message}"),
        },
        other => other,
    }
}

/// A transport failure, by what went wrong rather than the library's words.
fn transport(e: reqwest::Error) -> SyncError {
    if e.is_timeout() {
        SyncError::Timeout
    } else if e.is_connect() {
        SyncError::Unreachable {
            cause: e.to_string(),
        }
    } else if e.is_builder() {
        SyncError::BadServerUrl(e.to_string())
    } else {
        SyncError::Network {
            cause: e.to_string(),
        }
    }
}

/// The start of an answer, for a developer's log.
fn excerpt(body: &str) -> String {
    body.chars()
        .take(120)
        .collect::<String>()
        .replace('\n', " ")
}

/// A successful answer's JSON body as `T`. Not JSON at all (a web page) is not a KND server;
/// JSON of another shape is a KND server this app does not understand.
async fn answer<T: serde::de::DeserializeOwned>(resp: reqwest::Response) -> Result<T, SyncError> {
    let text = resp.text().await.map_err(transport)?;
    let value = serde_json::from_str::<Value>(&text).map_err(|_| SyncError::NotKndServer {
        seen: excerpt(&text),
    })?;
    serde_json::from_value(value).map_err(|e| SyncError::Protocol(e.to_string()))
}

impl Api {
    /// A client for `base` (e.g. `http://10.0.0.5:8080`). Timeouts are short enough for a
    /// basement with one bar of signal to fail fast and retry, long enough for a slow link.
    pub fn new(base: &str, token: Option<String>) -> Result<Self, SyncError> {
        Self::with_timeouts(
            base,
            token,
            Duration::from_secs(10),
            Duration::from_secs(120),
        )
    }

    fn with_timeouts(
        base: &str,
        token: Option<String>,
        connect: Duration,
        total: Duration,
    ) -> Result<Self, SyncError> {
        let base = base.trim().trim_end_matches('/').to_owned();
        let parsed = reqwest::Url::parse(&base)
            .map_err(|e| SyncError::BadServerUrl(format!("{base}: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
            return Err(SyncError::BadServerUrl(base));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(connect)
            .timeout(total)
            .user_agent(concat!("knd-inspector/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(transport)?;
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

    /// `POST /api/v1/devices/enroll`. A refused code says why ([`EnrollRefusal`]); an answer
    /// that is not a KND server's (no endpoint, a web page, JSON of another shape, a server key
    /// that does not parse) is [`SyncError::NotKndServer`].
    pub async fn enroll(
        &self,
        code: &str,
        public_key: &PublicKey,
        name: &str,
    ) -> Result<Enrolled, SyncError> {
        let resp = self
            .request(Method::POST, ENROLL_PATH)
            .json(
                &serde_json::json!({"code": code, "public_key": public_key.to_hex(), "name": name}),
            )
            .send()
            .await
            .map_err(transport)?;
        if !resp.status().is_success() {
            return Err(enroll_refusal(problem(resp).await));
        }
        let not_knd = |what: &str, e: &dyn std::fmt::Display| SyncError::NotKndServer {
            seen: format!("enrollment answer: {what}: {e}"),
        };
        let a: EnrollAnswer = answer(resp).await.map_err(|e| match e {
            SyncError::Protocol(m) => not_knd("shape", &m),
            other => other,
        })?;
        let server_key = NoteVerifier::parse(&a.server_key)
            .map_err(|e| not_knd("server key", &e))?
            .public_key()
            .to_owned();
        Ok(Enrolled {
            device_id: knd_shared::DeviceId::parse(&a.device_id)
                .map_err(|e| not_knd("device id", &e))?,
            token: a.token,
            server_key,
            log_origin: a.log_origin,
        })
    }

    /// What the device tells the server about itself on a sync call, for the agency's console:
    /// its unsent records (`pending`) and its clock now.
    fn said(rb: reqwest::RequestBuilder, pending: u64) -> reqwest::RequestBuilder {
        rb.header(PENDING_HEADER, pending.to_string())
            .header(DEVICE_TIME_HEADER, Timestamp::now().to_string())
    }

    /// `GET /api/v1/sync/pull`, saying how many records wait to be sent.
    pub async fn pull(&self, cursor: Option<&str>, pending: u64) -> Result<PullAnswer, SyncError> {
        let mut url = reqwest::Url::parse(&format!("{}/api/v1/sync/pull", self.base))
            .map_err(|e| SyncError::BadServerUrl(e.to_string()))?;
        if let Some(c) = cursor {
            url.query_pairs_mut().append_pair("cursor", c);
        }
        let resp = Self::said(self.request(Method::GET, url.as_str()), pending)
            .send()
            .await
            .map_err(transport)?;
        if !resp.status().is_success() {
            return Err(problem(resp).await);
        }
        answer(resp).await
    }

    /// `POST /api/v1/sync/push` with the records exactly as signed; `pending` counts the
    /// records not yet receipted, this batch included.
    pub async fn push(&self, records: &[&[u8]], pending: u64) -> Result<Vec<PushItem>, SyncError> {
        let mut body = b"{\"records\":[".to_vec();
        for (i, r) in records.iter().enumerate() {
            if i > 0 {
                body.push(b',');
            }
            body.extend_from_slice(r);
        }
        body.extend_from_slice(b"]}");
        let resp = Self::said(self.request(Method::POST, "/api/v1/sync/push"), pending)
            .header(header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .map_err(transport)?;
        if !resp.status().is_success() {
            return Err(problem(resp).await);
        }
        let a: PushAnswer = answer(resp).await?;
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
            .map_err(transport)?;
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
            .map_err(transport)?;
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
            .map_err(transport)?;
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

#[cfg(test)]
#[path = "api_tests.rs"]
mod tests;
