//! What every console page shares: the header (who is signed in, until when, the language
//! switch, logout), the navigation the viewer's role allows, and the error page. A new page is
//! a handler that builds its template with a [`Chrome`] and calls [`page`].

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use super::format;
use super::i18n::Lang;
use super::session::Viewer;
use crate::error::ApiError;
use crate::services::policy::{self, Action};
use crate::state::AppState;

/// A section of the console in the navigation: shown to the roles its action allows.
struct Section {
    href: &'static str,
    ru: &'static str,
    en: &'static str,
    /// `None`: every signed-in user.
    needs: Option<Action>,
}

/// The navigation, in order. A page of a new issue adds its line here.
const SECTIONS: &[Section] = &[
    Section {
        href: "/",
        ru: "Сегодня",
        en: "Today",
        needs: None,
    },
    Section {
        href: "/registry",
        ru: "Реестр",
        en: "Registry",
        needs: Some(Action::ReadRegistry),
    },
    Section {
        href: "/inspections",
        ru: "Проверки",
        en: "Inspections",
        needs: Some(Action::ReadInspection),
    },
    Section {
        href: "/risk",
        ru: "Риски",
        en: "Risk",
        needs: Some(Action::ReadPlanning),
    },
    Section {
        href: "/plans",
        ru: "План",
        en: "Plan",
        needs: Some(Action::ReadPlanning),
    },
    Section {
        href: "/filings",
        ru: "Жалобы",
        en: "Appeals",
        needs: Some(Action::ReadFilings),
    },
    Section {
        href: "/review-flags",
        ru: "На рассмотрение",
        en: "Review flags",
        needs: Some(Action::ReadReviewFlags),
    },
    Section {
        href: "/devices",
        ru: "Устройства",
        en: "Devices",
        needs: Some(Action::ListDevices),
    },
    Section {
        href: "/audit",
        ru: "Журнал аудита",
        en: "Audit log",
        needs: Some(Action::ReadAudit),
    },
    Section {
        href: "/users",
        ru: "Пользователи",
        en: "Users",
        needs: Some(Action::ReadUsers),
    },
];

pub(crate) struct NavLink {
    pub(crate) href: &'static str,
    pub(crate) label: &'static str,
    pub(crate) current: bool,
}

/// The frame of a page: give it to the page's template as `chrome`.
pub(crate) struct Chrome {
    pub(crate) lang: Lang,
    pub(crate) login: String,
    pub(crate) role: &'static str,
    /// When the session ends, in the agency's time.
    pub(crate) session_until: String,
    pub(crate) csrf: String,
    pub(crate) nav: Vec<NavLink>,
    /// This page's path and query (the language switch comes back to it).
    pub(crate) here: String,
}

impl Chrome {
    /// The frame for `viewer`, with `section` (a navigation `href`) marked as current.
    pub(crate) fn new(state: &AppState, viewer: &Viewer, section: &str) -> Chrome {
        let lang = viewer.lang;
        let (ru, en) = policy::role_title(viewer.user.role);
        let nav = SECTIONS
            .iter()
            .filter(|s| s.needs.is_none_or(|a| viewer.may(a)))
            .map(|s| NavLink {
                href: s.href,
                label: lang.t(s.ru, s.en),
                current: s.href == section,
            })
            .collect();
        Chrome {
            lang,
            login: viewer.user.login.clone(),
            role: lang.t(ru, en),
            session_until: format::datetime(&state.zone, viewer.expires_at),
            csrf: viewer.csrf(),
            nav,
            here: viewer.here.clone(),
        }
    }

    pub(crate) fn t<'a>(&self, ru: &'a str, en: &'a str) -> &'a str {
        self.lang.t(ru, en)
    }

    /// The language switch's link.
    pub(crate) fn other_lang_href(&self) -> String {
        let back: String = form_urlencoded(&self.here);
        format!("/lang/{}?back={back}", self.lang.other().code())
    }

