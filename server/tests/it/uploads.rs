//! Resumable photo uploads (tus 1.0) and blob downloads, over real HTTP and raw TCP.

use std::path::Path;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use knd_server::model::Role;
use knd_shared::Sha256;
use reqwest::{Method, Response};
use serde_json::Value;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use crate::common::{Backend, Device, TestServer, World, world};
use crate::on_both;

/// A camera file from `$KND_TESTDATA/photos`, or `../shared/testdata/photos` next to the
/// repository root.
pub(crate) fn photo(name: &str) -> Vec<u8> {
    let dir = std::env::var_os("KND_TESTDATA").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/testdata"),
        std::path::PathBuf::from,
    );
    let path = dir.join("photos").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn metadata(sha256: &str) -> String {
    format!(
        "sha256 {},mime {},filename {}",
        STANDARD.encode(sha256),
        STANDARD.encode("image/jpeg"),
        STANDARD.encode("ПЛ-1 огнетушитель.jpg")
    )
}

pub(crate) fn tus(
    server: &TestServer,
    method: Method,
    path: &str,
    token: &str,
) -> reqwest::RequestBuilder {
    server
        .http
        .request(method, server.url(path))
        .bearer_auth(token)
        .header("tus-resumable", "1.0.0")
}

pub(crate) async fn create(
    server: &TestServer,
    token: &str,
    length: usize,
    sha256: &str,
) -> Response {
    tus(server, Method::POST, "/api/v1/uploads", token)
        .header("upload-length", length.to_string())
        .header("upload-metadata", metadata(sha256))
        .send()
        .await
        .unwrap()
}

/// Creates an upload and returns its path.
pub(crate) async fn start(server: &TestServer, token: &str, length: usize, sha256: &str) -> String {
    let resp = create(server, token, length, sha256).await;
    assert_eq!(resp.status(), 201);
    assert_eq!(header(&resp, "upload-offset"), "0");
    assert_eq!(header(&resp, "tus-resumable"), "1.0.0");
    let location = header(&resp, "location");
    assert!(location.starts_with("/api/v1/uploads/"), "{location}");
    location
}

pub(crate) async fn patch(
    server: &TestServer,
    token: &str,
    location: &str,
    offset: usize,
    bytes: &[u8],
) -> Response {
    tus(server, Method::PATCH, location, token)
        .header("upload-offset", offset.to_string())
        .header("content-type", "application/offset+octet-stream")
        .body(bytes.to_vec())
        .send()
        .await
        .unwrap()
}

