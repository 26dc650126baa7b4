use knd_server::model::Role;
use serde_json::{Value, json};

use crate::common::{Backend, world};
use crate::on_both;

async fn send(
    w: &crate::common::World,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<(&str, Vec<u8>)>,
) -> (u16, Value) {
    let mut req = w
        .server
        .http
        .request(method, w.server.url(path))
        .bearer_auth(token);
    if let Some((ct, bytes)) = body {
        req = req.header("content-type", ct).body(bytes);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

const SUBJECTS: &str = "inn,ogrn,name,size_class
7707083893,1027700132195,ПАО Сбербанк,large
7736207543,,ООО «Яндекс»,large
7707083894,,Неверный ИНН,small
500100732259,304500116000157,ИП Петров,micro
7736207543,,Дубль,small
1234567890,,,medium
";

const OBJECTS: &str = "object_key,subject_inn,control_type,address,district,lat,lon,risk_category
OBJ-1,7707083893,fire,Москва ул. Вавилова 19,Гагаринский,55.7008,37.5866,high
OBJ-2,7707083893,fire,Москва ул. Вавилова 20,Гагаринский,,,
OBJ-3,7736207543,fire,Москва ул. Льва Толстого 16,Хамовники,55.7339,37.5885,significant
OBJ-4,7736207543,gas,Москва,Хамовники,,,
OBJ-5,7702070139,fire,Москва,Хамовники,,,
OBJ-6,500100732259,fire,Подольск,Подольск,95.1,37.5,
OBJ-7,500100732259,fire,Подольск,Подольск,55.4,,
OBJ-8,500100732259,fire,Подольск,Подольск,55.4,37.5,catastrophic
";

fn lines(report: &Value) -> Vec<(u64, String)> {
    report["refused"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["line"].as_u64().unwrap(),
                r["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn csv_import_reports_bad_rows_and_is_idempotent(backend: Backend) {
    let w = world(backend).await;
    use reqwest::Method;
    let (status, t) = send(
        &w,
        Method::PUT,
        "/api/v1/control-types/fire",
        &w.admin,
        Some((
            "application/json",
            r#"{"name":"Федеральный государственный пожарный надзор"}"#
                .as_bytes()
                .to_vec(),
        )),
    )
    .await;
    assert_eq!(status, 200, "{t}");
    assert_eq!(t["rules"]["objection_filing_days"], 15, "the default rules");
    // Rules the law does not allow are refused.
    let (status, _) = send(&w, Method::PUT, "/api/v1/control-types/bad", &w.admin, Some(("application/json", serde_json::to_vec(&json!({"name": "X", "rules": {"categories": ["high"], "periodicity": {}, "objection_filing_days": 15, "objection_decision_days": 30, "appeal_decision_working_days": 20, "appeal_extension_working_days": 20, "appeal_suspension_working_days": 2, "self_assessment_threshold_percent": 100}})).unwrap()))).await;
    assert_eq!(status, 422);
    let (status, _) = send(
        &w,
        Method::PUT,
        "/api/v1/control-types/gas2",
        &w.inspector,
        Some(("application/json", br#"{"name":"x"}"#.to_vec())),
    )
    .await;
    assert_eq!(status, 403);

    let (status, report) = send(
        &w,
        Method::POST,
        "/api/v1/import/subjects",
        &w.admin,
        Some(("text/csv", SUBJECTS.as_bytes().to_vec())),
    )
    .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["inserted"], 3);
    assert_eq!(report["updated"], 0);
    let refused = lines(&report);
    assert_eq!(
        refused.iter().map(|r| r.0).collect::<Vec<_>>(),
        [4, 6, 7],
        "{refused:?}"
    );
    assert!(refused[0].1.contains("check digit"), "{refused:?}");
    assert!(refused[1].1.contains("already on line 3"), "{refused:?}");
    assert!(
        refused[2].1.contains("check digit") || refused[2].1.contains("name is empty"),
        "{refused:?}"
    );

    let (status, report) = send(
        &w,
        Method::POST,
        "/api/v1/import/objects",
        &w.admin,
        Some(("text/csv", OBJECTS.as_bytes().to_vec())),
    )
    .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["inserted"], 3, "{report}");
    let refused = lines(&report);
    assert_eq!(
        refused.iter().map(|r| r.0).collect::<Vec<_>>(),
        [5, 6, 7, 8, 9],
        "{refused:?}"
    );
    assert!(refused[0].1.contains("unknown control type \"gas\""));
    assert!(
        refused[1].1.contains("no subject with INN 7702070139"),
        "{refused:?}"
    );
    assert!(refused[2].1.contains("out of range"));
    assert!(refused[3].1.contains("both lat and lon"));
    assert!(refused[4].1.contains("unknown risk category"));

    // The good rows are there, with exact coordinates.
    let (_, page) = send(
        &w,
        Method::GET,
        "/api/v1/objects?district=%D0%A5%D0%B0%D0%BC%D0%BE%D0%B2%D0%BD%D0%B8%D0%BA%D0%B8",
        &w.inspector,
        None,
    )
    .await;
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["object_key"], "OBJ-3");
    assert_eq!(items[0]["lat_e7"], 557_339_000);
    assert_eq!(items[0]["risk_category"], "significant");

    // Re-importing updates, never duplicates.
    let (_, again) = send(
        &w,
        Method::POST,
        "/api/v1/import/subjects",
        &w.admin,
        Some(("text/csv", SUBJECTS.as_bytes().to_vec())),
    )
    .await;
    assert_eq!(
        (again["inserted"].as_u64(), again["updated"].as_u64()),
        (Some(0), Some(3))
    );
    // (A comma inside a field needs quotes; an unquoted one is a refused row, checked below.)
    let changed = OBJECTS.replace(
        "Москва ул. Вавилова 20,",
        "\"Москва ул. Вавилова 20, корп. 2\",",
    );
    let (_, again) = send(
        &w,
        Method::POST,
        "/api/v1/import/objects",
        &w.admin,
        Some(("text/csv", changed.into_bytes())),
    )
    .await;
    assert_eq!(
        (again["inserted"].as_u64(), again["updated"].as_u64()),
        (Some(0), Some(3))
    );
    let (_, all) = send(&w, Method::GET, "/api/v1/objects?limit=2", &w.admin, None).await;
    assert_eq!(all["items"].as_array().unwrap().len(), 2);
    assert_eq!(all["next"], "OBJ-2");
    assert_eq!(
        all["items"][1]["address"],
        "Москва ул. Вавилова 20, корп. 2"
    );
    let (_, rest) = send(
        &w,
        Method::GET,
        "/api/v1/objects?limit=2&after=OBJ-2",
        &w.admin,
        None,
    )
    .await;
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    assert_eq!(rest["next"], Value::Null);
    let (_, subjects) = send(&w, Method::GET, "/api/v1/subjects", &w.admin, None).await;
    assert_eq!(subjects["items"].as_array().unwrap().len(), 3);

    let (_, shifted) = send(&w, Method::POST, "/api/v1/import/objects", &w.admin, Some(("text/csv", "object_key,subject_inn,control_type,address,district,lat,lon,risk_category\nOBJ-1,7707083893,fire,Москва, ул. Вавилова 19,Гагаринский,,,\n".as_bytes().to_vec()))).await;
    assert_eq!(
        lines(&shifted),
        [(
            2,
            "expected 8 fields, found 9 (quote fields with commas)".to_owned()
        )]
    );

    // All or nothing: one bad row keeps the file out.
    let (_, strict) = send(
        &w,
        Method::POST,
        "/api/v1/import/subjects?mode=all_or_nothing",
        &w.admin,
        Some((
            "text/csv",
            "inn,ogrn,name,size_class\n7702070139,,ВТБ,large\n7707083894,,Bad,small\n"
                .as_bytes()
                .to_vec(),
        )),
    )
    .await;
    assert_eq!(strict["inserted"], 0);
    assert_eq!(lines(&strict).len(), 1);
    let (_, subjects) = send(&w, Method::GET, "/api/v1/subjects", &w.admin, None).await;
    assert_eq!(subjects["items"].as_array().unwrap().len(), 3);

    // A file without the columns is refused as a whole; other agencies see nothing; inspectors
    // cannot import.
    let (status, v) = send(
        &w,
        Method::POST,
        "/api/v1/import/subjects",
        &w.admin,
        Some(("text/csv", b"name\nX\n".to_vec())),
    )
    .await;
    assert_eq!(status, 422, "{v}");
    let (status, _) = send(
        &w,
        Method::POST,
        "/api/v1/import/subjects",
        &w.inspector,
        Some(("text/csv", SUBJECTS.as_bytes().to_vec())),
    )
    .await;
    assert_eq!(status, 403);
    let other = w.server.agency("Другое").await;
    let (_, other_admin) = w.server.user(other, "admin2", Role::Admin).await;
    let (_, subjects) = send(&w, Method::GET, "/api/v1/subjects", &other_admin, None).await;
    assert_eq!(subjects["items"], json!([]));
    let (_, objects) = send(&w, Method::GET, "/api/v1/objects", &other_admin, None).await;
    assert_eq!(objects["items"], json!([]));
}
on_both!(csv_import_reports_bad_rows_and_is_idempotent);

async fn requirements_and_checklists(backend: Backend) {
    let w = world(backend).await;
    use reqwest::Method;
    let put = |path: String, token: String, body: Value| {
        let http = w.server.http.clone();
        let url = w.server.url(&path);
        async move {
            let resp = http
                .put(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = resp.status().as_u16();
            (status, resp.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let (status, _) = put(
        "/api/v1/control-types/fire/requirements/R1".into(),
        w.admin.clone(),
        json!({"text": "x", "legal_act": "y", "article": "z"}),
    )
    .await;
    assert_eq!(status, 404, "no such control type yet");
    put(
        "/api/v1/control-types/fire".into(),
        w.admin.clone(),
        json!({"name": "Пожарный надзор"}),
    )
    .await;
    for (code, text, article) in [
        ("ППР-60", "Огнетушители перезаряжены в срок", "п. 60"),
        ("ППР-27", "Эвакуационные пути свободны", "п. 27"),
    ] {
        let (status, v) = put(
            format!("/api/v1/control-types/fire/requirements/{code}"),
            w.admin.clone(),
            json!({"text": text, "legal_act": "Постановление Правительства РФ от 16.09.2020 № 1479", "article": article}),
        )
        .await;
        assert_eq!(status, 200, "{v}");
    }
    // Updating by code, not duplicating.
    put("/api/v1/control-types/fire/requirements/ППР-27".into(), w.admin.clone(), json!({"text": "Эвакуационные пути и выходы свободны", "legal_act": "ПП 1479", "article": "п. 27"})).await;
    let (_, list) = send(
        &w,
        Method::GET,
        "/api/v1/control-types/fire/requirements",
        &w.inspector,
        None,
    )
    .await;
    assert_eq!(list.as_array().unwrap().len(), 2);

    let checklist = json!({"name": "Проверочный лист № 1", "items": [
        {"code": "1", "requirement": "ППР-27", "question": "Свободны ли эвакуационные пути?"},
        {"code": "2", "requirement": "ППР-60", "question": "Перезаряжены ли огнетушители?"}
    ]});
    let (status, v) = put(
        "/api/v1/control-types/fire/checklists/PL-1".into(),
        w.admin.clone(),
        checklist,
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        v["items"][0]["requirement"]["text"],
        "Эвакуационные пути и выходы свободны"
    );
    assert_eq!(v["items"][1]["requirement"]["article"], "п. 60");
    // Unknown requirements are named and nothing changes; replacing keeps only the new items.
    let (status, v) = put(
        "/api/v1/control-types/fire/checklists/PL-1".into(),
        w.admin.clone(),
        json!({"name": "X", "items": [{"code": "1", "requirement": "ППР-99", "question": "?"}]}),
    )
    .await;
    assert_eq!(status, 422);
    assert!(v["detail"].as_str().unwrap().contains("ППР-99"));
    let (_, same) = send(
        &w,
        Method::GET,
        "/api/v1/control-types/fire/checklists/PL-1",
        &w.inspector,
        None,
    )
    .await;
    assert_eq!(same["name"], "Проверочный лист № 1");
    assert_eq!(same["items"].as_array().unwrap().len(), 2);
    let (status, v) = put("/api/v1/control-types/fire/checklists/PL-1".into(), w.admin.clone(), json!({"name": "Проверочный лист № 1 (ред. 2)", "items": [{"code": "1", "requirement": "ППР-60", "question": "Огнетушители?"}]})).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["items"].as_array().unwrap().len(), 1);
    let (status, _) = put("/api/v1/control-types/fire/checklists/PL-2".into(), w.admin.clone(), json!({"name": "Дубли", "items": [
        {"code": "1", "requirement": "ППР-60", "question": "a"}, {"code": "1", "requirement": "ППР-27", "question": "b"}]})).await;
    assert_eq!(status, 422, "item codes are unique");
    let (status, _) = put(
        "/api/v1/control-types/fire/checklists/PL-3".into(),
        w.inspector.clone(),
        json!({"name": "x", "items": []}),
    )
    .await;
    assert_eq!(status, 403);
    // Another agency sees none of it.
    let other = w.server.agency("Другое").await;
    let (_, other_admin) = w.server.user(other, "admin2", Role::Admin).await;
    let (status, _) = send(
        &w,
        Method::GET,
        "/api/v1/control-types/fire/checklists/PL-1",
        &other_admin,
        None,
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = send(
        &w,
        Method::GET,
        "/api/v1/control-types/fire/requirements",
        &other_admin,
        None,
    )
    .await;
    assert_eq!(status, 404);
}
on_both!(requirements_and_checklists);

/// The objects file's optional `attributes` column: stored as given, an empty cell keeps what
/// is stored, a cell that is not JSON or not a JSON object is a refused row that changes
/// nothing.
async fn objects_import_keeps_attributes(backend: Backend) {
    use reqwest::Method;
    let w = world(backend).await;
    let (status, _) = send(
        &w,
        Method::PUT,
        "/api/v1/control-types/fire",
        &w.admin,
        Some(("application/json", br#"{"name":"Fire"}"#.to_vec())),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = send(
        &w,
        Method::POST,
        "/api/v1/import/subjects",
        &w.admin,
        Some(("text/csv", SUBJECTS.as_bytes().to_vec())),
    )
    .await;
    assert_eq!(status, 200);
    let header =
        "object_key,subject_inn,control_type,address,district,lat,lon,risk_category,attributes";
    let file = format!(
        "{header}\nA-1,7707083893,fire,Москва,Хамовники,,,,\"{{\"\"floor_area_m2\"\":6000}}\"\n\
         A-2,7707083893,fire,Москва,Хамовники,,,,\nA-3,7707083893,fire,Москва,Хамовники,,,,[1]\n\
         A-4,7707083893,fire,Москва,Хамовники,,,,{{not json\n"
    );
    let (status, report) = send(
        &w,
        Method::POST,
        "/api/v1/import/objects",
        &w.admin,
        Some(("text/csv", file.into_bytes())),
    )
    .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["inserted"], 2, "{report}");
    let refused = lines(&report);
    assert_eq!(
        refused.iter().map(|r| r.0).collect::<Vec<_>>(),
        [4, 5],
        "{refused:?}"
    );
    assert!(refused[0].1.contains("JSON-объект"), "{refused:?}");
    assert!(refused[1].1.contains("не JSON"), "{refused:?}");
    let attributes = |page: &Value, key: &str| {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["object_key"] == key)
            .map(|o| o["attributes"].clone())
    };
    let (_, page) = send(&w, Method::GET, "/api/v1/objects", &w.admin, None).await;
    assert_eq!(
        attributes(&page, "A-1"),
        Some(json!({"floor_area_m2": 6000}))
    );
    assert_eq!(attributes(&page, "A-2"), Some(json!({})));
    // A file without the column, and an empty cell, keep the stored attributes.
    let again = "object_key,subject_inn,control_type,address,district,lat,lon,risk_category\n\
                 A-1,7707083893,fire,Москва,Арбат,,,\n";
    let (_, report) = send(
        &w,
        Method::POST,
        "/api/v1/import/objects",
        &w.admin,
        Some(("text/csv", again.as_bytes().to_vec())),
    )
    .await;
    assert_eq!(report["updated"], 1, "{report}");
    let (_, page) = send(&w, Method::GET, "/api/v1/objects", &w.admin, None).await;
    assert_eq!(
        attributes(&page, "A-1"),
        Some(json!({"floor_area_m2": 6000}))
    );
    // A stored object given attributes takes them.
    let given =
        format!("{header}\nA-2,7707083893,fire,Москва,Хамовники,,,,\"{{\"\"people\"\":300}}\"\n");
    let (_, report) = send(
        &w,
        Method::POST,
        "/api/v1/import/objects",
        &w.admin,
        Some(("text/csv", given.into_bytes())),
    )
    .await;
    assert_eq!(report["updated"], 1, "{report}");
    let (_, page) = send(&w, Method::GET, "/api/v1/objects", &w.admin, None).await;
    assert_eq!(attributes(&page, "A-2"), Some(json!({"people": 300})));
}
on_both!(objects_import_keeps_attributes);
