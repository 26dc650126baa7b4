//! Domain enumerations fixed by 248-FZ itself (as opposed to the per-control-type configuration).

use serde::{Deserialize, Serialize};

/// Risk category of a control object (ч.1 ст.23 248-FZ).
///
/// Ordered by risk: `Low < Moderate < ... < ExtremelyHigh`, so `max()` of several assessments is the
/// most severe. An object with no assigned category counts as [`RiskCategory::Low`] (ч.7 ст.23).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskCategory {
    /// низкий риск
    Low,
    /// умеренный риск
    Moderate,
    /// средний риск
    Medium,
    /// значительный риск
    Significant,
    /// высокий риск
    High,
    /// чрезвычайно высокий риск
    ExtremelyHigh,
}

impl RiskCategory {
    /// All six, from the lowest risk to the highest.
    pub const ALL: [RiskCategory; 6] = [
        RiskCategory::Low,
        RiskCategory::Moderate,
        RiskCategory::Medium,
        RiskCategory::Significant,
        RiskCategory::High,
        RiskCategory::ExtremelyHigh,
    ];

    /// The category's name as the law writes it.
    pub fn name_ru(self) -> &'static str {
        match self {
            RiskCategory::Low => "низкий риск",
            RiskCategory::Moderate => "умеренный риск",
            RiskCategory::Medium => "средний риск",
            RiskCategory::Significant => "значительный риск",
            RiskCategory::High => "высокий риск",
            RiskCategory::ExtremelyHigh => "чрезвычайно высокий риск",
        }
    }

    /// The wire name (`extremely_high`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            RiskCategory::Low => "low",
            RiskCategory::Moderate => "moderate",
            RiskCategory::Medium => "medium",
            RiskCategory::Significant => "significant",
            RiskCategory::High => "high",
            RiskCategory::ExtremelyHigh => "extremely_high",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// Kind of control (supervisory) measure, КНМ (ст.56 248-FZ).
///
/// ч.2 lists the measures carried out with interaction with the controlled person, ч.3 those
/// without. Interaction matters: only measures with interaction are limited by the moratorium and
/// need the subject's presence, and only they count towards the interaction-hours limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InspectionKind {
    /// контрольная закупка (ст.67)
    TestPurchase,
    /// мониторинговая закупка (ст.68)
    MonitoringPurchase,
    /// выборочный контроль (ст.69)
    SampleCheck,
    /// инспекционный визит (ст.70)
    InspectionVisit,
    /// рейдовый осмотр (ст.71)
    Raid,
    /// документарная проверка (ст.72)
    DocumentCheck,
    /// выездная проверка (ст.73)
    FieldCheck,
    /// наблюдение за соблюдением обязательных требований (ст.74)
    Observation,
    /// выездное обследование (ст.75)
    FieldSurvey,
    /// обязательный профилактический визит (ст.52, ст.52.1): a preventive measure, not a
    /// control measure, carried through the same plan, assignment and pull as one.
    PreventiveVisit,
}

impl InspectionKind {
    /// The nine control measures in the order of ст.56, then the preventive visit.
    pub const ALL: [InspectionKind; 10] = [
        InspectionKind::TestPurchase,
        InspectionKind::MonitoringPurchase,
        InspectionKind::SampleCheck,
        InspectionKind::InspectionVisit,
        InspectionKind::Raid,
        InspectionKind::DocumentCheck,
        InspectionKind::FieldCheck,
        InspectionKind::Observation,
        InspectionKind::FieldSurvey,
        InspectionKind::PreventiveVisit,
    ];

