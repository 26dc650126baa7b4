//! A warning issued on the tablet during an observation (no interaction, ст.49 and ст.74), the
//! demo business's objection to it through its API key, and the agency's decision: each shows
//! beside the warning after the tablet's next sync.

use super::visit::{admin_token, schedule_like, utc_day};
use super::*;

const WARNING_TEXT: &str =
    "Загромождение эвакуационного выхода может привести к нарушению обязательных требований (e2e)";

/// Schedules an observation of the demo business for the inspector `login`, like an inspection
/// of the business (its control type and objects); its id.
async fn observation(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    key: &str,
    login: &str,
) -> anyhow::Result<String> {
    let docs = get_json(http, url, key, "/api/v1/business/documents".into()).await?;
    let inspection = docs
        .as_array()
        .and_then(|d| d.iter().find_map(|d| d["inspection"].as_str()))
        .with_context(|| format!("the demo business has no document of an inspection: {docs}"))?;
    let fields = json!({
        "kind": "observation", "ground": "instruction", "erknm": "76202600000000000009",
        "starts_on": utc_day(0)?, "ends_on": utc_day(7)?,
        "note": "Наблюдение за соблюдением обязательных требований (e2e)",
    });
    let made = schedule_like(http, url, token, inspection, login, fields).await?;
    Ok(made["id"]
        .as_str()
        .context("the observation's id")?
        .to_owned())
}

/// Syncs until `testid` is on the sync screen with `data-status` = `want`.
async fn synced_until(ui: &Ui, testid: &str, want: &str) -> anyhow::Result<()> {
    until(&format!("{testid} {want}"), SYNC, || async {
        ui.click("nav-sync").await?;
        ui.click("sync-now").await?;
        ui.find("sync-now").await?;
        Ok(match ui.attr(testid, "data-status").await {
            Ok(Some(s)) if s == want => Some(()),
            _ => None,
        })
    })
    .await
}

pub(crate) async fn warning_objection(
    ui: &Ui,
    http: &reqwest::Client,
    banner: &knd_inspector_e2e::DemoBanner,
) -> anyhow::Result<()> {
    let url = banner.url.as_str();
    let (_, key) = banner
        .business
        .as_ref()
        .context("the demo banner names no business")?;
    let token = admin_token(http, url).await?;
    let id = observation(http, url, &token, key, &banner.enrollment_login).await?;

    // Pulled, then the warning (a requirement typed in full).
    let card = format!("assignment-{id}");
    until("the observation in the list", SYNC, || async {
        ui.click("nav-sync").await?;
        ui.click("sync-now").await?;
        ui.click("nav-assignments").await?;
        Ok(ui.try_find(&card).await?.map(|_| ()))
    })
    .await?;
    ui.click(&card).await?;
    ui.click("open-warning").await?;
    ui.click("warning-req-add").await?;
    ui.type_into(
        "warning-typed-0-requirement",
        "Эвакуационные выходы не загромождены",
    )
    .await?;
    ui.type_into(
        "warning-typed-0-act",
        "Постановление Правительства РФ от 16.09.2020 № 1479",
    )
    .await?;
    ui.type_into("warning-typed-0-unit", "п. 27").await?;
    ui.type_into("warning-text", WARNING_TEXT).await?;
    ui.type_into("measure-what-0", "Освободить эвакуационный выход")
        .await?;
    ui.screenshot("09f-warning.png").await?;
    ui.click("warning-submit").await?;
    ui.find("inspection").await?;
    sync_until_receipted(ui).await?;

    // The business finds the warning among its documents and objects to it.
    let warning = until(
        "the warning among the business's documents",
        SYNC,
        || async {
            let docs = get_json(http, url, key, "/api/v1/business/documents".into()).await?;
            Ok(docs.as_array().and_then(|d| {
                d.iter()
                    .find(|d| d["kind"] == "warning" && d["inspection"] == id.as_str())
                    .and_then(|d| d["record"].as_str().map(str::to_owned))
            }))
        },
    )
    .await?;
    let r = http
        .post(format!("{url}/api/v1/business/objections"))
        .bearer_auth(key)
        .json(&json!({"warning": warning, "position": "Выход свободен (e2e)"}))
        .send()
        .await?;
    let (status, body) = (r.status(), r.text().await?);
    ensure!(
        status == reqwest::StatusCode::CREATED,
        "the objection was refused: {status} {body}"
    );
    let objection: Value = serde_json::from_str(&body)?;
    let testid = format!("objection-{warning}");
    synced_until(ui, &testid, "filed").await?;
    ui.scroll_to(&testid).await?;
    ui.screenshot("09g-warning-objection.png").await?;

    // The agency rejects it with reasons: the tablet shows the decision.
    let r = http
        .post(format!(
            "{url}/api/v1/objections/{}/decision",
            objection["id"].as_str().context("the objection's id")?
        ))
        .bearer_auth(&token)
        .json(&json!({"withdraw_warning": false, "reasons": "Выход загромождён, см. фото (e2e)"}))
        .send()
        .await?;
    ensure!(
        r.status().is_success(),
        "the decision was refused: {}",
        r.text().await?
    );
    synced_until(ui, &testid, "rejected").await?;
    let shown = ui.text(&testid).await?;
    ensure!(
        shown.contains("отклонено") && shown.contains("см. фото (e2e)"),
        "the tablet does not show the decision and its reasons: {shown}"
    );
    ui.scroll_to(&testid).await?;
    ui.screenshot("09h-warning-objection-decided.png").await
}
