//! Pull (DESIGN.md section 5): what an enrolled device's inspector needs offline, and later
//! changes to it, paged through an opaque, monotonic cursor.
//!
//! The cursor names a position in the inspector's change feed (`changes`, written in the same
//! transaction as each change). With no cursor, or one older than what the feed still keeps, the
//! device gets a snapshot: every current assignment in full, paged by inspection id, ending with
//! the feed position taken when the snapshot began, so that nothing changed meanwhile is missed.

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use knd_shared::{AgencyId, InspectionId, UserId};
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult};
use crate::model::{
    Checklist, ControlObject, Inspection, InspectionStatus, PastViolation, ProjectedDocument,
    ProsecutorAgreement,
};
use crate::services::pull_warnings::{self, WarningObjection};
use crate::state::AppState;
use crate::store::PageDetails;

/// Where a device is in its pull.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cursor {
    /// Paging through a snapshot begun at feed position `start`, after `after`.
    Snapshot {
        start: i64,
        after: Option<InspectionId>,
    },
    /// Following the feed after `after`.
    Feed { after: i64 },
}

impl Cursor {
    fn encode(self) -> String {
        let text = match self {
            Cursor::Snapshot { start, after } => format!(
                "s.{start}.{}",
                after.map(|a| a.to_string()).unwrap_or_default()
            ),
            Cursor::Feed { after } => format!("f.{after}"),
        };
        URL_SAFE_NO_PAD.encode(format!("v1.{text}"))
    }

    fn decode(s: &str) -> Option<Cursor> {
        let bytes = URL_SAFE_NO_PAD.decode(s).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let mut parts = text.strip_prefix("v1.")?.split('.');
        let cursor = match parts.next()? {
            "f" => Cursor::Feed {
                after: parts.next()?.parse().ok().filter(|n: &i64| *n >= 0)?,
            },
            "s" => {
                let start = parts.next()?.parse().ok().filter(|n: &i64| *n >= 0)?;
                let after = match parts.next()? {
                    "" => None,
                    id => Some(InspectionId::parse(id).ok()?),
                };
                Cursor::Snapshot { start, after }
            }
            _ => return None,
        };
        parts.next().is_none().then_some(cursor)
    }
}

/// The subject as a device needs it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SubjectCard {
    pub inn: String,
    pub ogrn: Option<String>,
    pub name: String,
    pub size_class: String,
}

impl From<crate::model::Subject> for SubjectCard {
    fn from(s: crate::model::Subject) -> Self {
        Self {
            inn: s.inn,
            ogrn: s.ogrn,
            name: s.name,
            size_class: s.size_class.as_str().to_owned(),
        }
    }
}

/// An object as a device needs it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ObjectCard {
    pub key: String,
    pub address: String,
    pub district: String,
    pub lat_e7: Option<i64>,
    pub lon_e7: Option<i64>,
    pub risk_category: Option<String>,
    #[schema(value_type = Object)]
    pub attributes: serde_json::Value,
}

impl From<ControlObject> for ObjectCard {
    fn from(o: ControlObject) -> Self {
        Self {
            key: o.object_key,
            address: o.address,
            district: o.district,
            lat_e7: o.position.map(|p| p.0),
            lon_e7: o.position.map(|p| p.1),
            risk_category: o.risk_category.map(|r| r.as_str().to_owned()),
            attributes: o.attributes,
        }
    }
}

/// What happened at these objects before: violations found, and the subject's orders still open.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct History {
    pub violations: Vec<PastViolation>,
    pub open_orders: Vec<ProjectedDocument>,
}