    /// The wire name (snake_case, as serde writes it).
    pub fn as_str(self) -> &'static str {
        match self {
            InspectionKind::TestPurchase => "test_purchase",
            InspectionKind::MonitoringPurchase => "monitoring_purchase",
            InspectionKind::SampleCheck => "sample_check",
            InspectionKind::InspectionVisit => "inspection_visit",
            InspectionKind::Raid => "raid",
            InspectionKind::DocumentCheck => "document_check",
            InspectionKind::FieldCheck => "field_check",
            InspectionKind::Observation => "observation",
            InspectionKind::FieldSurvey => "field_survey",
            InspectionKind::PreventiveVisit => "preventive_visit",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The longest the kind may last, in working days, for an inspection of `places` places:
    /// a field check at most 10 (ст.73), a document check 10 (ст.72), a raid 10 (ст.71), an
    /// inspection visit one working day per place (ст.70). `None`: the law sets no term in
    /// working days for the kind (the regulation of the control type may).
    pub fn max_working_days(self, places: usize) -> Option<u32> {
        match self {
            InspectionKind::FieldCheck | InspectionKind::DocumentCheck | InspectionKind::Raid => {
                Some(10)
            }
            InspectionKind::InspectionVisit => {
                Some(u32::try_from(places.max(1)).unwrap_or(u32::MAX))
            }
            // A visit takes at most one working day (ст.52); the plan's policy gives it the
            // 2 hours the planning issue names.
            InspectionKind::PreventiveVisit => Some(1),
            _ => None,
        }
    }

    /// A preventive measure (ст.45), not a control measure: no moratorium, no checklist, no
    /// act or order.
    pub fn is_preventive(self) -> bool {
        self == InspectionKind::PreventiveVisit
    }

    /// Whether a checklist must be used (ПП 1844: raids and field checks).
    pub fn requires_checklist(self) -> bool {
        matches!(self, InspectionKind::Raid | InspectionKind::FieldCheck)
    }

    /// Whether the measure involves interaction with the controlled person (ст.56 ч.2 vs ч.3).
    pub fn involves_interaction(self) -> bool {
        !matches!(
            self,
            InspectionKind::Observation | InspectionKind::FieldSurvey
        )
    }

    /// Whether the measure may be planned: observation and field survey never are (ст.74, ст.75:
    /// measures without interaction are carried out only on a task, never by the plan).
    pub fn may_be_planned(self) -> bool {
        self.involves_interaction()
    }

    /// Whether an unplanned measure of this kind on ground п.1 ч.1 ст.57 needs the prosecutor's
    /// agreement before it is scheduled: a field check and an inspection visit (DESIGN.md
    /// section 7; the procedure is Приказ Генпрокуратуры № 294 of 02.06.2021).
    pub fn needs_prosecutor_agreement(self, ground: Ground) -> bool {
        ground == Ground::HarmOrRiskIndicator
            && matches!(
                self,
                InspectionKind::FieldCheck | InspectionKind::InspectionVisit
            )
    }

    /// The article of 248-FZ that governs the kind.
    pub fn article(self) -> &'static str {
        match self {
            InspectionKind::TestPurchase => "ст.67",
            InspectionKind::MonitoringPurchase => "ст.68",
            InspectionKind::SampleCheck => "ст.69",
            InspectionKind::InspectionVisit => "ст.70",
            InspectionKind::Raid => "ст.71",
            InspectionKind::DocumentCheck => "ст.72",
            InspectionKind::FieldCheck => "ст.73",
            InspectionKind::Observation => "ст.74",
            InspectionKind::FieldSurvey => "ст.75",
            InspectionKind::PreventiveVisit => "ст.52",
        }
    }

    /// The measure's name as the law writes it.
    pub fn name_ru(self) -> &'static str {
        match self {
            InspectionKind::TestPurchase => "контрольная закупка",
            InspectionKind::MonitoringPurchase => "мониторинговая закупка",
            InspectionKind::SampleCheck => "выборочный контроль",
            InspectionKind::InspectionVisit => "инспекционный визит",
            InspectionKind::Raid => "рейдовый осмотр",
            InspectionKind::DocumentCheck => "документарная проверка",
            InspectionKind::FieldCheck => "выездная проверка",
            InspectionKind::Observation => "наблюдение за соблюдением обязательных требований",
            InspectionKind::FieldSurvey => "выездное обследование",
            InspectionKind::PreventiveVisit => "обязательный профилактический визит",
        }
    }
}

/// The ground of a control measure (ч.1 ст.57 248-FZ). Only [`Ground::Plan`] is planned; every
/// other ground makes the measure unplanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ground {
    /// п.1: information on harm or a threat of harm to protected values, or an object matching
    /// (or deviating from) the parameters of a risk indicator.
    HarmOrRiskIndicator,
    /// п.2: the measure's term in the approved annual plan has come.
    Plan,
    /// п.3: an instruction of the President or of the Government about specific subjects.
    Instruction,
    /// п.4: a prosecutor's demand, on materials and complaints received by the prosecutor's office.
    ProsecutorDemand,
    /// п.5: the deadline of the agency's order to remedy a violation has passed (ч.1 ст.95).
    OrderDeadline,
    /// п.6: an event named in the programme of checks, where the law of the control type
    /// provides for one.
    ProgrammeEvent,
    /// A further point of ч.1 ст.57 (or a ground another federal law gives), named in the
    /// inspection's note.
    Other,
    /// Not stated: an inspection migrated from the old `unplanned` basis whose note named no
    /// ground. It needs a correction before it can be scheduled again or started.
    Unspecified,
}

