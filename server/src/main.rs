//! `knd-server`: serve the API, migrate the database, or run operator commands.

use std::io::Read as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand};
use knd_server::Config;
use knd_server::model::Role;
use knd_shared::AgencyId;

/// mimalloc rather than glibc's malloc: a plan build's millions of small allocations, freed on
/// other threads, left glibc's per-thread arenas holding memory from build to build (the peak
/// of the 1M-object planning benchmark rose to 1,024 MiB after six builds; 763 MiB with
/// mimalloc, at the same speed).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "knd-server",
    version,
    about = "KND backend: signed field records, transparency log, API"
)]
struct Cli {
    /// A TOML configuration file; environment variables KND__SECTION__KEY override it.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (default address 127.0.0.1:8080, data in ./knd-data).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Rebuild the projections (findings, photos, documents, review flags) from the stored
    /// records, and print digests of the tables before and after.
    RebuildProjections {
        #[command(flatten)]
        out: Output,
    },
    /// Serve a realistic demo agency on a fresh database: control types, a registry with five
    /// years of history, users of every role and a plan of inspections (prints how to sign in).
    Demo {
        #[command(flatten)]
        args: knd_server::demo::DemoArgs,
        #[command(flatten)]
        staff: knd_server::demo::DemoStaff,
    },
    /// Write a synthetic registry and its history as CSV files for the import endpoints (for
    /// benchmarks).
    Generate(knd_server::demo::GenerateArgs),
    /// Operator commands.
    #[command(subcommand)]
    Admin(Admin),
}

#[derive(Subcommand)]
enum Admin {
    /// Create a control agency; prints its id.
    CreateAgency {
        name: String,
        #[command(flatten)]
        out: Output,
    },
    /// Create a user; the password is read from stdin or --password-file.
    CreateUser {
        #[arg(long)]
        agency: String,
        #[arg(long)]
        login: String,
        /// admin, planner, inspector, reviewer or auditor.
        #[arg(long)]
        role: String,
        #[arg(long, value_name = "FILE")]
        password_file: Option<PathBuf>,
        #[command(flatten)]
        out: Output,
    },
    /// Print a one-time device enrollment code for an inspector (valid 24 hours).
    EnrollmentCode {
        #[arg(long)]
        user: String,
        #[command(flatten)]
        out: Output,
    },
    /// Issue an API key for a business (subject) by its ИНН; the key is printed once.
    IssueApiKey {
        #[arg(long)]
        subject: String,
        #[command(flatten)]
        out: Output,
    },
    /// Revoke a business API key by its id.
    RevokeApiKey {
        id: String,
        #[command(flatten)]
        out: Output,
    },
}

#[derive(Args)]
struct Output {
    /// Print machine-readable JSON.
    #[arg(long)]
    json: bool,
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("KND_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let json = std::env::var("KND_LOG_FORMAT").is_ok_and(|f| f == "json");
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

fn print(out: &Output, value: &serde_json::Value, human: &str) {
    if out.json {
        println!("{value}");
    } else {
        println!("{human}");
    }
}

/// A JSON string as plain text (ids, codes) for the human-readable lines.
fn text(v: &serde_json::Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_owned)
}

fn read_password(file: Option<&PathBuf>) -> anyhow::Result<String> {
    let mut text = String::new();
    match file {
        Some(f) => {
            text = std::fs::read_to_string(f)
                .with_context(|| format!("cannot read {}", f.display()))?;
        }
        None => {
            std::io::stdin()
                .read_to_string(&mut text)
                .context("cannot read the password from stdin")?;
        }
    }
    Ok(text.trim_end_matches(['\n', '\r']).to_owned())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let config =
        Config::load(cli.config.as_deref()).map_err(|e| anyhow::anyhow!("configuration: {e}"))?;
    match cli.command {
        Command::Serve => {
            let listen = config.listen;
            let state = knd_server::start(config).await?;
            let listener = tokio::net::TcpListener::bind(listen)
                .await
                .with_context(|| format!("cannot listen on {listen}"))?;
            tracing::info!(address = %listener.local_addr()?, "serving");
            knd_server::serve(listener, state, shutdown_signal()).await?;
        }
        Command::Demo { args, staff } => {
            knd_server::demo::run_with(config, args, staff, shutdown_signal()).await?
        }
        Command::Generate(args) => knd_server::demo::generate(&args)?,
        Command::Migrate => {
            // Opening the store applies the migrations.
            knd_server::start(config).await?;
            println!("migrations applied");
        }
        Command::RebuildProjections { out } => {
            let state = knd_server::start(config).await?;
            let r = knd_server::services::projections::rebuild(&state).await?;
            let v = serde_json::json!({
                "records": r.records, "rows": r.rows, "before": r.before, "after": r.after,
                "identical": r.before == r.after,
            });
            print(
                &out,
                &v,
                &format!(
                    "replayed {} records into {} rows\nbefore {}\nafter  {}\n{}",
                    r.records,
                    r.rows,
                    r.before,
                    r.after,
                    if r.before == r.after {
                        "identical"
                    } else {
                        "DIFFERENT: the projections did not match the records"
                    }
                ),
            );
        }
        Command::Admin(cmd) => {
            let state = knd_server::start(config).await?;
            match cmd {
                Admin::CreateAgency { name, out } => {
                    let v = knd_server::admin::create_agency(&state, &name).await?;
                    print(&out, &v, &format!("agency created: {}", text(&v["id"])));
                }
                Admin::CreateUser {
                    agency,
                    login,
                    role,
                    password_file,
                    out,
                } => {
                    let agency = AgencyId::parse(&agency).context("--agency")?;
                    let role = Role::parse(&role).with_context(|| {
                        format!(
                            "--role {role:?}: one of admin, planner, inspector, reviewer, auditor"
                        )
                    })?;
                    let password = read_password(password_file.as_ref())?;
                    let v = knd_server::admin::create_user(&state, agency, &login, role, password)
                        .await?;
                    print(
                        &out,
                        &v,
                        &format!("user {} created: {}", text(&v["login"]), text(&v["id"])),
                    );
                }
                Admin::EnrollmentCode { user, out } => {
                    let v = knd_server::admin::enrollment_code(&state, &user).await?;
                    print(
                        &out,
                        &v,
                        &format!(
                            "enrollment code for {}: {} (valid until {})",
                            user,
                            text(&v["code"]),
                            text(&v["expires_at"])
                        ),
                    );
                }
                Admin::IssueApiKey { subject, out } => {
                    let v = knd_server::admin::issue_api_key(&state, &subject).await?;
                    print(
                        &out,
                        &v,
                        &format!(
                            "API key {} for {}: {}\nit is shown only this once",
                            text(&v["id"]),
                            subject,
                            text(&v["key"])
                        ),
                    );
                }
                Admin::RevokeApiKey { id, out } => {
                    let id = uuid::Uuid::parse_str(&id).context("API key id")?;
                    let v = knd_server::admin::revoke_api_key(&state, id).await?;
                    print(&out, &v, &format!("API key {id} revoked"));
                }
            }
        }
    }
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    init_tracing();
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
