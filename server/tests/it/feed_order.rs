//! The change feed's ids follow commit order on PostgreSQL: a change waits for the feed's lock,
//! so while another transaction holds it (one that drew an id and has not committed), no later
//! change can draw a greater id and be pulled first.

use reqwest::Method;
use serde_json::json;

use crate::common::Backend;
use crate::field::field;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_waits_for_the_feed_lock() {
    let f = field(Backend::Postgres).await;
    let me = f.w.inspector_id.clone();
    let id = f.scheduled(&["OBJ-1"], &[&me]).await;
    let s = &f.w.server;
    let url = s.state.config.database_url.clone().unwrap();
    let (mut client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    let holder = client.transaction().await.unwrap();
    holder
        .execute(
            "SELECT pg_advisory_xact_lock($1)",
            &[&knd_server::store::postgres::FEED_LOCK],
        )
        .await
        .unwrap();

    // A change of the inspector's inspection writes the feed: it waits.
    let http = s.http.clone();
    let path = s.url(&format!("/api/v1/inspections/{id}"));
    let admin = f.w.admin.clone();
    let change = tokio::spawn(async move {
        http.request(Method::PATCH, path)
            .bearer_auth(admin)
            .json(&json!({"note": "Перенесено по просьбе проверяемого"}))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    });
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(
        !change.is_finished(),
        "the change did not wait for the feed's lock"
    );
    holder.rollback().await.unwrap();
    assert_eq!(change.await.unwrap(), 200);
}
