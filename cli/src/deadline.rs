use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;
use knd_shared::calendar::{Calendar, iso_date};

use crate::{Outcome, say};

#[derive(Args)]
#[command(group(clap::ArgGroup::new("period").required(true).args(["working_days", "calendar_days"])))]
pub(crate) struct DeadlineArgs {
    /// The event the period runs from, YYYY-MM-DD. The period starts the next day (ГК ст.191).
    date: String,
    /// A period of N working days: prints the N-th working day after the event.
    #[arg(long, value_name = "N")]
    working_days: Option<u32>,
    /// A period of N calendar days: prints its last day, moved to the next working day if that is
    /// a non-working day (ГК ст.193).
    #[arg(long, value_name = "N")]
    calendar_days: Option<u32>,
    #[command(flatten)]
    calendar: CalendarSource,
}

#[derive(Args)]
pub(crate) struct CalendarArgs {
    #[command(flatten)]
    calendar: CalendarSource,
}

#[derive(Args)]
struct CalendarSource {
    /// A calendar file (one year object or an array of them, as in shared/src/calendar/years/)
    /// adding or replacing years of the built-in calendar.
    #[arg(long, value_name = "FILE")]
    calendar: Option<PathBuf>,
    /// Count through provisional years (a year whose transfer decree is not in the data yet);
    /// a warning is printed when one is used.
    #[arg(long)]
    allow_provisional: bool,
}

impl CalendarSource {
    fn load(&self) -> anyhow::Result<Calendar> {
        let mut cal = Calendar::embedded().allow_provisional(self.allow_provisional);
        if let Some(path) = &self.calendar {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            cal.load_json(&text)
                .with_context(|| format!("calendar file {}", path.display()))?;
        }
        Ok(cal)
    }
}

pub(crate) fn deadline(args: &DeadlineArgs) -> anyhow::Result<Outcome> {
    let cal = args.calendar.load()?;
    let event = iso_date::parse(&args.date)
        .with_context(|| format!("{:?} is not a date like 2026-03-02", args.date))?;
    let due = match (args.working_days, args.calendar_days) {
        (Some(n), _) => cal.add_working_days(event, n)?,
        (None, Some(n)) => cal.calendar_deadline(event, n)?,
        // clap's argument group makes one of the two required.
        (None, None) => anyhow::bail!("give --working-days or --calendar-days"),
    };
    for year in cal.provisional_years_between(event, due) {
        eprintln!(
            "warning: {year} is provisional: its transfer decree is not in the calendar data, \
             so this date may move"
        );
    }
    say(format_args!("{}", iso_date::format(due)))?;
    Ok(Outcome::Valid)
}

pub(crate) fn calendar(args: &CalendarArgs) -> anyhow::Result<Outcome> {
    let cal = args.calendar.load()?;
    for y in cal.years() {
        let status = if y.provisional() {
            " (provisional)"
        } else {
            ""
        };
        say(format_args!(
            "{} {} working days{status}: {}",
            y.year(),
            y.working_days(),
            y.source()
        ))?;
    }
    Ok(Outcome::Valid)
}
