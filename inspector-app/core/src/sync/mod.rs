//! The sync client (DESIGN.md section 5): pull what the inspector needs offline, push the
//! outbox in batches and keep the verified receipts, upload photos resumably over tus.
//!
//! Every step is safe to repeat and to cut at any point: the store is changed only in its own
//! transactions after the server answered, a pushed record stays in the outbox until its
//! receipt is verified (re-sending gets the original receipt back as `duplicate`), and an
//! upload's location is saved so that the next attempt asks the server for its offset and
//! continues. The store lock is never held across a network call.

pub mod api;
mod backoff;
#[cfg(test)]
pub(crate) mod test_server;
mod uploads;

use std::sync::Mutex;

use knd_shared::record::Timestamp;
use knd_shared::{InspectionId, RecordId};
use serde_json::Value;

pub use api::{Api, Enrolled};
pub use backoff::Backoff;

use crate::store::{PulledPage, Store, StoreError};

/// Why a sync attempt (or an enrollment) stopped. Messages are Russian first, then English, and
/// say what happened in words: the HTTP library's own text ("error sending request for url …")
/// is kept only in `cause`, for a developer's log. The app turns each variant into an error kind
/// the UI translates (`app::ErrorKind`).
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// No connection at all: the name does not resolve, nothing listens on the port, TLS fails.
    #[error(
        "сервер недоступен: проверьте адрес сервера и подключение к сети / the server cannot be reached: check the server address and the network connection"
    )]
    Unreachable { cause: String },
    /// Connected (or trying to), but no answer in time.
    #[error("сервер не ответил вовремя / the server did not answer in time")]
    Timeout,
    /// The connection broke off in the middle of an exchange.
    #[error("связь с сервером прервалась / the connection to the server broke off")]
    Network { cause: String },
    /// Something answers at the address, but not as a KND server does: a web page, JSON of
    /// another shape, 404 on the API's path (a wrong address, or a Wi-Fi login page).
    #[error("по этому адресу отвечает не сервер КНД / the address does not answer as a KND server")]
    NotKndServer { seen: String },
    /// A KND server refused the request, with its reason (problem+json `detail`) and the
    /// problem type's name after `urn:knd:problem:` (what the app decides by, never the words).
    #[error("{}", refused(*status, message))]
    Server {
        status: u16,
        problem: String,
        message: String,
    },
    /// The server failed (5xx): worth retrying later.
    #[error("ошибка на сервере ({status}) / the server failed ({status})")]
    ServerFailed { status: u16 },
    /// 401 on sync: the server no longer knows this device's token (revoked or replaced).
    #[error(
        "сервер не принимает это устройство: регистрация отозвана или заменена / the server no longer accepts this device: its enrollment was revoked or replaced"
    )]
    DeviceRefused,
    /// 429: too many attempts from this address (enrollment codes are throttled like passwords).
    #[error("{}", too_many(*retry_after))]
    TooManyAttempts { retry_after: Option<u64> },
    /// The server refused the one-time enrollment code.
    #[error("{0}")]
    Enrollment(EnrollRefusal),
    #[error("неверный адрес сервера / invalid server address: {0}")]
    BadServerUrl(String),
    /// A KND server answered something this app does not understand (another version?).
    #[error("непонятный ответ сервера / unexpected answer from the server: {0}")]
    Protocol(String),
    #[error(
        "сервер отклонил запись {seq} ({reason}) / the server rejected record {seq} ({reason}): {detail}"
    )]
    Rejected {
        seq: u64,
        reason: String,
        detail: String,
    },
    #[error("устройство не зарегистрировано / the device is not enrolled")]
    NotEnrolled,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why the server refused an enrollment code (its 403 `detail`, see the server's
/// `services/enrollment.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EnrollRefusal {
    #[error("неверный код подключения / the enrollment code is not valid")]
    Unknown,
    #[error("код подключения уже использован / the enrollment code has already been used")]
    Used,
    #[error("срок действия кода подключения истёк / the enrollment code has expired")]
    Expired,
}

/// "Сервер отказал: … / The server refused: …", each half with the matching half of a bilingual
/// reason ("Русский / English"), or the whole reason in both.
fn refused(status: u16, reason: &str) -> String {
    let (ru, en) = reason.split_once(" / ").unwrap_or((reason, reason));
    if reason.trim().is_empty() {
        return format!("сервер отказал ({status}) / the server refused ({status})");
    }
    format!("сервер отказал ({status}): {ru} / the server refused ({status}): {en}")
}

