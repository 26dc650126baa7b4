//! Risk-scored planning: statements both backends share and the row mapping (the facts the
//! model reads are in `facts.rs`).

use knd_shared::{InspectionKind, RiskCategory};

use super::Sql;
use crate::model::planning::{
    Absence, CategoryProposal, EntryStatus, IndicatorTrigger, Plan, PlanAmendment, PlanEntry,
    PlanKind, PlanStatus, ProposalStatus, RiskEvent,
};
use crate::store::cols::Cols;
use crate::store::{StoreError, StoreResult};

fn corrupt(what: String) -> StoreError {
    StoreError::Corrupt(what)
}

/// The cursor before every id.
pub(crate) const FIRST_ID: uuid::Uuid = uuid::Uuid::nil();

/// A day before every stored one, and within PostgreSQL's dates (`Date::MIN` is not).
pub(crate) const FIRST_DAY: time::Date = time::macros::date!(0001 - 01 - 01);

pub(crate) static INSERT_EVENT: Sql = Sql::new(
    "INSERT INTO risk_events (id, agency_id, object_id, kind, occurred_on, due_on, passed, source,
                              note, recorded_at)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
     ON CONFLICT DO NOTHING",
);

/// Cuts an object's event of a kind and source short: `?1` the last day, `?2` object, `?3` kind,
/// `?4` source.
pub(crate) static CUT_RISK_EVENT: Sql = Sql::new(
    "UPDATE risk_events SET due_on = ?1 WHERE object_id = ?2 AND kind = ?3 AND source = ?4",
);

macro_rules! event_columns {
    () => {
        "SELECT id, agency_id, object_id, kind, occurred_on, due_on,
                CAST(CASE WHEN passed THEN 1 WHEN NOT passed THEN 0 END AS BIGINT), source, note,
                recorded_at FROM risk_events"
    };
}

/// An object's events (`?2`: one kind, or '' for all), oldest first.
pub(crate) static OBJECT_EVENTS: Sql = Sql::new(concat!(
    event_columns!(),
    " WHERE object_id = ?1 AND (?2 = '' OR kind = ?2) ORDER BY occurred_on, id"
));

pub(crate) fn event(r: &impl Cols) -> StoreResult<RiskEvent> {
    Ok(RiskEvent {
        id: r.uuid(0)?,
        agency: r.id(1)?,
        object: r.id(2)?,
        kind: r.text(3)?,
        occurred_on: r.date(4)?,
        due_on: r.opt_date(5)?,
        passed: r.opt_i64(6)?.map(|v| v != 0),
        source: r.text(7)?,
        note: r.text(8)?,
        recorded_at: r.ts(9)?,
    })
}

/// The agency's events an indicator counts since `?2`, with their objects' control types.
pub(crate) static INDICATOR_EVENTS: Sql = Sql::new(
    "SELECT e.object_id, o.control_type_id, e.kind, e.id, e.occurred_on FROM risk_events e
     JOIN control_objects o ON o.id = e.object_id
     WHERE e.agency_id = ?1 AND e.occurred_on >= ?2
       AND e.kind IN ('complaint_confirmed', 'sensor_exceedance', 'order_overdue', 'violation_found')
     ORDER BY e.object_id, e.occurred_on, e.id",
);

pub(crate) static LAST_TRIGGERS: Sql = Sql::new(
    "SELECT object_id, rule_code, MAX(triggered_on) FROM indicator_triggers WHERE agency_id = ?1
     GROUP BY object_id, rule_code",
);

fn category(s: Option<String>) -> StoreResult<Option<RiskCategory>> {
    s.map(|c| RiskCategory::parse(&c).ok_or_else(|| corrupt(format!("category {c:?}"))))
        .transpose()
}

fn json(text: &str, what: &str) -> StoreResult<serde_json::Value> {
    serde_json::from_str(text).map_err(|e| corrupt(format!("{what}: {e}")))
}

