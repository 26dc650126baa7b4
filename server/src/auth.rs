//! Who is calling: a console user (session cookie or `Bearer kss_…`), a device (`Bearer kdt_…`)
//! or a business (`Bearer kak_…` or `X-Api-Key`). Extractors answer 401 problem documents.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;

use crate::error::ApiError;
use crate::model::{ApiKey, Device, User};
use crate::services::accounts;
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "knd_session";

/// The client's address (for the audit log and throttling): the peer, or what a trusted
/// reverse proxy says (see [`crate::client`]).
#[derive(Debug, Clone)]
pub struct ClientAddr(pub Option<String>);

fn peer(parts: &Parts) -> Option<std::net::IpAddr> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
}

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let ip = state.proxies.client(peer(parts), &parts.headers);
        Ok(ClientAddr(ip.map(|ip| ip.to_string())))
    }
}

/// Whether the request came over TLS (a trusted proxy says so): the session cookie is then
/// `Secure`.
#[derive(Debug, Clone, Copy)]
pub struct OverTls(pub bool);

impl FromRequestParts<AppState> for OverTls {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Ok(OverTls(state.proxies.over_tls(peer(parts), &parts.headers)))
    }
}

/// The `Set-Cookie` value of a session (`max_age` 0 clears it): HttpOnly, SameSite=Strict, and
/// Secure behind TLS or when configured so.
pub(crate) fn session_cookie(
    state: &AppState,
    tls: OverTls,
    value: &str,
    max_age: i64,
) -> axum::http::HeaderValue {
    let secure = if state.config.auth.secure_cookies || tls.0 {
        "; Secure"
    } else {
        ""
    };
    axum::http::HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    ))
    .unwrap_or_else(|_| axum::http::HeaderValue::from_static("knd_session=; Path=/; Max-Age=0"))
}

/// Whether a browser's request says it comes from this site: `Sec-Fetch-Site` same-origin (or
/// typed by the user), and an `Origin`, when sent, naming this host. A client that sends
/// neither is not a browser another site can drive.
pub(crate) fn from_this_site(headers: &axum::http::HeaderMap) -> bool {
    use axum::http::header::{HOST, ORIGIN};
    let site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if site.is_some_and(|s| s != "same-origin" && s != "none") {
        return false;
    }
    match headers.get(ORIGIN).and_then(|v| v.to_str().ok()) {
        None => true,
        // `null`: a policy withheld the origin; the browser's own `Sec-Fetch-Site` decides.
        Some("null") => site == Some("same-origin"),
        Some(origin) => {
            let host = headers.get(HOST).and_then(|v| v.to_str().ok());
            origin
                .split_once("://")
                .map(|(_, a)| a)
                .is_some_and(|a| Some(a) == host)
        }
    }
}

fn bearer(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get(AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// A cookie's value, from the request's `Cookie` headers.
pub(crate) fn cookie<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A signed-in console user.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: User,
    pub token: String,
    pub address: Option<String>,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let (token, by_cookie) = match bearer(parts) {
            Some(t) => (t.to_owned(), false),
            None => (
                cookie(&parts.headers, SESSION_COOKIE)
                    .ok_or(ApiError::Unauthorized)?
                    .to_owned(),
                true,
            ),
        };
        // A browser sends the cookie with whatever page asks: a call that changes something
        // must say it comes from this site (the console's forms carry their own token too).
        if by_cookie && !parts.method.is_safe() && !from_this_site(&parts.headers) {
            return Err(ApiError::Forbidden(
                "запрос отправлен с другого сайта и отклонён / the request came from another site and is refused"
                    .into(),
            ));
        }
        let (user, _) = accounts::session_user(state, &token)
            .await?
            .ok_or(ApiError::Unauthorized)?;
        let address = ClientAddr::from_request_parts(parts, state).await?.0;
        Ok(Caller {
            user,
            token,
            address,
        })
    }
}

/// An enrolled device, by its token. Revoked devices are let through here: push answers
/// `revoked_device` per record.
#[derive(Debug, Clone)]
pub struct DeviceCaller(pub Device);

impl FromRequestParts<AppState> for DeviceCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(parts).ok_or(ApiError::Unauthorized)?;
        if !token.starts_with(crate::services::tokens::TokenKind::Device.prefix()) {
            return Err(ApiError::Unauthorized);
        }
        let device = state
            .store
            .device_by_token(&crate::services::tokens::hash(token))
            .await?
            .ok_or(ApiError::Unauthorized)?;
        // A device acts for its inspector: once that user is disabled or no longer an
        // inspector, it neither pulls their assignments nor sends anything in their name.
        if let (Some(agency), Some(user)) = (device.agency, device.user) {
            match state.store.get_user(agency, user).await? {
                Some(u) if u.disabled_at.is_none() && u.role == crate::model::Role::Inspector => {}
                _ => {
                    return Err(ApiError::Forbidden(
                        "пользователь устройства отключён или больше не инспектор / \
                         the device's user is disabled or no longer an inspector"
                            .into(),
                    ));
                }
            }
        }
        Ok(DeviceCaller(device))
    }
}

/// A business, by its API key.
#[derive(Debug, Clone)]
pub struct Business(pub ApiKey);

impl FromRequestParts<AppState> for Business {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let secret = bearer(parts)
            .or_else(|| parts.headers.get("x-api-key").and_then(|v| v.to_str().ok()))
            .ok_or(ApiError::Unauthorized)?;
        let key = accounts::api_key(state, secret)
            .await?
            .ok_or(ApiError::Unauthorized)?;
        Ok(Business(key))
    }
}
