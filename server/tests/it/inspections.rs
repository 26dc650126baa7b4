//! Inspections: validation against the registry and the law's terms, roles, the status machine,
//! and risk decisions.

use reqwest::Method;
use serde_json::json;

use crate::common::Backend;
use crate::field::{OTHER_SUBJECT, SUBJECT, field};
use crate::on_both;

async fn created_validated_and_moved(backend: Backend) {
    let f = field(backend).await;
    let me = f.w.inspector_id.as_str();
    let refused = [
        (json!({"subject_inn": "7707083894"}), "no subject"),
        (json!({"objects": ["OBJ-3"]}), "another subject"),
        (json!({"objects": ["OBJ-404"]}), "no such object"),
        (json!({"checklist": null}), "needs a checklist"),
        (json!({"checklist": "nope"}), "no checklist"),
        // 1–15 December 2026 is 11 working days; a field check lasts at most 10 (ст.73).
        (json!({"ends_on": "2026-12-15"}), "at most 10 working days"),
        (json!({"ends_on": "2026-11-30"}), "before"),
        (
            json!({"inspectors": [f.w.server.state.server.identity.device.to_string()]}),
            "not an active inspector",
        ),
        (json!({"inspectors": []}), "at least one inspector"),
        (
            json!({"starts_on": "2028-01-11", "ends_on": "2028-01-12"}),
            "calendar",
        ),
        // An inspection visit: one working day per place, so two places get at most two.
        (
            json!({"kind": "inspection_visit", "ends_on": "2026-12-03"}),
            "at most 2 working days",
        ),
    ];
    for (extra, why) in refused {
        let (st, v) = f
            .inspection(SUBJECT, &["OBJ-1", "OBJ-2"], &[me], extra.clone())
            .await;
        assert_eq!(st, 422, "{extra} should be refused: {v}");
        assert!(
            v["detail"].as_str().unwrap().contains(why),
            "{extra}: {why:?} not in {v}"
        );
    }
    // An inspection visit of two places may last two working days (1–2 December).
    let (st, v) = f
        .inspection(
            SUBJECT,
            &["OBJ-1", "OBJ-2"],
            &[me],
            json!({"kind": "inspection_visit", "ends_on": "2026-12-02", "checklist": null}),
        )
        .await;
    assert_eq!(st, 201, "{v}");
    // Nothing refused was stored: only the visit is listed.
    let (st, list) = f.w.server.get("/api/v1/inspections", &f.w.admin).await;
    assert_eq!(st, 200);
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");

    let (st, draft) = f
        .inspection(SUBJECT, &["OBJ-1"], &[], json!({"status": "draft"}))
        .await;
    assert_eq!(st, 201, "a draft needs no inspector yet: {draft}");
    let id = draft["id"].as_str().unwrap();
    assert_eq!(draft["status"], "draft");
    // draft → completed skips steps.
    let (st, v) = f.set_status(id, "completed", None).await;
    assert_eq!(st, 409, "{v}");
    let (st, v) = f.set_status(id, "scheduled", None).await;
    assert_eq!(st, 422, "scheduling needs an inspector: {v}");
    let (st, v) = f.patch(id, json!({"inspectors": [me]})).await;
    assert_eq!(st, 200, "{v}");
    let (st, v) = f.set_status(id, "scheduled", None).await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["status"], "scheduled");
    let (st, v) = f.set_status(id, "cancelled", None).await;
    assert_eq!(st, 422, "cancelling needs a reason: {v}");
    let (st, v) = f
        .set_status(id, "cancelled", Some("Отозвано прокуратурой"))
        .await;
    assert_eq!(st, 200, "{v}");
    let (st, v) = f.set_status(id, "scheduled", None).await;
    assert_eq!(st, 409, "cancelled is final: {v}");
    let (st, v) = f.patch(id, json!({"starts_on": "2026-12-02"})).await;
    assert_eq!(st, 409, "{v}");

    // Inspectors see their own assignments only and change nothing.
    let other = f.scheduled(&["OBJ-1"], &[&f.inspector2_id]).await;
    let (st, _) =
        f.w.server
            .get(&format!("/api/v1/inspections/{other}"), &f.w.inspector)
            .await;
    assert_eq!(st, 404);
    let (st, mine) =
        f.w.server
            .get("/api/v1/inspections?limit=500", &f.w.inspector)
            .await;
    assert_eq!(st, 200);
    assert!(
        mine["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["inspectors"].as_array().unwrap().contains(&json!(me))),
        "{mine}"
    );
    let (st, _) =
        f.w.server
            .send(
                Method::POST,
                "/api/v1/inspections",
                &f.w.inspector,
                &json!({}),
            )
            .await;
    assert!(st == 403 || st == 422, "{st}");
    let (st, _) =
        f.w.server
            .send(
                Method::POST,
                &format!("/api/v1/inspections/{other}/status"),
                &f.w.inspector,
                &json!({"status": "cancelled", "reason": "x"}),
            )
            .await;
    assert_eq!(st, 403);

    // Filters and keyset pages.
    let (_, by_status) =
        f.w.server
            .get("/api/v1/inspections?status=cancelled", &f.w.admin)
            .await;
    assert_eq!(by_status["items"].as_array().unwrap().len(), 1);
    let mut seen = Vec::new();
    let mut path = "/api/v1/inspections?limit=1".to_owned();
    loop {
        let (st, page) = f.w.server.get(&path, &f.w.admin).await;
        assert_eq!(st, 200, "{page}");
        for i in page["items"].as_array().unwrap() {
            seen.push(i["id"].as_str().unwrap().to_owned());
        }
        match page["next"].as_str() {
            Some(n) => path = format!("/api/v1/inspections?limit=1&after={n}"),
            None => break,
        }
    }
    let mut unique = seen.clone();
    unique.dedup();
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert_eq!(unique.len(), 3);

    // An inspection of the other subject with its own object.
    let (st, v) = f
        .inspection(OTHER_SUBJECT, &["OBJ-3"], &[me], json!({}))
        .await;
    assert_eq!(st, 201, "{v}");
}
on_both!(created_validated_and_moved);

