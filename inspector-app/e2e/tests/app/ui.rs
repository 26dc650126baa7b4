//! The app under test over a WebDriver session: finding elements by data-testid, typing,
//! clicking, screenshots.

use super::*;

/// The app under test, over a WebDriver session.
pub(crate) struct Ui {
    pub(crate) c: Client,
    pub(crate) artifacts: PathBuf,
}

pub(crate) fn css_id(id: &str) -> String {
    format!("[data-testid=\"{id}\"]")
}

impl Ui {
    pub(crate) async fn find(&self, id: &str) -> anyhow::Result<Element> {
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

    pub(crate) async fn try_find(&self, id: &str) -> anyhow::Result<Option<Element>> {
        match tokio::time::timeout(UI, self.c.find(Locator::Css(&css_id(id)))).await {
            Err(_) => bail!("find {id}: no answer within {UI:?}"),
            Ok(Ok(e)) => Ok(Some(e)),
            Ok(Err(e)) if e.is_no_such_element() => Ok(None),
            Ok(Err(e)) => Err(e.into()),
        }
    }

    /// Scrolls the element to the middle of the window (away from the sticky header and action
    /// bar), waits until it is enabled and clicks it.
    pub(crate) async fn click(&self, id: &str) -> anyhow::Result<()> {
        let e = self.find(id).await?;
        self.scroll(&e).await?;
        until(&format!("{id} to be enabled"), UI, || async {
            Ok(e.is_enabled().await?.then_some(()))
        })
        .await?;
        eprintln!("e2e: click {id}");
        bounded(&format!("click {id}"), e.click()).await
    }

    /// Scrolls the field into view (WebKitWebDriver refuses to clear one outside it) and types.
    pub(crate) async fn type_into(&self, id: &str, text: &str) -> anyhow::Result<()> {
        let e = self.find(id).await?;
        self.scroll(&e).await?;
        eprintln!("e2e: type into {id}");
        bounded(&format!("clear {id}"), e.clear()).await?;
        bounded(&format!("type into {id}"), e.send_keys(text)).await
    }

    pub(crate) async fn attr(&self, id: &str, name: &str) -> anyhow::Result<Option<String>> {
        let e = self.find(id).await?;
        bounded(&format!("{id} [{name}]"), e.attr(name)).await
    }

    pub(crate) async fn wait_attr(&self, id: &str, name: &str, want: &str) -> anyhow::Result<()> {
        until(&format!("{id} [{name}={want}]"), UI, || async {
            Ok((self.attr(id, name).await?.as_deref() == Some(want)).then_some(()))
        })
        .await
    }

    pub(crate) async fn js(&self, script: &str) -> anyhow::Result<Value> {
        bounded("execute a script", self.c.execute(script, vec![])).await
    }

    pub(crate) async fn js_on(&self, script: &str, e: &Element) -> anyhow::Result<Value> {
        let arg = serde_json::to_value(e)?;
        bounded("execute a script", self.c.execute(script, vec![arg])).await
    }

    pub(crate) async fn scroll(&self, e: &Element) -> anyhow::Result<()> {
        self.js_on("arguments[0].scrollIntoView({block: 'center'});", e)
            .await
            .map(drop)
    }

    pub(crate) async fn scroll_to(&self, id: &str) -> anyhow::Result<()> {
        let e = self.find(id).await?;
        self.scroll(&e).await
    }

    pub(crate) async fn text(&self, id: &str) -> anyhow::Result<String> {
        let e = self.find(id).await?;
        bounded(&format!("text of {id}"), e.text()).await
    }

    /// Saves a PNG of the window into the artifacts folder and checks it is a PNG.
    ///
    /// WebKitWebDriver takes the screenshot after the page's next rendering update, and a page
    /// that has gone idle (the unlock screen, say) never has one: the command hangs and takes the
    /// session with it. So a 1-pixel, nearly transparent dot in a corner flickers while the
    /// screenshot is taken.
    pub(crate) async fn screenshot(&self, name: &str) -> anyhow::Result<()> {
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

/// Syncs from the sync screen until nothing is pending and every record it lists is receipted;
/// returns how many records the app lists. A rejected record or an error shown fails it.
pub(crate) async fn sync_until_receipted(ui: &Ui) -> anyhow::Result<usize> {
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
    Ok(records)
}