async fn offset(server: &TestServer, token: &str, location: &str) -> u64 {
    let resp = tus(server, Method::HEAD, location, token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(header(&resp, "cache-control"), "no-store");
    header(&resp, "upload-offset").parse().unwrap()
}

pub(crate) fn header(resp: &Response, name: &str) -> String {
    resp.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

pub(crate) async fn problem(resp: Response, status: u16) -> Value {
    assert_eq!(resp.status(), status);
    assert_eq!(header(&resp, "content-type"), "application/problem+json");
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["status"], status, "{v}");
    v
}

pub(crate) async fn get_blob(server: &TestServer, token: &str, sha256: &str) -> (u16, Vec<u8>) {
    let resp = server
        .http
        .get(server.url(&format!("/api/v1/blobs/{sha256}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.bytes().await.unwrap().to_vec())
}

/// Every file below `dir`, recursively.
fn files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            out.extend(files(&e.path()));
        } else {
            out.push(e.path().display().to_string());
        }
    }
    out
}

/// Another device of the world's agency.
async fn second_device(w: &World) -> Device {
    let code = w.server.code_for("inspector1").await;
    w.server.enroll(&code).await
}

/// An agency of its own with an inspector (returns their session token) and a device.
async fn other_agency(server: &TestServer) -> (String, Device) {
    let agency = server.agency("Управление надзора №2").await;
    let (_, token) = server.user(agency, "inspector2", Role::Inspector).await;
    let code = server.code_for("inspector2").await;
    (token, server.enroll(&code).await)
}

async fn a_photo_survives_a_dropped_connection(backend: Backend) {
    let w = world(backend).await;
    let (s, token) = (&w.server, w.device.token.as_str());
    let file = photo("DSCN0010.jpg");
    let sha256 = Sha256::digest(&file).to_hex();
    let location = start(s, token, file.len(), &sha256).await;

    // First third, whole.
    let third = file.len() / 3;
    let resp = patch(s, token, &location, 0, &file[..third]).await;
    assert_eq!(resp.status(), 204);
    assert_eq!(header(&resp, "upload-offset"), third.to_string());

    // Second third over a connection that dies after half of it.
    let mut tcp = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    let request = format!(
        "PATCH {location} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\
         Tus-Resumable: 1.0.0\r\nUpload-Offset: {third}\r\n\
         Content-Type: application/offset+octet-stream\r\nContent-Length: {third}\r\n\r\n",
        s.addr
    );
    tcp.write_all(request.as_bytes()).await.unwrap();
    let sent = third / 2;
    tcp.write_all(&file[third..third + sent]).await.unwrap();
    tcp.flush().await.unwrap();
    drop(tcp);

    // The bytes that arrived are kept: poll (bounded) until the server has seen the drop.
    let deadline = Instant::now() + Duration::from_secs(10);
    let resumed = loop {
        let o = offset(s, token, &location).await;
        if o > third as u64 || Instant::now() > deadline {
            break o as usize;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(
        resumed > third && resumed <= third + sent,
        "offset {resumed} after {third} + {sent} sent"
    );
    // Not the offset the client might think: refused, nothing changes.
    let resp = patch(s, token, &location, third, &file[third..]).await;
    let v = problem(resp, 409).await;
    assert_eq!(v["type"], "urn:knd:problem:conflict");
    assert_eq!(offset(s, token, &location).await, resumed as u64);

    // The rest from the server's offset completes the upload.
    let resp = patch(s, token, &location, resumed, &file[resumed..]).await;
    assert_eq!(resp.status(), 204);
    assert_eq!(header(&resp, "upload-offset"), file.len().to_string());
    // A finished upload is no longer there.
    let resp = tus(s, Method::HEAD, &location, token).send().await.unwrap();
    assert_eq!(resp.status(), 404);

    let resp = s
        .http
        .get(s.url(&format!("/api/v1/blobs/{sha256}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(header(&resp, "content-type"), "image/jpeg");
    assert_eq!(header(&resp, "content-length"), file.len().to_string());
    assert_eq!(header(&resp, "etag"), format!("\"{sha256}\""));
    let cache = header(&resp, "cache-control");
    assert!(
        cache.contains("private") && cache.contains("immutable"),
        "{cache}"
    );
    let body = resp.bytes().await.unwrap();
    assert!(body[..] == file[..], "the same bytes");
    assert_eq!(Sha256::digest(&body).to_hex(), sha256);
    // Asked again with its ETag: not modified.
    let resp = s
        .http
        .get(s.url(&format!("/api/v1/blobs/{sha256}")))
        .bearer_auth(token)
        .header("if-none-match", format!("\"{sha256}\""))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 304);

    // A console user of the agency may see it too.
    let (status, body) = get_blob(s, &w.inspector, &sha256).await;
    assert_eq!((status, body.len()), (200, file.len()));
    // Nothing is left of the upload; the blob is in the store once.
    assert!(files(&s.dir.path().join("uploads")).is_empty());
    assert_eq!(files(&s.dir.path().join("blobs")).len(), 1);
    let (status, metrics) = s.get("/metrics", "").await;
    assert_eq!(status, 200);
    let metrics = metrics.as_str().unwrap();
    assert!(metrics.contains("knd_upload_bytes_total"), "{metrics}");
    assert!(
        metrics.contains("knd_uploads_total{outcome=\"completed\"}"),
        "{metrics}"
    );
}
on_both!(a_photo_survives_a_dropped_connection);

async fn an_upload_survives_a_restart(backend: Backend) {
    let w = world(backend).await;
    let token = w.device.token.clone();
    let file = photo("portrait_8.jpg");
    let sha256 = Sha256::digest(&file).to_hex();
    let location = start(&w.server, &token, file.len(), &sha256).await;
    let half = file.len() / 2;
    assert_eq!(
        patch(&w.server, &token, &location, 0, &file[..half])
            .await
            .status(),
        204
    );
    let (dir, url) = w.server.stop().await;
    let s = TestServer::start_with(dir, url).await;
    assert_eq!(offset(&s, &token, &location).await, half as u64);
    let resp = patch(&s, &token, &location, half, &file[half..]).await;
    assert_eq!(resp.status(), 204);
    let (status, body) = get_blob(&s, &token, &sha256).await;
    assert_eq!(status, 200);
    assert!(body == file);
}
on_both!(an_upload_survives_a_restart);

async fn a_wrong_hash_is_refused_and_nothing_is_stored(backend: Backend) {
    let w = world(backend).await;
    let (s, token) = (&w.server, w.device.token.as_str());
    let file = photo("Canon_40D.jpg");
    let declared = Sha256::digest(b"another photo").to_hex();
    let location = start(s, token, file.len(), &declared).await;
    let half = file.len() / 2;
    assert_eq!(
        patch(s, token, &location, 0, &file[..half]).await.status(),
        204
    );
    let resp = patch(s, token, &location, half, &file[half..]).await;
    assert_eq!(header(&resp, "tus-resumable"), "1.0.0");
    let v = problem(resp, 422).await;
    assert_eq!(v["type"], "urn:knd:problem:checksum-mismatch");
    let detail = v["detail"].as_str().unwrap();
    let actual = Sha256::digest(&file).to_hex();
    assert!(
        detail.contains(&declared) && detail.contains(&actual) && detail.contains("discarded"),
        "{detail}"
    );
    // Discarded: no upload, no blob under either hash, no file anywhere.
    let resp = tus(s, Method::HEAD, &location, token).send().await.unwrap();
    assert_eq!(resp.status(), 404);
    assert_eq!(get_blob(s, token, &declared).await.0, 404);
    assert_eq!(get_blob(s, token, &actual).await.0, 404);
    for h in [&declared, &actual] {
        let sha = Sha256::parse(h).unwrap();
        assert!(s.state.store.blob(&sha).await.unwrap().is_none());
    }
    assert!(files(&s.dir.path().join("blobs")).is_empty());
    assert!(files(&s.dir.path().join("uploads")).is_empty());
}
on_both!(a_wrong_hash_is_refused_and_nothing_is_stored);

async fn oversized_uploads_are_refused_before_their_bytes(backend: Backend) {
    let w = world(backend).await;
    let (s, token) = (&w.server, w.device.token.as_str());
    let sha256 = Sha256::digest(b"x").to_hex();
    // Over blobs.max_file_bytes (64 MiB by default).
    let resp = create(s, token, 64 * 1024 * 1024 + 1, &sha256).await;
    let v = problem(resp, 413).await;
    assert!(v["detail"].as_str().unwrap().contains("67108864"), "{v}");
    let discovery = s
        .http
        .request(Method::OPTIONS, s.url("/api/v1/uploads"))
        .send()
        .await
        .unwrap();
    assert_eq!(header(&discovery, "tus-max-size"), "67108864");

    // A PATCH whose body would pass Upload-Length: answered at once, without waiting for the body
    // it announces (none is sent here).
    let location = start(s, token, 10, &sha256).await;
    let mut tcp = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    let request = format!(
        "PATCH {location} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\
         Tus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\n\
         Content-Type: application/offset+octet-stream\r\nContent-Length: 1000000\r\n\r\n",
        s.addr
    );
    tcp.write_all(request.as_bytes()).await.unwrap();
    let mut answer = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(10), tcp.read(&mut answer))
        .await
        .expect("answered before the body")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer[..n]);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    drop(tcp);
    // Over HTTP, with the body sent: refused, and the upload is as it was.
    let resp = patch(s, token, &location, 0, &[7u8; 20]).await;
    problem(resp, 413).await;
    assert_eq!(offset(s, token, &location).await, 0);
    // A body sent without a Content-Length (chunked) that passes the length: refused too.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = vec![Ok(vec![1u8; 6]), Ok(vec![2u8; 6])];
    let resp = tus(s, Method::PATCH, &location, token)
        .header("upload-offset", "0")
        .header("content-type", "application/offset+octet-stream")
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
            chunks,
        )))
        .send()
        .await
        .unwrap();
    problem(resp, 413).await;
    assert_eq!(offset(s, token, &location).await, 0);
    // The upload still takes its 10 bytes.
    let resp = patch(s, token, &location, 0, &[1u8; 4]).await;
    assert_eq!(resp.status(), 204);
    assert_eq!(offset(s, token, &location).await, 4);
}
on_both!(oversized_uploads_are_refused_before_their_bytes);