async fn risk_decisions_have_a_date_and_reason(backend: Backend) {
    let f = field(backend).await;
    let s = &f.w.server;
    let (st, v) = s
        .send(
            Method::PUT,
            "/api/v1/objects/OBJ-2/risk",
            &f.w.admin,
            &json!({"category": "significant", "decided_on": "2026-11-20",
                    "reason": "Класс функциональной пожарной опасности Ф3.1, площадь более 1000 м²",
                    "attributes": {"area_m2": 1200, "storeys": 3}}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["risk_category"], "significant");
    assert_eq!(v["risk_decided_on"], "2026-11-20");
    assert_eq!(v["attributes"]["storeys"], 3);
    let (_, list) = s.get("/api/v1/objects?limit=10", &f.w.admin).await;
    let obj = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["object_key"] == "OBJ-2")
        .unwrap()
        .clone();
    assert!(obj["risk_reason"].as_str().unwrap().contains("Ф3.1"));
    for bad in [
        json!({"category": "catastrophic", "decided_on": "2026-11-20", "reason": "x"}),
        json!({"category": "low", "decided_on": "2026-11-20", "reason": ""}),
        json!({"category": "low", "decided_on": "20.11.2026", "reason": "x"}),
        json!({"category": "low", "decided_on": "2026-11-20", "reason": "x", "attributes": [1]}),
    ] {
        let (st, v) = s
            .send(Method::PUT, "/api/v1/objects/OBJ-2/risk", &f.w.admin, &bad)
            .await;
        assert!(st == 400 || st == 422, "{bad}: {st} {v}");
    }
    let (st, _) = s
        .send(
            Method::PUT,
            "/api/v1/objects/OBJ-404/risk",
            &f.w.admin,
            &json!({"category": "low", "decided_on": "2026-11-20", "reason": "x"}),
        )
        .await;
    assert_eq!(st, 404);
    let (st, _) = s
        .send(
            Method::PUT,
            "/api/v1/objects/OBJ-2/risk",
            &f.w.inspector,
            &json!({"category": "low", "decided_on": "2026-11-20", "reason": "x"}),
        )
        .await;
    assert_eq!(st, 403);
    // The refused attempts changed nothing.
    let obj = object(s, &f.w.admin, "OBJ-2").await;
    assert_eq!(obj["risk_category"], "significant");

    // A re-import with the same category keeps the decision; a new category without a decision
    // clears it (it described the old one); a file may carry decisions.
    let head = "object_key,subject_inn,control_type,address,district,lat,lon,risk_category";
    let row = "OBJ-2,7707083893,fire,Москва ул. Вавилова 20,Гагаринский,,";
    import(s, &f.w.admin, &format!("{head}\n{row},significant\n")).await;
    assert_eq!(
        object(s, &f.w.admin, "OBJ-2").await["risk_decided_on"],
        "2026-11-20"
    );
    import(s, &f.w.admin, &format!("{head}\n{row},high\n")).await;
    let obj = object(s, &f.w.admin, "OBJ-2").await;
    assert_eq!(obj["risk_category"], "high");
    assert_eq!(obj["risk_decided_on"], serde_json::Value::Null);
    import(
        s,
        &f.w.admin,
        &format!("{head},risk_decided_on,risk_reason\n{row},medium,2026-11-21,Решение № 15: тяжесть 2 × вероятность 3\n"),
    )
    .await;
    let obj = object(s, &f.w.admin, "OBJ-2").await;
    assert_eq!(obj["risk_category"], "medium");
    assert_eq!(obj["risk_decided_on"], "2026-11-21");
    assert_eq!(
        obj["attributes"]["storeys"], 3,
        "attributes survive a re-import"
    );
}

