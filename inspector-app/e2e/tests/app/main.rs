//! The inspector app end to end: the real `knd-inspector` binary (Tauri 2, WebKitGTK) driven over
//! WebDriver (fantoccini → tauri-driver → WebKitWebDriver) against a real `knd-server demo`.
//!
//! Enroll → assignments → lock and unlock with the keypad → findings with a note and a photo →
//! sign the act → sync until every record is receipted → check on the server, as the admin, that
//! the findings, the photo (its bytes too) and the act arrived and the device's chain is as long as
//! the list the app shows → a preventive visit planned over the API, pulled, held and synced
//! (`visit.rs`) → every screen in English.
//!
//! Run by `scripts/e2e.sh` (which builds everything and runs this under Xvfb). Inputs from the
//! environment, all optional:
//! - `KND_E2E_APP`, `KND_E2E_SERVER`, `KND_E2E_TAURI_DRIVER`, `KND_E2E_NATIVE_DRIVER`: binaries
//!   (default `target/debug/knd-inspector`, `target/debug/knd-server`,
//!   `target/tools/bin/tauri-driver`, `/usr/bin/WebKitWebDriver`);
//! - `KND_TESTDATA`: the shared test data (default `../shared/testdata` next to the workspace);
//! - `KND_E2E_ARTIFACTS`: where screenshots and logs go (default `target/e2e-artifacts`).

use std::future::Future;
use std::io::{BufRead as _, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, anyhow, bail, ensure};
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use sha2::Digest as _;

mod procs;
mod server_check;
mod ui;
mod visit;
mod warning;

use procs::*;
use server_check::*;
use ui::*;

pub(crate) const PASSWORD: &str = "e2e-demo-password";
pub(crate) const PIN: &str = "271828";
pub(crate) const PRESENT_NAME: &str = "Петров Пётр Петрович";
pub(crate) const PRESENT_ROLE: &str = "директор";
pub(crate) const VIOLATION_NOTE: &str = "Огнетушитель просрочен (e2e)";
pub(crate) const ORDER_MEASURE: &str = "Заменить огнетушитель ОП-4 (e2e)";
pub(crate) const PHOTO: &str = "DSCN0010.jpg";
pub(crate) const NOT_CHECKED_REASON: &str = "Помещение закрыто, ключ не предоставлен (e2e)";

/// Bounds of the waits (no fixed sleeps anywhere: every wait polls a condition up to its bound).
pub(crate) const SERVER_START: Duration = Duration::from_secs(180);
pub(crate) const DRIVER_START: Duration = Duration::from_secs(60);
pub(crate) const UI: Duration = Duration::from_secs(30);
pub(crate) const SYNC: Duration = Duration::from_secs(120);
pub(crate) const POLL: Duration = Duration::from_millis(200);

