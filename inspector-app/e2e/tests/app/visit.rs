//! The preventive visit end to end: a planner's call to the REST API schedules a mandatory
//! preventive visit (kind `preventive_visit`, ground `plan`) of the subject and objects the app
//! has just inspected, assigned to the app's inspector; the app pulls it and labels it a visit,
//! opens the visit screen (mandatory: no refusal button, the rule of ст.52.1 said instead), the
//! inspector writes what was discussed and holds the visit, which shows as done at once; a sync
//! receipts the record, and the server holds it exactly as the app signed it.

use super::*;

pub(crate) const VISIT_SUMMARY: &str = "Разъяснены обязательные требования ППР 1479 (п. 27, п. 60); рассмотрены результаты самообследования; рекомендовано заменить огнетушители (e2e)";

/// Signs in as the admin (who may plan inspections) and returns the session token.
pub(crate) async fn admin_token(http: &reqwest::Client, url: &str) -> anyhow::Result<String> {
    let login: Value = http
        .post(format!("{url}/api/v1/auth/login"))
        .json(&json!({ "login": "admin", "password": PASSWORD }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    Ok(login["token"].as_str().context("login token")?.to_owned())
}

/// Today's UTC date, `YYYY-MM-DD` (the visit's day; the server counts its one working day).
fn today() -> anyhow::Result<String> {
    utc_day(0)
}

/// The UTC date `offset` days from today, `YYYY-MM-DD`.
pub(crate) fn utc_day(offset: i64) -> anyhow::Result<String> {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs();
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let z = i64::try_from(secs / 86_400)? + offset + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    Ok(format!("{y:04}-{m:02}-{d:02}"))
}

/// A measure like `inspection` (its control type, subject and objects) for the inspector
/// `login`: `fields` (kind, ground, dates, ...) added, sent to `POST /api/v1/inspections`; what
/// the server made. A refusal is the server's words, in full.
pub(crate) async fn schedule_like(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    inspection: &str,
    login: &str,
    fields: Value,
) -> anyhow::Result<Value> {
    let insp = get_json(
        http,
        url,
        token,
        format!("/api/v1/inspections/{inspection}"),
    )
    .await?;
    let users = get_json(http, url, token, "/api/v1/users".into()).await?;
    let inspector = users
        .as_array()
        .and_then(|us| us.iter().find(|u| u["login"] == login))
        .and_then(|u| u["id"].as_str())
        .with_context(|| format!("no user {login} in {users}"))?;
    let mut new = json!({
        "control_type": insp["control_type"],
        "subject_inn": insp["subject_inn"],
        "objects": insp["objects"],
        "inspectors": [inspector],
        "status": "scheduled",
    });
    if let (Some(n), Value::Object(f)) = (new.as_object_mut(), fields) {
        n.extend(f);
    }
    let r = http
        .post(format!("{url}/api/v1/inspections"))
        .bearer_auth(token)
        .json(&new)
        .send()
        .await?;
    let status = r.status();
    let body = r.text().await?;
    ensure!(
        status == reqwest::StatusCode::CREATED,
        "the server refused to schedule: {status} {body} (request {new})"
    );
    let made: Value = serde_json::from_str(&body)?;
    ensure!(made["status"] == "scheduled", "the server made {made}");
    Ok(made)
}

/// Schedules a mandatory preventive visit like `inspection` for the inspector `login`, today;
/// returns its id.
async fn plan_visit(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    inspection: &str,
    login: &str,
) -> anyhow::Result<String> {
    let day = today()?;
    let fields = json!({
        "kind": "preventive_visit", "ground": "plan", "starts_on": day, "ends_on": day,
        "note": "Обязательный профилактический визит по плану (e2e)",
    });
    let made = schedule_like(http, url, token, inspection, login, fields).await?;
    ensure!(made["kind"] == "preventive_visit", "the server made {made}");
    Ok(made["id"].as_str().context("the visit's id")?.to_owned())
}

/// The whole scenario; returns the visit's id (the English walk opens it again).
pub(crate) async fn preventive_visit(
    ui: &Ui,
    http: &reqwest::Client,
    banner: &knd_inspector_e2e::DemoBanner,
    inspection: &str,
) -> anyhow::Result<String> {
    let url = banner.url.as_str();
    let token = admin_token(http, url).await?;
    let visit = plan_visit(http, url, &token, inspection, &banner.enrollment_login).await?;
    eprintln!("e2e: scheduled preventive visit {visit}");

    // Pulled by the next sync, labelled as a visit in the list.
    ui.click("nav-sync").await?;
    ui.click("sync-now").await?;
    ui.click("nav-assignments").await?;
    let card = format!("assignment-{visit}");
    until("the visit in the list", SYNC, || async {
        if ui.try_find(&card).await?.is_some() {
            return Ok(Some(()));
        }
        // Not pulled yet: sync again (the list reads the store once per visit of the screen).
        ui.click("nav-sync").await?;
        ui.click("sync-now").await?;
        ui.click("nav-assignments").await?;
        Ok(None)
    })
    .await?;
    ui.wait_attr(&card, "data-visit", "true").await?;
    ui.find(&format!("visit-tag-{visit}")).await?;
    ui.scroll_to(&card).await?;
    ui.screenshot("09a-visit-in-list.png").await?;

    // The visit screen: mandatory, so no refusal, and the rule says why.
    ui.click(&card).await?;
    ui.wait_attr("visit", "data-stage", "open").await?;
    ui.wait_attr("visit-mandatory", "data-mandatory", "true")
        .await?;
    ensure!(
        ui.try_find("visit-refuse").await?.is_none(),
        "a mandatory visit offers the subject's refusal"
    );
    let rule = ui.text("visit-rule").await?;
    ensure!(
        rule.contains("ст.52.1"),
        "the screen does not say why a mandatory visit cannot be refused: {rule}"
    );
    let subject = ui.text("visit-subject").await?;
    ensure!(
        subject.chars().filter(char::is_ascii_digit).count() >= 10,
        "the visit screen shows no INN: {subject}"
    );
    ensure!(
        !ui.text("visit-objects").await?.trim().is_empty(),
        "the visit screen shows no object"
    );
    // A visit without a summary is not signed.
    ui.click("visit-hold").await?;
    ui.find("error").await?;
    ensure!(
        ui.try_find("visit-done").await?.is_none(),
        "a visit was recorded without a summary"
    );
    ui.type_into("visit-summary", VISIT_SUMMARY).await?;
    ui.screenshot("09b-visit.png").await?;
    ui.click("visit-hold").await?;

    // Done at once: the record is signed on the device, whether or not a sync has run yet.
    ui.wait_attr("visit-done", "data-outcome", "held").await?;
    let record = ui
        .attr("visit-done", "data-record")
        .await?
        .context("the visit's record id")?;
    let shown = ui.text("visit-done-summary").await?;
    ensure!(
        shown.contains("самообследования"),
        "the done visit does not show its summary: {shown}"
    );
    ui.screenshot("09c-visit-held.png").await?;

    let records = sync_until_receipted(ui).await?;
    ui.screenshot("09d-visit-synced.png").await?;
    check_visit_on_server(http, url, &token, &visit, &record, records).await?;

    // Receipted on the visit screen, and done in the list.
    ui.click("nav-assignments").await?;
    ui.find(&card).await?;
    let badge = ui.text(&card).await?;
    ensure!(
        badge.contains("Визит проведён"),
        "the list does not show the visit as held: {badge}"
    );
    ui.click(&card).await?;
    ui.wait_attr("visit-done", "data-state", "receipted")
        .await?;
    ui.screenshot("09e-visit-receipted.png").await?;
    Ok(visit)
}

/// The server accepted the record as the app signed it, in the device's chain.
async fn check_visit_on_server(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    visit: &str,
    record: &str,
    records: usize,
) -> anyhow::Result<()> {
    let stored = get_json(http, url, token, format!("/api/v1/records/{record}")).await?;
    std::fs::write(
        target_dir_artifacts()?.join("server-visit-record.json"),
        serde_json::to_vec_pretty(&stored)?,
    )?;
    ensure!(
        stored["kind"] == "preventive_visit",
        "the server's record is a {}",
        stored["kind"]
    );
    let body = &stored["body"];
    ensure!(
        body["inspection"] == visit
            && body["summary"] == VISIT_SUMMARY
            && body["mandatory"] == true
            && body.get("refused").is_none()
            && body["subject"].as_str().is_some_and(|s| s.len() >= 10),
        "the visit's record on the server: {body}"
    );
    let devices = get_json(http, url, token, "/api/v1/devices".into()).await?;
    let device = stored["device"].as_str().context("the record's device")?;
    let counted = devices
        .as_array()
        .and_then(|d| d.iter().find(|d| d["id"] == device))
        .and_then(|d| d["records"].as_u64())
        .with_context(|| format!("device {device} not in {devices}"))?;
    ensure!(
        counted == records as u64,
        "the server has {counted} records of the device, the app lists {records}"
    );
    eprintln!("e2e: the server holds the visit's record {record} ({records} device records)");
    Ok(())
}
