//! Agencies, users, passwords, sessions, API keys and enrollment codes.

use knd_shared::{AgencyId, Inn, UserId};
use time::{Duration, OffsetDateTime};

use super::passwords;
use super::policy::{self, Action};
use super::throttle::Limit;
use super::tokens::{self, TokenKind};
use crate::config::AuthConfig;
use crate::error::{ApiError, ApiResult};
use crate::model::{Actor, Agency, ApiKey, AuditEntry, NewUser, Outcome, Role, User};
use crate::state::AppState;

/// Passwords shorter than this are refused.
pub const MIN_PASSWORD_CHARS: usize = 10;

pub fn audit(
    actor: Actor,
    agency: Option<AgencyId>,
    action: &str,
    address: Option<&str>,
) -> AuditEntry {
    AuditEntry {
        agency,
        actor,
        action: action.to_owned(),
        target: None,
        outcome: Outcome::Ok,
        detail: None,
        address: address.map(str::to_owned),
    }
}

/// Text people typed that will be stored: no control characters (PostgreSQL refuses NUL in
/// text, and nobody means a tab in a name), 1 to `max` characters after trimming.
pub fn plain_text<'a>(what: &str, s: &'a str, max: usize) -> ApiResult<&'a str> {
    let s = s.trim();
    if s.is_empty() || s.chars().count() > max || s.chars().any(char::is_control) {
        return Err(ApiError::Unprocessable(format!(
            "{what} is 1 to {max} characters, without control characters"
        )));
    }
    Ok(s)
}

pub fn validate_login(login: &str) -> ApiResult<()> {
    let ok = (3..=64).contains(&login.chars().count())
        && login
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | '@'));
    if ok {
        Ok(())
    } else {
        Err(ApiError::Unprocessable(
            "a login is 3 to 64 letters, digits or . - _ @".into(),
        ))
    }
}

