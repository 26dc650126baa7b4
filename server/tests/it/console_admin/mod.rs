//! The console's administration pages over HTTP, on both backends: review flags and their
//! resolutions (audited, once, a held document released only by an acceptance), devices with
//! what they report on sync, enrollment codes and revocation, the audit log's filters and CSV
//! file, and users (create, role, disable, password) with each role's refusals.

mod audit;
mod devices;
mod review;
mod store;
mod users;

use knd_tests::admin::PASSWORD;
use knd_tests::console::{Browser, Page};
use serde_json::Value;

use crate::common::TestServer;

/// A console session of a demo-password user.
pub(super) async fn signed_in(server: &TestServer, login: &str) -> Browser {
    let mut b = Browser::new(server);
    let page = b.sign_in(login, PASSWORD).await;
    assert_eq!(page.status, 303, "{login}: {}", page.body);
    b
}

/// Whether the field `id` is marked invalid and described by its error beside it.
pub(super) fn invalid_field(page: &Page, id: &str) -> bool {
    page.body.contains(&format!("id=\"{id}\""))
        && page
            .body
            .contains(&format!("aria-describedby=\"{id}-error\""))
        && page.body.contains(&format!("id=\"{id}-error\""))
}

/// Waits for the projector to flag every one of `records`.
pub(super) async fn flags_of(server: &TestServer, token: &str, records: &[&str]) -> Value {
    for _ in 0..200 {
        let (st, flags) = server.get("/api/v1/review-flags", token).await;
        assert_eq!(st, 200, "{flags}");
        let seen = flags.as_array().unwrap();
        if records
            .iter()
            .all(|r| seen.iter().any(|f| f["record"] == *r))
        {
            return flags;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the flags did not arrive");
}

/// A user as the store has it.
pub(super) async fn user_named(s: &TestServer, login: &str) -> knd_server::model::User {
    s.state
        .store
        .user_for_login(login)
        .await
        .unwrap()
        .unwrap()
        .0
}
