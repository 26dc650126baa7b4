//! The sentences of [`Why`] and [`LeftOutReason`]: Russian (what the planner reads) and English.

use std::fmt::Write as _;

use time::Date;

use super::why::{DateChoice, InspectorChoice, InspectorPick, LeftOutReason, Why};
use crate::domain::RiskCategory;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Lang {
    Ru,
    En,
}

const MONTHS_RU: [&str; 12] = [
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
];
/// The prepositional case: «в марте».
const MONTHS_RU_IN: [&str; 12] = [
    "январе",
    "феврале",
    "марте",
    "апреле",
    "мае",
    "июне",
    "июле",
    "августе",
    "сентябре",
    "октябре",
    "ноябре",
    "декабре",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

pub(super) fn why(w: &Why, lang: Lang) -> String {
    let mut s = queue(w, lang);
    s.push(' ');
    s.push_str(&date(&w.date, lang));
    s.push(' ');
    s.push_str(&inspectors(&w.inspectors, lang));
    s
}

fn queue(w: &Why, lang: Lang) -> String {
    let cat = category(w.category, lang);
    match (lang, w.overdue_days) {
        (Lang::Ru, 0) => format!("№ {} в очереди ({cat}, срок в плановом году).", w.position),
        (Lang::Ru, n) => format!(
            "№ {} в очереди ({cat}, просрочено на {n} {}).",
            w.position,
            plural_ru(n.into(), "день", "дня", "дней")
        ),
        (Lang::En, 0) => format!(
            "Position {} in the queue ({cat}, due within the year).",
            w.position
        ),
        (Lang::En, n) => format!(
            "Position {} in the queue ({cat}, {n} {} overdue).",
            w.position,
            if n == 1 { "day" } else { "days" }
        ),
    }
}

fn date(d: &DateChoice, lang: Lang) -> String {
    match d {
        DateChoice::LeastLoadedMonth {
            month,
            month_load_per_mille,
            day_load_per_mille,
            skipped_months,
        } => {
            let (m, ml, dl) = (
                *month,
                pct(*month_load_per_mille, lang),
                pct(*day_load_per_mille, lang),
            );
            let mut s = match lang {
                Lang::Ru => format!(
                    "Дата: {} — наименее загруженный месяц окна ({ml}), день — наименее загруженный в нём ({dl}).",
                    capitalised(month_ru(m))
                ),
                Lang::En => format!(
                    "Date: {} is the least loaded month of the window ({ml}), the day the least loaded in it ({dl}).",
                    month_en(m)
                ),
            };
            if !skipped_months.is_empty() {
                let names = skipped_months.iter().map(|m| match lang {
                    Lang::Ru => month_ru(*m),
                    Lang::En => month_en(*m),
                });
                let names = names.collect::<Vec<_>>().join(", ");
                s.push_str(&match lang {
                    Lang::Ru => format!(" Менее загруженные месяцы ({names}) её не вместили."),
                    Lang::En => format!(" The less loaded months ({names}) had no room for it."),
                });
            }
            s
        }
        DateChoice::NextToDistrict {
            district,
            after_id,
            day,
            ..
        } => match lang {
            Lang::Ru => format!(
                "Дата: рядом с записью «{after_id}» того же района «{district}», которая заканчивается {}.",
                day_ru(*day)
            ),
            Lang::En => format!(
                "Date: next to the entry \"{after_id}\" of the same district \"{district}\", which ends on {}.",
                day_en(*day)
            ),
        },
        DateChoice::OnlyStart {
            window_start,
            window_end,
        } => match lang {
            Lang::Ru => format!(
                "Дата: единственная, которую допускает окно с {} по {}.",
                day_ru(*window_start),
                day_ru(*window_end)
            ),
            Lang::En => format!(
                "Date: the only start the window from {} to {} allows.",
                day_en(*window_start),
                day_en(*window_end)
            ),
        },
    }
}

fn inspectors(c: &InspectorChoice, lang: Lang) -> String {
    match c {
        InspectorChoice::LeastLoaded { month, picks } => match lang {
            Lang::Ru => format!(
                "{}: наименее {} в {}: {}.",
                if picks.len() == 1 {
                    "Инспектор"
                } else {
                    "Инспекторы"
                },
                if picks.len() == 1 {
                    "загружен"
                } else {
                    "загружены"
                },
                month_ru_in(*month),
                picks_text(picks, lang)
            ),
            Lang::En => format!(
                "{}: the least loaded in {}: {}.",
                if picks.len() == 1 {
                    "Inspector"
                } else {
                    "Inspectors"
                },
                month_en(*month),
                picks_text(picks, lang)
            ),
        },
        InspectorChoice::ContinuesDistrict {
            district,
            continuing,
            month,
            added,
        } => {
            let ids = continuing.join(", ");
            let one = continuing.len() == 1;
            let mut s = match (lang, one) {
                (Lang::Ru, true) => {
                    format!("Инспектор: {ids} продолжает работу в районе «{district}».")
                }
                (Lang::Ru, false) => {
                    format!("Инспекторы: {ids} продолжают работу в районе «{district}».")
                }
                (Lang::En, true) => {
                    format!("Inspector: {ids} continues the run in the district \"{district}\".")
                }
                (Lang::En, false) => {
                    format!("Inspectors: {ids} continue the run in the district \"{district}\".")
                }
            };
            if !added.is_empty() {
                s.push_str(&match lang {
                    Lang::Ru => format!(
                        " К ним — наименее загруженные в {}: {}.",
                        month_ru_in(*month),
                        picks_text(added, lang)
                    ),
                    Lang::En => format!(
                        " Joined by the least loaded in {}: {}.",
                        month_en(*month),
                        picks_text(added, lang)
                    ),
                });
            }
            s
        }
    }
}

fn picks_text(picks: &[InspectorPick], lang: Lang) -> String {
    let each = picks.iter().map(|p| match lang {
        Lang::Ru => format!(
            "{} (загрузка {}, свободно {} мин)",
            p.id,
            pct(p.load_per_mille, lang),
            num(p.free_minutes, lang)
        ),
        Lang::En => format!(
            "{} (load {}, {} free minutes)",
            p.id,
            pct(p.load_per_mille, lang),
            num(p.free_minutes, lang)
        ),
    });
    each.collect::<Vec<_>>().join(", ")
}

pub(super) fn left_out(r: &LeftOutReason, lang: Lang) -> String {
    let body = match r {
        LeftOutReason::NoCapacity {
            window_start,
            window_end,
            daily_minutes,
            working_days,
            inspectors,
        } => no_capacity(
            (*window_start, *window_end),
            *daily_minutes,
            *working_days,
            *inspectors,
            lang,
        ),
        LeftOutReason::WindowTooShort {
            window_start,
            window_end,
            working_days_in_window,
            needed,
        } => window_too_short(
            (*window_start, *window_end),
            *working_days_in_window,
            *needed,
            lang,
        ),
        LeftOutReason::DayTooLong {
            daily_minutes,
            longest_day,
        } => {
            let (day, longest) = (num(*daily_minutes, lang), num((*longest_day).into(), lang));
            match lang {
                Lang::Ru => format!(
                    "её день ({day} мин вместе с дорогой) длиннее рабочего дня любого инспектора (самый длинный — {longest} мин)."
                ),
                Lang::En => format!(
                    "its day ({day} minutes with travel) is longer than any inspector's working day (the longest is {longest} minutes)."
                ),
            }
        }
        LeftOutReason::TooFewInspectors { needed, available } => match lang {
            Lang::Ru => format!(
                "нужно {needed} {} одновременно, а с достаточно длинным рабочим днём — {available}.",
                plural_ru((*needed).into(), "инспектор", "инспектора", "инспекторов"),
            ),
            Lang::En => format!(
                "it needs {needed} inspectors together, and {available} have a working day long enough."
            ),
        },
        LeftOutReason::InspectorsAway {
            window_start,
            window_end,
            working_days,
            inspectors,
        } => away(
            (*window_start, *window_end),
            *working_days,
            *inspectors,
            lang,
        ),
        LeftOutReason::Invalid {
            working_days,
            inspectors,
        } => match lang {
            Lang::Ru => format!(
                "у записи нет продолжительности или инспекторов (рабочих дней: {working_days}, инспекторов: {inspectors}) — планировать нечего."
            ),
            Lang::En => format!(
                "the entry has no working days or no inspectors (working days: {working_days}, inspectors: {inspectors}) — nothing to schedule."
            ),
        },
    };
    match lang {
        Lang::Ru => format!("Не включена: {body}"),
        Lang::En => format!("Left out: {body}"),
    }
}

fn no_capacity(
    (from, to): (Date, Date),
    daily_minutes: u64,
    working_days: u32,
    inspectors: u32,
    lang: Lang,
) -> String {
    let minutes = num(daily_minutes, lang);
    match lang {
        Lang::Ru => format!(
            "в окне с {} по {} ни у кого нет свободного времени — нужно {minutes} мин в день × {inspectors} {} × {working_days} {}; его заняли записи выше в очереди.",
            day_ru(from),
            day_ru(to),
            plural_ru(inspectors.into(), "инспектор", "инспектора", "инспекторов"),
            plural_ru(
                working_days.into(),
                "рабочий день",
                "рабочих дня",
                "рабочих дней"
            ),
        ),
        Lang::En => format!(
            "no inspector has free time in the window from {} to {} — it needs {minutes} minutes a day × {inspectors} {} × {working_days} working {}; entries earlier in the queue took it.",
            day_en(from),
            day_en(to),
            if inspectors == 1 {
                "inspector"
            } else {
                "inspectors"
            },
            if working_days == 1 { "day" } else { "days" },
        ),
    }
}

fn window_too_short((from, to): (Date, Date), in_window: u32, needed: u32, lang: Lang) -> String {
    match lang {
        Lang::Ru => format!(
            "в окне с {} по {} (в плановом году) {in_window} {}, а нужно {needed} подряд.",
            day_ru(from),
            day_ru(to),
            plural_ru(
                in_window.into(),
                "рабочий день",
                "рабочих дня",
                "рабочих дней"
            ),
        ),
        Lang::En => format!(
            "the window from {} to {} has {in_window} working {} in the plan's year, and it needs {needed} in a row.",
            day_en(from),
            day_en(to),
            if in_window == 1 { "day" } else { "days" },
        ),
    }
}

fn away((from, to): (Date, Date), working_days: u32, inspectors: u32, lang: Lang) -> String {
    match lang {
        Lang::Ru => {
            let days = match working_days {
                1 => "нет рабочего дня".to_owned(),
                n => format!(
                    "нет {n} {} подряд",
                    plural_ru(n.into(), "рабочего дня", "рабочих дней", "рабочих дней")
                ),
            };
            let who = match inspectors {
                1 => "инспектор на месте".to_owned(),
                n => format!(
                    "на месте {n} {} одновременно",
                    plural_ru(n.into(), "инспектор", "инспектора", "инспекторов")
                ),
            };
            format!(
                "даже в пустом плане в окне с {} по {} {days}, когда {who} (отпуска, обучение, болезни).",
                day_ru(from),
                day_ru(to)
            )
        }
        Lang::En => {
            let days = match working_days {
                1 => "no working day".to_owned(),
                n => format!("no {n} working days in a row"),
            };
            let who = match inspectors {
                1 => "an inspector is present".to_owned(),
                n => format!("{n} inspectors are all present"),
            };
            format!(
                "even in an empty plan, the window from {} to {} has {days} on which {who} (leave, training, sickness).",
                day_en(from),
                day_en(to)
            )
        }
    }
}

fn category(c: RiskCategory, lang: Lang) -> String {
    match lang {
        Lang::Ru => c.name_ru().to_owned(),
        Lang::En => format!("{} risk", c.as_str().replace('_', " ")),
    }
}

/// 1 день, 2 дня, 5 дней, 11 дней, 21 день.
fn plural_ru(n: u64, one: &'static str, few: &'static str, many: &'static str) -> &'static str {
    match (n % 10, n % 100) {
        (_, 11..=14) => many,
        (1, _) => one,
        (2..=4, _) => few,
        _ => many,
    }
}

/// Tenths of a percent: «12,5 %» and "12.5%".
fn pct(per_mille: u32, lang: Lang) -> String {
    let (whole, tenth) = (per_mille / 10, per_mille % 10);
    match lang {
        Lang::Ru => format!("{whole},{tenth}\u{a0}%"),
        Lang::En => format!("{whole}.{tenth}%"),
    }
}

/// Thousands grouped: «4 320» (with a no-break space) and "4,320".
fn num(n: u64, lang: Lang) -> String {
    let digits = n.to_string();
    let sep = match lang {
        Lang::Ru => '\u{a0}',
        Lang::En => ',',
    };
    let mut s = String::with_capacity(digits.len() + 4);
    for (k, ch) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k) % 3 == 0 {
            s.push(sep);
        }
        s.push(ch);
    }
    s
}

