//! A business files with its own Ed25519 filing key (issue 14 §1): it registers the key (the
//! server logs a `device_enrolled` record naming the subject), signs each filing as the next
//! record of the key's chain, and that record, not the server's, stands in the transparency log;
//! its bundle verifies with `knd`. A retry of the same record answers with what it created; a
//! record off its chain, of another subject, another key or another kind changes nothing; a
//! revoked key signs nothing more; a tablet cannot push a business's kind.

use knd_shared::record::{ChainHead, RecordKind};
use knd_shared::{DeviceId, DeviceKey};
use knd_tests::device::Device;
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::Backend;
use crate::field::{Field, OTHER_SUBJECT, SUBJECT, field};
use crate::filings::{Parties, parties, post, warning_for_subject};
use crate::on_both;
use crate::planning::verified_as;
use crate::projections::id_of;

/// Registers a fresh key for the business; its signer continues the chain from genesis.
async fn filing_key(f: &Field, p: &Parties, name: &str) -> (Device, Value) {
    let key = DeviceKey::generate();
    let (st, v) = post(
        f,
        "/api/v1/business/keys",
        &p.business,
        &json!({"public_key": key.public_key().to_hex(), "name": name}),
    )
    .await;
    assert_eq!(st, 201, "{v}");
    assert_eq!(
        (v["seq"].as_u64(), v["revoked_at"].is_null()),
        (Some(0), true)
    );
    let id: DeviceId = v["id"].as_str().unwrap().parse().unwrap();
    let signer = Device {
        id,
        token: String::new(),
        server_key: f.w.device.server_key.clone(),
        key,
        head: ChainHead::GENESIS,
    };
    (signer, v)
}

/// The signer as it stands: a probe signs from the same head without moving the original's.
fn copy(d: &Device) -> Device {
    Device {
        id: d.id,
        token: String::new(),
        server_key: d.server_key.clone(),
        key: d.key.clone(),
        head: d.head,
    }
}

/// Signs the next record of the signer's chain with the `knd` tool, from a key file.
fn knd_sign(f: &Field, signer: &mut Device, what: &str, request: &Value) -> Vec<u8> {
    let dir = f.w.server.dir.path();
    let key = dir.join(format!("filing-key-{}.json", signer.head.seq));
    let file = knd_shared::filing_key::FilingKeyFile::of(&signer.key);
    std::fs::write(&key, serde_json::to_vec(&file).unwrap()).unwrap();
    let req = dir.join(format!("request-{}.json", signer.head.seq));
    std::fs::write(&req, request.to_string()).unwrap();
    let out = std::process::Command::new(crate::log_proofs::knd_binary())
        .args(["filing", "sign", "--key"])
        .arg(&key)
        .args(["--device", &signer.id.to_string()])
        .args(["--after-seq", &signer.head.seq.to_string()])
        .args(["--after-hash", &signer.head.hash.to_hex()])
        .args(["--filing", what, "--subject", SUBJECT])
        .arg(&req)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = out.stdout.trim_ascii_end().to_vec();
    let rec = knd_shared::record::verify(&bytes, &signer.key.public_key()).unwrap();
    signer.head = ChainHead::after(&rec);
    bytes
}

fn filing(what: &str, subject: &str, request: &Value) -> Value {
    json!({"filing": what, "subject": subject, "request": request})
}

async fn send(f: &Field, token: &str, record: &[u8]) -> (u16, Value) {
    let record: Value = serde_json::from_slice(record).unwrap();
    post(
        f,
        "/api/v1/business/signed-filings",
        token,
        &json!({ "record": record }),
    )
    .await
}

async fn filings_count(f: &Field, token: &str) -> usize {
    let (st, v) = f.w.server.get("/api/v1/business/filings", token).await;
    assert_eq!(st, 200, "{v}");
    v["items"].as_array().unwrap().len()
}

