//! Pull: a device gets exactly its inspector's assignments, then the changes to them, through an
//! opaque cursor; a stale cursor gets a snapshot.

use std::collections::{BTreeMap, BTreeSet};

use knd_server::model::Inspection;
use knd_server::services::pull::{self, Assignment, HISTORY_LIMIT, History, SubjectCard};
use knd_server::state::AppState;
use knd_shared::UserId;
use knd_shared::record::{RecordKind, kinds};
use serde_json::{Value, json};

use crate::common::{Backend, Device, TestServer};
use crate::field::{Field, OTHER_SUBJECT, SUBJECT, field};
use crate::on_both;
use crate::projections::{accepted, id_of};

async fn pull(s: &TestServer, d: &Device, cursor: Option<&str>, limit: u32) -> (u16, Value) {
    let mut path = format!("/api/v1/sync/pull?limit={limit}");
    if let Some(c) = cursor {
        path.push_str(&format!("&cursor={c}"));
    }
    s.get(&path, &d.token).await
}

/// What a device holds: assignments by id, with the last version it got.
#[derive(Default)]
struct Offline {
    cursor: Option<String>,
    assignments: BTreeMap<String, Value>,
    /// Checklists by `control_type/code`.
    checklists: BTreeMap<String, Value>,
    removed: Vec<(String, String)>,
    pages: usize,
}

impl Offline {
    /// Pulls until there is nothing more, applying each page like the app.
    async fn sync(&mut self, s: &TestServer, d: &Device, limit: u32) -> Vec<Value> {
        let mut pages = Vec::new();
        let mut snapshot: Option<BTreeSet<String>> = None;
        loop {
            let (st, page) = pull(s, d, self.cursor.as_deref(), limit).await;
            assert_eq!(st, 200, "{page}");
            self.pages += 1;
            if page["reset"] == true {
                snapshot = Some(BTreeSet::new());
                assert!(
                    !page["calendar"].as_array().unwrap().is_empty(),
                    "a snapshot carries the calendar"
                );
            }
            for a in page["assignments"].as_array().unwrap() {
                let id = a["id"].as_str().unwrap().to_owned();
                if let Some(s) = snapshot.as_mut() {
                    s.insert(id.clone());
                }
                self.assignments.insert(id, a.clone());
            }
            for c in page["checklists"].as_array().unwrap() {
                let key = format!(
                    "{}/{}",
                    c["control_type"].as_str().unwrap(),
                    c["code"].as_str().unwrap()
                );
                self.checklists.insert(key, c.clone());
            }
            for a in page["assignments"].as_array().unwrap() {
                if let Some(code) = a["checklist"].as_str() {
                    let key = format!("{}/{code}", a["control_type"].as_str().unwrap());
                    assert!(
                        self.checklists.contains_key(&key),
                        "the page carries checklist {key}"
                    );
                }
            }
            for r in page["removed"].as_array().unwrap() {
                let id = r["id"].as_str().unwrap().to_owned();
                self.assignments.remove(&id);
                self.removed
                    .push((id, r["reason"].as_str().unwrap().to_owned()));
            }
            self.cursor = Some(page["cursor"].as_str().unwrap().to_owned());
            let more = page["more"] == true;
            pages.push(page);
            if !more {
                break;
            }
        }
        if let Some(kept) = snapshot {
            self.assignments.retain(|id, _| kept.contains(id));
        }
        pages
    }

    fn ids(&self) -> BTreeSet<String> {
        self.assignments.keys().cloned().collect()
    }
}

fn set(ids: &[&String]) -> BTreeSet<String> {
    ids.iter().map(|s| (*s).clone()).collect()
}

