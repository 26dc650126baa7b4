//! Layout: a `Document` becomes pages of drawing operations in points, origin at the page's
//! top-left corner, y growing downwards (krilla's convention). Nothing here knows PDF.

use crate::font::Face;
use crate::qr::{QUIET_ZONE, QrGrid};
use crate::{Block, Document, Verification};

const MM: f32 = 72.0 / 25.4;
/// A4.
pub(crate) const PAGE_WIDTH: f32 = 210.0 * MM;
pub(crate) const PAGE_HEIGHT: f32 = 297.0 * MM;
const MARGIN: f32 = 20.0 * MM;
const LEFT: f32 = MARGIN;
const RIGHT: f32 = PAGE_WIDTH - MARGIN;
const TOP: f32 = MARGIN;
/// The body ends here; the footer sits in the bottom margin.
const BOTTOM: f32 = PAGE_HEIGHT - MARGIN;
const CONTENT_WIDTH: f32 = RIGHT - LEFT;
const FOOTER_BASELINE: f32 = PAGE_HEIGHT - 11.0 * MM;

/// The QR code's module side: this size when there is room, never smaller than `MIN_MODULE` at
/// the top of the first page (a longer URL moves the code to the end, where it may be larger).
const MODULE: f32 = 2.0;
const MIN_MODULE_AT_TOP: f32 = 1.5;
/// The most the code with its quiet zone may take at the top of the first page, and at the end.
const MAX_QR_SIDE_AT_TOP: f32 = 100.0;
const MAX_QR_SIDE_AT_END: f32 = CONTENT_WIDTH / 2.0;

/// Table cells' horizontal and vertical padding; fields' vertical padding and column gap.
const CELL_PAD_X: f32 = 3.0;
const CELL_PAD_Y: f32 = 2.0;
const FIELD_PAD_Y: f32 = 2.0;
const FIELD_GAP: f32 = 10.0;

/// The thin rules: tables' grid, fields' separators, the signature line.
const GRID: Rule = Rule {
    width: 0.5,
    gray: 110,
};
const SEPARATOR: Rule = Rule {
    width: 0.3,
    gray: 190,
};
const SIGNATURE_LINE: Rule = Rule {
    width: 0.5,
    gray: 0,
};
/// The table header's background.
const HEADER_FILL: u8 = 232;

/// A text style: size and line height in points, weight, gray level (0 black, 255 white).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Style {
    pub(crate) size: f32,
    leading: f32,
    pub(crate) bold: bool,
    pub(crate) gray: u8,
}

const fn style(size: f32, leading: f32, bold: bool, gray: u8) -> Style {
    Style {
        size,
        leading,
        bold,
        gray,
    }
}

const BODY: Style = style(10.5, 14.0, false, 0);
const LABEL: Style = style(10.5, 14.0, true, 0);
const TITLE: Style = style(15.0, 19.0, true, 0);
const SUBTITLE: Style = style(11.0, 14.5, false, 60);
const HEADING: Style = style(12.0, 16.0, true, 0);
const CELL: Style = style(9.0, 11.5, false, 0);
const CELL_HEAD: Style = style(9.0, 11.5, true, 0);
const NOTE: Style = style(8.5, 11.0, false, 80);
const SMALL: Style = style(7.5, 9.5, false, 60);
const SMALL_BOLD: Style = style(7.5, 9.5, true, 0);
const FOOTER: Style = style(8.0, 10.0, false, 90);

