//! Names a person reads on the plan pages: a plan's status and kind, an entry's state, why an
//! entry was left out, and hours and shares written the Russian way. Russian, then English.

use crate::model::planning::{EntryStatus, PlanKind, PlanStatus};

use super::format;
use super::i18n::Lang;

/// A plan's status (the names of the plan's lifecycle, ст.25 248-ФЗ and ПП 2428).
pub(super) fn status(s: PlanStatus) -> (&'static str, &'static str) {
    match s {
        PlanStatus::Draft => ("проект", "draft"),
        PlanStatus::Sent => ("направлен в прокуратуру", "sent to the prosecutor's office"),
        PlanStatus::Approved => ("утверждён", "approved"),
        PlanStatus::Published => ("опубликован", "published"),
    }
}

/// A plan's kind.
pub(super) fn kind(k: PlanKind) -> (&'static str, &'static str) {
    match k {
        PlanKind::Inspections => (
            "плановые контрольные (надзорные) мероприятия",
            "planned control measures",
        ),
        PlanKind::Visits => (
            "обязательные профилактические визиты",
            "mandatory preventive visits",
        ),
    }
}

/// An entry's state.
pub(super) fn entry_status(s: EntryStatus) -> (&'static str, &'static str) {
    match s {
        EntryStatus::Planned => ("в плане", "planned"),
        EntryStatus::LeftOut => ("не вошёл в план", "left out"),
        EntryStatus::Removed => ("исключён поправкой", "removed by an amendment"),
    }
}

/// A left-out reason's kind as the plan's summary counts it (`LeftOutReason`'s tag).
pub(super) fn left_out_reason(kind: &str) -> (&'static str, &'static str) {
    match kind {
        "no_capacity" => (
            "не хватает рабочего времени инспекторов",
            "not enough of the inspectors' time",
        ),
        "window_too_short" => (
            "допустимый период короче срока мероприятия",
            "the allowed period is shorter than the measure",
        ),
        "day_too_long" => (
            "рабочий день мероприятия с дорогой длиннее дня инспектора",
            "the measure's day with travel is longer than an inspector's",
        ),
        "too_few_inspectors" => (
            "недостаточно инспекторов одновременно",
            "too few inspectors together",
        ),
        "inspectors_away" => (
            "инспекторы отсутствуют (отпуск, обучение, болезнь)",
            "the inspectors are away (leave, training, sickness)",
        ),
        "invalid" => (
            "в правилах не задана трудоёмкость",
            "the rules give the measure no load",
        ),
        _ => ("другая причина", "another reason"),
    }
}

/// Minutes as whole hours: `1 234 ч`.
pub(super) fn hours(lang: Lang, minutes: u64) -> String {
    format!(
        "{} {}",
        format::count((minutes + 30) / 60),
        lang.t("ч", "h")
    )
}

/// A share as a percentage with one decimal, with a comma in Russian: `97,5 %`.
pub(super) fn percent(lang: Lang, share: f64) -> String {
    let tenths = (share * 1000.0).round();
    let s = format!("{:.1}", tenths / 10.0);
    match lang {
        Lang::Ru => format!("{} %", s.replace('.', ",")),
        Lang::En => format!("{s} %"),
    }
}

/// A service's refusal ("русский / English") as a form shows it: Russian, then English.
#[derive(Debug, Clone, Default)]
pub(crate) struct Refusal {
    pub(crate) ru: String,
    /// Empty when the message was not a pair.
    pub(crate) en: String,
}

impl Refusal {
    pub(crate) fn of(message: &str) -> Refusal {
        match message.split_once(" / ") {
            Some((ru, en)) => Refusal {
                ru: ru.trim().to_owned(),
                en: en.trim().to_owned(),
            },
            None => Refusal {
                ru: message.to_owned(),
                en: String::new(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_and_shares() {
        assert_eq!(hours(Lang::Ru, 90), "2 ч");
        assert_eq!(hours(Lang::En, 29), "0 h");
        assert_eq!(hours(Lang::Ru, 60 * 1500), "1\u{202f}500 ч");
        assert_eq!(percent(Lang::Ru, 0.975), "97,5 %");
        assert_eq!(percent(Lang::En, 1.0), "100.0 %");
        assert_eq!(
            left_out_reason("no_capacity").0,
            "не хватает рабочего времени инспекторов"
        );
        assert_eq!(left_out_reason("martian").1, "another reason");
        let r = Refusal::of("нет / no");
        assert_eq!((r.ru.as_str(), r.en.as_str()), ("нет", "no"));
    }
}