async fn each_device_sees_its_own_assignments_and_their_changes(backend: Backend) {
    let f: Field = field(backend).await;
    let (me, other) = (f.w.inspector_id.clone(), f.inspector2_id.clone());
    let mine = f.scheduled(&["OBJ-1", "OBJ-2"], &[&me]).await;
    let theirs = f.scheduled(&["OBJ-1"], &[&other]).await;
    let both = f.scheduled(&["OBJ-2"], &[&me, &other]).await;
    let (st, draft) = f
        .inspection(
            crate::field::SUBJECT,
            &["OBJ-1"],
            &[&me],
            json!({"status": "draft"}),
        )
        .await;
    assert_eq!(st, 201);
    let draft = draft["id"].as_str().unwrap().to_owned();

    let s = &f.w.server;
    let mut a = Offline::default();
    a.sync(s, &f.w.device, 1).await;
    assert_eq!(
        a.ids(),
        set(&[&mine, &both]),
        "drafts and others' work are not sent"
    );
    let full = &a.assignments[&mine];
    assert_eq!(full["subject"]["inn"], "7707083893");
    assert_eq!(full["subject"]["name"], "ПАО Сбербанк");
    assert_eq!(full["objects"].as_array().unwrap().len(), 2);
    assert_eq!(full["objects"][0]["key"], "OBJ-1");
    assert_eq!(full["objects"][0]["lat_e7"], 557_008_000);
    assert_eq!(full["checklist"], "main");
    let items = a.checklists["fire/main"]["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["requirement"]["article"], "п. 60");
    assert_eq!(full["kind_name"], "выездная проверка");
    let mut b = Offline::default();
    b.sync(s, &f.device2, 50).await;
    assert_eq!(b.ids(), set(&[&theirs, &both]));

    // Nothing changed: an incremental pull is empty.
    let pages = a.sync(s, &f.w.device, 50).await;
    assert_eq!(pages.len(), 1);
    assert!(pages[0]["assignments"].as_array().unwrap().is_empty());

    // Reassigned from A's inspector to B's; the draft scheduled for A; `theirs` rescheduled;
    // `both` cancelled.
    let (st, v) = f.patch(&mine, json!({"inspectors": [other]})).await;
    assert_eq!(st, 200, "{v}");
    let (st, v) = f.set_status(&draft, "scheduled", None).await;
    assert_eq!(st, 200, "{v}");
    let (st, v) = f
        .patch(
            &theirs,
            json!({"starts_on": "2026-12-02", "ends_on": "2026-12-04"}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    let (st, v) = f
        .set_status(&both, "cancelled", Some("Отменена решением руководителя"))
        .await;
    assert_eq!(st, 200, "{v}");

    a.sync(s, &f.w.device, 50).await;
    assert_eq!(a.ids(), set(&[&draft]));
    assert!(
        a.removed.contains(&(mine.clone(), "unassigned".into())),
        "{:?}",
        a.removed
    );
    assert!(
        a.removed.contains(&(both.clone(), "cancelled".into())),
        "{:?}",
        a.removed
    );
    b.sync(s, &f.device2, 50).await;
    assert_eq!(b.ids(), set(&[&mine, &theirs]));
    assert_eq!(b.assignments[&theirs]["starts_on"], "2026-12-02");
    assert!(b.removed.contains(&(both.clone(), "cancelled".into())));

    // A fresh device of A's inspector (no cursor) gets the same state by snapshot.
    let mut fresh = Offline::default();
    fresh.sync(s, &f.w.device, 50).await;
    assert_eq!(fresh.ids(), a.ids());

    // Reference data changed: the checklist gained an item; devices get their assignments again.
    let (st, v) = s
        .send(
            reqwest::Method::PUT,
            "/api/v1/control-types/fire/checklists/main",
            &f.w.admin,
            &json!({"name": "Проверочный лист (ред. 2)", "items": [
                {"code": "1", "requirement": "R1", "question": "Обеспечено ли наличие огнетушителей?"},
                {"code": "2", "requirement": "R2", "question": "Свободны ли эвакуационные выходы?"},
                {"code": "3", "requirement": "R2", "question": "Исправно ли аварийное освещение путей эвакуации?"},
            ]}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    let pages = b.sync(s, &f.device2, 50).await;
    assert_eq!(pages[0]["reset"], true, "{}", pages[0]);
    assert_eq!(b.ids(), set(&[&mine, &theirs]));
    assert_eq!(
        b.checklists["fire/main"]["items"].as_array().unwrap().len(),
        3
    );
    assert_eq!(
        b.checklists["fire/main"]["name"],
        "Проверочный лист (ред. 2)"
    );
}
on_both!(each_device_sees_its_own_assignments_and_their_changes);

async fn pages_give_every_change_once_and_stale_cursors_get_a_snapshot(backend: Backend) {
    let f = field(backend).await;
    let me = f.w.inspector_id.clone();
    let s = &f.w.server;
    let mut a = Offline::default();
    a.sync(s, &f.w.device, 2).await;
    assert!(a.ids().is_empty());
    let before = a.cursor.clone();

    let mut created = BTreeSet::new();
    for _ in 0..5 {
        created.insert(f.scheduled(&["OBJ-1"], &[&me]).await);
    }
    let pages = a.sync(s, &f.w.device, 2).await;
    let sent: Vec<String> = pages
        .iter()
        .flat_map(|p| {
            p["assignments"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x["id"].as_str().unwrap().to_owned())
        })
        .collect();
    assert_eq!(sent.len(), 5, "each change once: {sent:?}");
    assert_eq!(sent.iter().cloned().collect::<BTreeSet<_>>(), created);
    assert_eq!(pages.len(), 3, "pages of 2, 2 and 1");
    assert!(pages.iter().all(|p| p["reset"] == false));

    // The feed is pruned: the old cursor is too old, and gets a snapshot.
    s.state
        .store
        .prune_changes(time::OffsetDateTime::now_utc() + time::Duration::seconds(1))
        .await
        .unwrap();
    let (st, page) = pull(s, &f.w.device, before.as_deref(), 50).await;
    assert_eq!(st, 200, "{page}");
    assert_eq!(page["reset"], true, "{page}");
    assert_eq!(page["assignments"].as_array().unwrap().len(), 5);
    // The current cursor still works after the prune (nothing newer was lost).
    let (st, page) = pull(s, &f.w.device, a.cursor.as_deref(), 50).await;
    assert_eq!(st, 200, "{page}");

    // Cursors are the server's: forged or garbled ones are refused.
    for bad in ["garbage", "djEuZi45OTk5OTk5", "djEucy4wLm5vdC1hbi1pZA"] {
        let (st, v) = pull(s, &f.w.device, Some(bad), 50).await;
        assert_eq!(st, 400, "{bad}: {v}");
    }
    let (st, _) = s.get("/api/v1/sync/pull?limit=0", &f.w.device.token).await;
    assert_eq!(st, 400);
    let (st, _) = s.get("/api/v1/sync/pull", &f.w.inspector).await;
    assert_eq!(st, 401, "a console session is not a device");
    // A revoked device pulls nothing.
    let (st, v) = s
        .send(
            reqwest::Method::POST,
            &format!("/api/v1/devices/{}/revoke", f.device2.id),
            &f.w.admin,
            &json!({}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    let (st, _) = s.get("/api/v1/sync/pull", &f.device2.token).await;
    assert_eq!(st, 403);
}
on_both!(pages_give_every_change_once_and_stale_cursors_get_a_snapshot);

/// The device time of a history record, `minutes` after a fixed morning (distinct times, so
/// "newest first" has one answer).
fn at(minutes: u32) -> String {
    format!(
        "2025-06-02T{:02}:{:02}:00.000Z",
        8 + minutes / 60,
        minutes % 60
    )
}

/// Signs a record at `at(minutes)`.
fn signed(d: &mut Device, kind: RecordKind, minutes: u32, body: Value) -> Vec<u8> {
    d.sign_at(kind, &body, &at(minutes))
}

/// An assignment as the server built it before pull read a page at a time: several statements
/// per assignment through the store's single-inspection reads. The batched page must serialise
/// to the same bytes.
async fn reference_assignment(state: &AppState, i: Inspection) -> Assignment {
    let store = &state.store;
    let subject = store
        .subject_by_inn(i.agency, &i.subject_inn)
        .await
        .unwrap()
        .unwrap();
    let keys: Vec<String> = i.objects.iter().map(|(_, k)| k.clone()).collect();
    let objects = store.objects_by_keys(i.agency, &keys).await.unwrap();
    let object_ids: Vec<uuid::Uuid> = i.objects.iter().map(|(id, _)| *id).collect();
    let violations = store
        .past_violations(i.agency, &object_ids, i.id, HISTORY_LIMIT)
        .await
        .unwrap();
    let mut subjects = vec![SubjectCard::from(subject)];
    for (_, inn) in &i.other_subjects {
        if let Some(s) = store.subject_by_inn(i.agency, inn).await.unwrap() {
            subjects.push(s.into());
        }
    }
    let today = state.today();
    let open_orders = store
        .subject_documents(i.agency, &i.subject_inn, "order", HISTORY_LIMIT)
        .await
        .unwrap()
        .into_iter()
        .filter(|o| {
            serde_json::from_value::<kinds::Order>(o.body.clone())
                .is_ok_and(|o| o.remedies.iter().any(|r| r.deadline >= today))
        })
        .collect();
    let names = store.list_control_types(i.agency).await.unwrap();
    Assignment {
        id: i.id,
        kind: i.kind.as_str().to_owned(),
        kind_name: i.kind.name_ru().to_owned(),
        basis: i.basis().to_owned(),
        ground: i.ground.as_str().to_owned(),
        ground_name: i.ground.title_ru(),
        interaction_limit_hours: i.interaction_limit_minutes().map(|m| m / 60),
        prosecutor_agreement: i.prosecutor_agreement,
        erknm: i.erknm,
        time_zone: state.time_zone_name().to_owned(),
        status: i.status,
        control_type_name: names
            .into_iter()
            .find(|c| c.code == i.control_type_code)
            .map_or_else(|| i.control_type_code.clone(), |c| c.name),
        control_type: i.control_type_code,
        starts_on: knd_shared::calendar::iso_date::format(i.starts_on),
        ends_on: knd_shared::calendar::iso_date::format(i.ends_on),
        note: i.note,
        subject: subjects[0].clone(),
        subjects,
        objects: objects.into_iter().map(Into::into).collect(),
        checklist: i.checklist_code,
        history: History {
            violations,
            open_orders,
        },
        updated_at: i.updated_at,
    }
}

/// Field work at two earlier inspections: violations (one corrected away) at OBJ-1, OBJ-2 and
/// OBJ-3, open and closed orders to both subjects. Returns (the subject's inspection, the other
/// subject's).
async fn history(f: &mut Field) -> (String, String) {
    let me = f.w.inspector_id.clone();
    let first = f.scheduled(&["OBJ-1", "OBJ-2"], &[&me]).await;
    let (st, v) = f
        .inspection(OTHER_SUBJECT, &["OBJ-3"], &[&me], json!({}))
        .await;
    assert_eq!(st, 201, "{v}");
    let second = v["id"].as_str().unwrap().to_owned();
    let d = &mut f.w.device;
    let finding = |insp: &str, item: &str, result: &str| json!({"inspection": insp, "item": item, "result": result, "note": format!("пункт {item}")});
    let order = |insp: &str, inn: &str, deadline: &str| {
        json!({"inspection": insp, "subject": inn, "remedies": [
            {"requirement": "R1", "measure": "Устранить нарушение", "deadline": deadline}]})
    };
    let mut records = vec![
        signed(
            d,
            RecordKind::InspectionStarted,
            0,
            json!({"inspection": first}),
        ),
        signed(
            d,
            RecordKind::InspectionStarted,
            1,
            json!({"inspection": second}),
        ),
        signed(d, RecordKind::Finding, 2, finding(&first, "1", "violation")),
        signed(d, RecordKind::Finding, 3, finding(&first, "2", "compliant")),
        signed(
            d,
            RecordKind::Finding,
            4,
            finding(&second, "1", "violation"),
        ),
        signed(d, RecordKind::Finding, 5, finding(&first, "3", "violation")),
    ];
    let wrong = signed(d, RecordKind::Finding, 6, finding(&first, "4", "violation"));
    let correction = signed(
        d,
        RecordKind::Correction,
        7,
        json!({"supersedes": id_of(&wrong), "reason": "ошибка",
               "body": finding(&first, "4", "compliant")}),
    );
    records.extend([wrong, correction]);
    records.extend([
        signed(
            d,
            RecordKind::Order,
            8,
            order(&first, SUBJECT, "2099-01-15"),
        ),
        signed(
            d,
            RecordKind::Order,
            9,
            order(&first, SUBJECT, "2020-01-15"),
        ),
        signed(
            d,
            RecordKind::Order,
            10,
            order(&second, OTHER_SUBJECT, "2099-02-01"),
        ),
        signed(
            d,
            RecordKind::Order,
            11,
            order(&first, SUBJECT, "2098-03-01"),
        ),
    ]);
    let (st, v) = f.w.server.push(&f.w.device, &records).await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(accepted(&v), records.len(), "{v}");
    knd_server::services::projections::catch_up(&f.w.server.state)
        .await
        .unwrap();
    (first, second)
}

async fn a_page_is_read_at_once_and_reads_as_before(backend: Backend) {
    let mut f = field(backend).await;
    let (first, second) = history(&mut f).await;
    let me = f.w.inspector_id.clone();
    let raid = json!({"kind": "raid", "other_subjects": [OTHER_SUBJECT], "ends_on": "2026-12-02"});
    let (st, v) = f
        .inspection(SUBJECT, &["OBJ-1", "OBJ-3"], &[&me], raid)
        .await;
    assert_eq!(st, 201, "{v}");
    let raid = v["id"].as_str().unwrap().to_owned();
    let both = f.scheduled(&["OBJ-1", "OBJ-2"], &[&me]).await;
    let (st, v) = f
        .inspection(OTHER_SUBJECT, &["OBJ-3"], &[&me], json!({}))
        .await;
    assert_eq!(st, 201, "{v}");
    let other = v["id"].as_str().unwrap().to_owned();

    let state = &f.w.server.state;
    let user = UserId::parse(&me).unwrap();
    let mut pages = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = pull::pull(state, f.w.agency, user, cursor.as_deref(), Some(2))
            .await
            .unwrap();
        let more = page.more;
        cursor = Some(page.cursor.clone());
        pages.push(page);
        if !more {
            break;
        }
    }
    let batched: Vec<&Assignment> = pages.iter().flat_map(|p| &p.assignments).collect();
    assert_eq!(batched.len(), 5, "pages of 2, 2 and 1");
    let mut reference = Vec::new();
    for a in &batched {
        let i = state
            .store
            .get_inspection(Some(f.w.agency), a.id)
            .await
            .unwrap()
            .unwrap();
        reference.push(reference_assignment(state, i).await);
    }
    assert_eq!(
        serde_json::to_string(&batched).unwrap(),
        serde_json::to_string(&reference).unwrap()
    );

    // The page is not trivially equal: each kind of history is there.
    let of = |id: &str| *batched.iter().find(|a| a.id.to_string() == id).unwrap();
    let items = |id: &str| -> Vec<(String, String)> {
        of(id)
            .history
            .violations
            .iter()
            .map(|v| (v.inspection.to_string(), v.item.clone()))
            .collect()
    };
    let (f1, s1) = (first.clone(), second.clone());
    assert_eq!(
        items(&raid),
        [
            (f1.clone(), "3".into()),
            (s1.clone(), "1".into()),
            (f1.clone(), "1".into())
        ],
        "OBJ-1's and OBJ-3's violations, newest first, the corrected one left out"
    );
    assert_eq!(
        items(&both),
        [(f1.clone(), "3".into()), (f1.clone(), "1".into())]
    );
    assert_eq!(items(&other), [(s1.clone(), "1".into())]);
    assert_eq!(items(&first), [], "its own findings are not its history");
    assert_eq!(of(&raid).subjects.len(), 2);
    assert_eq!(of(&raid).subjects[1].inn, OTHER_SUBJECT);
    let orders = |id: &str| of(id).history.open_orders.len();
    assert_eq!(orders(&both), 2, "the closed order is left out");
    assert_eq!(orders(&other), 1);
    assert_eq!(of(&both).objects.len(), 2);
    assert_eq!(of(&both).objects[0].key, "OBJ-1");

    // Each inspection's history is trimmed on its own: with a limit of one, every inspection gets
    // its newest violation and each subject its newest order, as the per-inspection reads do.
    let found = state
        .store
        .inspections_by_ids(
            f.w.agency,
            &batched.iter().map(|a| a.id).collect::<Vec<_>>(),
        )
        .await
        .unwrap();
    assert_eq!(found.len(), 5);
    let details = state
        .store
        .page_details(f.w.agency, &found, 1)
        .await
        .unwrap();
    for i in &found {
        let objects: Vec<uuid::Uuid> = i.objects.iter().map(|(id, _)| *id).collect();
        let one = state
            .store
            .past_violations(i.agency, &objects, i.id, 1)
            .await
            .unwrap();
        let got = details.violations.get(&i.id).cloned().unwrap_or_default();
        assert_eq!(
            serde_json::to_string(&got).unwrap(),
            serde_json::to_string(&one).unwrap()
        );
        let newest = state
            .store
            .subject_documents(i.agency, &i.subject_inn, "order", 1)
            .await
            .unwrap();
        let got = details
            .orders
            .get(&i.subject_inn)
            .cloned()
            .unwrap_or_default();
        assert_eq!(
            serde_json::to_string(&got).unwrap(),
            serde_json::to_string(&newest).unwrap()
        );
    }
}
on_both!(a_page_is_read_at_once_and_reads_as_before);

/// The inspections list reads its rows' lists a page at a time (no statements per row): what it
/// shows of each inspection is exactly what reading that inspection alone shows.
async fn the_list_shows_each_inspection_as_reading_it_alone_does(backend: Backend) {
    let f = crate::field::field(backend).await;
    let (me, other) = (f.w.inspector_id.clone(), f.inspector2_id.clone());
    let ids = [
        f.scheduled(&["OBJ-2", "OBJ-1"], &[&me, &other]).await,
        f.scheduled(&["OBJ-1"], &[&other]).await,
        f.scheduled(&["OBJ-2"], &[&me]).await,
    ];
    let s = &f.w.server;
    let (st, list) = s.get("/api/v1/inspections?limit=10", &f.w.admin).await;
    assert_eq!(st, 200, "{list}");
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 3, "{list}");
    for id in &ids {
        let (st, alone) = s
            .get(&format!("/api/v1/inspections/{id}"), &f.w.admin)
            .await;
        assert_eq!(st, 200);
        let listed = items.iter().find(|i| i["id"] == *id).unwrap();
        assert_eq!(listed, &alone);
    }
}
on_both!(the_list_shows_each_inspection_as_reading_it_alone_does);
