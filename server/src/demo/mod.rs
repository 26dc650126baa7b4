//! `knd-server demo`: one command that starts the server on a fresh database with a realistic
//! demo agency (control types with requirements and checklists, a registry of subjects and
//! objects with five years of history, users of every role, a plan of inspections for the
//! coming days), and `knd-server generate`: synthetic registries of any size as CSV files for
//! the import endpoints.
//!
//! Everything is seeded through the services the API calls, so it is validated and audited like
//! a planner's work. The data is deterministic (a seeded generator); only the password, the
//! enrollment code and the dates of the plan differ between runs.

mod banner;
#[cfg(test)]
mod consistency_tests;
pub mod data;
mod field;
mod filings;
pub mod generator;
pub mod history;
pub mod ids;
mod inspections;
pub mod rng;
pub mod seed;

use std::future::Future;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};

use crate::config::Config;
use crate::model::Role;
use generator::Spec;

/// The seed of the demo registry: the same subjects and objects on every run.
pub const DEMO_SEED: u64 = 2026;

/// Options of `knd-server demo`.
#[derive(Debug, Clone, clap::Args)]
pub struct DemoArgs {
    /// Delete the data directory's SQLite database first (never a PostgreSQL one).
    #[arg(long)]
    pub reset: bool,
    /// How many subjects (controlled persons) to generate.
    #[arg(long, default_value_t = 200)]
    pub subjects: usize,
    /// How many control objects to generate (1000000 makes a registry for benchmarks).
    #[arg(long, default_value_t = 1000)]
    pub objects: usize,
    /// The seed of the generated registry.
    #[arg(long, default_value_t = DEMO_SEED)]
    pub seed: u64,
    /// The password of every demo user (at least 10 characters); random when absent.
    #[arg(long)]
    pub password: Option<String>,
}

/// The demo agency's staff, beside [`DemoArgs`] (which benchmarks build field by field).
#[derive(Debug, Clone, Copy, Default, clap::Args)]
pub struct DemoStaff {
    /// How many inspectors the agency has (the annual plan's capacity); by default one per
    /// 5,000 objects, at least 4.
    #[arg(long)]
    pub inspectors: Option<usize>,
}

impl DemoStaff {
    pub fn inspectors(&self, objects: usize) -> usize {
        self.inspectors
            .unwrap_or_else(|| seed::inspectors_for(objects))
    }
}

/// Options of `knd-server generate`.
#[derive(Debug, Clone, clap::Args)]
pub struct GenerateArgs {
    #[arg(long, default_value_t = 100_000)]
    pub subjects: usize,
    #[arg(long, default_value_t = 1_000_000)]
    pub objects: usize,
    /// The directory to write `subjects-NNNN.csv`, `objects-NNNN.csv` and the history's
    /// `history-NNNN.csv` into.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Rows per file: each file is one import request (the API takes up to 32 MiB by default).
    #[arg(long, default_value_t = seed::IMPORT_CHUNK_ROWS)]
    pub rows_per_file: usize,
    #[arg(long, default_value_t = DEMO_SEED)]
    pub seed: u64,
    /// The day the history ends on (YYYY-MM-DD); by default the agency's today (Moscow).
    #[arg(long, value_parser = parse_day)]
    pub today: Option<time::Date>,
}

fn parse_day(s: &str) -> Result<time::Date, String> {
    knd_shared::calendar::iso_date::parse(s).map_err(|_| format!("{s:?} is not a date YYYY-MM-DD"))
}

/// The SQLite files of a database path: the database, its WAL and shared-memory files, a journal.
fn sqlite_files(path: &Path) -> Vec<PathBuf> {
    ["", "-wal", "-shm", "-journal"]
        .iter()
        .map(|suffix| {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            PathBuf::from(p)
        })
        .collect()
}

