//! Names a person reads on the risk pages: a proposal's status, an event's kind, a category
//! (Russian, then English). The kinds' Russian names are the service's own, so a refusal and a
//! page name a kind the same way.

use knd_shared::RiskCategory;

use super::i18n::Lang;
use super::names;
use crate::model::planning::ProposalStatus;
use crate::services::risk_events;

/// A category proposal's status.
pub(super) fn status(lang: Lang, s: ProposalStatus) -> &'static str {
    match s {
        ProposalStatus::Pending => lang.t("ожидает решения", "waiting for a decision"),
        ProposalStatus::Confirmed => lang.t("подтверждено", "confirmed"),
        ProposalStatus::Rejected => lang.t("отклонено", "rejected"),
        ProposalStatus::Superseded => lang.t("заменено новым предложением", "superseded"),
    }
}

/// A risk category, or the words for none assigned (ч.7 ст.23: counted as low).
pub(super) fn category(lang: Lang, c: Option<RiskCategory>) -> &'static str {
    match c {
        Some(c) => {
            let (ru, en) = names::risk(c);
            lang.t(ru, en)
        }
        None => lang.t("не присвоена (низкий)", "not assigned (low)"),
    }
}

/// An event kind (one of `model::planning::EVENT_KINDS`).
pub(super) fn event_kind(lang: Lang, kind: &str) -> &'static str {
    let en = match kind {
        "complaint_confirmed" => "confirmed complaint",
        "sensor_exceedance" => "sensor limit exceeded",
        "order_overdue" => "order deadline passed without a report",
        "violation_found" => "violation found",
        "order_issued" => "order issued",
        "order_fulfilled" => "order fulfilled",
        "planned_inspection" => "planned inspection held",
        "preventive_visit" => "preventive visit held",
        "self_assessment" => "self-assessment",
        "declaration" => "declaration of compliance",
        "activity_notice" => "notice of starting activity",
        _ => "event",
    };
    lang.t(risk_events::kind_ru(kind), en)
}

/// «да», «нет» or nothing, for an event's `passed`.
pub(super) fn passed(lang: Lang, p: Option<bool>) -> &'static str {
    match p {
        Some(true) => lang.t("да", "yes"),
        Some(false) => lang.t("нет", "no"),
        None => "",
    }
}

/// A scoring run's time, as a person reads it.
pub(super) fn duration(lang: Lang, ms: u64) -> String {
    if ms < 1000 {
        format!("{ms} {}", lang.t("мс", "ms"))
    } else {
        #[allow(clippy::cast_precision_loss)]
        let s = format!("{:.1}", ms as f64 / 1000.0);
        // Russian writes a decimal comma.
        let s = lang.t(&s.replace('.', ","), &s).to_owned();
        format!("{s} {}", lang.t("с", "s"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::planning::EVENT_KINDS;

    #[test]
    fn every_kind_has_both_names() {
        for k in EVENT_KINDS {
            assert_ne!(event_kind(Lang::Ru, k), "событие", "{k}");
            assert_ne!(event_kind(Lang::En, k), "event", "{k}");
        }
        assert_eq!(duration(Lang::Ru, 1500), "1,5 с");
        assert_eq!(duration(Lang::En, 20), "20 ms");
    }
}
