//! The risk matrix drawn as a table: severity classes as rows (the most severe on top, as risk
//! matrices are read), probability classes as columns, each cell the category's name (colour
//! only repeats it); the object's cell marked in words too.

use knd_shared::RiskCategory;
use knd_shared::planning::RiskModel;

use super::i18n::Lang;
use super::risk_names;

pub(super) struct Cell {
    pub(super) name: &'static str,
    /// The category's CSS class (`cat-high`): a tint that repeats the name.
    pub(super) css: &'static str,
    pub(super) hit: bool,
}

pub(super) struct Row {
    pub(super) severity: u8,
    pub(super) cells: Vec<Cell>,
}

pub(super) struct Grid {
    /// The probability classes, 1 up.
    pub(super) cols: Vec<u8>,
    pub(super) rows: Vec<Row>,
}

/// A category's tint.
pub(super) fn css(c: RiskCategory) -> &'static str {
    match c {
        RiskCategory::Low => "cat-low",
        RiskCategory::Moderate => "cat-moderate",
        RiskCategory::Medium => "cat-medium",
        RiskCategory::Significant => "cat-significant",
        RiskCategory::High => "cat-high",
        RiskCategory::ExtremelyHigh => "cat-extreme",
    }
}

/// The model's matrix with the cell `[severity][probability]` (both from 1) marked.
pub(super) fn grid(lang: Lang, model: &RiskModel, severity: u8, probability: u8) -> Grid {
    let cols = model.matrix.iter().map(Vec::len).max().unwrap_or(0);
    let rows = model
        .matrix
        .iter()
        .enumerate()
        .rev()
        .map(|(i, row)| {
            let s = u8::try_from(i + 1).unwrap_or(u8::MAX);
            Row {
                severity: s,
                cells: row
                    .iter()
                    .enumerate()
                    .map(|(j, c)| Cell {
                        name: risk_names::category(lang, Some(*c)),
                        css: css(*c),
                        hit: s == severity && usize::from(probability) == j + 1,
                    })
                    .collect(),
            }
        })
        .collect();
    Grid {
        cols: (1..=cols)
            .map(|c| u8::try_from(c).unwrap_or(u8::MAX))
            .collect(),
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_severe_row_is_on_top_and_one_cell_is_marked() {
        let g = grid(Lang::Ru, &RiskModel::default(), 3, 3);
        assert_eq!(g.cols, [1, 2, 3, 4]);
        assert_eq!(g.rows[0].severity, 4);
        let hits: Vec<(u8, &str)> = g
            .rows
            .iter()
            .flat_map(|r| {
                r.cells
                    .iter()
                    .filter(|c| c.hit)
                    .map(|c| (r.severity, c.name))
            })
            .collect();
        assert_eq!(hits, [(3, "значительный риск")]);
    }
}