pub(crate) static INSERT_TRIGGER: Sql = Sql::new(
    "INSERT INTO indicator_triggers (id, agency_id, object_id, control_type_id, rule_code,
                                     rule_name, triggered_on, evidence, recorded_at)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
     ON CONFLICT DO NOTHING",
);

pub(crate) static LAST_TRIGGER: Sql = Sql::new(
    "SELECT MAX(triggered_on) FROM indicator_triggers WHERE object_id = ?1 AND rule_code = ?2",
);

macro_rules! trigger_columns {
    () => {
        "SELECT t.id, t.agency_id, t.object_id, o.object_key, t.control_type_id, t.rule_code,
                t.rule_name, t.triggered_on, t.evidence, t.recorded_at, t.inspection_id
         FROM indicator_triggers t JOIN control_objects o ON o.id = t.object_id"
    };
}

/// Newest first after the (`?3` day, `?4` id) cursor; of the object `?2` unless `?6` (all).
pub(crate) static TRIGGERS: Sql = Sql::new(concat!(
    trigger_columns!(),
    " WHERE t.agency_id = ?1 AND (?6 OR t.object_id = ?2)
       AND (t.triggered_on < ?3 OR (t.triggered_on = ?3 AND t.id < ?4))
     ORDER BY t.triggered_on DESC, t.id DESC LIMIT ?5"
));

pub(crate) static LINK_TRIGGER: Sql = Sql::new(
    "UPDATE indicator_triggers SET inspection_id = ?3
     WHERE agency_id = ?1 AND id = ?2 AND inspection_id IS NULL",
);

pub(crate) fn trigger(r: &impl Cols) -> StoreResult<IndicatorTrigger> {
    let evidence: Vec<String> =
        serde_json::from_str(&r.text(8)?).map_err(|e| corrupt(format!("trigger evidence: {e}")))?;
    Ok(IndicatorTrigger {
        id: r.uuid(0)?,
        agency: r.id(1)?,
        object: r.id(2)?,
        object_key: r.text(3)?,
        control_type: r.uuid(4)?,
        rule_code: r.text(5)?,
        rule_name: r.text(6)?,
        triggered_on: r.date(7)?,
        evidence,
        recorded_at: r.ts(9)?,
        inspection: r.opt_uuid(10)?,
    })
}

/// Supersedes an object's pending proposal of another category than `?2`.
pub(crate) static SUPERSEDE_PROPOSAL: Sql = Sql::new(
    "UPDATE category_proposals SET status = 'superseded'
     WHERE object_id = ?1 AND status = 'pending' AND proposed <> ?2",
);

/// A new pending proposal; nothing when the object has a pending one (of the same category,
/// after [`SUPERSEDE_PROPOSAL`]).
pub(crate) static INSERT_PROPOSAL: Sql = Sql::new(
    "INSERT INTO category_proposals (id, agency_id, object_id, control_type_id, current_category,
                                     proposed, explanation, proposed_on, due_on, status)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'pending')
     ON CONFLICT DO NOTHING",
);

macro_rules! proposal_columns {
    () => {
        "SELECT p.id, p.agency_id, p.object_id, o.object_key, p.control_type_id,
                p.current_category, p.proposed, p.explanation, p.proposed_on, p.due_on, p.status,
                p.decided_by, p.decided_at, p.reason, p.record_id
         FROM category_proposals p JOIN control_objects o ON o.id = p.object_id"
    };
}

/// By due date then id after the (`?4`, `?5`) cursor; `?2` a status or 'all'; `?3` only those
/// due before it (pass a far date for all).
pub(crate) static PROPOSALS: Sql = Sql::new(concat!(
    proposal_columns!(),
    " WHERE p.agency_id = ?1 AND (?2 = 'all' OR p.status = ?2) AND p.due_on < ?3
       AND (p.due_on > ?4 OR (p.due_on = ?4 AND p.id > ?5))
     ORDER BY p.due_on, p.id LIMIT ?6"
));

pub(crate) static PROPOSAL: Sql = Sql::new(concat!(
    proposal_columns!(),
    " WHERE p.agency_id = ?1 AND p.id = ?2"
));

