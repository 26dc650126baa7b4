//! Projections: a day of field work becomes the domain tables; conflicts are flagged, never
//! dropped; a rebuild from the records gives identical tables.

use std::time::Duration;

use knd_shared::record::RecordKind;
use serde_json::{Value, json};

use crate::common::{Backend, Device, TestServer};
use crate::field::{SUBJECT, field};
use crate::on_both;

pub(crate) fn id_of(record: &[u8]) -> String {
    let v: Value = serde_json::from_slice(record).unwrap();
    v["id"].as_str().unwrap().to_owned()
}

pub(crate) fn sign(d: &mut Device, kind: RecordKind, body: Value) -> Vec<u8> {
    d.sign(kind, &body)
}

/// Waits until the inspection's field data satisfies `done` (the projector runs after push).
pub(crate) async fn field_data(
    s: &TestServer,
    token: &str,
    id: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    for _ in 0..200 {
        let (st, v) = s
            .get(&format!("/api/v1/inspections/{id}/field"), token)
            .await;
        assert_eq!(st, 200, "{v}");
        if done(&v) {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (_, v) = s
        .get(&format!("/api/v1/inspections/{id}/field"), token)
        .await;
    panic!("the projection of {id} did not arrive: {v}");
}

pub(crate) fn accepted(v: &Value) -> usize {
    v["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "accepted")
        .count()
}

async fn a_day_of_field_work(backend: Backend) {
    let mut f = field(backend).await;
    let me = f.w.inspector_id.clone();
    let insp = f.scheduled(&["OBJ-1", "OBJ-2"], &[&me]).await;
    let cancelled = f.scheduled(&["OBJ-2"], &[&me]).await;
    let (st, v) = f
        .set_status(&cancelled, "cancelled", Some("Отменена"))
        .await;
    assert_eq!(st, 200, "{v}");

    let photo_sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    let d = &mut f.w.device;
    let started = sign(
        d,
        RecordKind::InspectionStarted,
        json!({"inspection": insp, "lat_e7": 557_008_000, "lon_e7": 375_866_000}),
    );
    let photo = sign(
        d,
        RecordKind::Photo,
        json!({
        "inspection": insp, "sha256": photo_sha, "bytes": 4, "mime": "image/jpeg",
        "width": 4000, "height": 3000, "taken_at": "2026-12-01T09:20:00.000Z", "time_source": "exif",
        "lat_e7": 557_008_100, "lon_e7": 375_866_100, "position_source": "exif"}),
    );
    let f1 = sign(
        d,
        RecordKind::Finding,
        json!({
        "inspection": insp, "item": "1", "result": "violation",
        "note": "Огнетушитель на 2 этаже без проверки", "photos": [photo_sha]}),
    );
    let f2 = sign(
        d,
        RecordKind::Finding,
        json!({"inspection": insp, "item": "2", "result": "compliant"}),
    );
    let correction = sign(
        d,
        RecordKind::Correction,
        json!({
        "supersedes": id_of(&f2), "reason": "Выход 3 загромождён, замечено при обходе",
        "body": {"inspection": insp, "item": "2", "result": "violation", "note": "Выход 3 загромождён"}}),
    );
    let warning = sign(
        d,
        RecordKind::Warning,
        json!({
        "subject": SUBJECT, "inspection": insp, "requirements": ["R2"],
        "text": "Предостережение о недопустимости нарушения", 
        "measures": [{"what": "Освободить эвакуационный выход 3", "by": "2026-12-10"}]}),
    );
    let act = sign(
        d,
        RecordKind::Act,
        json!({
        "inspection": insp, "summary": "Выявлены нарушения требований пожарной безопасности",
        "findings": [id_of(&f1), id_of(&f2)],
        "violations": [{"requirement": "R1", "legal_act": "ПП РФ № 1479 п. 60", "finding": id_of(&f1)}],
        "present": [{"name": "Иванов И. И.", "role": "директор"}], "acknowledgement": "acknowledged"}),
    );
    let order = sign(
        d,
        RecordKind::Order,
        json!({
        "inspection": insp, "subject": SUBJECT,
        "remedies": [{"requirement": "R1", "measure": "Провести проверку огнетушителей", "deadline": "2099-01-15"}]}),
    );
    let finished = sign(
        d,
        RecordKind::InspectionFinished,
        json!({"inspection": insp}),
    );
    let day = vec![
        started,
        photo,
        f1.clone(),
        f2.clone(),
        correction.clone(),
        warning,
        act.clone(),
        order,
        finished,
    ];
    let (st, v) = f.w.server.push(&f.w.device, &day).await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(accepted(&v), day.len(), "{v}");

    let s = &f.w.server;
    let data = field_data(s, &f.w.admin, &insp, |v| v["finished_at"].is_string()).await;
    assert!(data["started_at"].is_string());
    let findings = data["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2, "{data}");
    assert_eq!(findings[0]["item"], "1");
    assert_eq!(findings[0]["photos"], json!([photo_sha]));
    assert_eq!(findings[1]["item"], "2");
    assert_eq!(
        findings[1]["result"], "violation",
        "the correction is the current answer: {data}"
    );
    assert_eq!(findings[1]["record"].as_str().unwrap(), id_of(&correction));
    assert_eq!(findings[1]["supersedes"].as_str().unwrap(), id_of(&f2));
    let history = findings[1]["history"].as_array().unwrap();
    assert_eq!(history.len(), 1, "{data}");
    assert_eq!(history[0]["record"].as_str().unwrap(), id_of(&f2));
    assert_eq!(history[0]["result"], "compliant");
    assert_eq!(
        history[0]["superseded_by"].as_str().unwrap(),
        id_of(&correction)
    );
    let photos = data["photos"].as_array().unwrap();
    assert_eq!(photos.len(), 1);
    assert_eq!(photos[0]["sha256"], photo_sha);
    assert_eq!(photos[0]["lat_e7"], 557_008_100);
    let kinds: Vec<&str> = data["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.len(), 3, "{data}");
    for k in ["warning", "act", "order"] {
        assert!(kinds.contains(&k), "{kinds:?}");
    }
    assert_eq!(data["flags"], json!([]), "a clean day has no flags");
    // The start and finish moved the inspection along (right after their projection).
    let mut status = Value::Null;
    for _ in 0..100 {
        let (_, i) = s
            .get(&format!("/api/v1/inspections/{insp}"), &f.w.admin)
            .await;
        status = i["status"].clone();
        if status == "completed" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status, "completed");

    // Conflicts: a second act, a finding for the cancelled inspection, a correction of another
    // device's record. All are accepted (stored, receipted) and flagged.
    let d = &mut f.w.device;
    let second_act = sign(
        d,
        RecordKind::Act,
        json!({
        "inspection": insp, "summary": "Повторный акт", "findings": [], "violations": [],
        "present": [], "acknowledgement": "refused"}),
    );
    let late = sign(
        d,
        RecordKind::Finding,
        json!({"inspection": cancelled, "item": "1", "result": "compliant"}),
    );
    let (st, v) =
        f.w.server
            .push(&f.w.device, &[second_act.clone(), late.clone()])
            .await;
    assert_eq!(st, 200);
    assert_eq!(accepted(&v), 2, "{v}");
    let foreign = sign(
        &mut f.device2,
        RecordKind::Correction,
        json!({
        "supersedes": id_of(&f1), "reason": "чужая правка",
        "body": {"inspection": insp, "item": "1", "result": "compliant"}}),
    );
    let (st, v) =
        f.w.server
            .push(&f.device2, std::slice::from_ref(&foreign))
            .await;
    assert_eq!(st, 200);
    assert_eq!(accepted(&v), 1, "{v}");
    let s = &f.w.server;
    let data = field_data(s, &f.w.admin, &insp, |v| {
        v["flags"].as_array().unwrap().len() >= 2
    })
    .await;
    let reasons: Vec<(String, String)> = data["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["record"].as_str().unwrap().to_owned(),
                f["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        reasons.contains(&(id_of(&second_act), "second_act".into())),
        "{reasons:?}"
    );
    assert!(
        reasons.contains(&(id_of(&foreign), "correction_foreign".into())),
        "{reasons:?}"
    );
    assert_eq!(
        data["findings"][0]["result"], "violation",
        "a foreign correction is not applied"
    );
    let late_data = field_data(s, &f.w.admin, &cancelled, |v| {
        !v["flags"].as_array().unwrap().is_empty()
    })
    .await;
    assert_eq!(
        late_data["flags"][0]["reason"], "inspection_cancelled",
        "{late_data}"
    );
    assert_eq!(
        late_data["findings"].as_array().unwrap().len(),
        1,
        "flagged, not dropped"
    );
    let (st, flags) = s.get("/api/v1/review-flags", &f.w.admin).await;
    assert_eq!(st, 200);
    assert_eq!(flags.as_array().unwrap().len(), 3, "{flags}");
    let (st, _) = s.get("/api/v1/review-flags", &f.w.inspector).await;
    assert_eq!(st, 403);

    // The business sees the documents addressed to it, and can fetch their evidence.
    let key = knd_server::admin::issue_api_key(&s.state, SUBJECT)
        .await
        .unwrap();
    let secret = key["key"].as_str().unwrap().to_owned();
    let (st, docs) = s.get("/api/v1/business/documents", &secret).await;
    assert_eq!(st, 200, "{docs}");
    let kinds: Vec<&str> = docs
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.len(), 4, "warning, two acts, order: {docs}");
    let (st, _) = s
        .get(&format!("/api/v1/records/{}/bundle", id_of(&act)), &secret)
        .await;
    assert_eq!(st, 200, "the act's evidence bundle");
    let (st, _) = s
        .get(&format!("/api/v1/records/{}", id_of(&f1)), &secret)
        .await;
    assert_eq!(
        st, 404,
        "a finding is the agency's working material, not a document"
    );
    let other = knd_server::admin::issue_api_key(&s.state, crate::field::OTHER_SUBJECT)
        .await
        .unwrap();
    let other = other["key"].as_str().unwrap().to_owned();
    let (_, docs) = s.get("/api/v1/business/documents", &other).await;
    assert_eq!(docs, json!([]));
    let (st, _) = s
        .get(&format!("/api/v1/records/{}", id_of(&act)), &other)
        .await;
    assert_eq!(st, 404);

    // The next inspection of these objects carries their history to the device.
    let next = f.scheduled(&["OBJ-1"], &[&me]).await;
    let (st, page) = s.get("/api/v1/sync/pull?limit=50", &f.w.device.token).await;
    assert_eq!(st, 200, "{page}");
    let a = page["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == next.as_str())
        .unwrap();
    let items: Vec<&str> = a["history"]["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["item"].as_str().unwrap())
        .collect();
    assert!(items.contains(&"1") && items.contains(&"2"), "{a}");
    assert_eq!(
        a["history"]["open_orders"].as_array().unwrap().len(),
        1,
        "{a}"
    );

    // Rebuild: the same tables from the records alone.
    let before_dump = s.state.store.projection_dump().await.unwrap();
    let before = field_data(s, &f.w.admin, &insp, |_| true).await;
    let r = knd_server::services::projections::rebuild(&s.state)
        .await
        .unwrap();
    assert_eq!(r.before, r.after, "rebuild changed the projections");
    assert!(r.rows >= 10, "{r:?}");
    assert_eq!(s.state.store.projection_dump().await.unwrap(), before_dump);
    let after = field_data(s, &f.w.admin, &insp, |_| true).await;
    assert_eq!(before, after);
    // Re-sending the day is safe: duplicates change nothing.
    let (st, v) = f.w.server.push(&f.w.device, &day).await;
    assert_eq!(st, 200);
    assert_eq!(accepted(&v), 0);
    knd_server::services::projections::catch_up(&s.state)
        .await
        .unwrap();
    assert_eq!(s.state.store.projection_dump().await.unwrap(), before_dump);

    // The operator's command does the same on the stopped server's data.
    let (dir, database_url) = f.w.server.stop().await;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_knd-server"))
        .args(["rebuild-projections", "--json"])
        .env("KND__DATA_DIR", dir.path())
        .env("KND__DATABASE_URL", &database_url)
        .env("KND__LOG_ORIGIN", "knd.test/log")
        .env("KND_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["identical"], true, "{report}");
    assert_eq!(report["before"], report["after"]);
    assert!(report["records"].as_u64().unwrap() >= 12, "{report}");
}
on_both!(a_day_of_field_work);

async fn another_agencys_inspection_stays_out(backend: Backend) {
    let f = field(backend).await;
    let insp = f.scheduled(&["OBJ-1"], &[&f.w.inspector_id]).await;
    let s = &f.w.server;
    let other = s.agency("Другое управление").await;
    let (_, other_admin) = s
        .user(other, "admin2", knd_server::model::Role::Admin)
        .await;
    s.user(other, "stranger", knd_server::model::Role::Inspector)
        .await;
    let code = s.code_for("stranger").await;
    let mut stranger = s.enroll(&code).await;
    let finding = sign(
        &mut stranger,
        RecordKind::Finding,
        json!({"inspection": insp, "item": "1", "result": "compliant", "note": "всё хорошо"}),
    );
    let nowhere = uuid::Uuid::now_v7().to_string();
    let lost = sign(
        &mut stranger,
        RecordKind::Finding,
        json!({"inspection": nowhere, "item": "1", "result": "compliant"}),
    );
    let (st, v) = s.push(&stranger, &[finding.clone(), lost]).await;
    assert_eq!(st, 200);
    assert_eq!(
        accepted(&v),
        2,
        "stored: a valid signed record is never dropped"
    );
    knd_server::services::projections::catch_up(&s.state)
        .await
        .unwrap();
    let (st, flags) = s.get("/api/v1/review-flags", &other_admin).await;
    assert_eq!(st, 200);
    // Another agency's inspection and none at all answer alike: the flag does not tell the
    // stranger's agency that the other inspection exists.
    let flags = flags.as_array().unwrap();
    assert_eq!(flags.len(), 2, "{flags:?}");
    let texts: Vec<String> = flags
        .iter()
        .map(|f| {
            assert_eq!(f["reason"], "unknown_inspection", "{f}");
            f["detail"]
                .as_str()
                .unwrap()
                .replace(&insp, "ID")
                .replace(&nowhere, "ID")
        })
        .collect();
    assert_eq!(texts[0], texts[1]);
    assert!(texts[0].starts_with("проверки ID нет"), "{texts:?}");
    let data = field_data(s, &f.w.admin, &insp, |_| true).await;
    assert_eq!(
        data["findings"],
        json!([]),
        "nothing in the owner's inspection: {data}"
    );
    assert_eq!(data["flags"], json!([]));
    let (_, own_flags) = s.get("/api/v1/review-flags", &f.w.admin).await;
    assert_eq!(own_flags, json!([]));
}
on_both!(another_agencys_inspection_stays_out);

/// Finding 7: a finding from an inspector who was not assigned to the inspection is marked in
/// the field view, not shown as an ordinary answer.
async fn an_unassigned_inspectors_finding_is_marked(backend: Backend) {
    let mut f = field(backend).await;
    let insp = f.scheduled(&["OBJ-1"], &[&f.w.inspector_id]).await;
    let s = &f.w.server;
    let finding = sign(
        &mut f.device2,
        RecordKind::Finding,
        json!({"inspection": insp, "item": "1", "result": "compliant"}),
    );
    let (st, v) = s.push(&f.device2, &[finding]).await;
    assert_eq!((st, accepted(&v)), (200, 1), "{v}");
    let data = field_data(s, &f.w.admin, &insp, |d| {
        d["findings"].as_array().is_some_and(|a| !a.is_empty())
    })
    .await;
    assert_eq!(
        data["findings"][0]["review_flags"],
        json!(["not_assigned"]),
        "{data}"
    );
}
on_both!(an_unassigned_inspectors_finding_is_marked);

/// Findings 6 and 7: a warning addressed to an ИНН outside the agency's registry is flagged and
/// kept from that business until reviewed; a business sees when the server received each
/// document beside the device's time.
async fn a_warning_to_a_stranger_is_held_and_receipt_times_are_shown(backend: Backend) {
    let mut f = field(backend).await;
    let s = &f.w.server;
    let stranger_inn = "500100732259";
    let d = &mut f.w.device;
    let to = |inn: &str| {
        json!({"subject": inn, "requirements": ["R2"], "text": "Предостережение",
               "measures": [{"what": "Освободить выход", "by": "2026-12-10"}]})
    };
    let held = sign(d, RecordKind::Warning, to(stranger_inn));
    let shown = d.sign_at(
        RecordKind::Warning,
        &to(SUBJECT),
        "2026-01-05T09:00:00.000Z",
    );
    let (st, v) = s.push(d, &[held.clone(), shown.clone()]).await;
    assert_eq!((st, accepted(&v)), (200, 2), "{v}");
    knd_server::services::projections::catch_up(&s.state)
        .await
        .unwrap();
    let (_, flags) = s.get("/api/v1/review-flags", &f.w.admin).await;
    let reasons: Vec<(&str, &str)> = flags
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["record"].as_str().unwrap(), f["reason"].as_str().unwrap()))
        .collect();
    assert!(
        reasons.contains(&(id_of(&held).as_str(), "document_unknown_subject")),
        "{flags}"
    );
    let key_of = |inn: &'static str| async move {
        let k = knd_server::admin::issue_api_key(&s.state, inn)
            .await
            .unwrap();
        k["key"].as_str().unwrap().to_owned()
    };
    let stranger = key_of(stranger_inn).await;
    let (st, docs) = s.get("/api/v1/business/documents", &stranger).await;
    assert_eq!((st, docs.clone()), (200, json!([])), "held for review");
    let (st, _) = s
        .get(&format!("/api/v1/records/{}", id_of(&held)), &stranger)
        .await;
    assert_eq!(st, 404, "the record is held too");
    let subject = key_of(SUBJECT).await;
    let (_, docs) = s.get("/api/v1/business/documents", &subject).await;
    let doc = &docs[0];
    assert_eq!(doc["record"], id_of(&shown), "{docs}");
    assert_eq!(doc["at"], "2026-01-05T09:00:00.000Z");
    let received = doc["received_at"].as_str().unwrap();
    assert!(
        received.starts_with(&time::OffsetDateTime::now_utc().year().to_string()),
        "{doc}"
    );

    // A correction cannot re-address a shown warning to a stranger unseen.
    let d = &mut f.w.device;
    let moved = sign(
        d,
        RecordKind::Correction,
        json!({"supersedes": id_of(&shown), "reason": "Другой адресат",
               "body": to(stranger_inn)}),
    );
    let (st, v) = s.push(d, std::slice::from_ref(&moved)).await;
    assert_eq!((st, accepted(&v)), (200, 1), "{v}");
    knd_server::services::projections::catch_up(&s.state)
        .await
        .unwrap();
    let (_, docs) = s.get("/api/v1/business/documents", &stranger).await;
    assert_eq!(docs, json!([]), "the correction is held too");
    let (_, feed) = s.get("/api/v1/business/events", &stranger).await;
    assert_eq!(feed["events"], json!([]), "nothing announced while held");
    let (_, feed) = s.get("/api/v1/business/events", &subject).await;
    assert_eq!(feed["events"][0]["record"], id_of(&shown), "{feed}");
    // Once the agency's registry has the subject, what was addressed to it is released.
    let resp = s
        .http
        .post(s.url("/api/v1/import/subjects"))
        .bearer_auth(&f.w.admin)
        .header("content-type", "text/csv")
        .body(format!(
            "inn,ogrn,name,size_class\n{stranger_inn},,ИП Иванов,micro\n"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let (_, docs) = s.get("/api/v1/business/documents", &stranger).await;
    let records: Vec<&str> = docs
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["record"].as_str().unwrap())
        .collect();
    assert!(
        records.contains(&id_of(&held).as_str()) && records.contains(&id_of(&moved).as_str()),
        "{docs}"
    );
    let (_, feed) = s.get("/api/v1/business/events", &stranger).await;
    let announced: Vec<&str> = feed["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["record"].as_str().unwrap())
        .collect();
    assert_eq!(announced.len(), 2, "announced once released: {feed}");
    assert!(announced.contains(&id_of(&held).as_str()), "{feed}");
}
on_both!(a_warning_to_a_stranger_is_held_and_receipt_times_are_shown);
