//! The inspector app end to end: the real `knd-inspector` binary (Tauri 2, WebKitGTK) driven over
//! WebDriver (fantoccini → tauri-driver → WebKitWebDriver) against a real `knd-server demo`.
//!
//! Enroll → assignments → lock and unlock with the keypad → findings with a note and a photo →
//! sign the act → sync until every record is receipted → check on the server, as the admin, that
//! the findings, the photo (its bytes too) and the act arrived and the device's chain is as long as
//! the list the app shows.
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

const PASSWORD: &str = "e2e-demo-password";
const PIN: &str = "271828";
const PRESENT_NAME: &str = "Петров Пётр Петрович";
const PRESENT_ROLE: &str = "директор";
const VIOLATION_NOTE: &str = "Огнетушитель просрочен (e2e)";
const PHOTO: &str = "DSCN0010.jpg";

/// Bounds of the waits (no fixed sleeps anywhere: every wait polls a condition up to its bound).
const SERVER_START: Duration = Duration::from_secs(180);
const DRIVER_START: Duration = Duration::from_secs(60);
const UI: Duration = Duration::from_secs(30);
const SYNC: Duration = Duration::from_secs(120);
const POLL: Duration = Duration::from_millis(200);

fn workspace_root() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    std::fs::canonicalize(&root).unwrap_or(root)
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|p| {
            if p.is_absolute() {
                p
            } else {
                workspace_root().join(p)
            }
        })
        .unwrap_or_else(|| workspace_root().join("target"))
}

fn path_from_env(var: &str, default: PathBuf) -> anyhow::Result<PathBuf> {
    let p = std::env::var_os(var).map(PathBuf::from).unwrap_or(default);
    std::path::absolute(&p).with_context(|| format!("{var}: {}", p.display()))
}

fn existing(var: &str, default: PathBuf, hint: &str) -> anyhow::Result<PathBuf> {
    let p = path_from_env(var, default)?;
    ensure!(
        p.exists(),
        "{} not found ({hint}; or set {var})",
        p.display()
    );
    Ok(p)
}

/// A free port on the loopback interface (the OS picks it; it is released for the child to bind).
fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Polls `f` until it gives `Some`, for at most `bound`; the error names `what` and the last error.
async fn until<T, F, Fut>(what: &str, bound: Duration, mut f: F) -> anyhow::Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = anyhow::Result<Option<T>>>,
{
    let deadline = Instant::now() + bound;
    let mut last = String::from("never true");
    loop {
        // A single WebDriver command can hang too (a dead app): each try is bounded as well.
        let left = deadline.saturating_duration_since(Instant::now()).max(POLL);
        match tokio::time::timeout(left, f()).await {
            Ok(Ok(Some(v))) => return Ok(v),
            Ok(Ok(None)) => {}
            Ok(Err(e)) => last = format!("{e:#}"),
            Err(_) => last = "the last try did not answer".into(),
        }
        if Instant::now() >= deadline {
            bail!("timed out after {bound:?} waiting for {what} (last: {last})");
        }
        tokio::time::sleep(POLL).await;
    }
}

/// `fut`, or an error naming `what` if it takes longer than [`UI`].
async fn bounded<T, E>(what: &str, fut: impl Future<Output = Result<T, E>>) -> anyhow::Result<T>
where
    E: Into<anyhow::Error>,
{
    match tokio::time::timeout(UI, fut).await {
        Ok(r) => r.map_err(Into::into).with_context(|| what.to_owned()),
        Err(_) => bail!("{what}: no answer within {UI:?}"),
    }
}

/// A child process that is ended (SIGTERM to its own process group, then SIGKILL) when dropped,
/// so that a failing test leaves nothing running.
struct Proc {
    name: &'static str,
    child: Child,
}

impl Proc {
    fn spawn(name: &'static str, cmd: &mut Command) -> anyhow::Result<Self> {
        use std::os::unix::process::CommandExt as _;
        let child = cmd
            .process_group(0)
            .spawn()
            .with_context(|| format!("cannot start {name} ({cmd:?})"))?;
        Ok(Self { name, child })
    }

    fn check_alive(&mut self) -> anyhow::Result<()> {
        if let Some(status) = self.child.try_wait()? {
            bail!("{} exited early: {status}", self.name);
        }
        Ok(())
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(Some(_))) {
            return;
        }
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.wait();
    }
}

