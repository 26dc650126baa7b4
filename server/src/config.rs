//! Server configuration: defaults, then an optional TOML file, then `KND__SECTION__KEY`
//! environment variables (e.g. `KND__LISTEN=0.0.0.0:8080`, `KND__LIMITS__MAX_PUSH_BYTES=...`).

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format as _, Serialized, Toml};
use serde::{Deserialize, Serialize};

#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Where the SQLite file, the blobs and the server's signing key live.
    pub data_dir: PathBuf,
    /// `sqlite://PATH` or `postgres://...`; defaults to `sqlite://DATA_DIR/knd.sqlite3`.
    pub database_url: Option<String>,
    /// Where people reach this server (`https://knd.example.ru`): the verification links printed
    /// in documents' QR codes. Defaults to `http://LISTEN`.
    #[serde(default)]
    pub public_url: Option<String>,
    /// The transparency log's origin line and key name.
    pub log_origin: String,
    pub auth: AuthConfig,
    pub limits: Limits,
    pub blobs: BlobsConfig,
    pub calendar: CalendarConfig,
    pub sync: SyncConfig,
    #[serde(default)]
    pub metrics: MetricsConfig,
    #[serde(default)]
    pub http: HttpConfig,
    #[serde(default)]
    pub planning: PlanningConfig,
    #[serde(default)]
    pub webhooks: WebhooksConfig,
}

/// Webhooks businesses register: delivered by a background task, retried with backoff.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebhooksConfig {
    /// Whether this server delivers them (one server of several may be enough).
    pub deliver: bool,
    /// Whether a webhook may be plain `http://` (tests, a closed network); else `https://` only.
    pub allow_http: bool,
    /// The waits after each failed attempt, in seconds; after the last the event is given up
    /// (the business still reads it from its feed).
    pub retry_seconds: Vec<u64>,
    /// How long one attempt may take.
    pub timeout_seconds: u64,
    /// Active webhooks per API key.
    pub max_per_key: u32,
}

impl Default for WebhooksConfig {
    fn default() -> Self {
        Self {
            deliver: true,
            allow_http: false,
            // 5 s, 30 s, 2 min, 10 min, 1 h, 6 h, 24 h: about 31 hours in all.
            retry_seconds: vec![5, 30, 120, 600, 3600, 21_600, 86_400],
            timeout_seconds: 10,
            max_per_key: 5,
        }
    }
}

/// Risk-scored planning's background work.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PlanningConfig {
    /// Whether the server runs the risk indicators over every agency once a day (at start and
    /// then on each new day); off where an external scheduler calls
    /// `POST /api/v1/risk/indicators/run` instead (`KND__PLANNING__DAILY_INDICATORS=false`).
    pub daily_indicators: bool,
}

impl Default for PlanningConfig {
    fn default() -> Self {
        Self {
            daily_indicators: true,
        }
    }
}

/// Connections: who the client is behind a proxy, and how long a client may take.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpConfig {
    /// Addresses or networks (`10.0.0.5`, `10.0.0.0/8`) of reverse proxies whose
    /// `client_ip_header` names the client. From anyone else the header is ignored: the
    /// client is the peer of the connection.
    pub trusted_proxies: Vec<String>,
    /// The header a trusted proxy puts the client's address in (`X-Forwarded-For` appends;
    /// the nearest address not itself a trusted proxy is the client).
    pub client_ip_header: String,
    /// A client must send a request's headers within this many seconds of connecting or of
    /// the previous response (it also ends idle keep-alive connections).
    pub header_read_timeout_secs: u64,
    /// A request body that sends nothing for this many seconds is cut off.
    pub body_timeout_secs: u64,
    /// Open connections at most; more wait in the listen queue until one closes.
    pub max_connections: usize,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            trusted_proxies: Vec::new(),
            client_ip_header: "x-forwarded-for".into(),
            header_read_timeout_secs: 30,
            body_timeout_secs: 30,
            max_connections: 4096,
        }
    }
}

/// Who may read `/metrics`: the operator only.
#[derive(Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsConfig {
    /// A bearer token the scraper sends (`Authorization: Bearer ...`). Unset: only a request
    /// from the machine itself (a loopback address) is answered.
    pub token: Option<String>,
}

