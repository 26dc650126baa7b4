//! The store story: the same sequence of operations on SQLite and on PostgreSQL must leave the
//! same data behind (atuin's `db_story.rs`). Both databases are read back with plain SQL and
//! normalised (ids by creation order, times and random bytes blanked), then compared table by
//! table; and the same bad inputs must get the same status and problem type on both.

use std::collections::BTreeMap;
use std::time::Duration;

use knd_server::error::ApiError;
use knd_server::model::{Actor, AuditEntry, Blob, BlobUploader, InspectionStatus, Outcome};
use knd_server::store::{StoreError, Violation};
use knd_shared::record::RecordKind;
use knd_shared::{InspectionId, Sha256, UserId};
use reqwest::Method;
use serde_json::json;
use time::OffsetDateTime;

use crate::common::{Backend, TestServer};
use crate::field::{SUBJECT, field};
use crate::projections::{id_of, sign};

/// One value of a dumped row, before ids are numbered.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Cell {
    Null,
    Int(i64),
    Text(String),
    Uuid(uuid::Uuid),
    /// Times and random bytes (hashes of signed records, keys, tokens) differ between runs.
    Blank(&'static str),
}

type Dump = BTreeMap<String, Vec<BTreeMap<String, Cell>>>;

/// Runs the story on a fresh server and returns the database's dump.
async fn story(backend: Backend) -> Dump {
    let mut f = field(backend).await;
    let s = &f.w.server;
    let store = &s.state.store;

    // API keys: one kept, one revoked.
    knd_server::admin::issue_api_key(&s.state, SUBJECT)
        .await
        .unwrap();
    let v = knd_server::admin::issue_api_key(&s.state, "7736207543")
        .await
        .unwrap();
    let id = uuid::Uuid::parse_str(v["id"].as_str().unwrap()).unwrap();
    knd_server::admin::revoke_api_key(&s.state, id)
        .await
        .unwrap();

    // A risk decision, then an inspection created, changed and another cancelled.
    let (st, v) = s
        .send(
            Method::PUT,
            "/api/v1/objects/OBJ-2/risk",
            &f.w.admin,
            &json!({"category": "low", "decided_on": "2026-11-20",
                    "reason": "решение о категории риска", "attributes": {}}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    let me = f.w.inspector_id.clone();
    let other = f.inspector2_id.clone();
    let insp = f.scheduled(&["OBJ-1"], &[&me]).await;
    let (st, v) = f
        .patch(
            &insp,
            json!({"inspectors": [me, other], "note": "вторая бригада"}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    let cancelled = f.scheduled(&["OBJ-2"], &[&me]).await;
    let (st, v) = f
        .set_status(&cancelled, "cancelled", Some("Отменена"))
        .await;
    assert_eq!(st, 200, "{v}");

    // A day of field work pushed by the device, and projected.
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
        json!({"inspection": insp, "item": "1", "result": "violation",
               "note": "Огнетушитель без проверки", "photos": [photo_sha]}),
    );
    let f2 = sign(
        d,
        RecordKind::Finding,
        json!({"inspection": insp, "item": "2", "result": "compliant"}),
    );
    let correction = sign(
        d,
        RecordKind::Correction,
        json!({"supersedes": id_of(&f2), "reason": "Выход 3 загромождён",
               "body": {"inspection": insp, "item": "2", "result": "violation"}}),
    );
    let finished = sign(
        d,
        RecordKind::InspectionFinished,
        json!({"inspection": insp}),
    );
    let (st, v) = s
        .push(&f.w.device, &[started, photo, f1, f2, correction, finished])
        .await;
    assert_eq!(st, 200, "{v}");
    let insp_id = InspectionId::parse(&insp).unwrap();
    let mut projected = false;
    for _ in 0..200 {
        let size = store.log_size().await.unwrap();
        // The projector moves the inspection along after it projected the records.
        let completed = store
            .get_inspection(None, insp_id)
            .await
            .unwrap()
            .is_some_and(|i| i.status == InspectionStatus::Completed);
        if completed && store.projection_position().await.unwrap().upto >= size {
            projected = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(projected, "the projector did not catch up");

    // The photo's bytes arrive from both devices.
    let sha = Sha256::parse(photo_sha).unwrap();
    let audit = |action: &str| AuditEntry {
        agency: Some(f.w.agency),
        actor: Actor::Operator,
        action: action.into(),
        target: Some(format!("blob:{photo_sha}")),
        outcome: Outcome::Ok,
        detail: None,
        address: None,
    };
    let now = OffsetDateTime::now_utc();
    let blob = Blob {
        sha256: sha,
        size: 4,
        mime: "image/jpeg".into(),
    };
    let by = |device| BlobUploader::Device {
        agency: f.w.agency,
        device,
    };
    store
        .record_blob(&blob, &by(f.w.device.id), now, &audit("blob.stored"))
        .await
        .unwrap();
    assert!(
        store
            .add_blob_upload(&sha, &by(f.device2.id), now, &audit("blob.uploaded"))
            .await
            .unwrap()
    );
    store.audit(&audit("story.end")).await.unwrap();

    let server = f.w.server;
    let (dir, url) = server.stop().await;
    let dump = match backend {
        Backend::Sqlite => dump_sqlite(&dir.path().join("knd.sqlite3")),
        Backend::Postgres => dump_postgres(&url).await,
    };
    drop(dir);
    dump
}

fn is_time(s: &str) -> bool {
    OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).is_ok()
}

/// SQLite keeps uuids and times as text: they are read back as what PostgreSQL types them.
fn text_cell(s: String) -> Cell {
    if let Some(u) = uuid::Uuid::parse_str(&s).ok().filter(|_| s.len() == 36) {
        Cell::Uuid(u)
    } else if is_time(&s) {
        Cell::Blank("time")
    } else {
        Cell::Text(s)
    }
}

fn dump_sqlite(path: &std::path::Path) -> Dump {
    use rusqlite::types::ValueRef;
    let c = rusqlite::Connection::open(path).unwrap();
    let tables: Vec<String> = c
        // Full-text tables (`*_fts` and their shadow tables) are SQLite's search index, as the
        // GIN indexes are PostgreSQL's: not stored data.
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
             AND name NOT LIKE '%\\_fts' ESCAPE '\\' AND name NOT LIKE '%\\_fts\\_%' ESCAPE '\\'",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut dump = Dump::new();
    for t in tables {
        let mut stmt = c.prepare(&format!("SELECT * FROM {t}")).unwrap();
        let names: Vec<String> = stmt.column_names().into_iter().map(str::to_owned).collect();
        let rows = stmt
            .query_map([], |r| {
                let mut row = BTreeMap::new();
                for (i, n) in names.iter().enumerate() {
                    let cell = match r.get_ref(i)? {
                        ValueRef::Null => Cell::Null,
                        ValueRef::Integer(n) => Cell::Int(n),
                        ValueRef::Real(x) => Cell::Text(format!("{x:?}")),
                        ValueRef::Text(b) => text_cell(String::from_utf8_lossy(b).into_owned()),
                        ValueRef::Blob(_) => Cell::Blank("bytes"),
                    };
                    row.insert(n.clone(), cell);
                }
                Ok(row)
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        dump.insert(t, rows);
    }
    dump
}

async fn dump_postgres(url: &str) -> Dump {
    use tokio_postgres::types::Type;
    let (c, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    let tables: Vec<String> = c
        .query(
            "SELECT table_name::text FROM information_schema.tables
             WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let mut dump = Dump::new();
    for t in tables {
        let rows = c.query(&format!("SELECT * FROM {t}"), &[]).await.unwrap();
        let rows = rows
            .iter()
            .map(|r| {
                let mut row = BTreeMap::new();
                for (i, col) in r.columns().iter().enumerate() {
                    let ty = col.type_();
                    let cell = if *ty == Type::UUID {
                        r.get::<_, Option<uuid::Uuid>>(i).map(Cell::Uuid)
                    } else if *ty == Type::TEXT {
                        r.get::<_, Option<String>>(i).map(text_cell)
                    } else if *ty == Type::INT8 {
                        r.get::<_, Option<i64>>(i).map(Cell::Int)
                    } else if *ty == Type::INT4 {
                        r.get::<_, Option<i32>>(i).map(|n| Cell::Int(n.into()))
                    } else if *ty == Type::BYTEA {
                        r.get::<_, Option<Vec<u8>>>(i).map(|_| Cell::Blank("bytes"))
                    } else if *ty == Type::TIMESTAMPTZ {
                        r.get::<_, Option<OffsetDateTime>>(i)
                            .map(|_| Cell::Blank("time"))
                    } else if *ty == Type::DATE {
                        r.get::<_, Option<time::Date>>(i)
                            .map(|d| Cell::Text(knd_shared::calendar::iso_date::format(d)))
                    } else {
                        panic!("{t}.{}: no dump rule for {ty}", col.name())
                    };
                    row.insert(col.name().to_owned(), cell.unwrap_or(Cell::Null));
                }
                row
            })
            .collect();
        dump.insert(t, rows);
    }
    dump
}

/// Numbers every uuid by its rank among all the dump's uuids (v7: the order they were made in,
/// the same on both runs), inside text too; blanks password hashes (salted); sorts each table's
/// rows. What is left differs only where the backends did.
fn normalise(dump: Dump) -> BTreeMap<String, Vec<String>> {
    let uuid_re = |s: &str| -> Vec<uuid::Uuid> {
        s.split(|c: char| !(c.is_ascii_hexdigit() || c == '-'))
            .filter(|w| w.len() == 36)
            .filter_map(|w| uuid::Uuid::parse_str(w).ok())
            .collect()
    };
    let mut ids: Vec<uuid::Uuid> = Vec::new();
    for rows in dump.values() {
        for row in rows {
            for cell in row.values() {
                match cell {
                    Cell::Uuid(u) => ids.push(*u),
                    Cell::Text(s) => ids.extend(uuid_re(s)),
                    _ => {}
                }
            }
        }
    }
    ids.sort();
    ids.dedup();
    let rank: BTreeMap<uuid::Uuid, usize> = ids.iter().enumerate().map(|(i, u)| (*u, i)).collect();
    let number_text = |s: &str| -> String {
        let mut out = s.to_owned();
        for u in uuid_re(s) {
            out = out.replace(&u.to_string(), &format!("#{}", rank[&u]));
        }
        // Times and keys inside text (audit details, record times) differ between runs too.
        let random = |part: &str| {
            is_time(part) || (part.len() == 64 && part.bytes().all(|b| b.is_ascii_hexdigit()))
        };
        out.split('"')
            .map(|part| if random(part) { "<random>" } else { part })
            .collect::<Vec<_>>()
            .join("\"")
    };
    dump.into_iter()
        .map(|(table, rows)| {
            let mut rows: Vec<String> = rows
                .into_iter()
                .map(|row| {
                    row.into_iter()
                        // The audit log's sequence numbers tell how the background projector's
                        // writes interleaved with the story's, which no backend decides.
                        .filter(|(col, _)| !(table == "audit_log" && col == "id"))
                        .map(|(col, cell)| {
                            let v = match cell {
                                Cell::Null => "NULL".to_owned(),
                                Cell::Int(n) => n.to_string(),
                                Cell::Uuid(u) => format!("#{}", rank[&u]),
                                Cell::Text(s) if s.starts_with("$argon2") => "<password>".into(),
                                Cell::Text(s) => format!("{:?}", number_text(&s)),
                                Cell::Blank(what) => format!("<{what}>"),
                            };
                            format!("{col}={v}")
                        })
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect();
            rows.sort();
            (table, rows)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_backends_store_the_same_story() {
    let (sqlite, postgres) = tokio::join!(story(Backend::Sqlite), story(Backend::Postgres));
    let (sqlite, postgres) = (normalise(sqlite), normalise(postgres));
    assert!(
        sqlite.values().map(Vec::len).sum::<usize>() > 100,
        "{sqlite:#?}"
    );
    let tables: std::collections::BTreeSet<&String> =
        sqlite.keys().chain(postgres.keys()).collect();
    let mut diverged = Vec::new();
    for t in tables {
        let (a, b) = (sqlite.get(t), postgres.get(t));
        if a != b {
            diverged.push(format!(
                "{t}:\n  sqlite:   {:#?}\n  postgres: {:#?}",
                a.map(|r| r
                    .iter()
                    .filter(|x| !b.is_some_and(|b| b.contains(x)))
                    .collect::<Vec<_>>()),
                b.map(|r| r
                    .iter()
                    .filter(|x| !a.is_some_and(|a| a.contains(x)))
                    .collect::<Vec<_>>()),
            ));
        }
    }
    assert!(diverged.is_empty(), "{}", diverged.join("\n"));
}

/// What a client is answered for a bad input: its status and problem type.
async fn answers(backend: Backend) -> Vec<(u16, String)> {
    let s = TestServer::start(backend).await;
    let agency = s.agency("Управление").await;
    let (_, admin) = s
        .user(agency, "admin", knd_server::model::Role::Admin)
        .await;
    let mut out = Vec::new();
    let user =
        json!({"login": "inspector", "password": "correct horse battery", "role": "inspector"});
    for _ in 0..2 {
        let (st, v) = s.send(Method::POST, "/api/v1/users", &admin, &user).await;
        out.push((st, v["type"].as_str().unwrap_or_default().to_owned()));
        if st >= 400 {
            assert!(!v["detail"].as_str().unwrap().contains("constraint"), "{v}");
        }
    }
    // A session for a user who does not exist: a foreign key on both backends.
    let e = s
        .state
        .store
        .create_session(
            &Sha256::digest(b"token"),
            UserId::new(),
            OffsetDateTime::now_utc(),
            &AuditEntry {
                agency: None,
                actor: Actor::Operator,
                action: "session.create".into(),
                target: None,
                outcome: Outcome::Ok,
                detail: None,
                address: None,
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(e, StoreError::Constraint(Violation::MissingReference)),
        "{e:?}"
    );
    let p = ApiError::from(e).problem();
    out.push((p.status, p.kind));
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_backends_answer_bad_inputs_alike() {
    let (sqlite, postgres) = tokio::join!(answers(Backend::Sqlite), answers(Backend::Postgres));
    assert_eq!(sqlite, postgres);
    assert_eq!(
        sqlite,
        [
            (201, String::new()),
            (409, "urn:knd:problem:login-taken".into()),
            (409, "urn:knd:problem:missing-reference".into()),
        ]
    );
}
