//! Versions in the field view: a corrected answer is the correction's row, with the answers it
//! replaced and their reasons, so whatever an act cites is there; photos carry the warnings
//! their device showed the inspector, each kind flagged for review. A rebuild gives the same.

use knd_shared::record::RecordKind;
use serde_json::{Value, json};

use crate::common::{Backend, TestServer};
use crate::field::{SUBJECT, field};
use crate::on_both;
use crate::projections::{accepted, field_data, id_of, sign};

/// The record's device time, as signed.
fn at_of(record: &[u8]) -> String {
    let v: Value = serde_json::from_slice(record).unwrap();
    v["at"].as_str().unwrap().to_owned()
}

/// Every record id the field view has a row for: current rows and their history.
fn rows_of(list: &Value) -> Vec<String> {
    let mut ids = Vec::new();
    for row in list.as_array().unwrap() {
        ids.push(row["record"].as_str().unwrap().to_owned());
        for old in row["history"].as_array().unwrap() {
            ids.push(old["record"].as_str().unwrap().to_owned());
        }
    }
    ids
}

/// Rebuilds the projections and checks that the tables and the field view stay the same.
async fn rebuild_changes_nothing(s: &TestServer, token: &str, insp: &str) {
    let dump = s.state.store.projection_dump().await.unwrap();
    let view = field_data(s, token, insp, |_| true).await;
    let r = knd_server::services::projections::rebuild(&s.state)
        .await
        .unwrap();
    assert_eq!(r.before, r.after, "rebuild changed the projections");
    assert_eq!(s.state.store.projection_dump().await.unwrap(), dump);
    assert_eq!(field_data(s, token, insp, |_| true).await, view);
}