impl fmt::Debug for MetricsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MetricsConfig")
            .field("token", &self.token.as_ref().map(|_| "***"))
            .finish()
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarConfig {
    /// Count working days in years whose transfer decree is not yet in the data (ТК ст.112
    /// holidays only); off by default, so a plan is never built on a guess.
    pub allow_provisional: bool,
    /// A JSON file of production-calendar years that replaces the embedded ones it names (a new
    /// year's decree, before a release ships it).
    pub file: Option<PathBuf>,
    /// The agency's time zone (IANA name; `Europe/Moscow` when unset): "today", the day of an
    /// act and the start of every period are its local dates (ГК ст.194).
    pub time_zone: Option<String>,
    /// A region whose own non-working holidays add to the federal calendar (e.g. `tatarstan`,
    /// `bashkortostan`); unset: the federal calendar alone.
    pub region: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyncConfig {
    /// Pull's change feed keeps this many days; a device whose cursor is older gets a snapshot.
    pub change_retention_days: u32,
    /// Most changes (or snapshot inspections) in one pull page.
    pub pull_page: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    /// How long a console session lasts.
    pub session_hours: u32,
    /// How long an enrollment code stays valid.
    pub enrollment_code_hours: u32,
    /// Failed logins allowed for one login name from one address before each next attempt
    /// waits (30 s, then twice as long after every further failure, up to the window).
    pub max_failed_logins: u32,
    /// Failed logins for one login name from all addresses together before it is locked for
    /// the window: far higher, so that no one can lock a user out from a few addresses.
    #[serde(default = "default_per_login")]
    pub max_failed_logins_per_login: u32,
    /// Failed logins from one address, whatever the names (password spraying).
    #[serde(default = "default_per_address")]
    pub max_failed_logins_per_address: u32,
    pub failed_login_window_secs: u64,
    /// Always mark the session cookie `Secure`; it is also marked whenever the request came
    /// over TLS (a trusted proxy's `X-Forwarded-Proto: https`).
    pub secure_cookies: bool,
}

fn default_per_login() -> u32 {
    100
}

fn default_per_address() -> u32 {
    30
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Largest push body.
    pub max_push_bytes: usize,
    /// Largest number of records in one push.
    pub max_push_records: usize,
    /// Largest body of any other request.
    pub max_body_bytes: usize,
}

/// Photos and other blobs: where their bytes live and how uploads are bounded.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlobsConfig {
    /// `local` (a directory, by default `DATA_DIR/blobs`) or `s3` (any S3-compatible store).
    pub store: BlobStoreKind,
    /// The directory of the `local` store; defaults to `DATA_DIR/blobs`.
    pub local_dir: Option<PathBuf>,
    pub s3: S3Config,
    /// Largest file one upload may declare (`Upload-Length`).
    pub max_file_bytes: u64,
    /// Unfinished uploads one device may hold at once.
    pub max_uploads_per_device: usize,
    /// An unfinished upload no byte reached for this long is deleted (tus `expiration`): it
    /// no longer counts against the device's limit, and a client resuming it starts again.
    pub upload_expiry_hours: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BlobStoreKind {
    Local,
    S3,
}

/// An S3-compatible bucket (AWS, MinIO, Ceph RGW, Yandex Object Storage, ...).
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct S3Config {
    pub bucket: String,
    /// e.g. `http://127.0.0.1:9000` for MinIO; `None` means AWS itself.
    pub endpoint: Option<String>,
    pub region: String,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
    /// Allow a plain-HTTP endpoint (a store on the same host or network).
    pub allow_http: bool,
}

impl BlobsConfig {
    /// The directory of the `local` store in effect.
    pub fn local_dir(&self, data_dir: &Path) -> PathBuf {
        self.local_dir
            .clone()
            .unwrap_or_else(|| data_dir.join("blobs"))
    }
}

/// The secret key must not reach the logs.
impl fmt::Debug for S3Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Config")
            .field("bucket", &self.bucket)
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .field(
                "secret_access_key",
                &self.secret_access_key.as_ref().map(|_| "***"),
            )
            .field("allow_http", &self.allow_http)
            .finish()
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("knd-data"),
            database_url: None,
            public_url: None,
            log_origin: "knd.local/log".into(),
            auth: AuthConfig {
                session_hours: 12,
                enrollment_code_hours: 24,
                max_failed_logins: 5,
                max_failed_logins_per_login: default_per_login(),
                max_failed_logins_per_address: default_per_address(),
                failed_login_window_secs: 15 * 60,
                secure_cookies: false,
            },
            limits: Limits {
                max_push_bytes: 32 * 1024 * 1024,
                max_push_records: 1000,
                max_body_bytes: 1024 * 1024,
            },
            blobs: BlobsConfig {
                store: BlobStoreKind::Local,
                local_dir: None,
                s3: S3Config {
                    bucket: String::new(),
                    endpoint: None,
                    region: "us-east-1".into(),
                    access_key_id: None,
                    secret_access_key: None,
                    allow_http: false,
                },
                // Photos from a tablet's camera are a few MiB; 64 MiB leaves room for video clips.
                max_file_bytes: 64 * 1024 * 1024,
                max_uploads_per_device: 16,
                // A week: a tablet away from any network for days still resumes.
                upload_expiry_hours: 7 * 24,
            },
            calendar: CalendarConfig::default(),
            sync: SyncConfig {
                change_retention_days: 90,
                pull_page: 50,
            },
            metrics: MetricsConfig::default(),
            planning: PlanningConfig::default(),
            webhooks: WebhooksConfig::default(),
            http: HttpConfig::default(),
        }
    }
}

