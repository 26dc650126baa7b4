//! Kill -9 the server process in the middle of a large push, restart it, and check that nothing
//! acknowledged was lost and that the device can send the rest.

use std::net::TcpListener as StdListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use knd_shared::note::NoteVerifier;
use knd_shared::receipt::Receipt;
use knd_shared::record;
use serde_json::{Value, json};

use crate::common::{Backend, Device, body_of, push_raw};
use crate::on_both;

struct Proc {
    dir: tempfile::TempDir,
    database_url: String,
    port: u16,
}

impl Proc {
    fn cmd(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_knd-server"));
        c.env("KND__DATA_DIR", self.dir.path())
            .env("KND__DATABASE_URL", &self.database_url)
            .env("KND__LISTEN", format!("127.0.0.1:{}", self.port))
            .env("KND__LOG_ORIGIN", "knd.test/log")
            .env("KND_LOG", "warn");
        c
    }

    fn admin(&self, args: &[&str]) -> Value {
        let out = self
            .cmd()
            .arg("admin")
            .args(args)
            .arg("--json")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    async fn serve(&self) -> Child {
        let mut child = self
            .cmd()
            .arg("serve")
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let url = format!("http://127.0.0.1:{}/readyz", self.port);
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(r) = reqwest::get(&url).await {
                if r.status() == 200 {
                    return child;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("the server did not become ready");
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn a_killed_server_loses_nothing_acknowledged(backend: Backend) {
    let database_url = match backend {
        Backend::Sqlite => String::new(),
        Backend::Postgres => crate::common::fresh_postgres_db().await,
    };
    let dir = tempfile::TempDir::new().unwrap();
    let database_url = if database_url.is_empty() {
        format!("sqlite://{}", dir.path().join("knd.sqlite3").display())
    } else {
        database_url
    };
    let p = Proc {
        dir,
        database_url,
        port: free_port(),
    };
    let agency = p.admin(&["create-agency", "Управление"]);
    let password = p.dir.path().join("password");
    std::fs::write(&password, "correct horse battery\n").unwrap();
    p.admin(&[
        "create-user",
        "--agency",
        agency["id"].as_str().unwrap(),
        "--login",
        "ins",
        "--role",
        "inspector",
        "--password-file",
        password.to_str().unwrap(),
    ]);
    let code = p.admin(&["enrollment-code", "--user", "ins"])["code"]
        .as_str()
        .unwrap()
        .to_owned();

    let mut server = p.serve().await;
    let http = reqwest::Client::new();
    let key = knd_shared::DeviceKey::generate();
    let enrolled: Value = http
        .post(p.url("/api/v1/devices/enroll"))
        .json(&json!({"code": code, "public_key": key.public_key().to_hex(), "name": "T"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut device = Device {
        id: knd_shared::DeviceId::parse(enrolled["device_id"].as_str().unwrap()).unwrap(),
        token: enrolled["token"].as_str().unwrap().to_owned(),
        server_key: enrolled["server_key"].as_str().unwrap().to_owned(),
        key,
        head: knd_shared::record::ChainHead::GENESIS,
    };
    let batches: Vec<Vec<Vec<u8>>> = (0..12).map(|_| device.findings(200)).collect();
    let push_url = p.url("/api/v1/sync/push");

    // Push until the kill; remember what was acknowledged.
    let mut acknowledged: Vec<Value> = Vec::new();
    let mut killed_at = None;
    for (i, batch) in batches.iter().enumerate() {
        if i == 5 {
            let pushing = {
                let (http, url, token, batch) = (
                    http.clone(),
                    push_url.clone(),
                    device.token.clone(),
                    batch.clone(),
                );
                tokio::spawn(async move {
                    http.post(url)
                        .bearer_auth(token)
                        .header("content-type", "application/json")
                        .body(body_of(&batch))
                        .send()
                        .await
                })
            };
            // Fault injection: let the request reach the server, then kill it mid-work.
            tokio::time::sleep(Duration::from_millis(15)).await;
            server.kill().unwrap();
            server.wait().unwrap();
            let outcome = pushing.await.unwrap();
            if let Ok(resp) = outcome {
                if let Ok(v) = resp.json::<Value>().await {
                    acknowledged.extend(v["results"].as_array().cloned().unwrap_or_default());
                }
            }
            killed_at = Some(i);
            break;
        }
        let (status, v) = push_raw(&http, &push_url, &device.token, batch).await;
        assert_eq!(status, 200);
        acknowledged.extend(v["results"].as_array().unwrap().iter().cloned());
    }
    let killed_at = killed_at.unwrap();
    assert!(acknowledged.len() >= 5 * 200);

    // Restart: every acknowledged record is there, with the receipt the device was given.
    let mut server = p.serve().await;
    let verifier = NoteVerifier::parse(&device.server_key).unwrap();
    for ack in &acknowledged {
        assert_eq!(ack["status"], "accepted", "{ack}");
        let receipt =
            Receipt::verify(ack["receipt"].to_string().as_bytes(), verifier.public_key()).unwrap();
        let resp = http
            .get(p.url(&format!(
                "/api/v1/log/proof/inclusion?hash={}",
                receipt.record
            )))
            .send()
            .await
            .unwrap();
        assert_eq!(
            resp.status(),
            200,
            "acknowledged record {} lost",
            receipt.record
        );
        let proof: Value = resp.json().await.unwrap();
        assert_eq!(proof["index"], receipt.index);
    }
    // The device re-sends from the batch in flight: each record is a duplicate or accepted.
    for batch in &batches[killed_at..] {
        let (status, v) = push_raw(&http, &push_url, &device.token, batch).await;
        assert_eq!(status, 200, "{v}");
        for r in v["results"].as_array().unwrap() {
            assert!(
                r["status"] == "accepted" || r["status"] == "duplicate",
                "{r}"
            );
        }
    }
    let info: Value = http
        .get(p.url("/api/v1/log"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["size"], 1 + 12 * 200, "every record exactly once");
    let last = record::parse_unverified(batches[11].last().unwrap()).unwrap();
    let resp = http
        .get(p.url(&format!("/api/v1/records/{}", last.id)))
        .bearer_auth(&device.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    server.kill().unwrap();
    server.wait().unwrap();
}
on_both!(a_killed_server_loses_nothing_acknowledged);
