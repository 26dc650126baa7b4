//! `knd`: the KND toolkit's offline command-line tool for auditors and businesses.
//!
//! Exit codes: 0 when the answer is "valid" (or a date was computed), 1 when a record or chain is
//! invalid, 2 when the input itself is unusable (missing file, not JSON, a bad key or date).

mod deadline;
mod filing;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "knd",
    version,
    about = "Verify KND signed records, count legal deadlines and sign a business's filings, offline",
    long_about = "Verify KND signed records and count legal deadlines, offline.\n\n\
        Records are the signed, hash-chained documents an inspector's device produces in the field \
        (format v1: Ed25519 over 'knd.record.v1\\n' + RFC 8785 canonical JSON). Deadlines follow \
        the Russian production calendar, with a region's own holidays if asked, and ГК РФ \
        ст.191-193.\n\n\
        Exit status: 0 valid, 1 invalid, 2 unusable input."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Verify a signed record or a device's chain of records.
    #[command(subcommand)]
    Verify(VerifyCommand),
    /// Compute a deadline from an event date on the production calendar.
    Deadline(deadline::DeadlineArgs),
    /// List the calendar years known, with their legal sources, and the regions; with --region,
    /// that region's non-working days and their laws.
    Calendar(deadline::CalendarArgs),
    /// A controlled person's own filing key: make one, and sign a filing with it.
    #[command(subcommand)]
    Filing(FilingCommand),
}

#[derive(Subcommand)]
enum FilingCommand {
    /// Make a new Ed25519 filing key: writes FILE (mode 0600) and prints the public key to
    /// register (POST /api/v1/business/keys).
    Key(filing::KeyArgs),
    /// Sign a filing as the next record of the key's chain: prints the record to send as
    /// `record` to POST /api/v1/business/signed-filings.
    Sign(filing::SignArgs),
}

#[derive(Subcommand)]
enum VerifyCommand {
    /// Verify one record: prints "ok HASH", or "invalid: REASON" with exit status 1.
    Record(KeyedFile),
    /// Verify a JSON array of one device's records from seq 1, in order: prints
    /// "ok COUNT LAST_HASH", or "invalid at seq N: REASON" with exit status 1.
    Chain(KeyedFile),
    /// Verify an evidence bundle (a record with its receipt, log proofs, checkpoint and the
    /// server's enrollment of its device) against the agency's log key alone: prints
    /// "ok RECORD_HASH in LOG at INDEX of SIZE", or "invalid: WHAT FAILED" with exit status 1.
    Bundle(BundleArgs),
}

#[derive(Args)]
struct BundleArgs {
    /// The bundle, as downloaded from GET /api/v1/records/{id}/bundle.
    file: PathBuf,
    /// The agency's log verifier key, as published (name+hash+base64 key), e.g. from GET /api/v1/log.
    #[arg(long, value_name = "VERIFIER_KEY")]
    log_key: String,
}

#[derive(Args)]
struct KeyedFile {
    /// The file to check, exactly as received (its bytes are verified, not a re-encoding).
    file: PathBuf,
    /// The device's Ed25519 public key, 64 lowercase hex characters (as enrolled).
    #[arg(long, value_name = "HEX")]
    key: String,
}

/// What a command found, when it could look at all.
enum Outcome {
    Valid,
    Invalid,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(&e),
    };
    let result = match cli.command {
        Command::Verify(VerifyCommand::Record(a)) => verify::record(&a.file, &a.key),
        Command::Verify(VerifyCommand::Chain(a)) => verify::chain(&a.file, &a.key),
        Command::Verify(VerifyCommand::Bundle(a)) => verify::bundle(&a.file, &a.log_key),
        Command::Deadline(a) => deadline::deadline(&a),
        Command::Calendar(a) => deadline::calendar(&a),
        Command::Filing(FilingCommand::Key(a)) => filing::key(&a),
        Command::Filing(FilingCommand::Sign(a)) => filing::sign(&a),
    };
    match result {
        Ok(Outcome::Valid) => ExitCode::SUCCESS,
        Ok(Outcome::Invalid) => ExitCode::from(1),
        Err(e) => {
            // One line: the chain of causes joined, for scripts and humans alike.
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Prints one line of the answer. Unlike `println!`, a closed stdout (`knd ... | head -0`) is an
/// error to report, not a panic.
fn say(line: std::fmt::Arguments<'_>) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")
        .and_then(|()| out.flush())
        .map_err(|e| anyhow::anyhow!("cannot write the answer: {e}"))
}

/// Help and version go out as clap prints them; a usage error becomes one line on stderr with
/// exit status 2, like every other unusable input.
fn usage_error(e: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        // Printing help can only fail if stdout is closed; there is nothing left to say then.
        let _ = e.print();
        return if e.use_stderr() {
            ExitCode::from(2)
        } else {
            ExitCode::SUCCESS
        };
    }
    let text = e.render().to_string();
    let message: Vec<&str> = text
        .lines()
        .take_while(|l| !l.starts_with("Usage:"))
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    eprintln!("{} (see knd --help)", message.join(" "));
    ExitCode::from(2)
}
