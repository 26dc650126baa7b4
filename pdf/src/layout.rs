//! Layout: a `Document` becomes pages of drawing operations in points, origin at the page's
//! top-left corner, y growing downwards (krilla's convention). Nothing here knows PDF.
//!
//! This module holds what every part of the layout shares: the page's geometry, the styles and
//! rules, the drawing operations, the running state (`Layout`: the pages so far and where the
//! free space starts) with its page-flow primitives, and the footers. The blocks are laid out in
//! the submodules:
//!
//! - `blocks`: the title, headings, paragraphs, label: value fields and the signature;
//! - `table`: tables, their column widths;
//! - `rows`: bands of cells (fields' and tables' rows), page breaks between and inside them, the
//!   table header repeated on a new page;
//! - `verify_block`: the QR code with the verification text beside it, at the top or the end.

mod blocks;
mod rows;
mod table;
mod verify_block;

use crate::font::Face;
use crate::qr::QrGrid;
use crate::{Block, Document};
use verify_block::QrPlace;

// The tests reach these through `use super::*`.
#[cfg(test)]
use crate::Verification;
#[cfg(test)]
use table::column_widths;

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

#[cfg(test)]
mod tests;
