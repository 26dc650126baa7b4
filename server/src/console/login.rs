//! Signing in and out, and the language switch.
//!
//! The login form cannot use the session's CSRF token (there is no session yet): it carries a
//! random token that is also set as a short-lived cookie, and the post must bring both.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use rand_core::{OsRng, RngCore as _};
use serde::Deserialize;
use time::OffsetDateTime;

use super::chrome::{Failure, PageResult, rendered};
use super::i18n::{LANG_COOKIE, Lang};
use super::session::{Posted, safe_return, same_origin};
use crate::auth::{ClientAddr, OverTls, cookie, session_cookie};
use crate::services::accounts;
use crate::state::AppState;

const LOGIN_CSRF_COOKIE: &str = "knd_login";

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    lang: Lang,
    csrf: String,
    next: String,
    login: String,
    error: Option<String>,
}

impl LoginPage {
    fn t<'a>(&self, ru: &'a str, en: &'a str) -> &'a str {
        self.lang.t(ru, en)
    }
    fn other_lang_href(&self) -> String {
        let back = if self.next == "/" {
            "/login".to_owned()
        } else {
            format!("/login?next={}", super::chrome::form_urlencoded(&self.next))
        };
        format!(
            "/lang/{}?back={}",
            self.lang.other().code(),
            super::chrome::form_urlencoded(&back)
        )
    }
    fn other_lang_label(&self) -> &'static str {
        match self.lang {
            Lang::Ru => "English",
            Lang::En => "Русский",
        }
    }
}

#[derive(Deserialize)]
pub(super) struct LoginQuery {
    next: Option<String>,
}

fn login_page(lang: Lang, next: &str, login: &str, error: Option<String>) -> (String, LoginPage) {
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    let csrf = hex::encode(bytes);
    let page = LoginPage {
        lang,
        csrf: csrf.clone(),
        next: safe_return(Some(next)).to_owned(),
        login: login.to_owned(),
        error,
    };
    (csrf, page)
}

fn with_login_cookie(mut resp: Response, csrf: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{LOGIN_CSRF_COOKIE}={csrf}; Path=/login; HttpOnly; SameSite=Strict; Max-Age=3600"
    )) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

pub(super) async fn form(headers: HeaderMap, Query(q): Query<LoginQuery>) -> Response {
    let lang = Lang::of(&headers);
    let (csrf, page) = login_page(lang, q.next.as_deref().unwrap_or("/"), "", None);
    with_login_cookie(rendered(StatusCode::OK, &page), &csrf)
}

#[derive(Deserialize)]
pub(super) struct LoginForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

pub(super) async fn submit(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    tls: OverTls,
    headers: HeaderMap,
    axum::Form(f): axum::Form<LoginForm>,
) -> Result<Response, Failure> {
    same_origin(&headers)?;
    let lang = Lang::of(&headers);
    let next = safe_return(f.next.as_deref()).to_owned();
    if f.csrf.is_empty() || cookie(&headers, LOGIN_CSRF_COOKIE) != Some(f.csrf.as_str()) {
        let (csrf, page) = login_page(
            lang,
            &next,
            &f.login,
            Some(lang.pick(
                "форма входа устарела, войдите ещё раз / the login form expired, sign in again",
            )),
        );
        return Ok(with_login_cookie(
            rendered(StatusCode::FORBIDDEN, &page),
            &csrf,
        ));
    }
    match accounts::login(&state, f.login.trim(), f.password, addr.as_deref()).await {
        Ok((token, _user, expires_at)) => {
            let max_age = (expires_at - OffsetDateTime::now_utc()).whole_seconds();
            let mut resp = Redirect::to(&next).into_response();
            resp.headers_mut().append(
                header::SET_COOKIE,
                session_cookie(&state, tls, &token, max_age),
            );
            resp.headers_mut().append(
                header::SET_COOKIE,
                HeaderValue::from_static("knd_login=; Path=/login; Max-Age=0"),
            );
            Ok(resp)
        }
        Err(e) => {
            let status = e.status();
            let message = match e {
                crate::error::ApiError::Unauthorized => lang
                    .pick("неверный логин или пароль / wrong login or password")
                    .to_owned(),
                e => lang.pick(&e.to_string()),
            };
            let (csrf, page) = login_page(lang, &next, &f.login, Some(message));
            Ok(with_login_cookie(rendered(status, &page), &csrf))
        }
    }
}

#[derive(Deserialize)]
pub(super) struct Nothing {}

pub(super) async fn logout(
    State(state): State<AppState>,
    tls: OverTls,
    Posted { viewer, .. }: Posted<Nothing>,
) -> PageResult {
    accounts::logout(&state, viewer.token(), &viewer.user, viewer.address()).await?;
    let mut resp = Redirect::to("/login").into_response();
    resp.headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&state, tls, "", 0));
    Ok(resp)
}

#[derive(Deserialize)]
pub(super) struct Back {
    back: Option<String>,
}

/// Switches the language (a preference kept in a cookie) and returns to the page.
pub(super) async fn switch_lang(Path(code): Path<String>, Query(b): Query<Back>) -> Response {
    let lang = Lang::parse(&code).unwrap_or_default();
    let mut resp = Redirect::to(safe_return(b.back.as_deref())).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{LANG_COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000",
        lang.code()
    )) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    resp
}
