//! The console's inspection pages over HTTP: the list and its filters, the planner's forms with
//! their refusals, the calendar, and an inspection's field evidence with thumbnails, as each
//! role sees them.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use knd_shared::Sha256;
use knd_shared::record::RecordKind;
use reqwest::Method;
use serde_json::json;

use knd_tests::admin::PASSWORD;
use knd_tests::console::Browser;

use crate::common::{TestServer, audit};
use crate::field::{Field, OTHER_SUBJECT, SUBJECT, field};
use crate::on_both;
use crate::projections::{field_data, id_of, sign};
use crate::uploads::photo;

/// A browser signed in as `login` (the kit's password).
async fn signed_in(s: &TestServer, login: &str) -> Browser {
    let mut b = Browser::new(s);
    assert_eq!(b.sign_in(login, PASSWORD).await.status, 303);
    b
}

/// Posts a form of `page` (read first, for its CSRF token): status, `Location`, body.
async fn post(
    b: &mut Browser,
    page: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> (u16, String, String) {
    let p = b.get(page).await;
    assert_eq!(p.status, 200, "{page}: {}", p.body);
    let r = b.post(action, fields).await;
    (r.status, r.location.unwrap_or_default(), r.body)
}

async fn get(b: &mut Browser, path: &str) -> (u16, String) {
    let p = b.get(path).await;
    (p.status, p.body)
}

async fn two_inspections(f: &Field) -> (String, String) {
    let mine = f.scheduled(&["OBJ-1"], &[&f.w.inspector_id]).await;
    let (st, v) = f
        .inspection(
            OTHER_SUBJECT,
            &["OBJ-3"],
            &[&f.inspector2_id],
            json!({"kind": "document_check", "checklist": null}),
        )
        .await;
    assert_eq!(st, 201, "{v}");
    (mine, v["id"].as_str().unwrap().to_owned())
}

async fn the_list_filters_and_narrows(backend: crate::common::Backend) {
    let f = field(backend).await;
    let s = &f.w.server;
    let (mine, theirs) = two_inspections(&f).await;
    let mut admin = signed_in(s, "admin1").await;
    let (st, html) = get(&mut admin, "/inspections").await;
    assert_eq!(st, 200, "{html}");
    assert!(html.contains(&mine) && html.contains(&theirs), "{html}");
    assert!(html.contains("выездная проверка") && html.contains("Запланирована"));
    assert!(html.contains("inspector1") && html.contains("inspector2"));
    assert!(
        html.contains("href=\"/registry/objects/"),
        "objects link to the registry"
    );
    // Filters: kind, inspector, start dates, the Today page's links.
    let (_, html) = get(&mut admin, "/inspections?kind=document_check").await;
    assert!(html.contains(&theirs) && !html.contains(&mine));
    let (_, html) = get(
        &mut admin,
        &format!("/inspections?inspector={}", f.w.inspector_id),
    )
    .await;
    assert!(html.contains(&mine) && !html.contains(&theirs));
    let (_, html) = get(
        &mut admin,
        "/inspections?status=scheduled&starts_from=2026-12-01&starts_to=2026-12-01",
    )
    .await;
    assert!(html.contains(&mine) && html.contains(&theirs));
    let (_, html) = get(&mut admin, "/inspections?ends_from=2027-01-01").await;
    assert!(!html.contains(&mine));
    let (_, html) = get(&mut admin, "/inspections?ground=plan").await;
    assert!(!html.contains(&mine), "both are on an instruction");
    // The API's list takes the same filters.
    let (st, v) = s
        .get(
            "/api/v1/inspections?kind=document_check&starts_from=2026-12-01&ends_to=2026-12-31",
            &f.w.admin,
        )
        .await;
    assert_eq!(st, 200, "{v}");
    let ids: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [theirs.as_str()]);
    let (st, _) = s.get("/api/v1/inspections?kind=picnic", &f.w.admin).await;
    assert_eq!(st, 400);
    // A date that does not read is shown beside its field, not a failure.
    let (st, html) = get(&mut admin, "/inspections?starts_from=1.12.2026").await;
    assert_eq!(st, 200);
    assert!(html.contains("aria-invalid=\"true\"") && html.contains("ГГГГ-ММ-ДД"));
    // Past its term: a scheduled inspection that ended before today.
    let (st, v) = f
        .inspection(
            SUBJECT,
            &["OBJ-2"],
            &[&f.w.inspector_id],
            json!({"starts_on": "2025-11-03", "ends_on": "2025-11-07"}),
        )
        .await;
    assert_eq!(st, 201, "{v}");
    let late = v["id"].as_str().unwrap().to_owned();
    let (_, html) = get(&mut admin, "/inspections?overdue=1").await;
    assert!(html.contains(&late) && !html.contains(&theirs), "{html}");
    let (_, v) = s.get("/api/v1/inspections?overdue=true", &f.w.admin).await;
    let ids: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [late.as_str()]);
    assert!(html.contains("срок истёк"), "past its term in words");
    // An inspector sees their own only, whatever the filter asks.
    let mut insp = signed_in(s, "inspector1").await;
    let (_, html) = get(
        &mut insp,
        &format!("/inspections?inspector={}", f.inspector2_id),
    )
    .await;
    assert!(!html.contains(&theirs), "{html}");
    let (_, html) = get(&mut insp, "/inspections").await;
    assert!(html.contains(&mine) && !html.contains(&theirs));
    assert!(
        !html.contains("/inspections/new"),
        "no planner's link for an inspector"
    );
    let (st, _) = get(&mut insp, &format!("/inspections/{theirs}")).await;
    assert_eq!(st, 404);
    // Keyset pages: 50 a page, a next link, nothing twice.
    for _ in 0..50 {
        f.scheduled(&["OBJ-1"], &[&f.w.inspector_id]).await;
    }
    let (_, first) = get(&mut admin, "/inspections").await;
    let next = first
        .split("rel=\"next\"")
        .next()
        .and_then(|h| h.rsplit("href=\"").next())
        .map(|h| {
            h[..h.find('"').unwrap()]
                .replace("&#38;", "&")
                .replace("&amp;", "&")
        })
        .expect("a next page link");
    let (st, second) = get(&mut admin, &next).await;
    assert_eq!(st, 200);
    let rows = |h: &str| h.matches("<tr>").count() - 1;
    assert_eq!(rows(&first), 50);
    assert_eq!(rows(&second), 3, "53 inspections: 50 then 3");
    // The calendar: rows per inspector, non-working days in words.
    let (st, html) = get(&mut admin, "/inspections/calendar?month=2026-12").await;
    assert_eq!(st, 200);
    assert!(html.contains("Декабрь 2026") && html.contains("вых."));
    assert!(html.contains("inspector1") && html.contains(&format!("/inspections/{mine}")));
    assert!(html.contains("month=2026-11") && html.contains("month=2027-01"));
    let (_, html) = get(&mut insp, "/inspections/calendar?month=2026-12").await;
    assert!(!html.contains(&theirs) && !html.contains("inspector2"));
}
on_both!(the_list_filters_and_narrows);

