//! Documents a person can check: a warning and the decision on an objection to it render as
//! PDF; the QR code on page 1, decoded from the rasterised page, links to the public page,
//! which says the document is signed, logged and in the checkpoint; the link with its hash
//! changed by one character fails, and so does a bundle file changed by one byte.

use std::sync::Arc;

use hayro::hayro_interpret::InterpreterSettings;
use hayro::hayro_syntax::Pdf;
use hayro::vello_cpu::color::palette::css::WHITE;
use hayro::{PixmapSettings, RenderCache, RenderSettings};
use serde_json::json;

use crate::common::Backend;
use crate::field::{Field, field};
use crate::filings::{parties, post, warning_for_subject};
use crate::on_both;

/// The text of page 1's QR code.
fn qr_of(pdf: &[u8]) -> String {
    let doc = Pdf::new(Arc::new(pdf.to_vec())).expect("a PDF");
    let pixmap = hayro::render(
        &doc.pages()[0],
        &RenderCache::new(),
        &InterpreterSettings::default(),
        &RenderSettings::default(),
        &PixmapSettings {
            x_scale: 2.0,
            y_scale: 2.0,
            bg_color: WHITE,
        },
    );
    let (w, h) = (pixmap.width() as usize, pixmap.height() as usize);
    let rgba = pixmap.data_as_u8_slice();
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| rgba[(y * w + x) * 4]);
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code on page 1");
    grids[0].decode().expect("the QR code decodes").1
}

async fn pdf_of(f: &Field, record: &str, token: &str) -> Vec<u8> {
    let s = &f.w.server;
    let resp = s
        .http
        .get(s.url(&format!("/api/v1/records/{record}/pdf")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/pdf");
    resp.bytes().await.unwrap().to_vec()
}

async fn page(f: &Field, path: &str) -> (u16, String) {
    let s = &f.w.server;
    let resp = s.http.get(s.url(path)).send().await.unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

async fn upload(f: &Field, bundle: &[u8]) -> (u16, String) {
    let s = &f.w.server;
    let boundary = "knd-test-boundary-7f3a";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"bundle\"; filename=\"b.json\"\r\nContent-Type: application/json\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bundle);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let resp = s
        .http
        .post(s.url("/verify"))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

/// The path of a verification link (the test server's public address is its configured one).
fn path_of(url: &str) -> String {
    let at = url.find("/verify/").expect("a verification link");
    url[at..].to_owned()
}

async fn documents_a_person_can_check(backend: Backend) {
    let mut f = field(backend).await;
    let p = parties(&mut f).await;
    let warning = warning_for_subject(&mut f, &p.inspection).await;
    let s = &f.w.server;

    let pdf = pdf_of(&f, &warning, &p.business).await;
    assert!(pdf.starts_with(b"%PDF-"));
    let url = qr_of(&pdf);
    let (_, rec) = s
        .get(&format!("/api/v1/records/{warning}"), &p.business)
        .await;
    let hash = knd_shared::record::parse_unverified(rec.to_string().as_bytes())
        .map(|r| r.hash.to_hex())
        .unwrap_or_default();
    let link = path_of(&url);
    assert_eq!(link, format!("/verify/{warning}?sha256={hash}"), "{url}");
    let (st, text) = page(&f, &link).await;
    assert_eq!(st, 200, "{text}");
    assert!(text.contains("Документ подлинный"), "{text}");
    assert!(
        text.contains("Предостережение") && text.contains(&hash),
        "{text}"
    );

    // The link's hash changed by one character.
    let last = hash.chars().last().unwrap();
    let other = if last == '0' { '1' } else { '0' };
    let forged = format!(
        "/verify/{warning}?sha256={}{other}",
        &hash[..hash.len() - 1]
    );
    let (st, text) = page(&f, &forged).await;
    assert_eq!(st, 200);
    assert!(
        text.contains("Проверка не пройдена") && !text.contains("Документ подлинный"),
        "{text}"
    );

    // The bundle file: as downloaded it verifies; a byte changed fails.
    let bundle = s
        .http
        .get(s.url(&format!("/api/v1/records/{warning}/bundle")))
        .bearer_auth(&p.business)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec();
    let (st, text) = upload(&f, &bundle).await;
    assert_eq!(st, 200, "{text}");
    assert!(text.contains("Документ подлинный"), "{text}");
    let text_bundle = String::from_utf8(bundle).unwrap();
    let changed = text_bundle.replacen("загромождён", "загромождeн", 1);
    assert_ne!(changed, text_bundle, "the warning's text is in the bundle");
    let (st, text) = upload(&f, changed.as_bytes()).await;
    assert_eq!(st, 422, "{text}");
    assert!(text.contains("Проверка не пройдена"), "{text}");

    // The decision on an objection is a document too; the filing's own receipt is not public.
    let (_, filed) = post(
        &f,
        "/api/v1/business/objections",
        &p.business,
        &json!({"warning": warning, "position": "Выход свободен"}),
    )
    .await;
    let (_, decided) = post(
        &f,
        &format!(
            "/api/v1/objections/{}/decision",
            filed["id"].as_str().unwrap()
        ),
        &p.reviewer,
        &json!({"withdraw_warning": true}),
    )
    .await;
    let decision = decided["steps"][0]["record"].as_str().unwrap();
    let url = qr_of(&pdf_of(&f, decision, &p.business).await);
    let (st, text) = page(&f, &path_of(&url)).await;
    assert_eq!(st, 200, "{text}");
    assert!(
        text.contains("Документ подлинный") && text.contains("Решение по обращению"),
        "{text}"
    );
    let receipt = filed["receipt"]["record"].as_str().unwrap();
    let (st, _) = page(&f, &format!("/verify/{receipt}")).await;
    assert_eq!(st, 404);
    let (st, _) = page(&f, "/verify/not-a-record").await;
    assert_eq!(st, 404);
}
on_both!(documents_a_person_can_check);
