//! A TCP proxy that cuts or holds the bytes between a client and a server (fault injection).

use std::net::SocketAddr;

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
