//! The QR code of the verification URL: error correction level M, drawn as vector squares.

use qrcode::types::QrError;
use qrcode::{Color, EcLevel, QrCode};

use crate::PdfError;

/// The light border around the code every reader expects, in modules (ISO/IEC 18004).
pub(crate) const QUIET_ZONE: usize = 4;

/// A code's modules, row by row.
#[derive(Debug, Clone)]
pub(crate) struct QrGrid {
    width: usize,
    dark: Vec<bool>,
}

impl QrGrid {
    /// Encodes `data` (its UTF-8 bytes) at error correction level M.
    pub(crate) fn encode(data: &str) -> Result<Self, PdfError> {
        let code =
            QrCode::with_error_correction_level(data, EcLevel::M).map_err(|error| match error {
                QrError::DataTooLong => PdfError::UrlTooLong { len: data.len() },
                other => PdfError::Qr(other.to_string()),
            })?;
        let dark = code
            .to_colors()
            .into_iter()
            .map(|color| color == Color::Dark)
            .collect();
        Ok(Self {
            width: code.width(),
            dark,
        })
    }

    /// The code's side in modules, without the quiet zone.
    pub(crate) fn width(&self) -> usize {
        self.width
    }

    /// The code's side in modules with the quiet zone on both sides.
    pub(crate) fn side_with_quiet_zone(&self) -> usize {
        self.width + 2 * QUIET_ZONE
    }

    /// The dark modules as horizontal runs `(row, first column, length)`: one rectangle per run
    /// keeps the path short and leaves no hairline seams between neighbouring modules.
    pub(crate) fn runs(&self) -> Vec<(usize, usize, usize)> {
        let mut runs = Vec::new();
        for (row, modules) in self.dark.chunks(self.width.max(1)).enumerate() {
            let mut column = 0;
            while column < modules.len() {
                if !modules[column] {
                    column += 1;
                    continue;
                }
                let start = column;
                while column < modules.len() && modules[column] {
                    column += 1;
                }
                runs.push((row, start, column - start));
            }
        }
        runs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_cover_exactly_the_dark_modules() {
        let grid = QrGrid::encode("https://example.invalid/verify/abc").expect("encodes");
        let mut painted = vec![false; grid.width * grid.width];
        for (row, start, length) in grid.runs() {
            for column in start..start + length {
                assert!(!painted[row * grid.width + column], "painted twice");
                painted[row * grid.width + column] = true;
            }
        }
        assert_eq!(painted, grid.dark);
    }

    #[test]
    fn too_much_data_is_an_error() {
        let url = format!("https://example.invalid/{}", "x".repeat(3000));
        assert!(matches!(
            QrGrid::encode(&url),
            Err(PdfError::UrlTooLong { .. })
        ));
    }
}
