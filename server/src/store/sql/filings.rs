//! Filings, their steps, idempotency keys and the business event feed: statements and row
//! mapping.

use super::Sql;
use crate::model::filings::{BusinessEvent, Filing, FilingKind, FilingStep};
use crate::store::cols::Cols;
use crate::store::{StoreError, StoreResult};

macro_rules! filing_select {
    () => {
        "SELECT f.id, f.agency_id, f.subject_inn, f.api_key_id, f.kind, f.target_record,
                f.target_inspection, f.target_filing, f.body, f.content_sha256, f.record_id,
                f.received_at, f.received_on, f.status, f.due_on, f.steps, f.updated_at"
    };
}

macro_rules! filing_columns {
    () => {
        concat!(filing_select!(), " FROM filings f")
    };
}

pub(crate) static INSERT: Sql = Sql::new(
    "INSERT INTO filings (id, agency_id, subject_inn, api_key_id, kind, target_record,
         target_inspection, target_filing, body, content_sha256, record_id, received_at,
         received_on, status, due_on, steps, updated_at)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, 0, ?12)",
);

pub(crate) static FILING: Sql = Sql::new(concat!(filing_columns!(), " WHERE f.id = ?1"));

/// The filing whose record, or whose step's record, `?1` is.
pub(crate) static FILING_OF_RECORD: Sql = Sql::new(concat!(
    filing_columns!(),
    " WHERE f.record_id = ?1
     UNION ALL ",
    filing_columns!(),
    " JOIN filing_steps s ON s.filing_id = f.id WHERE s.record_id = ?1"
));

/// The filing's new status after a step, if it has had exactly `?5` steps.
pub(crate) static STEPPED: Sql = Sql::new(
    "UPDATE filings SET status = ?2, due_on = ?3, steps = steps + 1, updated_at = ?4
     WHERE id = ?1 AND steps = ?5",
);

pub(crate) static INSERT_STEP: Sql = Sql::new(
    "INSERT INTO filing_steps (filing_id, seq, step, by_user, at, record_id)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
);

pub(crate) static STEPS: Sql = Sql::new(
    "SELECT s.filing_id, s.seq, s.step, s.by_user, u.login, s.at, s.record_id
     FROM filing_steps s LEFT JOIN users u ON u.id = s.by_user
     WHERE s.filing_id = ?1 ORDER BY s.seq",
);

pub(crate) static IDEMPOTENT: Sql = Sql::new(
    "SELECT request_sha256, filing_id, step_seq FROM idempotency_keys
     WHERE api_key_id = ?1 AND key = ?2",
);

pub(crate) static INSERT_IDEMPOTENT: Sql = Sql::new(
    "INSERT INTO idempotency_keys (api_key_id, key, request_sha256, filing_id, step_seq, created_at)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
);

pub(crate) static OF_SUBJECT_FIRST: Sql = Sql::new(concat!(
    filing_columns!(),
    " WHERE f.subject_inn = ?1 ORDER BY f.id DESC LIMIT ?2"
));

pub(crate) static OF_SUBJECT_BEFORE: Sql = Sql::new(concat!(
    filing_columns!(),
    " WHERE f.subject_inn = ?1 AND f.id < ?3 ORDER BY f.id DESC LIMIT ?2"
));

pub(crate) static OPEN_FIRST: Sql = Sql::new(concat!(
    filing_columns!(),
    " WHERE f.agency_id = ?1 AND f.kind = ?2 AND f.due_on IS NOT NULL
      ORDER BY f.due_on, f.id LIMIT ?3"
));

pub(crate) static OPEN_AFTER: Sql = Sql::new(concat!(
    filing_columns!(),
    " WHERE f.agency_id = ?1 AND f.kind = ?2 AND f.due_on IS NOT NULL
        AND (f.due_on, f.id) > (?4, ?5)
      ORDER BY f.due_on, f.id LIMIT ?3"
));

pub(crate) static IN_STATUS_FIRST: Sql = Sql::new(concat!(
    filing_columns!(),
    " WHERE f.agency_id = ?1 AND f.kind = ?2 AND f.status = ?4
      ORDER BY f.id DESC LIMIT ?3"
));

pub(crate) static IN_STATUS_BEFORE: Sql = Sql::new(concat!(
    filing_columns!(),
    " WHERE f.agency_id = ?1 AND f.kind = ?2 AND f.status = ?4 AND f.id < ?5
      ORDER BY f.id DESC LIMIT ?3"
));

/// Counted up to a cap (`?3`): the Today page reads no more rows than it shows.
pub(crate) static DUE_BY: Sql = Sql::new(
    "SELECT COUNT(*) FROM (SELECT 1 FROM filings f
         WHERE f.agency_id = ?1 AND f.kind IN ('objection', 'appeal', 'declaration')
           AND f.due_on IS NOT NULL AND f.due_on <= ?2
         LIMIT ?3) d",
);

pub(crate) static RECORD_SUBJECT: Sql = Sql::new(
    "SELECT f.subject_inn FROM filings f WHERE f.record_id = ?1
     UNION ALL
     SELECT f.subject_inn FROM filing_steps s JOIN filings f ON f.id = s.filing_id
     WHERE s.record_id = ?1",
);

