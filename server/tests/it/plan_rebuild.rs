//! A rebuilt draft plan: the previous draft is gone from every read as soon as the new one is
//! stored, and its rows are deleted from the database by the purge that follows.

use reqwest::Method;
use serde_json::{Value, json};

use knd_server::store::PurgeStep;

use crate::common::Backend;
use crate::field::field;
use crate::on_both;
use crate::planning::{planner, today};

async fn a_rebuilt_draft_leaves_nothing_of_the_old_one(backend: Backend) {
    let f = field(backend).await;
    let s = &f.w.server;
    let planner = planner(&f).await;
    let body = json!({"year": today().year() + 1});
    let (st, first) = s.send(Method::POST, "/api/v1/plans", &planner, &body).await;
    assert_eq!(st, 201, "{first}");
    let (st, second) = s.send(Method::POST, "/api/v1/plans", &planner, &body).await;
    assert_eq!(st, 201, "{second}");
    let ids = |v: &Value| {
        [
            v["inspections_plan"].as_str().unwrap().to_owned(),
            v["visits_plan"].as_str().unwrap().to_owned(),
        ]
    };
    let (old, new) = (ids(&first), ids(&second));
    for id in &old {
        let (st, v) = s.get(&format!("/api/v1/plans/{id}"), &planner).await;
        assert_eq!(st, 404, "{v}");
    }
    let (st, list) = s.get("/api/v1/plans", &planner).await;
    assert_eq!(st, 200, "{list}");
    let mut listed: Vec<String> = list
        .as_array()
        .unwrap_or_else(|| panic!("{list}"))
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect();
    listed.sort();
    let mut expected = new.to_vec();
    expected.sort();
    assert_eq!(listed, expected, "{list}");
    let (_, entries) = s
        .get(&format!("/api/v1/plans/{}/entries", new[0]), &planner)
        .await;
    assert_eq!(
        entries["entries"].as_array().map(Vec::len),
        Some(1),
        "{entries}"
    );

    // Step by step with a batch of one entry (the build's own purge may be deleting beside
    // it): no step deletes more than its batch, and the steps end.
    let mut from = 1;
    for step in 0.. {
        assert!(step < 100, "the purge does not end");
        match s.state.store.purge_step(from, 1).await.unwrap() {
            PurgeStep::Entries { rows, next } => {
                assert!(rows <= 1 && next > 1, "{rows} rows, next {next}");
                from = next;
            }
            PurgeStep::PlanDeleted => from = 1,
            PurgeStep::Done => break,
        }
    }
    // The purge the build started, awaited (one at a time: it waits for a running one).
    knd_server::services::plan_purge::purge(&*s.state.store)
        .await
        .unwrap();
    let (dir, url) = f.w.server.stop().await;
    let counts = "SELECT (SELECT count(*) FROM plans), (SELECT count(*) FROM plans WHERE \
                  superseded_at IS NOT NULL), (SELECT count(*) FROM plan_entries)";
    let counts: (i64, i64, i64) = match backend {
        Backend::Sqlite => {
            let c = rusqlite::Connection::open(dir.path().join("knd.sqlite3")).unwrap();
            let counts = c
                .query_row(counts, [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .unwrap();
            c.execute_batch(SQLITE_BEFORE_0011).unwrap();
            counts
        }
        Backend::Postgres => {
            let (c, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                .await
                .unwrap();
            tokio::spawn(conn);
            let r = c.query_one(counts, &[]).await.unwrap();
            c.batch_execute(POSTGRES_BEFORE_0011).await.unwrap();
            (r.get(0), r.get(1), r.get(2))
        }
    };
    let kept = ["inspection_entries", "visit_entries"]
        .map(|k| second[k].as_i64().unwrap())
        .iter()
        .sum::<i64>();
    assert_eq!(counts, (2, 0, kept), "plans, superseded plans, entries");

    // The schema put back as it was before migration 0011: started again, the server migrates
    // a database holding plans and their entries, and the plans read as before.
    let s = knd_tests::server::TestServer::start_with(dir, url).await;
    let (st, plan) = s.get(&format!("/api/v1/plans/{}", new[0]), &planner).await;
    assert_eq!(
        (st, plan["year"].as_i64()),
        (200, Some(body["year"].as_i64().unwrap())),
        "{plan}"
    );
    let (_, again) = s
        .get(&format!("/api/v1/plans/{}/entries", new[0]), &planner)
        .await;
    assert_eq!(again["entries"], entries["entries"]);
    let (st, rebuilt) = s.send(Method::POST, "/api/v1/plans", &planner, &body).await;
    assert_eq!(st, 201, "{rebuilt}");
}

/// Migration 0011 undone on SQLite: `plans` rebuilt with its old UNIQUE constraint.
const SQLITE_BEFORE_0011: &str = "
    PRAGMA foreign_keys = OFF;
    BEGIN;
    CREATE TABLE plans_old (
        id TEXT PRIMARY KEY, agency_id TEXT NOT NULL REFERENCES agencies (id),
        year INTEGER NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL,
        version INTEGER NOT NULL, summary TEXT NOT NULL, built_by TEXT REFERENCES users (id),
        built_at TEXT NOT NULL, sent_on TEXT, approved_on TEXT, approved_by TEXT,
        published_on TEXT, record_id TEXT, UNIQUE (agency_id, year, kind));
    INSERT INTO plans_old SELECT id, agency_id, year, kind, status, version, summary, built_by,
        built_at, sent_on, approved_on, approved_by, published_on, record_id FROM plans;
    DROP TABLE plans;
    ALTER TABLE plans_old RENAME TO plans;
    DELETE FROM schema_migrations WHERE version = 11;
    COMMIT;";

/// Migration 0011 undone on PostgreSQL.
const POSTGRES_BEFORE_0011: &str = "
    DROP INDEX plans_current;
    DROP INDEX plans_superseded;
    ALTER TABLE plans DROP COLUMN superseded_at;
    ALTER TABLE plans ADD CONSTRAINT plans_agency_id_year_kind_key UNIQUE (agency_id, year, kind);
    DELETE FROM schema_migrations WHERE version = 11;";

on_both!(a_rebuilt_draft_leaves_nothing_of_the_old_one);