impl Ground {
    /// Every ground, in the order of ч.1 ст.57.
    pub const ALL: [Ground; 8] = [
        Ground::HarmOrRiskIndicator,
        Ground::Plan,
        Ground::Instruction,
        Ground::ProsecutorDemand,
        Ground::OrderDeadline,
        Ground::ProgrammeEvent,
        Ground::Other,
        Ground::Unspecified,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Ground::HarmOrRiskIndicator => "harm_or_risk_indicator",
            Ground::Plan => "plan",
            Ground::Instruction => "instruction",
            Ground::ProsecutorDemand => "prosecutor_demand",
            Ground::OrderDeadline => "order_deadline",
            Ground::ProgrammeEvent => "programme_event",
            Ground::Other => "other",
            Ground::Unspecified => "unspecified",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.as_str() == s)
    }

    /// Whether the measure is planned (п.2) rather than unplanned.
    pub fn is_planned(self) -> bool {
        self == Ground::Plan
    }

    /// The point of ч.1 ст.57 it rests on.
    pub fn citation(self) -> &'static str {
        match self {
            Ground::HarmOrRiskIndicator => "п.1 ч.1 ст.57 248-ФЗ",
            Ground::Plan => "п.2 ч.1 ст.57 248-ФЗ",
            Ground::Instruction => "п.3 ч.1 ст.57 248-ФЗ",
            Ground::ProsecutorDemand => "п.4 ч.1 ст.57 248-ФЗ",
            Ground::OrderDeadline => "п.5 ч.1 ст.57 248-ФЗ",
            Ground::ProgrammeEvent => "п.6 ч.1 ст.57 248-ФЗ",
            Ground::Other => "ч.1 ст.57 248-ФЗ",
            Ground::Unspecified => "основание не указано",
        }
    }

    /// The ground's name in Russian, as a document states it.
    pub fn name_ru(self) -> &'static str {
        match self {
            Ground::HarmOrRiskIndicator => {
                "сведения о причинении вреда (ущерба) или об угрозе его причинения, либо индикатор риска"
            }
            Ground::Plan => "план проведения плановых контрольных (надзорных) мероприятий",
            Ground::Instruction => "поручение Президента РФ или Правительства РФ",
            Ground::ProsecutorDemand => "требование прокурора",
            Ground::OrderDeadline => "истечение срока исполнения предписания",
            Ground::ProgrammeEvent => "событие, указанное в программе проверок",
            Ground::Other => "иное основание ч.1 ст.57",
            Ground::Unspecified => "основание не указано (требует исправления)",
        }
    }

    /// The ground as a document or a screen states it: its point of ч.1 ст.57 and its name (an
    /// unspecified ground only says that it needs a correction).
    pub fn title_ru(self) -> String {
        match self {
            Ground::Unspecified => self.name_ru().to_owned(),
            g => format!("{} — {}", g.citation(), g.name_ru()),
        }
    }

    /// Reads a ground stated in free text (the note of an inspection created before grounds
    /// existed): the point of ч.1 ст.57 it cites, or a wording only one ground uses. `None` when
    /// the text names no ground, or more than one.
    pub fn from_note(note: &str) -> Option<Self> {
        let text = note.to_lowercase();
        let by_point = [
            ("п.1 ч.1 ст.57", Ground::HarmOrRiskIndicator),
            ("п.3 ч.1 ст.57", Ground::Instruction),
            ("п.4 ч.1 ст.57", Ground::ProsecutorDemand),
            ("п.5 ч.1 ст.57", Ground::OrderDeadline),
            ("п.6 ч.1 ст.57", Ground::ProgrammeEvent),
        ];
        let by_words = [
            ("индикатор", Ground::HarmOrRiskIndicator),
            ("угроз", Ground::HarmOrRiskIndicator),
            ("причинени", Ground::HarmOrRiskIndicator),
            ("поручени", Ground::Instruction),
            ("прокурор", Ground::ProsecutorDemand),
            ("предписани", Ground::OrderDeadline),
            ("программ", Ground::ProgrammeEvent),
        ];
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let mut found: Vec<Ground> = by_point
            .iter()
            .filter(|(p, _)| compact.contains(&p.replace(' ', "")))
            .map(|(_, g)| *g)
            .collect();
        if found.is_empty() {
            found = by_words
                .iter()
                .filter(|(w, _)| text.contains(w))
                .map(|(_, g)| *g)
                .collect();
        }
        found.dedup();
        match found.as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_are_ordered_by_risk() {
        let mut sorted = RiskCategory::ALL;
        sorted.sort();
        assert_eq!(sorted, RiskCategory::ALL);
        assert!(RiskCategory::ExtremelyHigh > RiskCategory::High);
        assert!(RiskCategory::Moderate > RiskCategory::Low);
        for c in RiskCategory::ALL {
            assert_eq!(RiskCategory::parse(c.as_str()), Some(c));
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.as_str()));
        }
    }

    #[test]
    fn kinds_round_trip_and_have_terms() {
        for k in InspectionKind::ALL {
            assert_eq!(InspectionKind::parse(k.as_str()), Some(k));
            let json = serde_json::to_string(&k).unwrap();
            assert_eq!(json, format!("\"{}\"", k.as_str()));
        }
        assert_eq!(InspectionKind::FieldCheck.max_working_days(3), Some(10));
        assert_eq!(InspectionKind::InspectionVisit.max_working_days(3), Some(3));
        assert_eq!(InspectionKind::InspectionVisit.max_working_days(0), Some(1));
        assert_eq!(InspectionKind::Observation.max_working_days(1), None);
    }

    #[test]
    fn grounds_round_trip_and_only_the_plan_is_planned() {
        for g in Ground::ALL {
            assert_eq!(Ground::parse(g.as_str()), Some(g));
            assert_eq!(
                serde_json::to_string(&g).unwrap(),
                format!("\"{}\"", g.as_str())
            );
            assert_eq!(g.is_planned(), g == Ground::Plan);
        }
        assert_eq!(
            Ground::Plan.title_ru(),
            "п.2 ч.1 ст.57 248-ФЗ — план проведения плановых контрольных (надзорных) мероприятий"
        );
        assert_eq!(
            Ground::Unspecified.title_ru(),
            "основание не указано (требует исправления)"
        );
    }

    #[track_caller]
    fn check_note(note: &str, expected: Option<Ground>) {
        assert_eq!(Ground::from_note(note), expected, "{note:?}");
    }

    #[test]
    fn grounds_read_from_old_notes() {
        use Ground::*;
        check_note("", None);
        check_note("Внеплановая проверка", None);
        check_note("требование прокурора от 01.02.2026", Some(ProsecutorDemand));
        check_note("по п.5 ч.1 ст.57: истёк срок", Some(OrderDeadline));
        check_note("п. 1 ч. 1 ст. 57", Some(HarmOrRiskIndicator));
        check_note("сработал индикатор риска", Some(HarmOrRiskIndicator));
        check_note("поручение Правительства", Some(Instruction));
        check_note("прокурор и предписание", None);
    }

    #[test]
    fn who_needs_the_prosecutor() {
        use InspectionKind::*;
        for k in InspectionKind::ALL {
            for g in Ground::ALL {
                let expected =
                    g == Ground::HarmOrRiskIndicator && matches!(k, FieldCheck | InspectionVisit);
                assert_eq!(k.needs_prosecutor_agreement(g), expected, "{k:?} {g:?}");
            }
        }
        assert!(!Observation.may_be_planned());
        assert!(!FieldSurvey.may_be_planned());
        assert!(FieldCheck.may_be_planned());
        assert_eq!(Raid.article(), "ст.71");
        assert_eq!(TestPurchase.article(), "ст.67");
        assert_eq!(MonitoringPurchase.article(), "ст.68");
        assert_eq!(SampleCheck.article(), "ст.69");
    }

    #[test]
    fn seven_kinds_interact_and_two_do_not() {
        let without: Vec<_> = InspectionKind::ALL
            .into_iter()
            .filter(|k| !k.involves_interaction())
            .collect();
        assert_eq!(
            without,
            [InspectionKind::Observation, InspectionKind::FieldSurvey]
        );
        assert_eq!(
            serde_json::to_string(&InspectionKind::FieldCheck).unwrap(),
            "\"field_check\""
        );
    }
}
