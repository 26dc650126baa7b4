//! Helpers for cross-process tests and benchmarks: start a real `knd-server` on a fresh database,
//! enroll devices, sign chains of records.

use std::net::SocketAddr;

use anyhow::Context as _;
use knd_server::Config;
use knd_server::model::Role;
use knd_server::state::AppState;
use knd_shared::record::{self, ChainHead, RecordDraft, RecordKind, kinds};
use knd_shared::{DeviceId, DeviceKey, InspectionId, Sha256};
use serde_json::{Value, json};

/// A server running in this process on 127.0.0.1:0, reached over real HTTP.
#[derive(Debug)]
pub struct Server {
    pub addr: SocketAddr,
    pub state: AppState,
    _dir: tempfile::TempDir,
    _stop: tokio::sync::oneshot::Sender<()>,
}

/// A fresh PostgreSQL database on the server `admin_url` names.
pub async fn fresh_postgres_db(admin_url: &str) -> anyhow::Result<String> {
    let name = format!("knd_bench_{}", uuid::Uuid::now_v7().simple());
    let (client, conn) = tokio_postgres::connect(admin_url, tokio_postgres::NoTls)
        .await
        .context("connect to PostgreSQL")?;
    tokio::spawn(conn);
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await?;
    let base = admin_url.rsplit_once('/').map_or(admin_url, |(b, _)| b);
    Ok(format!("{base}/{name}"))
}

impl Server {
    /// Starts a server; `database_url` `None` means SQLite in a temporary directory.
    pub async fn start(database_url: Option<String>) -> anyhow::Result<Server> {
        let dir = tempfile::TempDir::new()?;
        let mut config = Config {
            data_dir: dir.path().to_owned(),
            database_url,
            ..Config::default()
        };
        config.limits.max_push_records = 1000;
        let state = knd_server::start(config).await?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(knd_server::serve(listener, state.clone(), async {
            let _ = stopped.await;
        }));
        Ok(Server {
            addr,
            state,
            _dir: dir,
            _stop: stop,
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// An agency with one inspector, and `n` devices enrolled for them.
    pub async fn devices(&self, n: usize) -> anyhow::Result<Vec<Device>> {
        let agency = knd_server::admin::create_agency(&self.state, "Bench agency").await?;
        let agency = knd_shared::AgencyId::parse(agency["id"].as_str().unwrap_or_default())?;
        knd_server::admin::create_user(
            &self.state,
            agency,
            "bench",
            Role::Inspector,
            "bench password".into(),
        )
        .await?;
        let http = reqwest::Client::new();
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            let code = knd_server::admin::enrollment_code(&self.state, "bench").await?;
            let key = DeviceKey::generate();
            let v: Value = http
                .post(self.url("/api/v1/devices/enroll"))
                .json(&json!({"code": code["code"], "public_key": key.public_key().to_hex(), "name": format!("bench {i}")}))
                .send()
                .await?
                .json()
                .await?;
            out.push(Device {
                id: DeviceId::parse(v["device_id"].as_str().unwrap_or_default())?,
                token: v["token"].as_str().unwrap_or_default().to_owned(),
                key,
                head: ChainHead::GENESIS,
            });
        }
        Ok(out)
    }
}

/// An enrolled device as the app holds it.
#[derive(Debug)]
pub struct Device {
    pub id: DeviceId,
    pub token: String,
    pub key: DeviceKey,
    pub head: ChainHead,
}

impl Device {
    /// Signs the next `n` findings of this device's chain.
    pub fn findings(&mut self, n: usize) -> Vec<Vec<u8>> {
        (0..n)
            .map(|i| {
                let body = kinds::Finding {
                    inspection: InspectionId::new(),
                    item: format!("ПЛ-{}.{i}", self.head.seq % 40),
                    result: kinds::FindingResult::Violation,
                    note: Some(
                        "Огнетушитель просрочен: дата перезарядки 01.2024, пломба отсутствует"
                            .into(),
                    ),
                    photos: vec![Sha256::digest(&self.head.seq.to_be_bytes())],
                };
                let draft = RecordDraft::new(
                    self.id,
                    self.head.seq + 1,
                    self.head.hash,
                    RecordKind::Finding,
                    &body,
                )
                .expect("a valid finding");
                let signed = record::sign(&self.key, &draft).expect("signable");
                self.head = ChainHead::after(&signed.record);
                signed.bytes
            })
            .collect()
    }
}

/// A push body with the records in it byte for byte.
pub fn push_body(records: &[Vec<u8>]) -> Vec<u8> {
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
