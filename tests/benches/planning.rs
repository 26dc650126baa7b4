//! Risk scoring and the annual plan at the size of a large agency: `cargo bench -p knd-tests
//! --bench planning` seeds the demo in this process (not measured) with `KND_BENCH_SUBJECTS`
//! subjects (default 100,000), `KND_BENCH_OBJECTS` objects (default 1,000,000) with their five
//! years of history, and `KND_BENCH_INSPECTORS` inspectors (default 200), then measures
//! `risk::score_agency` and `plan_build::build_year` of next year, each twice (the first run,
//! and the better of the two), and prints the plan's figures: the scheduled share of
//! min(capacity, demand) and the process's peak memory (VmHWM) after seeding and after the
//! measured runs (the peak cannot be reset between phases).
//!
//! On SQLite, and also on PostgreSQL when `KND_BENCH_POSTGRES_URL` is set (an admin URL; a
//! fresh database is created). `KND_BENCH_BACKEND=sqlite` or `postgres` runs one only, so that
//! the peak memory is that backend's alone. `KND_BENCH_DATA_DIR` (a directory that does not
//! exist yet) keeps the data directory, and the SQLite database in it (PostgreSQL: the name of
//! its database, in `database_url`); a later run given the same directory measures that data
//! without seeding again, in a process that has not seeded, so its peak memory is the
//! measured runs' alone.
//!
//! `KND_BENCH_ONE_PASS_FIRST=1` measures the one pass (scoring and plan together) first, so that
//! it also stores the proposals the scoring runs would otherwise have stored before it.
//!
//! Targets: scoring and the plan together under 5 s on SQLite and 10 s on PostgreSQL, peak
//! memory under 1 GiB.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::{Duration, Instant};

/// The server's allocator (`server/src/main.rs`), so that the memory measured is the server's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use knd_server::Config;
use knd_server::demo::{DemoArgs, DemoStaff};
use knd_server::services::{plan_build, risk, risk_events};
use knd_tests::bench::env_usize;

const PASSWORD: &str = "bench-planning-password";

