//! Child processes and waiting: the demo server, paths, free ports, bounded polls.

use super::*;

pub(crate) fn workspace_root() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    std::fs::canonicalize(&root).unwrap_or(root)
}

pub(crate) fn target_dir() -> PathBuf {
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

pub(crate) fn path_from_env(var: &str, default: PathBuf) -> anyhow::Result<PathBuf> {
    let p = std::env::var_os(var).map(PathBuf::from).unwrap_or(default);
    std::path::absolute(&p).with_context(|| format!("{var}: {}", p.display()))
}

pub(crate) fn existing(var: &str, default: PathBuf, hint: &str) -> anyhow::Result<PathBuf> {
    let p = path_from_env(var, default)?;
    ensure!(
        p.exists(),
        "{} not found ({hint}; or set {var})",
        p.display()
    );
    Ok(p)
}

/// A free port on the loopback interface (the OS picks it; it is released for the child to bind).
pub(crate) fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Polls `f` until it gives `Some`, for at most `bound`; the error names `what` and the last error.
pub(crate) async fn until<T, F, Fut>(what: &str, bound: Duration, mut f: F) -> anyhow::Result<T>
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
pub(crate) async fn bounded<T, E>(
    what: &str,
    fut: impl Future<Output = Result<T, E>>,
) -> anyhow::Result<T>
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
pub(crate) struct Proc {
    pub(crate) name: &'static str,
    pub(crate) child: Child,
}

impl Proc {
    pub(crate) fn spawn(name: &'static str, cmd: &mut Command) -> anyhow::Result<Self> {
        use std::os::unix::process::CommandExt as _;
        let child = cmd
            .process_group(0)
            .spawn()
            .with_context(|| format!("cannot start {name} ({cmd:?})"))?;
        Ok(Self { name, child })
    }

    pub(crate) fn check_alive(&mut self) -> anyhow::Result<()> {
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
pub(crate) fn start_server(
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