async fn a_corrected_answer_keeps_its_history(backend: Backend) {
    let mut f = field(backend).await;
    let me = f.w.inspector_id.clone();
    let insp = f.scheduled(&["OBJ-1"], &[&me]).await;
    let s = &f.w.server;
    let d = &mut f.w.device;
    let started = sign(
        d,
        RecordKind::InspectionStarted,
        json!({"inspection": insp}),
    );
    let original = sign(
        d,
        RecordKind::Finding,
        json!({"inspection": insp, "item": "1", "result": "compliant"}),
    );
    let first = sign(
        d,
        RecordKind::Correction,
        json!({"supersedes": id_of(&original), "reason": "Огнетушитель просрочен, замечено при обходе",
               "body": {"inspection": insp, "item": "1", "result": "violation",
                        "note": "Огнетушитель просрочен"}}),
    );
    let second = sign(
        d,
        RecordKind::Correction,
        json!({"supersedes": id_of(&first), "reason": "Уточнено место",
               "body": {"inspection": insp, "item": "1", "result": "violation",
                        "note": "Огнетушитель на 2 этаже просрочен"}}),
    );
    let not_checked = json!([{"item": "2", "reason": "Помещение закрыто, ключа нет"}]);
    let act = sign(
        d,
        RecordKind::Act,
        json!({
        "inspection": insp, "summary": "Выявлено нарушение требований пожарной безопасности",
        "findings": [id_of(&second)],
        "violations": [{"requirement": "R1", "legal_act": "ПП РФ № 1479", "unit": "п. 60",
                        "finding": id_of(&second), "remedied": false}],
        "present": [{"name": "Иванов И. И.", "role": "директор"}], "acknowledgement": "acknowledged",
        "erknm": "76202600000000000001", "not_checked": not_checked}),
    );
    let finished = sign(
        d,
        RecordKind::InspectionFinished,
        json!({"inspection": insp}),
    );
    // Three pushes, each projected on its own: a correction finds the version it replaces in
    // the tables, not only in its own batch.
    for records in [
        vec![started, original.clone()],
        vec![first.clone()],
        vec![second.clone(), act.clone(), finished],
    ] {
        let (st, v) = s.push(&f.w.device, &records).await;
        assert_eq!(st, 200, "{v}");
        assert_eq!(accepted(&v), records.len(), "{v}");
        knd_server::services::projections::catch_up(&s.state)
            .await
            .unwrap();
    }

    let data = field_data(s, &f.w.admin, &insp, |v| v["finished_at"].is_string()).await;
    assert_eq!(data["flags"], json!([]), "{data}");
    let findings = data["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "one current answer for item 1: {data}");
    let current = &findings[0];
    // The current answer is the last correction's: its id, its time, its content, its reason.
    assert_eq!(current["record"].as_str().unwrap(), id_of(&second));
    assert_eq!(current["at"].as_str().unwrap(), at_of(&second));
    assert_eq!(current["item"], "1");
    assert_eq!(current["result"], "violation");
    assert_eq!(current["note"], "Огнетушитель на 2 этаже просрочен");
    assert_eq!(current["supersedes"].as_str().unwrap(), id_of(&first));
    assert_eq!(current["reason"], "Уточнено место");
    assert_eq!(current["superseded_by"], Value::Null);
    // Its history: the original answer, then the first correction with its reason.
    let history = current["history"].as_array().unwrap();
    assert_eq!(history.len(), 2, "{data}");
    let (h0, h1) = (&history[0], &history[1]);
    assert_eq!(h0["record"].as_str().unwrap(), id_of(&original));
    assert_eq!(h0["at"].as_str().unwrap(), at_of(&original));
    assert_eq!(h0["result"], "compliant");
    assert_eq!(h0["note"], Value::Null);
    assert_eq!(h0["supersedes"], Value::Null);
    assert_eq!(h0["reason"], Value::Null);
    assert_eq!(h0["superseded_by"].as_str().unwrap(), id_of(&first));
    assert_eq!(h1["record"].as_str().unwrap(), id_of(&first));
    assert_eq!(h1["at"].as_str().unwrap(), at_of(&first));
    assert_eq!(h1["result"], "violation");
    assert_eq!(h1["note"], "Огнетушитель просрочен");
    assert_eq!(h1["supersedes"].as_str().unwrap(), id_of(&original));
    assert_eq!(h1["reason"], "Огнетушитель просрочен, замечено при обходе");
    assert_eq!(h1["superseded_by"].as_str().unwrap(), id_of(&second));

    // Every record the act cites is a row of the view, and the act keeps what was not checked.
    let documents = data["documents"].as_array().unwrap();
    assert_eq!(documents.len(), 1, "{data}");
    let body = &documents[0]["body"];
    assert_eq!(documents[0]["record"].as_str().unwrap(), id_of(&act));
    let rows = rows_of(&data["findings"]);
    let cited = body["findings"].as_array().unwrap().iter().chain(
        body["violations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| &v["finding"]),
    );
    for r in cited {
        assert!(
            rows.contains(&r.as_str().unwrap().to_owned()),
            "{r} in {rows:?}"
        );
    }
    assert_eq!(body["not_checked"], not_checked);
    // So does the business's copy.
    let key = knd_server::admin::issue_api_key(&s.state, SUBJECT)
        .await
        .unwrap();
    let (st, docs) = s
        .get("/api/v1/business/documents", key["key"].as_str().unwrap())
        .await;
    assert_eq!(st, 200, "{docs}");
    assert_eq!(docs[0]["body"]["not_checked"], not_checked, "{docs}");

    rebuild_changes_nothing(s, &f.w.admin, &insp).await;

    // A second correction of a version already corrected stays (a signed record is never
    // dropped), flagged; the first correction still replaces it.
    let fork = sign(
        &mut f.w.device,
        RecordKind::Correction,
        json!({"supersedes": id_of(&first), "reason": "Повторная правка",
               "body": {"inspection": insp, "item": "1", "result": "compliant"}}),
    );
    let (st, v) = s.push(&f.w.device, std::slice::from_ref(&fork)).await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(accepted(&v), 1, "{v}");
    // The view's parts are read one after another while the projector runs: wait for both the
    // flag and the fork's row rather than take a view read between them.
    let data = field_data(s, &f.w.admin, &insp, |v| {
        !v["flags"].as_array().unwrap().is_empty()
            && v["findings"].as_array().is_some_and(|f| f.len() == 2)
    })
    .await;
    assert_eq!(data["flags"][0]["reason"], "correction_conflict", "{data}");
    assert_eq!(data["flags"][0]["record"].as_str().unwrap(), id_of(&fork));
    let currents: Vec<&str> = data["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["record"].as_str().unwrap())
        .collect();
    assert_eq!(currents.len(), 2, "{data}");
    assert!(currents.contains(&id_of(&second).as_str()), "{data}");
    assert!(currents.contains(&id_of(&fork).as_str()), "{data}");

    // A corrected act is one document in two versions, not a second act.
    let mut act_body: Value = serde_json::from_slice::<Value>(&act).unwrap()["body"].clone();
    act_body["present"] = json!([{"name": "Иванов Иван Иванович", "role": "директор"}]);
    let act_fix = sign(
        &mut f.w.device,
        RecordKind::Correction,
        json!({"supersedes": id_of(&act), "reason": "Имя полностью", "body": act_body}),
    );
    let (st, v) = s.push(&f.w.device, std::slice::from_ref(&act_fix)).await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(accepted(&v), 1, "{v}");
    let data = field_data(s, &f.w.admin, &insp, |v| {
        v["documents"][0]["record"] == id_of(&act_fix).as_str()
    })
    .await;
    let documents = data["documents"].as_array().unwrap();
    assert_eq!(documents.len(), 1, "{data}");
    assert_eq!(documents[0]["at"].as_str().unwrap(), at_of(&act_fix));
    assert_eq!(documents[0]["reason"], "Имя полностью");
    assert_eq!(documents[0]["body"]["not_checked"], not_checked);
    assert_eq!(
        documents[0]["history"][0]["record"].as_str().unwrap(),
        id_of(&act)
    );
    assert_eq!(
        data["flags"].as_array().unwrap().len(),
        1,
        "no second act: {data}"
    );
    let (_, docs) = s
        .get("/api/v1/business/documents", key["key"].as_str().unwrap())
        .await;
    let versions: Vec<(&str, &Value)> = docs
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["record"].as_str().unwrap(), &d["superseded_by"]))
        .collect();
    assert_eq!(versions.len(), 2, "{docs}");
    assert!(
        versions.contains(&(id_of(&act).as_str(), &json!(id_of(&act_fix)))),
        "{docs}"
    );
    assert!(
        versions.contains(&(id_of(&act_fix).as_str(), &Value::Null)),
        "{docs}"
    );
    rebuild_changes_nothing(s, &f.w.admin, &insp).await;
}
on_both!(a_corrected_answer_keeps_its_history);

async fn photo_warnings_are_shown_and_flagged(backend: Backend) {
    let mut f = field(backend).await;
    let me = f.w.inspector_id.clone();
    let insp = f.scheduled(&["OBJ-1"], &[&me]).await;
    let s = &f.w.server;
    let far = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
    let plain = "486ea46224d1bb4fb680f34f7c9ad96a8f24ec88be73ea8e5a6c65260e9cb8a7";
    let warnings = json!([
        {"kind": "damaged", "reason": "corrupt JPEG data: bad Huffman code"},
        {"kind": "taken_outside_dates", "taken_at": "2008-05-14T10:22:03.000Z",
         "from": "2026-12-01", "to": "2026-12-14"},
        {"kind": "far_from_object", "distance_m": 2_412_460, "object": "OBJ-1"},
    ]);
    let d = &mut f.w.device;
    let warned = sign(
        d,
        RecordKind::Photo,
        json!({"inspection": insp, "sha256": far, "bytes": 5, "mime": "image/jpeg",
               "taken_at": "2008-05-14T10:22:03.000Z", "time_source": "exif",
               "lat_e7": 418_902_000, "lon_e7": 124_922_000, "position_source": "exif",
               "warnings": warnings}),
    );
    let fine = sign(
        d,
        RecordKind::Photo,
        json!({"inspection": insp, "sha256": plain, "bytes": 5, "mime": "image/jpeg"}),
    );
    let finding = sign(
        d,
        RecordKind::Finding,
        json!({"inspection": insp, "item": "1", "result": "violation",
               "note": "Огнетушитель просрочен", "photos": [far, plain]}),
    );
    // A caption added later: the photo's new version keeps its warnings, and is flagged alike.
    let captioned = sign(
        d,
        RecordKind::Correction,
        json!({"supersedes": id_of(&warned), "reason": "Добавлена подпись",
               "body": {"inspection": insp, "sha256": far, "bytes": 5, "mime": "image/jpeg",
                        "taken_at": "2008-05-14T10:22:03.000Z", "time_source": "exif",
                        "lat_e7": 418_902_000, "lon_e7": 124_922_000, "position_source": "exif",
                        "caption": "Огнетушитель", "warnings": warnings}}),
    );
    let records = vec![
        warned.clone(),
        fine.clone(),
        finding.clone(),
        captioned.clone(),
    ];
    let (st, v) = s.push(&f.w.device, &records).await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(accepted(&v), records.len(), "{v}");

    let data = field_data(s, &f.w.admin, &insp, |v| {
        v["photos"].as_array().unwrap().len() == 2 && v["flags"].as_array().unwrap().len() == 6
    })
    .await;
    let photos = data["photos"].as_array().unwrap();
    let shown = photos
        .iter()
        .find(|p| p["sha256"] == far)
        .unwrap_or_else(|| panic!("{data}"));
    assert_eq!(shown["record"].as_str().unwrap(), id_of(&captioned));
    assert_eq!(shown["warnings"], warnings);
    assert_eq!(shown["at"].as_str().unwrap(), at_of(&captioned));
    assert_eq!(shown["reason"], "Добавлена подпись");
    assert_eq!(
        shown["history"][0]["record"].as_str().unwrap(),
        id_of(&warned)
    );
    assert_eq!(shown["history"][0]["warnings"], warnings);
    assert_eq!(shown["cited_by"], json!([id_of(&finding)]), "{data}");
    let other = photos.iter().find(|p| p["sha256"] == plain).unwrap();
    assert_eq!(other["warnings"], json!([]));
    assert_eq!(other["cited_by"], json!([id_of(&finding)]));

    // A flag per kind of warning on each version, readable in Russian then English.
    let expected = [
        (
            "photo_damaged",
            "фото повреждено: corrupt JPEG data: bad Huffman code / the photo is damaged: corrupt JPEG data: bad Huffman code",
        ),
        (
            "photo_outside_dates",
            "фото снято 14.05.2008 10:22 UTC, вне сроков проверки 01.12.2026–14.12.2026 / the photo was taken on 14.05.2008 10:22 UTC, outside the inspection's dates 01.12.2026–14.12.2026",
        ),
        (
            "photo_far_from_object",
            "фото снято в 2\u{a0}412,5 км от объекта OBJ-1 (допустимо не далее 1 км) / the photo was taken 2,412.5 km from object OBJ-1 (at most 1 km is expected)",
        ),
    ];
    let flags = data["flags"].as_array().unwrap();
    for record in [id_of(&warned), id_of(&captioned)] {
        for (reason, detail) in expected {
            let flag = flags
                .iter()
                .find(|f| f["record"] == record.as_str() && f["reason"] == reason)
                .unwrap_or_else(|| panic!("{reason} of {record} in {data}"));
            assert_eq!(flag["detail"], detail);
            assert_eq!(flag["inspection"], insp.as_str());
        }
    }
    let (st, review) = s.get("/api/v1/review-flags", &f.w.admin).await;
    assert_eq!(st, 200, "{review}");
    assert_eq!(review.as_array().unwrap().len(), 6, "{review}");
    assert!(
        flags.iter().all(|f| f["record"] != id_of(&fine).as_str()),
        "a photo without warnings is not flagged: {data}"
    );

    rebuild_changes_nothing(s, &f.w.admin, &insp).await;
}
on_both!(photo_warnings_are_shown_and_flagged);

/// Runs SQL on a stopped server's database.
pub(crate) async fn run_sql(url: &str, sql: &str) {
    if let Some(path) = url.strip_prefix("sqlite://") {
        rusqlite::Connection::open(path)
            .unwrap()
            .execute_batch(sql)
            .unwrap();
    } else {
        let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(conn);
        client.batch_execute(sql).await.unwrap();
    }
}

async fn migration_0006_replays_without_moving_inspections(backend: Backend) {
    let mut f = field(backend).await;
    let me = f.w.inspector_id.clone();
    // Started on the device before the inspection was registered in ЕРКНМ: the start is
    // projected, but the inspection cannot move to in progress (ПП 604), and is registered later.
    let (st, v) = f
        .inspection(SUBJECT, &["OBJ-1"], &[&me], json!({"erknm": null}))
        .await;
    assert_eq!(st, 201, "{v}");
    let insp = v["id"].as_str().unwrap().to_owned();
    let d = &mut f.w.device;
    let started = sign(
        d,
        RecordKind::InspectionStarted,
        json!({"inspection": insp}),
    );
    let original = sign(
        d,
        RecordKind::Finding,
        json!({"inspection": insp, "item": "1", "result": "compliant"}),
    );
    let corrected = sign(
        d,
        RecordKind::Correction,
        json!({"supersedes": id_of(&original), "reason": "Ошибся пунктом",
               "body": {"inspection": insp, "item": "1", "result": "violation"}}),
    );
    let records = vec![started, original, corrected];
    let (st, v) = f.w.server.push(&f.w.device, &records).await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(accepted(&v), records.len(), "{v}");
    let s = &f.w.server;
    knd_server::services::projections::catch_up(&s.state)
        .await
        .unwrap();
    let (st, v) = f
        .patch(&insp, json!({"erknm": "76202600000000000077"}))
        .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["status"], "scheduled");
    let before = field_data(s, &f.w.admin, &insp, |_| true).await;
    assert_eq!(
        before["findings"][0]["history"].as_array().unwrap().len(),
        1
    );

    // Migration 0006 applied again to this database, as to one projected by an older server.
    let admin = f.w.admin.clone();
    let (dir, url) = f.w.server.stop().await;
    run_sql(
        &url,
        "DELETE FROM schema_migrations WHERE version = 6;
         ALTER TABLE projection_state DROP COLUMN replay_below;",
    )
    .await;
    let s = TestServer::start_with(dir, url).await;
    let after = field_data(&s, &admin, &insp, |v| v == &before).await;
    assert_eq!(after, before);
    // The replay is over once a run of the projector's can take its lock.
    knd_server::services::projections::catch_up(&s.state)
        .await
        .unwrap();
    let (st, v) = s.get(&format!("/api/v1/inspections/{insp}"), &admin).await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(
        v["status"], "scheduled",
        "a start projected before is replayed without moving the inspection"
    );
}
on_both!(migration_0006_replays_without_moving_inspections);