/// Makes sure the demo starts from nothing: an existing database is refused, or with `reset`
/// (SQLite only) deleted first. Returns what it deleted.
async fn prepare(config: &Config, reset: bool) -> anyhow::Result<Vec<PathBuf>> {
    let url = config.database_url();
    if let Some(path) = url.strip_prefix("sqlite://") {
        let existing: Vec<PathBuf> = sqlite_files(Path::new(path))
            .into_iter()
            .filter(|f| f.exists())
            .collect();
        if existing.is_empty() {
            return Ok(existing);
        }
        if !reset {
            bail!(
                "база данных {path} уже существует: демо создаётся только с нуля. \
                 Продолжить с ней: knd-server serve; удалить её и создать демо заново: \
                 knd-server demo --reset\n\
                 the database {path} already exists: the demo starts only from nothing. \
                 Keep using it with knd-server serve, or delete it and start the demo again with \
                 knd-server demo --reset"
            );
        }
        for f in &existing {
            std::fs::remove_file(f).with_context(|| format!("cannot delete {}", f.display()))?;
        }
        return Ok(existing);
    }
    // PostgreSQL: a server identity means a server has run on this database. It is never dropped
    // from here, whatever the flags say.
    let store = crate::store::open(&url)
        .await
        .context("cannot open the database")?;
    if store.server_identity().await?.is_some() {
        bail!(
            "база данных PostgreSQL уже используется: для демо нужна пустая база \
             (--reset не удаляет данные PostgreSQL; создайте новую базу и укажите её в \
             KND__DATABASE_URL)\n\
             the PostgreSQL database is already in use: the demo needs an empty one (--reset \
             does not delete PostgreSQL data; create a new database and point KND__DATABASE_URL \
             at it)"
        );
    }
    Ok(Vec::new())
}

/// Where the data lives, for the banner (never the database URL: it may hold a password).
fn storage(config: &Config) -> String {
    let url = config.database_url();
    match url.strip_prefix("sqlite://") {
        Some(path) => format!("{path} (SQLite)"),
        None => format!(
            "PostgreSQL; ключ сервера / server key: {}",
            config.data_dir.display()
        ),
    }
}

/// What [`seed`] put in the database.
#[derive(Debug)]
pub struct Seeded {
    pub agency: knd_shared::AgencyId,
    pub agency_name: String,
    pub reference: seed::Reference,
    pub imported: seed::Imported,
    pub history: seed::HistoryImported,
    pub inspectors: Vec<crate::model::User>,
    planned: inspections::Planned,
    morning: field::FieldDay,
    admin: crate::model::User,
}

/// Seeds a fresh database as the demo's users would: the agency and its users, the reference
/// data, the registry and its history, the coming days' inspections and the demo tablet's
/// morning. Benchmarks call it on a state of their own.
pub async fn seed(
    state: &crate::state::AppState,
    args: &DemoArgs,
    staff: DemoStaff,
    password: &str,
) -> anyhow::Result<Seeded> {
    let data = data::demo_data()?;
    tracing::info!("seeding the demo agency");
    let accounts = seed::accounts(state, data, password, staff.inspectors(args.objects)).await?;
    let admin = accounts.by_login("admin")?.clone();
    let planner = accounts.by_login("planner1")?.clone();
    let reference = seed::reference_data(state, &planner, data).await?;
    let spec = Spec {
        seed: args.seed,
        subjects: args.subjects,
        objects: args.objects,
    };
    let (registry, imported) = seed::registry(state, &planner, spec).await?;
    tracing::info!(
        subjects = imported.subjects,
        objects = imported.objects,
        seconds = imported.seconds,
        "registry imported"
    );
    let history = seed::history(state, &planner, &registry).await?;
    tracing::info!(
        events = history.events,
        triggered = history.triggered,
        seconds = history.seconds,
        "history imported"
    );
    let inspectors = accounts.with_role(Role::Inspector);
    // "Tomorrow" is the agency's (its time zone, Moscow by default; ГК ст.194).
    let today = state.today();
    let planned = inspections::plan(state, &planner, &inspectors, &registry, today).await?;
    // The first inspector other than the one someone trying the app enrolls, with an
    // inspection of their own today (none on a non-working day).
    let mut morning = field::FieldDay::default();
    if let Some((first, others)) = inspectors.split_first() {
        for other in others {
            morning = field::morning(state, &admin, other, first, &registry, today).await?;
            if morning.inspection.is_some() {
                break;
            }
        }
    }
    Ok(Seeded {
        agency: accounts.agency,
        agency_name: accounts.agency_name,
        reference,
        imported,
        history,
        inspectors,
        planned,
        morning,
        admin,
    })
}

