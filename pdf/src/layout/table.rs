//! Tables: the column widths (after HTML's automatic table layout), the cells wrapped to them,
//! the header kept with the first row and handed to the rows to repeat on each new page. How
//! the rows themselves are placed and broken across pages is in `rows`.

use super::rows::{Cell, RowKind, row_height};
use super::{
    BOTTOM, CELL, CELL_HEAD, CELL_PAD_X, CELL_PAD_Y, CONTENT_WIDTH, LEFT, Layout, Style, TOP,
};
use crate::font::Face;

impl Layout<'_> {
    /// A table: columns as wide as their content asks within the width, a bold shaded header
    /// row repeated on every page the table reaches, rows never split unless taller than a page.
    pub(super) fn table(&mut self, header: &[String], rows: &[Vec<String>]) {
        let columns = rows
            .iter()
            .map(Vec::len)
            .chain([header.len()])
            .max()
            .unwrap_or(0);
        if columns == 0 {
            return;
        }
        let clean = |face: &Face, row: &[String]| -> Vec<String> {
            (0..columns)
                .map(|i| {
                    row.get(i)
                        .map_or_else(String::new, |text| face.clean(text, true))
                })
                .collect()
        };
        let header: Option<Vec<String>> = (!header.is_empty()).then(|| clean(self.bold, header));
        let rows: Vec<Vec<String>> = rows.iter().map(|row| clean(self.regular, row)).collect();

        let widths = column_widths(
            header
                .iter()
                .map(|row| (row, CELL_HEAD))
                .chain(rows.iter().map(|row| (row, CELL))),
            columns,
            |text, style| self.face(style).widest_line(text, style.size),
            |text, style| self.face(style).widest_word(text, style.size),
        );
        let mut edges = vec![LEFT];
        for width in &widths {
            edges.push(edges[edges.len() - 1] + width);
        }
        let cells = |row: &[String], style: Style| -> Vec<Cell> {
            row.iter()
                .zip(&widths)
                .zip(&edges)
                .map(|((text, width), x)| Cell {
                    x: x + CELL_PAD_X,
                    lines: self
                        .face(style)
                        .wrap(text, style.size, width - 2.0 * CELL_PAD_X),
                    style,
                })
                .collect()
        };
        let header = header.map(|row| cells(&row, CELL_HEAD));
        let body: Vec<Vec<Cell>> = rows.iter().map(|row| cells(row, CELL)).collect();

        self.gap(4.0);
        if let Some(header) = &header {
            // The header with the first row (its first lines if it is split anyway), or on a
            // new page.
            let height = row_height(header, CELL_PAD_Y);
            let first = body.first().map_or(0.0, |row| row_height(row, CELL_PAD_Y));
            let first = if height + first <= BOTTOM - TOP {
                first
            } else {
                3.0 * CELL.leading + 2.0 * CELL_PAD_Y
            };
            self.keep(height + first);
            self.row(header, CELL_PAD_Y, RowKind::TableHeader { edges: &edges });
        }
        // A header taller than half a page is not repeated.
        let repeat = header
            .as_deref()
            .filter(|header| row_height(header, CELL_PAD_Y) <= (BOTTOM - TOP) / 2.0);
        for row in &body {
            self.row(
                row,
                CELL_PAD_Y,
                RowKind::Table {
                    edges: &edges,
                    header: repeat,
                },
            );
        }
        self.gap(8.0);
    }
}

/// Column widths filling the content width, after the automatic table layout of HTML: each
/// column gets at least its widest word (capped at an equal share, beyond which a word is broken
/// by characters) and the rest of the width in proportion to how much more its unwrapped content
/// asks; when everything fits unwrapped, the widths are the content's, scaled up.
pub(super) fn column_widths<'r>(
    rows: impl Iterator<Item = (&'r Vec<String>, Style)>,
    columns: usize,
    widest_line: impl Fn(&str, Style) -> f32,
    widest_word: impl Fn(&str, Style) -> f32,
) -> Vec<f32> {
    let padding = 2.0 * CELL_PAD_X;
    let share = CONTENT_WIDTH / columns as f32;
    let mut natural = vec![padding + 1.0; columns];
    let mut minimum = vec![padding + 1.0; columns];
    for (row, style) in rows {
        for (i, text) in row.iter().enumerate().take(columns) {
            natural[i] = natural[i].max(widest_line(text, style) + padding);
            minimum[i] = minimum[i].max((widest_word(text, style) + padding).min(share));
        }
    }
    let total_natural: f32 = natural.iter().sum();
    let total_minimum: f32 = minimum.iter().sum();
    if total_natural <= CONTENT_WIDTH {
        return natural
            .iter()
            .map(|w| w * CONTENT_WIDTH / total_natural)
            .collect();
    }
    if total_minimum >= CONTENT_WIDTH {
        return minimum
            .iter()
            .map(|w| w * CONTENT_WIDTH / total_minimum)
            .collect();
    }
    let spare = CONTENT_WIDTH - total_minimum;
    let asked: f32 = natural.iter().zip(&minimum).map(|(n, m)| n - m).sum();
    natural
        .iter()
        .zip(&minimum)
        .map(|(n, m)| m + spare * (n - m) / asked)
        .collect()
}
