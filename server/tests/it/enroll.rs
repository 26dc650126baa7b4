use serde_json::{Value, json};

use crate::common::{Backend, TestServer, audit, world};
use crate::on_both;

async fn post(server: &TestServer, body: Value) -> (u16, Value) {
    let resp = server
        .http
        .post(server.url("/api/v1/devices/enroll"))
        .json(&body)
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

async fn codes_are_single_use_and_expire(backend: Backend) {
    let w = world(backend).await;
    let key = knd_shared::DeviceKey::generate().public_key().to_hex();
    // The world's device used its code; the same code again is refused.
    let code = w.server.code_for("inspector1").await;
    let (status, _) = post(
        &w.server,
        json!({"code": code, "public_key": key, "name": "A"}),
    )
    .await;
    assert_eq!(status, 201);
    let (status, v) = post(
        &w.server,
        json!({"code": code, "public_key": key, "name": "B"}),
    )
    .await;
    assert_eq!(status, 403, "{v}");
    assert_eq!(v["type"], "urn:knd:problem:enrollment-code-used");
    assert!(
        v["detail"]
            .as_str()
            .unwrap()
            .ends_with("/ enrollment code already used"),
        "{v}"
    );
    // Codes are typed by people: case, spaces and dashes do not matter.
    let code = w.server.code_for("inspector1").await;
    let sloppy = code.to_lowercase().replace('-', " ");
    let (status, _) = post(
        &w.server,
        json!({"code": sloppy, "public_key": key, "name": "C"}),
    )
    .await;
    assert_eq!(status, 201);
    let (status, v) = post(
        &w.server,
        json!({"code": "AAAA-BBBB-CCCC", "public_key": key, "name": "D"}),
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(v["type"], "urn:knd:problem:enrollment-code-unknown");
    assert!(
        v["detail"]
            .as_str()
            .unwrap()
            .ends_with("/ unknown enrollment code"),
        "{v}"
    );
}
on_both!(codes_are_single_use_and_expire);

async fn an_expired_code_is_refused(backend: Backend) {
    let w = world(backend).await;
    // A code that expired an hour ago (made through the store: the API only makes fresh ones).
    let past = time::OffsetDateTime::now_utc() - time::Duration::hours(25);
    w.server
        .state
        .store
        .create_enrollment_code(
            w.agency,
            knd_shared::UserId::parse(&w.inspector_id).unwrap(),
            &knd_server::services::tokens::code_hash("EXPI-REDC-ODE2"),
            past,
            &knd_server::services::accounts::audit(
                knd_server::model::Actor::Operator,
                Some(w.agency),
                "enrollment_code.create",
                None,
            ),
        )
        .await
        .unwrap();
    let key = knd_shared::DeviceKey::generate().public_key().to_hex();
    let (status, v) = post(
        &w.server,
        json!({"code": "EXPI-REDC-ODE2", "public_key": key, "name": "A"}),
    )
    .await;
    assert_eq!(status, 403, "{v}");
    assert_eq!(v["type"], "urn:knd:problem:enrollment-code-expired");
    assert!(
        v["detail"]
            .as_str()
            .unwrap()
            .ends_with("/ enrollment code expired"),
        "{v}"
    );
    // Refusals are audited with the address they came from.
    let entries = audit(&w.server, &w.admin).await;
    let refused = entries
        .iter()
        .find(|e| e["action"] == "device.enroll" && e["outcome"] == "denied")
        .expect("the refused enrollment is audited");
    assert_eq!(refused["address"], "127.0.0.1");
}
on_both!(an_expired_code_is_refused);

async fn weak_and_malformed_keys_are_refused(backend: Backend) {
    let w = world(backend).await;
    for key in [
        "0100000000000000000000000000000000000000000000000000000000000000",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "not hex",
        "D75A980182B10AB7D54BFED3C964073A0EE172F3DAA62325AF021A68F707511A",
    ] {
        let code = w.server.code_for("inspector1").await;
        let (status, v) = post(
            &w.server,
            json!({"code": code, "public_key": key, "name": "A"}),
        )
        .await;
        assert_eq!(status, 422, "{key}: {v}");
        // The code was not used up by the refused request.
        let good = knd_shared::DeviceKey::generate().public_key().to_hex();
        let (status, _) = post(
            &w.server,
            json!({"code": code, "public_key": good, "name": "A"}),
        )
        .await;
        assert_eq!(status, 201);
    }
    let code = w.server.code_for("inspector1").await;
    let small = "0100000000000000000000000000000000000000000000000000000000000000";
    let (_, v) = post(
        &w.server,
        json!({"code": code, "public_key": small, "name": "A"}),
    )
    .await;
    assert_eq!(v["detail"], "small-order public key refused");
}
on_both!(weak_and_malformed_keys_are_refused);

async fn guessing_codes_is_throttled(backend: Backend) {
    let w = world(backend).await;
    let key = knd_shared::DeviceKey::generate().public_key().to_hex();
    for i in 0..20 {
        let (status, _) = post(
            &w.server,
            json!({"code": format!("AAAA-BBBB-{i:04}"), "public_key": key, "name": "A"}),
        )
        .await;
        assert_eq!(status, 403);
    }
    let code = w.server.code_for("inspector1").await;
    let (status, v) = post(
        &w.server,
        json!({"code": code, "public_key": key, "name": "A"}),
    )
    .await;
    assert_eq!(status, 429, "{v}");
    assert_eq!(v["type"], "urn:knd:problem:too-many-requests");
}
on_both!(guessing_codes_is_throttled);
