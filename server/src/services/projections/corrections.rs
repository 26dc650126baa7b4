//! Corrections: a correction is projected as a row of the kind it corrects, holding its own id,
//! time and content, and the version it replaces is marked as replaced by it.

use std::collections::HashSet;

use knd_shared::record::kinds::{self, RecordKind};
use knd_shared::record::parse_unverified;
use serde_json::{Map, Value};

use super::{Projector, row};
use crate::error::{ApiError, ApiResult};
use crate::model::{ProjOp, RowKind, StoredRecord, Version};

impl Projector<'_> {
    /// Projects a correction as a row of the kind it corrects, with its own id, time and the
    /// corrected content, and marks the version it replaces.
    pub(super) async fn correction(
        &mut self,
        r: &StoredRecord,
        at: &str,
        body: &Map<String, Value>,
    ) -> ApiResult<()> {
        let c: kinds::Correction = kinds::decode_body(body)
            .map_err(|e| ApiError::Internal(format!("stored correction {}: {e}", r.id)))?;
        // Flags go with the inspection the corrected body names, so a reviewer finds them there.
        let ctx = &self.context(r, &c.body).await?;
        let Some(target) = self.store.get_record(c.supersedes).await? else {
            self.flag(
                r.id,
                "correction_unknown_target",
                ctx,
                format!(
                    "записи {0} нет на сервере / record {0} is not on the server",
                    c.supersedes
                ),
            );
            return Ok(());
        };
        if target.device != r.device {
            self.flag(
                r.id,
                "correction_foreign",
                ctx,
                format!(
                    "запись {0} сделана другим устройством / record {0} is another device's",
                    c.supersedes
                ),
            );
            return Ok(());
        }
        let kind = match self.corrected_kind(&target).await? {
            Ok(kind) => kind,
            Err((reason, detail)) => {
                self.flag(r.id, reason, ctx, detail);
                return Ok(());
            }
        };
        if let Err(e) = kinds::check_body(kind.as_str(), &c.body) {
            self.flag(
                r.id,
                "correction_invalid",
                ctx,
                format!("исправление неверно: {e} / the correction is invalid: {e}"),
            );
            return Ok(());
        }
        if let Some((id, at)) = &ctx.inspection {
            if at.as_ref().map(|a| a.agency) != ctx.agency {
                self.flag(
                    r.id,
                    "correction_invalid",
                    ctx,
                    format!(
                        "исправление называет проверку {id}, которой нет среди проверок ведомства устройства / the corrected body names inspection {id}, not among the device's agency's inspections"
                    ),
                );
                return Ok(());
            }
        }
        // A correction is a record of the kind it corrects, judged against its inspection alike.
        self.check_inspection(r.id, ctx);
        let table = table_of(kind);
        let earlier = match self.superseded.get(&target.id) {
            Some(by) => Some(*by),
            None => self.store.superseded_by(table, target.id).await?,
        };
        match earlier {
            // Two corrections of one version: both stay, the first replaces it.
            Some(first) => self.flag(
                r.id,
                "correction_conflict",
                ctx,
                format!(
                    "запись {0} уже исправлена записью {first} / record {0} was already corrected by {first}",
                    target.id
                ),
            ),
            None => {
                self.superseded.insert(target.id, r.id);
            }
        }
        let version = Version {
            supersedes: Some(target.id),
            reason: Some(c.reason),
            superseded_by: None,
        };
        if let Some(op) = row(kind, r.id, r.device, at, &c.body, ctx, version)? {
            self.push_row(op, kind, r.id, &c.body, ctx).await?;
            self.ops.push(ProjOp::Supersede {
                table,
                record: target.id,
                by: r.id,
            });
        }
        Ok(())
    }

    /// The kind a correction of `target` corrects: the target's own, or for a correction of a
    /// correction, the kind of the record the chain of corrections starts from. `Err` is the
    /// flag when that is not a kind corrected in place, or the chain is broken.
    async fn corrected_kind(
        &self,
        target: &StoredRecord,
    ) -> ApiResult<Result<RecordKind, (&'static str, String)>> {
        let mut kind = target.kind.clone();
        let mut bytes = target.bytes.clone();
        let mut seen = HashSet::from([target.id]);
        loop {
            match RecordKind::parse(&kind) {
                Some(
                    k @ (RecordKind::Finding
                    | RecordKind::Photo
                    | RecordKind::Warning
                    | RecordKind::Act
                    | RecordKind::Order),
                ) => return Ok(Ok(k)),
                Some(RecordKind::Correction) => {
                    let rec = parse_unverified(&bytes)
                        .map_err(|e| ApiError::Internal(format!("stored record: {e}")))?;
                    let c: kinds::Correction = kinds::decode_body(&rec.body).map_err(|e| {
                        ApiError::Internal(format!("stored correction {}: {e}", rec.id))
                    })?;
                    let next = match self.store.get_record(c.supersedes).await? {
                        Some(next) if seen.insert(next.id) => next,
                        _ => {
                            return Ok(Err((
                                "correction_unknown_target",
                                format!(
                                    "исправления до записи {0} не начинаются с записи на сервере / the corrections before record {0} do not start from a record on the server",
                                    target.id
                                ),
                            )));
                        }
                    };
                    kind = next.kind;
                    bytes = next.bytes;
                }
                _ => {
                    return Ok(Err((
                        "correction_unsupported",
                        format!(
                            "запись вида {kind} не исправляется на месте / a {kind} record is not corrected in place"
                        ),
                    )));
                }
            }
        }
    }
}

/// The table of a kind's rows.
fn table_of(kind: RecordKind) -> RowKind {
    match kind {
        RecordKind::Finding => RowKind::Finding,
        RecordKind::Photo => RowKind::Photo,
        _ => RowKind::Document,
    }
}