/// `knd-server demo` on a fresh data directory and a free port; returns once the banner is out.
fn start_server(
    bin: &Path,
    data: &Path,
    artifacts: &Path,
) -> anyhow::Result<(Proc, knd_inspector_e2e::DemoBanner)> {
    let port = free_port()?;
    let log = std::fs::File::create(artifacts.join("server.log"))?;
    let mut proc = Proc::spawn(
        "knd-server",
        Command::new(bin)
            .args(["demo", "--reset", "--password", PASSWORD])
            .env("KND__DATA_DIR", data)
            .env("KND__LISTEN", format!("127.0.0.1:{port}"))
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log),
    )?;
    let stdout = proc.child.stdout.take().context("server stdout")?;
    let banner_log = artifacts.join("server-banner.txt");
    let (tx, rx) = mpsc::channel::<String>();
    // Keeps draining stdout for the server's whole life (a full pipe would block it).
    std::thread::spawn(move || {
        let mut out = std::fs::File::create(banner_log).ok();
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(f) = out.as_mut() {
                use std::io::Write as _;
                let _ = writeln!(f, "{line}");
            }
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + SERVER_START;
    let mut lines = Vec::new();
    loop {
        if let Some(b) = knd_inspector_e2e::parse_banner(lines.iter().map(String::as_str)) {
            return Ok((proc, b));
        }
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left.min(Duration::from_millis(500))) {
            Ok(line) => lines.push(line),
            Err(mpsc::RecvTimeoutError::Timeout) => {
                proc.check_alive()?;
                ensure!(
                    Instant::now() < deadline,
                    "no banner from knd-server within {SERVER_START:?} (see server.log)"
                );
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                bail!(
                    "knd-server closed its output before the banner (see server.log): {}",
                    lines.join("\n")
                )
            }
        }
    }
}

/// The app under test, over a WebDriver session.
struct Ui {
    c: Client,
    artifacts: PathBuf,
}

fn css_id(id: &str) -> String {
    format!("[data-testid=\"{id}\"]")
}

impl Ui {
    async fn find(&self, id: &str) -> anyhow::Result<Element> {
        let css = css_id(id);
        until(&format!("element {css}"), UI, || async {
            match self.c.find(Locator::Css(&css)).await {
                Ok(e) => Ok(Some(e)),
                Err(e) if e.is_no_such_element() => Ok(None),
                Err(e) => Err(e.into()),
            }
        })
        .await
    }

    async fn try_find(&self, id: &str) -> anyhow::Result<Option<Element>> {
        match tokio::time::timeout(UI, self.c.find(Locator::Css(&css_id(id)))).await {
            Err(_) => bail!("find {id}: no answer within {UI:?}"),
            Ok(Ok(e)) => Ok(Some(e)),
            Ok(Err(e)) if e.is_no_such_element() => Ok(None),
            Ok(Err(e)) => Err(e.into()),
        }
    }

    /// Scrolls the element to the middle of the window (away from the sticky header and action
    /// bar), waits until it is enabled and clicks it.
    async fn click(&self, id: &str) -> anyhow::Result<()> {
        let e = self.find(id).await?;
        self.scroll(&e).await?;
        until(&format!("{id} to be enabled"), UI, || async {
            Ok(e.is_enabled().await?.then_some(()))
        })
        .await?;
        eprintln!("e2e: click {id}");
        bounded(&format!("click {id}"), e.click()).await
    }

    async fn type_into(&self, id: &str, text: &str) -> anyhow::Result<()> {
        let e = self.find(id).await?;
        eprintln!("e2e: type into {id}");
        bounded(&format!("clear {id}"), e.clear()).await?;
        bounded(&format!("type into {id}"), e.send_keys(text)).await
    }

    async fn attr(&self, id: &str, name: &str) -> anyhow::Result<Option<String>> {
        let e = self.find(id).await?;
        bounded(&format!("{id} [{name}]"), e.attr(name)).await
    }

    async fn wait_attr(&self, id: &str, name: &str, want: &str) -> anyhow::Result<()> {
        until(&format!("{id} [{name}={want}]"), UI, || async {
            Ok((self.attr(id, name).await?.as_deref() == Some(want)).then_some(()))
        })
        .await
    }

    async fn js(&self, script: &str) -> anyhow::Result<Value> {
        bounded("execute a script", self.c.execute(script, vec![])).await
    }

    async fn js_on(&self, script: &str, e: &Element) -> anyhow::Result<Value> {
        let arg = serde_json::to_value(e)?;
        bounded("execute a script", self.c.execute(script, vec![arg])).await
    }

    async fn scroll(&self, e: &Element) -> anyhow::Result<()> {
        self.js_on("arguments[0].scrollIntoView({block: 'center'});", e)
            .await
            .map(drop)
    }

    async fn scroll_to(&self, id: &str) -> anyhow::Result<()> {
        let e = self.find(id).await?;
        self.scroll(&e).await
    }

    async fn text(&self, id: &str) -> anyhow::Result<String> {
        let e = self.find(id).await?;
        bounded(&format!("text of {id}"), e.text()).await
    }