async fn a_stored_blob_is_not_uploaded_again(backend: Backend) {
    let w = world(backend).await;
    let (s, token) = (&w.server, w.device.token.as_str());
    let file = photo("Canon_40D.jpg");
    let sha256 = Sha256::digest(&file).to_hex();
    let location = start(s, token, file.len(), &sha256).await;
    assert_eq!(patch(s, token, &location, 0, &file).await.status(), 204);
    // The same photo again, from another device of the agency: complete at once.
    let sibling = second_device(&w).await;
    let resp = create(s, &sibling.token, file.len(), &sha256).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(header(&resp, "upload-offset"), file.len().to_string());
    assert_eq!(header(&resp, "upload-length"), file.len().to_string());
    assert_eq!(header(&resp, "location"), format!("/api/v1/blobs/{sha256}"));
    // Another agency's device that only knows the hash gets a normal upload: it must send the
    // bytes (knowing a hash does not open a photo) and may read the photo only then.
    let (other_user, other) = other_agency(s).await;
    assert_eq!(get_blob(s, &other.token, &sha256).await.0, 404);
    let resp = create(s, &other.token, file.len(), &sha256).await;
    assert_eq!(resp.status(), 201, "no shortcut for another agency");
    assert_eq!(header(&resp, "upload-offset"), "0");
    let location = header(&resp, "location");
    assert_eq!(get_blob(s, &other.token, &sha256).await.0, 404);
    assert_eq!(
        patch(s, &other.token, &location, 0, &file).await.status(),
        204
    );
    // Its agency has now shown it holds the photo and may read it.
    let (status, body) = get_blob(s, &other.token, &sha256).await;
    assert_eq!(status, 200);
    assert!(body == file);
    assert_eq!(get_blob(s, &other_user, &sha256).await.0, 200);
    // The same hash with another size is a contradiction.
    let resp = create(s, token, file.len() + 1, &sha256).await;
    let v = problem(resp, 422).await;
    assert_eq!(v["type"], "urn:knd:problem:checksum-mismatch");
    assert!(files(&s.dir.path().join("uploads")).is_empty());
    assert_eq!(files(&s.dir.path().join("blobs")).len(), 1);
}
on_both!(a_stored_blob_is_not_uploaded_again);

