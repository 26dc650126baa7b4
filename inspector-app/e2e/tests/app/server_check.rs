//! What the server holds after the sync, read as the admin over HTTP.

use super::*;

pub(crate) async fn check_server(
    http: &reqwest::Client,
    url: &str,
    done: &Done,
) -> anyhow::Result<()> {
    let token = super::visit::admin_token(http, url).await?;
    let get = |path: String| get_json(http, url, &token, path);

    // The projector runs in the background: poll until everything is projected.
    let field = until("the field data of the inspection", SYNC, || async {
        let f = get(format!("/api/v1/inspections/{}/field", done.inspection)).await?;
        let findings = f["findings"].as_array().map_or(0, Vec::len);
        let photos = f["photos"].as_array().map_or(0, Vec::len);
        let of = |kind: &str| {
            f["documents"]
                .as_array()
                .map_or(0, |d| d.iter().filter(|d| d["kind"] == kind).count())
        };
        let (acts, orders) = (of("act"), of("order"));
        if findings >= done.findings.len()
            && photos >= 1
            && acts == 1
            && orders == 1
            && !f["finished_record"].is_null()
        {
            Ok(Some(f))
        } else {
            Err(anyhow!(
                "findings {findings}, photos {photos}, acts {acts}, orders {orders}, finished {}",
                f["finished_record"]
            ))
        }
    })
    .await?;
    std::fs::write(
        target_dir_artifacts()?.join("server-field.json"),
        serde_json::to_vec_pretty(&field)?,
    )?;
    // The only flags are the kept photo's: taken in 2008 (and far from the object when the
    // object has coordinates), as the device warned and its record says; and, when the card
    // the test took starts on a later day than today (the demo plans from today on), the
    // server's flag on records signed before the inspection's dates.
    let inspection = get(format!("/api/v1/inspections/{}", done.inspection)).await?;
    let starts_on = inspection["starts_on"].as_str().context("starts_on")?;
    let started = field["started_at"].as_str().context("started_at")?;
    let early = started.get(..10).is_some_and(|day| day < starts_on);
    let mut allowed = vec!["photo_outside_dates", "photo_far_from_object"];
    if early {
        allowed.push("record_time_outside_inspection");
    }
    let flags = field["flags"].as_array().context("flags")?;
    let reasons: Vec<&str> = flags.iter().filter_map(|f| f["reason"].as_str()).collect();
    ensure!(
        reasons.contains(&"photo_outside_dates") && reasons.iter().all(|r| allowed.contains(r)),
        "review flags (the inspection starts on {starts_on}, its work started {started}): {}",
        field["flags"]
    );
    let findings = field["findings"].as_array().context("findings")?;
    let current: Vec<&Value> = findings
        .iter()
        .filter(|f| f["superseded_by"].is_null())
        .collect();
    ensure!(
        current.len() == done.findings.len(),
        "{} current findings on the server",
        current.len()
    );
    for (item, result) in &done.findings {
        let f = current
            .iter()
            .find(|f| f["item"] == item.as_str())
            .with_context(|| format!("no finding for {item} on the server"))?;
        ensure!(
            f["result"] == *result,
            "{item}: {} on the server, {result} in the app",
            f["result"]
        );
        if *item == done.violation_item {
            ensure!(f["note"] == VIOLATION_NOTE, "{item}: note {}", f["note"]);
            ensure!(
                f["photos"]
                    .as_array()
                    .is_some_and(|p| p.iter().any(|s| s == done.photo_sha.as_str())),
                "{item}: photos {}",
                f["photos"]
            );
        }
    }
    let photo = field["photos"]
        .as_array()
        .and_then(|p| p.iter().find(|p| p["sha256"] == done.photo_sha.as_str()))
        .context("the photo record on the server")?;
    ensure!(
        photo["mime"] == "image/jpeg",
        "photo mime {}",
        photo["mime"]
    );
    ensure!(
        photo["warnings"]
            .as_array()
            .is_some_and(|w| w.iter().any(|w| w["kind"] == "taken_outside_dates")),
        "the photo's warnings did not reach the server: {photo}"
    );
    let act = field["documents"]
        .as_array()
        .and_then(|d| d.iter().find(|d| d["kind"] == "act"))
        .context("the act on the server")?;
    let act_text = act["body"].to_string();
    ensure!(
        act["body"]["not_checked"][0]["reason"] == NOT_CHECKED_REASON,
        "the act does not list the item not checked with its reason: {act_text}"
    );
    // Every answer the act cites is a row of the view, current or in a history.
    let rows: Vec<&Value> = findings
        .iter()
        .flat_map(|f| std::iter::once(f).chain(f["history"].as_array().into_iter().flatten()))
        .collect();
    for cited in act["body"]["findings"]
        .as_array()
        .context("the act's findings")?
    {
        ensure!(
            rows.iter().any(|r| r["record"] == *cited),
            "the act cites {cited}, which the field view does not show"
        );
    }
    ensure!(
        act_text.contains(PRESENT_NAME),
        "the act does not name who was present: {act_text}"
    );
    ensure!(
        act_text.contains("acknowledged"),
        "the act has no acknowledgement: {act_text}"
    );
    ensure!(
        act["body"]["erknm"].as_str().is_some_and(|n| n.len() >= 10)
            && act["body"]["violations"][0]["remedied"] == false
            && act["body"]["violations"][0]["unit"].is_string(),
        "the act lacks its ЕРКНМ number, a violation's unit or remedy answer: {act_text}"
    );
    let order = field["documents"]
        .as_array()
        .and_then(|d| d.iter().find(|d| d["kind"] == "order"))
        .context("the order on the server")?;
    ensure!(
        order["body"]["act"] == act["record"]
            && order["body"]["remedies"][0]["measure"] == ORDER_MEASURE,
        "the order does not name the act or its measure: {}",
        order["body"]
    );

    // The photo's bytes arrived too (uploaded by tus after the record): poll, then hash them.
    until("the photo's bytes on the server", SYNC, || async {
        let r = http
            .get(format!("{url}/api/v1/blobs/{}", done.photo_sha))
            .bearer_auth(&token)
            .send()
            .await?;
        if !r.status().is_success() {
            return Err(anyhow!("GET blob: {}", r.status()));
        }
        let bytes = r.bytes().await?;
        let sha = hex(&sha2::Sha256::digest(&bytes));
        ensure!(sha == done.photo_sha, "the blob's bytes hash to {sha}");
        Ok(Some(()))
    })
    .await?;

    let devices = get("/api/v1/devices".into()).await?;
    let device = devices
        .as_array()
        .and_then(|d| d.iter().find(|d| d["name"] == done.device_name.as_str()))
        .with_context(|| format!("device {} not in {devices}", done.device_name))?;
    ensure!(
        device["records"].as_u64() == Some(done.records as u64),
        "the server has {} records of the device, the app lists {}",
        device["records"],
        done.records
    );
    eprintln!(
        "e2e: server has {} findings, photo {}, the act and {} device records",
        current.len(),
        done.photo_sha,
        done.records
    );
    Ok(())
}

pub(crate) async fn get_json(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    path: String,
) -> anyhow::Result<Value> {
    let r = http
        .get(format!("{url}{path}"))
        .bearer_auth(token)
        .send()
        .await?;
    let status = r.status();
    let body = r.text().await?;
    ensure!(status.is_success(), "GET {path}: {status} {body}");
    Ok(serde_json::from_str(&body)?)
}
