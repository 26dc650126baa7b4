use knd_shared::note::NoteVerifier;
use knd_shared::receipt::Receipt;
use knd_shared::record;
use serde_json::Value;

use crate::common::{Backend, Device, world};
use crate::on_both;

fn statuses(v: &Value) -> Vec<String> {
    v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let s = r["status"].as_str().unwrap().to_owned();
            match r["reason"].as_str() {
                Some(reason) => format!("{s}:{reason}"),
                None => s,
            }
        })
        .collect()
}

fn receipts(v: &Value, device: &Device) -> Vec<Receipt> {
    let key = NoteVerifier::parse(&device.server_key).unwrap();
    v["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| !r["receipt"].is_null())
        .map(|r| Receipt::verify(r["receipt"].to_string().as_bytes(), key.public_key()).unwrap())
        .collect()
}

async fn a_chain_is_accepted_with_receipts_and_resending_is_a_duplicate(backend: Backend) {
    let mut w = world(backend).await;
    let records = w.device.findings(12);
    let (status, v) = w.server.push(&w.device, &records).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(statuses(&v), vec!["accepted"; 12]);
    let first = receipts(&v, &w.device);
    for (r, bytes) in first.iter().zip(&records) {
        let rec = record::parse_unverified(bytes).unwrap();
        assert_eq!(r.record, rec.hash);
    }
    // The server's device_enrolled record is leaf 0; ours follow in order.
    let indexes: Vec<u64> = first.iter().map(|r| r.index).collect();
    assert_eq!(indexes, (1..=12).collect::<Vec<_>>());

    let (status, again) = w.server.push(&w.device, &records).await;
    assert_eq!(status, 200);
    assert_eq!(statuses(&again), vec!["duplicate"; 12]);
    assert_eq!(
        receipts(&again, &w.device),
        first,
        "the original receipts again"
    );
    assert_eq!(
        w.server.state.store.log_size().await.unwrap(),
        13,
        "nothing stored twice"
    );

    // The records come back exactly as sent.
    let id = record::parse_unverified(&records[3]).unwrap().id;
    let resp = w
        .server
        .http
        .get(w.server.url(&format!("/api/v1/records/{id}")))
        .bearer_auth(&w.admin)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.bytes().await.unwrap().as_ref(), records[3].as_slice());
}
on_both!(a_chain_is_accepted_with_receipts_and_resending_is_a_duplicate);

async fn bad_records_are_refused_for_their_reason_and_nothing_is_stored(backend: Backend) {
    let mut w = world(backend).await;
    let good = w.device.findings(2);
    let (_, v) = w.server.push(&w.device, &good).await;
    assert_eq!(statuses(&v), ["accepted", "accepted"]);

    // A flipped bit in the body.
    let mut next = w.device.clone_head_finding(3);
    let pos = next.windows(6).position(|win| win == b"\"item\"").unwrap() + 9;
    next[pos] ^= 1;
    // A broken prev: signed correctly, but not linked to our last record.
    let mut forked = w.device.fork();
    forked.head.hash = knd_shared::Sha256::digest(b"elsewhere");
    let broken_prev = forked.finding(3);
    // A skipped seq.
    let mut skipper = w.device.fork();
    skipper.head.seq += 1;
    let skipped = skipper.finding(4);
    // Another device's record, pushed with our token.
    let code = w.server.code_for("inspector1").await;
    let mut other = w.server.enroll(&code).await;
    let foreign = other.finding(1);
    // (The enrollment above added the server's record to the log; measure from here.)
    let size = w.server.state.store.log_size().await.unwrap();
    // Not a record at all, and an unknown kind.
    let junk = br#"{"v":1,"hello":"world"}"#.to_vec();

    let (status, v) = w
        .server
        .push(&w.device, &[next, broken_prev, skipped, foreign, junk])
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        statuses(&v),
        [
            "rejected:bad_signature",
            "rejected:chain_break",
            "rejected:seq_gap",
            "rejected:unknown_device",
            "rejected:malformed"
        ]
    );
    assert_eq!(
        w.server.state.store.log_size().await.unwrap(),
        size,
        "nothing stored"
    );

    // A validly signed record with an id already used but another content, and a new record at a
    // seq already taken: both conflict with what is stored.
    let original = record::parse_unverified(&good[0]).unwrap();
    let mut draft = knd_shared::record::RecordDraft::new(
        w.device.id,
        1,
        knd_shared::Sha256::ZERO,
        knd_shared::record::RecordKind::Note,
        &serde_json::json!({"text": "a second version of history"}),
    )
    .unwrap();
    let at_seq_1 = knd_shared::record::sign(&w.device.key, &draft)
        .unwrap()
        .bytes;
    draft.id = original.id;
    let same_id = knd_shared::record::sign(&w.device.key, &draft)
        .unwrap()
        .bytes;
    let (_, v) = w.server.push(&w.device, &[same_id, at_seq_1]).await;
    assert_eq!(
        statuses(&v),
        [
            "rejected:conflicting_duplicate",
            "rejected:conflicting_duplicate"
        ]
    );
    assert_eq!(
        w.server.state.store.log_size().await.unwrap(),
        size,
        "nothing stored"
    );

    // The chain continues where it stood.
    let next = w.device.finding(3);
    let (_, v) = w.server.push(&w.device, &[next]).await;
    assert_eq!(statuses(&v), ["accepted"]);
}
on_both!(bad_records_are_refused_for_their_reason_and_nothing_is_stored);