impl Config {
    /// Defaults, then `file` (if given), then the environment.
    pub fn load(file: Option<&Path>) -> Result<Self, Box<figment::Error>> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        if let Some(f) = file {
            fig = fig.merge(Toml::file_exact(f));
        }
        fig.merge(Env::prefixed("KND__").split("__").lowercase(true))
            .extract()
            .map_err(Box::new)
    }

    /// The public address in effect, without a trailing slash.
    pub fn public_url(&self) -> String {
        self.public_url.as_deref().map_or_else(
            || format!("http://{}", self.listen),
            |u| u.trim_end_matches('/').to_owned(),
        )
    }

    /// The database URL in effect.
    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("knd.sqlite3").display()))
    }
}

/// The database URL may hold a password: never print it.
impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let db = self.database_url.as_deref().map(redact_url);
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field("database_url", &db)
            .field("log_origin", &self.log_origin)
            .field("auth", &self.auth)
            .field("limits", &self.limits)
            .field("calendar", &self.calendar)
            .field("sync", &self.sync)
            .field("blobs", &self.blobs)
            .field("metrics", &self.metrics)
            .field("http", &self.http)
            .field("planning", &self.planning)
            .finish()
    }
}

fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://***{}", &url[..s], &url[at..]),
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    // figment's test jail fixes the closure's error type.
    #[allow(clippy::result_large_err)]
    fn defaults_then_file_then_environment() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "knd.toml",
                "listen = \"0.0.0.0:9000\"\nlog_origin = \"file.example/log\"\n[limits]\nmax_push_records = 50\n",
            )?;
            jail.set_env("KND__LOG_ORIGIN", "env.example/log");
            jail.set_env("KND__AUTH__SESSION_HOURS", "2");
            let c = Config::load(Some(Path::new("knd.toml"))).map_err(|e| e.to_string())?;
            assert_eq!(c.listen.to_string(), "0.0.0.0:9000", "from the file");
            assert_eq!(c.log_origin, "env.example/log", "the environment wins");
            assert_eq!(c.auth.session_hours, 2);
            assert_eq!(c.limits.max_push_records, 50);
            assert_eq!(
                c.limits.max_body_bytes,
                Config::default().limits.max_body_bytes,
                "default"
            );
            assert_eq!(c.database_url(), "sqlite://knd-data/knd.sqlite3");
            assert_eq!(
                c.blobs.store,
                BlobStoreKind::Local,
                "no blobs section needed"
            );
            assert_eq!(c.blobs.local_dir(&c.data_dir), Path::new("knd-data/blobs"));
            jail.set_env("KND__BLOBS__STORE", "s3");
            jail.set_env("KND__BLOBS__S3__BUCKET", "photos");
            jail.set_env("KND__BLOBS__MAX_FILE_BYTES", "1000");
            let c = Config::load(None).map_err(|e| e.to_string())?;
            assert_eq!(c.blobs.store, BlobStoreKind::S3);
            assert_eq!(c.blobs.s3.bucket, "photos");
            assert_eq!(c.blobs.s3.region, "us-east-1", "default");
            assert_eq!(c.blobs.max_file_bytes, 1000);
            jail.create_file("bad.toml", "listne = \"0.0.0.0:1\"\n")?;
            assert!(
                Config::load(Some(Path::new("bad.toml"))).is_err(),
                "unknown keys are errors"
            );
            assert!(Config::load(Some(Path::new("missing.toml"))).is_err());
            Ok(())
        });
    }

    #[test]
    fn redacts_passwords() {
        let mut c = Config {
            database_url: Some("postgres://knd:secret@db:5432/knd".into()),
            ..Config::default()
        };
        c.blobs.s3.secret_access_key = Some("s3cret".into());
        let shown = format!("{c:?}");
        // The field names say "secret"; the values must not appear.
        assert!(!shown.contains("knd:secret"), "{shown}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("@db:5432/knd"));
    }
}