pub(crate) static INSERT_EVENT: Sql = Sql::new(
    "INSERT INTO business_events (subject_inn, kind, filing_id, record_id, at, data)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
);

pub(crate) static EVENTS: Sql = Sql::new(
    "SELECT e.id, e.kind, e.filing_id, e.record_id, e.at, e.data FROM business_events e
     WHERE e.subject_inn = ?1 AND e.id > ?2 ORDER BY e.id LIMIT ?3",
);

pub(crate) static EVENT_BY_ID: Sql = Sql::new(
    "SELECT e.id, e.kind, e.filing_id, e.record_id, e.at, e.data FROM business_events e
     WHERE e.id = ?1",
);

fn json(s: &str) -> StoreResult<serde_json::Value> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("filing json: {e}")))
}

/// A row of `filing_columns!`.
pub(crate) fn filing(r: &impl Cols) -> StoreResult<Filing> {
    let kind = r.text(4)?;
    Ok(Filing {
        id: r.uuid(0)?,
        agency: r.id(1)?,
        subject_inn: r.text(2)?,
        api_key: r.uuid(3)?,
        kind: FilingKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("filing kind {kind:?}")))?,
        target_record: r.opt_id(5)?,
        target_inspection: r.opt_id(6)?,
        target_filing: r.opt_uuid(7)?,
        body: json(&r.text(8)?)?,
        content_sha256: r.hash(9)?,
        record: r.id(10)?,
        received_at: r.ts(11)?,
        received_on: r.date(12)?,
        status: r.text(13)?,
        due_on: r.opt_date(14)?,
        steps: u32::try_from(r.i64(15)?).map_err(|_| StoreError::Corrupt("filing steps".into()))?,
        updated_at: r.ts(16)?,
    })
}

pub(crate) fn step(r: &impl Cols) -> StoreResult<FilingStep> {
    Ok(FilingStep {
        filing: r.uuid(0)?,
        seq: u32::try_from(r.i64(1)?).map_err(|_| StoreError::Corrupt("step seq".into()))?,
        step: json(&r.text(2)?)?,
        by: r.opt_id(3)?,
        by_login: r.opt_text(4)?,
        at: r.ts(5)?,
        record: r.id(6)?,
    })
}

pub(crate) fn event(r: &impl Cols) -> StoreResult<BusinessEvent> {
    Ok(BusinessEvent {
        id: r.i64(0)?,
        kind: r.text(1)?,
        filing: r.opt_uuid(2)?,
        record: r.opt_id(3)?,
        at: r.ts(4)?,
        data: json(&r.text(5)?)?,
    })
}

/// A document's event for its addressee, once (a rebuild of the projections replays the
/// document, not the event). `?1` ИНН, `?2` record, `?3` time, `?4` data.
pub(crate) static DOCUMENT_EVENT: Sql = Sql::dialects(
    "INSERT INTO business_events (subject_inn, kind, filing_id, record_id, at, data)
     SELECT ?1, 'document.issued', NULL, ?2, ?3, ?4
     WHERE NOT EXISTS (SELECT 1 FROM business_events
                       WHERE record_id = ?2 AND kind = 'document.issued')",
    "INSERT INTO business_events (subject_inn, kind, filing_id, record_id, at, data)
     SELECT $1::TEXT, 'document.issued', NULL, $2::UUID, $3::TIMESTAMPTZ, $4::TEXT
     WHERE NOT EXISTS (SELECT 1 FROM business_events
                       WHERE record_id = $2::UUID AND kind = 'document.issued')",
);

/// The event of a held document released by a reviewer's acceptance of its flag.
pub(crate) static RELEASED_DOCUMENT_EVENT: Sql = Sql::dialects(
    "INSERT INTO business_events (subject_inn, kind, filing_id, record_id, at, data)
     SELECT d.subject_inn, 'document.issued', NULL, d.record_id, ?2,
            '{\"kind\":\"' || d.kind || '\"}'
     FROM proj_documents d
     WHERE d.record_id = ?1 AND d.subject_inn IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM business_events
                       WHERE record_id = ?1 AND kind = 'document.issued')",
    "INSERT INTO business_events (subject_inn, kind, filing_id, record_id, at, data)
     SELECT d.subject_inn, 'document.issued', NULL, d.record_id, $2::TIMESTAMPTZ,
            '{\"kind\":\"' || d.kind || '\"}'
     FROM proj_documents d
     WHERE d.record_id = $1::UUID AND d.subject_inn IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM business_events
                       WHERE record_id = $1::UUID AND kind = 'document.issued')",
);

