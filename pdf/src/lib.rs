//! `knd-pdf`: the legal documents the KND server issues (acts, orders, receipts), rendered as PDF.
//!
//! The crate is pure: [`render`] takes a [`Document`] and returns the PDF's bytes, with no file or
//! network IO. The caller builds the document from its records and stores or sends the bytes.
//!
//! # What the PDF looks like
//!
//! - A4, 20 mm margins, Noto Sans (regular 10.5 pt for the body, bold for the title, headings and
//!   labels), embedded and subset, so the Cyrillic text looks the same in every viewer.
//! - Paragraphs wrapped at spaces by the glyphs' measured advances; a word longer than a line is
//!   broken between characters; a '\n' breaks a line, a no-break space never does.
//! - [`Block::Fields`]: a label: value grid, the labels bold in a column as wide as the widest
//!   (at most 40 % of the width), the values wrapped beside them.
//! - [`Block::Table`]: a shaded bold header row, column widths proportional to their content,
//!   wrapped cells, thin rules. A row is never split across pages (unless it is taller than a
//!   page by itself); the header row is repeated on each new page.
//! - Pages break automatically; a heading stays with the start of what follows it. Every page
//!   has the footer "стр. N из M · record id".
//! - The QR code of [`Verification::url`] (error correction level M, vector squares, a quiet zone
//!   of 4 modules) sits at the first page's top right with what to do with it, the URL, the
//!   issuer, the record id and the SHA-256 printed small beside it. A URL too long for a code
//!   that fits there (over about 200 bytes) puts the block after the last one, larger.
//! - The PDF's metadata: the title, creator "KND", language Russian.
//!
//! Characters the font has no glyph for (emoji, CJK) are drawn as '?'; control and invisible
//! format characters (soft hyphens, zero-width spaces) are dropped. Rendering is deterministic:
//! the same document gives the same bytes.
//!
//! # Fonts
//!
//! Noto Sans comes from the `notosans` crate (the crate MIT or Apache-2.0, the fonts under the
//! SIL Open Font License 1.1, which allows embedding them in documents). The text layout is this
//! crate's own ([`krilla`] draws one line at a time): glyphs are placed by their advances, without
//! kerning or ligatures, so that what was measured is what is drawn.

mod font;
mod layout;
mod pdf;
mod qr;

/// A document to render.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    /// The title, centred in bold at the top of the first page (the PDF's title too), e.g.
    /// "АКТ выездной проверки № 77-2025/0012".
    pub title: String,
    /// A line under the title, e.g. the date and place of the document.
    pub subtitle: Option<String>,
    /// The body, top to bottom.
    pub blocks: Vec<Block>,
    /// How to check the document is authentic: printed with a QR code of the URL.
    pub verify: Verification,
}

/// A part of a document's body. Any text may contain '\n' for a line break.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A section heading, in bold.
    Heading(String),
    /// A paragraph of running text.
    Paragraph(String),
    /// Label: value rows, e.g. ("Проверяемое лицо", "ООО «Ромашка», ИНН 7701234567").
    Fields(Vec<(String, String)>),
    /// A table. Rows shorter than the longest row (or the header) are padded with empty cells;
    /// an empty header means no header row.
    Table {
        /// The column titles.
        header: Vec<String>,
        /// The rows, cell by cell.
        rows: Vec<Vec<String>>,
    },
    /// Who signs and when: the signer at the left with `at` under it, a line to sign on at the
    /// right.
    Signature {
        /// The signer's position and name, e.g. "Главный государственный инспектор И. И. Иванов".
        signer: String,
        /// When (and where) it was signed, e.g. "12.03.2025 14:05 (МСК)".
        at: String,
    },
}

/// How a reader checks the document is authentic.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verification {
    /// The verification page's URL: encoded in the QR code and printed under the call to check.
    pub url: String,
    /// The id of the signed record the document renders, printed beside the code and in every
    /// page's footer.
    pub record_id: String,
    /// The SHA-256 of the record's content, in hex, printed beside the code.
    pub sha256: String,
    /// Who issued the document (the agency), printed beside the code.
    pub issuer: String,
}

/// Why a document could not be rendered.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PdfError {
    /// The verification URL does not fit in a QR code (at most 2331 bytes at level M).
    #[error("the verification URL is too long for a QR code ({len} bytes)")]
    UrlTooLong {
        /// The URL's length in bytes.
        len: usize,
    },
    /// The QR code could not be made for another reason.
    #[error("the QR code could not be made: {0}")]
    Qr(String),
    /// A bundled font could not be read (a broken build, not bad input).
    #[error("a bundled font could not be read")]
    Font,
    /// The PDF writer failed.
    #[error("the PDF could not be written: {0}")]
    Write(String),
}

/// Renders `doc` as a PDF: A4 pages, the fonts embedded and subset, the verification QR code on
/// the first page (or after the last block if its URL is long). Deterministic: no clock, no
/// randomness, no IO.
///
/// ```
/// use knd_pdf::{Block, Document, Verification, render};
///
/// let doc = Document {
///     title: "Предписание № 12".to_owned(),
///     subtitle: Some("г. Москва, 12 марта 2025 г.".to_owned()),
///     blocks: vec![Block::Paragraph("Устранить нарушения до 01.06.2025.".to_owned())],
///     verify: Verification {
///         url: "https://knd.example.invalid/verify/12".to_owned(),
///         ..Verification::default()
///     },
/// };
/// let pdf = render(&doc)?;
/// assert!(pdf.starts_with(b"%PDF-"));
/// # Ok::<(), knd_pdf::PdfError>(())
/// ```
pub fn render(doc: &Document) -> Result<Vec<u8>, PdfError> {
    let (regular, bold) = font::faces().ok_or(PdfError::Font)?;
    let grid = qr::QrGrid::encode(&doc.verify.url)?;
    let pages = layout::layout(doc, grid, regular, bold);
    pdf::write(doc, &pages, regular, bold)
}
