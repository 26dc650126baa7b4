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

/// A server that can be killed and started again on the same data directory and address, as
/// a machine that loses power and comes back.
///
/// It runs on a runtime of its own, on its own thread: [`ServerNode::stop`] drops that runtime,
/// which drops the listener and every connection and request in flight at once (nothing is
/// answered, nothing is finished gracefully), then waits until the thread is gone. Work already
/// inside a blocking SQLite call completes or rolls back as in a crash of the process.
#[derive(Debug)]
pub struct ServerNode {
    pub addr: SocketAddr,
    /// For the admin helpers (`knd_server::admin`); dropped with the node.
    pub state: AppState,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    stopped: Option<tokio::sync::oneshot::Receiver<()>>,
}

impl ServerNode {
    /// Starts a server on `data_dir` (SQLite in it), listening on `addr` (port 0: any free
    /// port). Binding retries for a few seconds, for the port a killed node just released.
    pub async fn start(data_dir: &std::path::Path, addr: SocketAddr) -> anyhow::Result<Self> {
        let mut config = Config {
            data_dir: data_dir.to_owned(),
            ..Config::default()
        };
        config.limits.max_push_records = 1000;
        let (ready_tx, ready_rx) =
            tokio::sync::oneshot::channel::<anyhow::Result<(SocketAddr, AppState)>>();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let (done_tx, done_rx) = tokio::sync::oneshot::channel::<()>();
        std::thread::Builder::new()
            .name(format!("knd-server {addr}"))
            .spawn(move || {
                let rt = match tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e.into()));
                        return;
                    }
                };
                rt.block_on(async move {
                    let started = async {
                        let state = knd_server::start(config).await?;
                        let listener = bind_retrying(addr).await?;
                        let local = listener.local_addr()?;
                        Ok::<_, anyhow::Error>((state, listener, local))
                    }
                    .await;
                    match started {
                        Ok((state, listener, local)) => {
                            tokio::spawn(knd_server::serve(
                                listener,
                                state.clone(),
                                std::future::pending(),
                            ));
                            let _ = ready_tx.send(Ok((local, state)));
                            let _ = stop_rx.await;
                        }
                        Err(e) => {
                            let _ = ready_tx.send(Err(e));
                        }
                    }
                });
                // Drops every task: the listener, the connections, the projector.
                drop(rt);
                let _ = done_tx.send(());
            })?;
        let (addr, state) = ready_rx.await.context("the server thread died")??;
        Ok(Self {
            addr,
            state,
            stop: Some(stop_tx),
            stopped: Some(done_rx),
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Kills the server and waits until its runtime is gone (it no longer listens).
    pub async fn stop(mut self) {
        self.halt().await;
    }

    async fn halt(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(stopped) = self.stopped.take() {
            let _ = stopped.await;
        }
    }
}

impl Drop for ServerNode {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

async fn bind_retrying(addr: SocketAddr) -> anyhow::Result<tokio::net::TcpListener> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        match tokio::net::TcpListener::bind(addr).await {
            Ok(l) => return Ok(l),
            Err(e)
                if e.kind() == std::io::ErrorKind::AddrInUse
                    && std::time::Instant::now() < deadline =>
            {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            Err(e) => return Err(anyhow::Error::new(e).context(format!("bind {addr}"))),
        }
    }
}

/// What the [`Proxy`] does to the bytes it forwards. Byte counts are totals over every
/// connection since the fault was set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Forward everything.
    None,
    /// Forward `n` bytes upstream (client to server), then close every connection, and every new
    /// one, as a link that drops.
    CutUpstreamAfter(u64),
    /// Once more than `n` bytes went upstream, close connections instead of forwarding anything
    /// more downstream: the request arrives, its answer is lost.
    CutDownstreamAfterUpstream(u64),
    /// Forward `n` bytes upstream, then hold the rest (the request stays in flight).
    HoldUpstreamAfter(u64),
    /// Once more than `n` bytes went upstream, hold what comes back.
    HoldDownstreamAfterUpstream(u64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Up,
    Down,
}

enum Admit {
    Forward(usize),
    Hold,
    Cut,
}

#[derive(Debug)]
struct ProxyState {
    fault: Fault,
    up: u64,
    down: u64,
}

#[derive(Debug)]
struct ProxyInner {
    upstream: SocketAddr,
    state: std::sync::Mutex<ProxyState>,
    changed: tokio::sync::watch::Sender<u64>,
}

impl ProxyInner {
    fn lock(&self) -> std::sync::MutexGuard<'_, ProxyState> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn admit(&self, dir: Direction, want: usize) -> Admit {
        let mut s = self.lock();
        let up = s.up;
        let budget = |n: u64| usize::try_from(n.saturating_sub(up)).unwrap_or(usize::MAX);
        let admit = match (s.fault, dir) {
            (Fault::CutUpstreamAfter(n), _) if up >= n => Admit::Cut,
            (Fault::CutUpstreamAfter(n), Direction::Up) => Admit::Forward(want.min(budget(n))),
            (Fault::HoldUpstreamAfter(n), Direction::Up) if up >= n => Admit::Hold,
            (Fault::HoldUpstreamAfter(n), Direction::Up) => Admit::Forward(want.min(budget(n))),
            (Fault::CutDownstreamAfterUpstream(n), Direction::Down) if up > n => Admit::Cut,
            (Fault::HoldDownstreamAfterUpstream(n), Direction::Down) if up > n => Admit::Hold,
            _ => Admit::Forward(want),
        };
        if let Admit::Forward(k) = admit {
            let k = k as u64;
            match dir {
                Direction::Up => s.up += k,
                Direction::Down => s.down += k,
            }
        }
        admit
    }
}