async fn the_planners_forms_say_why(backend: crate::common::Backend) {
    let f = field(backend).await;
    let s = &f.w.server;
    let id = f.scheduled(&["OBJ-1"], &[&f.w.inspector_id]).await;
    let page = format!("/inspections/{id}");
    let mut admin = signed_in(s, "admin1").await;
    let (st, html) = get(&mut admin, &page).await;
    assert_eq!(st, 200);
    assert!(
        html.contains("п.3 ч.1 ст.57 248-ФЗ"),
        "the ground's citation"
    );
    assert!(html.contains("76202600000000000001"));
    assert!(html.contains("последний рабочий день срока"), "{html}");
    // Check the term without saving; then a term too long, refused in words beside the dates.
    let reschedule = format!("/inspections/{id}/reschedule");
    let (st, _, html) = post(
        &mut admin,
        &page,
        &reschedule,
        &[
            ("starts_on", "2026-12-07"),
            ("ends_on", "2026-12-11"),
            ("action", "check"),
        ],
    )
    .await;
    assert_eq!(st, 200, "{html}");
    assert!(
        html.contains("последний рабочий день срока 18.12.2026"),
        "{html}"
    );
    let (st, _, html) = post(
        &mut admin,
        &page,
        &reschedule,
        &[
            ("starts_on", "2026-12-07"),
            ("ends_on", "2026-12-31"),
            ("action", "save"),
        ],
    )
    .await;
    assert_eq!(st, 422);
    assert!(html.contains("длится не более 10 рабочих дней"), "{html}");
    assert!(
        html.contains("value=\"2026-12-31\""),
        "what was typed stays"
    );
    let (st, _, html) = post(
        &mut admin,
        &page,
        &reschedule,
        &[
            ("starts_on", "7 декабря"),
            ("ends_on", "2026-12-11"),
            ("action", "save"),
        ],
    )
    .await;
    assert_eq!(st, 422);
    assert!(html.contains("aria-invalid=\"true\"") && html.contains("ГГГГ-ММ-ДД"));
    let (st, location, _) = post(
        &mut admin,
        &page,
        &reschedule,
        &[
            ("starts_on", "2026-12-07"),
            ("ends_on", "2026-12-11"),
            ("action", "save"),
        ],
    )
    .await;
    assert_eq!((st, location.as_str()), (303, page.as_str()));
    let (_, v) = s
        .get(&format!("/api/v1/inspections/{id}"), &f.w.admin)
        .await;
    assert_eq!(v["starts_on"], "2026-12-07");
    // Reassign to the second inspector.
    let (st, _, _) = post(
        &mut admin,
        &page,
        &format!("/inspections/{id}/reassign"),
        &[("inspector", &f.inspector2_id)],
    )
    .await;
    assert_eq!(st, 303);
    let (_, v) = s
        .get(&format!("/api/v1/inspections/{id}"), &f.w.admin)
        .await;
    assert_eq!(v["inspectors"], json!([f.inspector2_id]));
    // An auditor changes nothing: refused 403, and audited.
    let auditor_id = s
        .user(f.w.agency, "auditor1", knd_server::model::Role::Auditor)
        .await;
    let mut auditor = signed_in(s, "auditor1").await;
    let (st, html) = get(&mut auditor, &page).await;
    assert_eq!(st, 200);
    assert!(!html.contains(&reschedule), "no forms for an auditor");
    let (st, _, _) = post(
        &mut auditor,
        &page,
        &reschedule,
        &[("starts_on", "2026-12-08"), ("ends_on", "2026-12-09")],
    )
    .await;
    assert_eq!(st, 403);
    let (st, _, _) = post(
        &mut auditor,
        &page,
        &format!("/inspections/{id}/status"),
        &[("status", "cancelled"), ("reason", "x")],
    )
    .await;
    assert_eq!(st, 403);
    let entries = audit(s, &f.w.admin).await;
    let denied = |action: &str| {
        entries.iter().any(|e| {
            e["action"] == action
                && e["outcome"] == "denied"
                && e["actor"].to_string().contains(&auditor_id.0)
        })
    };
    assert!(denied("inspection.change"), "{entries:?}");
    assert!(denied("inspection.status"), "{entries:?}");
    // Cancelling needs a reason; with one it is done.
    let status = format!("/inspections/{id}/status");
    let (st, _, html) = post(
        &mut admin,
        &page,
        &status,
        &[("status", "cancelled"), ("reason", "")],
    )
    .await;
    assert_eq!(st, 422);
    assert!(html.contains("укажите причину отмены"));
    assert!(html.contains("data-confirm="), "cancelling asks first");
    let (st, _, _) = post(
        &mut admin,
        &page,
        &status,
        &[("status", "cancelled"), ("reason", "Отзыв поручения")],
    )
    .await;
    assert_eq!(st, 303);
    let (_, html) = get(&mut admin, &page).await;
    assert!(html.contains("Отменена"));
    assert!(
        html.contains("История статусов")
            && html.contains("<td>Запланирована</td>")
            && html.contains("<td>Отменена</td>"),
        "the status history: {html}"
    );
    // A new inspection: bad input beside its fields, the term checked, then created.
    let (st, _, html) = post(
        &mut admin,
        "/inspections/new",
        "/inspections/new",
        &[
            ("kind", ""),
            ("ground", "instruction"),
            ("subject_inn", ""),
            ("starts_on", "bad"),
            ("action", "create"),
        ],
    )
    .await;
    assert_eq!(st, 422);
    for words in [
        "выберите вид мероприятия",
        "укажите ИНН",
        "укажите хотя бы один объект",
        "ГГГГ-ММ-ДД",
    ] {
        assert!(html.contains(words), "{words}: {html}");
    }
    let good = [
        ("kind", "field_check"),
        ("ground", "instruction"),
        ("control_type", "fire"),
        ("subject_inn", SUBJECT),
        ("objects", "OBJ-1\nOBJ-2"),
        ("checklist", "main"),
        ("starts_on", "2026-12-14"),
        ("ends_on", "2026-12-18"),
        ("erknm", "76202600000000000002"),
        ("status", "scheduled"),
        ("inspector", &f.w.inspector_id),
    ];
    let mut check = good.to_vec();
    check.push(("action", "check"));
    let (st, _, html) = post(&mut admin, "/inspections/new", "/inspections/new", &check).await;
    assert_eq!(st, 200, "{html}");
    assert!(html.contains("не более рабочих дней: 10"), "{html}");
    let mut create = good.to_vec();
    create.push(("action", "create"));
    let (st, location, html) =
        post(&mut admin, "/inspections/new", "/inspections/new", &create).await;
    assert_eq!(st, 303, "{html}");
    assert!(location.starts_with("/inspections/"));
    let (st, html) = get(&mut admin, &location).await;
    assert_eq!(st, 200);
    assert!(html.contains("OBJ-2") && html.contains("14.12.2026"));
    // The service's own refusal, at the top: an unknown subject.
    let mut unknown = good.to_vec();
    unknown[3] = ("subject_inn", "7700000000");
    unknown.push(("action", "create"));
    let (st, _, html) = post(&mut admin, "/inspections/new", "/inspections/new", &unknown).await;
    assert_eq!(st, 422);
    assert!(
        html.contains("7700000000") && html.contains("class=\"error\""),
        "{html}"
    );
}
on_both!(the_planners_forms_say_why);

