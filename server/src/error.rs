//! One error type for every response: RFC 9457 problem details (`application/problem+json`).

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::store::{StoreError, Violation};

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem, e.g. `urn:knd:problem:not-found`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request is not what the endpoint takes.
    #[error("{0}")]
    BadRequest(String),
    /// 401: no valid credentials.
    #[error("требуется вход / authentication required")]
    Unauthorized,
    /// 403: authenticated, but the role does not allow it.
    #[error("{0}")]
    Forbidden(String),
    /// 404: not there, or not visible to the caller (other agencies' data answers the same).
    #[error("не найдено / not found")]
    NotFound,
    /// 405: the path exists, but not with this method.
    #[error("этот метод не применим к пути / method not allowed on this path")]
    MethodNotAllowed,
    /// 409: conflicts with the stored state.
    #[error("{0}")]
    Conflict(String),
    /// 409: the write broke a constraint of the stored data; the problem type names which.
    #[error("{}", violation_detail(*.0))]
    Constraint(Violation),
    /// 413: the body exceeds the configured limit.
    #[error("тело запроса слишком велико / request body too large")]
    PayloadTooLarge,
    /// 422: well-formed, but its content is refused.
    #[error("{0}")]
    Unprocessable(String),
    /// 429: too many attempts; retry after the given seconds.
    #[error("слишком много попыток, повторите через {0} с / too many attempts, retry in {0} s")]
    TooManyRequests(u64),
    /// 503: a dependency (the database) is not available.
    #[error("сервис недоступен / service unavailable")]
    Unavailable,
    /// 503: busy (e.g. every password check slot is taken); retry after the given seconds.
    #[error("сервер занят, повторите через {0} с / busy, retry in {0} s")]
    Busy(u64),
    /// 500: logged with its cause; the client gets a generic message.
    #[error("внутренняя ошибка / internal error")]
    Internal(String),
    /// 412: a precondition header (e.g. tus's `Tus-Resumable`) is missing or unsupported.
    #[error("{0}")]
    PreconditionFailed(String),
    /// 415: the body is not of the media type the endpoint takes.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 413 with a reason: an upload larger than the configured or declared size.
    #[error("{0}")]
    UploadTooLarge(String),
    /// 422: an upload's bytes do not match its declared SHA-256 or size; nothing was stored.
    #[error("{0}")]
    ChecksumMismatch(String),
    /// 403: an enrollment code that cannot enroll a device, by why (the app tells its user
    /// which: ask for a new code, or check the one typed).
    #[error("{}", .0.detail())]
    EnrollmentRefused(CodeRefusal),
    /// 429: the device has as many unfinished uploads as it may.
    #[error(
        "у устройства {0} незавершённых загрузок — это предел: завершите или удалите одну / this device has {0} unfinished uploads, the limit: finish or delete one first"
    )]
    TooManyUploads(usize),
    /// 422: a filing after its period; the detail names the last day.
    #[error("{0}")]
    FilingLate(String),
    /// 422: an `Idempotency-Key` used before with another request; nothing was stored.
    #[error(
        "ключ идемпотентности уже использован с другим запросом / this Idempotency-Key was used with another request"
    )]
    IdempotencyKeyReused,
}

/// Why an enrollment code was refused: each is a problem type of its own
/// (`urn:knd:problem:enrollment-code-…`), so a client never has to read the words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeRefusal {
    Unknown,
    Used,
    Expired,
}

impl CodeRefusal {
    fn slug(self) -> &'static str {
        match self {
            CodeRefusal::Unknown => "enrollment-code-unknown",
            CodeRefusal::Used => "enrollment-code-used",
            CodeRefusal::Expired => "enrollment-code-expired",
        }
    }

    /// Russian, then English (the English words are what apps before the problem types
    /// matched).
    pub fn detail(self) -> &'static str {
        match self {
            CodeRefusal::Unknown => "код регистрации не найден / unknown enrollment code",
            CodeRefusal::Used => "код регистрации уже использован / enrollment code already used",
            CodeRefusal::Expired => "срок кода регистрации истёк / enrollment code expired",
        }
    }
}

