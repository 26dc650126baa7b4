//! Devices: per inspector's device its last sync, the records it held unsent and its clock's
//! skew as it last reported them, and whether it is revoked; `?attention=1` keeps the devices
//! that have not synced for 24 hours or hold unsent records (the Today page links there). An
//! admin issues enrollment codes (shown once) and revokes devices; an inspector sees its own.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use knd_shared::{DeviceId, UserId};
use serde::Deserialize;
use time::{Duration, OffsetDateTime};

use super::chrome::{Chrome, Failure, PageResult, done, rendered};
use super::format;
use super::session::{Posted, Viewer};
use crate::error::ApiError;
use crate::model::{Device, Role, User};
use crate::services::policy::Action;
use crate::services::{accounts, devices};
use crate::state::AppState;

/// A device not heard from for longer than this needs attention.
const QUIET_HOURS: i64 = 24;
/// A clock further off than this is marked.
const SKEW_WARN_MS: i64 = 5 * 60 * 1000;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/devices", get(list))
        .route("/devices/code", post(issue_code))
        .route("/devices/{id}/revoke", post(revoke))
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct ListQuery {
    attention: Option<String>,
    revoked: Option<String>,
}

pub(crate) struct Row {
    pub(crate) id: String,
    pub(crate) inspector: String,
    pub(crate) name: String,
    pub(crate) enrolled: String,
    pub(crate) last_sync: Option<String>,
    pub(crate) quiet: bool,
    pub(crate) pending: Option<String>,
    pub(crate) pending_warn: bool,
    pub(crate) skew: Option<String>,
    pub(crate) skew_warn: bool,
    pub(crate) revoked: Option<String>,
}

pub(crate) struct Inspector {
    pub(crate) id: String,
    pub(crate) login: String,
    pub(crate) selected: bool,
}

/// A code just issued: shown once.
pub(crate) struct Issued {
    pub(crate) code: String,
    pub(crate) login: String,
    pub(crate) expires: String,
}

#[derive(Template)]
#[template(path = "devices.html")]
struct DevicesPage {
    chrome: Chrome,
    attention: bool,
    rows: Vec<Row>,
    may_revoke: bool,
    may_enroll: bool,
    inspectors: Vec<Inspector>,
    issued: Option<Issued>,
    code_error: Option<String>,
    notice: Option<&'static str>,
}

/// The device's last sync call (or its last accepted push, from before devices reported).
fn last_sync(d: &Device) -> Option<OffsetDateTime> {
    d.sync.synced_at.max(d.last_seen_at)
}

/// Whether a device needs a look: an inspector's working device quiet for a day, or holding
/// unsent records.
pub(crate) fn needs_attention(d: &Device, now: OffsetDateTime) -> bool {
    let working = d.user.is_some() && d.revoked_at.is_none();
    let quiet = last_sync(d).is_none_or(|t| t < now - Duration::hours(QUIET_HOURS));
    working && (quiet || d.sync.pending_records.unwrap_or(0) > 0)
}

/// `+2 мин 05 с`, `−40 с`: the device's clock against the server's.
pub(crate) fn skew(viewer: &Viewer, ms: i64) -> String {
    let sign = match ms.signum() {
        1 => "+",
        -1 => "\u{2212}",
        _ => "",
    };
    let s = ms.unsigned_abs() / 1000;
    let (h, m, s) = (s / 3600, s / 60 % 60, s % 60);
    let (hu, mu, su) = (
        viewer.lang.t("ч", "h"),
        viewer.lang.t("мин", "min"),
        viewer.lang.t("с", "s"),
    );
    if h > 0 {
        format!("{sign}{h} {hu} {m:02} {mu}")
    } else if m > 0 {
        format!("{sign}{m} {mu} {s:02} {su}")
    } else {
        format!("{sign}{s} {su}")
    }
}

async fn users_by_id(state: &AppState, viewer: &Viewer) -> Result<Vec<User>, Failure> {
    if viewer.may(Action::ReadUsers) {
        Ok(accounts::list_users(state, &viewer.user, viewer.address()).await?)
    } else {
        Ok(vec![viewer.user.clone()])
    }
}