pub(crate) static DECIDE_PROPOSAL: Sql = Sql::new(
    "UPDATE category_proposals SET status = ?3, decided_by = ?4, decided_at = ?5, reason = ?6,
                                   record_id = ?7
     WHERE agency_id = ?1 AND id = ?2 AND status = 'pending'",
);

/// The confirmed category becomes the object's, with its decision's date and reason.
pub(crate) static SET_CATEGORY: Sql = Sql::new(
    "UPDATE control_objects SET risk_category = ?2, risk_decided_on = ?3, risk_reason = ?4,
                                updated_at = ?5
     WHERE id = ?1",
);

pub(crate) fn proposal(r: &impl Cols) -> StoreResult<CategoryProposal> {
    let status = r.text(10)?;
    Ok(CategoryProposal {
        id: r.uuid(0)?,
        agency: r.id(1)?,
        object: r.id(2)?,
        object_key: r.text(3)?,
        control_type: r.uuid(4)?,
        current: category(r.opt_text(5)?)?,
        proposed: category(Some(r.text(6)?))?.ok_or_else(|| corrupt("proposal".into()))?,
        explanation: json(&r.text(7)?, "explanation")?,
        proposed_on: r.date(8)?,
        due_on: r.date(9)?,
        status: ProposalStatus::parse(&status)
            .ok_or_else(|| corrupt(format!("proposal status {status:?}")))?,
        decided_by: r.opt_id(11)?,
        decided_at: r.opt_ts(12)?,
        reason: r.opt_text(13)?,
        record: r.opt_id(14)?,
    })
}

/// The agency's inspectors' absences between `?2` and `?3`.
pub(crate) static ABSENCES: Sql = Sql::new(
    "SELECT a.user_id, a.day, a.reason FROM inspector_absences a JOIN users u ON u.id = a.user_id
     WHERE u.agency_id = ?1 AND a.day >= ?2 AND a.day <= ?3 ORDER BY a.user_id, a.day",
);

pub(crate) static SET_ABSENCE: Sql = Sql::new(
    "INSERT INTO inspector_absences (user_id, day, reason) VALUES (?1, ?2, ?3)
     ON CONFLICT (user_id, day) DO UPDATE SET reason = excluded.reason",
);

pub(crate) static CLEAR_ABSENCE: Sql =
    Sql::new("DELETE FROM inspector_absences WHERE user_id = ?1 AND day = ?2");

pub(crate) fn absence(r: &impl Cols) -> StoreResult<Absence> {
    Ok(Absence {
        user: r.id(0)?,
        day: r.date(1)?,
        reason: r.text(2)?,
    })
}

pub(crate) static SETTINGS: Sql =
    Sql::new("SELECT settings FROM planning_settings WHERE agency_id = ?1");

pub(crate) static SET_SETTINGS: Sql = Sql::new(
    "INSERT INTO planning_settings (agency_id, settings, updated_at) VALUES (?1, ?2, ?3)
     ON CONFLICT (agency_id) DO UPDATE SET settings = excluded.settings,
                                           updated_at = excluded.updated_at",
);

pub(crate) fn settings(r: &impl Cols) -> StoreResult<serde_json::Value> {
    json(&r.text(0)?, "planning settings")
}

/// The status of the agency's plan of a year and kind, if there is one.
pub(crate) static PLAN_STATUS: Sql = Sql::new(
    "SELECT id, status FROM plans
     WHERE agency_id = ?1 AND year = ?2 AND kind = ?3 AND superseded_at IS NULL",
);

/// A draft replaced by a new one: hidden at once, its entries deleted later in batches.
pub(crate) static SUPERSEDE_PLAN: Sql =
    Sql::new("UPDATE plans SET superseded_at = ?2 WHERE id = ?1 AND status = 'draft'");

/// The superseded plan to purge first.
pub(crate) static SUPERSEDED_PLAN: Sql = Sql::new(
    "SELECT id FROM plans WHERE superseded_at IS NOT NULL ORDER BY superseded_at, id LIMIT 1",
);

