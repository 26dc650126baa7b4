//! The projector: accepted records become domain rows (inspection progress, findings, photos,
//! warnings, acts, orders). A correction is a row of its own, of the kind it corrects, holding
//! its own id, time and content with the record it supersedes and its reason; the row it
//! replaces names it (`superseded_by`), so every version stays in the projection.
//!
//! It reads records in log order from where it stopped and writes each batch with its new
//! position in one transaction, so it is idempotent and survives a crash. Every decision depends
//! only on the records and on the inspection's history as of each record's arrival, so
//! `rebuild` (empty the tables, replay from log index 0) gives the same tables.
//!
//! A record that conflicts with the server's state (its inspection cancelled, its inspector not
//! assigned, a second act...) is projected like any other and flagged for review: a valid signed
//! record is never dropped.

use std::collections::{HashMap, HashSet};

use knd_shared::record::kinds::{self, RecordKind};
use knd_shared::record::parse_unverified;
use knd_shared::{AgencyId, DeviceId, InspectionId, RecordId, UserId};
use serde_json::{Map, Value};

use crate::error::{ApiError, ApiResult};
use crate::model::{
    Actor, InspectionAt, InspectionStatus, ProjOp, ProjectedDocument, ProjectedFinding,
    ProjectedPhoto, ReviewFlag, StoredRecord, Version,
};
use crate::state::AppState;
use crate::store::Store;

mod corrections;
mod photo_warnings;
mod record_time;

const BATCH: u32 = 500;

/// Whether the projector also moves inspections along (scheduled → in progress on a start,
/// → completed on a finish). A rebuild only rewrites the projection tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Live,
    Rebuild,
}

/// Runs the projector in the background: at once (records may have arrived before a restart),
/// whenever a push accepted records, and every few seconds as a safety net. It stops when the
/// state is dropped.
pub fn spawn(state: &AppState) {
    let weak = std::sync::Arc::downgrade(&state.0);
    tokio::spawn(async move {
        loop {
            let Some(inner) = weak.upgrade() else { return };
            let state = AppState(inner);
            if let Err(e) = catch_up(&state).await {
                tracing::error!(error = %e, "projector run failed; retrying");
            }
            let wake = std::sync::Arc::clone(&state.projector_wake);
            drop(state);
            let _ = tokio::time::timeout(std::time::Duration::from_secs(5), wake.notified()).await;
        }
    });
}

/// Projects every record not yet projected. Callers serialise runs (the state's projector lock).
pub async fn catch_up(state: &AppState) -> ApiResult<u64> {
    let _running = state.projector.lock().await;
    let (done, moves) = run(state.store.as_ref(), Mode::Live).await?;
    for (inspection, device, to) in moves {
        advance(state, inspection, device, to).await;
    }
    Ok(done)
}

/// What a rebuild did: the records replayed, and a digest of every projection row before and
/// after (equal when the projections were exactly what the records say).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rebuilt {
    pub records: u64,
    pub rows: usize,
    pub before: String,
    pub after: String,
}

/// Empties the projections and replays every record (the operator's `rebuild-projections`).
pub async fn rebuild(state: &AppState) -> ApiResult<Rebuilt> {
    let _running = state.projector.lock().await;
    let store = state.store.as_ref();
    // Project what is pending first, so that "before" is the complete projection.
    run(store, Mode::Rebuild).await?;
    let before = digest(&store.projection_dump().await?);
    store.reset_projections().await?;
    let records = run(store, Mode::Rebuild).await?.0;
    let dump = store.projection_dump().await?;
    Ok(Rebuilt {
        records,
        rows: dump.len(),
        before,
        after: digest(&dump),
    })
}

fn digest(rows: &[String]) -> String {
    use sha2::Digest as _;
    let mut h = sha2::Sha256::new();
    for r in rows {
        h.update(r.as_bytes());
        h.update(b"\n");
    }
    hex::encode(h.finalize())
}

