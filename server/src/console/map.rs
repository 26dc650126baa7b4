//! The object's map: a hand-written SVG drawn on the server (no tiles, nothing from the
//! internet). The object is a square with its key beside it, each neighbour a circle with its
//! number in the table under the map, so the map reads without colour; a scale bar and the
//! north arrow give distance and direction.

use std::fmt::Write as _;

use super::i18n::Lang;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 420.0;
/// Room around the drawing for labels and the scale bar.
const MARGIN: f64 = 40.0;

/// A point to draw: its offset from the object in metres (east, north) and its label.
pub(super) struct Point {
    pub(super) east_m: f64,
    pub(super) north_m: f64,
    pub(super) label: String,
    /// What a pointer over it shows (the key and address).
    pub(super) title: String,
}

/// Metres per 10^-7 degree of latitude.
const M_PER_E7: f64 = 111_320.0 / 1e7;

/// The offset of `p` from `origin` in metres (east, north), degrees × 10^7.
pub(super) fn offset_m(origin: (i64, i64), p: (i64, i64)) -> (f64, f64) {
    #[allow(clippy::cast_precision_loss)]
    let cos = (origin.0 as f64 / 1e7).to_radians().cos();
    #[allow(clippy::cast_precision_loss)]
    let east = (p.1 - origin.1) as f64 * M_PER_E7 * cos;
    #[allow(clippy::cast_precision_loss)]
    let north = (p.0 - origin.0) as f64 * M_PER_E7;
    (east, north)
}

/// A round length for the scale bar: about a quarter of the drawing's width.
fn scale_length(m_per_px: f64) -> f64 {
    let target = m_per_px * WIDTH / 4.0;
    [
        10.0, 20.0, 50.0, 100.0, 200.0, 250.0, 500.0, 1000.0, 2000.0, 5000.0,
    ]
    .into_iter()
    .rev()
    .find(|l| *l <= target)
    .unwrap_or(10.0)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn metres(lang: Lang, m: f64) -> String {
    if m >= 1000.0 {
        format!("{} {}", m / 1000.0, lang.t("км", "km"))
    } else {
        format!("{m} {}", lang.t("м", "m"))
    }
}

/// The SVG of the object (at the centre) and its neighbours.
pub(super) fn draw(lang: Lang, object_label: &str, object_title: &str, points: &[Point]) -> String {
    let reach = points
        .iter()
        .map(|p| p.east_m.abs().max(p.north_m.abs() * WIDTH / HEIGHT))
        .fold(50.0_f64, f64::max)
        * 1.1;
    // Metres per pixel, the same both ways so distances are true.
    let m_per_px = reach / (WIDTH / 2.0 - MARGIN);
    let (cx, cy) = (WIDTH / 2.0, HEIGHT / 2.0);
    let at = |p: &Point| (cx + p.east_m / m_per_px, cy - p.north_m / m_per_px);
    let title = lang.t(
        "Объект и ближайшие объекты",
        "The object and its nearest neighbours",
    );
    let desc = lang.t(
        "Квадрат — этот объект, круги с номерами — соседние объекты из таблицы под картой. Север сверху.",
        "The square is this object, numbered circles are the neighbours in the table below the map. North is up.",
    );
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg class="map" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" aria-labelledby="map-title map-desc" xmlns="http://www.w3.org/2000/svg">
<title id="map-title">{title}</title><desc id="map-desc">{desc}</desc>
<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#f7f8fa" stroke="#8a939c"/>
"##
    );
    // A faint grid every scale length, centred on the object.
    let step = scale_length(m_per_px) / m_per_px;
    let mut k = -((cx / step).floor());
    while cx + k * step < WIDTH {
        let x = cx + k * step;
        let _ = writeln!(
            s,
            r##"<line x1="{x:.1}" y1="0" x2="{x:.1}" y2="{HEIGHT}" stroke="#e2e5ea"/>"##
        );
        k += 1.0;
    }
    let mut k = -((cy / step).floor());
    while cy + k * step < HEIGHT {
        let y = cy + k * step;
        let _ = writeln!(
            s,
            r##"<line x1="0" y1="{y:.1}" x2="{WIDTH}" y2="{y:.1}" stroke="#e2e5ea"/>"##
        );
        k += 1.0;
    }
    for p in points {
        let (x, y) = at(p);
        let _ = writeln!(
            s,
            r##"<g><title>{}</title><circle cx="{x:.1}" cy="{y:.1}" r="9" fill="#ffffff" stroke="#1f4e79" stroke-width="2"/><text x="{x:.1}" y="{:.1}" text-anchor="middle" font-size="11" fill="#1b1f24">{}</text></g>"##,
            escape(&p.title),
            y + 4.0,
            escape(&p.label)
        );
    }
    let _ = writeln!(
        s,
        r##"<g><title>{}</title><rect x="{:.1}" y="{:.1}" width="16" height="16" fill="#1b1f24"/><text x="{:.1}" y="{:.1}" font-size="13" font-weight="700" fill="#1b1f24" stroke="#f7f8fa" stroke-width="3" paint-order="stroke">{}</text></g>"##,
        escape(object_title),
        cx - 8.0,
        cy - 8.0,
        cx + 12.0,
        cy - 12.0,
        escape(object_label)
    );
    // The scale bar, bottom left, and the north arrow, top right.
    let bar_m = scale_length(m_per_px);
    let bar_px = bar_m / m_per_px;
    let (bx, by) = (16.0, HEIGHT - 18.0);
    let _ = writeln!(
        s,
        r##"<g><path d="M{bx} {:.1} V{by} H{:.1} V{:.1}" fill="none" stroke="#1b1f24" stroke-width="2"/><text x="{bx}" y="{:.1}" font-size="12" fill="#1b1f24">{}</text></g>"##,
        by - 6.0,
        bx + bar_px,
        by - 6.0,
        by - 10.0,
        metres(lang, bar_m)
    );
    let _ = writeln!(
        s,
        r##"<g><path d="M{0} 14 L{1} 34 H{2} Z" fill="#1b1f24"/><text x="{0}" y="48" text-anchor="middle" font-size="12" fill="#1b1f24">{3}</text></g>"##,
        WIDTH - 24.0,
        WIDTH - 30.0,
        WIDTH - 18.0,
        lang.t("С", "N")
    );
    s.push_str("</svg>");
    s
}