fn step(n: u32, what: &str) {
    eprintln!("\ne2e: == step {n}: {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inspector_app_end_to_end() -> anyhow::Result<()> {
    let root = workspace_root();
    let target = target_dir();
    let app = existing(
        "KND_E2E_APP",
        target.join("debug/knd-inspector"),
        "cargo build -p knd-inspector",
    )?;
    let server_bin = existing(
        "KND_E2E_SERVER",
        target.join("debug/knd-server"),
        "cargo build -p knd-server",
    )?;
    let driver_bin = existing(
        "KND_E2E_TAURI_DRIVER",
        target.join("tools/bin/tauri-driver"),
        "cargo install tauri-driver --locked --version ^2 --root target/tools",
    )?;
    let native_driver = existing(
        "KND_E2E_NATIVE_DRIVER",
        PathBuf::from("/usr/bin/WebKitWebDriver"),
        "apt-get install webkit2gtk-driver",
    )?;
    let testdata = path_from_env("KND_TESTDATA", root.join("../shared/testdata"))?;
    let photo = testdata.join("photos").join(PHOTO);
    ensure!(
        photo.is_file(),
        "test photo {} not found (set KND_TESTDATA)",
        photo.display()
    );
    let artifacts = path_from_env("KND_E2E_ARTIFACTS", target.join("e2e-artifacts"))?;
    // Screenshots of an earlier run must not pass for this one's.
    if artifacts.exists() {
        std::fs::remove_dir_all(&artifacts)?;
    }
    std::fs::create_dir_all(&artifacts)?;
    let tmp = tempfile::Builder::new().prefix("knd-e2e-").tempdir()?;
    let server_data = tmp.path().join("server");
    let profile = tmp.path().join("profile");
    std::fs::create_dir_all(&profile)?;
    eprintln!("e2e: app {}, profile {}", app.display(), profile.display());

    step(1, "demo server");
    let (_server, banner) = start_server(&server_bin, &server_data, &artifacts)?;
    eprintln!(
        "e2e: server {} code {} for {}",
        banner.url, banner.enrollment_code, banner.enrollment_login
    );
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()?;

    // tauri-driver (and WebKitWebDriver under it) on free ports; the app inherits its environment.
    let port = free_port()?;
    let native_port = free_port()?;
    let driver_log = std::fs::File::create(artifacts.join("tauri-driver.log"))?;
    let mut driver = Proc::spawn(
        "tauri-driver",
        Command::new(&driver_bin)
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .arg("--native-driver")
            .arg(&native_driver)
            .env("KND_INSPECTOR_DATA", &profile)
            // The webview's own storage (localStorage: UI language, drafts) goes to the XDG
            // folders, not the profile: keep it in this run's temp dir too.
            .env("XDG_DATA_HOME", tmp.path().join("xdg-data"))
            .env("XDG_CACHE_HOME", tmp.path().join("xdg-cache"))
            .env("XDG_CONFIG_HOME", tmp.path().join("xdg-config"))
            .env("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
            .stdin(Stdio::null())
            .stdout(driver_log.try_clone()?)
            .stderr(driver_log),
    )?;
    let driver_url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + DRIVER_START;
    loop {
        driver.check_alive()?;
        match http.get(format!("{driver_url}/status")).send().await {
            Ok(r) if r.status().is_success() => break,
            Ok(r) => eprintln!("e2e: tauri-driver /status: {}", r.status()),
            Err(_) => {}
        }
        ensure!(
            Instant::now() < deadline,
            "tauri-driver did not answer within {DRIVER_START:?} (see tauri-driver.log)"
        );
        tokio::time::sleep(POLL).await;
    }

    let mut caps = serde_json::Map::new();
    caps.insert("tauri:options".into(), json!({ "application": app }));
    let c = tokio::time::timeout(
        DRIVER_START,
        ClientBuilder::rustls()?
            .capabilities(caps)
            .connect(&driver_url),
    )
    .await
    .context("timed out starting the WebDriver session")?
    .context("WebDriver session")?;
    let ui = Ui {
        c,
        artifacts: artifacts.clone(),
    };
    let result = run(&ui, &http, &banner, &photo).await;
    if result.is_err() {
        let _ = ui.screenshot("99-failure.png").await;
        if let Ok(Value::String(html)) = ui.js("return document.body.outerHTML;").await {
            let _ = std::fs::write(artifacts.join("99-failure.html"), html);
        }
    }
    // Ends the session, which closes the app.
    let _ = tokio::time::timeout(UI, ui.c.close()).await;
    drop(driver);
    result
}

/// What the app showed, to compare with the server.
#[derive(Debug)]
struct Done {
    inspection: String,
    device_name: String,
    photo_sha: String,
    findings: Vec<(String, &'static str)>,
    violation_item: String,
    records: usize,
}

async fn run(
    ui: &Ui,
    http: &reqwest::Client,
    banner: &knd_inspector_e2e::DemoBanner,
    photo: &Path,
) -> anyhow::Result<()> {
    let device_name = format!("e2e-tablet-{}", std::process::id());

    step(2, "enroll");
    ui.find("enroll-server").await?;
    ui.type_into("enroll-server", &banner.url).await?;
    ui.type_into("enroll-code", &banner.enrollment_code).await?;
    ui.type_into("enroll-name", &device_name).await?;
    ui.type_into("enroll-pin", PIN).await?;
    ui.type_into("enroll-pin2", PIN).await?;
    ui.screenshot("01-enroll.png").await?;
    ui.click("enroll-submit").await?;
    ui.find("assignments").await?;
    // The app syncs by itself after enrolling; if the list is still empty, ask for a sync.
    let card = match until(
        "assignments after the automatic sync",
        Duration::from_secs(20),
        || first_card(ui),
    )
    .await
    {
        Ok(c) => c,
        Err(e) => {
            eprintln!("e2e: {e:#}; syncing by hand");
            ui.click("nav-sync").await?;
            ui.click("sync-now").await?;
            ui.click("nav-assignments").await?;
            until("assignments after sync now", SYNC, || first_card(ui)).await?
        }
    };
    let inspection = card
        .strip_prefix("assignment-")
        .context("assignment id")?
        .to_owned();
    eprintln!("e2e: opening inspection {inspection}");
    ui.screenshot("02-assignments.png").await?;

    step(3, "lock, unlock with the keypad");
    ui.click("lock").await?;
    ui.find("unlock-pin").await?;
    ensure!(
        ui.try_find("assignments").await?.is_none(),
        "the list is still shown when locked"
    );
    for d in PIN.chars() {
        ui.click(&format!("keypad-{d}")).await?;
    }
    let pin_input = ui.find("unlock-pin").await?;
    let typed = bounded("the PIN field's value", pin_input.prop("value")).await?;
    ensure!(typed.as_deref() == Some(PIN), "the keypad typed {typed:?}");
    ui.screenshot("03-unlock.png").await?;
    ui.click("unlock-submit").await?;
    ui.find(&card).await?;

    step(4, "findings, a note and a photo");
    ui.click(&card).await?;
    ui.wait_attr("inspection", "data-started", "false").await?;
    let codes = ui
        .js(r#"return [...document.querySelectorAll('article.item[data-testid^="item-"]')].map(e => e.dataset.testid.slice(5));"#)
        .await?;
    let codes: Vec<String> = serde_json::from_value(codes)?;
    ensure!(
        codes.len() >= 3,
        "the checklist has {} items, the test needs 3",
        codes.len()
    );
    eprintln!("e2e: checklist items {codes:?}");
    let violation_item = codes[1].clone();
    // The violation: note and photo first (a draft), then the result, which signs the finding
    // with both.
    ui.type_into(&format!("item-{violation_item}-note"), VIOLATION_NOTE)
        .await?;
    // A damaged photo (a real JPEG with its scan overwritten) is not attached without a word:
    // the app shows why and the inspector drops it.
    let damaged = workspace_root().join("inspector-app/testdata/damaged-scan.jpg");
    let input = ui.find(&format!("item-{violation_item}-photo")).await?;
    bounded(
        "send the damaged photo to the file input",
        input.send_keys(damaged.to_str().context("damaged photo path")?),
    )
    .await?;
    ui.find("photo-warning-damaged").await?;
    ui.scroll_to("photo-check").await?;
    ui.screenshot("04a-photo-damaged.png").await?;
    ui.click("photo-drop").await?;
    let attached = ui
        .js(r#"return document.querySelectorAll('figure[data-testid^="photo-"]').length;"#)
        .await?;
    ensure!(
        attached == json!(0),
        "a dropped photo was attached: {attached}"
    );

    // A photo taken in 2008 in Italy: outside the inspection's dates (and far from the object
    // when the object has coordinates). The inspector keeps it; the marks stay on it.
    let input = ui.find(&format!("item-{violation_item}-photo")).await?;
    eprintln!("e2e: send {} to the file input", photo.display());
    let path = photo.to_str().context("photo path")?;
    bounded(
        "send the photo path to the file input",
        input.send_keys(path),
    )
    .await?;
    ui.find("photo-warning-taken_outside_dates").await?;
    ui.scroll_to("photo-check").await?;
    ui.screenshot("04b-photo-far-and-old.png").await?;
    ui.click("photo-keep").await?;
    let figure_css =
        format!("[data-testid=\"item-{violation_item}\"] figure[data-testid^=\"photo-\"]");
    let photo_sha = until("the photo thumbnail", UI, || async {
        let figs = ui.c.find_all(Locator::Css(&figure_css)).await?;
        let Some(f) = figs.first() else { return Ok(None) };
        let img = f.find(Locator::Css("img")).await?;
        let loaded = ui
            .c
            .execute(
                "const i = arguments[0]; return i.complete && i.naturalWidth > 0 && i.src.startsWith('data:image/');",
                vec![serde_json::to_value(&img)?],
            )
            .await?;
        if loaded != Value::Bool(true) {
            return Ok(None);
        }
        Ok(f.attr("data-testid").await?.and_then(|t| t.strip_prefix("photo-").map(str::to_owned)))
    })
    .await?;
    ensure!(photo_sha.len() == 64, "photo sha {photo_sha}");
    if let Some(err) = ui.try_find("error").await? {
        bail!(
            "error shown after adding the photo: {}",
            bounded("error text", err.text()).await?
        );
    }

    ensure!(
        ui.try_find("photo-mark-taken_outside_dates")
            .await?
            .is_some(),
        "the kept photo shows no mark"
    );
    // Full size, with its time, place and their sources.
    ui.click(&format!("photo-open-{photo_sha}")).await?;
    until("the full-size photo", UI, || async {
        let ok = ui
            .js(r#"const i = document.querySelector('[data-testid="viewer-img"]'); return !!i && i.complete && i.naturalWidth > 0;"#)
            .await?;
        Ok((ok == Value::Bool(true)).then_some(()))
    })
    .await?;
    let taken = ui.text("viewer-taken").await?;
    ensure!(
        taken.contains("2008"),
        "the viewer shows no EXIF time: {taken}"
    );
    ui.click("viewer-zoom-in").await?;
    ui.screenshot("04c-photo-viewer.png").await?;
    ui.click("viewer-close").await?;

    // The checklist answered partly: the last item is left for the act to account for.
    let unanswered = codes.last().context("no items")?.clone();
    let mut findings: Vec<(String, &'static str)> = Vec::new();
    for (i, code) in codes[..codes.len() - 1].iter().enumerate() {
        let result = match i {
            1 => "violation",
            2 => "not_applicable",
            _ => "compliant",
        };
        ui.click(&format!("item-{code}-{result}")).await?;
        ui.wait_attr(&format!("item-{code}"), "data-result", result)
            .await?;
        findings.push((code.clone(), result));
    }
    ui.wait_attr("inspection", "data-started", "true").await?;
    // The photo now belongs to the signed finding (shown from the finding, not the draft).
    ui.find(&format!("photo-{photo_sha}")).await?;
    let history = ui.text(&format!("item-{violation_item}-history")).await?;
    ensure!(
        history.contains(VIOLATION_NOTE),
        "the history has no note: {history}"
    );
    ui.scroll_to(&format!("item-{violation_item}")).await?;
    ui.screenshot("04-inspection.png").await?;

    step(5, "the act");
    ui.click("open-act").await?;
    ui.type_into("present-name-0", PRESENT_NAME).await?;
    ui.type_into("present-role-0", PRESENT_ROLE).await?;
    ui.click("ack-acknowledged").await?;
    // ст.87: the act names the ЕРКНМ number and says, per violation, whether it was remedied
    // during the inspection (here not, so the order follows).
    let erknm = ui.text("act-erknm").await?;
    ensure!(
        erknm.chars().filter(char::is_ascii_digit).count() >= 10,
        "the act shows no ЕРКНМ number: {erknm}"
    );
    ui.click("violation-0-remedied-no").await?;
    ensure!(
        ui.try_find("act-unanswered").await?.is_some(),
        "the act does not say an item is unanswered"
    );
    // Refused while an item is neither answered nor marked not checked with a reason.
    ui.click("act-review").await?;
    ui.find("error").await?;
    ensure!(
        ui.try_find("act-review-screen").await?.is_none(),
        "the act went to signing with an item unanswered"
    );
    ui.screenshot("05a-act-refused.png").await?;
    ui.type_into(&format!("not-checked-{unanswered}"), NOT_CHECKED_REASON)
        .await?;
    ui.click("act-review").await?;
    let review = ui.text("act-review-screen").await?;
    ensure!(
        review.contains(PRESENT_NAME),
        "the review does not name who was present"
    );
    ensure!(
        review.contains(VIOLATION_NOTE),
        "the review does not show the violation's note"
    );
    ui.type_into("act-pin", PIN).await?;
    ui.screenshot("05-act-review.png").await?;
    ui.click("act-sign").await?;
    // The whole signed act, to show the person present.
    let doc = ui.text("act-signed").await?;
    for (what, want) in [
        ("who was present", PRESENT_NAME),
        ("the violation's note", VIOLATION_NOTE),
        ("why the item was not checked", NOT_CHECKED_REASON),
    ] {
        ensure!(
            doc.contains(want),
            "the act document does not show {what}: {doc}"
        );
    }
    // Signed on the device; the receipt shows once a sync has brought it (the automatic sync
    // may already have).
    ui.find("doc-signature").await?;
    ensure!(
        ui.try_find("doc-no-receipt").await?.is_some()
            || ui.try_find("doc-receipt").await?.is_some(),
        "the act document says nothing of its receipt"
    );
    ui.screenshot("06-act-signed.png").await?;
    ui.click("doc-bigger").await?;
    ui.scroll_to("doc-signature").await?;
    ui.screenshot("06a-act-document-larger.png").await?;

    step(6, "the order that follows the act (п.1 ч.2 ст.90)");
    ui.click("act-offer-order").await?;
    ui.type_into("remedy-0-measure", ORDER_MEASURE).await?;
    let issued = ui.text("order-date").await?;
    // Typed as the inspector would, in the screen's language (ДД.ММ.ГГГГ).
    let deadline = order_deadline(&issued)?;
    ui.type_into("remedy-0-deadline", &deadline).await?;
    ui.type_into("order-pin", PIN).await?;
    ui.screenshot("07-order.png").await?;
    ui.click("order-sign").await?;
    ui.find("order-signed").await?;
    ui.screenshot("08-order-signed.png").await?;

    step(7, "sync until every record is receipted");
    let records = sync_until_receipted(ui).await?;
    ui.screenshot("09-sync.png").await?;

    step(8, "the server has it all");
    let done = Done {
        inspection,
        device_name,
        photo_sha,
        findings,
        violation_item,
        records,
    };
    check_server(http, &banner.url, &done).await?;

    step(
        9,
        "a planned preventive visit: pulled, held, synced, on the server",
    );
    let visit = visit::preventive_visit(ui, http, banner, &done.inspection).await?;

    step(
        10,
        "a warning, the business's objection and the agency's decision on the tablet",
    );
    warning::warning_objection(ui, http, banner).await?;

    step(11, "the act's receipt, then every screen in English");
    ui.click("nav-assignments").await?;
    ui.click(&format!("assignment-{}", done.inspection)).await?;
    ui.click("open-act").await?;
    let receipt = ui.text("doc-receipt").await?;
    ensure!(
        receipt.chars().any(|c| c.is_ascii_digit()),
        "the receipt names no log entry: {receipt}"
    );
    ui.screenshot("10-act-receipted.png").await?;
    ui.click("lang-switch").await?;
    ui.find("act-signed").await?;
    russian_left(ui, "the act document").await?;
    ui.screenshot("11-en-act-document.png").await?;
    ui.click("nav-assignments").await?;
    let card = format!("assignment-{}", done.inspection);
    ui.find(&card).await?;
    russian_left(ui, "the assignments").await?;
    ui.screenshot("12-en-assignments.png").await?;
    ui.click(&card).await?;
    ui.find(&format!("item-{}", done.violation_item)).await?;
    russian_left(ui, "the inspection").await?;
    ui.screenshot("13-en-inspection.png").await?;
    ui.click(&format!("photo-open-{}", done.photo_sha)).await?;
    ui.find("viewer-img").await?;
    russian_left(ui, "the photo viewer").await?;
    ui.screenshot("14-en-photo-viewer.png").await?;
    ui.click("viewer-close").await?;
    ui.click("nav-assignments").await?;
    ui.click(&format!("assignment-{visit}")).await?;
    ui.wait_attr("visit-done", "data-outcome", "held").await?;
    russian_left(ui, "the preventive visit").await?;
    ui.screenshot("14a-en-visit.png").await?;
    ui.click("nav-sync").await?;
    ui.find("sync-now").await?;
    russian_left(ui, "the sync screen").await?;
    ui.screenshot("15-en-sync.png").await
}

/// Fails when an English screen shows Russian that is not the agency's or the inspector's own
/// words (marked `lang="ru"`): a string the translations miss.
async fn russian_left(ui: &Ui, screen: &str) -> anyhow::Result<()> {
    const CHECK: &str = include_str!("../../../ui/scripts/russian-left.js");
    let left = ui.js(&format!("return (\n{CHECK}\n);")).await?;
    let left: Vec<String> = serde_json::from_value(left)?;
    ensure!(
        left.is_empty(),
        "Russian left on {screen} in English: {left:?}"
    );
    Ok(())
}

/// A deadline a year after the order's date (shown as `DD.MM.YYYY` or `YYYY-MM-DD`), day 28 at
/// most so that it always exists: later than the order's date, as п.1 ч.2 ст.90 requires.
/// Written `DD.MM.YYYY`, as a Russian screen takes dates.
fn order_deadline(shown: &str) -> anyhow::Result<String> {
    let parts: Vec<&str> = shown
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .collect();
    let (y, m, d) = match parts.as_slice() {
        [.., y, m, d] if y.len() == 4 => (y.parse::<i32>()?, m.parse::<u8>()?, d.parse::<u8>()?),
        [.., d, m, y] if y.len() == 4 => (y.parse::<i32>()?, m.parse::<u8>()?, d.parse::<u8>()?),
        _ => bail!("the order's date is not shown: {shown:?}"),
    };
    ensure!(
        (1..=12).contains(&m) && (1..=31).contains(&d),
        "not a date: {shown:?}"
    );
    Ok(format!("{:02}.{m:02}.{:04}", d.min(28), y + 1))
}

async fn first_card(ui: &Ui) -> anyhow::Result<Option<String>> {
    let css = "[data-testid=\"assignments\"] [data-testid^=\"assignment-\"]";
    match ui.c.find_all(Locator::Css(css)).await?.first() {
        Some(e) => Ok(e.attr("data-testid").await?),
        None => Ok(None),
    }
}

fn target_dir_artifacts() -> anyhow::Result<PathBuf> {
    path_from_env("KND_E2E_ARTIFACTS", target_dir().join("e2e-artifacts"))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
