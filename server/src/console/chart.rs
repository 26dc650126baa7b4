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
}
