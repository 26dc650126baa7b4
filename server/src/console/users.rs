//! Users (admins change, auditors read): create one with a login, role and first password;
//! change a role; disable (no sign-in, sessions ended, devices keep their records) or enable;
//! set a new password (sessions ended). The services audit each change and refuse an admin
//! demoting or disabling itself.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use knd_shared::UserId;
use serde::Deserialize;

use super::chrome::{Chrome, Failure, PageResult, done, rendered};
use super::format;
use super::session::{Posted, Viewer};
use crate::error::ApiError;
use crate::model::Role;
use crate::services::accounts::{self, MIN_PASSWORD_CHARS, UserForm};
use crate::services::policy::{self, Action};
use crate::services::users::{self, Change};
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/users", get(list).post(create))
        .route("/users/{id}/role", post(set_role))
        .route("/users/{id}/disable", post(disable))
        .route("/users/{id}/enable", post(enable))
        .route("/users/{id}/password", post(set_password))
}

pub(crate) struct RoleOption {
    pub(crate) value: &'static str,
    pub(crate) label: &'static str,
    pub(crate) selected: bool,
}

pub(crate) struct Row {
    pub(crate) n: usize,
    pub(crate) id: String,
    pub(crate) login: String,
    pub(crate) role: &'static str,
    pub(crate) roles: Vec<RoleOption>,
    pub(crate) created: String,
    pub(crate) disabled: Option<String>,
    pub(crate) is_self: bool,
    pub(crate) role_error: Option<String>,
    pub(crate) password_error: Option<String>,
    pub(crate) state_error: Option<String>,
}

/// The creation form as typed, with its errors.
#[derive(Default)]
pub(crate) struct NewForm {
    pub(crate) login: String,
    pub(crate) roles: Vec<RoleOption>,
    pub(crate) login_error: Option<String>,
    pub(crate) role_error: Option<String>,
    pub(crate) password_error: Option<String>,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    chrome: Chrome,
    rows: Vec<Row>,
    may_manage: bool,
    new: NewForm,
    notice: Option<&'static str>,
}

fn role_options(viewer: &Viewer, chosen: Option<Role>) -> Vec<RoleOption> {
    Role::ALL
        .into_iter()
        .map(|r| {
            let (ru, en) = policy::role_title(r);
            RoleOption {
                value: r.as_str(),
                label: viewer.lang.t(ru, en),
                selected: Some(r) == chosen,
            }
        })
        .collect()
}

/// An error sent back beside one field of one user's row.
enum RowError {
    Role(String),
    Password(String),
    State(String),
}

async fn render(
    state: &AppState,
    viewer: &Viewer,
    status: StatusCode,
    new: Option<NewForm>,
    row_error: Option<(UserId, RowError)>,
    notice: Option<&'static str>,
) -> PageResult {
    let lang = viewer.lang;
    let list = accounts::list_users(state, &viewer.user, viewer.address()).await?;
    let rows = list
        .into_iter()
        .enumerate()
        .map(|(n, u)| {
            let (ru, en) = policy::role_title(u.role);
            let mut row = Row {
                n,
                id: u.id.to_string(),
                login: u.login,
                role: lang.t(ru, en),
                roles: role_options(viewer, Some(u.role)),
                created: format::datetime(&state.zone, u.created_at),
                disabled: u.disabled_at.map(|t| format::datetime(&state.zone, t)),
                is_self: u.id == viewer.user.id,
                role_error: None,
                password_error: None,
                state_error: None,
            };
            if let Some((id, e)) = &row_error {
                if *id == u.id {
                    match e {
                        RowError::Role(m) => row.role_error = Some(m.clone()),
                        RowError::Password(m) => row.password_error = Some(m.clone()),
                        RowError::State(m) => row.state_error = Some(m.clone()),
                    }
                }
            }
            row
        })
        .collect();
    let new = new.unwrap_or_else(|| NewForm {
        roles: role_options(viewer, Some(Role::Inspector)),
        ..NewForm::default()
    });
    let t = UsersPage {
        chrome: Chrome::new(state, viewer, "/users"),
        rows,
        may_manage: viewer.may(Action::ManageUsers),
        new,
        notice,
    };
    Ok(rendered(status, &t))
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct ListQuery {
    created: Option<String>,
    changed: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let lang = viewer.lang;
    let notice = if q.created.is_some() {
        Some(lang.t("Пользователь создан.", "The user was created."))
    } else if q.changed.is_some() {
        Some(lang.t("Изменение сохранено.", "The change was saved."))
    } else {
        None
    };
    render(&state, &viewer, StatusCode::OK, None, None, notice).await
}

fn password_error(viewer: &Viewer, p: &str) -> Option<String> {
    (p.chars().count() < MIN_PASSWORD_CHARS).then(|| {
        format!(
            "{} {MIN_PASSWORD_CHARS} {}",
            viewer
                .lang
                .t("пароль — не короче", "a password has at least"),
            viewer.lang.t("символов", "characters")
        )
    })
}

#[derive(Debug, Deserialize)]
pub(super) struct CreateForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    password: String,
}