type Move = (InspectionId, DeviceId, InspectionStatus);

async fn run(store: &dyn Store, mode: Mode) -> ApiResult<(u64, Vec<Move>)> {
    let mut done = 0;
    let mut moves = Vec::new();
    loop {
        let position = store.projection_position().await?;
        let batch = store.records_from(position.upto, BATCH).await?;
        let Some(last) = batch.last() else {
            return Ok((done, moves));
        };
        let upto = last.log_index + 1;
        let mut p = Projector {
            store,
            replay_below: position.replay_below,
            devices: HashMap::new(),
            acts: HashSet::new(),
            interaction: HashMap::new(),
            superseded: HashMap::new(),
            ops: Vec::new(),
            moves: Vec::new(),
        };
        for r in &batch {
            p.record(r).await?;
        }
        store.apply_projection(&p.ops, upto).await?;
        done += batch.len() as u64;
        if mode == Mode::Live {
            moves.extend(p.moves);
        }
    }
}

/// Moves an inspection along after a start or finish, when the status machine allows it; a
/// refusal (already moved, cancelled meanwhile) is not an error of the record's.
async fn advance(state: &AppState, id: InspectionId, device: DeviceId, to: InspectionStatus) {
    let Ok(Some(insp)) = state.store.get_inspection(None, id).await else {
        return;
    };
    if !insp.status.may_become(to) {
        return;
    }
    if let Err(e) =
        super::inspections::set_status(state, &insp, to, None, Actor::Device(device), None).await
    {
        tracing::info!(inspection = %id, error = %e, "status not advanced by a field record");
        return;
    }
    if to == InspectionStatus::Completed && insp.kind.is_preventive() {
        visit_held(state, &insp).await;
    }
}

/// A planned (mandatory) preventive visit held: each of its objects' history gains the visit,
/// which counts towards ПП 1511's periodicity. Idempotent (the measure is the event's source).
async fn visit_held(state: &AppState, insp: &crate::model::Inspection) {
    let keys: Vec<String> = insp.objects.iter().map(|(_, k)| k.clone()).collect();
    let Ok(objects) = state.store.objects_by_keys(insp.agency, &keys).await else {
        return;
    };
    let events: Vec<crate::model::planning::RiskEvent> = objects
        .into_iter()
        .map(|o| crate::model::planning::RiskEvent {
            id: uuid::Uuid::now_v7(),
            agency: insp.agency,
            object: o.id.into(),
            kind: "preventive_visit".into(),
            occurred_on: state.today(),
            due_on: None,
            passed: Some(true),
            source: format!("inspection:{}", insp.id),
            note: String::new(),
            recorded_at: time::OffsetDateTime::now_utc(),
        })
        .collect();
    if let Err(e) = state.store.add_risk_events(&events, None).await {
        tracing::warn!(inspection = %insp.id, error = %e, "the visit's history not written");
    }
}

struct Projector<'a> {
    store: &'a dyn Store,
    /// Records below this log index were projected before a reset: they move no inspection.
    replay_below: u64,
    /// Device → (agency, inspector).
    devices: HashMap<DeviceId, Option<(AgencyId, Option<UserId>)>>,
    /// Inspections with an act earlier in this batch.
    acts: HashSet<InspectionId>,
    /// Minutes of interaction projected so far per inspection (loaded on first use).
    interaction: HashMap<InspectionId, u32>,
    /// Versions corrected earlier in this batch → their correction.
    superseded: HashMap<RecordId, RecordId>,
    ops: Vec<ProjOp>,
    moves: Vec<Move>,
}

/// What a record's body says about where it belongs.
struct Context {
    agency: Option<AgencyId>,
    inspection: Option<(InspectionId, Option<InspectionAt>)>,
}