async fn render(
    state: &AppState,
    viewer: &Viewer,
    q: &ListQuery,
    status: StatusCode,
    issued: Option<Issued>,
    code_error: Option<(String, String)>,
) -> PageResult {
    let lang = viewer.lang;
    let now = OffsetDateTime::now_utc();
    let attention = q.attention.as_deref() == Some("1");
    let list = devices::list(state, &viewer.user, viewer.address()).await?;
    let users = users_by_id(state, viewer).await?;
    let logins: HashMap<UserId, &str> = users.iter().map(|u| (u.id, u.login.as_str())).collect();
    let rows = list
        .iter()
        .filter(|d| d.user.is_some())
        .filter(|d| !attention || needs_attention(d, now))
        .map(|d| {
            let sync = last_sync(d);
            Row {
                id: d.id.to_string(),
                inspector: d
                    .user
                    .and_then(|u| logins.get(&u).map(|l| (*l).to_owned()))
                    .unwrap_or_default(),
                name: d.name.clone(),
                enrolled: format::datetime(&state.zone, d.enrolled_at),
                last_sync: sync.map(|t| format::datetime(&state.zone, t)),
                quiet: d.revoked_at.is_none()
                    && sync.is_none_or(|t| t < now - Duration::hours(QUIET_HOURS)),
                pending: d.sync.pending_records.map(format::count),
                pending_warn: d.sync.pending_records.unwrap_or(0) > 0,
                skew: d.sync.clock_skew_ms.map(|ms| skew(viewer, ms)),
                skew_warn: d
                    .sync
                    .clock_skew_ms
                    .is_some_and(|ms| ms.abs() > SKEW_WARN_MS),
                revoked: d.revoked_at.map(|t| format::datetime(&state.zone, t)),
            }
        })
        .collect();
    let may_enroll = viewer.may(Action::EnrollDevice);
    let chosen = code_error.as_ref().map(|(id, _)| id.as_str());
    let inspectors = if may_enroll {
        users
            .iter()
            .filter(|u| u.role == Role::Inspector && u.disabled_at.is_none())
            .map(|u| Inspector {
                id: u.id.to_string(),
                login: u.login.clone(),
                selected: Some(u.id.to_string().as_str()) == chosen,
            })
            .collect()
    } else {
        Vec::new()
    };
    let t = DevicesPage {
        chrome: Chrome::new(state, viewer, "/devices"),
        attention,
        rows,
        may_revoke: viewer.may(Action::RevokeDevice),
        may_enroll,
        inspectors,
        issued,
        code_error: code_error.map(|(_, e)| e),
        notice: q
            .revoked
            .as_ref()
            .map(|_| lang.t("Устройство отозвано.", "The device was revoked.")),
    };
    Ok(rendered(status, &t))
}

async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ListQuery>,
) -> PageResult {
    render(&state, &viewer, &q, StatusCode::OK, None, None).await
}

#[derive(Debug, Deserialize)]
pub(super) struct CodeForm {
    #[serde(default)]
    user_id: String,
}

async fn issue_code(State(state): State<AppState>, posted: Posted<CodeForm>) -> PageResult {
    let Posted { viewer, form } = posted;
    let lang = viewer.lang;
    let q = ListQuery::default();
    let Ok(target) = UserId::parse(form.user_id.trim()) else {
        let e = lang
            .t("выберите инспектора", "choose an inspector")
            .to_owned();
        return render(
            &state,
            &viewer,
            &q,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            Some((form.user_id, e)),
        )
        .await;
    };
    let result = accounts::create_enrollment_code(
        &state,
        Some(&viewer.user),
        target,
        viewer.user.agency,
        viewer.address(),
    )
    .await;
    match result {
        Ok((code, expires)) => {
            let login = users_by_id(&state, &viewer)
                .await?
                .into_iter()
                .find(|u| u.id == target)
                .map(|u| u.login)
                .unwrap_or_default();
            let issued = Issued {
                code,
                login,
                expires: format::datetime(&state.zone, expires),
            };
            render(&state, &viewer, &q, StatusCode::OK, Some(issued), None).await
        }
        Err(ApiError::Unprocessable(_)) => {
            let e = lang
                .t(
                    "устройства закрепляются только за инспекторами",
                    "devices are enrolled for inspectors only",
                )
                .to_owned();
            render(
                &state,
                &viewer,
                &q,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some((form.user_id, e)),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct Nothing {}

async fn revoke(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted<Nothing>,
) -> PageResult {
    let id = DeviceId::parse(&id).map_err(|_| Failure::from(ApiError::NotFound))?;
    devices::revoke(&state, &posted.viewer.user, posted.viewer.address(), id).await?;
    Ok(done("/devices?revoked=1"))
}