impl Style {
    /// The baseline of a line whose box starts at `top`: the glyphs' extent (Noto Sans: ascender
    /// 1.069 em, descender 0.293 em) centred in the line height.
    fn baseline(self, top: f32) -> f32 {
        top + self.leading / 2.0 + self.size * (1.069 - 0.293) / 2.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rule {
    pub(crate) width: f32,
    pub(crate) gray: u8,
}

/// One drawing operation.
#[derive(Debug, Clone)]
pub(crate) enum Op {
    /// A cleaned, single line of text from its baseline's left end.
    Text {
        x: f32,
        baseline: f32,
        style: Style,
        text: String,
    },
    /// A straight line.
    Line {
        from: (f32, f32),
        to: (f32, f32),
        rule: Rule,
    },
    /// A filled rectangle.
    Fill {
        x: f32,
        y: f32,
        width: f32,
        height: f32,
        gray: u8,
    },
    /// A QR code: the top-left corner of its first module and the module's side. The quiet zone
    /// around it is left empty by the layout.
    Qr {
        x: f32,
        y: f32,
        module: f32,
        grid: QrGrid,
    },
}

impl Op {
    /// Moves the operation down by `dy`.
    fn shift(&mut self, dy: f32) {
        match self {
            Op::Text { baseline: y, .. } | Op::Fill { y, .. } | Op::Qr { y, .. } => *y += dy,
            Op::Line { from, to, .. } => {
                from.1 += dy;
                to.1 += dy;
            }
        }
    }
}

/// Where the QR code goes.
#[derive(Debug, Clone, Copy)]
enum QrPlace {
    /// At the first page's top-right, its module this size.
    Top(f32),
    /// After the last block, its module this size.
    End(f32),
}

impl QrPlace {
    fn for_grid(grid: &QrGrid) -> Self {
        let side = grid.side_with_quiet_zone() as f32;
        let top = MODULE.min(MAX_QR_SIDE_AT_TOP / side);
        if top >= MIN_MODULE_AT_TOP {
            QrPlace::Top(top)
        } else {
            QrPlace::End(MODULE.min(MAX_QR_SIDE_AT_END / side))
        }
    }
}

/// One cell of a row: where its text starts, the text wrapped, its style.
#[derive(Debug)]
struct Cell {
    x: f32,
    lines: Vec<String>,
    style: Style,
}

/// How a row is decorated, and what repeats on a new page.
#[derive(Debug, Clone, Copy)]
enum RowKind<'a> {
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

/// Lays `doc` out; `grid` is the verification URL's QR code.
pub(crate) fn layout(doc: &Document, grid: QrGrid, regular: &Face, bold: &Face) -> Vec<Vec<Op>> {
    let mut layout = Layout {
        regular,
        bold,
        pages: vec![Vec::new()],
        y: TOP,
        page_top: TOP,
        heading: None,
    };
    // The code at the top now, or kept for the end.
    let at_end = match QrPlace::for_grid(&grid) {
        QrPlace::Top(module) => {
            layout.verification(&doc.verify, grid, module, true);
            layout.page_top = layout.y;
            None
        }
        QrPlace::End(module) => Some((grid, module)),
    };
    layout.title(doc);
    for block in &doc.blocks {
        match block {
            Block::Heading(text) => layout.heading(text),
            Block::Paragraph(text) => layout.paragraph(text),
            Block::Fields(rows) => layout.fields(rows),
            Block::Table { header, rows } => layout.table(header, rows),
            Block::Signature { signer, at } => layout.signature(signer, at),
        }
    }
    if let Some((grid, module)) = at_end {
        layout.gap(12.0);
        layout.verification(&doc.verify, grid, module, false);
    }
    layout.footers(&doc.verify.record_id);
    layout.pages
}

struct Layout<'f> {
    regular: &'f Face,
    bold: &'f Face,
    pages: Vec<Vec<Op>>,
    /// The top of the free space on the last page.
    y: f32,
    /// Where the last page's flowing content began: `y` there means the page is still empty.
    page_top: f32,
    /// The heading just placed, until what follows it is: moved along if that starts a new page.
    heading: Option<Heading>,
}

/// Where a heading's operations start on the last page, and the top of its band.
#[derive(Debug, Clone, Copy)]
struct Heading {
    first_op: usize,
    top: f32,
}

impl Layout<'_> {
    fn face(&self, style: Style) -> &Face {
        if style.bold { self.bold } else { self.regular }
    }