/// The subject of an inspection the record names, when that inspection is the device's
/// agency's own: another agency's subject never becomes a document's addressee.
fn own_subject(at: Option<&InspectionAt>, ctx: &Context) -> Option<String> {
    at.filter(|a| Some(a.agency) == ctx.agency)
        .map(|a| a.subject_inn.clone())
}

fn inspection_of(body: &Map<String, Value>) -> Option<InspectionId> {
    body.get("inspection")
        .and_then(Value::as_str)
        .and_then(|s| InspectionId::parse(s).ok())
}

impl Projector<'_> {
    async fn device(&mut self, id: DeviceId) -> ApiResult<Option<(AgencyId, Option<UserId>)>> {
        if let Some(d) = self.devices.get(&id) {
            return Ok(*d);
        }
        let d = self
            .store
            .get_device(None, id)
            .await?
            .and_then(|d| d.agency.map(|a| (a, d.user)));
        self.devices.insert(id, d);
        Ok(d)
    }

    fn flag(&mut self, record: RecordId, reason: &str, ctx: &Context, detail: String) {
        // A flag belongs to the device's agency; it names the inspection only when that is the
        // agency's own (an unknown or foreign id stays in the detail), so it never shows up
        // under someone else's inspection.
        let inspection = ctx
            .inspection
            .as_ref()
            .filter(|(_, at)| at.as_ref().map(|a| a.agency) == ctx.agency && ctx.agency.is_some())
            .map(|(i, _)| *i);
        self.ops.push(ProjOp::Flag(ReviewFlag {
            record,
            reason: reason.to_owned(),
            agency: ctx.agency,
            inspection,
            detail,
        }));
    }

    async fn context(&mut self, r: &StoredRecord, body: &Map<String, Value>) -> ApiResult<Context> {
        let (agency, user) = self.device(r.device).await?.unzip();
        let user = user.flatten();
        let inspection = match inspection_of(body) {
            None => None,
            Some(id) => Some((id, self.store.inspection_at(id, r.received_at, user).await?)),
        };
        Ok(Context { agency, inspection })
    }

    /// Flags a record about an inspection the server's state says it should not be about.
    fn check_inspection(&mut self, record: RecordId, ctx: &Context) {
        let Some((id, at)) = &ctx.inspection else {
            return;
        };
        // Another agency's inspection and no inspection at all read the same, so a flag never
        // tells a device's agency that someone else's inspection exists.
        let unknown = || {
            (
                "unknown_inspection",
                format!(
                    "проверки {id} нет среди проверок ведомства устройства / inspection {id} is not among the device's agency's inspections"
                ),
            )
        };
        let (reason, detail) = match at {
            Some(at) if Some(at.agency) != ctx.agency => unknown(),
            None => unknown(),
            Some(at) => match at.status {
                None | Some(InspectionStatus::Draft) => (
                    "inspection_not_scheduled",
                    format!(
                        "проверка {id} не была назначена, когда запись поступила / inspection {id} was not scheduled when the record arrived"
                    ),
                ),
                Some(InspectionStatus::Cancelled) => (
                    "inspection_cancelled",
                    format!(
                        "проверка {id} была отменена, когда запись поступила / inspection {id} was cancelled when the record arrived"
                    ),
                ),
                Some(InspectionStatus::Closed) => (
                    "inspection_closed",
                    format!(
                        "проверка {id} была закрыта, когда запись поступила / inspection {id} was closed when the record arrived"
                    ),
                ),
                Some(_) if !at.assigned => (
                    "not_assigned",
                    format!(
                        "инспектор устройства не был назначен на проверку {id} / the device's inspector was not assigned to inspection {id}"
                    ),
                ),
                Some(_) => return,
            },
        };
        self.flag(record, reason, ctx, detail);
    }

    async fn record(&mut self, r: &StoredRecord) -> ApiResult<()> {
        // Stored records passed the strict checks on arrival; reading them again cannot fail
        // unless the database was altered, which is an error to report, not to skip.
        let rec = parse_unverified(&r.bytes)
            .map_err(|e| ApiError::Internal(format!("stored record {}: {e}", r.id)))?;
        let Some(kind) = RecordKind::parse(&rec.kind) else {
            return Ok(());
        };
        // The agency's decisions and the businesses' filings are not field work.
        if !kind.signed_by_device() {
            return Ok(());
        }
        let at = rec.at.to_string();
        if kind == RecordKind::Correction {
            return self.correction(r, &at, &rec.body).await;
        }
        let ctx = self.context(r, &rec.body).await?;
        if matches!(
            kind,
            RecordKind::InspectionStarted
                | RecordKind::Finding
                | RecordKind::Photo
                | RecordKind::Act
                | RecordKind::Order
                | RecordKind::InspectionFinished
        ) || ctx.inspection.is_some()
        {
            self.check_inspection(r.id, &ctx);
        }
        if kind == RecordKind::Act {
            if let Some((id, _)) = &ctx.inspection {
                if self.acts.contains(id) || self.store.other_act(*id, r.id).await? {
                    self.flag(
                        r.id,
                        "second_act",
                        &ctx,
                        format!(
                            "у проверки {id} уже есть акт / inspection {id} already has an act"
                        ),
                    );
                }
                self.acts.insert(*id);
            }
        }
        if kind == RecordKind::Interaction {
            self.interaction(r.id, &rec.body, &ctx).await?;
        }
        let flags: Vec<&str> = self
            .ops
            .iter()
            .filter_map(|o| match o {
                ProjOp::Flag(f) if f.record == r.id => Some(f.reason.as_str()),
                _ => None,
            })
            .collect();
        // A record projected before the projection was reset made its move (or had it refused)
        // when it first arrived.
        let moves = flags.is_empty() && r.log_index >= self.replay_below;
        if flags.contains(&"unknown_inspection") {
            // Not the device's agency's inspection (or none at all): the flag is all that is
            // written, so nothing shows up in another agency's inspection.
            return Ok(());
        }
        // A doubtful time is flagged for review; it does not stop the record's effect.
        let dates = match &ctx.inspection {
            Some((_, Some(i))) if Some(i.agency) == ctx.agency => Some((i.starts_on, i.ends_on)),
            _ => None,
        };
        if let Some((reason, detail)) =
            record_time::implausible(rec.at, r.received_at).or_else(|| {
                dates.and_then(|(from, to)| record_time::outside_inspection(rec.at, from, to))
            })
        {
            self.flag(r.id, reason, &ctx, detail);
        }
        match kind {
            RecordKind::InspectionStarted | RecordKind::InspectionFinished => {
                let Some((inspection, _)) = ctx.inspection else {
                    return Ok(());
                };
                if kind == RecordKind::InspectionStarted {
                    self.ops.push(ProjOp::Started {
                        inspection,
                        record: r.id,
                        at,
                    });
                    if moves {
                        self.moves
                            .push((inspection, r.device, InspectionStatus::InProgress));
                    }
                } else {
                    self.ops.push(ProjOp::Finished {
                        inspection,
                        record: r.id,
                        at,
                    });
                    if moves {
                        self.moves
                            .push((inspection, r.device, InspectionStatus::Completed));
                    }
                }
            }
            // A preventive visit held (not refused) completes its planned measure.
            RecordKind::PreventiveVisit
                if moves && rec.body.get("refused") != Some(&Value::Bool(true)) =>
            {
                if let Some((inspection, _)) = ctx.inspection {
                    self.moves
                        .push((inspection, r.device, InspectionStatus::InProgress));
                    self.moves
                        .push((inspection, r.device, InspectionStatus::Completed));
                }
            }
            _ => {
                if let Some(op) = row(
                    kind,
                    r.id,
                    r.device,
                    &at,
                    &rec.body,
                    &ctx,
                    Version::default(),
                )? {
                    self.push_row(op, kind, r.id, &rec.body, &ctx).await?;
                }
            }
        }
        Ok(())
    }

    /// Writes a projected row with the flags its content raises: a photo's warnings, a
    /// document's addressee outside the registry. Originals and corrections alike.
    async fn push_row(
        &mut self,
        op: ProjOp,
        kind: RecordKind,
        record: RecordId,
        body: &Map<String, Value>,
        ctx: &Context,
    ) -> ApiResult<()> {
        let addressee = match &op {
            ProjOp::Document(d) => d.subject_inn.clone(),
            _ => None,
        };
        self.ops.push(op);
        if kind == RecordKind::Photo {
            self.photo_warnings(record, body, ctx);
        }
        if let Some(inn) = addressee {
            self.check_addressee(record, &inn, ctx).await?;
        }
        Ok(())
    }

    /// Flags a document addressed to an ИНН outside the device's agency's registry: a
    /// device can sign any ИНН, so the business does not see it until a reviewer has looked.
    /// (The registry as it is now: subjects are never deleted, and one imported later is the
    /// addressee the reviewer would have confirmed.)
    async fn check_addressee(
        &mut self,
        record: RecordId,
        inn: &str,
        ctx: &Context,
    ) -> ApiResult<()> {
        let Some(agency) = ctx.agency else {
            return Ok(());
        };
        let known = self.store.known_inns(agency, &[inn.to_owned()]).await?;
        if known.is_empty() {
            self.flag(
                record,
                "document_unknown_subject",
                ctx,
                format!(
                    "документ адресован ИНН {inn}, которого нет в реестре ведомства; организация не увидит его до проверки / the document is addressed to ИНН {inn}, which is not in the agency's registry; the business will not see it until reviewed"
                ),
            );
        }
        Ok(())
    }

    /// Flags a projected photo the device warned its inspector about (damaged, taken outside
    /// the inspection's dates, far from the object): a flag per kind of warning.
    fn photo_warnings(&mut self, record: RecordId, body: &Map<String, Value>, ctx: &Context) {
        let Some(warnings) = body.get("warnings").and_then(Value::as_array) else {
            return;
        };
        for (reason, detail) in photo_warnings::flags(warnings) {
            self.flag(record, reason, ctx, detail);
        }
    }

    /// Sums an interaction interval into its inspection's total, in log order, and flags the
    /// interval that takes the total past the law's limit (ст.73: 50 hours for a small
    /// enterprise, 15 for a micro one) and any interval that ends before it starts.
    async fn interaction(
        &mut self,
        record: RecordId,
        body: &Map<String, Value>,
        ctx: &Context,
    ) -> ApiResult<()> {
        let Some((id, Some(at))) = &ctx.inspection else {
            return Ok(());
        };
        let (id, limit) = (*id, at.interaction_limit_minutes);
        let i: kinds::Interaction = kinds::decode_body(body)
            .map_err(|e| ApiError::Internal(format!("stored interaction {record}: {e}")))?;
        let Some(minutes) = i.minutes() else {
            self.flag(
                record,
                "interaction_invalid",
                ctx,
                format!(
                    "интервал заканчивается ({0}) раньше, чем начинается ({1}) / the interval ends ({0}) before it starts ({1})",
                    i.ended_at, i.started_at
                ),
            );
            return Ok(());
        };
        let before = match self.interaction.get(&id) {
            Some(m) => *m,
            None => interaction_minutes(&self.store.field_data(id).await?.documents),
        };
        let total = before.saturating_add(minutes);
        self.interaction.insert(id, total);
        if let Some(limit) = limit.filter(|l| before <= *l && total > *l) {
            self.flag(
                record,
                "interaction_limit_exceeded",
                ctx,
                format!(
                    "взаимодействие {} ч {} мин превышает предел {} ч (ст.73 248-ФЗ) / interaction of {}h{:02} exceeds the limit of {} hours (ст.73)",
                    total / 60,
                    total % 60,
                    limit / 60,
                    total / 60,
                    total % 60,
                    limit / 60
                ),
            );
        }
        Ok(())
    }
}