/// One assignment with everything needed to work it offline.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Assignment {
    #[schema(value_type = String)]
    pub id: InspectionId,
    pub kind: String,
    pub kind_name: String,
    /// `planned` or `unplanned`, for apps that predate grounds.
    pub basis: String,
    /// The ground of ч.1 ст.57 (`plan`, `harm_or_risk_indicator`, ...).
    pub ground: String,
    /// The ground with its point of ч.1 ст.57, as a document states it.
    pub ground_name: String,
    pub prosecutor_agreement: Option<ProsecutorAgreement>,
    /// The ЕРКНМ registration number (ПП 604), printed in the act.
    pub erknm: Option<String>,
    /// The interaction limit in hours (ст.73: small 50, micro 15), if any.
    pub interaction_limit_hours: Option<u32>,
    /// The agency's time zone (IANA), whose local dates documents use (ГК ст.194).
    pub time_zone: String,
    pub status: InspectionStatus,
    pub control_type: String,
    /// The control type's name, as the agency registered it.
    pub control_type_name: String,
    #[schema(value_type = String, format = Date)]
    pub starts_on: String,
    #[schema(value_type = String, format = Date)]
    pub ends_on: String,
    pub note: String,
    pub subject: SubjectCard,
    /// Every controlled person the measure concerns, `subject` first (a raid may have several).
    pub subjects: Vec<SubjectCard>,
    pub objects: Vec<ObjectCard>,
    /// The checklist's code; the checklist itself is in the page's `checklists`.
    pub checklist: Option<String>,
    pub history: History,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// A checklist of a control type, as a page carries it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PageChecklist {
    pub control_type: String,
    #[serde(flatten)]
    pub checklist: Checklist,
}

/// Adds the checklists `assignments` use to the page, each once.
async fn attach_checklists(
    state: &AppState,
    agency: AgencyId,
    page: &mut PullPage,
) -> ApiResult<()> {
    for a in &page.assignments {
        let Some(code) = &a.checklist else { continue };
        if page
            .checklists
            .iter()
            .any(|c| &c.checklist.code == code && c.control_type == a.control_type)
        {
            continue;
        }
        if let Some(checklist) = state
            .store
            .get_checklist(agency, &a.control_type, code)
            .await?
        {
            page.checklists.push(PageChecklist {
                control_type: a.control_type.clone(),
                checklist,
            });
        }
    }
    Ok(())
}

/// An inspection the device should drop, and why.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Removed {
    #[schema(value_type = String)]
    pub id: InspectionId,
    /// unassigned, cancelled, closed, withdrawn (back to draft) or gone.
    pub reason: String,
}

/// One page of pull.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PullPage {
    /// Pass it to the next pull; store it only after applying this page.
    pub cursor: String,
    /// More pages are ready now: pull again at once.
    pub more: bool,
    /// This page starts a snapshot: drop every assignment not sent again before the snapshot ends.
    pub reset: bool,
    /// New or changed assignments, in full (replace what the device has).
    pub assignments: Vec<Assignment>,
    /// The checklists (with their requirements) this page's assignments use, each once.
    pub checklists: Vec<PageChecklist>,
    pub removed: Vec<Removed>,
    /// Objections to warnings this inspector issued, as they now stand (all of them with a
    /// snapshot's first page; afterwards those filed or decided since the cursor).
    pub warnings: Vec<WarningObjection>,
    /// Production-calendar years (with a snapshot), in the form `knd calendar` loads.
    #[schema(value_type = Vec<Object>)]
    pub calendar: Vec<serde_json::Value>,
    #[serde(with = "time::serde::rfc3339")]
    pub server_time: OffsetDateTime,
}

/// Prunes the change feed to the configured retention every hour, in the background; it stops
/// when the state is dropped.
pub fn spawn_pruning(state: &AppState) {
    let weak = std::sync::Arc::downgrade(&state.0);
    tokio::spawn(async move {
        loop {
            let Some(inner) = weak.upgrade() else { return };
            let state = AppState(inner);
            let keep = time::Duration::days(i64::from(state.config.sync.change_retention_days));
            match state
                .store
                .prune_changes(OffsetDateTime::now_utc() - keep)
                .await
            {
                Ok(0) => {}
                Ok(n) => tracing::info!(pruned = n, "change feed pruned"),
                Err(e) => tracing::error!(error = %e, "pruning the change feed failed"),
            }
            drop(state);
            tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
        }
    });
}

/// How many past violations and orders go with an assignment.
pub const HISTORY_LIMIT: u32 = 50;