    /// `text` cleaned and broken into lines no wider than `width`.
    fn wrap(&self, text: &str, style: Style, width: f32) -> Vec<String> {
        let face = self.face(style);
        face.wrap(&face.clean(text, true), style.size, width)
    }

    fn width(&self, line: &str, style: Style) -> f32 {
        self.face(style).width(line, style.size)
    }

    fn push(&mut self, op: Op) {
        self.heading = None;
        if let Some(page) = self.pages.last_mut() {
            page.push(op);
        }
    }

    /// A new page; a heading with nothing after it yet comes along to its top.
    fn new_page(&mut self) {
        let heading = self.heading.take().and_then(|heading| {
            let page = self.pages.last_mut()?;
            let ops: Vec<Op> = page.drain(heading.first_op..).collect();
            Some((ops, self.y - heading.top, TOP - heading.top))
        });
        self.pages.push(Vec::new());
        self.y = TOP;
        self.page_top = TOP;
        if let Some((ops, height, dy)) = heading {
            for mut op in ops {
                op.shift(dy);
                self.push(op);
            }
            self.y += height;
        }
    }

    fn is_fresh(&self) -> bool {
        self.y <= self.page_top + 0.01
    }

    fn room(&self) -> f32 {
        BOTTOM - self.y
    }

    /// Starts a new page unless `height` fits on this one or this one is still empty.
    fn keep(&mut self, height: f32) {
        if height > self.room() + 0.01 && !self.is_fresh() {
            self.new_page();
        }
    }

    /// Vertical space between blocks, none at the top of a page.
    fn gap(&mut self, height: f32) {
        if !self.is_fresh() {
            self.y += height;
        }
    }

    fn text(&mut self, x: f32, top: f32, style: Style, text: String) {
        if !text.is_empty() {
            self.push(Op::Text {
                x,
                baseline: style.baseline(top),
                style,
                text,
            });
        }
    }

    fn line(&mut self, from: (f32, f32), to: (f32, f32), rule: Rule) {
        self.push(Op::Line { from, to, rule });
    }

    /// Lines flowing down from `y`, onto new pages as needed.
    fn flow(&mut self, x: f32, lines: Vec<String>, style: Style) {
        for line in lines {
            if self.y + style.leading > BOTTOM + 0.01 && !self.is_fresh() {
                self.new_page();
            }
            self.text(x, self.y, style, line);
            self.y += style.leading;
        }
    }

    /// Lines centred between the margins.
    fn centred(&mut self, text: &str, style: Style) {
        let lines = self.wrap(text, style, CONTENT_WIDTH);
        for line in lines {
            if self.y + style.leading > BOTTOM + 0.01 && !self.is_fresh() {
                self.new_page();
            }
            let x = LEFT + (CONTENT_WIDTH - self.width(&line, style)) / 2.0;
            self.text(x, self.y, style, line);
            self.y += style.leading;
        }
    }

