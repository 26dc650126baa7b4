//! Interaction time (ст.73: at most 50 hours in a field check of a small enterprise, 15 of a
//! micro enterprise). The inspector starts and stops each on-site interval; the start is kept on
//! the device unsigned, and the stop signs the whole interval as an `interaction` record. The
//! screen shows the total (signed intervals plus the one under way) against the limit.

use knd_shared::record::Timestamp;
use knd_shared::record::kinds::{self, RecordKind};
use knd_shared::{Inn, InspectionId};
use serde_json::Value;

use super::assignment;
use super::fieldwork::{map_of, parse_inspection};
use super::present;
use super::views::{InteractionIntervalView, InteractionLevel, InteractionView};
use super::{App, AppError, AppResult};
use crate::store::{OpenInteraction, RecordRow};

/// Where `seconds` of interaction stand against a limit of `limit_minutes`: near from 80 % of
/// it, reached once it is used up.
pub(super) fn level(seconds: u64, limit_minutes: Option<u32>) -> InteractionLevel {
    let Some(limit) = limit_minutes.map(|m| u64::from(m) * 60) else {
        return InteractionLevel::Within;
    };
    if seconds >= limit {
        InteractionLevel::Reached
    } else if seconds * 5 >= limit * 4 {
        InteractionLevel::Near
    } else {
        InteractionLevel::Within
    }
}

fn seconds_between(from: Timestamp, to: Timestamp) -> u64 {
    let d = to.as_datetime() - from.as_datetime();
    u64::try_from(d.whole_seconds()).unwrap_or(0)
}

fn minutes(seconds: u64) -> u32 {
    u32::try_from(seconds / 60).unwrap_or(u32::MAX)
}

/// The interaction view from the inspection's records, the interval under way and `now`.
pub(super) fn view(
    rows: &[RecordRow],
    open: Option<&OpenInteraction>,
    limit_minutes: Option<u32>,
    now: Timestamp,
) -> InteractionView {
    let mut intervals = Vec::new();
    let mut signed = 0u64;
    for r in rows.iter().filter(|r| r.kind == "interaction") {
        let Ok(i) = kinds::decode_body::<kinds::Interaction>(&r.body) else {
            continue;
        };
        let s = seconds_between(i.started_at, i.ended_at);
        signed += s;
        intervals.push(InteractionIntervalView {
            record: r.id.clone(),
            started_at: i.started_at.to_string(),
            ended_at: i.ended_at.to_string(),
            minutes: minutes(s),
            subject: i.subject.map(|s| s.to_string()),
            state: present::state(r.state, r.rejected_reason.is_some()),
        });
    }
    let running = open.map_or(0, |o| seconds_between(o.started_at, now));
    let total = signed + running;
    InteractionView {
        limit_minutes,
        signed_minutes: minutes(signed),
        open_since: open.map(|o| o.started_at.to_string()),
        open_subject: open.and_then(|o| o.subject.clone()),
        total_minutes: minutes(total),
        level: level(total, limit_minutes),
        intervals,
    }
}

impl App {
    /// The inspection's interaction time now; `None` for a measure without interaction.
    pub(super) fn interaction_of(
        &self,
        inspection: InspectionId,
        a: &Value,
        rows: &[RecordRow],
    ) -> AppResult<Option<InteractionView>> {
        if !assignment::kind(a).is_some_and(|k| k.involves_interaction()) {
            return Ok(None);
        }
        let open = self.store().open_interaction(inspection)?;
        Ok(Some(view(
            rows,
            open.as_ref(),
            assignment::interaction_limit_minutes(a),
            Timestamp::now(),
        )))
    }

    /// The inspection's interaction time now (for the screen to refresh its running total).
    pub fn interaction(&self, id: &str) -> AppResult<InteractionView> {
        let inspection = parse_inspection(id)?;
        let a = self.assignment_of(inspection)?;
        let rows = self.store().inspection_records(inspection)?;
        self.interaction_of(inspection, &a, &rows)?
            .ok_or_else(no_interaction)
    }

    /// Starts an interval of interaction now (the inspection too, if it is not started). In a
    /// measure concerning several controlled persons, `subject` (an INN among them) is required.
    pub fn start_interaction(
        &self,
        id: &str,
        subject: Option<String>,
    ) -> AppResult<InteractionView> {
        let inspection = parse_inspection(id)?;
        let a = self.assignment_of(inspection)?;
        if !assignment::kind(&a).is_some_and(|k| k.involves_interaction()) {
            return Err(no_interaction());
        }
        self.refuse_after_act(inspection)?;
        let subjects = assignment::subjects(&a);
        let subject = subject
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty());
        let subject = match subject {
            Some(inn) => {
                let inn = Inn::parse(&inn).map_err(|e| {
                    AppError::invalid(format!("неверный ИНН / invalid INN {inn}: {e}"))
                })?;
                if !subjects.iter().any(|s| s.inn == inn.as_str()) {
                    return Err(AppError::invalid(format!(
                        "лицо с ИНН {inn} не указано в задании / the assignment names no controlled person with INN {inn}"
                    )));
                }
                Some(inn.to_string())
            }
            None if subjects.len() > 1 => {
                return Err(AppError::invalid(
                    "укажите, с каким контролируемым лицом идёт взаимодействие / choose the controlled person the interaction is with",
                ));
            }
            None => None,
        };
        let open = OpenInteraction {
            started_at: Timestamp::now(),
            subject,
        };
        let first = self.start_if_needed(inspection)?;
        let begun = self.with_key(|key| {
            Ok(self
                .store()
                .begin_interaction(key, inspection, &open, first)?)
        })?;
        if !begun {
            return Err(AppError::invalid(
                "взаимодействие уже идёт: сначала завершите его / an interaction is already under way: stop it first",
            ));
        }
        self.sync.wake();
        self.interaction(id)
    }

    /// Stops the interval under way and signs it as an `interaction` record.
    pub fn stop_interaction(&self, id: &str) -> AppResult<InteractionView> {
        let inspection = parse_inspection(id)?;
        self.assignment_of(inspection)?;
        let Some(open) = self.store().open_interaction(inspection)? else {
            return Err(AppError::invalid(
                "взаимодействие не начато / no interaction is under way",
            ));
        };
        let ended_at = Timestamp::now();
        if ended_at.as_datetime() < open.started_at.as_datetime() {
            return Err(AppError::invalid(format!(
                "часы устройства показывают время раньше начала взаимодействия ({}): проверьте время на устройстве / the device clock reads earlier than the interaction's start ({}): check the device's time",
                open.started_at, open.started_at
            )));
        }
        let subject = open
            .subject
            .as_deref()
            .map(Inn::parse)
            .transpose()
            .map_err(|e| AppError::invalid(e.to_string()))?;
        let body = kinds::Interaction {
            inspection,
            started_at: open.started_at,
            ended_at,
            subject,
        };
        let record = (RecordKind::Interaction, map_of(&body)?);
        self.with_key(|key| {
            Ok(self
                .store()
                .end_interaction(key, inspection, vec![record])?)
        })?;
        self.sync.wake();
        self.interaction(id)
    }
}

fn no_interaction() -> AppError {
    AppError::invalid(
        "это мероприятие проводится без взаимодействия / this control measure has no interaction",
    )
}