async fn signed_filings_stand_in_the_log(backend: Backend) {
    let mut f = field(backend).await;
    let p = parties(&mut f).await;
    let warning = warning_for_subject(&mut f, &p.inspection).await;
    let (mut signer, registered) = filing_key(&f, &p, "Юрист, ноутбук").await;
    let s = &f.w.server;

    // The key's enrollment is the server's record naming the subject; it verifies offline.
    let enrollment = registered["enrollment_record"].as_str().unwrap();
    let rec = verified_as(&f, enrollment, &p.business).await;
    assert_eq!(rec["kind"], "device_enrolled", "{rec}");
    // The same key again, a key that is not one, and another business's view of it.
    let again = json!({"public_key": signer.key.public_key().to_hex(), "name": "снова"});
    let (st, v) = post(&f, "/api/v1/business/keys", &p.business, &again).await;
    assert_eq!(st, 409, "{v}");
    let bad = json!({"public_key": "00ff", "name": "плохой"});
    let (st, v) = post(&f, "/api/v1/business/keys", &p.business, &bad).await;
    assert_eq!(st, 422, "{v}");
    assert!(v["detail"].as_str().unwrap().contains("Ed25519"), "{v}");
    let key_path = format!("/api/v1/business/keys/{}", signer.id);
    assert_eq!(s.get(&key_path, &p.other).await.0, 404);
    let (st, v) = s.get("/api/v1/business/keys", &p.other).await;
    assert_eq!((st, v.as_array().map(Vec::len)), (200, Some(0)), "{v}");
    // The key is no tablet: the agency's device list does not show it.
    let (_, admin) = s
        .user(f.w.agency, "keys-admin", knd_server::model::Role::Admin)
        .await;
    let (st, v) = s.get("/api/v1/devices", &admin).await;
    assert_eq!(st, 200, "{v}");
    assert!(!v.to_string().contains(&signer.id.to_string()), "{v}");

    // An objection signed with the key.
    let objection = json!({"warning": warning, "position": "Выход 3 свободен, см. акт осмотра"});
    let record = signer.sign(
        RecordKind::BusinessFiling,
        &filing("objection", SUBJECT, &objection),
    );
    let record_id = id_of(&record);
    let (st, filed) = send(&f, &p.business, &record).await;
    assert_eq!(st, 201, "{filed}");
    assert_eq!(filed["kind"], "objection");
    assert_eq!(filed["status"], "filed");
    assert_eq!(filed["receipt"]["record"], record_id.as_str(), "{filed}");
    assert_eq!(filed["receipt"]["signed_by"], "filer");
    assert!(filed["receipt"]["log_index"].as_u64().is_some(), "{filed}");
    // Its bundle verifies with `knd`: the business's own signature, its key's enrollment, the log.
    let rec = verified_as(&f, &record_id, &p.business).await;
    assert_eq!(rec["kind"], "business_filing", "{rec}");
    // The agency reads it as a record of its own.
    let (st, v) = s
        .get(&format!("/api/v1/records/{record_id}"), &p.reviewer)
        .await;
    assert_eq!(st, 200, "{v}");
    // The same record again: the same filing, nothing new.
    let (st, v) = send(&f, &p.business, &record).await;
    assert_eq!((st, &v["id"]), (200, &filed["id"]), "{v}");
    assert_eq!(filings_count(&f, &p.business).await, 1);
    let (_, head) = s.get(&key_path, &p.business).await;
    assert_eq!(head["seq"], 1, "{head}");

    // Refused, each changing nothing: another business sending it; a record skipping a seq;
    // naming another subject; signed by another key; of another kind; a request the rules
    // refuse (a warning not addressed to the business).
    let (st, v) = send(&f, &p.other, &record).await;
    assert_eq!(st, 422, "{v}");
    assert!(
        v["detail"].as_str().unwrap().contains("не зарегистрирован"),
        "{v}"
    );
    let mut gap = copy(&signer);
    gap.head.seq += 1;
    let skipped = gap.sign(
        RecordKind::BusinessFiling,
        &filing("objection", SUBJECT, &objection),
    );
    let (st, v) = send(&f, &p.business, &skipped).await;
    assert_eq!(st, 409, "{v}");
    assert!(
        v["detail"].as_str().unwrap().contains("номер записи"),
        "{v}"
    );
    let mut probe = copy(&signer);
    let others = probe.sign(
        RecordKind::BusinessFiling,
        &filing("objection", OTHER_SUBJECT, &objection),
    );
    let (st, v) = send(&f, &p.business, &others).await;
    assert_eq!(st, 422, "{v}");
    let mut forger = copy(&signer);
    forger.key = DeviceKey::generate();
    let forged = forger.sign(
        RecordKind::BusinessFiling,
        &filing("objection", SUBJECT, &objection),
    );
    let (st, v) = send(&f, &p.business, &forged).await;
    assert_eq!(st, 422, "{v}");
    assert!(v["detail"].as_str().unwrap().contains("подпись"), "{v}");
    let mut probe = copy(&signer);
    let note = probe.sign(RecordKind::Note, &json!({"text": "не обращение"}));
    let (st, v) = send(&f, &p.business, &note).await;
    assert_eq!(st, 422, "{v}");
    let mut probe = copy(&signer);
    let unknown = json!({"warning": f.w.device.id.to_string(), "position": "?"});
    let wrong = probe.sign(
        RecordKind::BusinessFiling,
        &filing("objection", SUBJECT, &unknown),
    );
    let (st, v) = send(&f, &p.business, &wrong).await;
    assert_eq!(st, 422, "{v}");
    assert_eq!(filings_count(&f, &p.business).await, 1);
    let (_, head) = s.get(&key_path, &p.business).await;
    assert_eq!(head["seq"], 1, "{head}");

    // The chain goes on: an appeal, then its withdrawal, each the business's record.
    let learned = knd_shared::calendar::iso_date::format(s.state.today());
    let appeal = json!({
        "appealed": "officials_actions", "inspection": p.inspection, "filer": "ПАО Сбербанк",
        "official": "Инспектор Иванов И. И.", "contact": "law@example.ru",
        "learned_on": learned, "grounds": "Инспектор не допустил представителя к осмотру",
    });
    // This one signed by `knd filing sign`, as a business without our test helpers would.
    let record = knd_sign(&f, &mut signer, "appeal", &appeal);
    let (st, appealed) = send(&f, &p.business, &record).await;
    assert_eq!(st, 201, "{appealed}");
    assert_eq!(appealed["receipt"]["signed_by"], "filer");
    let id = appealed["id"].as_str().unwrap();
    let mut step = filing("appeal_step", SUBJECT, &json!({"step": "withdraw"}));
    step["of"] = Value::from(id);
    let record = signer.sign(RecordKind::BusinessFiling, &step);
    let (st, withdrawn) = send(&f, &p.business, &record).await;
    assert_eq!(st, 201, "{withdrawn}");
    // Withdrawn before registration: consideration refused on that ground (ст.42).
    assert_eq!(withdrawn["status"], "refused", "{withdrawn}");
    assert_eq!(withdrawn["steps"][0]["record"], id_of(&record).as_str());
    verified_as(&f, &id_of(&record), &p.business).await;

    // The reviewer's decision on the signed objection is the server's record, as ever.
    let objection_id = filed["id"].as_str().unwrap();
    let (st, v) = post(
        &f,
        &format!("/api/v1/objections/{objection_id}/decision"),
        &p.reviewer,
        &json!({"withdraw_warning": true}),
    )
    .await;
    assert_eq!(st, 200, "{v}");
    let decision = v["steps"][0]["record"].as_str().unwrap().to_owned();
    let rec = verified_as(&f, &decision, &p.business).await;
    assert_eq!(rec["kind"], "filing_decided", "{rec}");

    // Revoked, the key signs nothing more; what it filed still answers and verifies.
    let (st, v) = s
        .send(Method::DELETE, &key_path, &p.business, &Value::Null)
        .await;
    assert_eq!(st, 200, "{v}");
    assert!(v["revoked_at"].is_string(), "{v}");
    let late = signer.sign(
        RecordKind::BusinessFiling,
        &filing("objection", SUBJECT, &objection),
    );
    let (st, v) = send(&f, &p.business, &late).await;
    assert_eq!(st, 422, "{v}");
    assert!(v["detail"].as_str().unwrap().contains("отозван"), "{v}");
    let (st, _) = send(&f, &p.business, &record).await;
    assert_eq!(st, 200);
    verified_as(&f, &record_id, &p.business).await;
    assert_eq!(
        s.send(Method::DELETE, &key_path, &p.business, &Value::Null)
            .await
            .0,
        404
    );

    // A tablet cannot push a business's kind.
    let pushed = f.w.device.sign(
        RecordKind::BusinessFiling,
        &filing("objection", SUBJECT, &objection),
    );
    let (st, v) = s.push(&f.w.device, &[pushed]).await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["results"][0]["reason"], "invalid_body", "{v}");
}

on_both!(signed_filings_stand_in_the_log);
