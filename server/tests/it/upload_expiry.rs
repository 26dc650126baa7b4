//! Unfinished uploads expire (tus `expiration`): every answer names when, an upload no byte
//! reached for `blobs.upload_expiry_hours` is gone (404, the app starts again), and an abandoned
//! one no longer counts against the device's limit; the hourly sweep deletes the rest.

use std::time::{Duration, SystemTime};

use knd_shared::Sha256;
use reqwest::Method;

use crate::common::{Backend, TestServer};
use crate::on_both;
use crate::uploads::{create, header, patch, problem, start, tus};

/// Makes the upload at `location` look idle for `days` (its bytes file's modification time).
fn age(s: &TestServer, device: &str, location: &str, days: u64) {
    let id = location.rsplit('/').next().unwrap();
    let part = s
        .dir
        .path()
        .join("uploads")
        .join(device)
        .join(format!("{id}.part"));
    let f = std::fs::File::options().write(true).open(&part).unwrap();
    f.set_modified(SystemTime::now() - Duration::from_secs(days * 86_400))
        .unwrap();
}

fn expires(resp: &reqwest::Response) -> SystemTime {
    httpdate::parse_http_date(&header(resp, "upload-expires")).unwrap()
}

async fn abandoned_uploads_expire(backend: Backend) {
    let w = crate::common::world(backend).await;
    let (s, token) = (&w.server, w.device.token.as_str());
    let device = w.device.id.to_string();
    let week = Duration::from_secs(7 * 86_400);

    // Created and written to: each answer says it expires a week after its last byte.
    let sha256 = Sha256::digest(b"expiring upload").to_hex();
    let resp = create(s, token, 100, &sha256).await;
    assert_eq!(resp.status(), 201);
    let left = expires(&resp).duration_since(SystemTime::now()).unwrap();
    assert!(
        left > week - Duration::from_secs(60) && left <= week,
        "{left:?}"
    );
    let location = header(&resp, "location");
    let resp = patch(s, token, &location, 0, &[7; 10]).await;
    assert_eq!(resp.status(), 204);
    assert!(expires(&resp) > SystemTime::now() + week - Duration::from_secs(60));

    // Six days idle: still there; eight: gone, bytes and all.
    age(s, &device, &location, 6);
    let resp = tus(s, Method::HEAD, &location, token).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(header(&resp, "upload-offset"), "10");
    age(s, &device, &location, 8);
    let resp = tus(s, Method::HEAD, &location, token).send().await.unwrap();
    assert_eq!(resp.status(), 404);
    problem(patch(s, token, &location, 10, &[7; 10]).await, 404).await;
    let dir = s.dir.path().join("uploads").join(&device);
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);

    // An abandoned upload does not hold a place: the device is full until one expires.
    let limit = s.state.config.blobs.max_uploads_per_device;
    let mut locations = Vec::new();
    for i in 0..limit {
        let sha256 = Sha256::digest(&i.to_be_bytes()).to_hex();
        locations.push(start(s, token, 100, &sha256).await);
    }
    let more = Sha256::digest(b"one more").to_hex();
    problem(create(s, token, 100, &more).await, 429).await;
    age(s, &device, &locations[0], 8);
    start(s, token, 100, &more).await;

    // The sweep deletes what nobody touches again, and only that.
    age(s, &device, &locations[1], 8);
    age(s, &device, &locations[2], 8);
    let ttl = Duration::from_secs(s.state.config.blobs.upload_expiry_hours * 3600);
    assert_eq!(s.state.uploads.expire(None, ttl).await.unwrap(), 2);
    assert_eq!(s.state.uploads.expire(None, ttl).await.unwrap(), 0);
    let resp = tus(s, Method::HEAD, &locations[3], token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}
on_both!(abandoned_uploads_expire);