/// The minutes of the interaction intervals among projected documents (invalid ones count 0).
fn interaction_minutes(documents: &[ProjectedDocument]) -> u32 {
    documents
        .iter()
        .filter(|d| d.kind == RecordKind::Interaction.as_str() && d.version.superseded_by.is_none())
        .filter_map(|d| serde_json::from_value::<kinds::Interaction>(d.body.clone()).ok())
        .filter_map(|i| i.minutes())
        .fold(0, u32::saturating_add)
}

/// The projection row of a finding, photo or document: a record of that kind, or a correction
/// of one (`body` the corrected body, `version` what it supersedes and why).
fn row(
    kind: RecordKind,
    record: RecordId,
    device: DeviceId,
    at: &str,
    body: &Map<String, Value>,
    ctx: &Context,
    version: Version,
) -> ApiResult<Option<ProjOp>> {
    let bad = |e: serde_json::Error| ApiError::Internal(format!("record {record}: {e}"));
    Ok(match kind {
        RecordKind::Finding => {
            let f: kinds::Finding = kinds::decode_body(body).map_err(bad)?;
            Some(ProjOp::Finding(ProjectedFinding {
                record,
                inspection: f.inspection,
                item: f.item,
                result: serde_json::to_value(f.result)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                note: f.note,
                photos: f.photos.iter().map(|p| p.to_hex()).collect(),
                device,
                at: at.to_owned(),
                version,
            }))
        }
        RecordKind::Photo => {
            let p: kinds::Photo = kinds::decode_body(body).map_err(bad)?;
            // A photo from a device of no agency cannot be shown to anyone: nothing to project.
            ctx.agency.map(|agency| {
                ProjOp::Photo(ProjectedPhoto {
                    record,
                    inspection: p.inspection,
                    sha256: p.sha256,
                    agency,
                    size: p.bytes,
                    mime: p.mime,
                    taken_at: p.taken_at.map(|t| t.to_string()),
                    lat_e7: p.position.map(|x| x.lat_e7),
                    lon_e7: p.position.map(|x| x.lon_e7),
                    // As signed, so a kind this server does not know is kept as it is.
                    warnings: body
                        .get("warnings")
                        .and_then(Value::as_array)
                        .cloned()
                        .unwrap_or_default(),
                    at: at.to_owned(),
                    version,
                })
            })
        }
        RecordKind::Warning | RecordKind::Act | RecordKind::Order | RecordKind::Interaction => {
            let subject_inn = match kind {
                RecordKind::Warning => {
                    let w: kinds::Warning = kinds::decode_body(body).map_err(bad)?;
                    Some(w.subject.as_str().to_owned())
                }
                RecordKind::Order => {
                    let o: kinds::Order = kinds::decode_body(body).map_err(bad)?;
                    Some(o.subject.as_str().to_owned())
                }
                RecordKind::Interaction => {
                    let i: kinds::Interaction = kinds::decode_body(body).map_err(bad)?;
                    match i.subject {
                        Some(inn) => Some(inn.as_str().to_owned()),
                        None => ctx
                            .inspection
                            .as_ref()
                            .and_then(|(_, at)| own_subject(at.as_ref(), ctx)),
                    }
                }
                _ => ctx
                    .inspection
                    .as_ref()
                    .and_then(|(_, at)| own_subject(at.as_ref(), ctx)),
            };
            Some(ProjOp::Document(ProjectedDocument {
                record,
                kind: kind.as_str().to_owned(),
                inspection: inspection_of(body),
                subject_inn,
                body: Value::Object(body.clone()),
                at: at.to_owned(),
                received_at: None,
                held_for_review: false,
                version,
            }))
        }
        _ => None,
    })
}