/// Runs `knd-server demo` with the default staff.
pub async fn run(
    config: Config,
    args: DemoArgs,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    run_with(config, args, DemoStaff::default(), shutdown).await
}

/// Runs `knd-server demo`: checks the database is fresh, seeds it, serves until `shutdown`.
pub async fn run_with(
    config: Config,
    args: DemoArgs,
    staff: DemoStaff,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let password = match &args.password {
        Some(p) => p.clone(),
        None => seed::random_password(),
    };
    crate::services::accounts::validate_password(&password).map_err(seed::api)?;
    let deleted = prepare(&config, args.reset).await?;
    for f in &deleted {
        println!("удалено / deleted: {}", f.display());
    }
    // Listen before seeding, so that a busy port fails before any work is done.
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let addr = listener.local_addr()?;
    let storage = storage(&config);
    let state = crate::start(config).await?;
    let seeded = seed(&state, &args, staff, &password).await?;
    let first = seeded
        .inspectors
        .first()
        .context("the demo has no inspector")?;
    let (code, expires) = seed::enrollment_code(&state, &seeded.admin, first).await?;
    let business = match (&seeded.morning.inspection, seeded.morning.act) {
        (Some(i), Some(act)) => Some((
            i.subject_inn.clone(),
            filings::appeals(&state, i, act).await?,
        )),
        _ => None,
    };

    let banner = banner::Banner {
        addr,
        agency: seeded.agency_name.clone(),
        storage,
        password,
        users: seed::logins(seeded.inspectors.len()),
        enrollment_login: first.login.clone(),
        enrollment_code: code,
        enrollment_expires: expires,
        control_types: seeded.reference.control_types,
        requirements: seeded.reference.requirements,
        checklists: seeded.reference.checklists,
        subjects: seeded.imported.subjects,
        objects: seeded.imported.objects,
        events: seeded.history.events,
        inspections: seeded.planned.created,
        inspections_skipped: seeded.planned.skipped.clone(),
        field_day: seeded
            .morning
            .inspection
            .as_ref()
            .map(|i| (i.id, seeded.morning.records)),
        business,
    };
    println!("{}", banner.render());
    tracing::info!(address = %addr, "serving");
    crate::serve(listener, state, shutdown).await?;
    Ok(())
}

/// Runs `knd-server generate`: writes the CSV files and prints what it wrote.
pub fn generate(args: &GenerateArgs) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let spec = Spec {
        seed: args.seed,
        subjects: args.subjects,
        objects: args.objects,
    };
    let today = args
        .today
        .unwrap_or_else(|| knd_shared::calendar::zone::AgencyZone::default().today());
    let files = generator::write_files(spec, today, &args.out, args.rows_per_file)?;
    let bytes: u64 = files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    println!(
        "{} контролируемых лиц и {} объектов в {} файлах ({:.1} МБ) за {:.1} с / \
         {} subjects and {} objects in {} files ({:.1} MB) in {:.1} s: {}",
        args.subjects,
        args.objects,
        files.len(),
        bytes as f64 / 1e6,
        started.elapsed().as_secs_f64(),
        args.subjects,
        args.objects,
        files.len(),
        bytes as f64 / 1e6,
        started.elapsed().as_secs_f64(),
        args.out.display()
    );
    let types: Vec<&str> = data::demo_data()?
        .control_types
        .iter()
        .map(|t| t.code.as_str())
        .collect();
    println!(
        "Импорт: сначала виды контроля {types}, затем subjects-*.csv, objects-*.csv и история \
         history-*.csv (события риска) / import: control types {types} first, then \
         subjects-*.csv, objects-*.csv and the history's risk events history-*.csv",
        types = types.join(", ")
    );
    Ok(())
}
