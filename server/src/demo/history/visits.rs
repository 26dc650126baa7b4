//! Preventive visits in an object's history: the mandatory ones of its category since ПП 1511
//! set their periodicity (counted towards it), the occasional visit of earlier years (ст.52,
//! not counted), and the visit after a new object's notice of starting activity (not counted).

use time::Date;
use time::macros::date;

use super::{Drawing, HistoryEvent, Kind, days, weekday};
use knd_shared::RiskCategory;

/// ПП 1511 of 01.10.2025: mandatory preventive visits at most once per N years by category;
/// visits from this day on count towards the periodicity.
pub(super) const VISITS_COUNTED_FROM: Date = date!(2025 - 10 - 01);

impl Drawing<'_, '_> {
    /// The visits of an object of `category` decided on `decided_on`.
    pub(super) fn visits(
        &mut self,
        category: RiskCategory,
        decided_on: Date,
        opened: Option<Date>,
    ) {
        let every = self
            .place
            .rules
            .periodicity
            .get(&category)
            .and_then(|p| p.visit_every_years);
        if let Some(n) = every {
            // Earlier visits at the subject's request or the agency's initiative: now and then.
            let mut year = self.from;
            while year < VISITS_COUNTED_FROM.min(self.today) {
                if self.rng.chance(4) {
                    let on = weekday(year + days(self.rng.range(0, 364)));
                    if on < VISITS_COUNTED_FROM {
                        self.push(
                            HistoryEvent::new(
                                Kind::PreventiveVisit,
                                on,
                                "профилактический визит (ст.52)",
                            )
                            .passed(false),
                        );
                    }
                }
                year += days(365);
            }
            // The mandatory visit of the category's period, when it has already taken place:
            // the shorter the period, the likelier.
            let from = VISITS_COUNTED_FROM.max(decided_on + days(1));
            if from <= self.today && self.rng.below(1000) < 1350 / u64::from(n.max(1)) {
                let on = weekday(super::between(self.rng, from, self.today));
                if on <= self.today {
                    self.push(
                        HistoryEvent::new(
                            Kind::PreventiveVisit,
                            on,
                            "обязательный профилактический визит (ст.52.1)",
                        )
                        .passed(true),
                    );
                }
            }
        }
        if let Some(notice) = opened {
            if self.rng.chance(60) {
                let on = weekday(notice + days(self.rng.range(20, 170)));
                self.push(
                    HistoryEvent::new(
                        Kind::PreventiveVisit,
                        on,
                        "профилактический визит после уведомления о начале деятельности",
                    )
                    .passed(false),
                );
            }
        }
    }
}