fn too_many(retry_after: Option<u64>) -> String {
    match retry_after {
        Some(s) => format!(
            "слишком много попыток, повторите через {s} с / too many attempts, try again in {s} s"
        ),
        None => {
            "слишком много попыток, повторите позже / too many attempts, try again later".into()
        }
    }
}

impl SyncError {
    /// A transient failure worth retrying with backoff (as opposed to one a person must fix).
    pub fn is_transient(&self) -> bool {
        match self {
            SyncError::Unreachable { .. }
            | SyncError::Timeout
            | SyncError::Network { .. }
            | SyncError::ServerFailed { .. }
            | SyncError::TooManyAttempts { .. } => true,
            SyncError::Server { status, .. } => *status >= 500,
            _ => false,
        }
    }

    /// The server could not be reached at all (the device is offline, as far as it knows).
    pub fn is_offline(&self) -> bool {
        matches!(
            self,
            SyncError::Unreachable { .. } | SyncError::Timeout | SyncError::Network { .. }
        )
    }
}

/// Batch sizes. The server takes at most 1,000 records and 32 MiB per push; a tus PATCH may
/// be any size, but a small one loses little when the connection drops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncConfig {
    pub batch_records: usize,
    pub batch_bytes: usize,
    pub chunk_bytes: usize,
}

impl Default for SyncConfig {
    fn default() -> Self {
        Self {
            batch_records: 500,
            batch_bytes: 8 * 1024 * 1024,
            chunk_bytes: 1024 * 1024,
        }
    }
}

/// What one sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub pages: u32,
    pub assignments: u32,
    pub accepted: u64,
    pub duplicates: u64,
    pub photos_uploaded: u32,
    pub clock_skew_ms: Option<i64>,
}

fn lock(store: &Mutex<Store>) -> std::sync::MutexGuard<'_, Store> {
    // A panic while holding the lock cannot leave SQLite half-written (transactions roll
    // back), so the store stays usable.
    store
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The client for the store's enrolled server, with its token.
pub fn api_for(store: &Mutex<Store>) -> Result<Api, SyncError> {
    let s = lock(store);
    let profile = s.profile().ok_or(SyncError::NotEnrolled)?;
    let token = s.device_token()?.ok_or(SyncError::NotEnrolled)?;
    Api::new(&profile.server_url, Some(token))
}

/// One full sync: pull, push, upload. The outcome (time or error message) is written to the
/// store for the sync screen.
pub async fn sync_once(store: &Mutex<Store>, config: &SyncConfig) -> Result<SyncReport, SyncError> {
    sync_recorded(store, config, ToString::to_string).await
}

/// [`sync_once`], with the error written to the store as `describe` renders it (the app keeps
/// the error's kind with its message, for the UI to translate).
pub async fn sync_recorded(
    store: &Mutex<Store>,
    config: &SyncConfig,
    describe: impl FnOnce(&SyncError) -> String,
) -> Result<SyncReport, SyncError> {
    let result = run(store, config).await;
    let error = result.as_ref().err().map(describe);
    lock(store).finish_sync(None, error.as_deref())?;
    result
}

async fn run(store: &Mutex<Store>, config: &SyncConfig) -> Result<SyncReport, SyncError> {
    let api = api_for(store)?;
    let mut report = SyncReport::default();
    pull(store, &api, &mut report).await?;
    push(store, &api, config, &mut report).await?;
    report.photos_uploaded = uploads::upload_all(store, &api, config).await?;
    Ok(report)
}

/// Server time minus device time, from a page's `server_time` and the request's midpoint.
fn skew_ms(server_time: &str, sent: Timestamp, received: Timestamp) -> Option<i64> {
    let server =
        time::OffsetDateTime::parse(server_time, &time::format_description::well_known::Rfc3339)
            .ok()?;
    let sent = sent.as_datetime();
    let received = received.as_datetime();
    let mid = sent + (received - sent) / 2;
    let skew: time::Duration = server - mid;
    i64::try_from(skew.whole_milliseconds()).ok()
}