    /// The QR code at the right with what it says and the document's hash beside it, at `y`:
    /// the first page's top (`at_top`), or after the last block.
    fn verification(&mut self, verify: &Verification, grid: QrGrid, module: f32, at_top: bool) {
        let code = grid.width() as f32 * module;
        let quiet = QUIET_ZONE as f32 * module;
        // Beside the code, right-aligned against its quiet zone.
        let text_right = RIGHT - code - quiet;
        let width = text_right - LEFT;
        let mut lines: Vec<(Style, String)> = Vec::new();
        // The URL in full (a QR code holds at most about 40 lines of it); the rest at most
        // `MAX_LINES` lines each, so that the block always fits on a page.
        const MAX_LINES: usize = 4;
        let mut add = |style: Style, text: &str, all: bool| {
            let mut wrapped = self.wrap(text, style, width);
            if !all && wrapped.len() > MAX_LINES {
                wrapped.truncate(MAX_LINES);
                if let Some(last) = wrapped.last_mut() {
                    *last = truncate(self.face(style), &format!("{last}…"), style.size, width);
                }
            }
            lines.extend(wrapped.into_iter().map(|line| (style, line)));
        };
        add(
            SMALL_BOLD,
            "Проверить подлинность документа / Verify this document",
            true,
        );
        add(SMALL, &verify.url, true);
        if !verify.issuer.is_empty() {
            add(SMALL, &format!("Выдал / Issuer: {}", verify.issuer), false);
        }
        if !verify.record_id.is_empty() {
            add(
                SMALL,
                &format!("Запись / Record: {}", verify.record_id),
                false,
            );
        }
        if !verify.sha256.is_empty() {
            add(SMALL, &format!("SHA-256: {}", verify.sha256), false);
        }
        let text_height: f32 = lines.iter().map(|(style, _)| style.leading).sum();
        // At the top the code's quiet zone may lie in the margins; after the last block it may
        // not, as the text above it comes closer than that.
        let above = if at_top { 0.0 } else { quiet };
        let height = above + (code + quiet).max(text_height);
        self.keep(height);
        let top = self.y;
        self.push(Op::Qr {
            x: RIGHT - code,
            y: top + above,
            module,
            grid,
        });
        let mut y = top + above;
        for (style, line) in lines {
            let x = text_right - self.width(&line, style);
            self.text(x, y, style, line);
            y += style.leading;
        }
        self.y = top + height;
        self.gap(if at_top { 8.0 } else { 0.0 });
    }

    fn title(&mut self, doc: &Document) {
        self.centred(&doc.title, TITLE);
        if let Some(subtitle) = &doc.subtitle {
            self.y += 2.0;
            self.centred(subtitle, SUBTITLE);
        }
        self.gap(12.0);
    }

    /// A heading, kept with what follows: with room for two lines of text after it here, and
    /// moved along to the next page if the next block starts there all the same.
    fn heading(&mut self, text: &str) {
        self.gap(8.0);
        let lines = self.wrap(text, HEADING, CONTENT_WIDTH);
        self.keep(lines.len() as f32 * HEADING.leading + 2.0 * BODY.leading);
        let (fresh, page, top) = (self.is_fresh(), self.pages.len(), self.y);
        let first_op = self.pages.last().map_or(0, Vec::len);
        self.flow(LEFT, lines, HEADING);
        self.y += 4.0;
        // Not if it is at the top of a page already or ran over a page itself.
        if !fresh && self.pages.len() == page {
            self.heading = Some(Heading { first_op, top });
        }
    }

    fn paragraph(&mut self, text: &str) {
        let lines = self.wrap(text, BODY, CONTENT_WIDTH);
        self.flow(LEFT, lines, BODY);
        self.gap(6.0);
    }

    /// A two-column grid: the labels in bold as wide as the widest (at most 40 % of the width),
    /// the values wrapped beside them.
    fn fields(&mut self, rows: &[(String, String)]) {
        if rows.is_empty() {
            return;
        }
        let labels: Vec<String> = rows
            .iter()
            .map(|(label, _)| self.bold.clean(label, true))
            .collect();
        let widest = labels
            .iter()
            .map(|label| self.bold.widest_line(label, LABEL.size))
            .fold(0.0, f32::max);
        let label_width = widest.clamp(CONTENT_WIDTH * 0.15, CONTENT_WIDTH * 0.4);
        let value_x = LEFT + label_width + FIELD_GAP;
        let value_width = RIGHT - value_x;
        for ((_, value), label) in rows.iter().zip(labels) {
            let cells = [
                Cell {
                    x: LEFT,
                    lines: self.bold.wrap(&label, LABEL.size, label_width),
                    style: LABEL,
                },
                Cell {
                    x: value_x,
                    lines: self.wrap(value, BODY, value_width),
                    style: BODY,
                },
            ];
            self.row(&cells, FIELD_PAD_Y, RowKind::Field);
        }
        self.gap(6.0);
    }