/// A line of /proc/self/status in MiB: `VmHWM` (the peak resident memory so far) or `VmRSS`.
fn status_mib(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn peak_mib() -> Option<f64> {
    status_mib("VmHWM:")
}

fn mib(v: Option<f64>) -> String {
    v.map_or_else(|| "?".into(), |m| format!("{m:.0} MiB"))
}

/// The peak and the current resident memory.
fn memory() -> String {
    format!(
        "peak {}, resident {}",
        mib(peak_mib()),
        mib(status_mib("VmRSS:"))
    )
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

/// The first of two runs and the better one.
fn first_and_best(times: &[Duration]) -> (Duration, Duration) {
    let first = times.first().copied().unwrap_or_default();
    (first, times.iter().copied().min().unwrap_or_default())
}

/// Seeds the demo on a fresh state, or opens the data kept by an earlier run; the agency.
async fn open_or_seed(
    label: &str,
    admin_url: Option<String>,
    sizes: (usize, usize, usize),
    dir: &std::path::Path,
) -> (knd_server::state::AppState, knd_shared::AgencyId) {
    let (subjects, objects, inspectors) = sizes;
    let kept = std::env::var("KND_BENCH_DATA_DIR")
        .ok()
        .map(|d| std::path::PathBuf::from(d).join(label));
    let reuse = kept.as_ref().is_some_and(|d| d.exists());
    let data_dir = kept.clone().unwrap_or_else(|| dir.to_owned());
    let url_file = data_dir.join("database_url");
    // PostgreSQL: the admin URL; a fresh database when seeding. Kept data outlives the test
    // command, which drops every `knd_test_` database, so it takes another prefix.
    let database_url = match (reuse, admin_url) {
        (true, Some(_)) => Some(std::fs::read_to_string(&url_file).unwrap()),
        (false, Some(admin)) => {
            let prefix = if kept.is_some() {
                "knd_bench"
            } else {
                "knd_test"
            };
            let url = knd_tests::named_postgres_db(&admin, prefix).await.unwrap();
            std::fs::create_dir_all(&data_dir).unwrap();
            std::fs::write(&url_file, &url).unwrap();
            Some(url)
        }
        (_, None) => None,
    };
    // The daily indicator run is measured below, not left to overlap the measured runs.
    let config = Config {
        data_dir,
        database_url,
        planning: knd_server::config::PlanningConfig {
            daily_indicators: false,
        },
        ..Config::default()
    };
    let state = knd_server::start(config).await.unwrap();
    if reuse {
        let agency = *state.store.agencies().await.unwrap().first().unwrap();
        println!(
            "{label}: the data kept in {:?}; memory {}",
            kept.unwrap(),
            memory()
        );
        return (state, agency);
    }
    let args = DemoArgs {
        reset: false,
        subjects,
        objects,
        seed: knd_server::demo::DEMO_SEED,
        password: Some(PASSWORD.into()),
    };
    let staff = DemoStaff {
        inspectors: Some(inspectors),
    };
    let started = Instant::now();
    let seeded = knd_server::demo::seed(&state, &args, staff, PASSWORD)
        .await
        .unwrap();
    println!(
        "{label}: demo seeded in {:.0} s: {subjects} subjects, {} objects, {} history events \
         ({:.0} s; {} indicators fired), {} inspectors; memory {}",
        started.elapsed().as_secs_f64(),
        seeded.imported.objects,
        seeded.history.events,
        seeded.history.seconds,
        seeded.history.triggered,
        seeded.inspectors.len(),
        memory()
    );
    (state, seeded.agency)
}

/// Waits, outside the measured time, for the superseded draft's rows to be deleted (the build
/// left that to the background, as a planner's next build is not a second away).
async fn purge(state: &knd_server::state::AppState) {
    let t = Instant::now();
    let rows = knd_server::services::plan_purge::purge(&*state.store)
        .await
        .unwrap();
    println!(
        "    the superseded drafts deleted afterwards (not measured): {rows} rows awaited in {}",
        secs(t.elapsed())
    );
}

/// The September run: the plan built with every object re-scored on the same pages, twice.
async fn one_pass(
    state: &knd_server::state::AppState,
    agency: knd_shared::AgencyId,
    year: i32,
) -> Vec<Duration> {
    let mut both_times = Vec::new();
    for run in 1..=2 {
        let t = Instant::now();
        let b = plan_build::build_year(state, agency, year, None, true)
            .await
            .unwrap();
        let took = t.elapsed();
        both_times.push(took);
        let s = b.scoring.unwrap();
        println!(
            "  scoring and plan {year} in one pass, run {run}: {} (read and score {} ms, schedule \
             {} ms, store {} ms); {} objects scored, {} proposals stored, {} entries; {}",
            secs(took),
            b.read_ms,
            b.schedule_ms,
            b.store_ms,
            s.objects,
            s.proposals,
            b.inspection_entries + b.visit_entries,
            memory()
        );
        purge(state).await;
    }
    both_times
}

async fn measure(label: &str, admin_url: Option<String>, sizes: (usize, usize, usize)) {
    let dir = tempfile::TempDir::new().unwrap();
    let (state, agency) = open_or_seed(label, admin_url, sizes, dir.path()).await;
    let t = Instant::now();
    let run = risk_events::daily(&state, agency).await.unwrap();
    println!(
        "  the daily run of the risk indicators: {} ({} fired); {}",
        secs(t.elapsed()),
        run.triggered,
        memory()
    );
    // With KND_BENCH_ONE_PASS_FIRST=1 the one pass runs first, so that it also stores the
    // proposals (later, the scoring runs before it have stored them).
    let year = state.today().year() + 1;
    let early = if std::env::var_os("KND_BENCH_ONE_PASS_FIRST").is_some() {
        Some(one_pass(&state, agency, year).await)
    } else {
        None
    };
    let mut score_times = Vec::new();
    for run in 1..=2 {
        let t = Instant::now();
        let s = risk::score_agency(&state, agency).await.unwrap();
        score_times.push(t.elapsed());
        println!(
            "  scoring, run {run}: {} ({} objects, {} proposals stored; by category {:?}); {}",
            secs(t.elapsed()),
            s.objects,
            s.proposals,
            s.by_category,
            memory()
        );
    }
    let mut plan_times = Vec::new();
    for run in 1..=2 {
        let t = Instant::now();
        let b = plan_build::build_year(&state, agency, year, None, false)
            .await
            .unwrap();
        let took = t.elapsed();
        plan_times.push(took);
        let bound = b.capacity_minutes.min(b.demand_minutes);
        println!(
            "  plan {year}, run {run}: {} (read {} ms, schedule {} ms, store {} ms); {} objects \
             read, {} inspection and {} visit entries, {} left out, {} kept out by the moratorium; \
             {}",
            secs(took),
            b.read_ms,
            b.schedule_ms,
            b.store_ms,
            b.objects_read,
            b.inspection_entries,
            b.visit_entries,
            b.left_out,
            b.moratorium_excluded,
            memory()
        );
        println!(
            "    capacity {} min, demand {} min, scheduled {} min: {:.1} % of min(capacity, \
             demand) ({} min)",
            b.capacity_minutes,
            b.demand_minutes,
            b.scheduled_minutes,
            if bound == 0 {
                100.0
            } else {
                b.scheduled_minutes as f64 / bound as f64 * 100.0
            },
            bound
        );
        purge(&state).await;
    }
    let both_times = match early {
        Some(times) => times,
        None => one_pass(&state, agency, year).await,
    };
    let (score_first, score_best) = first_and_best(&score_times);
    let (plan_first, plan_best) = first_and_best(&plan_times);
    let (both_first, both_best) = first_and_best(&both_times);
    println!(
        "{label}: scoring {} (first {}), plan {} (first {}); scoring + plan {} (first {}); both \
         in one pass {} (first {}); peak memory after the measured runs {}",
        secs(score_best),
        secs(score_first),
        secs(plan_best),
        secs(plan_first),
        secs(score_best + plan_best),
        secs(score_first + plan_first),
        secs(both_best),
        secs(both_first),
        mib(peak_mib())
    );
}

fn main() {
    let sizes = (
        env_usize("KND_BENCH_SUBJECTS", 100_000),
        env_usize("KND_BENCH_OBJECTS", 1_000_000),
        env_usize("KND_BENCH_INSPECTORS", 200),
    );
    let backend = std::env::var("KND_BENCH_BACKEND").unwrap_or_default();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        if backend != "postgres" {
            measure("SQLite", None, sizes).await;
        }
        if backend == "sqlite" {
            return;
        }
        match std::env::var("KND_BENCH_POSTGRES_URL") {
            Ok(admin) => measure("PostgreSQL", Some(admin), sizes).await,
            Err(_) => println!("PostgreSQL: set KND_BENCH_POSTGRES_URL to include it"),
        }
    });
}
