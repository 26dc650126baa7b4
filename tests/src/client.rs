//! Driving a server over HTTP as its clients do: sign-in, enrollment, pushes, JSON and bytes.
//!
//! Every helper answers with the status and the body, so a test asserts on both; a body that
//! is not JSON comes back as a JSON string. Transport failures panic: the server under test is
//! local and running.

use std::net::SocketAddr;

use knd_shared::record::ChainHead;
use knd_shared::{DeviceId, DeviceKey};
use serde_json::{Value, json};

use crate::admin::PASSWORD;
use crate::device::{Device, push_body};

/// A client of one server: its base URL and a connection pool (cheap to clone).
#[derive(Debug, Clone)]
pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
}

impl Client {
    pub fn new(http: reqwest::Client, addr: SocketAddr) -> Self {
        Self {
            http,
            base: format!("http://{addr}"),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Signs in with the kit's [`PASSWORD`]; a session token.
    ///
    /// # Panics
    /// When the server refuses.
    pub async fn login(&self, login: &str) -> String {
        let (status, body) = self
            .send_anonymous(
                reqwest::Method::POST,
                "/api/v1/auth/login",
                &json!({"login": login, "password": PASSWORD}),
            )
            .await;
        assert_eq!(status, 200, "login {login}: {body}");
        text_of(&body, "token")
    }

    /// Enrolls a new device key with `code`, under the device name `name`.
    ///
    /// # Panics
    /// When the server refuses.
    pub async fn enroll(&self, code: &str, name: &str) -> Device {
        let key = DeviceKey::generate();
        let (status, v) = self
            .send_anonymous(
                reqwest::Method::POST,
                "/api/v1/devices/enroll",
                &json!({"code": code, "public_key": key.public_key().to_hex(), "name": name}),
            )
            .await;
        assert_eq!(status, 201, "enroll: {v}");
        Device {
            id: DeviceId::parse(&text_of(&v, "device_id")).expect("a device id"),
            token: text_of(&v, "token"),
            server_key: text_of(&v, "server_key"),
            key,
            head: ChainHead::GENESIS,
        }
    }

    /// Pushes `records` byte for byte with the device `token`.
    pub async fn push(&self, token: &str, records: &[Vec<u8>]) -> (u16, Value) {
        push_raw(&self.http, &self.url("/api/v1/sync/push"), token, records).await
    }

    /// Sends `body` as JSON with `method` and a bearer `token`.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: &Value,
    ) -> (u16, Value) {
        let resp = self.http.request(method, self.url(path)).bearer_auth(token);
        answer(resp.json(body).send().await).await
    }

    /// Sends `body` as JSON with `method` and no credentials.
    pub async fn send_anonymous(
        &self,
        method: reqwest::Method,
        path: &str,
        body: &Value,
    ) -> (u16, Value) {
        answer(
            self.http
                .request(method, self.url(path))
                .json(body)
                .send()
                .await,
        )
        .await
    }

    /// Sends `body` as it is, with `content_type` (a CSV import, say) and a bearer `token`.
    pub async fn send_bytes(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> (u16, Value) {
        let resp = self.http.request(method, self.url(path)).bearer_auth(token);
        answer(
            resp.header("content-type", content_type)
                .body(body)
                .send()
                .await,
        )
        .await
    }

    /// GET with a bearer `token`.
    pub async fn get(&self, path: &str, token: &str) -> (u16, Value) {
        answer(
            self.http
                .get(self.url(path))
                .bearer_auth(token)
                .send()
                .await,
        )
        .await
    }

    /// GET without credentials (public data: the log, the health check).
    pub async fn get_public(&self, path: &str) -> (u16, Value) {
        answer(self.http.get(self.url(path)).send().await).await
    }

    /// GET the bytes of `path` with a bearer `token`.
    ///
    /// # Panics
    /// When the request or the body fails in transport.
    pub async fn get_bytes(&self, path: &str, token: &str) -> (u16, Vec<u8>) {
        let resp = self
            .http
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("a GET request");
        let status = resp.status().as_u16();
        (status, resp.bytes().await.expect("a body").to_vec())
    }
}

/// Pushes `records` byte for byte to `url` with the device `token` (a push body made by
/// [`push_body`]): what the app sends, without re-encoding the records.
pub async fn push_raw(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    records: &[Vec<u8>],
) -> (u16, Value) {
    let resp = http
        .post(url)
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(push_body(records))
        .send()
        .await;
    answer(resp).await
}

/// The status and the body of an answer: JSON, or the text as a JSON string.
///
/// # Panics
/// When the request or the body fails in transport.
pub async fn answer(resp: reqwest::Result<reqwest::Response>) -> (u16, Value) {
    let resp = resp.expect("a request to the test server");
    let status = resp.status().as_u16();
    let text = resp.text().await.expect("an answer's body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// The string `name` of a JSON answer.
///
/// # Panics
/// When there is none.
pub(crate) fn text_of(v: &Value, name: &str) -> String {
    match v[name].as_str() {
        Some(s) => s.to_owned(),
        None => panic!("no {name} in {v}"),
    }
}