    /// A table: columns as wide as their content asks within the width, a bold shaded header
    /// row repeated on every page the table reaches, rows never split unless taller than a page.
    fn table(&mut self, header: &[String], rows: &[Vec<String>]) {
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

    /// The signer and when they signed at the left, a line to sign on at the right.
    fn signature(&mut self, signer: &str, at: &str) {
        self.gap(10.0);
        let width = CONTENT_WIDTH * 0.55;
        let signer = self.wrap(signer, BODY, width);
        let at = self.wrap(at, NOTE, width);
        let left = signer.len() as f32 * BODY.leading + at.len() as f32 * NOTE.leading;
        let right = BODY.leading + NOTE.leading;
        let height = left.max(right);
        self.keep(height);
        let (top, page) = (self.y, self.pages.len());
        let line_y = BODY.baseline(top) + 2.0;
        let line_left = LEFT + CONTENT_WIDTH * 0.62;
        self.line((line_left, line_y), (RIGHT, line_y), SIGNATURE_LINE);
        let caption = "(подпись)".to_owned();
        let x = line_left + (RIGHT - line_left - self.width(&caption, NOTE)) / 2.0;
        self.text(x, line_y + 1.0, NOTE, caption);
        // The left column flows on (onto the next page only if it is longer than a page).
        self.flow(LEFT, signer, BODY);
        self.flow(LEFT, at, NOTE);
        if self.pages.len() == page {
            self.y = self.y.max(top + right);
        }
        self.gap(6.0);
    }

    /// Places a row, on a new page (after the table's header again) if it does not fit here.
    /// A row taller than a whole page is the one thing split, line by line, starting here.
    fn row(&mut self, cells: &[Cell], pad: f32, kind: RowKind<'_>) {
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

    /// "стр. N из M · record id" centred in every page's bottom margin.
    fn footers(&mut self, record_id: &str) {
        let total = self.pages.len();
        let record_id = self.regular.clean(record_id, false);
        let face = self.regular;
        for (index, page) in self.pages.iter_mut().enumerate() {
            let mut text = format!("стр. {} из {}", index + 1, total);
            if !record_id.is_empty() {
                text.push_str(" · ");
                text.push_str(&record_id);
            }
            let text = truncate(face, &text, FOOTER.size, CONTENT_WIDTH);
            let x = LEFT + (CONTENT_WIDTH - face.width(&text, FOOTER.size)) / 2.0;
            page.push(Op::Text {
                x,
                baseline: FOOTER_BASELINE,
                style: FOOTER,
                text,
            });
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

fn row_height(cells: &[Cell], pad: f32) -> f32 {
    cells
        .iter()
        .map(|cell| cell.lines.len() as f32 * cell.style.leading)
        .fold(min_line(cells), f32::max)
        + 2.0 * pad
}

/// `text` cut to `width` with an ellipsis if it is wider.
fn truncate(face: &Face, text: &str, size: f32, width: f32) -> String {
    if face.width(text, size) <= width {
        return text.to_owned();
    }
    let room = width - face.width("…", size);
    let mut out = String::new();
    let mut used = 0.0;
    for c in text.chars() {
        let advance = face.width(c.encode_utf8(&mut [0; 4]), size);
        if used + advance > room {
            break;
        }
        used += advance;
        out.push(c);
    }
    out.push('…');
    out
}

/// Column widths filling the content width, after the automatic table layout of HTML: each
/// column gets at least its widest word (capped at an equal share, beyond which a word is broken
/// by characters) and the rest of the width in proportion to how much more its unwrapped content
/// asks; when everything fits unwrapped, the widths are the content's, scaled up.
fn column_widths<'r>(
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

#[cfg(test)]
mod tests;
