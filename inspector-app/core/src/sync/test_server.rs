//! A one-answer HTTP server on `127.0.0.1:0` for the client's tests: every request gets the same
//! canned answer, or none at all (to see a timeout); or, with `serve_with`, an answer per
//! request. Enough HTTP/1.1 for reqwest: it reads the request's head and body, answers and
//! closes the connection.

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// What the server answers.
#[derive(Debug, Clone)]
pub(crate) struct Canned {
    pub status: u16,
    pub content_type: &'static str,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

impl Canned {
    pub(crate) fn json(status: u16, body: serde_json::Value) -> Self {
        Self {
            status,
            content_type: "application/json",
            headers: vec![],
            body: body.to_string(),
        }
    }

    /// A KND server's refusal (`server/src/error.rs`): problem+json with a `urn:knd:problem:` type.
    pub(crate) fn problem(status: u16, slug: &str, detail: &str) -> Self {
        Self {
            content_type: "application/problem+json",
            ..Self::json(
                status,
                serde_json::json!({
                    "type": format!("urn:knd:problem:{slug}"),
                    "title": "Refused",
                    "status": status,
                    "detail": detail,
                }),
            )
        }
    }

    pub(crate) fn html(status: u16) -> Self {
        Self {
            status,
            content_type: "text/html; charset=utf-8",
            headers: vec![],
            body: "<!doctype html><html><body><h1>Welcome to nginx!</h1></body></html>".into(),
        }
    }

    pub(crate) fn header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.to_owned()));
        self
    }
}

/// A running server; stops when dropped.
pub(crate) struct TestServer {
    pub url: String,
    /// The heads of the requests answered so far (lower-cased).
    pub heads: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    task: JoinHandle<()>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Answers every request with `answer`; `None` accepts connections and never answers.
pub(crate) async fn serve(answer: Option<Canned>) -> TestServer {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    let heads = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = std::sync::Arc::clone(&heads);
    let task = tokio::spawn(async move {
        let mut silent = Vec::new();
        loop {
            let Ok((mut conn, _)) = listener.accept().await else {
                return;
            };
            let Some(answer) = answer.clone() else {
                silent.push(conn); // held open, unanswered
                continue;
            };
            let seen = std::sync::Arc::clone(&seen);
            tokio::spawn(async move {
                if let Some(head) = read_request(&mut conn).await {
                    seen.lock().expect("heads").push(head);
                    let _ = conn.write_all(&response(&answer)).await;
                    let _ = conn.shutdown().await;
                }
            });
        }
    });
    TestServer { url, heads, task }
}

/// Answers each request as `route` says from its head (lower-cased) and body; `None` closes the
/// connection unanswered, as a link that drops does. For tests that need a server that tells
/// pull from push and answers what was sent (receipts for the records pushed).
pub(crate) async fn serve_with(
    route: impl Fn(&str, &[u8]) -> Option<Canned> + Send + Sync + 'static,
) -> TestServer {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    let heads = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = std::sync::Arc::clone(&heads);
    let route = std::sync::Arc::new(route);
    let task = tokio::spawn(async move {
        loop {
            let Ok((mut conn, _)) = listener.accept().await else {
                return;
            };
            let (seen, route) = (std::sync::Arc::clone(&seen), std::sync::Arc::clone(&route));
            tokio::spawn(async move {
                let Some((head, body)) = read_request_body(&mut conn).await else {
                    return;
                };
                seen.lock().expect("heads").push(head.clone());
                if let Some(answer) = route(&head, &body) {
                    let _ = conn.write_all(&response(&answer)).await;
                }
                let _ = conn.shutdown().await;
            });
        }
    });
    TestServer { url, heads, task }
}

/// An address where nothing listens: a port that was bound, then released.
pub(crate) async fn closed_port() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    drop(listener);
    url
}

/// Reads a request's head and, by its `Content-Length`, its body; the head, lower-cased.
async fn read_request(conn: &mut tokio::net::TcpStream) -> Option<String> {
    read_request_body(conn).await.map(|(head, _)| head)
}

/// [`read_request`] with the body.
async fn read_request_body(conn: &mut tokio::net::TcpStream) -> Option<(String, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = conn.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = conn.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = buf[head_end..].get(..length).unwrap_or_default().to_vec();
    Some((head, body))
}

fn response(a: &Canned) -> Vec<u8> {
    let mut head = format!(
        "HTTP/1.1 {} Canned\r\ncontent-type: {}\r\ncontent-length: {}\r\nconnection: close\r\n",
        a.status,
        a.content_type,
        a.body.len()
    );
    for (name, value) in &a.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(a.body.as_bytes());
    bytes
}