/// A district on the plan's map: where its objects are on average, and how many entries.
pub(super) struct District {
    /// Latitude and longitude × 10^7 (the registry's).
    pub(super) centre: (i64, i64),
    pub(super) entries: u64,
    pub(super) name: String,
}

/// The SVG of districts as circles at their objects' centroids (area in proportion to the
/// entries, the count written inside, the name beside), north up, with a scale bar. The table
/// under the map holds the same numbers.
pub(super) fn draw_districts(lang: Lang, districts: &[District]) -> String {
    let title = lang.t(
        "Мероприятия плана по районам",
        "The plan's entries by district",
    );
    let desc = lang.t(
        "Круг — район в средней точке его объектов; число в круге — мероприятия плана, площадь круга ему пропорциональна. Север сверху.",
        "A circle is a district at the mean position of its objects; the number is the plan's entries, the circle's area in proportion. North is up.",
    );
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg class="map" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" aria-labelledby="dmap-title dmap-desc" xmlns="http://www.w3.org/2000/svg">
<title id="dmap-title">{title}</title><desc id="dmap-desc">{desc}</desc>
<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#f7f8fa" stroke="#8a939c"/>
"##
    );
    if districts.is_empty() {
        s.push_str("</svg>");
        return s;
    }
    #[allow(clippy::cast_precision_loss)]
    let n = districts.len() as f64;
    #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
    let origin = (
        (districts.iter().map(|d| d.centre.0 as f64).sum::<f64>() / n) as i64,
        (districts.iter().map(|d| d.centre.1 as f64).sum::<f64>() / n) as i64,
    );
    let at: Vec<(f64, f64)> = districts
        .iter()
        .map(|d| offset_m(origin, d.centre))
        .collect();
    // The biggest circle's radius; the drawing leaves room for it on every side.
    const R_MAX: f64 = 34.0;
    let reach = at
        .iter()
        .map(|(e, n)| {
            e.abs()
                .max(n.abs() * (WIDTH - 2.0 * MARGIN) / (HEIGHT - 2.0 * MARGIN))
        })
        .fold(500.0_f64, f64::max)
        * 1.05;
    let m_per_px = reach / (WIDTH / 2.0 - MARGIN - R_MAX);
    let (cx, cy) = (WIDTH / 2.0, HEIGHT / 2.0);
    let most = districts
        .iter()
        .map(|d| d.entries)
        .max()
        .unwrap_or(1)
        .max(1);
    // Largest first, so a small district's circle is drawn over a big neighbour's; the names
    // after every circle, so that no circle hides one.
    let mut order: Vec<usize> = (0..districts.len()).collect();
    order.sort_by_key(|i| std::cmp::Reverse(districts[*i].entries));
    let mut names = String::new();
    for i in order {
        let d = &districts[i];
        let (e, nth) = at[i];
        let (x, y) = (cx + e / m_per_px, cy - nth / m_per_px);
        #[allow(clippy::cast_precision_loss)]
        let r = (R_MAX * (d.entries as f64 / most as f64).sqrt()).max(11.0);
        let _ = writeln!(
            s,
            r##"<g><title>{name}: {count}</title><circle cx="{x:.1}" cy="{y:.1}" r="{r:.1}" fill="#dde7f5" fill-opacity="0.85" stroke="#1d3f72" stroke-width="2"/><text x="{x:.1}" y="{ty:.1}" text-anchor="middle" font-size="12" font-weight="700" fill="#1b1f24">{count}</text></g>"##,
            name = escape(&d.name),
            count = d.entries,
            ty = y + 4.0,
        );
        let _ = writeln!(
            names,
            r##"<text x="{x:.1}" y="{ly:.1}" text-anchor="middle" font-size="11" fill="#1b1f24" stroke="#f7f8fa" stroke-width="3" paint-order="stroke">{name}</text>"##,
            name = escape(&d.name),
            ly = y + r + 13.0,
        );
    }
    s.push_str(&names);
    // A region is wider than an object's neighbourhood: the scale goes up to 200 km.
    let target = m_per_px * WIDTH / 4.0;
    let bar_m = [20_000.0, 50_000.0, 100_000.0, 200_000.0]
        .into_iter()
        .rev()
        .find(|l| *l <= target)
        .unwrap_or_else(|| scale_length(m_per_px));
    let bar_px = bar_m / m_per_px;
    let (bx, by) = (16.0, HEIGHT - 18.0);
    let _ = writeln!(
        s,
        r##"<g><path d="M{bx} {:.1} V{by} H{:.1} V{:.1}" fill="none" stroke="#1b1f24" stroke-width="2"/><text x="{bx}" y="{:.1}" font-size="12" fill="#1b1f24">{}</text></g>"##,
        by - 6.0,
        bx + bar_px,
        by - 6.0,
        by - 10.0,
        metres(lang, bar_m)
    );
    let _ = writeln!(
        s,
        r##"<g><path d="M{0} 14 L{1} 34 H{2} Z" fill="#1b1f24"/><text x="{0}" y="48" text-anchor="middle" font-size="12" fill="#1b1f24">{3}</text></g>"##,
        WIDTH - 24.0,
        WIDTH - 30.0,
        WIDTH - 18.0,
        lang.t("С", "N")
    );
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_points_with_labels_and_a_scale() {
        let pts = vec![Point {
            east_m: 120.0,
            north_m: -40.0,
            label: "1".into(),
            title: "A <b>".into(),
        }];
        let svg = draw(Lang::Ru, "FIRE-1", "FIRE-1, ул. Кирова", &pts);
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains(">1</text>"));
        assert!(svg.contains("A &lt;b&gt;"));
        assert!(svg.contains(" м</text>"));
        assert!(svg.ends_with("</svg>"));
        assert_eq!(scale_length(1.0), 100.0);
        let (e, n) = offset_m((576_000_000, 398_000_000), (576_010_000, 398_000_000));
        assert!(e.abs() < 1e-9 && (n - 111.32).abs() < 0.01);
    }

    #[test]
    fn draws_districts_with_counts() {
        let ds = vec![
            District {
                centre: (557_000_000, 376_000_000),
                entries: 12,
                name: "Центральный".into(),
            },
            District {
                centre: (557_500_000, 377_000_000),
                entries: 3,
                name: "A&B".into(),
            },
        ];
        let svg = draw_districts(Lang::Ru, &ds);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains(">12</text>") && svg.contains(">3</text>"));
        assert!(svg.contains("A&amp;B") && svg.contains(" км</text>"));
        assert!(draw_districts(Lang::En, &[]).ends_with("</svg>"));
    }
}