async fn uploads_and_blobs_are_private(backend: Backend) {
    let w = world(backend).await;
    let (s, token) = (&w.server, w.device.token.as_str());
    let file = photo("landscape_6.jpg");
    let sha256 = Sha256::digest(&file).to_hex();
    let location = start(s, token, file.len(), &sha256).await;
    // Another device of the same agency does not see this device's upload.
    let sibling = second_device(&w).await;
    let resp = tus(s, Method::HEAD, &location, &sibling.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    let resp = patch(s, &sibling.token, &location, 0, &file).await;
    problem(resp, 404).await;
    let resp = tus(s, Method::DELETE, &location, &sibling.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    assert_eq!(offset(s, token, &location).await, 0);
    assert_eq!(patch(s, token, &location, 0, &file).await.status(), 204);
    // The sibling's agency uploaded it: it may read it.
    assert_eq!(get_blob(s, &sibling.token, &sha256).await.0, 200);
    // Another agency may not, nor may a business; nobody learns that it exists.
    let (other_user, other) = other_agency(s).await;
    let missing = Sha256::digest(b"no such photo").to_hex();
    for who in [&other_user, &other.token] {
        let (status, body) = get_blob(s, who, &sha256).await;
        assert_eq!(status, 404);
        let missing = get_blob(s, who, &missing).await;
        assert_eq!((status, &body), (missing.0, &missing.1), "same answer");
    }
    // Signing a photo record that names the hash does not open it either.
    let mut other = other;
    let record = other.sign(
        knd_shared::record::RecordKind::Photo,
        &serde_json::json!({"inspection": knd_shared::InspectionId::new(), "sha256": sha256,
                            "bytes": file.len(), "mime": "image/jpeg"}),
    );
    let (st, _) = s.push(&other, &[record]).await;
    assert_eq!(st, 200);
    knd_server::services::projections::catch_up(&s.state)
        .await
        .unwrap();
    assert_eq!(get_blob(s, &other.token, &sha256).await.0, 404);
    let key = knd_server::admin::issue_api_key(&s.state, "7707083893")
        .await
        .unwrap();
    let key = key["key"].as_str().unwrap();
    assert_eq!(get_blob(s, key, &sha256).await.0, 404);
    assert_eq!(get_blob(s, "", &sha256).await.0, 401);
    assert_eq!(get_blob(s, token, "not-a-hash").await.0, 404);
}
on_both!(uploads_and_blobs_are_private);

async fn the_tus_protocol_is_checked(backend: Backend) {
    let w = world(backend).await;
    let (s, token) = (&w.server, w.device.token.as_str());
    // Discovery needs neither credentials nor Tus-Resumable.
    let resp = s
        .http
        .request(Method::OPTIONS, s.url("/api/v1/uploads"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    assert_eq!(header(&resp, "tus-resumable"), "1.0.0");
    assert_eq!(header(&resp, "tus-version"), "1.0.0");
    assert!(
        header(&resp, "tus-extension")
            .split(',')
            .any(|e| e == "creation")
    );
    assert_eq!(
        header(&resp, "tus-max-size"),
        (64 * 1024 * 1024).to_string()
    );

    // Without Tus-Resumable, or another version: 412 with the versions spoken.
    let sha256 = Sha256::digest(b"x").to_hex();
    for version in [None, Some("0.2.2")] {
        let mut req = s
            .http
            .post(s.url("/api/v1/uploads"))
            .bearer_auth(token)
            .header("upload-length", "1")
            .header("upload-metadata", metadata(&sha256));
        if let Some(v) = version {
            req = req.header("tus-resumable", v);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(header(&resp, "tus-version"), "1.0.0");
        assert_eq!(header(&resp, "tus-resumable"), "1.0.0");
        let v = problem(resp, 412).await;
        assert_eq!(v["type"], "urn:knd:problem:precondition-failed");
    }
    // Creation needs a device, a length and a hash.
    let resp = tus(s, Method::POST, "/api/v1/uploads", &w.inspector)
        .header("upload-length", "1")
        .header("upload-metadata", metadata(&sha256))
        .send()
        .await
        .unwrap();
    problem(resp, 401).await;
    for (length, meta) in [
        (None, metadata(&sha256)),
        (Some("-1"), metadata(&sha256)),
        (Some("1"), String::new()),
        (Some("1"), format!("sha256 {}", STANDARD.encode("ABC"))),
        (Some("1"), "sha256 !!!".into()),
    ] {
        let mut req =
            tus(s, Method::POST, "/api/v1/uploads", token).header("upload-metadata", meta);
        if let Some(l) = length {
            req = req.header("upload-length", l);
        }
        problem(req.send().await.unwrap(), 400).await;
    }

    let location = start(s, token, 5, &sha256).await;
    // PATCH needs Tus-Resumable, its media type and the right offset.
    let resp = s
        .http
        .patch(s.url(&location))
        .bearer_auth(token)
        .header("upload-offset", "0")
        .header("content-type", "application/offset+octet-stream")
        .body("abc")
        .send()
        .await
        .unwrap();
    problem(resp, 412).await;
    let resp = tus(s, Method::PATCH, &location, token)
        .header("upload-offset", "0")
        .header("content-type", "application/octet-stream")
        .body("abc")
        .send()
        .await
        .unwrap();
    let v = problem(resp, 415).await;
    assert_eq!(v["type"], "urn:knd:problem:unsupported-media-type");
    let resp = patch(s, token, &location, 1, b"abc").await;
    problem(resp, 409).await;
    assert_eq!(offset(s, token, &location).await, 0);
    // Unknown and malformed ids.
    for path in [
        "/api/v1/uploads/0192f3a0-7c1e-7d2a-9b1e-3f6a1c2b4d01",
        "/api/v1/uploads/not-an-id",
    ] {
        let resp = tus(s, Method::HEAD, path, token).send().await.unwrap();
        assert_eq!(resp.status(), 404, "{path}");
    }
    // The routes are documented.
    let (_, doc) = s.get("/api/v1/openapi.json", "").await;
    let paths = &doc["paths"];
    for (path, method) in [
        ("/api/v1/uploads", "post"),
        ("/api/v1/uploads", "options"),
        ("/api/v1/uploads/{id}", "head"),
        ("/api/v1/uploads/{id}", "patch"),
        ("/api/v1/uploads/{id}", "delete"),
        ("/api/v1/blobs/{sha256}", "get"),
    ] {
        assert!(paths[path][method].is_object(), "{method} {path}");
    }
}
on_both!(the_tus_protocol_is_checked);

async fn a_device_has_a_bounded_number_of_unfinished_uploads(backend: Backend) {
    let w = world(backend).await;
    let (s, token) = (&w.server, w.device.token.as_str());
    let limit = s.state.config.blobs.max_uploads_per_device;
    let mut locations = Vec::new();
    for i in 0..limit {
        let sha256 = Sha256::digest(&i.to_be_bytes()).to_hex();
        locations.push(start(s, token, 100, &sha256).await);
    }
    let sha256 = Sha256::digest(b"one more").to_hex();
    let v = problem(create(s, token, 100, &sha256).await, 429).await;
    assert_eq!(v["type"], "urn:knd:problem:too-many-uploads");
    assert!(v["detail"].as_str().unwrap().contains(&limit.to_string()));
    // Another device has its own allowance.
    let sibling = second_device(&w).await;
    start(s, &sibling.token, 100, &sha256).await;
    // Abandoning one (tus termination) makes room.
    let resp = tus(s, Method::DELETE, &locations[0], token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    let resp = tus(s, Method::HEAD, &locations[0], token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    start(s, token, 100, &sha256).await;
}
on_both!(a_device_has_a_bounded_number_of_unfinished_uploads);
