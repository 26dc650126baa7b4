//! What field devices recorded for an inspection, as the console and API clients read it: the
//! current version of each finding, photo and document, each with the versions it replaced.

use std::collections::{HashMap, HashSet};

use axum::extract::State;
use knd_shared::{InspectionId, RecordId};
use serde::Serialize;
use utoipa::ToSchema;

use super::projected::{DocumentView, FindingView, FlagView, PhotoView};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Json, Path};
use crate::model::{FieldData, ProjectedDocument, ProjectedFinding, ProjectedPhoto, Version};
use crate::services::inspection_reads;
use crate::state::AppState;

/// An inspection's field work, projected from the accepted records. Every row is one record's:
/// its id, its device time and its content. A corrected answer, photo or document is listed
/// once, as the record that holds it now (the last correction, with the reason given for it),
/// and its `history` holds the versions it replaced, so every record an act or order cites is
/// a row here.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct FieldView {
    #[schema(value_type = Option<String>)]
    started_record: Option<RecordId>,
    started_at: Option<String>,
    #[schema(value_type = Option<String>)]
    finished_record: Option<RecordId>,
    finished_at: Option<String>,
    /// The current answers, by item and time.
    findings: Vec<CurrentFinding>,
    /// The current photos, by record id.
    photos: Vec<CurrentPhoto>,
    /// The current warnings, acts, orders and interaction intervals, by record id.
    documents: Vec<CurrentDocument>,
    flags: Vec<FlagView>,
}

/// The current answer to a checklist item: the finding, or the correction that replaced it.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct CurrentFinding {
    #[serde(flatten)]
    current: FindingView,
    /// The review flags raised on this record (e.g. `not_assigned`: its inspector was not
    /// assigned to the inspection when it arrived), so a doubtful row never looks ordinary.
    review_flags: Vec<String>,
    /// The answers this one replaced, oldest first: the original finding, then each earlier
    /// correction, each with its own record id, time, content and reason.
    history: Vec<FindingView>,
}

/// A current photo, with the findings that cite it.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct CurrentPhoto {
    #[serde(flatten)]
    current: PhotoView,
    /// The review flags raised on this record (e.g. `not_assigned`: its inspector was not
    /// assigned to the inspection when it arrived), so a doubtful row never looks ordinary.
    review_flags: Vec<String>,
    /// The finding records of this inspection (current answers or earlier versions) that cite
    /// the photo by its SHA-256.
    #[schema(value_type = Vec<String>)]
    cited_by: Vec<RecordId>,
    /// The versions this one replaced, oldest first.
    history: Vec<PhotoView>,
}

/// A current document.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct CurrentDocument {
    #[serde(flatten)]
    current: DocumentView,
    /// The review flags raised on this record (e.g. `not_assigned`: its inspector was not
    /// assigned to the inspection when it arrived), so a doubtful row never looks ordinary.
    review_flags: Vec<String>,
    /// The versions this one replaced, oldest first.
    history: Vec<DocumentView>,
}

/// A projected row of one record, in a chain of versions.
trait Versioned: Clone {
    fn record(&self) -> RecordId;
    fn version(&self) -> &Version;
}

macro_rules! versioned {
    ($($t:ty),*) => {$(
        impl Versioned for $t {
            fn record(&self) -> RecordId {
                self.record
            }
            fn version(&self) -> &Version {
                &self.version
            }
        }
    )*};
}
versioned!(ProjectedFinding, ProjectedPhoto, ProjectedDocument);

/// The current rows (in their order) with the rows each replaced, oldest first. A row is current
/// unless the correction replacing it is among `rows` (a correction may move a record to another
/// inspection; the last version here is then shown, and names its successor).
fn current_versions<T: Versioned>(rows: Vec<T>) -> Vec<(T, Vec<T>)> {
    let by_id: HashMap<RecordId, &T> = rows.iter().map(|r| (r.record(), r)).collect();
    rows.iter()
        .filter(|r| {
            r.version()
                .superseded_by
                .is_none_or(|by| !by_id.contains_key(&by))
        })
        .map(|r| {
            let mut history = Vec::new();
            let mut seen = HashSet::from([r.record()]);
            let mut earlier = r.version().supersedes;
            while let Some(prev) = earlier.and_then(|id| by_id.get(&id)) {
                if !seen.insert(prev.record()) {
                    break;
                }
                history.push((*prev).clone());
                earlier = prev.version().supersedes;
            }
            history.reverse();
            (r.clone(), history)
        })
        .collect()
}

