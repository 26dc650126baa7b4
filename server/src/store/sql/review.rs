//! Review flags with their resolutions: statements and row mapping.

use super::Sql;
use crate::model::{Decision, Resolution, ReviewFlag, ReviewItem};
use crate::store::cols::Cols;
use crate::store::{StoreError, StoreResult};

/// The columns [`item`] reads: the flag, then its resolution (nulls when there is none).
macro_rules! item_columns {
    () => {
        "SELECT f.record_id, f.reason, f.agency_id, f.inspection_id, f.detail,
                r.decision, r.note, r.resolved_by, u.login, r.resolved_at
         FROM review_flags f
         LEFT JOIN review_resolutions r ON r.record_id = f.record_id AND r.reason = f.reason
         LEFT JOIN users u ON u.id = r.resolved_by"
    };
}

/// The agency's flags after the (record, reason) cursor, in that order. `?5` is the state:
/// `waiting` (no resolution), `resolved`, or `all`.
pub(crate) static ITEMS: Sql = Sql::dialects(
    concat!(
        item_columns!(),
        " WHERE f.agency_id = ?1 AND (f.record_id, f.reason) > (?2, ?3)
           AND (?4 = 'all' OR (?4 = 'waiting') = (r.record_id IS NULL))
         ORDER BY f.record_id, f.reason LIMIT ?5"
    ),
    concat!(
        item_columns!(),
        " WHERE f.agency_id = $1
           AND ($2::UUID IS NULL OR (f.record_id, f.reason COLLATE \"C\") > ($2, $3::TEXT))
           AND ($4::TEXT = 'all' OR ($4::TEXT = 'waiting') = (r.record_id IS NULL))
         ORDER BY f.record_id, f.reason COLLATE \"C\" LIMIT $5"
    ),
);

/// One flag of the agency with its resolution.
pub(crate) static ITEM: Sql = Sql::new(concat!(
    item_columns!(),
    " WHERE f.agency_id = ?1 AND f.record_id = ?2 AND f.reason = ?3"
));

/// How many of the agency's flags wait, counted up to a cap (`?2`): the Today page's number
/// reads no more rows than it shows.
pub(crate) static WAITING: Sql = Sql::new(
    "SELECT COUNT(*) FROM (SELECT 1 FROM review_flags f
         WHERE f.agency_id = ?1 AND NOT EXISTS (SELECT 1 FROM review_resolutions r
             WHERE r.record_id = f.record_id AND r.reason = f.reason)
         LIMIT ?2) w",
);

/// Stores a resolution of a flag of the agency; changes nothing when there is no such flag or
/// it has a resolution already.
pub(crate) static RESOLVE: Sql = Sql::new(
    "INSERT INTO review_resolutions
         (record_id, reason, agency_id, decision, note, resolved_by, resolved_at)
     SELECT f.record_id, f.reason, f.agency_id, ?4, ?5, ?6, ?7 FROM review_flags f
     WHERE f.record_id = ?1 AND f.reason = ?2 AND f.agency_id = ?3
     ON CONFLICT (record_id, reason) DO NOTHING",
);

/// A row of `item_columns!`.
pub(crate) fn item(r: &impl Cols) -> StoreResult<ReviewItem> {
    let flag = ReviewFlag {
        record: r.id(0)?,
        reason: r.text(1)?,
        agency: r.opt_id(2)?,
        inspection: r.opt_id(3)?,
        detail: r.text(4)?,
    };
    let resolution = match r.opt_text(5)? {
        None => None,
        Some(d) => Some(Resolution {
            decision: Decision::parse(&d)
                .ok_or_else(|| StoreError::Corrupt(format!("decision {d:?}")))?,
            note: r.opt_text(6)?,
            by: r.id(7)?,
            by_login: r.opt_text(8)?.unwrap_or_default(),
            at: r.ts(9)?,
        }),
    };
    Ok(ReviewItem { flag, resolution })
}