fn day_ru(d: Date) -> String {
    let mut s = String::new();
    let _ = write!(s, "{:02}.{:02}.{}", d.day(), u8::from(d.month()), d.year());
    s
}

fn day_en(d: Date) -> String {
    crate::calendar::iso_date::format(d)
}

fn month_index(m: u8) -> usize {
    usize::from(m.clamp(1, 12)) - 1
}

fn month_ru(m: u8) -> &'static str {
    MONTHS_RU[month_index(m)]
}

fn month_ru_in(m: u8) -> &'static str {
    MONTHS_RU_IN[month_index(m)]
}

fn month_en(m: u8) -> &'static str {
    MONTHS_EN[month_index(m)]
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn russian_plurals() {
        let check = |n, want| assert_eq!(plural_ru(n, "день", "дня", "дней"), want, "{n}");
        check(1, "день");
        check(2, "дня");
        check(4, "дня");
        check(5, "дней");
        check(11, "дней");
        check(14, "дней");
        check(21, "день");
        check(22, "дня");
        check(111, "дней");
    }

    #[test]
    fn numbers_and_percents() {
        assert_eq!(num(4320, Lang::En), "4,320");
        assert_eq!(num(1_234_567, Lang::Ru), "1\u{a0}234\u{a0}567");
        assert_eq!(num(999, Lang::En), "999");
        assert_eq!(pct(125, Lang::Ru), "12,5\u{a0}%");
        assert_eq!(pct(5, Lang::En), "0.5%");
    }
}
