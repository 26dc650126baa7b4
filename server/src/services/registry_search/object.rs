//! What an object's page shows: the object, its subject and control type, the history of its
//! risk decisions, its inspections (an inspector's own only), the violations found there and
//! the subject's open orders from those inspections, and its neighbours by coordinates.

use knd_shared::InspectionId;

use crate::error::{ApiError, ApiResult};
use crate::model::{
    ControlObject, ControlType, Inspection, PastViolation, ProjectedDocument, Subject, User,
};
use crate::services::policy::{self, Action, Scope};
use crate::state::AppState;
use crate::store::search::{GeoBox, RiskDecision};

/// How many rows each list of the page holds at most.
const LIST: u32 = 50;
/// How many neighbours the map shows.
pub const NEIGHBOURS: usize = 12;
/// The box read at once holds at most this many objects; a fuller box is read smaller.
const BOX_ROWS: u32 = 400;
/// Neighbours are looked for this far at most, in metres.
const FARTHEST_M: f64 = 3000.0;

/// A neighbour of the object and how far it is.
#[derive(Debug, Clone)]
pub struct Neighbour {
    pub object: ControlObject,
    pub distance_m: f64,
}

/// Everything the object's page shows.
#[derive(Debug, Clone)]
pub struct ObjectPage {
    pub object: ControlObject,
    pub subject: Option<Subject>,
    pub control_type: Option<ControlType>,
    pub risk_history: Vec<RiskDecision>,
    pub inspections: Vec<Inspection>,
    pub violations: Vec<PastViolation>,
    pub open_orders: Vec<ProjectedDocument>,
    /// Nearest first; empty when the object has no coordinates.
    pub neighbours: Vec<Neighbour>,
    /// How far the neighbours were looked for, in metres.
    pub searched_m: f64,
}

/// The object of the agency with this id or key; 404 without one.
pub async fn object_page(
    state: &AppState,
    user: &User,
    address: Option<&str>,
    id_or_key: &str,
) -> ApiResult<ObjectPage> {
    policy::require(
        state,
        user,
        address,
        Action::ReadRegistry,
        "registry.read",
        || format!("object:{}", id_or_key.escape_debug()),
    )
    .await?;
    let by_id = match uuid::Uuid::parse_str(id_or_key) {
        Ok(id) => state.store.object_by_id(user.agency, id).await?,
        Err(_) => None,
    };
    let object = match by_id {
        Some(o) => o,
        None => state
            .store
            .objects_by_keys(user.agency, &[id_or_key.to_owned()])
            .await?
            .pop()
            .ok_or(ApiError::NotFound)?,
    };
    let subject = state
        .store
        .subject_by_inn(user.agency, &object.subject_inn)
        .await?;
    let control_type = state
        .store
        .list_control_types(user.agency)
        .await?
        .into_iter()
        .find(|t| t.code == object.control_type_code);
    let risk_history = state
        .store
        .risk_history(user.agency, object.id, LIST)
        .await?;
    let ids = state
        .store
        .object_inspections(user.agency, object.id, LIST)
        .await?;
    let mut inspections = state.store.inspections_by_ids(user.agency, &ids).await?;
    if let Scope::Own(me) = policy::scope(user, Action::ReadInspection) {
        inspections.retain(|i| i.inspectors.contains(&me));
    }
    let seen: Vec<InspectionId> = inspections.iter().map(|i| i.id).collect();
    // No inspection is left out: the nil id is none of them.
    let nobody = InspectionId::from(uuid::Uuid::nil());
    let mut violations = state
        .store
        .past_violations(user.agency, &[object.id], nobody, LIST)
        .await?;
    violations.retain(|v| seen.contains(&v.inspection));
    let today = state.today();
    let mut open_orders = state
        .store
        .subject_documents(user.agency, &object.subject_inn, "order", LIST)
        .await?;
    open_orders.retain(|o| {
        o.inspection.is_some_and(|i| seen.contains(&i))
            && o.version.superseded_by.is_none()
            && crate::services::pull::order_open(o, today)
    });
    let (neighbours, searched_m) = match object.position {
        Some(at) => neighbours(state, user, &object, at).await?,
        None => (Vec::new(), 0.0),
    };
    Ok(ObjectPage {
        object,
        subject,
        control_type,
        risk_history,
        inspections,
        violations,
        open_orders,
        neighbours,
        searched_m,
    })
}

