//! A server with a registry ready for field work (the server tests' `field.rs`, over HTTP),
//! that can be killed and restarted on its data directory and address, and apps enrolled on it.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use base64::Engine as _;
use knd_inspector_core::KdfParams;
use knd_inspector_core::app::{App, AppConfig, AppError, AppResult};
use knd_inspector_core::store::Store;
use knd_server::model::Role;
use knd_shared::{AgencyId, PublicKey};
use knd_tests::{Client, ServerNode, admin};
use reqwest::Method;
use serde_json::{Value, json};
use tempfile::TempDir;

pub const SUBJECT: &str = "7707083893";
pub const PIN: &str = "2468";
pub const INSPECTOR: &str = "inspector1";

/// A test photo from `../shared/testdata/photos` (or `$KND_TESTDATA/photos`).
pub fn photo(name: &str) -> Vec<u8> {
    let base = std::env::var_os("KND_TESTDATA").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/testdata"),
        PathBuf::from,
    );
    let path = base.join("photos").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The app as the tests run it: cheap key derivation, otherwise the defaults.
pub fn config() -> AppConfig {
    AppConfig {
        kdf: KdfParams::INSECURE_FAST,
        ..Default::default()
    }
}

/// A server with an agency, an admin, an inspector, control type "fire" with requirements R1
/// and R2, checklist "main" (items 1 → R1, 2 → R2), a subject with an object, and a scheduled
/// inspection assigned to the inspector.
pub struct World {
    pub node: Option<ServerNode>,
    pub addr: SocketAddr,
    pub data: TempDir,
    pub http: reqwest::Client,
    pub agency: AgencyId,
    /// The admin's session token.
    pub admin: String,
    pub inspector_id: String,
    pub inspection: String,
}

