//! A business's attachments go through the tus uploads with its API key: it attaches and reads
//! back only what it uploaded itself; the agency its filing went to reads what the filing
//! carries, and nobody else does (not another business, not another agency).

use knd_server::model::Role;
use knd_shared::Sha256;
use reqwest::Method;
use serde_json::json;

use crate::common::{Backend, TestServer};
use crate::field::field;
use crate::filings::{parties, post, warning_for_subject};
use crate::on_both;
use crate::uploads::{create, get_blob, header, patch, photo, problem, start};

/// Uploads `file` with `token` (a business's API key or a device's token) to the end.
async fn upload(s: &TestServer, token: &str, file: &[u8]) -> String {
    let sha256 = Sha256::digest(file).to_hex();
    let location = start(s, token, file.len(), &sha256).await;
    let resp = patch(s, token, &location, 0, file).await;
    assert_eq!(resp.status(), 204);
    assert_eq!(header(&resp, "upload-offset"), file.len().to_string());
    sha256
}

async fn attachments_are_uploaded_by_the_business_and_read_by_its_agency(backend: Backend) {
    let mut f = field(backend).await;
    let p = parties(&mut f).await;
    let warning = warning_for_subject(&mut f, &p.inspection).await;
    let s = &f.w.server;

    // The business uploads a file over tus with its API key, resumably like a device.
    let file = photo("DSCN0012.jpg");
    let sha256 = Sha256::digest(&file).to_hex();
    let location = start(s, &p.business, file.len(), &sha256).await;
    assert_eq!(
        patch(s, &p.business, &location, 0, &file[..1000])
            .await
            .status(),
        204
    );
    // Another business does not see that upload.
    let resp = patch(s, &p.other, &location, 1000, &file[1000..]).await;
    problem(resp, 404).await;
    assert_eq!(
        patch(s, &p.business, &location, 1000, &file[1000..])
            .await
            .status(),
        204
    );
    assert_eq!(get_blob(s, &p.business, &sha256).await, (200, file.clone()));
    // Uploading it again completes at once for the business that holds it.
    let again = create(s, &p.business, file.len(), &sha256).await;
    assert_eq!(again.status(), 200);
    assert_eq!(
        header(&again, "location"),
        format!("/api/v1/blobs/{sha256}")
    );

    // Before any filing carries it, the agency does not read it; another business never does.
    assert_eq!(get_blob(s, &p.reviewer, &sha256).await.0, 404);
    assert_eq!(get_blob(s, &p.other, &sha256).await.0, 404);
    // Knowing the hash does not let another business skip sending the bytes.
    assert_eq!(create(s, &p.other, file.len(), &sha256).await.status(), 201);

    // Another business cannot attach the file (nor can anyone attach a device's photo).
    let objection = |attachments: Vec<&str>| {
        json!({"warning": warning, "position": "Выход 3 свободен, см. фото",
               "attachments": attachments})
    };
    let photo_of_device = upload(s, &f.w.device.token, &photo("Canon_40D.jpg")).await;
    for (token, hash) in [
        (&p.other, sha256.as_str()),
        (&p.business, photo_of_device.as_str()),
    ] {
        let (st, v) = post(
            &f,
            "/api/v1/business/objections",
            token,
            &objection(vec![hash]),
        )
        .await;
        assert_eq!(st, 422, "{v}");
        assert!(
            v["detail"].as_str().unwrap().contains("не загружено вами"),
            "{v}"
        );
    }
    let (st, v) = post(
        &f,
        "/api/v1/business/objections",
        &p.business,
        &objection(vec!["beef"]),
    )
    .await;
    assert_eq!(st, 422, "{v}");
    assert_eq!(get_blob(s, &p.business, &photo_of_device).await.0, 404);

    // Filed with the attachment: the reviewer of the agency reads it; another agency does not.
    let (st, v) = post(
        &f,
        "/api/v1/business/objections",
        &p.business,
        &objection(vec![&sha256]),
    )
    .await;
    assert_eq!(st, 201, "{v}");
    assert_eq!(v["content"]["attachments"], json!([sha256]), "{v}");
    assert_eq!(get_blob(s, &p.reviewer, &sha256).await, (200, file.clone()));
    // The console's filing page lists it, and the reviewer's session reads it.
    let mut b = crate::console_filings::signed_in(s, "reviewer1").await;
    let id = v["id"].as_str().unwrap();
    let page = b.get(&format!("/filings/{id}")).await;
    assert!(
        page.shows(&format!("/api/v1/blobs/{sha256}")),
        "{}",
        page.body
    );
    assert!(page.shows("фотография JPEG"), "{}", page.body);
    let blob = b.get(&format!("/api/v1/blobs/{sha256}")).await;
    assert_eq!(blob.status, 200);
    let other_agency = s.agency("Управление надзора №2").await;
    let (_, stranger) = s.user(other_agency, "admin2", Role::Admin).await;
    assert_eq!(get_blob(s, &stranger, &sha256).await.0, 404);
    assert_eq!(get_blob(s, &p.other, &sha256).await.0, 404);

    // A business may delete its own unfinished upload, not another's.
    let spare = b"a scanned page".to_vec();
    let spare_sha = Sha256::digest(&spare).to_hex();
    let location = start(s, &p.business, spare.len(), &spare_sha).await;
    let delete = |token: &str| {
        s.http
            .request(Method::DELETE, s.url(&location))
            .bearer_auth(token)
            .header("tus-resumable", "1.0.0")
            .send()
    };
    assert_eq!(delete(&p.other).await.unwrap().status(), 404);
    assert_eq!(delete(&p.business).await.unwrap().status(), 204);
}
on_both!(attachments_are_uploaded_by_the_business_and_read_by_its_agency);