/// Metres per 10^-7 degree of latitude (and of longitude at the equator).
const M_PER_E7: f64 = 111_320.0 / 1e7;

/// The distance in metres between two positions a few kilometres apart (equirectangular: exact
/// enough at a city's scale).
pub fn distance_m(a: (i64, i64), b: (i64, i64)) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let (lat_a, lon_a, lat_b, lon_b) = (a.0 as f64, a.1 as f64, b.0 as f64, b.1 as f64);
    let cos = ((lat_a + lat_b) / 2.0 / 1e7).to_radians().cos();
    let dy = (lat_b - lat_a) * M_PER_E7;
    let dx = (lon_b - lon_a) * M_PER_E7 * cos;
    dy.hypot(dx)
}

/// The box around `at` that holds the circle of `radius_m`.
fn around(at: (i64, i64), radius_m: f64) -> GeoBox {
    #[allow(clippy::cast_precision_loss)]
    let cos = (at.0 as f64 / 1e7).to_radians().cos().max(0.01);
    #[allow(clippy::cast_possible_truncation)]
    let dlat = (radius_m / M_PER_E7).ceil() as i64;
    #[allow(clippy::cast_possible_truncation)]
    let dlon = (radius_m / M_PER_E7 / cos).ceil() as i64;
    GeoBox {
        lat: (at.0 - dlat, at.0 + dlat),
        lon: (at.1 - dlon, at.1 + dlon),
    }
}

/// The nearest objects within [`FARTHEST_M`]: a box read at a time, at most [`BOX_ROWS`] rows
/// each, a full box read again smaller (it may not hold the nearest) and a sparse one larger.
async fn neighbours(
    state: &AppState,
    user: &User,
    object: &ControlObject,
    at: (i64, i64),
) -> ApiResult<(Vec<Neighbour>, f64)> {
    let mut radius = 300.0;
    let mut best: Vec<Neighbour> = Vec::new();
    for _ in 0..5 {
        let rows = state
            .store
            .objects_in_box(user.agency, around(at, radius), BOX_ROWS)
            .await?;
        let full = rows.len() >= BOX_ROWS as usize;
        let mut near: Vec<Neighbour> = rows
            .into_iter()
            .filter(|o| o.id != object.id)
            .filter_map(|o| {
                let d = distance_m(at, o.position?);
                (d <= radius).then_some(Neighbour {
                    object: o,
                    distance_m: d,
                })
            })
            .collect();
        near.sort_by(|a, b| a.distance_m.total_cmp(&b.distance_m));
        near.truncate(NEIGHBOURS);
        if full && radius > 20.0 {
            radius /= 3.0;
            continue;
        }
        best = near;
        if best.len() >= NEIGHBOURS || radius >= FARTHEST_M {
            break;
        }
        radius = (radius * 3.0).min(FARTHEST_M);
    }
    Ok((best, radius))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_at_a_city_scale() {
        // 0.01° of latitude is about 1,113 m anywhere.
        let d = distance_m((576_000_000, 398_000_000), (576_100_000, 398_000_000));
        assert!((d - 1113.2).abs() < 1.0, "{d}");
        // At 57.6° N a degree of longitude is about 59.7 km.
        let d = distance_m((576_000_000, 398_000_000), (576_000_000, 399_000_000));
        assert!((d - 5970.0).abs() < 30.0, "{d}");
        let b = around((576_000_000, 398_000_000), 1000.0);
        assert!(b.lat.0 < 576_000_000 && b.lon.1 > 398_000_000);
    }
}
