//! The object page's «Риск» block: the category the control type's model gives the object
//! today and why (compact), and for those who read planning its triggered indicators and its
//! latest events, with a link to register one.

use knd_shared::ObjectId;
use knd_shared::registry::ControlTypeRules;

use super::chrome::Failure;
use super::format;
use super::risk_names;
use super::session::Viewer;
use crate::model::ControlObject;
use crate::services::policy::Action;
use crate::services::{risk, risk_events, risk_reads};
use crate::state::AppState;

/// How many triggers and events the block lists (the full lists are the risk pages').
const SHOWN: u32 = 10;

/// The model's reading of the object today.
pub(crate) struct Today {
    pub(crate) category: &'static str,
    /// The model's category is not the one assigned: a proposal is (or will be, at the next
    /// scoring) waiting for a decision.
    pub(crate) differs: bool,
    pub(crate) severity_class: u8,
    pub(crate) points: i32,
    pub(crate) probability_class: u8,
    pub(crate) text: String,
}

pub(crate) struct TriggerLine {
    pub(crate) day: String,
    pub(crate) rule: String,
    pub(crate) evidence: usize,
}

pub(crate) struct EventLine {
    pub(crate) day: String,
    pub(crate) kind: &'static str,
    pub(crate) due: String,
    pub(crate) passed: &'static str,
    pub(crate) note: String,
}

pub(crate) struct RiskBlock {
    pub(crate) today: Option<Today>,
    /// `None`: the viewer's role does not read planning.
    pub(crate) triggers: Option<Vec<TriggerLine>>,
    pub(crate) events: Option<Vec<EventLine>>,
    pub(crate) event_href: Option<String>,
}

pub(crate) async fn block(
    state: &AppState,
    viewer: &Viewer,
    o: &ControlObject,
    rules: Option<&ControlTypeRules>,
) -> Result<RiskBlock, Failure> {
    let lang = viewer.lang;
    let id = ObjectId::from(o.id);
    let today = risk::explain_object(state, &viewer.user, id)
        .await?
        .map(|(_, e)| Today {
            category: risk_names::category(lang, Some(e.category)),
            differs: rules.is_some_and(|r| r.effective_category(o.risk_category) != e.category),
            severity_class: e.severity_class,
            points: e.points,
            probability_class: e.probability_class,
            text: lang.t(&e.text_ru(), &e.text_en()).to_owned(),
        });
    let reads = viewer.may(Action::ReadPlanning);
    let (triggers, events) = if reads {
        let t = risk_events::triggers(state, &viewer.user, viewer.address(), Some(id), None, SHOWN)
            .await?
            .into_iter()
            .map(|t| TriggerLine {
                day: format::date(t.triggered_on),
                rule: t.rule_name,
                evidence: t.evidence.len(),
            })
            .collect();
        let e =
            risk_reads::recent_events(state, &viewer.user, viewer.address(), id, SHOWN as usize)
                .await?
                .into_iter()
                .map(|e| EventLine {
                    day: format::date(e.occurred_on),
                    kind: risk_names::event_kind(lang, &e.kind),
                    due: e.due_on.map(format::date).unwrap_or_default(),
                    passed: risk_names::passed(lang, e.passed),
                    note: e.note,
                })
                .collect();
        (Some(t), Some(e))
    } else {
        (None, None)
    };
    Ok(RiskBlock {
        today,
        triggers,
        events,
        event_href: viewer.may(Action::RecordRiskEvent).then(|| {
            format!(
                "/risk/events/new?object={}",
                super::chrome::form_urlencoded(&o.object_key)
            )
        }),
    })
}
