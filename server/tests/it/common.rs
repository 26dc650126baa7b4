//! Starting a real server for a test, on a fresh database, and driving it like a client.

use std::net::SocketAddr;

use knd_server::Config;
use knd_server::model::Role;
use knd_server::state::AppState;
use knd_shared::record::{self, ChainHead, RecordDraft, RecordKind, kinds};
use knd_shared::{AgencyId, DeviceId, DeviceKey, InspectionId, Sha256};
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::sync::oneshot;

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Generates one test per backend from an async fn taking a `Backend`.
#[macro_export]
macro_rules! on_both {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::common::Backend::Sqlite).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::common::Backend::Postgres).await;
            }
        }
    };
}

/// A fresh PostgreSQL database for one server, from `KND_TEST_POSTGRES_URL` (an admin URL; the
/// test command sets it). Missing configuration fails the test: skipping would hide a backend.
pub async fn fresh_postgres_db() -> String {
    let admin = std::env::var("KND_TEST_POSTGRES_URL").expect(
        "KND_TEST_POSTGRES_URL is not set: run scripts/test.sh, which starts PostgreSQL, \
         or point it at a server where the tests may create databases",
    );
    let name = format!("knd_test_{}", uuid::Uuid::now_v7().simple());
    let (client, conn) = tokio_postgres::connect(&admin, tokio_postgres::NoTls)
        .await
        .expect("connect to the test PostgreSQL");
    tokio::spawn(conn);
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create a test database");
    let base = admin
        .rsplit_once('/')
        .map_or(admin.as_str(), |(b, _)| b)
        .to_owned();
    format!("{base}/{name}")
}

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
    pub async fn start(backend: Backend) -> TestServer {
        let dir = TempDir::new().unwrap();
        let database_url = match backend {
            Backend::Sqlite => format!("sqlite://{}", dir.path().join("knd.sqlite3").display()),
            Backend::Postgres => fresh_postgres_db().await,
        };
        Self::start_with(dir, database_url).await
    }

    /// Starts a server whose configuration `tweak` changes first.
    pub async fn start_configured(backend: Backend, tweak: impl FnOnce(&mut Config)) -> TestServer {
        let dir = TempDir::new().unwrap();
        let database_url = match backend {
            Backend::Sqlite => format!("sqlite://{}", dir.path().join("knd.sqlite3").display()),
            Backend::Postgres => fresh_postgres_db().await,
        };
        Self::start_tweaked(dir, database_url, tweak).await
    }

    /// Starts (or restarts) a server on an existing data directory and database.
    pub async fn start_with(dir: TempDir, database_url: String) -> TestServer {
        Self::start_tweaked(dir, database_url, |_| {}).await
    }

    async fn start_tweaked(
        dir: TempDir,
        database_url: String,
        tweak: impl FnOnce(&mut Config),
    ) -> TestServer {
        let mut config = Config {
            data_dir: dir.path().to_owned(),
            database_url: Some(database_url.clone()),
            log_origin: "knd.test/log".into(),
            ..Config::default()
        };
        config.limits.max_push_bytes = 4 * 1024 * 1024;
        config.limits.max_body_bytes = 64 * 1024;
        tweak(&mut config);
        let state = knd_server::start(config).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(
            knd_server::serve(listener, state.clone(), async {
                let _ = stopped.await;
            })
            .map_ok_or_log(),
        );
        TestServer {
            addr,
            state,
            http: reqwest::Client::new(),
            dir,
            database_url,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// Stops the server and gives back its data directory and database for a restart.
    pub async fn stop(mut self) -> (TempDir, String) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        let dir = std::mem::replace(&mut self.dir, TempDir::new().unwrap());
        (dir, self.database_url.clone())
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub async fn agency(&self, name: &str) -> AgencyId {
        let v = knd_server::admin::create_agency(&self.state, name)
            .await
            .unwrap();
        AgencyId::parse(v["id"].as_str().unwrap()).unwrap()
    }

    /// Creates a user and signs in; returns the user id and a bearer token.
    pub async fn user(&self, agency: AgencyId, login: &str, role: Role) -> (String, String) {
        let v = knd_server::admin::create_user(
            &self.state,
            agency,
            login,
            role,
            "correct horse battery".into(),
        )
        .await
        .unwrap();
        let resp = self
            .http
            .post(self.url("/api/v1/auth/login"))
            .json(&json!({"login": login, "password": "correct horse battery"}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "login {login}");
        let body: Value = resp.json().await.unwrap();
        (
            v["id"].as_str().unwrap().to_owned(),
            body["token"].as_str().unwrap().to_owned(),
        )
    }

    pub async fn code_for(&self, login: &str) -> String {
        let v = knd_server::admin::enrollment_code(&self.state, login)
            .await
            .unwrap();
        v["code"].as_str().unwrap().to_owned()
    }

    /// Enrolls a new device key with `code`.
    pub async fn enroll(&self, code: &str) -> Device {
        let key = DeviceKey::generate();
        let resp = self
            .http
            .post(self.url("/api/v1/devices/enroll"))
            .json(&json!({"code": code, "public_key": key.public_key().to_hex(), "name": "Планшет 7"}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 201, "{}", resp.text().await.unwrap());
        let v: Value = resp.json().await.unwrap();
        Device {
            id: DeviceId::parse(v["device_id"].as_str().unwrap()).unwrap(),
            token: v["token"].as_str().unwrap().to_owned(),
            server_key: v["server_key"].as_str().unwrap().to_owned(),
            key,
            head: ChainHead::GENESIS,
        }
    }

    pub async fn push(&self, device: &Device, records: &[Vec<u8>]) -> (u16, Value) {
        push_raw(
            &self.http,
            &self.url("/api/v1/sync/push"),
            &device.token,
            records,
        )
        .await
    }

    /// Sends `body` as JSON with `method`; the answer's status and JSON (or text).
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: &Value,
    ) -> (u16, Value) {
        let resp = self
            .http
            .request(method, self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub async fn get(&self, path: &str, token: &str) -> (u16, Value) {
        let resp = self
            .http
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

trait MapOk {
    fn map_ok_or_log(self) -> impl std::future::Future<Output = ()> + Send;
}

impl<F: std::future::Future<Output = std::io::Result<()>> + Send> MapOk for F {
    async fn map_ok_or_log(self) {
        if let Err(e) = self.await {
            eprintln!("server stopped with {e}");
        }
    }
}

/// A push body with the records in it byte for byte, as a device sends them.
pub fn body_of(records: &[Vec<u8>]) -> Vec<u8> {
    let mut body = b"{\"records\":[".to_vec();
    for (i, r) in records.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        body.extend_from_slice(r);
    }
    body.extend_from_slice(b"]}");
    body
}

pub async fn push_raw(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    records: &[Vec<u8>],
) -> (u16, Value) {
    let body = body_of(records);
    let resp = http
        .post(url)
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// An enrolled device as the app holds it.
pub struct Device {
    pub id: DeviceId,
    pub token: String,
    pub server_key: String,
    pub key: DeviceKey,
    pub head: ChainHead,
}

impl Device {
    /// Signs the next record of this device's chain.
    pub fn sign<B: serde::Serialize>(&mut self, kind: RecordKind, body: &B) -> Vec<u8> {
        let draft =
            RecordDraft::new(self.id, self.head.seq + 1, self.head.hash, kind, body).unwrap();
        let signed = record::sign(&self.key, &draft).unwrap();
        self.head = ChainHead::after(&signed.record);
        signed.bytes
    }

    /// Signs the next record of this device's chain with its device time set to `at` (a clock
    /// gone wrong).
    pub fn sign_at<B: serde::Serialize>(
        &mut self,
        kind: RecordKind,
        body: &B,
        at: &str,
    ) -> Vec<u8> {
        let mut draft =
            RecordDraft::new(self.id, self.head.seq + 1, self.head.hash, kind, body).unwrap();
        draft.at = knd_shared::record::Timestamp::parse(at).unwrap();
        let signed = record::sign(&self.key, &draft).unwrap();
        self.head = ChainHead::after(&signed.record);
        signed.bytes
    }

    /// Signs the next finding of this device's chain.
    pub fn finding(&mut self, n: usize) -> Vec<u8> {
        let body = kinds::Finding {
            inspection: InspectionId::new(),
            item: format!("1.{n}"),
            result: kinds::FindingResult::Violation,
            note: Some(format!("Нарушение номер {n}")),
            photos: vec![Sha256::digest(&n.to_be_bytes())],
        };
        let draft = RecordDraft::new(
            self.id,
            self.head.seq + 1,
            self.head.hash,
            RecordKind::Finding,
            &body,
        )
        .unwrap();
        let signed = record::sign(&self.key, &draft).unwrap();
        self.head = ChainHead::after(&signed.record);
        signed.bytes
    }

    /// A copy of this device (same key, token and head) to sign alternative histories with.
    pub fn fork(&self) -> Device {
        Device {
            id: self.id,
            token: self.token.clone(),
            server_key: self.server_key.clone(),
            key: self.key.clone(),
            head: self.head,
        }
    }

    /// The next finding, without advancing this device's head.
    pub fn clone_head_finding(&self, n: usize) -> Vec<u8> {
        self.fork().finding(n)
    }

    pub fn findings(&mut self, n: usize) -> Vec<Vec<u8>> {
        (0..n).map(|i| self.finding(i)).collect()
    }
}

/// An agency with an admin, an inspector and an enrolled device of that inspector.
pub struct World {
    pub server: TestServer,
    pub agency: AgencyId,
    pub admin: String,
    pub inspector_id: String,
    pub inspector: String,
    pub device: Device,
}

pub async fn world(backend: Backend) -> World {
    let server = TestServer::start(backend).await;
    let agency = server.agency("Управление надзора №1").await;
    let (_, admin) = server.user(agency, "admin1", Role::Admin).await;
    let (inspector_id, inspector) = server.user(agency, "inspector1", Role::Inspector).await;
    let code = server.code_for("inspector1").await;
    let device = server.enroll(&code).await;
    World {
        server,
        agency,
        admin,
        inspector_id,
        inspector,
        device,
    }
}

/// The audit entries of the admin's agency, newest first.
pub async fn audit(server: &TestServer, admin_token: &str) -> Vec<Value> {
    let (status, page) = server.get("/api/v1/audit?limit=500", admin_token).await;
    assert_eq!(status, 200, "{page}");
    page["entries"].as_array().unwrap().clone()
}