async fn create(State(state): State<AppState>, posted: Posted<CreateForm>) -> PageResult {
    let Posted { viewer, form } = posted;
    let lang = viewer.lang;
    let login = form.login.trim().to_owned();
    let role = Role::parse(&form.role);
    let mut new = NewForm {
        login: login.clone(),
        roles: role_options(&viewer, role),
        ..NewForm::default()
    };
    if accounts::validate_login(&login).is_err() {
        new.login_error = Some(
            lang.t(
                "логин — от 3 до 64 букв, цифр или . - _ @",
                "a login is 3 to 64 letters, digits or . - _ @",
            )
            .to_owned(),
        );
    }
    if role.is_none() {
        new.role_error = Some(lang.t("выберите роль", "choose a role").to_owned());
    }
    new.password_error = password_error(&viewer, &form.password);
    let (Some(role), None, None) = (role, &new.login_error, &new.password_error) else {
        return render(
            &state,
            &viewer,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(new),
            None,
            None,
        )
        .await;
    };
    let asked = UserForm {
        login,
        password: form.password,
        role,
    };
    match accounts::create_user_as(&state, &viewer.user, viewer.address(), asked).await {
        Ok(_) => Ok(done("/users?created=1")),
        Err(e @ ApiError::Constraint(_)) => {
            new.login_error = Some(lang.pick(&e.to_string()));
            render(&state, &viewer, StatusCode::CONFLICT, Some(new), None, None).await
        }
        Err(ApiError::Unprocessable(m)) => {
            new.login_error = Some(lang.pick(&m));
            render(
                &state,
                &viewer,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(new),
                None,
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

fn user_id(id: &str) -> Result<UserId, Failure> {
    UserId::parse(id).map_err(|_| Failure::from(ApiError::NotFound))
}

/// Applies a change; a refusal in words comes back beside the row's field.
async fn apply(
    state: &AppState,
    viewer: &Viewer,
    id: UserId,
    change: Change,
    beside: fn(String) -> RowError,
) -> PageResult {
    match users::change(state, &viewer.user, viewer.address(), id, change).await {
        Ok(_) => Ok(done("/users?changed=1")),
        Err(ApiError::Unprocessable(m)) => {
            let e = beside(viewer.lang.pick(&m));
            render(
                state,
                viewer,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some((id, e)),
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct RoleForm {
    #[serde(default)]
    role: String,
}

async fn set_role(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted<RoleForm>,
) -> PageResult {
    let Posted { viewer, form } = posted;
    let id = user_id(&id)?;
    let Some(role) = Role::parse(&form.role) else {
        let e = RowError::Role(viewer.lang.t("выберите роль", "choose a role").to_owned());
        return render(
            &state,
            &viewer,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            Some((id, e)),
            None,
        )
        .await;
    };
    apply(&state, &viewer, id, Change::Role(role), RowError::Role).await
}

#[derive(Debug, Deserialize)]
pub(super) struct Nothing {}

async fn disable(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted<Nothing>,
) -> PageResult {
    let id = user_id(&id)?;
    apply(&state, &posted.viewer, id, Change::Disable, RowError::State).await
}

async fn enable(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted<Nothing>,
) -> PageResult {
    let id = user_id(&id)?;
    apply(&state, &posted.viewer, id, Change::Enable, RowError::State).await
}

#[derive(Deserialize)]
pub(super) struct PasswordForm {
    #[serde(default)]
    password: String,
}

async fn set_password(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted<PasswordForm>,
) -> PageResult {
    let Posted { viewer, form } = posted;
    let id = user_id(&id)?;
    // The role is checked (and a refusal audited) before the password's length is judged.
    if viewer.may(Action::ManageUsers) {
        if let Some(e) = password_error(&viewer, &form.password) {
            let e = RowError::Password(e);
            return render(
                &state,
                &viewer,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some((id, e)),
                None,
            )
            .await;
        }
    }
    apply(
        &state,
        &viewer,
        id,
        Change::Password(form.password),
        RowError::Password,
    )
    .await
}
