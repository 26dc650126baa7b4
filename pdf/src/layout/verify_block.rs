//! The verification block: the QR code of the verification URL at the right, with the call to
//! verify, the URL, the issuer, the record id and the SHA-256 printed small beside it. Apart
//! from the rest because where it goes (the first page's top, or after the last block when the
//! code is too large for the top) and how large its module is are decided here alone.

use super::{CONTENT_WIDTH, LEFT, Layout, Op, RIGHT, SMALL, SMALL_BOLD, Style, truncate};
use crate::Verification;
use crate::qr::{QUIET_ZONE, QrGrid};

/// The QR code's module side: this size when there is room, never smaller than `MIN_MODULE` at
/// the top of the first page (a longer URL moves the code to the end, where it may be larger).
const MODULE: f32 = 2.0;
const MIN_MODULE_AT_TOP: f32 = 1.5;
/// The most the code with its quiet zone may take at the top of the first page, and at the end.
const MAX_QR_SIDE_AT_TOP: f32 = 100.0;
const MAX_QR_SIDE_AT_END: f32 = CONTENT_WIDTH / 2.0;

/// Where the QR code goes.
#[derive(Debug, Clone, Copy)]
pub(super) enum QrPlace {
    /// At the first page's top-right, its module this size.
    Top(f32),
    /// After the last block, its module this size.
    End(f32),
}

impl QrPlace {
    pub(super) fn for_grid(grid: &QrGrid) -> Self {
        let side = grid.side_with_quiet_zone() as f32;
        let top = MODULE.min(MAX_QR_SIDE_AT_TOP / side);
        if top >= MIN_MODULE_AT_TOP {
            QrPlace::Top(top)
        } else {
            QrPlace::End(MODULE.min(MAX_QR_SIDE_AT_END / side))
        }
    }
}

impl Layout<'_> {
    /// The QR code at the right with what it says and the document's hash beside it, at `y`:
    /// the first page's top (`at_top`), or after the last block.
    pub(super) fn verification(
        &mut self,
        verify: &Verification,
        grid: QrGrid,
        module: f32,
        at_top: bool,
    ) {
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
}