pub fn validate_password(password: &str) -> ApiResult<()> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(ApiError::Unprocessable(format!(
            "a password has at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    Ok(())
}

pub async fn create_agency(state: &AppState, name: &str, actor: Actor) -> ApiResult<Agency> {
    let name = plain_text("an agency name", name, 300)?;
    let mut a = audit(actor, None, "agency.create", None);
    a.detail = Some(serde_json::json!({ "name": name }));
    Ok(state.store.create_agency(name, &a).await?)
}

pub async fn create_user(
    state: &AppState,
    agency: AgencyId,
    login: &str,
    password: String,
    role: Role,
    actor: Actor,
    address: Option<&str>,
) -> ApiResult<User> {
    validate_login(login)?;
    validate_password(&password)?;
    if state.store.get_agency(agency).await?.is_none() {
        return Err(ApiError::NotFound);
    }
    let password_hash = passwords::hash(password).await?;
    let mut a = audit(actor, Some(agency), "user.create", address);
    a.detail = Some(serde_json::json!({ "login": login, "role": role.as_str() }));
    state
        .store
        .create_user(
            &NewUser {
                agency,
                login: login.to_owned(),
                password_hash,
                role,
            },
            &a,
        )
        // A taken login answers `login-taken` ("этот логин уже занят") without saying whose:
        // logins are unique across agencies, and another agency's users are not this admin's
        // business.
        .await
        .map_err(ApiError::from)
}

/// What a login attempt counts against: the (login, address) pair with growing delays, so
/// that guessing one user's password from one place slows down fast; the login from everywhere
/// only at a far higher threshold, so that a few addresses cannot lock the user out; and the
/// address whatever the names. The pair comes first.
fn login_limits(auth: &AuthConfig, login: &str, address: Option<&str>) -> [Limit; 3] {
    let login = login.to_lowercase();
    let address = address.map_or_else(|| "unknown".to_owned(), crate::client::throttle_key);
    [
        Limit {
            key: format!("pair:{login}|{address}"),
            max: auth.max_failed_logins as usize,
            growing: true,
        },
        Limit {
            key: format!("login:{login}"),
            max: auth.max_failed_logins_per_login as usize,
            growing: false,
        },
        Limit {
            key: format!("addr:{address}"),
            max: auth.max_failed_logins_per_address as usize,
            growing: false,
        },
    ]
}

/// A new session for a correct login and password.
pub async fn login(
    state: &AppState,
    login: &str,
    password: String,
    address: Option<&str>,
) -> ApiResult<(String, User, OffsetDateTime)> {
    let limits = login_limits(&state.config.auth, login, address);
    state
        .throttle
        .check(&limits)
        .map_err(ApiError::TooManyRequests)?;
    // A login that no user can have is not looked up (and cannot upset the database).
    let found = if validate_login(login).is_ok() {
        state.store.user_for_login(login).await?
    } else {
        None
    };
    let hash = match &found {
        Some((_, hash)) => hash.clone(),
        None => passwords::dummy_hash().await?,
    };
    let ok = passwords::verify(hash, password).await? && found.is_some();
    let agency = found.as_ref().map(|(u, _)| u.agency);
    let Some((user, _)) = found.filter(|_| ok) else {
        // Failures against a real login go to that agency's audit log.
        let mut a = audit(Actor::Anonymous, agency, "auth.login", address);
        a.outcome = Outcome::Denied;
        a.target = Some(format!("login:{}", login.escape_debug()));
        state.store.audit(&a).await?;
        return Err(ApiError::Unauthorized);
    };
    let [pair, rest @ ..] = &limits;
    let rest: Vec<&str> = rest.iter().map(|l| l.key.as_str()).collect();
    state.throttle.record_success(&[&pair.key], &rest);
    let (token, hash) = tokens::generate(TokenKind::Session);
    let expires =
        OffsetDateTime::now_utc() + Duration::hours(i64::from(state.config.auth.session_hours));
    let a = audit(
        Actor::User(user.id),
        Some(user.agency),
        "auth.login",
        address,
    );
    state
        .store
        .create_session(&hash, user.id, expires, &a)
        .await?;
    Ok((token, user, expires))
}

pub async fn logout(
    state: &AppState,
    token: &str,
    user: &User,
    address: Option<&str>,
) -> ApiResult<()> {
    let a = audit(
        Actor::User(user.id),
        Some(user.agency),
        "auth.logout",
        address,
    );
    state.store.delete_session(&tokens::hash(token), &a).await?;
    Ok(())
}

/// The user a session token belongs to, and when the session expires.
pub async fn session_user(
    state: &AppState,
    token: &str,
) -> ApiResult<Option<(User, OffsetDateTime)>> {
    if TokenKind::of(token) != Some(TokenKind::Session) {
        return Ok(None);
    }
    Ok(state
        .store
        .session_user(&tokens::hash(token), OffsetDateTime::now_utc())
        .await?)
}

/// Issues an API key for a business (subject). The key is returned once and stored hashed.
pub async fn issue_api_key(
    state: &AppState,
    inn: &str,
    actor: Actor,
) -> ApiResult<(ApiKey, String)> {
    let inn = Inn::parse(inn).map_err(|e| ApiError::Unprocessable(e.to_string()))?;
    let (key, hash) = tokens::generate(TokenKind::ApiKey);
    let mut a = audit(actor, None, "api_key.issue", None);
    a.detail = Some(serde_json::json!({ "subject_inn": inn.as_str() }));
    let stored = state.store.create_api_key(inn.as_str(), &hash, &a).await?;
    Ok((stored, key))
}

pub async fn revoke_api_key(state: &AppState, id: uuid::Uuid, actor: Actor) -> ApiResult<()> {
    let mut a = audit(actor, None, "api_key.revoke", None);
    a.target = Some(format!("api_key:{id}"));
    if state
        .store
        .revoke_api_key(id, OffsetDateTime::now_utc(), &a)
        .await?
    {
        Ok(())
    } else {
        Err(ApiError::NotFound)
    }
}

/// The unrevoked API key a secret belongs to.
pub async fn api_key(state: &AppState, secret: &str) -> ApiResult<Option<ApiKey>> {
    if TokenKind::of(secret) != Some(TokenKind::ApiKey) {
        return Ok(None);
    }
    Ok(state
        .store
        .api_key_by_hash(&tokens::hash(secret))
        .await?
        .filter(|k| k.revoked_at.is_none()))
}

/// Who may create an enrollment code for `target`: an admin for anyone of the agency, an inspector
/// for themselves. Refusals are audited.
pub async fn create_enrollment_code(
    state: &AppState,
    caller: Option<&User>,
    target: UserId,
    agency: AgencyId,
    address: Option<&str>,
) -> ApiResult<(String, OffsetDateTime)> {
    let actor = caller.map_or(Actor::Operator, |u| Actor::User(u.id));
    let allowed = policy::may_enroll_for(caller, target);
    let mut a = audit(actor, Some(agency), "enrollment_code.create", address);
    a.target = Some(format!("user:{target}"));
    let Some(target_user) = state.store.get_user(agency, target).await? else {
        a.outcome = Outcome::Denied;
        a.detail = Some(serde_json::json!({ "reason": "no such user in the agency" }));
        state.store.audit(&a).await?;
        return Err(ApiError::NotFound);
    };
    if !allowed {
        a.outcome = Outcome::Denied;
        a.detail = Some(serde_json::json!({ "reason": "only admins enroll devices for others" }));
        state.store.audit(&a).await?;
        return Err(ApiError::Forbidden(
            "код для устройства другого пользователя создаёт только администратор / \
             only an admin may create an enrollment code for another user"
                .into(),
        ));
    }
    if target_user.disabled_at.is_some() {
        return Err(ApiError::Unprocessable(
            "пользователь отключён: устройство для него не подключают / \
             the user is disabled: no device is enrolled for them"
                .into(),
        ));
    }
    if target_user.role != Role::Inspector {
        return Err(ApiError::Unprocessable(
            "устройства подключают только инспекторам / devices are enrolled for inspectors".into(),
        ));
    }
    let (code, hash) = tokens::enrollment_code();
    let expires = OffsetDateTime::now_utc()
        + Duration::hours(i64::from(state.config.auth.enrollment_code_hours));
    state
        .store
        .create_enrollment_code(agency, target, &hash, expires, &a)
        .await?;
    Ok((code, expires))
}

/// The agency's users (admins and auditors).
pub async fn list_users(
    state: &AppState,
    user: &User,
    address: Option<&str>,
) -> ApiResult<Vec<User>> {
    policy::require(state, user, address, Action::ReadUsers, "user.list", || {
        format!("agency:{}", user.agency)
    })
    .await?;
    Ok(state.store.list_users(user.agency).await?)
}

/// One user of the agency: oneself, or anyone for admins and auditors.
pub async fn get_user(
    state: &AppState,
    user: &User,
    address: Option<&str>,
    id: UserId,
) -> ApiResult<User> {
    policy::require_user_read(state, user, address, id).await?;
    match state.store.get_user(user.agency, id).await? {
        Some(u) => Ok(u),
        None => {
            audit_denied(state, user, "user.read", format!("user:{id}"), address).await?;
            Err(ApiError::NotFound)
        }
    }
}

/// A user creates another user of their agency (admins only).
pub async fn create_user_as(
    state: &AppState,
    user: &User,
    address: Option<&str>,
    new: UserForm,
) -> ApiResult<User> {
    policy::require(
        state,
        user,
        address,
        Action::ManageUsers,
        "user.create",
        || format!("login:{}", new.login.escape_debug()),
    )
    .await?;
    create_user(
        state,
        user.agency,
        &new.login,
        new.password,
        new.role,
        Actor::User(user.id),
        address,
    )
    .await
}

/// A user to create: login, password and role.
pub struct UserForm {
    pub login: String,
    pub password: String,
    pub role: Role,
}

/// Without the password.
impl std::fmt::Debug for UserForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserForm")
            .field("login", &self.login)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

/// The agency's audit log, newest first, below the entry `before`, filtered (admins and
/// auditors).
pub async fn read_audit(
    state: &AppState,
    user: &User,
    address: Option<&str>,
    filter: &crate::model::AuditFilter,
    before: Option<i64>,
    limit: u32,
) -> ApiResult<Vec<crate::model::AuditRecord>> {
    policy::require(
        state,
        user,
        address,
        Action::ReadAudit,
        "audit.read",
        || format!("agency:{}", user.agency),
    )
    .await?;
    Ok(state
        .store
        .list_audit(user.agency, filter, before, limit)
        .await?)
}

/// Records a refused action in the audit log.
pub async fn audit_denied(
    state: &AppState,
    user: &User,
    action: &str,
    target: String,
    address: Option<&str>,
) -> ApiResult<()> {
    let mut a = audit(Actor::User(user.id), Some(user.agency), action, address);
    a.outcome = Outcome::Denied;
    a.target = Some(target);
    Ok(state.store.audit(&a).await?)
}