impl ApiError {
    pub(crate) fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) | ApiError::EnrollmentRefused(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict(_) | ApiError::Constraint(_) => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable | ApiError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::UploadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::ChecksumMismatch(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooManyUploads(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::FilingLate(_) | ApiError::IdempotencyKeyReused => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
        }
    }

    fn slug(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "bad-request",
            ApiError::Unauthorized => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::EnrollmentRefused(r) => r.slug(),
            ApiError::NotFound => "not-found",
            ApiError::MethodNotAllowed => "method-not-allowed",
            ApiError::Conflict(_) => "conflict",
            ApiError::Constraint(v) => violation_slug(*v),
            ApiError::PayloadTooLarge => "payload-too-large",
            ApiError::Unprocessable(_) => "unprocessable",
            ApiError::TooManyRequests(_) => "too-many-requests",
            ApiError::Unavailable => "unavailable",
            ApiError::Busy(_) => "busy",
            ApiError::Internal(_) => "internal",
            ApiError::PreconditionFailed(_) => "precondition-failed",
            ApiError::UnsupportedMediaType(_) => "unsupported-media-type",
            ApiError::UploadTooLarge(_) => "payload-too-large",
            ApiError::ChecksumMismatch(_) => "checksum-mismatch",
            ApiError::TooManyUploads(_) => "too-many-uploads",
            ApiError::FilingLate(_) => "filing-late",
            ApiError::IdempotencyKeyReused => "idempotency-key-reused",
        }
    }

    pub fn problem(&self) -> Problem {
        let status = self.status();
        Problem {
            kind: format!("urn:knd:problem:{}", self.slug()),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: match self {
                ApiError::Internal(_) => {
                    Some("внутренняя ошибка; причина в журнале сервера / internal error; the cause is in the server log".into())
                }
                other => Some(other.to_string()),
            },
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(cause) = &self {
            tracing::error!(%cause, "internal error");
        }
        let problem = self.problem();
        let mut resp = (self.status(), axum::Json(problem)).into_response();
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let ApiError::TooManyRequests(secs) | ApiError::Busy(secs) = self {
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        resp
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Constraint(v) => ApiError::Constraint(v),
            StoreError::Stale => ApiError::Conflict(
                "данные изменились, пока вы их правили; обновите их и повторите / \
                 the data was changed meanwhile; reload it and try again"
                    .into(),
            ),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

/// The problem type of a broken constraint: the same on both backends, whatever their text.
fn violation_slug(v: Violation) -> &'static str {
    match v {
        Violation::LoginTaken => "login-taken",
        Violation::ControlTypeCodeTaken
        | Violation::SubjectInnTaken
        | Violation::ObjectKeyTaken
        | Violation::RequirementCodeTaken
        | Violation::ChecklistCodeTaken => "code-taken",
        Violation::MissingReference => "missing-reference",
        Violation::Other => "conflict",
    }
}

fn violation_detail(v: Violation) -> &'static str {
    match v {
        Violation::LoginTaken => "этот логин уже занят / this login is taken",
        Violation::ControlTypeCodeTaken => {
            "вид контроля с этим кодом уже есть / a control type with this code exists"
        }
        Violation::SubjectInnTaken => {
            "субъект с этим ИНН уже есть / a subject with this INN exists"
        }
        Violation::ObjectKeyTaken => {
            "объект с этим ключом уже есть / an object with this key exists"
        }
        Violation::RequirementCodeTaken => {
            "требование с этим кодом уже есть / a requirement with this code exists"
        }
        Violation::ChecklistCodeTaken => {
            "проверочный лист с этим кодом уже есть / a checklist with this code exists"
        }
        Violation::MissingReference => {
            "запрос ссылается на то, чего нет среди сохранённых данных / \
             the request refers to something that is not in the stored data"
        }
        Violation::Other => {
            "запрос противоречит сохранённым данным / the request conflicts with stored data"
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        match r.status() {
            StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::BadRequest(
                "ожидается Content-Type: application/json / expected Content-Type: application/json"
                    .into(),
            ),
            // The parser's own words name the field and the position; the sentence before them
            // says what is wrong in Russian first.
            StatusCode::UNPROCESSABLE_ENTITY => ApiError::Unprocessable(format!(
                "поля запроса не соответствуют описанию API / the request's fields do not match the API: {}",
                r.body_text()
            )),
            _ => ApiError::BadRequest(format!(
                "тело запроса — не JSON / the request body is not JSON: {}",
                r.body_text()
            )),
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        ApiError::BadRequest(r.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> Self {
        // An id that does not parse names nothing that exists.
        tracing::debug!(rejection = %r.body_text(), "bad path parameter");
        ApiError::NotFound
    }
}

/// The JSON body extractor of this API: its rejections are problem documents.
#[derive(Debug, axum::extract::FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct Json<T>(pub T);

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// Query strings, with problem-document rejections.
#[derive(Debug, axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Query<T>(pub T);

/// Path parameters, with problem-document rejections.
#[derive(Debug, axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct Path<T>(pub T);

pub type ApiResult<T> = Result<T, ApiError>;
