//! A photo upload cut in the middle continues from the server's offset, not from zero.

use knd_shared::Sha256;
use knd_tests::{Fault, Proxy};

use crate::common::{World, b64, config, enrolled_app, photo, store_of};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_photo_upload_cut_in_the_middle_resumes() {
    let w = World::new().await;
    let proxy = Proxy::start(w.addr).await.unwrap();
    let mut config = config();
    config.sync.chunk_bytes = 64 * 1024;
    let (app, dir) = enrolled_app(&w, &proxy.url(), config).await;
    assert_eq!(app.sync_now().await.unwrap().last_error, None);
    let file = photo("image00971.jpg");
    let size = file.len() as u64;
    assert!(size > 150_000, "{size}");
    let id = w.inspection.clone();
    let added = app
        .add_photo(&id, &b64(&file), None, vec![])
        .unwrap()
        .added
        .unwrap();

    // The link drops 100 KiB into the sync: the records went, the photo is half sent.
    proxy.set(Fault::CutUpstreamAfter(100 * 1024));
    let st = app.sync_now().await.unwrap();
    let error = st.last_error.clone().unwrap_or_default();
    // The last error is stored by kind (the UI words it), never as the HTTP library's text.
    let error: serde_json::Value = serde_json::from_str(&error).expect("a {kind, message} error");
    assert_eq!(error["kind"], "network", "{st:?}");
    assert_eq!(
        (st.pending, st.sent, st.photos_pending),
        (0, 0, 1),
        "{st:?}"
    );
    let pending = store_of(&dir).photos_to_upload().unwrap();
    assert_eq!(pending.len(), 1);
    let location = pending[0]
        .upload_url
        .clone()
        .expect("the upload's URL is kept");

    // The server holds part of it: read once its handling of the cut request is over (right
    // after the cut it may still be writing the bytes it had received, so an early HEAD could
    // name a smaller offset than the one the resumed upload starts from).
    let token = store_of(&dir).device_token().unwrap().unwrap();
    let head = || async {
        let resp = w
            .http
            .head(w.url(&location))
            .bearer_auth(&token)
            .header("tus-resumable", "1.0.0")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        resp.headers()["upload-offset"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
    };
    let mut offset = head().await;
    for _ in 0..50 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let again = head().await;
        if again == offset {
            break;
        }
        offset = again;
    }
    assert!(offset > 0 && offset < size, "offset {offset} of {size}");

    // Through a healthy link it continues from there.
    proxy.set(Fault::None);
    let st = app.sync_now().await.unwrap();
    assert_eq!(st.last_error, None, "{st:?}");
    assert_eq!(st.photos_pending, 0, "{st:?}");
    let sent = proxy.upstream_bytes();
    assert!(
        sent >= size - offset && sent < size - offset + 8 * 1024,
        "{sent} bytes went up for the {} left",
        size - offset
    );
    assert!(store_of(&dir).photos_to_upload().unwrap().is_empty());

    let (st, bytes) = w
        .get_bytes(&format!("/api/v1/blobs/{}", added.sha256), &token)
        .await;
    assert_eq!(st, 200);
    assert_eq!(Sha256::digest(&bytes).to_hex(), added.sha256);
    assert_eq!(bytes, file);
}