/// Security finding 6: a record whose device time is before 248-ФЗ took effect, or later than
/// its arrival beyond a clock's drift, is flagged for review; a rebuild flags the same.
async fn records_with_implausible_times_are_flagged(backend: Backend) {
    let mut f = field(backend).await;
    let me = f.w.inspector_id.clone();
    let insp = f.scheduled(&["OBJ-1"], &[&me]).await;
    let s = &f.w.server;
    let d = &mut f.w.device;
    let finding = |item: &str| json!({"inspection": insp, "item": item, "result": "compliant"});
    let old = d.sign_at(
        RecordKind::Finding,
        &finding("1"),
        "1970-01-01T00:00:00.000Z",
    );
    let future = d.sign_at(
        RecordKind::Finding,
        &finding("2"),
        "2099-01-01T00:00:00.000Z",
    );
    let now = sign(d, RecordKind::Finding, finding("3"));
    // A month before the inspection's dates: plausible as a time, not for this inspection.
    let month_ago = (time::OffsetDateTime::now_utc() - time::Duration::days(30)).date();
    let early = d.sign_at(
        RecordKind::Finding,
        &finding("4"),
        &format!("{month_ago}T10:00:00.000Z"),
    );
    let (st, v) = s
        .push(
            d,
            &[old.clone(), future.clone(), now.clone(), early.clone()],
        )
        .await;
    assert_eq!((st, accepted(&v)), (200, 4), "{v}");
    let data = field_data(s, &f.w.admin, &insp, |v| {
        v["flags"].as_array().is_some_and(|f| f.len() >= 3)
            && v["findings"].as_array().is_some_and(|f| f.len() == 4)
    })
    .await;
    let reason_of = |rec: &[u8]| -> Vec<String> {
        data["flags"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["record"].as_str() == Some(id_of(rec).as_str()))
            .map(|f| f["reason"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(reason_of(&old), ["record_time_implausible"], "{data}");
    assert_eq!(reason_of(&future), ["record_time_future"], "{data}");
    assert!(reason_of(&now).is_empty(), "{data}");
    assert_eq!(
        reason_of(&early),
        ["record_time_outside_inspection"],
        "{data}"
    );
    let detail = data["flags"].to_string();
    assert!(
        detail.contains("01.01.1970") && detail.contains("248-ФЗ"),
        "{detail}"
    );
    rebuild_changes_nothing(s, &f.w.admin, &insp).await;
}
on_both!(records_with_implausible_times_are_flagged);