/// The highest and the lowest entry number of a plan (the highest is read from the index's end:
/// a purge deletes from the low end, whose dead index entries PostgreSQL walks until vacuumed).
pub(crate) static LAST_ENTRY: Sql =
    Sql::new("SELECT CAST(max(entry_no) AS BIGINT) FROM plan_entries WHERE plan_id = ?1");
pub(crate) static FIRST_ENTRY: Sql =
    Sql::new("SELECT CAST(min(entry_no) AS BIGINT) FROM plan_entries WHERE plan_id = ?1");

/// A range of a plan's entries, bounded on both sides so that the index scan starts at `?2`.
pub(crate) static DELETE_ENTRY_RANGE: Sql = Sql::new(
    "DELETE FROM plan_entries
     WHERE plan_id = ?1 AND entry_no >= CAST(?2 AS BIGINT) AND entry_no < CAST(?3 AS BIGINT)",
);

/// A superseded plan whose entries are all gone.
pub(crate) static DELETE_SUPERSEDED_PLAN: Sql = Sql::new(
    "DELETE FROM plans WHERE id = ?1 AND superseded_at IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM plan_entries WHERE plan_id = ?1)",
);

pub(crate) static INSERT_PLAN: Sql = Sql::new(
    "INSERT INTO plans (id, agency_id, year, kind, status, version, summary, built_by, built_at,
                        sent_on, approved_on, approved_by, published_on, record_id)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
);

/// Moves a plan on, if it is still at version `?2`.
pub(crate) static UPDATE_PLAN: Sql = Sql::new(
    "UPDATE plans SET status = ?3, version = ?4, summary = ?5, sent_on = ?6, approved_on = ?7,
                      approved_by = ?8, published_on = ?9, record_id = ?10
     WHERE id = ?1 AND version = ?2",
);

/// An entry's columns, in the order the stores bind them.
macro_rules! insert_entries_head {
    () => {
        "INSERT INTO plan_entries (plan_id, entry_no, subject_id, control_type_id, objects,
                                   category, kind, district, status, starts_on, ends_on,
                                   inspectors, why, inspection_id) VALUES "
    };
}

/// The head of a new draft's `INSERT ... VALUES`, its rows written by the store.
pub(crate) const INSERT_ENTRIES_HEAD: &str = insert_entries_head!();

pub(crate) static UPSERT_ENTRY: Sql = Sql::new(concat!(
    insert_entries_head!(),
    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
     ON CONFLICT (plan_id, entry_no) DO UPDATE SET status = excluded.status,
         starts_on = excluded.starts_on, ends_on = excluded.ends_on,
         inspectors = excluded.inspectors, why = excluded.why,
         inspection_id = excluded.inspection_id",
));

macro_rules! plan_columns {
    () => {
        "SELECT id, agency_id, CAST(year AS BIGINT), kind, status, CAST(version AS BIGINT), summary,
                built_by, built_at, sent_on,
                approved_on, approved_by, published_on, record_id FROM plans"
    };
}

pub(crate) static PLANS: Sql = Sql::new(concat!(
    plan_columns!(),
    " WHERE agency_id = ?1 AND superseded_at IS NULL ORDER BY year DESC, kind"
));

pub(crate) static PLAN: Sql = Sql::new(concat!(
    plan_columns!(),
    " WHERE agency_id = ?1 AND id = ?2 AND superseded_at IS NULL"
));

pub(crate) fn plan(r: &impl Cols) -> StoreResult<Plan> {
    let (kind, status) = (r.text(3)?, r.text(4)?);
    Ok(Plan {
        id: r.uuid(0)?,
        agency: r.id(1)?,
        year: i32::try_from(r.i64(2)?).map_err(|_| corrupt("plan year".into()))?,
        kind: PlanKind::parse(&kind).ok_or_else(|| corrupt(format!("plan kind {kind:?}")))?,
        status: PlanStatus::parse(&status)
            .ok_or_else(|| corrupt(format!("plan status {status:?}")))?,
        version: u32::try_from(r.i64(5)?).map_err(|_| corrupt("plan version".into()))?,
        summary: json(&r.text(6)?, "plan summary")?,
        built_by: r.opt_id(7)?,
        built_at: r.ts(8)?,
        sent_on: r.opt_date(9)?,
        approved_on: r.opt_date(10)?,
        approved_by: r.opt_text(11)?,
        published_on: r.opt_date(12)?,
        record: r.opt_id(13)?,
    })
}

