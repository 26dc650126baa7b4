//! Pull: a device gets exactly its inspector's assignments, then the changes to them, through an
//! opaque cursor; a stale cursor gets a snapshot.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use crate::common::{Backend, Device, TestServer};
use crate::field::{Field, field};
use crate::on_both;

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