async fn a_revoked_device_can_push_nothing(backend: Backend) {
    let mut w = world(backend).await;
    let before = w.device.finding(1);
    let (_, v) = w
        .server
        .push(&w.device, std::slice::from_ref(&before))
        .await;
    assert_eq!(statuses(&v), ["accepted"]);
    let first_receipt = receipts(&v, &w.device);
    let resp = w
        .server
        .http
        .post(
            w.server
                .url(&format!("/api/v1/devices/{}/revoke", w.device.id)),
        )
        .bearer_auth(&w.admin)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let size = w.server.state.store.log_size().await.unwrap();
    let after = w.device.finding(2);
    let (status, v) = w.server.push(&w.device, &[before, after]).await;
    assert_eq!(status, 200);
    // What it sent before is still acknowledged (it may have lost the first answer); nothing new
    // is taken.
    assert_eq!(statuses(&v), ["duplicate", "rejected:revoked_device"]);
    assert_eq!(receipts(&v, &w.device)[..1], first_receipt[..]);
    assert_eq!(w.server.state.store.log_size().await.unwrap(), size);
}
on_both!(a_revoked_device_can_push_nothing);

async fn a_forged_token_is_unauthorized(backend: Backend) {
    let mut w = world(backend).await;
    let record = w.device.finding(1);
    let mut forged = w.device.fork();
    forged.token = format!("{}x", &w.device.token[..w.device.token.len() - 1]);
    let (status, v) = w.server.push(&forged, std::slice::from_ref(&record)).await;
    assert_eq!(status, 401, "{v}");
    assert_eq!(v["type"], "urn:knd:problem:unauthorized");
    forged.token = w.admin.clone();
    let (status, _) = w.server.push(&forged, &[record]).await;
    assert_eq!(status, 401, "a session token is not a device token");
    assert_eq!(w.server.state.store.log_size().await.unwrap(), 1);
}
on_both!(a_forged_token_is_unauthorized);

async fn a_restart_keeps_the_log_the_chain_and_the_key(backend: Backend) {
    let mut w = world(backend).await;
    let first = w.device.findings(3);
    w.server.push(&w.device, &first).await;
    let key_before = w.server.state.note_signer.verifier_key();
    let (dir, url) = w.server.stop().await;
    w.server = crate::common::TestServer::start_with(dir, url).await;
    assert_eq!(w.server.state.note_signer.verifier_key(), key_before);
    // Re-sending after the restart: duplicates; then the chain goes on.
    let (_, v) = w.server.push(&w.device, &first).await;
    assert_eq!(statuses(&v), ["duplicate"; 3]);
    let next = w.device.finding(4);
    let (_, v) = w.server.push(&w.device, &[next]).await;
    assert_eq!(statuses(&v), ["accepted"]);
    assert_eq!(w.server.state.store.log_size().await.unwrap(), 5);
}
on_both!(a_restart_keeps_the_log_the_chain_and_the_key);

async fn the_same_record_twice_in_one_batch_is_stored_once(backend: Backend) {
    let mut w = world(backend).await;
    let a = w.device.finding(1);
    let b = w.device.finding(2);
    let (_, v) = w
        .server
        .push(&w.device, &[a.clone(), a.clone(), b.clone(), b])
        .await;
    assert_eq!(
        statuses(&v),
        ["accepted", "duplicate", "accepted", "duplicate"]
    );
    let r = receipts(&v, &w.device);
    assert_eq!(r[0], r[1]);
    assert_eq!(w.server.state.store.log_size().await.unwrap(), 3);
}
on_both!(the_same_record_twice_in_one_batch_is_stored_once);