fn views<T, V: From<T>>(rows: Vec<T>) -> Vec<V> {
    rows.into_iter().map(Into::into).collect()
}

impl From<FieldData> for FieldView {
    fn from(d: FieldData) -> Self {
        let mut flagged: std::collections::HashMap<RecordId, Vec<String>> = Default::default();
        for f in &d.flags {
            flagged.entry(f.record).or_default().push(f.reason.clone());
        }
        let flags_of = |r: RecordId| flagged.get(&r).cloned().unwrap_or_default();
        let photos = current_versions(d.photos)
            .into_iter()
            .map(|(current, history)| {
                let sha = current.sha256.to_hex();
                CurrentPhoto {
                    review_flags: flags_of(current.record),
                    cited_by: d
                        .findings
                        .iter()
                        .filter(|f| f.photos.contains(&sha))
                        .map(|f| f.record)
                        .collect(),
                    current: current.into(),
                    history: views(history),
                }
            })
            .collect();
        Self {
            started_record: d.started_record,
            started_at: d.started_at,
            finished_record: d.finished_record,
            finished_at: d.finished_at,
            findings: current_versions(d.findings)
                .into_iter()
                .map(|(current, history)| CurrentFinding {
                    review_flags: flags_of(current.record),
                    current: current.into(),
                    history: views(history),
                })
                .collect(),
            photos,
            documents: current_versions(d.documents)
                .into_iter()
                .map(|(current, history)| CurrentDocument {
                    review_flags: flags_of(current.record),
                    current: current.into(),
                    history: views(history),
                })
                .collect(),
            flags: views(d.flags),
        }
    }
}

/// What field devices recorded for an inspection (projected from the accepted records):
/// progress, the current answer of each item with the answers it replaced, photos with the
/// device's warnings, documents, review flags.
#[utoipa::path(get, path = "/api/v1/inspections/{id}/field", tag = "inspections", security(("session" = [])),
    params(("id" = String, Path)), responses((status = 200, body = FieldView)))]
pub(super) async fn field(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<FieldView>> {
    let id = InspectionId::parse(&id).map_err(|_| ApiError::NotFound)?;
    Ok(Json(
        inspection_reads::field(&state, &caller.user, id)
            .await?
            .into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use knd_shared::{DeviceId, InspectionId};

    fn row(
        record: RecordId,
        supersedes: Option<RecordId>,
        by: Option<RecordId>,
    ) -> ProjectedFinding {
        ProjectedFinding {
            record,
            inspection: InspectionId::new(),
            item: "1".into(),
            result: "compliant".into(),
            note: None,
            photos: vec![],
            device: DeviceId::new(),
            at: String::new(),
            version: Version {
                supersedes,
                reason: supersedes.map(|_| "уточнено".into()),
                superseded_by: by,
            },
        }
    }

    fn ids(v: &[(ProjectedFinding, Vec<ProjectedFinding>)]) -> Vec<(RecordId, Vec<RecordId>)> {
        v.iter()
            .map(|(c, h)| (c.record, h.iter().map(|r| r.record).collect()))
            .collect()
    }

    #[test]
    fn a_chain_of_corrections_is_one_current_row_with_its_history() {
        let (a, b, c, d) = (
            RecordId::new(),
            RecordId::new(),
            RecordId::new(),
            RecordId::new(),
        );
        let rows = vec![
            row(a, None, Some(b)),
            row(b, Some(a), Some(c)),
            row(c, Some(b), None),
            row(d, None, None),
        ];
        assert_eq!(
            ids(&current_versions(rows)),
            vec![(c, vec![a, b]), (d, vec![])]
        );
    }

    #[test]
    fn a_successor_elsewhere_leaves_the_last_version_here_current() {
        let (a, b, elsewhere) = (RecordId::new(), RecordId::new(), RecordId::new());
        let rows = vec![row(a, None, Some(b)), row(b, Some(a), Some(elsewhere))];
        assert_eq!(ids(&current_versions(rows)), vec![(b, vec![a])]);
    }

    #[test]
    fn two_corrections_of_one_version_are_both_current() {
        let (a, b, c) = (RecordId::new(), RecordId::new(), RecordId::new());
        let rows = vec![
            row(a, None, Some(b)),
            row(b, Some(a), None),
            row(c, Some(a), None),
        ];
        assert_eq!(
            ids(&current_versions(rows)),
            vec![(b, vec![a]), (c, vec![a])]
        );
    }
}