/// The documents of a projection batch their addressees hear of now: those with an ИНН and not
/// held for review (a held one is announced when a reviewer releases it). Each with its event's
/// data.
pub(crate) fn issued_documents(
    ops: &[crate::model::ProjOp],
) -> Vec<(&crate::model::ProjectedDocument, serde_json::Value)> {
    use crate::model::ProjOp;
    let held = |record| {
        ops.iter().any(|o| {
            matches!(o, ProjOp::Flag(f) if f.record == record && f.reason == "document_unknown_subject")
        })
    };
    ops.iter()
        .filter_map(|o| match o {
            ProjOp::Document(d) if d.subject_inn.is_some() && !held(d.record) => Some((
                d,
                serde_json::json!({ "kind": d.kind, "inspection": d.inspection }),
            )),
            _ => None,
        })
        .collect()
}

/// The events of an agency's documents released by its registry gaining their addressee (held
/// while the ИНН was unknown to it): every document of the agency with an ИНН of its registry
/// and no event yet. `?1` agency, `?2` time.
pub(crate) static REGISTRY_RELEASED_EVENTS: Sql = Sql::dialects(
    "INSERT INTO business_events (subject_inn, kind, filing_id, record_id, at, data)
     SELECT d.subject_inn, 'document.issued', NULL, d.record_id, ?2,
            '{\"kind\":\"' || d.kind || '\"}'
     FROM proj_documents d JOIN records r ON r.id = d.record_id
     WHERE r.agency_id = ?1 AND d.subject_inn IS NOT NULL
       AND EXISTS (SELECT 1 FROM subjects s WHERE s.agency_id = ?1 AND s.inn = d.subject_inn)
       AND NOT EXISTS (SELECT 1 FROM business_events e
                       WHERE e.record_id = d.record_id AND e.kind = 'document.issued')
     ORDER BY d.record_id",
    "INSERT INTO business_events (subject_inn, kind, filing_id, record_id, at, data)
     SELECT d.subject_inn, 'document.issued', NULL, d.record_id, $2::TIMESTAMPTZ,
            '{\"kind\":\"' || d.kind || '\"}'
     FROM proj_documents d JOIN records r ON r.id = d.record_id
     WHERE r.agency_id = $1::UUID AND d.subject_inn IS NOT NULL
       AND EXISTS (SELECT 1 FROM subjects s WHERE s.agency_id = $1::UUID AND s.inn = d.subject_inn)
       AND NOT EXISTS (SELECT 1 FROM business_events e
                       WHERE e.record_id = d.record_id AND e.kind = 'document.issued')
     ORDER BY d.record_id",
);

/// The inspector whose device signed the warning an objection targets hears of the objection
/// (and of its decision) in pull. `?1` agency, `?2` time, `?3` the warning's record.
pub(crate) static WARNING_CHANGE: Sql = Sql::dialects(
    "INSERT INTO changes (agency_id, user_id, what, at, record_id)
     SELECT ?1, d.user_id, 'warning_objection', ?2, r.id
     FROM records r JOIN devices d ON d.id = r.device_id
     WHERE r.id = ?3 AND d.user_id IS NOT NULL",
    "INSERT INTO changes (agency_id, user_id, what, at, record_id)
     SELECT $1::UUID, d.user_id, 'warning_objection', $2::TIMESTAMPTZ, r.id
     FROM records r JOIN devices d ON d.id = r.device_id
     WHERE r.id = $3::UUID AND d.user_id IS NOT NULL",
);

/// The objections to warnings, newest first: of one warning (`?1`), or of every warning signed
/// by the devices of an inspector (`?1` the user, at most `?2`).
pub(crate) static OBJECTIONS_TO: Sql = Sql::new(concat!(
    filing_columns!(),
    " WHERE f.kind = 'objection' AND f.target_record = ?1 ORDER BY f.id DESC"
));
/// Driven from the inspector's devices and their warnings (a few thousand records), never from
/// every filing of the server: SQLite keeps a CROSS JOIN's order, PostgreSQL a materialised
/// CTE's.
pub(crate) static OBJECTIONS_TO_WARNINGS_OF: Sql = Sql::dialects(
    concat!(
        filing_select!(),
        " FROM devices d CROSS JOIN records r CROSS JOIN filings f
         WHERE d.user_id = ?1 AND r.device_id = d.id AND r.kind = 'warning'
           AND f.target_record = r.id AND f.kind = 'objection'
         ORDER BY f.id DESC LIMIT ?2"
    ),
    concat!(
        "WITH w AS MATERIALIZED (
             SELECT r.id FROM devices d JOIN records r ON r.device_id = d.id
             WHERE d.user_id = $1 AND r.kind = 'warning')",
        filing_select!(),
        " FROM w JOIN filings f ON f.target_record = w.id WHERE f.kind = 'objection'
         ORDER BY f.id DESC LIMIT $2"
    ),
);

/// The business's objects of a control type in the agency: `?1` agency, `?2` ИНН, `?3` code.
/// Looked up from the subject (its objects by `control_objects_by_subject`), never by walking
/// the agency's objects.
pub(crate) static RISK_OBJECTS: Sql = Sql::new(
    "SELECT o.id FROM control_objects o
     WHERE o.subject_id = (SELECT id FROM subjects WHERE agency_id = ?1 AND inn = ?2)
       AND o.control_type_id = (SELECT id FROM control_types WHERE agency_id = ?1 AND code = ?3)
     ORDER BY o.id",
);
