//! What the risk model learns from a business's self-assessments and declarations (ст.23: the
//! subject's conscientiousness), written as risk events of each of its objects of the control
//! type in the agency, in the transaction of the filing or step (`model::filings::RiskNote`):
//!
//! - a self-assessment: `self_assessment` on the day filed, `passed` when it qualifies;
//! - a registered declaration: `declaration` from the day registered to its last day (ГК ст.192);
//! - an annulled or replaced one: that event's last day becomes the day before (it stops
//!   counting from the annulment; a replacement is covered by the newer declaration, but ends
//!   too, so a later annulment of the newer one leaves nothing in force).

use knd_shared::calendar::iso_date;
use serde_json::Value;
use time::Date;

use crate::error::{ApiError, ApiResult};
use crate::model::filings::{Filing, RiskChange, RiskNote};

fn control_type(f: &Filing) -> ApiResult<String> {
    f.body
        .get("control_type")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| ApiError::Internal(format!("filing {}: no control type", f.id)))
}

/// A date a stored step names (`on`, `valid_until`).
pub(super) fn day_of(step: &Value, key: &str) -> Option<Date> {
    step.get(key)
        .and_then(Value::as_str)
        .and_then(|d| iso_date::parse(d).ok())
}

/// A self-assessment's result.
pub fn self_assessment(f: &Filing, qualifies: bool) -> ApiResult<RiskNote> {
    Ok(RiskNote {
        control_type: control_type(f)?,
        kind: "self_assessment",
        source: format!("filing:{}", f.id),
        change: RiskChange::Add {
            occurred_on: f.received_on,
            due_on: None,
            passed: Some(qualifies),
        },
    })
}

/// What a reviewer's step on a declaration (`step` as it will be stored, taken on `on`) tells
/// the risk model: its registration, or the end of the registered declaration `f`.
pub fn declaration_step(
    f: &Filing,
    status: &str,
    step: &Value,
    on: Date,
) -> ApiResult<Option<RiskNote>> {
    let note = |change| -> ApiResult<Option<RiskNote>> {
        Ok(Some(RiskNote {
            control_type: control_type(f)?,
            kind: "declaration",
            source: format!("filing:{}", f.id),
            change,
        }))
    };
    match status {
        "registered" => {
            let until = day_of(step, "valid_until")
                .ok_or_else(|| ApiError::Internal("registration without valid_until".into()))?;
            note(RiskChange::Add {
                occurred_on: on,
                due_on: Some(until),
                passed: None,
            })
        }
        "annulled" | "replaced" => note(RiskChange::EndOn(on.previous_day().unwrap_or(on))),
        _ => Ok(None),
    }
}