fn page_of(answer: &api::PullAnswer) -> Result<(PulledPage, Vec<InspectionId>), SyncError> {
    let bad = |what: &str, e: &dyn std::fmt::Display| SyncError::Protocol(format!("{what}: {e}"));
    let mut page = PulledPage::default();
    let mut ids = Vec::new();
    for a in &answer.assignments {
        let id = a
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| SyncError::Protocol("an assignment without id".into()))?;
        let id = InspectionId::parse(id).map_err(|e| bad("assignment id", &e))?;
        ids.push(id);
        page.assignments.push((id, a.clone()));
    }
    for c in &answer.checklists {
        let (Some(ct), Some(code)) = (
            c.get("control_type").and_then(Value::as_str),
            c.get("code").and_then(Value::as_str),
        ) else {
            return Err(SyncError::Protocol(
                "a checklist without control_type or code".into(),
            ));
        };
        page.checklists.push((checklist_key(ct, code), c.clone()));
    }
    for r in &answer.removed {
        page.removed
            .push(InspectionId::parse(&r.id).map_err(|e| bad("removed id", &e))?);
    }
    for y in &answer.calendar {
        let year = y
            .get("year")
            .and_then(Value::as_i64)
            .and_then(|y| i32::try_from(y).ok())
            .ok_or_else(|| SyncError::Protocol("a calendar year without year".into()))?;
        page.calendar.push((year, y.to_string()));
    }
    for w in &answer.warnings {
        let warning = w
            .get("warning")
            .and_then(Value::as_str)
            .ok_or_else(|| SyncError::Protocol("an objection without its warning".into()))?;
        let id = knd_shared::RecordId::parse(warning).map_err(|e| bad("warning id", &e))?;
        page.warnings.push((id.to_string(), w.to_string()));
    }
    Ok((page, ids))
}

/// How a pulled checklist is stored: a control type's checklist codes are its own.
pub fn checklist_key(control_type: &str, code: &str) -> String {
    format!("{control_type}/{code}")
}

async fn pull(store: &Mutex<Store>, api: &Api, report: &mut SyncReport) -> Result<(), SyncError> {
    let mut cursor = lock(store).sync_state()?.pull_cursor;
    // Inside a snapshot (a page with `reset`), what was sent since it began: the rest is
    // dropped when the pull has caught up. The cursor is saved only then, so a pull cut in the
    // middle of a snapshot starts it again rather than drop assignments it has not seen yet.
    let mut snapshot: Option<Vec<InspectionId>> = None;
    loop {
        let sent = Timestamp::now();
        let pending = lock(store).pending_count()?;
        let answer = api.pull(cursor.as_deref(), pending).await?;
        let skew = skew_ms(&answer.server_time, sent, Timestamp::now());
        let (page, ids) = page_of(&answer)?;
        if answer.reset {
            snapshot = Some(Vec::new());
        }
        if let Some(seen) = snapshot.as_mut() {
            seen.extend(ids.iter().copied());
        }
        let ends = (!answer.more).then_some(()).and(snapshot.as_deref());
        {
            let mut s = lock(store);
            s.apply_pull_page(&page, ends)?;
            s.note_contact(skew)?;
            if snapshot.is_none() || !answer.more {
                s.set_pull_cursor(&answer.cursor)?;
            }
        }
        report.pages += 1;
        report.assignments += u32::try_from(page.assignments.len()).unwrap_or(u32::MAX);
        report.clock_skew_ms = skew.or(report.clock_skew_ms);
        cursor = Some(answer.cursor);
        if !answer.more {
            return Ok(());
        }
    }
}

