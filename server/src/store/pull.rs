//! What a pull page reads, a page at a time: a constant number of statements per page, whatever
//! its size (a statement per assignment made the first pull of a few hundred assignments cost
//! seconds of round trips on PostgreSQL).

use std::collections::HashMap;

use async_trait::async_trait;
use knd_shared::{AgencyId, InspectionId};

use super::StoreResult;
use crate::model::{ControlObject, Inspection, PastViolation, ProjectedDocument, Subject};

/// What the page's assignments carry beyond their inspections, keyed for assembly.
#[derive(Debug, Clone, Default)]
pub struct PageDetails {
    /// The objects of the page's inspections, by id.
    pub objects: HashMap<uuid::Uuid, ControlObject>,
    /// The agency's subjects with the page's INNs (main and further subjects), by INN.
    pub subjects: HashMap<String, Subject>,
    /// Per inspection: violations found at its objects by the agency's other inspections
    /// (current answers), newest first, at most the limit asked.
    pub violations: HashMap<InspectionId, Vec<PastViolation>>,
    /// Per main subject's INN: its current orders from the agency's inspections, newest first,
    /// at most the limit asked (whether each is still open is the caller's rule).
    pub orders: HashMap<String, Vec<ProjectedDocument>>,
}

/// Batched reads for pull.
#[async_trait]
pub trait PullStore: Send + Sync {
    /// The agency's inspections among `ids` (with their objects, inspectors and further
    /// subjects), in the order of `ids`; ids of no such inspection are left out.
    async fn inspections_by_ids(
        &self,
        agency: AgencyId,
        ids: &[InspectionId],
    ) -> StoreResult<Vec<Inspection>>;

    /// What the assignments of `inspections` (the agency's) carry, with at most `history_limit`
    /// past violations per inspection and orders per subject.
    async fn page_details(
        &self,
        agency: AgencyId,
        inspections: &[Inspection],
        history_limit: u32,
    ) -> StoreResult<PageDetails>;
}

/// The ids and INNs a page's details are read by, each once.
#[derive(Debug, Clone, Default)]
pub(crate) struct Wanted {
    pub(crate) inspections: Vec<uuid::Uuid>,
    pub(crate) objects: Vec<uuid::Uuid>,
    /// Main and further subjects.
    pub(crate) inns: Vec<String>,
    /// Main subjects alone (their open orders travel with the assignment).
    pub(crate) main_inns: Vec<String>,
}

impl Wanted {
    pub(crate) fn of(inspections: &[Inspection]) -> Wanted {
        let mut w = Wanted::default();
        for i in inspections {
            w.inspections.push(i.id.as_uuid());
            w.objects.extend(i.objects.iter().map(|(id, _)| *id));
            w.main_inns.push(i.subject_inn.clone());
            w.inns.push(i.subject_inn.clone());
            w.inns
                .extend(i.other_subjects.iter().map(|(_, inn)| inn.clone()));
        }
        for list in [&mut w.inspections, &mut w.objects] {
            list.sort_unstable();
            list.dedup();
        }
        for list in [&mut w.inns, &mut w.main_inns] {
            list.sort_unstable();
            list.dedup();
        }
        w
    }
}

/// The found inspections in the order of `ids`, with their lists filled in: objects in key order
/// (bytes, as the per-inspection read sorts them), inspectors by id, further subjects by INN.
pub(crate) fn complete(
    ids: &[InspectionId],
    found: Vec<Inspection>,
    objects: Vec<(uuid::Uuid, uuid::Uuid, String)>,
    inspectors: Vec<(uuid::Uuid, uuid::Uuid)>,
    others: Vec<(uuid::Uuid, uuid::Uuid, String)>,
) -> Vec<Inspection> {
    let mut by_id: HashMap<uuid::Uuid, Inspection> =
        found.into_iter().map(|i| (i.id.as_uuid(), i)).collect();
    for (inspection, id, key) in objects {
        if let Some(i) = by_id.get_mut(&inspection) {
            i.objects.push((id, key));
        }
    }
    for (inspection, user) in inspectors {
        if let Some(i) = by_id.get_mut(&inspection) {
            i.inspectors.push(user.into());
        }
    }
    for (inspection, id, inn) in others {
        if let Some(i) = by_id.get_mut(&inspection) {
            i.other_subjects.push((id, inn));
        }
    }
    let mut out = Vec::with_capacity(by_id.len());
    for id in ids {
        if let Some(mut i) = by_id.remove(&id.as_uuid()) {
            i.objects.sort_by(|a, b| a.1.cmp(&b.1));
            i.inspectors.sort();
            i.other_subjects.sort_by(|a, b| a.1.cmp(&b.1));
            out.push(i);
        }
    }
    out
}

impl PageDetails {
    /// Keys the rows of the detail statements for assembly.
    pub(crate) fn from_rows(
        objects: Vec<ControlObject>,
        subjects: Vec<Subject>,
        violations: Vec<(uuid::Uuid, PastViolation)>,
        orders: Vec<ProjectedDocument>,
    ) -> PageDetails {
        let mut details = PageDetails {
            objects: objects.into_iter().map(|o| (o.id, o)).collect(),
            subjects: subjects.into_iter().map(|s| (s.inn.clone(), s)).collect(),
            ..PageDetails::default()
        };
        // Both statements give each key's rows newest first.
        for (inspection, v) in violations {
            details
                .violations
                .entry(inspection.into())
                .or_default()
                .push(v);
        }
        for o in orders {
            let Some(inn) = o.subject_inn.clone() else {
                continue;
            };
            details.orders.entry(inn).or_default().push(o);
        }
        details
    }
}
