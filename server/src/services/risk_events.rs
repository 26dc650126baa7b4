//! Events about objects (ст.23 248-FZ): what the risk model counts and the risk indicators fire
//! on. One is registered in the console or the API (a confirmed complaint, a sensor reading
//! over its limit, a notice of starting activity), or many at once from a CSV of an earlier
//! system's history. The indicators of the object's control type are evaluated as soon as an
//! event they count arrives, and in a daily run over the objects with recent events.

use std::collections::{HashMap, HashSet};

use knd_shared::calendar::iso_date;
use knd_shared::planning::indicators::{Event, EventKind};
use knd_shared::{AgencyId, ObjectId};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::model::planning::{EVENT_KINDS, IndicatorTrigger, RiskEvent};
use crate::model::{Actor, User};
use crate::services::accounts;
use crate::services::policy::{self, Action};
use crate::services::registry::{ImportMode, ImportReport, RefusedRow, field, read_csv};
use crate::state::AppState;

/// An event to register.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct NewEvent {
    pub object_key: String,
    /// One of the event kinds (`complaint_confirmed`, `sensor_exceedance`, `order_overdue`,
    /// `violation_found`, `order_issued`, `order_fulfilled`, `planned_inspection`,
    /// `preventive_visit`, `self_assessment`, `declaration`, `activity_notice`).
    pub kind: String,
    #[schema(value_type = String, format = Date)]
    #[serde(with = "iso_date")]
    pub occurred_on: Date,
    /// An order's deadline; a declaration's last day.
    #[schema(value_type = Option<String>, format = Date)]
    #[serde(default, with = "iso_date::option")]
    pub due_on: Option<Date>,
    /// An order fulfilled on time; a self-assessment that reached the threshold; a visit that
    /// counts towards the periodicity.
    #[serde(default)]
    pub passed: Option<bool>,
    #[serde(default)]
    pub note: String,
}

/// The kinds' Russian names, for refusals and pages.
pub fn kind_ru(kind: &str) -> &'static str {
    match kind {
        "complaint_confirmed" => "подтверждённое обращение",
        "sensor_exceedance" => "превышение по датчику",
        "order_overdue" => "срок предписания истёк без отчёта",
        "violation_found" => "выявлено нарушение",
        "order_issued" => "выдано предписание",
        "order_fulfilled" => "предписание исполнено",
        "planned_inspection" => "проведена плановая проверка",
        "preventive_visit" => "проведён профилактический визит",
        "self_assessment" => "самообследование",
        "declaration" => "декларация соблюдения требований",
        "activity_notice" => "уведомление о начале деятельности",
        _ => "событие",
    }
}

fn check_kind(kind: &str) -> Result<(), String> {
    if EVENT_KINDS.contains(&kind) {
        Ok(())
    } else {
        Err(format!(
            "неизвестный вид события {kind:?}; допустимы: {} / unknown event kind {kind:?}; allowed: {}",
            EVENT_KINDS
                .iter()
                .map(|k| kind_ru(k))
                .collect::<Vec<_>>()
                .join(", "),
            EVENT_KINDS.join(", ")
        ))
    }
}

fn check_dates(e: &NewEvent, today: Date) -> Result<(), String> {
    if e.occurred_on > today {
        return Err(format!(
            "дата события {} позже сегодняшней / the event's date {} is in the future",
            iso_date::format(e.occurred_on),
            iso_date::format(e.occurred_on)
        ));
    }
    let needs_due = matches!(e.kind.as_str(), "order_issued" | "declaration");
    match (needs_due, e.due_on) {
        (true, None) => Err(
            "у предписания — срок, у декларации — последний день действия (due_on) / an order needs its deadline, a declaration its last day (due_on)".into(),
        ),
        (_, Some(d)) if d < e.occurred_on => {
            Err("due_on раньше даты события / due_on is before the event".into())
        }
        _ => Ok(()),
    }
}