pub async fn pull(
    state: &AppState,
    agency: AgencyId,
    user: UserId,
    cursor: Option<&str>,
    limit: Option<u32>,
) -> ApiResult<PullPage> {
    let page = limit.unwrap_or(state.config.sync.pull_page);
    if !(1..=500).contains(&page) {
        return Err(ApiError::BadRequest("limit is 1 to 500".into()));
    }
    let cursor = match cursor {
        None => None,
        Some(c) => Some(Cursor::decode(c).ok_or_else(|| {
            ApiError::BadRequest("the cursor is not one this server gave".into())
        })?),
    };
    let (floor, newest) = state.store.feed_bounds().await?;
    let cursor = match cursor {
        Some(Cursor::Feed { after }) if after > newest => {
            return Err(ApiError::BadRequest(
                "the cursor is ahead of this server's feed (a restored database?): pull without a cursor"
                    .into(),
            ));
        }
        // Too old: what happened between is gone from the feed.
        Some(Cursor::Feed { after }) if after < floor => None,
        Some(Cursor::Snapshot { start, .. }) if start < floor => None,
        other => other,
    };
    let server_time = OffsetDateTime::now_utc();
    match cursor {
        None => snapshot(state, agency, user, newest, None, page, true).await,
        Some(Cursor::Snapshot { start, after }) => {
            snapshot(state, agency, user, start, after, page, false).await
        }
        Some(Cursor::Feed { after }) => {
            let changes = state.store.changes_for(agency, user, after, page).await?;
            if let Some(newest) = changes
                .iter()
                .filter(|c| c.inspection.is_none() && c.record.is_none())
                .map(|c| c.id)
                .max()
            {
                // Reference data changed (a checklist, a requirement, an object's category):
                // every assignment may read differently, so the device gets them all again.
                let start = newest.max(changes.last().map_or(after, |c| c.id));
                return snapshot(state, agency, user, start, None, page, true).await;
            }
            let next = changes.last().map_or(after, |c| c.id);
            let mut ids: Vec<InspectionId> = Vec::new();
            let mut warnings: Vec<knd_shared::RecordId> = Vec::new();
            for c in &changes {
                if let Some(w) = c.record
                    && !warnings.contains(&w)
                {
                    warnings.push(w);
                }
                if let Some(i) = c.inspection {
                    if !ids.contains(&i) {
                        ids.push(i);
                    }
                }
            }
            let mut out = PullPage {
                cursor: Cursor::Feed { after: next }.encode(),
                more: changes.len() == page as usize,
                reset: false,
                assignments: Vec::new(),
                checklists: Vec::new(),
                removed: Vec::new(),
                warnings: pull_warnings::of_warnings(state, &warnings).await?,
                calendar: Vec::new(),
                server_time,
            };
            let mut by_id: HashMap<InspectionId, Inspection> = state
                .store
                .inspections_by_ids(agency, &ids)
                .await?
                .into_iter()
                .map(|i| (i.id, i))
                .collect();
            let mut send = Vec::new();
            for id in ids {
                match by_id.remove(&id) {
                    Some(i) if i.inspectors.contains(&user) && i.status.is_on_devices() => {
                        send.push(i);
                    }
                    found => out.removed.push(Removed {
                        id,
                        reason: match found.map(|i| i.status) {
                            None => "gone",
                            Some(InspectionStatus::Cancelled) => "cancelled",
                            Some(InspectionStatus::Closed) => "closed",
                            Some(InspectionStatus::Draft) => "withdrawn",
                            Some(_) => "unassigned",
                        }
                        .to_owned(),
                    }),
                }
            }
            out.assignments = assemble(state, send).await?;
            attach_checklists(state, agency, &mut out).await?;
            Ok(out)
        }
    }
}

async fn snapshot(
    state: &AppState,
    agency: AgencyId,
    user: UserId,
    start: i64,
    after: Option<InspectionId>,
    page: u32,
    first: bool,
) -> ApiResult<PullPage> {
    let ids = state.store.assigned_inspections(user, after, page).await?;
    let full = ids.len() == page as usize;
    let found = state.store.inspections_by_ids(agency, &ids).await?;
    let assignments = assemble(state, found).await?;
    let cursor = if full {
        Cursor::Snapshot {
            start,
            after: ids.last().copied(),
        }
    } else {
        Cursor::Feed { after: start }
    };
    let mut out = PullPage {
        cursor: cursor.encode(),
        // After the snapshot, the feed from `start` may hold more.
        more: true,
        reset: first,
        assignments,
        checklists: Vec::new(),
        removed: Vec::new(),
        warnings: if first {
            pull_warnings::of_inspector(state, user).await?
        } else {
            Vec::new()
        },
        calendar: if first {
            state.calendar.years().map(|y| y.to_json()).collect()
        } else {
            Vec::new()
        },
        server_time: OffsetDateTime::now_utc(),
    };
    attach_checklists(state, agency, &mut out).await?;
    Ok(out)
}

