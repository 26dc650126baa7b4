use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;
use knd_shared::calendar::{Calendar, RegionCalendar, iso_date};

use crate::{Outcome, say};

#[derive(Args)]
#[command(group(
    clap::ArgGroup::new("period")
        .required(true)
        .args(["working_days", "calendar_days", "months", "years"])
))]
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
    /// A period of N months: prints its last day, the same-numbered day of the last month or that
    /// month's last day when it has none (ГК ст.192), moved to the next working day if that is a
    /// non-working day (ГК ст.193).
    #[arg(long, value_name = "N")]
    months: Option<u32>,
    /// A period of N years: prints its last day, the same month and day of the last year
    /// (29 February → 28 February; ГК ст.192), moved to the next working day if that is a
    /// non-working day (ГК ст.193).
    #[arg(long, value_name = "N")]
    years: Option<u32>,
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
    /// Count through provisional years (a year whose transfer decree, or a region's movable
    /// holiday, is not in the data yet); a warning is printed when one is used.
    #[arg(long)]
    allow_provisional: bool,
    /// Count in a region with its own non-working holidays too (see `knd calendar` for the codes,
    /// e.g. tatarstan, bashkortostan).
    #[arg(long, value_name = "CODE")]
    region: Option<String>,
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
        if let Some(code) = &self.region {
            cal = cal.with_region(code)?;
        }
        Ok(cal)
    }
}

pub(crate) fn deadline(args: &DeadlineArgs) -> anyhow::Result<Outcome> {
    let cal = args.calendar.load()?;
    let event = iso_date::parse(&args.date)
        .with_context(|| format!("{:?} is not a date like 2026-03-02", args.date))?;
    let due = match (
        args.working_days,
        args.calendar_days,
        args.months,
        args.years,
    ) {
        (Some(n), ..) => cal.add_working_days(event, n)?,
        (_, Some(n), ..) => cal.calendar_deadline(event, n)?,
        (_, _, Some(n), _) => cal.months_deadline(event, n)?,
        (_, _, _, Some(n)) => cal.years_deadline(event, n)?,
        // clap's argument group makes one of them required.
        (None, None, None, None) => {
            anyhow::bail!("give --working-days, --calendar-days, --months or --years")
        }
    };
    for year in cal.provisional_years_between(event, due) {
        if cal.year(year).is_some_and(|y| y.provisional()) {
            eprintln!(
                "warning: {year} is provisional: its transfer decree is not in the calendar data, \
                 so this date may move"
            );
        }
        if let Some(region) = cal.region().filter(|_| cal.region_provisional(year)) {
            eprintln!(
                "warning: {year} is provisional for the region {}: its regional days off are not \
                 all in the data, so this date may move",
                region.code()
            );
        }
    }
    say(format_args!("{}", iso_date::format(due)))?;
    Ok(Outcome::Valid)
}

pub(crate) fn calendar(args: &CalendarArgs) -> anyhow::Result<Outcome> {
    let cal = args.calendar.load()?;
    if let Some(region) = cal.region() {
        return region_days(region);
    }
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
    say(format_args!("regions (--region CODE):"))?;
    for r in Calendar::embedded_regions() {
        let years: Vec<String> = r
            .years()
            .map(|y| {
                let status = if y.provisional() { " provisional" } else { "" };
                format!("{}{status}", y.year())
            })
            .collect();
        say(format_args!(
            "{} {} [{}]: {}",
            r.code(),
            r.name(),
            years.join(", "),
            r.law()
        ))?;
    }
    Ok(Outcome::Valid)
}

/// One region's non-working days, year by year, each with its source.
fn region_days(region: &RegionCalendar) -> anyhow::Result<Outcome> {
    say(format_args!(
        "{} {}: {}",
        region.code(),
        region.name(),
        region.law()
    ))?;
    for y in region.years() {
        let status = if y.provisional() {
            " (provisional)"
        } else {
            ""
        };
        say(format_args!("{}{status}: {}", y.year(), y.source()))?;
        for day in y.days() {
            say(format_args!(
                "  {} {}: {}",
                iso_date::format(day.date()),
                day.name(),
                day.source()
            ))?;
        }
    }
    Ok(Outcome::Valid)
}