/// Registers one event and evaluates the object's indicators: the event and what fired.
pub async fn record(
    state: &AppState,
    user: &User,
    address: Option<&str>,
    e: NewEvent,
) -> ApiResult<(RiskEvent, Vec<IndicatorTrigger>)> {
    policy::require(
        state,
        user,
        address,
        Action::RecordRiskEvent,
        "risk_event.record",
        || format!("object:{}", e.object_key),
    )
    .await?;
    check_kind(&e.kind).map_err(ApiError::Unprocessable)?;
    check_dates(&e, state.today()).map_err(ApiError::Unprocessable)?;
    let note = e.note.trim();
    if note.chars().count() > 2000 || note.chars().any(char::is_control) {
        return Err(ApiError::Unprocessable(
            "примечание — до 2000 знаков без управляющих символов / the note is up to 2000 characters without control characters".into(),
        ));
    }
    let object = state
        .store
        .objects_by_keys(user.agency, std::slice::from_ref(&e.object_key))
        .await?
        .into_iter()
        .next()
        .ok_or(ApiError::NotFound)?;
    let id = Uuid::now_v7();
    let event = RiskEvent {
        id,
        agency: user.agency,
        object: object.id.into(),
        kind: e.kind.clone(),
        occurred_on: e.occurred_on,
        due_on: e.due_on,
        passed: e.passed,
        source: format!("user:{}:{id}", user.id),
        note: note.to_owned(),
        recorded_at: OffsetDateTime::now_utc(),
    };
    let mut a = accounts::audit(
        Actor::User(user.id),
        Some(user.agency),
        "risk_event.record",
        address,
    );
    a.target = Some(format!("object:{}", e.object_key));
    a.detail =
        Some(serde_json::json!({"kind": e.kind, "occurred_on": iso_date::format(e.occurred_on)}));
    state
        .store
        .add_risk_events(std::slice::from_ref(&event), Some(&a))
        .await?;
    let fired = evaluate(state, user.agency, event.object, Some(&event.kind)).await?;
    Ok((event, fired))
}

/// Rows per store call in an import.
const IMPORT_CHUNK: usize = 20_000;

/// Imports events from CSV: `object_key,kind,occurred_on,due_on,passed,source,note` (`due_on`,
/// `passed`, `source` and `note` may be empty; `passed` is `true` or `false`). The same object,
/// kind and source twice is stored once (a re-imported file adds nothing). Indicators are
/// evaluated by the daily run, not per row.
pub async fn import_csv(
    state: &AppState,
    user: &User,
    csv: &[u8],
    mode: ImportMode,
    address: Option<&str>,
) -> ApiResult<ImportReport> {
    policy::require(
        state,
        user,
        address,
        Action::RecordRiskEvent,
        "risk_event.import",
        || format!("agency:{}", user.agency),
    )
    .await?;
    let today = state.today();
    let mut rows: Vec<(u64, NewEvent, String)> = Vec::new();
    let columns = ["object_key", "kind", "occurred_on"];
    let mut refused = read_csv(csv, &columns, |line, f| {
        let kind = field(f, "kind")?.to_owned();
        check_kind(&kind)?;
        let date = |name: &str| -> Result<Option<Date>, String> {
            match f.get(name).copied().unwrap_or("") {
                "" => Ok(None),
                d => iso_date::parse(d)
                    .map(Some)
                    .map_err(|_| format!("{name} {d:?} is not a date YYYY-MM-DD")),
            }
        };
        let passed = match f.get("passed").copied().unwrap_or("") {
            "" => None,
            "true" => Some(true),
            "false" => Some(false),
            p => return Err(format!("passed {p:?} is neither true nor false")),
        };
        let e = NewEvent {
            object_key: field(f, "object_key")?.to_owned(),
            kind,
            occurred_on: date("occurred_on")?.ok_or("occurred_on is empty")?,
            due_on: date("due_on")?,
            passed,
            note: f.get("note").copied().unwrap_or("").to_owned(),
        };
        check_dates(&e, today)?;
        let source = match f.get("source").copied().unwrap_or("") {
            "" => format!("import:{line}:{}", e.object_key),
            s => field(f, "source").map(|_| s.to_owned())?,
        };
        rows.push((line, e, source));
        Ok(())
    })?;
    let keys: Vec<String> = rows
        .iter()
        .map(|(_, e, _)| e.object_key.clone())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut ids: HashMap<String, ObjectId> = HashMap::new();
    for chunk in keys.chunks(IMPORT_CHUNK) {
        for o in state.store.objects_by_keys(user.agency, chunk).await? {
            ids.insert(o.object_key, o.id.into());
        }
    }
    let now = OffsetDateTime::now_utc();
    let mut events = Vec::with_capacity(rows.len());
    for (line, e, source) in rows {
        let Some(object) = ids.get(&e.object_key) else {
            refused.push(RefusedRow {
                line,
                reason: format!("no object {} (import objects first)", e.object_key),
            });
            continue;
        };
        events.push(RiskEvent {
            id: Uuid::now_v7(),
            agency: user.agency,
            object: *object,
            kind: e.kind,
            occurred_on: e.occurred_on,
            due_on: e.due_on,
            passed: e.passed,
            source,
            note: e.note,
            recorded_at: now,
        });
    }
    refused.sort_by_key(|r| r.line);
    if mode == ImportMode::AllOrNothing && !refused.is_empty() {
        return Ok(ImportReport {
            inserted: 0,
            updated: 0,
            refused,
        });
    }
    let mut inserted = 0;
    for (i, chunk) in events.chunks(IMPORT_CHUNK).enumerate() {
        let audit = (i == 0).then(|| {
            let mut a = accounts::audit(
                Actor::User(user.id),
                Some(user.agency),
                "risk_event.import",
                address,
            );
            a.detail = Some(serde_json::json!({"rows": events.len()}));
            a
        });
        inserted += state.store.add_risk_events(chunk, audit.as_ref()).await?;
    }
    Ok(ImportReport {
        inserted,
        updated: 0,
        refused,
    })
}

