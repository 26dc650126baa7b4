//! The blocks that flow down the page a line at a time or as simple rows: the title, headings
//! (kept with what follows them), paragraphs, label: value fields and the signature. Tables,
//! with their column widths and repeated header, are in `table`.

use super::rows::{Cell, RowKind};
use super::{
    BODY, CONTENT_WIDTH, FIELD_GAP, FIELD_PAD_Y, HEADING, Heading, LABEL, LEFT, Layout, NOTE,
    RIGHT, SIGNATURE_LINE, SUBTITLE, TITLE,
};
use crate::Document;

impl Layout<'_> {
    pub(super) fn title(&mut self, doc: &Document) {
        self.centred(&doc.title, TITLE);
        if let Some(subtitle) = &doc.subtitle {
            self.y += 2.0;
            self.centred(subtitle, SUBTITLE);
        }
        self.gap(12.0);
    }

    /// A heading, kept with what follows: with room for two lines of text after it here, and
    /// moved along to the next page if the next block starts there all the same.
    pub(super) fn heading(&mut self, text: &str) {
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

    pub(super) fn paragraph(&mut self, text: &str) {
        let lines = self.wrap(text, BODY, CONTENT_WIDTH);
        self.flow(LEFT, lines, BODY);
        self.gap(6.0);
    }

    /// A two-column grid: the labels in bold as wide as the widest (at most 40 % of the width),
    /// the values wrapped beside them.
    pub(super) fn fields(&mut self, rows: &[(String, String)]) {
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

    /// The signer and when they signed at the left, a line to sign on at the right.
    pub(super) fn signature(&mut self, signer: &str, at: &str) {
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
}