/// The assignments of `found` (one agency's inspections), in order: a constant number of
/// statements for the page, whatever its size (`PullStore`).
async fn assemble(state: &AppState, found: Vec<Inspection>) -> ApiResult<Vec<Assignment>> {
    let Some(first) = found.first() else {
        return Ok(Vec::new());
    };
    let agency = first.agency;
    let (types, details) = tokio::try_join!(
        state.store.list_control_types(agency),
        state.store.page_details(agency, &found, HISTORY_LIMIT),
    )?;
    let names: HashMap<String, String> = types.into_iter().map(|c| (c.code, c.name)).collect();
    let today = state.today();
    found
        .into_iter()
        .map(|i| assignment(state, i, &names, &details, today))
        .collect()
}

fn assignment(
    state: &AppState,
    i: Inspection,
    control_type_names: &HashMap<String, String>,
    details: &PageDetails,
    today: time::Date,
) -> ApiResult<Assignment> {
    let subject = details
        .subjects
        .get(&i.subject_inn)
        .cloned()
        .ok_or_else(|| ApiError::Internal(format!("inspection {} has no subject", i.id)))?;
    let mut subjects = vec![SubjectCard::from(subject)];
    subjects.extend(
        i.other_subjects
            .iter()
            .filter_map(|(_, inn)| details.subjects.get(inn))
            .map(|s| SubjectCard::from(s.clone())),
    );
    // `i.objects` is in key order, as devices have always got them.
    let objects = i
        .objects
        .iter()
        .filter_map(|(id, _)| details.objects.get(id))
        .map(|o| ObjectCard::from(o.clone()))
        .collect();
    let violations = details.violations.get(&i.id).cloned().unwrap_or_default();
    let open_orders = details
        .orders
        .get(&i.subject_inn)
        .into_iter()
        .flatten()
        .filter(|o| order_open(o, today))
        .cloned()
        .collect();
    Ok(Assignment {
        id: i.id,
        kind: i.kind.as_str().to_owned(),
        kind_name: i.kind.name_ru().to_owned(),
        basis: i.basis().to_owned(),
        ground: i.ground.as_str().to_owned(),
        ground_name: i.ground.title_ru(),
        interaction_limit_hours: i.interaction_limit_minutes().map(|m| m / 60),
        prosecutor_agreement: i.prosecutor_agreement,
        erknm: i.erknm,
        time_zone: state.time_zone_name().to_owned(),
        status: i.status,
        control_type_name: control_type_names
            .get(&i.control_type_code)
            .cloned()
            .unwrap_or_else(|| i.control_type_code.clone()),
        control_type: i.control_type_code,
        starts_on: knd_shared::calendar::iso_date::format(i.starts_on),
        ends_on: knd_shared::calendar::iso_date::format(i.ends_on),
        note: i.note,
        subject: subjects[0].clone(),
        subjects,
        objects,
        checklist: i.checklist_code,
        history: History {
            violations,
            open_orders,
        },
        updated_at: i.updated_at,
    })
}

/// An order is open while one of its remedies' deadlines has not passed.
pub(crate) fn order_open(order: &ProjectedDocument, today: time::Date) -> bool {
    let Ok(o) = serde_json::from_value::<knd_shared::record::kinds::Order>(order.body.clone())
    else {
        return false;
    };
    o.remedies.iter().any(|r| r.deadline >= today)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_garbage() {
        let id = InspectionId::new();
        for c in [
            Cursor::Feed { after: 0 },
            Cursor::Feed { after: 42 },
            Cursor::Snapshot {
                start: 7,
                after: None,
            },
            Cursor::Snapshot {
                start: 7,
                after: Some(id),
            },
        ] {
            assert_eq!(Cursor::decode(&c.encode()), Some(c));
        }
        for bad in ["", "garbage", "djEuZi4tMQ", "djEueC4x"] {
            assert_eq!(Cursor::decode(bad), None, "{bad}");
        }
    }
}