async fn object(s: &crate::common::TestServer, token: &str, key: &str) -> serde_json::Value {
    let (_, list) = s.get("/api/v1/objects?limit=10", token).await;
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["object_key"] == key)
        .unwrap()
        .clone()
}

async fn import(s: &crate::common::TestServer, token: &str, csv: &str) {
    let resp = s
        .http
        .post(s.url("/api/v1/import/objects"))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(csv.to_owned())
        .send()
        .await
        .unwrap();
    let report: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(report["refused"], json!([]), "{report}");
}
on_both!(risk_decisions_have_a_date_and_reason);

async fn one_subject_and_object_by_form(backend: Backend) {
    let f = field(backend).await;
    let s = &f.w.server;
    let (st, v) = s
        .send(
            Method::PUT,
            "/api/v1/subjects/500100732259",
            &f.w.admin,
            &json!({"ogrn": "304500116000157", "name": "ИП Петров П. П.", "size_class": "micro"}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["size_class"], "micro");
    let (st, v) = s
        .send(Method::PUT, "/api/v1/objects/OBJ-9", &f.w.admin,
              &json!({"subject_inn": "500100732259", "control_type": "fire", "address": "Подольск, ул. Ленина, 1",
                      "district": "Подольск", "lat_e7": 554_300_000, "lon_e7": 375_400_000, "risk_category": "moderate"}))
        .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["lat_e7"], 554_300_000);
    // Updating keeps one object.
    let (st, v) = s
        .send(Method::PUT, "/api/v1/objects/OBJ-9", &f.w.admin,
              &json!({"subject_inn": "500100732259", "control_type": "fire", "address": "Подольск, ул. Ленина, 3",
                      "district": "Подольск"}))
        .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(
        object(s, &f.w.admin, "OBJ-9").await["address"],
        "Подольск, ул. Ленина, 3"
    );
    for (path, body) in [
        (
            "/api/v1/subjects/7707083894",
            json!({"name": "x", "size_class": "small"}),
        ),
        (
            "/api/v1/subjects/500100732259",
            json!({"name": "x", "size_class": "huge"}),
        ),
        (
            "/api/v1/subjects/500100732259",
            json!({"name": "", "size_class": "small"}),
        ),
        (
            "/api/v1/objects/OBJ-10",
            json!({"subject_inn": "7702070139", "control_type": "fire", "address": "a", "district": "d"}),
        ),
        (
            "/api/v1/objects/OBJ-10",
            json!({"subject_inn": "500100732259", "control_type": "gas", "address": "a", "district": "d"}),
        ),
        (
            "/api/v1/objects/OBJ-10",
            json!({"subject_inn": "500100732259", "control_type": "fire", "address": "a", "district": "d", "lat_e7": 954_300_000, "lon_e7": 1}),
        ),
        (
            "/api/v1/objects/OBJ-10",
            json!({"subject_inn": "500100732259", "control_type": "fire", "address": "a", "district": "d", "lat_e7": 1}),
        ),
    ] {
        let (st, v) = s.send(Method::PUT, path, &f.w.admin, &body).await;
        assert_eq!(st, 422, "{path} {body}: {v}");
    }
    let (st, _) = s
        .send(
            Method::PUT,
            "/api/v1/subjects/500100732259",
            &f.w.inspector,
            &json!({"name": "x", "size_class": "small"}),
        )
        .await;
    assert_eq!(st, 403);
    let (_, list) = s.get("/api/v1/objects?limit=100", &f.w.admin).await;
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        4,
        "only OBJ-9 was added: {list}"
    );
}
on_both!(one_subject_and_object_by_form);