/// A TCP proxy on 127.0.0.1 in front of a server address, which can cut or hold the bytes in
/// either direction after a given count ([`Fault`]). The upstream address stays the same, so
/// a server restarted on its address is reached again.
#[derive(Debug)]
pub struct Proxy {
    pub addr: SocketAddr,
    inner: std::sync::Arc<ProxyInner>,
    task: tokio::task::JoinHandle<()>,
}

impl Proxy {
    pub async fn start(upstream: SocketAddr) -> anyhow::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let inner = std::sync::Arc::new(ProxyInner {
            upstream,
            state: std::sync::Mutex::new(ProxyState {
                fault: Fault::None,
                up: 0,
                down: 0,
            }),
            changed: tokio::sync::watch::Sender::new(0),
        });
        let accepting = inner.clone();
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(pipe(accepting.clone(), client));
            }
        });
        Ok(Self { addr, inner, task })
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Sets the fault and resets the byte counts; held connections re-check it.
    pub fn set(&self, fault: Fault) {
        {
            let mut s = self.inner.lock();
            *s = ProxyState {
                fault,
                up: 0,
                down: 0,
            };
        }
        self.inner.changed.send_modify(|g| *g += 1);
    }

    /// Bytes forwarded client to server since the fault was set.
    pub fn upstream_bytes(&self) -> u64 {
        self.inner.lock().up
    }

    /// Bytes forwarded server to client since the fault was set.
    pub fn downstream_bytes(&self) -> u64 {
        self.inner.lock().down
    }

    /// Waits until at least `n` bytes went upstream (or `timeout` passed: `false`).
    pub async fn wait_upstream(&self, n: u64, timeout: std::time::Duration) -> bool {
        let deadline = std::time::Instant::now() + timeout;
        while self.upstream_bytes() < n {
            if std::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
        true
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn pipe(inner: std::sync::Arc<ProxyInner>, client: tokio::net::TcpStream) {
    let Ok(server) = tokio::net::TcpStream::connect(inner.upstream).await else {
        return; // The server is down: the client sees its connection closed.
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (client_read, client_write) = client.into_split();
    let (server_read, server_write) = server.into_split();
    // Either direction ending (end of stream, an error, a cut) closes both sockets.
    tokio::select! {
        () = copy(&inner, client_read, server_write, Direction::Up) => {}
        () = copy(&inner, server_read, client_write, Direction::Down) => {}
    }
}

async fn copy(
    inner: &ProxyInner,
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    dir: Direction,
) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut changed = inner.changed.subscribe();
    let mut buf = vec![0u8; 16 * 1024];
    // Read but not yet forwarded. While holding, reading goes on, so that the other side
    // closing (a killed server) still closes this connection.
    let mut pending: Vec<u8> = Vec::new();
    loop {
        if pending.is_empty() {
            match from.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => pending.extend_from_slice(&buf[..n]),
            }
        }
        changed.borrow_and_update();
        match inner.admit(dir, pending.len()) {
            Admit::Forward(k) => {
                if to.write_all(&pending[..k]).await.is_err() {
                    return;
                }
                pending.drain(..k);
            }
            Admit::Cut => return,
            Admit::Hold => {
                tokio::select! {
                    r = changed.changed() => if r.is_err() { return },
                    r = from.read(&mut buf) => match r {
                        Ok(0) | Err(_) => return,
                        Ok(n) => pending.extend_from_slice(&buf[..n]),
                    },
                }
            }
        }
    }
}
