//! The connection loop: HTTP/1.1 with a header-read timeout (which also ends idle keep-alive
//! connections), a body timeout and a cap on open connections, so that slow or silent clients
//! cannot hold the server's sockets and tasks.
//!
//! Written over hyper directly because `axum::serve` installs no timer (hyper's header timeout
//! then never fires) and has no connection cap. HTTP/2 is not offered: clients reach the server
//! over plain HTTP/1.1 or through a TLS proxy that speaks HTTP/1.1 to it.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt as _;
use tower_http::timeout::RequestBodyTimeoutLayer;

use crate::config::HttpConfig;

/// Serves `app` on `listener` until `shutdown` completes, then lets open requests finish.
pub(crate) async fn run(
    listener: TcpListener,
    app: Router,
    cfg: &HttpConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(Duration::from_secs(cfg.header_read_timeout_secs.max(1)))
        .keep_alive(true);
    // A body that sends nothing for this long fails its handler's read; hyper then closes the
    // connection, since the rest of the body was never read.
    let app = app.layer(RequestBodyTimeoutLayer::new(Duration::from_secs(
        cfg.body_timeout_secs.max(1),
    )));
    let slots = Arc::new(Semaphore::new(cfg.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        // Wait for a free slot before accepting: over the cap, clients wait in the listen queue.
        let permit = tokio::select! {
            p = slots.clone().acquire_owned() => p.map_err(std::io::Error::other)?,
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            r = listener.accept() => match r {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = app
            .clone()
            .map_request(move |mut req: hyper::Request<Incoming>| {
                req.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
                req
            });
        let conn =
            builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, %peer, "connection ended with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}
