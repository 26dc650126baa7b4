//! A server that can be killed and started again, as a machine that loses power and comes back.

use std::net::SocketAddr;

use anyhow::Context as _;
use knd_server::Config;
use knd_server::state::AppState;

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