impl World {
    pub async fn new() -> World {
        let data = TempDir::new().unwrap();
        let node = ServerNode::start(data.path(), "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let addr = node.addr;
        let agency = admin::agency(&node.state, "Управление надзора №1").await;
        let mut w = World {
            node: Some(node),
            addr,
            data,
            http: reqwest::Client::new(),
            agency,
            admin: String::new(),
            inspector_id: String::new(),
            inspection: String::new(),
        };
        w.admin = w.user("admin1", Role::Admin).await.1;
        w.inspector_id = w.user(INSPECTOR, Role::Inspector).await.0;
        w.registry().await;
        let inspector = w.inspector_id.clone();
        let (st, v) = w
            .send(
                Method::POST,
                "/api/v1/inspections",
                &json!({
                    "kind": "field_check", "ground": "instruction", "erknm": "76202600000000000001", "control_type": "fire",
                    "subject_inn": SUBJECT, "objects": ["OBJ-1"], "checklist": "main",
                    "starts_on": "2026-12-01", "ends_on": "2026-12-14",
                    "inspectors": [inspector], "status": "scheduled",
                }),
            )
            .await;
        assert_eq!(st, 201, "{v}");
        w.inspection = v["id"].as_str().unwrap().to_owned();
        w
    }

    /// Another scheduled inspection of the same subject for the inspector; its id.
    pub async fn another_inspection(&self) -> String {
        let (st, v) = self
            .send(
                Method::POST,
                "/api/v1/inspections",
                &json!({
                    "kind": "field_check", "ground": "instruction", "erknm": "76202600000000000001", "control_type": "fire",
                    "subject_inn": SUBJECT, "objects": ["OBJ-1"], "checklist": "main",
                    "starts_on": "2026-12-15", "ends_on": "2026-12-28",
                    "inspectors": [self.inspector_id], "status": "scheduled",
                }),
            )
            .await;
        assert_eq!(st, 201, "{v}");
        v["id"].as_str().unwrap().to_owned()
    }

    fn node(&self) -> &ServerNode {
        self.node.as_ref().expect("the server is running")
    }

    pub fn url(&self, path: &str) -> String {
        self.client().url(path)
    }

    /// A client of the server (its address stays the same across restarts).
    pub fn client(&self) -> Client {
        Client::new(self.http.clone(), self.addr)
    }

    /// Creates a user and signs in: the user id and a session token.
    async fn user(&self, login: &str, role: Role) -> (String, String) {
        admin::user_signed_in(&self.node().state, &self.client(), self.agency, login, role).await
    }

    async fn registry(&self) {
        let (st, v) = self
            .send(
                Method::PUT,
                "/api/v1/control-types/fire",
                &json!({"name": "Федеральный государственный пожарный надзор"}),
            )
            .await;
        assert_eq!(st, 200, "{v}");
        for (code, text, article) in [
            ("R1", "Огнетушители в наличии и исправны", "п. 60"),
            ("R2", "Эвакуационные выходы не загромождены", "п. 27"),
        ] {
            let (st, v) = self
                .send(
                    Method::PUT,
                    &format!("/api/v1/control-types/fire/requirements/{code}"),
                    &json!({"text": text, "legal_act": "Постановление Правительства РФ от 16.09.2020 № 1479", "article": article}),
                )
                .await;
            assert_eq!(st, 200, "{v}");
        }
        let (st, v) = self
            .send(
                Method::PUT,
                "/api/v1/control-types/fire/checklists/main",
                &json!({"name": "Проверочный лист", "items": [
                    {"code": "1", "requirement": "R1", "question": "Обеспечено ли наличие огнетушителей?"},
                    {"code": "2", "requirement": "R2", "question": "Свободны ли эвакуационные выходы?"},
                ]}),
            )
            .await;
        assert_eq!(st, 200, "{v}");
        self.import(
            "subjects",
            "inn,ogrn,name,size_class\n7707083893,1027700132195,ПАО Сбербанк,large\n",
        )
        .await;
        self.import(
            "objects",
            "object_key,subject_inn,control_type,address,district,lat,lon,risk_category\n\
             OBJ-1,7707083893,fire,Москва ул. Вавилова 19,Гагаринский,55.7008,37.5866,high\n",
        )
        .await;
    }

    async fn import(&self, what: &str, csv: &str) {
        let path = format!("/api/v1/import/{what}");
        let (st, report) = self
            .client()
            .send_bytes(Method::POST, &path, &self.admin, "text/csv", csv.to_owned())
            .await;
        assert_eq!(st, 200, "{report}");
        assert_eq!(report["refused"], json!([]), "{report}");
    }

    /// A one-time enrollment code for the inspector.
    pub async fn code(&self) -> String {
        admin::enrollment_code(&self.node().state, INSPECTOR).await
    }

    /// Sends `body` as JSON with the admin's session; the status and JSON answer.
    pub async fn send(&self, method: Method, path: &str, body: &Value) -> (u16, Value) {
        self.client().send(method, path, &self.admin, body).await
    }

    /// GET with a bearer token; the status and JSON answer.
    pub async fn get(&self, path: &str, token: &str) -> (u16, Value) {
        self.client().get(path, token).await
    }

    /// GET the bytes of `path` with a bearer token.
    pub async fn get_bytes(&self, path: &str, token: &str) -> (u16, Vec<u8>) {
        self.client().get_bytes(path, token).await
    }

    /// Kills the server and checks that its address no longer answers.
    pub async fn stop(&mut self) {
        self.node.take().expect("running").stop().await;
        assert!(
            tokio::net::TcpStream::connect(self.addr).await.is_err(),
            "the stopped server still accepts connections on {}",
            self.addr
        );
    }

    /// Starts the server again on the same data directory and address.
    pub async fn restart(&mut self) {
        assert!(self.node.is_none(), "stop the server first");
        let node = ServerNode::start(self.data.path(), self.addr)
            .await
            .unwrap();
        assert_eq!(node.addr, self.addr);
        self.node = Some(node);
    }

    /// The log's size and key, as anyone can read them.
    pub async fn log(&self) -> (u64, PublicKey) {
        let (st, v) = self.client().get_public("/api/v1/log").await;
        assert_eq!(st, 200, "{v}");
        let key = knd_shared::note::NoteVerifier::parse(v["verifier_key"].as_str().unwrap())
            .unwrap()
            .public_key()
            .to_owned();
        (v["size"].as_u64().unwrap(), key)
    }

    /// How many records the server accepted from `device` (its chain's last seq).
    pub async fn device_records(&self, device: &str) -> u64 {
        let (st, v) = self
            .get(&format!("/api/v1/devices/{device}"), &self.admin)
            .await;
        assert_eq!(st, 200, "{v}");
        v["records"].as_u64().unwrap()
    }

    /// Polls `GET /api/v1/inspections/{id}/field` until `done` holds (the projector caught up),
    /// for at most 20 seconds.
    pub async fn field_until(&self, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        let path = format!("/api/v1/inspections/{}/field", self.inspection);
        loop {
            let (st, v) = self.get(&path, &self.admin).await;
            assert_eq!(st, 200, "{v}");
            if done(&v) {
                return v;
            }
            assert!(
                Instant::now() < deadline,
                "the projection did not catch up: {v:#}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// An app profile in a fresh folder, enrolled on `server_url` with the inspector's code.
pub async fn enrolled_app(w: &World, server_url: &str, config: AppConfig) -> (App, TempDir) {
    let dir = TempDir::new().unwrap();
    let app = App::open(dir.path(), config).unwrap();
    let code = w.code().await;
    let status = app
        .enroll(server_url, &code, "Планшет 7", PIN)
        .await
        .unwrap();
    assert!(status.enrolled && status.unlocked, "{status:?}");
    (app, dir)
}

/// A second connection to an app's store (SQLite, WAL: it sees what the app committed).
pub fn store_of(dir: &TempDir) -> Store {
    Store::open(dir.path()).unwrap()
}

/// The length of the device's chain, checked record by record.
pub fn chain_len(dir: &TempDir) -> u64 {
    store_of(dir).verify_chain().unwrap().records
}

/// Every value the app's commands returned during a test, as the UI would receive it (JSON),
/// errors included.
#[derive(Debug, Default)]
pub struct Seen(pub Vec<(String, Value)>);

impl Seen {
    /// Records an answer that must succeed and returns it.
    pub fn ok<T: serde::Serialize>(&mut self, what: &str, answer: AppResult<T>) -> T {
        match answer {
            Ok(v) => {
                self.0
                    .push((what.to_owned(), serde_json::to_value(&v).unwrap()));
                v
            }
            Err(e) => panic!("{what}: {e:?}"),
        }
    }

    /// Records an answer that must be refused and returns the error.
    pub fn err<T: std::fmt::Debug>(&mut self, what: &str, answer: AppResult<T>) -> AppError {
        match answer {
            Ok(v) => panic!("{what} was accepted: {v:?}"),
            Err(e) => {
                self.0
                    .push((what.to_owned(), serde_json::to_value(&e).unwrap()));
                e
            }
        }
    }
}

/// Signs `n` notes for `inspection` straight into the app's store, in one transaction (the key
/// unlocked with the PIN, as the app does); the bytes of the push they make.
pub fn add_notes(dir: &TempDir, inspection: &str, n: usize) -> usize {
    use knd_shared::record::kinds::RecordKind;
    let mut store = store_of(dir);
    let device = store.profile().unwrap().device;
    let key = knd_inspector_core::KeyStore::open(dir.path(), device)
        .unwrap()
        .unlock(&knd_inspector_core::Pin::parse(PIN).unwrap())
        .unwrap();
    let records = (0..n)
        .map(|i| {
            let body = json!({
                "inspection": inspection,
                "text": format!("Заметка {i}: осмотрен участок, замечаний по узлу {i} нет; фото не требуется."),
            });
            (RecordKind::Note, body.as_object().unwrap().clone())
        })
        .collect();
    store.create_records(&key, records).unwrap();
    store
        .outbox(10_000)
        .unwrap()
        .iter()
        .map(|r| r.bytes.len() + 1)
        .sum()
}

/// Checks every record of the device: receipted once, its receipt verifying against the log's
/// key, its leaf in the log at the receipt's index; no two records share a leaf. The receipts.
pub async fn check_receipts(w: &World, dir: &TempDir) -> Vec<knd_shared::receipt::Receipt> {
    use knd_inspector_core::store::RecordState;
    let (size, key) = w.log().await;
    let store = store_of(dir);
    let rows = store.recent_records(1_000_000).unwrap();
    let mut receipts = Vec::with_capacity(rows.len());
    for r in &rows {
        let (state, bytes) = store
            .record_state(knd_shared::RecordId::parse(&r.id).unwrap())
            .unwrap();
        assert_eq!(state, RecordState::Receipted, "record {}", r.seq);
        let receipt =
            knd_shared::receipt::Receipt::verify(&bytes.expect("a receipt"), &key).unwrap();
        assert!(receipt.index < size);
        receipts.push(receipt);
    }
    let mut leaves: Vec<u64> = receipts.iter().map(|r| r.index).collect();
    leaves.sort_unstable();
    leaves.dedup();
    assert_eq!(leaves.len(), rows.len(), "two records share a log leaf");
    // A sample of inclusion proofs from the server itself.
    for receipt in receipts.iter().step_by(37) {
        let (st, v) = w
            .get(
                &format!("/api/v1/log/proof/inclusion?hash={}", receipt.record),
                &w.admin,
            )
            .await;
        assert_eq!(st, 200, "{v}");
        assert_eq!(v["index"].as_u64(), Some(receipt.index), "{v}");
    }
    receipts
}