    /// Saves a PNG of the window into the artifacts folder and checks it is a PNG.
    ///
    /// WebKitWebDriver takes the screenshot after the page's next rendering update, and a page
    /// that has gone idle (the unlock screen, say) never has one: the command hangs and takes the
    /// session with it. So a 1-pixel, nearly transparent dot in a corner flickers while the
    /// screenshot is taken.
    async fn screenshot(&self, name: &str) -> anyhow::Result<()> {
        self.js(
            "if (!window.__kndTick) { const d = document.createElement('div'); \
             d.style.cssText = 'position:fixed;left:0;bottom:0;width:1px;height:1px;\
             pointer-events:none;z-index:2147483647;background:#000;opacity:0.01'; \
             document.body.appendChild(d); let n = 0; \
             window.__kndTick = setInterval(() => { d.style.opacity = (n++ % 2) ? '0.01' : '0.02'; }, 40); \
             window.__kndTickEl = d; } return true;",
        )
        .await?;
        let png = bounded("screenshot", self.c.screenshot()).await;
        self.js(
            "if (window.__kndTick) { clearInterval(window.__kndTick); window.__kndTickEl.remove(); \
             window.__kndTick = null; } return true;",
        )
        .await?;
        let png = png?;
        ensure!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{name}: not a PNG");
        let path = self.artifacts.join(name);
        std::fs::write(&path, &png)?;
        eprintln!("e2e: screenshot {} ({} bytes)", path.display(), png.len());
        Ok(())
    }
}

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
    let input = ui.find(&format!("item-{violation_item}-photo")).await?;
    eprintln!("e2e: send {} to the file input", photo.display());
    let path = photo.to_str().context("photo path")?;
    bounded(
        "send the photo path to the file input",
        input.send_keys(path),
    )
    .await?;
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

    let mut findings: Vec<(String, &'static str)> = Vec::new();
    for (i, code) in codes.iter().enumerate() {
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
    ensure!(
        ui.try_find("act-unanswered").await?.is_none(),
        "the act says items are unanswered"
    );
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
    ui.find("act-signed").await?;
    ui.screenshot("06-act-signed.png").await?;

    step(6, "sync until every record is receipted");
    ui.click("nav-sync").await?;
    ui.click("sync-now").await?;
    let last_click = &std::cell::Cell::new(Instant::now());
    let records = until("pending 0 and every record receipted", SYNC, move || async move {
        let pending = ui.text("sync-pending").await?;
        let states = ui
            .js(r#"return [...document.querySelectorAll('[data-testid^="record-"]')].map(e => e.dataset.state);"#)
            .await?;
        let states: Vec<String> = serde_json::from_value(states)?;
        if pending.trim() == "0" && !states.is_empty() && states.iter().all(|s| s == "receipted") {
            return Ok(Some(states.len()));
        }
        if states.iter().any(|s| s == "rejected") {
            bail!("a record was rejected: {states:?}");
        }
        // The background sync and the screen's own refresh usually get there; nudge it now and then.
        if last_click.get().elapsed() > Duration::from_secs(10) {
            if let Some(b) = ui.try_find("sync-now").await? {
                if b.is_enabled().await? {
                    b.click().await?;
                }
            }
            last_click.set(Instant::now());
        }
        Err(anyhow!("pending {pending}, states {states:?}"))
    })
    .await?;
    if let Some(err) = ui.try_find("sync-error").await? {
        bail!(
            "the sync screen shows an error: {}",
            bounded("error text", err.text()).await?
        );
    }
    eprintln!("e2e: {records} records receipted");
    ui.screenshot("07-sync.png").await?;

    step(7, "the server has it all");
    let done = Done {
        inspection,
        device_name,
        photo_sha,
        findings,
        violation_item,
        records,
    };
    check_server(http, &banner.url, &done).await
}

async fn check_server(http: &reqwest::Client, url: &str, done: &Done) -> anyhow::Result<()> {
    let login: Value = http
        .post(format!("{url}/api/v1/auth/login"))
        .json(&json!({ "login": "admin", "password": PASSWORD }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let token = login["token"].as_str().context("login token")?.to_owned();
    let get = |path: String| get_json(http, url, &token, path);

    // The projector runs in the background: poll until everything is projected.
    let field = until("the field data of the inspection", SYNC, || async {
        let f = get(format!("/api/v1/inspections/{}/field", done.inspection)).await?;
        let findings = f["findings"].as_array().map_or(0, Vec::len);
        let photos = f["photos"].as_array().map_or(0, Vec::len);
        let acts = f["documents"]
            .as_array()
            .map_or(0, |d| d.iter().filter(|d| d["kind"] == "act").count());
        if findings >= done.findings.len()
            && photos >= 1
            && acts == 1
            && !f["finished_record"].is_null()
        {
            Ok(Some(f))
        } else {
            Err(anyhow!(
                "findings {findings}, photos {photos}, acts {acts}, finished {}",
                f["finished_record"]
            ))
        }
    })
    .await?;
    std::fs::write(
        target_dir_artifacts()?.join("server-field.json"),
        serde_json::to_vec_pretty(&field)?,
    )?;
    ensure!(
        field["flags"].as_array().is_some_and(Vec::is_empty),
        "review flags: {}",
        field["flags"]
    );
    let findings = field["findings"].as_array().context("findings")?;
    let current: Vec<&Value> = findings
        .iter()
        .filter(|f| f["corrected_by"].is_null())
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
    let act = field["documents"]
        .as_array()
        .and_then(|d| d.iter().find(|d| d["kind"] == "act"))
        .context("the act on the server")?;
    let act_text = act["body"].to_string();
    ensure!(
        act_text.contains(PRESENT_NAME),
        "the act does not name who was present: {act_text}"
    );
    ensure!(
        act_text.contains("acknowledged"),
        "the act has no acknowledgement: {act_text}"
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

async fn get_json(
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
