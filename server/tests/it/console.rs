//! The console's frame over HTTP: signing in through the form (with its own CSRF token), the
//! session's expiry in the header, each role's sections, refusals of forged and foreign posts,
//! the security headers, the language switch and signing out.

use knd_server::model::Role;
use knd_tests::admin::PASSWORD;
use knd_tests::console::Browser;

use crate::common::{Backend, TestServer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_frame() {
    let server = TestServer::start(Backend::Sqlite).await;
    let agency = server.agency("Управление надзора №1").await;
    for (login, role) in [
        ("admin1", Role::Admin),
        ("planner1", Role::Planner),
        ("inspector1", Role::Inspector),
        ("auditor1", Role::Auditor),
    ] {
        server.user(agency, login, role).await;
    }

    // A stranger is sent to the login form, and back afterwards.
    let mut b = Browser::new(&server);
    let page = b.get("/registry?q=7700").await;
    assert_eq!(page.status, 303);
    assert_eq!(
        page.location.as_deref(),
        Some("/login?next=%2Fregistry%3Fq%3D7700")
    );
    // Even to a page that does not exist: which pages exist is not told to strangers.
    assert_eq!(b.get("/no-such-page").await.status, 303);

    // The login form's token must come with the post.
    let form = b.get("/login?next=%2Fregistry").await;
    assert_eq!(form.status, 200);
    let forged = b
        .post_raw(
            "/login",
            &[
                ("login", "planner1"),
                ("password", PASSWORD),
                ("_csrf", "0"),
            ],
        )
        .await;
    assert_eq!(forged.status, 403);
    assert!(forged.shows("форма входа устарела"), "{}", forged.body);

    // A wrong password: said in words, the login kept.
    b.get("/login").await;
    let wrong = b
        .post(
            "/login",
            &[("login", "planner1"), ("password", "wrong password")],
        )
        .await;
    assert_eq!(wrong.status, 401);
    assert!(wrong.shows("неверный логин или пароль"));
    assert!(wrong.body.contains("value=\"planner1\""));

    // The right one goes where the browser was going.
    let ok = b
        .post(
            "/login",
            &[
                ("login", "planner1"),
                ("password", PASSWORD),
                ("next", "/registry"),
            ],
        )
        .await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    assert_eq!(ok.location.as_deref(), Some("/registry"));
    // Never to another site.
    let mut other = Browser::new(&server);
    other.get("/login").await;
    let away = other
        .post(
            "/login",
            &[
                ("login", "planner1"),
                ("password", PASSWORD),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(away.location.as_deref(), Some("/"));

    // Today, with the session's end and the planner's sections.
    let today = b.get("/").await;
    assert_eq!(today.status, 200);
    assert!(today.shows("Сеанс до"));
    assert!(today.shows("Планировщик"));
    assert!(today.shows("Реестр") && today.shows("Проверки") && today.shows("На рассмотрение"));
    assert!(!today.shows("Журнал аудита") && !today.shows("Пользователи"));

    // The headers of a page.
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let resp = http.get(server.url("/login")).send().await.unwrap();
    let h = resp.headers();
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"));
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["x-frame-options"], "DENY");
    assert_eq!(h["referrer-policy"], "same-origin");
    assert_eq!(h["cache-control"], "no-store");
    let cookie = h["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));

    // A forged post (no token) and a post from another site are refused; the session lives on.
    let forged = b.post_raw("/logout", &[]).await;
    assert_eq!(forged.status, 403);
    assert!(forged.shows("форма устарела"));
    b.get("/").await;
    let foreign = b.post_from("http://evil.example", "/logout", &[]).await;
    assert_eq!(foreign.status, 403);
    assert!(foreign.shows("с другого сайта"));
    assert_eq!(b.get("/").await.status, 200);

    // English, and back.
    let switched = b.get("/lang/en?back=%2F").await;
    assert_eq!(switched.status, 303);
    let english = b.get("/").await;
    assert!(english.shows("Session until") && english.shows("Registry"));
    b.get("/lang/ru?back=%2F").await;

    // Each role's sections.
    for (login, shown, hidden) in [
        (
            "admin1",
            &["Устройства", "Журнал аудита", "Пользователи"][..],
            &[][..],
        ),
        (
            "inspector1",
            &["Проверки", "Устройства"],
            &["Журнал аудита", "На рассмотрение"],
        ),
        ("auditor1", &["Журнал аудита", "Пользователи"], &[]),
    ] {
        let mut u = Browser::new(&server);
        assert_eq!(u.sign_in(login, PASSWORD).await.status, 303);
        let page = u.get("/").await;
        for s in shown {
            assert!(page.shows(s), "{login} sees {s}");
        }
        for s in hidden {
            assert!(!page.shows(s), "{login} does not see {s}");
        }
    }

    // A page that does not exist, signed in: "not found", as a page.
    let missing = b.get("/no-such-page").await;
    assert_eq!(missing.status, 404);
    assert!(missing.shows("не найдено"));

    // Signing out ends the session.
    b.get("/").await;
    let out = b.post("/logout", &[]).await;
    assert_eq!(out.status, 303);
    assert_eq!(b.get("/").await.status, 303);
}

/// Review mends: a disabled inspector's tablet stops acting for them (pull, push), no code or
/// assignment is made for them, and a cookie-authenticated API call from another site is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disabled_inspectors_tablet_stops_and_cookie_calls_need_this_site() {
    let w = crate::common::world(Backend::Sqlite).await;
    let s = &w.server;
    let (st, _) = s.get("/api/v1/sync/pull", &w.device.token).await;
    assert_eq!(st, 200);

    // From another site, with the admin's session cookie: refused before anything changes.
    let mut admin = Browser::new(s);
    assert_eq!(admin.sign_in("admin1", PASSWORD).await.status, 303);
    let path = format!("/api/v1/users/{}/disable", w.inspector_id);
    let foreign = admin.post_from("http://evil.example", &path, &[]).await;
    assert_eq!(foreign.status, 403, "{}", foreign.body);
    let (st, _) = s.get("/api/v1/sync/pull", &w.device.token).await;
    assert_eq!(st, 200, "still enabled");

    // The admin disables the inspector (bearer token: a script, not a page).
    let (st, body) = s
        .send(
            reqwest::Method::POST,
            &path,
            &w.admin,
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(st, 200, "{body}");
    let (st, body) = s.get("/api/v1/sync/pull", &w.device.token).await;
    assert_eq!(st, 403, "{body}");
    assert!(
        body["detail"].as_str().unwrap().contains("отключён"),
        "{body}"
    );
    let mut device = w.device;
    let record = device.finding(1);
    let (st, _) = s.push(&device, &[record]).await;
    assert_eq!(st, 403);

    // No enrollment code for a disabled user.
    let (st, body) = s
        .send(
            reqwest::Method::POST,
            "/api/v1/enrollment-codes",
            &w.admin,
            &serde_json::json!({ "user_id": w.inspector_id }),
        )
        .await;
    assert_eq!(st, 422, "{body}");
}
