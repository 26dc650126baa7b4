//! Bar charts as SVG drawn on the server (no script, no external file): each bar carries its
//! number as text, so the chart reads without colour, and the page shows the same numbers as a
//! table beside it. Hand-written: a few rectangles and labels do not need a plotting crate.

use std::fmt::Write as _;

/// One bar: its label under the axis and its value.
pub(crate) struct Bar {
    pub(crate) label: String,
    pub(crate) value: u64,
}

/// A vertical bar chart titled `title` (its accessible name).
pub(crate) struct BarChart {
    pub(crate) id: &'static str,
    pub(crate) title: String,
    pub(crate) bars: Vec<Bar>,
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const BAR_W: u32 = 56;
const GAP: u32 = 14;
const PLOT_H: u32 = 160;
const TOP: u32 = 24;
const BOTTOM: u32 = 40;
const LEFT: u32 = 12;

impl BarChart {
    /// The chart as an `<svg>` element (every text escaped here: the template writes it as is).
    pub(crate) fn svg(&self) -> String {
        let n = self.bars.len() as u32;
        let width = LEFT * 2 + n * BAR_W + n.saturating_sub(1) * GAP;
        let height = TOP + PLOT_H + BOTTOM;
        let max = self.bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
        let mut s = String::new();
        let _ = write!(
            s,
            r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-labelledby="{id}-title" viewBox="0 0 {width} {height}" width="{width}" height="{height}"><title id="{id}-title">{title}</title>"#,
            id = self.id,
            title = xml(&self.title),
        );
        let base = TOP + PLOT_H;
        let _ = write!(
            s,
            r##"<line x1="{LEFT}" y1="{base}" x2="{x2}" y2="{base}" stroke="#1b1f24" stroke-width="1"/>"##,
            x2 = width - LEFT
        );
        for (i, bar) in self.bars.iter().enumerate() {
            let x = LEFT + i as u32 * (BAR_W + GAP);
            let h = (bar.value * u64::from(PLOT_H) / max) as u32;
            let y = base - h;
            let _ = write!(
                s,
                r##"<rect x="{x}" y="{y}" width="{BAR_W}" height="{h}" fill="#1d3f72"/><text x="{cx}" y="{ty}" text-anchor="middle" font-size="14" fill="#1b1f24">{v}</text><text x="{cx}" y="{ly}" text-anchor="middle" font-size="12" fill="#1b1f24">{label}</text>"##,
                cx = x + BAR_W / 2,
                ty = y.saturating_sub(6).max(14),
                v = bar.value,
                ly = base + 18,
                label = xml(&bar.label),
            );
        }
        s.push_str("</svg>");
        s
    }
}

/// One group of a [`PairChart`]: a label and two values side by side (a limit and what uses it).
pub(crate) struct Pair {
    pub(crate) label: String,
    pub(crate) limit: u64,
    pub(crate) used: u64,
}

/// A bar chart of pairs: for each label an outlined bar for the limit (capacity) and a filled
/// bar for what uses it (load), each with its number, and a legend naming both; a used bar
/// above 80 % of its limit is drawn in the warning colour and its number marked with "!", so
/// the difference does not rest on colour.
pub(crate) struct PairChart {
    pub(crate) id: &'static str,
    pub(crate) title: String,
    pub(crate) limit_name: String,
    pub(crate) used_name: String,
    pub(crate) pairs: Vec<Pair>,
}

const PAIR_W: u32 = 26;
const LEGEND: u32 = 26;

impl PairChart {
    /// The chart as an `<svg>` element (every text escaped here).
    pub(crate) fn svg(&self) -> String {
        let n = self.pairs.len() as u32;
        let group = PAIR_W * 2 + 4;
        let width = (LEFT * 2 + n * group + n.saturating_sub(1) * GAP).max(360);
        let height = LEGEND + TOP + PLOT_H + BOTTOM;
        let max = self
            .pairs
            .iter()
            .map(|p| p.limit.max(p.used))
            .max()
            .unwrap_or(0)
            .max(1);
        let mut s = String::new();
        let _ = write!(
            s,
            r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-labelledby="{id}-title" viewBox="0 0 {width} {height}" width="{width}" height="{height}"><title id="{id}-title">{title}</title>"#,
            id = self.id,
            title = xml(&self.title),
        );
        let _ = write!(
            s,
            r##"<rect x="{LEFT}" y="6" width="14" height="14" fill="#ffffff" stroke="#1d3f72" stroke-width="2"/><text x="{x1}" y="18" font-size="12" fill="#1b1f24">{limit}</text><rect x="{x2}" y="6" width="14" height="14" fill="#1d3f72"/><text x="{x3}" y="18" font-size="12" fill="#1b1f24">{used}</text>"##,
            x1 = LEFT + 20,
            x2 = LEFT + 180,
            x3 = LEFT + 200,
            limit = xml(&self.limit_name),
            used = xml(&self.used_name),
        );
        let base = LEGEND + TOP + PLOT_H;
        let _ = write!(
            s,
            r##"<line x1="{LEFT}" y1="{base}" x2="{x2}" y2="{base}" stroke="#1b1f24" stroke-width="1"/>"##,
            x2 = width - LEFT
        );
        let h = |v: u64| (v * u64::from(PLOT_H) / max) as u32;
        for (i, p) in self.pairs.iter().enumerate() {
            let x = LEFT + i as u32 * (group + GAP);
            let (hl, hu) = (h(p.limit), h(p.used));
            let high = p.used * 5 > p.limit * 4;
            let fill = if high { "#8a4b00" } else { "#1d3f72" };
            let _ = write!(
                s,
                r##"<rect x="{x}" y="{yl}" width="{PAIR_W}" height="{hl}" fill="#ffffff" stroke="#1d3f72" stroke-width="2"/><text x="{cl}" y="{tl}" text-anchor="middle" font-size="11" fill="#1b1f24">{vl}</text><rect x="{xu}" y="{yu}" width="{PAIR_W}" height="{hu}" fill="{fill}"/><text x="{cu}" y="{tu}" text-anchor="middle" font-size="11" fill="#1b1f24">{vu}{mark}</text><text x="{cg}" y="{ly}" text-anchor="middle" font-size="12" fill="#1b1f24">{label}</text>"##,
                yl = base - hl,
                cl = x + PAIR_W / 2,
                tl = (base - hl).saturating_sub(5).max(LEGEND + 12),
                vl = p.limit,
                xu = x + PAIR_W + 4,
                yu = base - hu,
                cu = x + PAIR_W + 4 + PAIR_W / 2,
                tu = (base - hu).saturating_sub(5).max(LEGEND + 12),
                vu = p.used,
                mark = if high { "!" } else { "" },
                cg = x + group / 2,
                ly = base + 18,
                label = xml(&p.label),
            );
        }
        s.push_str("</svg>");
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_carry_their_numbers_and_labels_are_escaped() {
        let chart = BarChart {
            id: "t",
            title: "Нагрузка <по дням>".into(),
            bars: vec![
                Bar {
                    label: "02.12".into(),
                    value: 4,
                },
                Bar {
                    label: "a&b".into(),
                    value: 0,
                },
            ],
        };
        let svg = chart.svg();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains(">4</text>") && svg.contains(">0</text>"));
        assert!(svg.contains("Нагрузка &lt;по дням&gt;") && svg.contains("a&amp;b"));
        assert!(svg.contains(r#"role="img""#));
    }

    #[test]
    fn pairs_carry_both_numbers_and_mark_high_use() {
        let chart = PairChart {
            id: "p",
            title: "Нагрузка".into(),
            limit_name: "мощность".into(),
            used_name: "нагрузка".into(),
            pairs: vec![
                Pair {
                    label: "янв".into(),
                    limit: 100,
                    used: 90,
                },
                Pair {
                    label: "фев".into(),
                    limit: 100,
                    used: 40,
                },
            ],
        };
        let svg = chart.svg();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains(">90!</text>") && svg.contains(">40</text>"));
        assert!(svg.contains(">100</text>") && svg.contains(">мощность</text>"));
    }
}
