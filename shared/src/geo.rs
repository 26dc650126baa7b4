//! Distances between positions (degrees × 10^7), as the device and the server both judge "more
//! than 1 km from the object": one function, so the two agree.

use crate::record::kinds::Position;

/// Mean Earth radius (IUGG), metres.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Great-circle distance in whole metres (haversine). Written by hand: a dozen lines, where a
/// geodesy crate would bring far more than the kilometre-scale check needs (the spherical
/// model is within 0.5 % of the ellipsoid).
#[allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]
pub fn distance_m(a: Position, b: Position) -> u64 {
    let rad = |e7: i64| (e7 as f64 / 1e7).to_radians();
    let (lat1, lat2) = (rad(a.lat_e7), rad(b.lat_e7));
    let dlat = lat2 - lat1;
    let dlon = rad(b.lon_e7) - rad(a.lon_e7);
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    let d = 2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin();
    // Finite and at most half the circumference, so the cast is exact enough and cannot wrap.
    d.round() as u64
}