    pub(crate) fn other_lang_label(&self) -> &'static str {
        match self.lang {
            Lang::Ru => "English",
            Lang::En => "Русский",
        }
    }
}

pub(super) fn form_urlencoded(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|p| p.trim_start_matches('=').to_owned())
        .unwrap_or_default()
}

/// A rendered page (200).
pub(crate) fn page(t: &impl Template) -> Response {
    rendered(StatusCode::OK, t)
}

/// A rendered page with `status` (a form shown again with its errors: 422).
pub(crate) fn rendered(status: StatusCode, t: &impl Template) -> Response {
    match t.render() {
        Ok(body) => {
            let mut resp = (status, body).into_response();
            resp.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            resp
        }
        Err(e) => Failure::Api(ApiError::Internal(format!("template: {e}"))).into_response(),
    }
}

/// After a form did what it asked: back to a page (303, so a reload does not post again).
pub(crate) fn done(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// Why a console request could not be answered with its page.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Not signed in: to the login page, then back to `back`.
    SignIn {
        back: String,
    },
    /// A form from an old session or another page (its CSRF token does not match).
    StaleForm,
    /// A post that says it comes from another site.
    ForeignPost,
    /// A form whose fields do not read.
    BadForm(String),
    Api(ApiError),
}

impl Failure {
    pub(crate) fn sign_in(back: &str) -> Failure {
        Failure::SignIn {
            back: back.to_owned(),
        }
    }
    pub(crate) fn stale_form() -> Failure {
        Failure::StaleForm
    }
    pub(crate) fn foreign_post() -> Failure {
        Failure::ForeignPost
    }
    pub(crate) fn bad_form(e: impl std::fmt::Display) -> Failure {
        Failure::BadForm(e.to_string())
    }

    fn status_and_message(&self) -> (StatusCode, String) {
        match self {
            Failure::SignIn { .. } => (StatusCode::UNAUTHORIZED, ApiError::Unauthorized.to_string()),
            Failure::StaleForm => (
                StatusCode::FORBIDDEN,
                "форма устарела (сеанс сменился или истёк): откройте страницу заново и повторите / \
                 the form is stale (the session changed or expired): open the page again and retry"
                    .into(),
            ),
            Failure::ForeignPost => (
                StatusCode::FORBIDDEN,
                "форма отправлена с другого сайта и отклонена / the form was posted from another site and is refused"
                    .into(),
            ),
            Failure::BadForm(e) => (
                StatusCode::BAD_REQUEST,
                format!("поля формы не читаются ({e}) / the form's fields do not read ({e})"),
            ),
            Failure::Api(e) => (e.status(), e.to_string()),
        }
    }
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Self {
        match e {
            ApiError::Unauthorized => Failure::sign_in("/"),
            e => Failure::Api(e),
        }
    }
}

impl From<crate::store::StoreError> for Failure {
    fn from(e: crate::store::StoreError) -> Self {
        Failure::Api(e.into())
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    status: u16,
    ru: String,
    en: String,
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        if let Failure::SignIn { back } = &self {
            let back = if back == "/" {
                String::new()
            } else {
                format!("?next={}", form_urlencoded(back))
            };
            return Redirect::to(&format!("/login{back}")).into_response();
        }
        if let Failure::Api(ApiError::Internal(cause)) = &self {
            tracing::error!(%cause, "internal error on a console page");
        }
        let (status, message) = self.status_and_message();
        let (ru, en) = match message.split_once(" / ") {
            Some((ru, en)) => (ru.to_owned(), en.to_owned()),
            None => (message.clone(), message),
        };
        let t = ErrorPage {
            status: status.as_u16(),
            ru,
            en,
        };
        let mut resp = match t.render() {
            Ok(body) => (status, body).into_response(),
            Err(_) => (status, "error").into_response(),
        };
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        resp
    }
}

/// What a console handler returns.
pub(crate) type PageResult = Result<Response, Failure>;