/// Evaluates the indicators of an object's control type (those counting `kind`, or all) and
/// stores what fired: each rule fires on fresh events only (after its last trigger).
pub async fn evaluate(
    state: &AppState,
    agency: AgencyId,
    object: ObjectId,
    kind: Option<&str>,
) -> ApiResult<Vec<IndicatorTrigger>> {
    let Some(facts) = state
        .store
        .facts_page(
            agency,
            Some(ObjectId::from(Uuid::from_u128(
                object.as_uuid().as_u128().saturating_sub(1),
            ))),
            1,
            crate::model::planning::FactsWindow::on(state.today()),
        )
        .await?
        .into_iter()
        .find(|r| r.object == object)
    else {
        return Ok(Vec::new());
    };
    let Some(t) = state
        .store
        .list_control_types(agency)
        .await?
        .into_iter()
        .find(|t| t.id == facts.control_type)
    else {
        return Ok(Vec::new());
    };
    evaluate_rules(
        state,
        agency,
        object,
        &facts.object_key,
        t.id,
        &t.rules.indicators,
        kind,
    )
    .await
}

async fn evaluate_rules(
    state: &AppState,
    agency: AgencyId,
    object: ObjectId,
    object_key: &str,
    control_type: Uuid,
    rules: &[knd_shared::planning::IndicatorRule],
    kind: Option<&str>,
) -> ApiResult<Vec<IndicatorTrigger>> {
    let mut fired = Vec::new();
    let mut cache: HashMap<EventKind, Vec<Event>> = HashMap::new();
    for rule in rules
        .iter()
        .filter(|r| kind.is_none_or(|k| r.event.as_str() == k))
    {
        if let std::collections::hash_map::Entry::Vacant(slot) = cache.entry(rule.event) {
            let events = state
                .store
                .object_events(object, Some(rule.event.as_str()))
                .await?
                .into_iter()
                .map(|e| Event {
                    id: e.id.to_string(),
                    on: e.occurred_on,
                })
                .collect();
            slot.insert(events);
        }
        let events = cache
            .get(&rule.event)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let after = state.store.last_trigger(object, &rule.code).await?;
        let Some(t) = rule.evaluate(events, after) else {
            continue;
        };
        let trigger = IndicatorTrigger {
            id: Uuid::now_v7(),
            agency,
            object,
            object_key: object_key.to_owned(),
            control_type,
            rule_code: rule.code.clone(),
            rule_name: rule.name_ru.clone(),
            triggered_on: t.on,
            evidence: t.evidence,
            recorded_at: OffsetDateTime::now_utc(),
            inspection: None,
        };
        if state.store.add_trigger(&trigger).await? {
            fired.push(trigger);
        }
    }
    Ok(fired)
}

/// What a daily run did.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct DailyRun {
    pub objects: u64,
    pub triggered: u64,
}