pub(crate) static ENTRIES: Sql = Sql::new(
    "SELECT CAST(entry_no AS BIGINT), subject_id, control_type_id, objects, category, kind, district, status,
            starts_on, ends_on, inspectors, why, inspection_id
     FROM plan_entries WHERE plan_id = ?1 ORDER BY entry_no",
);

pub(crate) fn entry(r: &impl Cols) -> StoreResult<PlanEntry> {
    let (cat, kind, status) = (r.text(4)?, r.text(5)?, r.text(7)?);
    Ok(PlanEntry {
        no: u32::try_from(r.i64(0)?).map_err(|_| corrupt("entry number".into()))?,
        subject: r.id(1)?,
        control_type: r.uuid(2)?,
        objects: serde_json::from_str(&r.text(3)?)
            .map_err(|e| corrupt(format!("entry objects: {e}")))?,
        category: category(Some(cat))?.ok_or_else(|| corrupt("entry category".into()))?,
        kind: InspectionKind::parse(&kind)
            .ok_or_else(|| corrupt(format!("entry kind {kind:?}")))?,
        district: r.text(6)?,
        status: EntryStatus::parse(&status)
            .ok_or_else(|| corrupt(format!("entry status {status:?}")))?,
        starts_on: r.opt_date(8)?,
        ends_on: r.opt_date(9)?,
        inspectors: serde_json::from_str(&r.text(10)?)
            .map_err(|e| corrupt(format!("entry inspectors: {e}")))?,
        why: json(&r.text(11)?, "entry why")?,
        inspection: r.opt_uuid(12)?,
    })
}

pub(crate) static INSERT_AMENDMENT: Sql = Sql::new(
    "INSERT INTO plan_amendments (plan_id, version, entry_no, change, reason, made_by, made_at,
                                  record_id)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
);

pub(crate) static AMENDMENTS: Sql = Sql::new(
    "SELECT plan_id, CAST(version AS BIGINT), CAST(entry_no AS BIGINT), change, reason, made_by,
            made_at, record_id
     FROM plan_amendments WHERE plan_id = ?1 ORDER BY version",
);

pub(crate) fn amendment(r: &impl Cols) -> StoreResult<PlanAmendment> {
    Ok(PlanAmendment {
        plan: r.uuid(0)?,
        version: u32::try_from(r.i64(1)?).map_err(|_| corrupt("amendment version".into()))?,
        entry: u32::try_from(r.i64(2)?).map_err(|_| corrupt("amendment entry".into()))?,
        change: json(&r.text(3)?, "amendment")?,
        reason: r.text(4)?,
        made_by: r.opt_id(5)?,
        made_at: r.ts(6)?,
        record: r.id(7)?,
    })
}

pub(crate) static RULES_VERSIONS: Sql = Sql::new(
    "SELECT CAST(version AS BIGINT), rules, changed_by, changed_at, reason FROM control_type_versions
     WHERE control_type_id = ?1 ORDER BY version DESC",
);

pub(crate) fn rules_version(r: &impl Cols) -> StoreResult<crate::model::planning::RulesVersion> {
    Ok(crate::model::planning::RulesVersion {
        version: u32::try_from(r.i64(0)?).map_err(|_| corrupt("rules version".into()))?,
        rules: json(&r.text(1)?, "rules")?,
        changed_by: r.text(2)?,
        changed_at: r.ts(3)?,
        reason: r.text(4)?,
    })
}

pub(crate) static AGENCIES: Sql = Sql::new("SELECT id FROM agencies ORDER BY id");
