//! Inspections, their assignments and the inspectors' change feed.

use async_trait::async_trait;
use knd_shared::{AgencyId, InspectionId, UserId};
use time::{Date, OffsetDateTime};

use super::StoreResult;
use crate::model::{AuditEntry, Change, Inspection, InspectionFilter, InspectionStatus};

/// Inspections, their assignments and the inspectors' change feed.
#[async_trait]
pub trait InspectionStore: Send + Sync {
    /// Writes an inspection (new when `prev` is `None`; otherwise refused with
    /// [`StoreError::Stale`](super::StoreError::Stale) if the stored one is no longer `prev`): its objects, assignment and
    /// status history, a change-feed entry for each inspector it concerns, and the audit entry.
    async fn save_inspection(
        &self,
        inspection: &Inspection,
        prev: Option<&Inspection>,
        what: &str,
        audit: &AuditEntry,
    ) -> StoreResult<()>;

    /// An inspection of `agency` (any agency when `None`).
    async fn get_inspection(
        &self,
        agency: Option<AgencyId>,
        id: InspectionId,
    ) -> StoreResult<Option<Inspection>>;

    /// By start date then id, after `after` (keyset pagination).
    async fn list_inspections(
        &self,
        agency: AgencyId,
        filter: &InspectionFilter,
        after: Option<(Date, InspectionId)>,
        limit: u32,
    ) -> StoreResult<Vec<Inspection>>;

    /// The inspection's statuses with when each began, oldest first.
    async fn status_history(
        &self,
        inspection: InspectionId,
    ) -> StoreResult<Vec<(InspectionStatus, OffsetDateTime)>>;

    /// The inspector's change feed after `after`, oldest first (and the agency-wide entries).
    async fn changes_for(
        &self,
        agency: AgencyId,
        user: UserId,
        after: i64,
        limit: u32,
    ) -> StoreResult<Vec<Change>>;

    /// (floor, newest): cursors below the floor were pruned away and need a snapshot.
    async fn feed_bounds(&self) -> StoreResult<(i64, i64)>;

    /// Deletes feed entries older than `before`, raising the floor; returns how many.
    async fn prune_changes(&self, before: OffsetDateTime) -> StoreResult<u64>;

    /// The inspections the user is assigned to now that devices carry, by id after `after`.
    async fn assigned_inspections(
        &self,
        user: UserId,
        after: Option<InspectionId>,
        limit: u32,
    ) -> StoreResult<Vec<InspectionId>>;
}

/// What saving an inspection changes beyond its row, worked out once for both backends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Consequences {
    /// Inspectors taken off it (their assignment ends now).
    pub unassigned: Vec<UserId>,
    /// Inspectors put on it.
    pub assigned: Vec<UserId>,
    /// Whether the status history gets a line (a new inspection, or a new status).
    pub status_logged: bool,
    /// Whose devices hear of it in the change feed, each once.
    pub notified: Vec<UserId>,
}

/// Saving `insp` over `prev` (`None`: it is new). Devices hear of an inspection when it is, or
/// was, on them (scheduled, in progress, completed) — both the inspectors it had and those it
/// has, so a device also learns it lost one; drafts stay with the planner.
pub(crate) fn consequences(insp: &Inspection, prev: Option<&Inspection>) -> Consequences {
    let before: &[UserId] = prev.map_or(&[], |p| &p.inspectors);
    let unassigned = before
        .iter()
        .filter(|u| !insp.inspectors.contains(u))
        .copied()
        .collect();
    let assigned = insp
        .inspectors
        .iter()
        .filter(|u| !before.contains(u))
        .copied()
        .collect();
    let was_on_devices = prev.is_some_and(|p| p.status.is_on_devices());
    let mut notified = Vec::new();
    if insp.status.is_on_devices() || was_on_devices {
        notified.extend_from_slice(before);
        notified.extend(insp.inspectors.iter().copied());
        notified.sort();
        notified.dedup();
    }
    Consequences {
        unassigned,
        assigned,
        status_logged: prev.is_none_or(|p| p.status != insp.status),
        notified,
    }
}

#[cfg(test)]
mod tests {
    use knd_shared::{AgencyId, Ground, InspectionId, InspectionKind, UserId};
    use time::macros::{date, datetime};

    use super::{Consequences, consequences};
    use crate::model::{Inspection, InspectionStatus};

    fn inspection(status: InspectionStatus, inspectors: &[UserId]) -> Inspection {
        let at = datetime!(2026-12-01 09:00 UTC);
        Inspection {
            id: InspectionId::new(),
            agency: AgencyId::new(),
            kind: InspectionKind::FieldCheck,
            ground: Ground::Instruction,
            prosecutor_agreement: None,
            erknm: None,
            status,
            subject_id: uuid::Uuid::nil(),
            subject_inn: "7707083893".into(),
            subject_size: None,
            other_subjects: Vec::new(),
            control_type_id: uuid::Uuid::nil(),
            control_type_code: "fire".into(),
            checklist_id: None,
            checklist_code: None,
            objects: Vec::new(),
            starts_on: date!(2026 - 12 - 01),
            ends_on: date!(2026 - 12 - 14),
            inspectors: inspectors.to_vec(),
            note: String::new(),
            created_by: None,
            created_at: at,
            updated_at: at,
        }
    }

    fn check(
        prev: Option<(InspectionStatus, &[UserId])>,
        now: (InspectionStatus, &[UserId]),
        expected: Consequences,
    ) {
        let prev = prev.map(|(s, u)| inspection(s, u));
        let insp = inspection(now.0, now.1);
        assert_eq!(
            consequences(&insp, prev.as_ref()),
            expected,
            "{prev:?} -> {now:?}"
        );
    }

    #[test]
    fn who_hears_of_a_saved_inspection() {
        use InspectionStatus::{Cancelled, Draft, Scheduled};
        let (mut a, mut b) = (UserId::new(), UserId::new());
        if b < a {
            std::mem::swap(&mut a, &mut b);
        }
        let c = |unassigned: &[UserId], assigned: &[UserId], logged, notified: &[UserId]| {
            Consequences {
                unassigned: unassigned.to_vec(),
                assigned: assigned.to_vec(),
                status_logged: logged,
                notified: notified.to_vec(),
            }
        };
        // A draft stays with the planner; scheduled, its inspectors' devices hear of it.
        check(None, (Draft, &[a]), c(&[], &[a], true, &[]));
        check(None, (Scheduled, &[a]), c(&[], &[a], true, &[a]));
        // Reassigned: both the one taken off and the one put on hear of it, once each.
        check(
            Some((Scheduled, &[a])),
            (Scheduled, &[b]),
            c(&[a], &[b], false, &[a, b]),
        );
        check(
            Some((Scheduled, &[a, b])),
            (Scheduled, &[b, a]),
            c(&[], &[], false, &[a, b]),
        );
        // Cancelled: off the devices, which hear of it one last time.
        check(
            Some((Scheduled, &[a])),
            (Cancelled, &[a]),
            c(&[], &[], true, &[a]),
        );
        // A draft changed into another draft: nobody's device is told.
        check(
            Some((Draft, &[a])),
            (Draft, &[b]),
            c(&[a], &[b], false, &[]),
        );
    }
}
