//! Who is looking at a console page, and proof that a form was posted from the console.
//!
//! A page needs a signed-in user: the session is the API's (the `knd_session` cookie, HttpOnly,
//! SameSite=Strict); without one the browser is sent to the login page and back afterwards.
//! Every form carries a CSRF token derived from the session's secret (SHA-256 of a domain tag
//! and the token), so a page of another site cannot post one even where SameSite is not
//! honoured; posts whose `Origin` or `Sec-Fetch-Site` names another site are refused first.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use sha2::{Digest as _, Sha256};
use time::OffsetDateTime;

use super::chrome::Failure;
use super::i18n::Lang;
use crate::auth::{ClientAddr, SESSION_COOKIE, cookie};
use crate::model::User;
use crate::services::accounts;
use crate::services::policy::Action;
use crate::state::AppState;

/// The largest form body the console takes (a CSV import is a multipart body with its own
/// limit).
const MAX_FORM_BYTES: usize = 256 * 1024;

/// A signed-in console user looking at a page.
#[derive(Debug, Clone)]
pub(crate) struct Viewer {
    pub(crate) user: User,
    /// When the session ends (shown in the header).
    pub(crate) expires_at: OffsetDateTime,
    token: String,
    /// The client's address, for the audit log.
    pub(crate) address: Option<String>,
    pub(crate) lang: Lang,
    /// The path and query of the page, to come back to after switching the language.
    pub(crate) here: String,
}

impl Viewer {
    /// The CSRF token of this session's forms.
    pub(crate) fn csrf(&self) -> String {
        csrf_for(&self.token)
    }

    /// Refuses a form whose token is not this session's.
    pub(crate) fn check_csrf(&self, sent: &str) -> Result<(), Failure> {
        use subtle::ConstantTimeEq as _;
        let ok: bool = self.csrf().as_bytes().ct_eq(sent.as_bytes()).into();
        if ok {
            Ok(())
        } else {
            Err(Failure::stale_form())
        }
    }

    /// Whether the viewer's role allows `action` (to decide what a page offers; the services
    /// decide again when it is asked for).
    pub(crate) fn may(&self, action: Action) -> bool {
        action.allows(self.user.role)
    }

    /// The session token (to end it).
    pub(super) fn token(&self) -> &str {
        &self.token
    }

    pub(crate) fn address(&self) -> Option<&str> {
        self.address.as_deref()
    }
}

pub(super) fn csrf_for(token: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"knd-console-csrf\0");
    h.update(token.as_bytes());
    hex::encode(&h.finalize()[..16])
}

/// Where a page lives, with its query (`/registry?q=77`).
fn here(parts: &Parts) -> String {
    parts
        .uri
        .path_and_query()
        .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned())
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Failure> {
        let lang = Lang::of(&parts.headers);
        let here = here(parts);
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE).map(str::to_owned) else {
            return Err(Failure::sign_in(&here));
        };
        let Some((user, expires_at)) = accounts::session_user(state, &token).await? else {
            return Err(Failure::sign_in(&here));
        };
        let address = ClientAddr::from_request_parts(parts, state)
            .await
            .map_err(Failure::from)?
            .0;
        Ok(Viewer {
            user,
            expires_at,
            token,
            address,
            lang,
            here,
        })
    }
}

/// Refuses a post that says it comes from another site. Browsers send `Origin` with every
/// form post and `Sec-Fetch-Site` with every request; a client that sends neither is not a
/// browser another site can drive.
pub(super) fn same_origin(headers: &HeaderMap) -> Result<(), Failure> {
    if crate::auth::from_this_site(headers) {
        Ok(())
    } else {
        Err(Failure::foreign_post())
    }
}

#[derive(Deserialize)]
struct CsrfField {
    #[serde(rename = "_csrf", default)]
    csrf: String,
}

/// A form posted by a signed-in user from a console page: the CSRF token checked, then the
/// fields read into `T` (`_csrf` is not one of them; unknown fields are ignored, as browsers
/// send the buttons too).
pub(crate) struct Posted<T> {
    pub(crate) viewer: Viewer,
    pub(crate) form: T,
}

impl<T: DeserializeOwned> FromRequest<AppState> for Posted<T> {
    type Rejection = Failure;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Failure> {
        let (mut parts, body) = req.into_parts();
        let viewer = Viewer::from_request_parts(&mut parts, state).await?;
        same_origin(&parts.headers)?;
        let bytes = axum::body::to_bytes(body, MAX_FORM_BYTES)
            .await
            .map_err(|_| Failure::from(crate::error::ApiError::PayloadTooLarge))?;
        let CsrfField { csrf } = serde_urlencoded::from_bytes(&bytes).map_err(Failure::bad_form)?;
        viewer.check_csrf(&csrf)?;
        let form = serde_urlencoded::from_bytes(&bytes).map_err(Failure::bad_form)?;
        Ok(Posted { viewer, form })
    }
}

/// A form field as typed: trimmed, and `None` when left empty.
pub(crate) fn filled(field: &Option<String>) -> Option<&str> {
    field.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A path to return to after signing in or switching the language: only a path of this site
/// (not `//other.site`, not a scheme).
pub(crate) fn safe_return(path: Option<&str>) -> &str {
    match path {
        // No control character anywhere: browsers drop tabs and newlines from a URL, so
        // `/\t/evil.example` would become `//evil.example`; no backslash: some read it as `/`.
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && !p.chars().any(|c| c.is_control() || c == '\\') =>
        {
            p
        }
        _ => "/",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::header;

    #[test]
    fn returns_only_to_this_site() {
        assert_eq!(safe_return(Some("/registry?q=1")), "/registry?q=1");
        assert_eq!(safe_return(Some("//evil.example/")), "/");
        assert_eq!(safe_return(Some("/\\evil.example")), "/");
        assert_eq!(safe_return(Some("/\t/evil.example")), "/");
        assert_eq!(safe_return(Some("/\u{1}x")), "/");
        assert_eq!(safe_return(Some("/\u{7f}x")), "/");
        assert_eq!(safe_return(Some("https://evil.example/")), "/");
        assert_eq!(safe_return(None), "/");
    }

    #[test]
    fn foreign_posts_are_refused() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, "knd.local:8080".parse().unwrap());
        assert!(same_origin(&h).is_ok());
        h.insert(header::ORIGIN, "http://knd.local:8080".parse().unwrap());
        assert!(same_origin(&h).is_ok());
        h.insert(header::ORIGIN, "http://evil.example".parse().unwrap());
        assert!(same_origin(&h).is_err());
        h.insert(header::ORIGIN, "null".parse().unwrap());
        assert!(same_origin(&h).is_err());
        h.insert("sec-fetch-site", "same-origin".parse().unwrap());
        assert!(same_origin(&h).is_ok());
        h.insert(header::ORIGIN, "http://evil.example".parse().unwrap());
        assert!(same_origin(&h).is_err());
        h.insert(header::ORIGIN, "null".parse().unwrap());
        h.remove(header::ORIGIN);
        h.insert("sec-fetch-site", "cross-site".parse().unwrap());
        assert!(same_origin(&h).is_err());
    }

    #[test]
    fn csrf_tokens_differ_per_session() {
        assert_ne!(csrf_for("kss_a"), csrf_for("kss_b"));
        assert_eq!(csrf_for("kss_a").len(), 32);
    }
}
