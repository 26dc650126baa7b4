//! Fresh PostgreSQL databases, one per server, so that tests and benchmarks never share state.

use anyhow::Context as _;

/// A fresh, empty database on the PostgreSQL server `admin_url` names (a URL whose user may
/// create databases); the URL of the new database.
///
/// The names start with `knd_test_`, which `scripts/test.sh` drops before a run.
pub async fn fresh_postgres_db(admin_url: &str) -> anyhow::Result<String> {
    named_postgres_db(admin_url, "knd_test").await
}

/// A fresh database named `PREFIX_<uuid>`: the test command drops every `knd_test_` one before
/// it runs, so data a benchmark keeps for later takes another prefix.
pub async fn named_postgres_db(admin_url: &str, prefix: &str) -> anyhow::Result<String> {
    let name = format!("{prefix}_{}", uuid::Uuid::now_v7().simple());
    let (client, conn) = tokio_postgres::connect(admin_url, tokio_postgres::NoTls)
        .await
        .context("connect to PostgreSQL")?;
    tokio::spawn(conn);
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .context("create a test database")?;
    let base = admin_url.rsplit_once('/').map_or(admin_url, |(b, _)| b);
    Ok(format!("{base}/{name}"))
}

/// A fresh database on the server `KND_TEST_POSTGRES_URL` names (the test command sets it).
///
/// # Panics
/// When the variable is missing or the server refuses: skipping would hide a backend.
pub async fn fresh_test_postgres_db() -> String {
    let admin = std::env::var("KND_TEST_POSTGRES_URL").expect(
        "KND_TEST_POSTGRES_URL is not set: run scripts/test.sh, which starts PostgreSQL, \
         or point it at a server where the tests may create databases",
    );
    match fresh_postgres_db(&admin).await {
        Ok(url) => url,
        Err(e) => panic!("a fresh test database: {e:#}"),
    }
}
