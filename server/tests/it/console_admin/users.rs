//! Users: created, re-roled, disabled (sessions end at once) and given new passwords.

use knd_server::model::Role;
use knd_tests::admin::PASSWORD;
use knd_tests::console::Browser;

use super::{invalid_field, signed_in};
use crate::common::{Backend, TestServer, audit};
use crate::on_both;

async fn users_are_managed_and_disabled_users_are_out(backend: Backend) {
    let server = TestServer::start(backend).await;
    let s = &server;
    let agency = s.agency("Управление надзора №1").await;
    let (admin_id, _) = s.user(agency, "admin1", Role::Admin).await;
    let (planner_id, planner_token) = s.user(agency, "planner1", Role::Planner).await;
    s.user(agency, "auditor1", Role::Auditor).await;

    let mut admin = signed_in(s, "admin1").await;
    let page = admin.get("/users").await;
    assert_eq!(page.status, 200);
    assert!(page.shows("planner1") && page.shows("Новый пользователь"));

    // Bad input comes back beside its fields, with what was typed.
    let bad = admin
        .post(
            "/users",
            &[("login", "x"), ("role", "reviewer"), ("password", "short")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(invalid_field(&bad, "new-login") && invalid_field(&bad, "new-password"));
    assert!(bad.body.contains("value=\"x\""));
    let taken = admin
        .post(
            "/users",
            &[
                ("login", "planner1"),
                ("role", "reviewer"),
                ("password", "long enough password"),
            ],
        )
        .await;
    assert_eq!(taken.status, 409);
    assert!(invalid_field(&taken, "new-login"));
    let created = admin
        .post(
            "/users",
            &[
                ("login", "reviewer2"),
                ("role", "reviewer"),
                ("password", "long enough password"),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.body);
    assert!(admin.get("/users?created=1").await.shows("reviewer2"));

    // A role change; an admin cannot demote or disable itself.
    admin.get("/users").await;
    let to_reviewer = admin
        .post(
            &format!("/users/{planner_id}/role"),
            &[("role", "reviewer")],
        )
        .await;
    assert_eq!(to_reviewer.status, 303);
    let (_, me) = s.get("/api/v1/auth/me", &planner_token).await;
    assert_eq!(me["role"], "reviewer");
    let demote = admin
        .post(&format!("/users/{admin_id}/role"), &[("role", "auditor")])
        .await;
    assert_eq!(demote.status, 422);
    assert!(demote.shows("нельзя снять с себя роль администратора"));
    let self_off = admin.post(&format!("/users/{admin_id}/disable"), &[]).await;
    assert_eq!(self_off.status, 422);

    // Disabled: the session ends at once, no sign-in; enabled again: signs in.
    let mut p = signed_in(s, "planner1").await;
    assert_eq!(p.get("/").await.status, 200);
    let off = admin
        .post(&format!("/users/{planner_id}/disable"), &[])
        .await;
    assert_eq!(off.status, 303);
    assert_eq!(p.get("/").await.status, 303, "the console session ended");
    let (st, _) = s.get("/api/v1/auth/me", &planner_token).await;
    assert_eq!(st, 401, "the API session ended");
    assert_eq!(
        Browser::new(s).sign_in("planner1", PASSWORD).await.status,
        401
    );
    assert!(admin.get("/users").await.shows("Отключён"));
    let on = admin
        .post(&format!("/users/{planner_id}/enable"), &[])
        .await;
    assert_eq!(on.status, 303);
    let mut p = signed_in(s, "planner1").await;

    // A new password: sessions end, the old password no longer works.
    admin.get("/users").await;
    let short = admin
        .post(
            &format!("/users/{planner_id}/password"),
            &[("password", "short")],
        )
        .await;
    assert_eq!(short.status, 422);
    assert!(short.body.contains("aria-describedby=\"password-"));
    let reset = admin
        .post(
            &format!("/users/{planner_id}/password"),
            &[("password", "a brand new password")],
        )
        .await;
    assert_eq!(reset.status, 303);
    assert_eq!(p.get("/").await.status, 303);
    assert_eq!(
        Browser::new(s).sign_in("planner1", PASSWORD).await.status,
        401
    );
    assert_eq!(
        Browser::new(s)
            .sign_in("planner1", "a brand new password")
            .await
            .status,
        303
    );

    // An auditor reads the list but changes nothing (refused and audited); others see nothing.
    let mut aud = signed_in(s, "auditor1").await;
    let list = aud.get("/users").await;
    assert_eq!(list.status, 200);
    assert!(!list.shows("Новый пользователь"));
    let refused = aud.post(&format!("/users/{planner_id}/disable"), &[]).await;
    assert_eq!(refused.status, 403);
    let mut rev = Browser::new(s);
    assert_eq!(
        rev.sign_in("reviewer2", "long enough password")
            .await
            .status,
        303
    );
    assert_eq!(rev.get("/users").await.status, 403);

    // Each change is in the audit log.
    let admin_token = s.user(agency, "admin2", Role::Admin).await.1;
    let entries = audit(s, &admin_token).await;
    for action in [
        "user.create",
        "user.role",
        "user.disable",
        "user.enable",
        "user.password",
    ] {
        assert!(
            entries
                .iter()
                .any(|e| e["action"] == action && e["outcome"] == "ok"),
            "{action}"
        );
    }
    assert!(
        entries
            .iter()
            .any(|e| e["action"] == "user.disable" && e["outcome"] == "denied")
    );
}
on_both!(users_are_managed_and_disabled_users_are_out);
