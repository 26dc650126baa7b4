//! Agencies, users and enrollment codes made straight through `knd_server::admin`, as the
//! operator's command line makes them: no HTTP, so a test starts from a known state quickly.

use knd_server::model::Role;
use knd_server::state::AppState;
use knd_shared::AgencyId;

use crate::client::{Client, text_of};

/// The password of every user the kit creates.
pub const PASSWORD: &str = "correct horse battery";

/// Creates an agency; its id.
///
/// # Panics
/// When the server refuses.
pub async fn agency(state: &AppState, name: &str) -> AgencyId {
    let v = knd_server::admin::create_agency(state, name)
        .await
        .unwrap_or_else(|e| panic!("create agency {name}: {e}"));
    parse_agency(&v)
}

/// Creates a user with [`PASSWORD`]; the user's id.
///
/// # Panics
/// When the server refuses.
pub async fn user(state: &AppState, agency: AgencyId, login: &str, role: Role) -> String {
    let v = knd_server::admin::create_user(state, agency, login, role, PASSWORD.into())
        .await
        .unwrap_or_else(|e| panic!("create user {login}: {e}"));
    text_of(&v, "id")
}

/// Creates a user and signs in over HTTP: the user's id and a session token.
pub async fn user_signed_in(
    state: &AppState,
    client: &Client,
    agency: AgencyId,
    login: &str,
    role: Role,
) -> (String, String) {
    let id = user(state, agency, login, role).await;
    (id, client.login(login).await)
}

/// A one-time enrollment code for the device of `login`.
///
/// # Panics
/// When the server refuses.
pub async fn enrollment_code(state: &AppState, login: &str) -> String {
    let v = knd_server::admin::enrollment_code(state, login)
        .await
        .unwrap_or_else(|e| panic!("enrollment code for {login}: {e}"));
    text_of(&v, "code")
}

fn parse_agency(v: &serde_json::Value) -> AgencyId {
    AgencyId::parse(&text_of(v, "id")).unwrap_or_else(|e| panic!("agency id in {v}: {e}"))
}