async fn push(
    store: &Mutex<Store>,
    api: &Api,
    config: &SyncConfig,
    report: &mut SyncReport,
) -> Result<(), SyncError> {
    let server_key = lock(store)
        .profile()
        .ok_or(SyncError::NotEnrolled)?
        .server_public_key;
    loop {
        let batch = {
            let mut s = lock(store);
            let mut batch = s.outbox(config.batch_records)?;
            let mut size = 0;
            let keep = batch
                .iter()
                .take_while(|r| {
                    size += r.bytes.len();
                    size <= config.batch_bytes
                })
                .count()
                .max(1);
            batch.truncate(keep);
            let ids: Vec<RecordId> = batch.iter().map(|r| r.id).collect();
            s.mark_sent(&ids)?;
            (s.pending_count()?, batch)
        };
        let (pending, batch) = batch;
        if batch.is_empty() {
            return Ok(());
        }
        let bytes: Vec<&[u8]> = batch.iter().map(|r| r.bytes.as_slice()).collect();
        let results = api.push(&bytes, pending).await?;
        let mut rejected = Vec::new();
        let mut receipts: Vec<(RecordId, Box<serde_json::value::RawValue>)> = Vec::new();
        for (record, result) in batch.iter().zip(results) {
            if result
                .id
                .as_deref()
                .is_some_and(|id| id != record.id.to_string())
            {
                return Err(SyncError::Protocol(format!(
                    "answer for {:?} in the place of {}",
                    result.id, record.id
                )));
            }
            match (result.status.as_str(), result.receipt) {
                ("accepted" | "duplicate", Some(receipt)) => {
                    if result.status == "accepted" {
                        report.accepted += 1;
                    } else {
                        report.duplicates += 1;
                    }
                    receipts.push((record.id, receipt));
                }
                ("rejected", _) => {
                    let reason = result.reason.unwrap_or_else(|| "unknown".into());
                    let detail = result.detail.unwrap_or_default();
                    rejected.push((record.id, record.seq, reason, detail));
                }
                (status, _) => {
                    return Err(SyncError::Protocol(format!(
                        "status {status:?} without a receipt for {}",
                        record.id
                    )));
                }
            }
        }
        {
            let mut s = lock(store);
            s.note_contact(None)?;
            let receipts: Vec<(RecordId, &[u8])> = receipts
                .iter()
                .map(|(id, r)| (*id, r.get().as_bytes()))
                .collect();
            s.apply_receipts(&receipts, &server_key)?;
            for (id, _, reason, detail) in &rejected {
                s.mark_rejected(*id, reason, detail)?;
            }
        }
        // After a refused record every later one is a gap: stop and show the refusal.
        if let Some((_, seq, reason, detail)) = rejected.into_iter().next() {
            return Err(SyncError::Rejected {
                seq,
                reason,
                detail,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_skew_is_server_time_minus_the_request_midpoint() {
        let t = |s: &str| Timestamp::parse(s).unwrap();
        let check = |server: &str, sent: &str, received: &str, expected: Option<i64>| {
            assert_eq!(skew_ms(server, t(sent), t(received)), expected, "{server}");
        };
        check(
            "2026-12-01T10:00:00Z",
            "2026-12-01T10:00:00.000Z",
            "2026-12-01T10:00:00.000Z",
            Some(0),
        );
        // The device is 3 minutes behind; the request took 2 s.
        check(
            "2026-12-01T10:03:01Z",
            "2026-12-01T10:00:00.000Z",
            "2026-12-01T10:00:02.000Z",
            Some(180_000),
        );
        check(
            "2026-12-01T09:59:00.5Z",
            "2026-12-01T10:00:00.000Z",
            "2026-12-01T10:00:01.000Z",
            Some(-60_000),
        );
        check(
            "yesterday",
            "2026-12-01T10:00:00.000Z",
            "2026-12-01T10:00:00.000Z",
            None,
        );
    }

    #[test]
    fn a_page_without_ids_or_years_is_refused_before_anything_is_stored() {
        let answer = |assignments: Value, calendar: Value| api::PullAnswer {
            cursor: "c".into(),
            more: false,
            reset: true,
            assignments: serde_json::from_value(assignments).unwrap(),
            checklists: vec![],
            removed: vec![],
            calendar: serde_json::from_value(calendar).unwrap(),
            warnings: vec![],
            server_time: "2026-12-01T10:00:00Z".into(),
        };
        assert!(
            page_of(&answer(
                serde_json::json!([{"kind": "x"}]),
                serde_json::json!([])
            ))
            .is_err()
        );
        assert!(
            page_of(&answer(
                serde_json::json!([{"id": "nope"}]),
                serde_json::json!([])
            ))
            .is_err()
        );
        assert!(
            page_of(&answer(
                serde_json::json!([]),
                serde_json::json!([{"source": "x"}])
            ))
            .is_err()
        );
        let id = InspectionId::new();
        let (page, ids) = page_of(&answer(
            serde_json::json!([{"id": id.to_string()}]),
            serde_json::json!([{"year": 2026, "days": []}]),
        ))
        .unwrap();
        assert_eq!(ids, [id]);
        assert_eq!(page.calendar[0].0, 2026);
        // An objection must name its warning by a record id.
        let mut bad = answer(serde_json::json!([]), serde_json::json!([]));
        bad.warnings = vec![serde_json::json!({"status": "filed"})];
        assert!(page_of(&bad).is_err());
        bad.warnings = vec![serde_json::json!({"warning": "nope", "status": "filed"})];
        assert!(page_of(&bad).is_err());
    }
}
