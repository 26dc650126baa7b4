//! A real server in this process on 127.0.0.1:0, on SQLite in a temporary directory or on a
//! fresh PostgreSQL database, reached over real HTTP.

use std::net::SocketAddr;
use std::path::Path;

use knd_server::Config;
use knd_server::model::Role;
use knd_server::state::AppState;
use knd_shared::AgencyId;
use serde_json::Value;
use tempfile::TempDir;
use tokio::sync::oneshot;

use crate::client::Client;
use crate::device::Device;
use crate::{admin, postgres};

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// A fresh database for a server whose data directory is `dir`: SQLite inside it, or a new
    /// PostgreSQL database ([`postgres::fresh_test_postgres_db`]).
    pub async fn fresh_database(self, dir: &Path) -> String {
        match self {
            Backend::Sqlite => format!("sqlite://{}", dir.join("knd.sqlite3").display()),
            Backend::Postgres => postgres::fresh_test_postgres_db().await,
        }
    }
}

/// The configuration the tests run with: the defaults, a fixed log origin, room for large
/// pushes and a small JSON body limit (so the limits are reached quickly).
pub fn test_config(data_dir: &Path, database_url: String) -> Config {
    let mut config = Config {
        data_dir: data_dir.to_owned(),
        database_url: Some(database_url),
        log_origin: "knd.test/log".into(),
        ..Config::default()
    };
    config.limits.max_push_bytes = 4 * 1024 * 1024;
    config.limits.max_body_bytes = 64 * 1024;
    config
}

/// A running server. Dropping it stops the server; [`TestServer::stop`] stops it and hands
/// back its data directory and database for a restart.
#[derive(Debug)]
pub struct TestServer {
    pub addr: SocketAddr,
    pub state: AppState,
    pub http: reqwest::Client,
    pub dir: TempDir,
    database_url: String,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl TestServer {
    /// Starts a server with [`test_config`] on a fresh database of `backend`.
    pub async fn start(backend: Backend) -> TestServer {
        Self::start_configured(backend, |_| {}).await
    }

    /// Starts a server whose [`test_config`] `tweak` changes first.
    pub async fn start_configured(backend: Backend, tweak: impl FnOnce(&mut Config)) -> TestServer {
        let dir = TempDir::new().expect("a temporary directory");
        let database_url = backend.fresh_database(dir.path()).await;
        let mut config = test_config(dir.path(), database_url);
        tweak(&mut config);
        Self::launch(dir, config).await.expect("the server starts")
    }

    /// Starts (or restarts) a server on an existing data directory and database.
    pub async fn start_with(dir: TempDir, database_url: String) -> TestServer {
        let config = test_config(dir.path(), database_url);
        Self::launch(dir, config).await.expect("the server starts")
    }

    /// Starts a server with exactly `config`, whose data directory lives in `dir`.
    pub async fn launch(dir: TempDir, config: Config) -> anyhow::Result<TestServer> {
        let database_url = config.database_url();
        let state = knd_server::start(config).await?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let serving = knd_server::serve(listener, state.clone(), async {
            let _ = stopped.await;
        });
        let task = tokio::spawn(async move {
            if let Err(e) = serving.await {
                eprintln!("server stopped with {e}");
            }
        });
        Ok(TestServer {
            addr,
            state,
            http: reqwest::Client::new(),
            dir,
            database_url,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// Stops the server and gives back its data directory and database for a restart.
    pub async fn stop(mut self) -> (TempDir, String) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        let dir = std::mem::replace(
            &mut self.dir,
            TempDir::new().expect("a temporary directory"),
        );
        (dir, std::mem::take(&mut self.database_url))
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// A client of this server, sharing its connection pool.
    pub fn client(&self) -> Client {
        Client::new(self.http.clone(), self.addr)
    }

    pub async fn agency(&self, name: &str) -> AgencyId {
        admin::agency(&self.state, name).await
    }

    /// Creates a user and signs in; returns the user id and a bearer token.
    pub async fn user(&self, agency: AgencyId, login: &str, role: Role) -> (String, String) {
        admin::user_signed_in(&self.state, &self.client(), agency, login, role).await
    }

    /// A one-time enrollment code for the device of `login`.
    pub async fn code_for(&self, login: &str) -> String {
        admin::enrollment_code(&self.state, login).await
    }

    /// Enrolls a new device key with `code`.
    pub async fn enroll(&self, code: &str) -> Device {
        self.client().enroll(code, "Планшет 7").await
    }

    pub async fn push(&self, device: &Device, records: &[Vec<u8>]) -> (u16, Value) {
        self.client().push(&device.token, records).await
    }

    /// Sends `body` as JSON with `method`; the answer's status and JSON (or text).
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: &Value,
    ) -> (u16, Value) {
        self.client().send(method, path, token, body).await
    }

    pub async fn get(&self, path: &str, token: &str) -> (u16, Value) {
        self.client().get(path, token).await
    }

    pub async fn get_bytes(&self, path: &str, token: &str) -> (u16, Vec<u8>) {
        self.client().get_bytes(path, token).await
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// The benchmarks' server: the defaults but room for 1000 records a push, so that the limits
/// the tests tighten do not shape what is measured. Everything else is the [`TestServer`]'s.
#[derive(Debug)]
pub struct Server(TestServer);

impl Server {
    /// Starts a server; `database_url` `None` means SQLite in a temporary directory.
    pub async fn start(database_url: Option<String>) -> anyhow::Result<Server> {
        let dir = TempDir::new()?;
        let mut config = Config {
            data_dir: dir.path().to_owned(),
            database_url,
            ..Config::default()
        };
        config.limits.max_push_records = 1000;
        Ok(Server(TestServer::launch(dir, config).await?))
    }

    /// An agency with one inspector, and `n` devices enrolled for them.
    pub async fn devices(&self, n: usize) -> anyhow::Result<Vec<Device>> {
        let agency = admin::agency(&self.state, "Bench agency").await;
        admin::user(&self.state, agency, "bench", Role::Inspector).await;
        let client = self.client();
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            let code = admin::enrollment_code(&self.state, "bench").await;
            out.push(client.enroll(&code, &format!("bench {i}")).await);
        }
        Ok(out)
    }
}

impl std::ops::Deref for Server {
    type Target = TestServer;

    fn deref(&self) -> &TestServer {
        &self.0
    }
}