/// Evaluates every indicator of every object with an event an indicator counts within the
/// longest indicator window (at least a year), so a trigger missed at arrival (an import, a
/// rule added later) fires the next day at the latest. Two reads for the whole agency; only the
/// triggers are written.
pub async fn daily(state: &AppState, agency: AgencyId) -> ApiResult<DailyRun> {
    let types = state.store.list_control_types(agency).await?;
    let longest = types
        .iter()
        .flat_map(|t| t.rules.indicators.iter().map(|r| r.window_days))
        .max()
        .unwrap_or(0)
        .max(366);
    let since = state.today() - time::Duration::days(i64::from(longest));
    let rules: HashMap<Uuid, &knd_shared::registry::ControlTypeRules> =
        types.iter().map(|t| (t.id, &t.rules)).collect();
    let last: HashMap<(ObjectId, String), Date> = state
        .store
        .last_triggers(agency)
        .await?
        .into_iter()
        .map(|(o, r, d)| ((o, r), d))
        .collect();
    let events = state.store.indicator_events(agency, since).await?;
    let mut run = DailyRun::default();
    let now = OffsetDateTime::now_utc();
    for chunk in events.chunk_by(|a, b| a.0 == b.0) {
        let (object, control_type) = (chunk[0].0, chunk[0].1);
        let Some(r) = rules.get(&control_type) else {
            continue;
        };
        run.objects += 1;
        for rule in &r.indicators {
            let of_kind: Vec<Event> = chunk
                .iter()
                .filter(|e| e.2 == rule.event.as_str())
                .map(|e| Event {
                    id: e.3.to_string(),
                    on: e.4,
                })
                .collect();
            let after = last.get(&(object, rule.code.clone())).copied();
            let Some(t) = rule.evaluate(&of_kind, after) else {
                continue;
            };
            let trigger = IndicatorTrigger {
                id: Uuid::now_v7(),
                agency,
                object,
                object_key: String::new(),
                control_type,
                rule_code: rule.code.clone(),
                rule_name: rule.name_ru.clone(),
                triggered_on: t.on,
                evidence: t.evidence,
                recorded_at: now,
                inspection: None,
            };
            if state.store.add_trigger(&trigger).await? {
                run.triggered += 1;
            }
        }
    }
    Ok(run)
}

/// The daily run as a caller asks for it (the API's "run now").
pub async fn run_daily(
    state: &AppState,
    user: &User,
    address: Option<&str>,
) -> ApiResult<DailyRun> {
    policy::require(
        state,
        user,
        address,
        Action::DecideCategory,
        "risk_indicators.run",
        || "risk_indicators".into(),
    )
    .await?;
    let run = daily(state, user.agency).await?;
    let mut a = accounts::audit(
        Actor::User(user.id),
        Some(user.agency),
        "risk_indicators.run",
        address,
    );
    a.detail = Some(serde_json::json!({"objects": run.objects, "triggered": run.triggered}));
    state.store.audit(&a).await?;
    Ok(run)
}

/// The agency's triggers, newest first.
pub async fn triggers(
    state: &AppState,
    user: &User,
    address: Option<&str>,
    object: Option<ObjectId>,
    after: Option<(Date, Uuid)>,
    limit: u32,
) -> ApiResult<Vec<IndicatorTrigger>> {
    policy::require(
        state,
        user,
        address,
        Action::ReadPlanning,
        "risk_indicators.list",
        || "risk_indicators".into(),
    )
    .await?;
    Ok(state
        .store
        .triggers(user.agency, object, after, limit)
        .await?)
}

/// Runs the daily evaluation in the background: once the server has started, then whenever
/// the agency's date has changed (checked hourly). It stops when the state is dropped.
pub fn spawn_daily(state: &AppState) {
    let weak = std::sync::Arc::downgrade(&state.0);
    tokio::spawn(async move {
        let mut last: Option<Date> = None;
        loop {
            let Some(inner) = weak.upgrade() else { return };
            let state = AppState(inner);
            let today = state.today();
            if last != Some(today) {
                match run_all(&state).await {
                    Ok(n) => {
                        tracing::info!(triggered = n, "daily run of the risk indicators");
                        last = Some(today);
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "daily run of the risk indicators failed")
                    }
                }
            }
            drop(state);
            tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
        }
    });
}

async fn run_all(state: &AppState) -> ApiResult<u64> {
    let mut triggered = 0;
    for agency in state.store.agencies().await? {
        triggered += daily(state, agency).await?.triggered;
    }
    Ok(triggered)
}