/// Uploads a photo over tus in one piece.
async fn upload(s: &TestServer, token: &str, bytes: &[u8]) -> String {
    let sha = Sha256::digest(bytes).to_hex();
    let meta = format!(
        "sha256 {},mime {}",
        STANDARD.encode(&sha),
        STANDARD.encode("image/jpeg")
    );
    let resp = s
        .http
        .post(s.url("/api/v1/uploads"))
        .bearer_auth(token)
        .header("tus-resumable", "1.0.0")
        .header("upload-length", bytes.len().to_string())
        .header("upload-metadata", meta)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    let resp = s
        .http
        .request(Method::PATCH, s.url(&location))
        .bearer_auth(token)
        .header("tus-resumable", "1.0.0")
        .header("upload-offset", "0")
        .header("content-type", "application/offset+octet-stream")
        .body(bytes.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    sha
}

async fn the_evidence_is_checked_and_readable(backend: crate::common::Backend) {
    let mut f = field(backend).await;
    let me = f.w.inspector_id.clone();
    let insp = f.scheduled(&["OBJ-1", "OBJ-2"], &[&me]).await;
    let jpeg = photo("Canon_40D.jpg");
    let sha = upload(&f.w.server, &f.w.device.token, &jpeg).await;
    let jpeg2 = photo("DSCN0010.jpg");
    let sha2 = upload(&f.w.server, &f.w.device.token, &jpeg2).await;
    let d = &mut f.w.device;
    let started = sign(
        d,
        RecordKind::InspectionStarted,
        json!({"inspection": insp}),
    );
    // Taken a month before the inspection, about 5 km from OBJ-1: two warnings the server finds.
    let photo_rec = sign(
        d,
        RecordKind::Photo,
        json!({"inspection": insp, "sha256": sha, "bytes": jpeg.len(), "mime": "image/jpeg",
               "taken_at": "2026-11-01T09:20:00.000Z", "time_source": "exif",
               "lat_e7": 557_458_000, "lon_e7": 375_866_000, "position_source": "exif",
               "warnings": [{"kind": "far_from_object", "distance_m": 5004, "object": "OBJ-1"}]}),
    );
    // Its time from the device (the moment it was added), not from the photo: not judged.
    let photo2 = sign(
        d,
        RecordKind::Photo,
        json!({"inspection": insp, "sha256": sha2, "bytes": jpeg2.len(), "mime": "image/jpeg",
               "taken_at": "2026-11-01T09:20:00.000Z", "time_source": "device"}),
    );
    let f1 = sign(
        d,
        RecordKind::Finding,
        json!({"inspection": insp, "item": "1", "result": "compliant", "photos": [sha]}),
    );
    let correction = sign(
        d,
        RecordKind::Correction,
        json!({"supersedes": id_of(&f1), "reason": "Огнетушитель просрочен, замечено позже",
               "body": {"inspection": insp, "item": "1", "result": "violation", "note": "Огнетушитель просрочен"}}),
    );
    let act = sign(
        d,
        RecordKind::Act,
        json!({"inspection": insp, "summary": "Выявлено нарушение требований пожарной безопасности",
               "findings": [id_of(&correction)],
               "violations": [{"requirement": "R1", "legal_act": "ПП РФ № 1479", "unit": "п. 60", "remedied": false}],
               "present": [{"name": "Иванов И. И.", "role": "директор"}], "acknowledgement": "acknowledged"}),
    );
    let day = vec![
        started,
        photo_rec.clone(),
        photo2,
        f1.clone(),
        correction.clone(),
        act.clone(),
    ];
    let (st, v) = f.w.server.push(&f.w.device, &day).await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(crate::projections::accepted(&v), day.len(), "{v}");
    let s = &f.w.server;
    field_data(s, &f.w.admin, &insp, |v| {
        v["documents"].as_array().is_some_and(|d| !d.is_empty())
    })
    .await;

    let mut admin = signed_in(s, "admin1").await;
    let page = format!("/inspections/{insp}/evidence");
    let (st, html) = get(&mut admin, &page).await;
    assert_eq!(st, 200, "{html}");
    for r in &day {
        assert!(html.contains(&id_of(r)), "every record is listed");
    }
    assert_eq!(html.matches("подпись верна").count(), day.len(), "{html}");
    assert_eq!(html.matches("квитанция верна").count(), day.len());
    assert!(html.contains(&format!("/api/v1/records/{}/bundle", id_of(&act))));
    // Log order: the start before the act.
    assert!(html.find(&id_of(&day[0])).unwrap() < html.find(&id_of(&act)).unwrap());
    // The answer with its history: the corrected version and the reason.
    assert!(html.contains("действующая редакция") && html.contains("заменена"));
    assert!(html.contains("Огнетушитель просрочен, замечено позже"));
    // The photo: a thumbnail, its EXIF time and position, the server's and the device's warnings.
    let thumb = format!("/inspections/{insp}/photos/{sha}/thumb");
    assert!(html.contains(&thumb));
    assert!(html.contains("внимание (проверка сервера)"));
    assert_eq!(
        html.matches("вне сроков проверки").count(),
        1,
        "only the EXIF time is judged"
    );
    assert!(
        html.contains("м от ближайшего объекта (более 1 км)"),
        "{html}"
    );
    assert!(html.contains("внимание (подписано устройством)"));
    assert!(html.contains("55.745800, 37.586600"));
    // The act as a document with headings, its JSON kept beside it.
    assert!(html.contains("Акт проверки (ст.87)") && html.contains("Выявленные нарушения"));
    assert!(html.contains("Иванов И. И. (директор)") && html.contains("<details>"));

    let (st, kind, bytes) = admin.get_bytes(&thumb).await;
    assert_eq!((st, kind.as_str()), (200, "image/jpeg"));
    let img = image::load_from_memory(&bytes).unwrap();
    assert!(img.width().max(img.height()) <= 320);
    let cached = s.dir.path().join("thumbs").join(format!("{sha}.jpg"));
    assert_eq!(
        std::fs::read(&cached).unwrap(),
        bytes,
        "made once, kept on disk"
    );
    let (st, _, again) = admin.get_bytes(&thumb).await;
    assert_eq!((st, again), (200, bytes));
    // A photo the inspection does not name, and a stranger to the inspection: not found.
    let other = Sha256::digest(b"other").to_hex();
    let (st, _, _) = admin
        .get_bytes(&format!("/inspections/{insp}/photos/{other}/thumb"))
        .await;
    assert_eq!(st, 404);
    let mut stranger = signed_in(s, "inspector2").await;
    assert_eq!(get(&mut stranger, &page).await.0, 404);
    assert_eq!(stranger.get_bytes(&thumb).await.0, 404);
    // The assigned inspector sees it all, their records with bundle links.
    let mut own = signed_in(s, "inspector1").await;
    let (st, html) = get(&mut own, &page).await;
    assert_eq!(st, 200);
    assert!(html.contains(&format!("/api/v1/records/{}/bundle", id_of(&act))));
}
on_both!(the_evidence_is_checked_and_readable);
