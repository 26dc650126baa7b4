//! Rows: a band of cells side by side (a field's label and value, a table's cells), placed
//! whole on this page or the next, split line by line only when taller than a page, with its
//! rules drawn; a table's header drawn again at the top of each page a table runs onto. Shared
//! by `blocks` (fields) and `table`.

use super::{
    BOTTOM, CELL_PAD_Y, CONTENT_WIDTH, GRID, HEADER_FILL, LEFT, Layout, Op, RIGHT, SEPARATOR,
    Style, TOP,
};

/// One cell of a row: where its text starts, the text wrapped, its style.
#[derive(Debug)]
pub(super) struct Cell {
    pub(super) x: f32,
    pub(super) lines: Vec<String>,
    pub(super) style: Style,
}

/// How a row is decorated, and what repeats on a new page.
#[derive(Debug, Clone, Copy)]
pub(super) enum RowKind<'a> {
    /// A label: value row: a light rule underneath.
    Field,
    /// A table row between these column edges; the header is drawn again at the top of a new page.
    Table {
        edges: &'a [f32],
        header: Option<&'a [Cell]>,
    },
    /// A table's header row: shaded.
    TableHeader { edges: &'a [f32] },
}

impl Layout<'_> {
    /// Places a row, on a new page (after the table's header again) if it does not fit here.
    /// A row taller than a whole page is the one thing split, line by line, starting here.
    pub(super) fn row(&mut self, cells: &[Cell], pad: f32, kind: RowKind<'_>) {
        let repeated = match kind {
            RowKind::Table {
                header: Some(header),
                ..
            } => row_height(header, CELL_PAD_Y),
            _ => 0.0,
        };
        let capacity = BOTTOM - TOP - repeated;
        let few_lines = 3.0 * min_line(cells) + 2.0 * pad;
        let mut from = vec![0; cells.len()];
        loop {
            let rest: f32 = cells
                .iter()
                .zip(&from)
                .map(|(cell, from)| (cell.lines.len() - from) as f32 * cell.style.leading)
                .fold(0.0, f32::max);
            let height = rest.max(min_line(cells)) + 2.0 * pad;
            if height <= self.room() + 0.01 {
                let to: Vec<usize> = cells.iter().map(|cell| cell.lines.len()).collect();
                self.row_part(cells, &from, &to, height, pad, kind);
                self.y += height;
                return;
            }
            if !self.is_fresh() && (height <= capacity + 0.01 || self.room() < few_lines) {
                // Again on a new page (below the header repeated, if any).
                self.continue_on_new_page(kind);
                continue;
            }
            // Taller than a page: as many lines of each cell as fit (one at least), the rest on
            // the next page.
            let room = (self.room() - 2.0 * pad).max(0.0);
            let to: Vec<usize> = cells
                .iter()
                .zip(&from)
                .map(|(cell, &from)| {
                    let fit = ((room / cell.style.leading) as usize).max(1);
                    (from + fit).min(cell.lines.len())
                })
                .collect();
            let height = cells
                .iter()
                .zip(from.iter().zip(&to))
                .map(|(cell, (from, to))| (to - from) as f32 * cell.style.leading)
                .fold(0.0, f32::max)
                + 2.0 * pad;
            self.row_part(cells, &from, &to, height, pad, kind);
            self.y += height;
            from = to;
            if cells
                .iter()
                .zip(&from)
                .all(|(cell, &from)| from >= cell.lines.len())
            {
                return;
            }
            self.continue_on_new_page(kind);
        }
    }

    fn continue_on_new_page(&mut self, kind: RowKind<'_>) {
        self.new_page();
        if let RowKind::Table {
            edges,
            header: Some(header),
        } = kind
        {
            let height = row_height(header, CELL_PAD_Y);
            let to: Vec<usize> = header.iter().map(|cell| cell.lines.len()).collect();
            let from = vec![0; header.len()];
            self.row_part(
                header,
                &from,
                &to,
                height,
                CELL_PAD_Y,
                RowKind::TableHeader { edges },
            );
            self.y += height;
        }
    }

    /// Draws lines `from..to` of each cell in a band `height` high at `y`, with the row's rules.
    fn row_part(
        &mut self,
        cells: &[Cell],
        from: &[usize],
        to: &[usize],
        height: f32,
        pad: f32,
        kind: RowKind<'_>,
    ) {
        let top = self.y;
        let bottom = top + height;
        match kind {
            RowKind::Field => self.line((LEFT, bottom), (RIGHT, bottom), SEPARATOR),
            RowKind::Table { edges, .. } | RowKind::TableHeader { edges } => {
                if let RowKind::TableHeader { .. } = kind {
                    self.push(Op::Fill {
                        x: LEFT,
                        y: top,
                        width: CONTENT_WIDTH,
                        height,
                        gray: HEADER_FILL,
                    });
                }
                let right = edges.last().copied().unwrap_or(RIGHT);
                self.line((LEFT, top), (right, top), GRID);
                self.line((LEFT, bottom), (right, bottom), GRID);
                for &x in edges {
                    self.line((x, top), (x, bottom), GRID);
                }
            }
        }
        for ((cell, &from), &to) in cells.iter().zip(from).zip(to) {
            let mut y = top + pad;
            for line in &cell.lines[from.min(to)..to] {
                self.text(cell.x, y, cell.style, line.clone());
                y += cell.style.leading;
            }
        }
    }
}

/// The height of the row's first line: an empty row is one line high.
fn min_line(cells: &[Cell]) -> f32 {
    cells
        .iter()
        .map(|cell| cell.style.leading)
        .fold(0.0, f32::max)
}

pub(super) fn row_height(cells: &[Cell], pad: f32) -> f32 {
    cells
        .iter()
        .map(|cell| cell.lines.len() as f32 * cell.style.leading)
        .fold(min_line(cells), f32::max)
        + 2.0 * pad
}
