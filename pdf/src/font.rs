//! The two embedded faces (Noto Sans regular and bold), text cleaning, measuring and line breaking.
//!
//! Widths are the sum of the glyphs' horizontal advances, without kerning; the same advances
//! position the glyphs when the text is drawn (see `Face::glyphs`), so a line measured to fit
//! does fit.

use std::sync::LazyLock;

use krilla::text::{Font, GlyphId, KrillaGlyph};
use skrifa::charmap::Charmap;
use skrifa::instance::{LocationRef, Size};
use skrifa::metrics::GlyphMetrics;
use skrifa::{FontRef, MetadataProvider};

/// Drawn in place of a character the font has no glyph for.
const REPLACEMENT: &str = "?";

/// A face: krilla's handle (what the PDF embeds, subset) and skrifa's tables for measuring.
pub(crate) struct Face {
    pub(crate) font: Font,
    charmap: Charmap<'static>,
    metrics: GlyphMetrics<'static>,
    units_per_em: f32,
}

impl std::fmt::Debug for Face {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Face")
            .field("units_per_em", &self.units_per_em)
            .finish_non_exhaustive()
    }
}

/// The faces, parsed once per process. `None` only if a bundled font failed to parse, which a
/// test rules out; `render` reports it as an error rather than panicking.
static REGULAR: LazyLock<Option<Face>> = LazyLock::new(|| Face::load(notosans::REGULAR_TTF));
static BOLD: LazyLock<Option<Face>> = LazyLock::new(|| Face::load(notosans::BOLD_TTF));

/// The regular and the bold face.
pub(crate) fn faces() -> Option<(&'static Face, &'static Face)> {
    Some((REGULAR.as_ref()?, BOLD.as_ref()?))
}

/// Whether `c` separates words: whitespace other than the no-break spaces, which Russian
/// typography puts in «ст. 49», «100 000 руб.» and the like precisely to keep them together.
pub(crate) fn is_break_space(c: char) -> bool {
    c.is_whitespace() && !matches!(c, '\u{a0}' | '\u{2007}' | '\u{202f}')
}

/// Characters that are dropped: invisible format characters (soft hyphen, zero-width spaces and
/// joiners, direction marks, the byte order mark) and controls other than line breaks and tabs.
fn is_dropped(c: char) -> bool {
    matches!(
        c,
        '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{2060}' | '\u{feff}'
    ) || (c.is_control() && !is_break_space(c))
}

/// What is drawn for characters this Noto Sans lacks that Russian documents use.
const SUBSTITUTES: [(char, &str); 3] = [
    ('₽', "руб."),
    // The no-break hyphen: lines never break at a hyphen here anyway.
    ('\u{2011}', "-"),
    ('℃', "°C"),
];

fn substitute(c: char) -> Option<&'static str> {
    SUBSTITUTES
        .iter()
        .find(|(lacking, _)| *lacking == c)
        .map(|(_, drawn)| *drawn)
}

impl Face {
    fn load(data: &'static [u8]) -> Option<Self> {
        let font = Font::new(data.into(), 0)?;
        let font_ref = FontRef::new(data).ok()?;
        let units_per_em = f32::from(
            font_ref
                .metrics(Size::unscaled(), LocationRef::default())
                .units_per_em,
        );
        let charmap = font_ref.charmap();
        // What unknown characters become must itself be there.
        for c in SUBSTITUTES
            .iter()
            .flat_map(|(_, drawn)| drawn.chars())
            .chain(REPLACEMENT.chars())
        {
            charmap.map(c)?;
        }
        Some(Self {
            font,
            charmap,
            metrics: font_ref.glyph_metrics(Size::unscaled(), LocationRef::default()),
            units_per_em,
        })
    }

    /// The glyph of `c` and its advance in em; `None` if the font has no glyph for it.
    fn glyph(&self, c: char) -> Option<(GlyphId, f32)> {
        let id = self.charmap.map(c)?;
        let advance = self.metrics.advance_width(id).unwrap_or(0.0) / self.units_per_em;
        Some((GlyphId::new(id.to_u32()), advance))
    }

    /// `text` as drawn: every break space a plain space (a line break too, unless `keep_newlines`),
    /// invisible and control characters dropped, a character without a glyph replaced by its
    /// spelling out ('₽' by "руб.") or by '?'.
    pub(crate) fn clean(&self, text: &str, keep_newlines: bool) -> String {
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            match c {
                '\n' if keep_newlines => out.push('\n'),
                c if is_break_space(c) => out.push(' '),
                c if is_dropped(c) => {}
                c if self.charmap.map(c).is_some() => out.push(c),
                c => out.push_str(substitute(c).unwrap_or(REPLACEMENT)),
            }
        }
        out
    }

    /// The advance of `c` at `size` pt, in points. `c` must come from a cleaned text.
    fn advance(&self, c: char, size: f32) -> f32 {
        self.glyph(c).map_or(0.0, |(_, advance)| advance * size)
    }

    /// The width of a cleaned `text` at `size` pt, in points.
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.advance(c, size)).sum()
    }

    /// The widest word of a cleaned `text` at `size` pt: the narrowest a column can be without
    /// breaking a word.
    pub(crate) fn widest_word(&self, text: &str, size: f32) -> f32 {
        text.split(is_break_space)
            .map(|word| self.width(word, size))
            .fold(0.0, f32::max)
    }

    /// The widest line of a cleaned `text` at `size` pt if nothing is wrapped.
    pub(crate) fn widest_line(&self, text: &str, size: f32) -> f32 {
        text.split('\n')
            .map(|line| self.width(line, size))
            .fold(0.0, f32::max)
    }

    /// Breaks a cleaned `text` into lines no wider than `max_width` at `size` pt: greedily at
    /// spaces, a word wider than a line by characters, and at every '\n'. An empty text gives no
    /// lines; an empty line between two '\n' stays.
    pub(crate) fn wrap(&self, text: &str, size: f32, max_width: f32) -> Vec<String> {
        let space = self.advance(' ', size);
        let mut lines = Vec::new();
        if text.is_empty() {
            return lines;
        }
        for hard_line in text.split('\n') {
            let mut line = String::new();
            let mut line_width = 0.0;
            for word in hard_line.split(' ').filter(|word| !word.is_empty()) {
                let width = self.width(word, size);
                if !line.is_empty() && line_width + space + width <= max_width {
                    line.push(' ');
                    line.push_str(word);
                    line_width += space + width;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                if width <= max_width {
                    line.push_str(word);
                    line_width = width;
                    continue;
                }
                // Too long for any line: as many characters as fit on each (at least one).
                line_width = 0.0;
                for c in word.chars() {
                    let advance = self.advance(c, size);
                    if !line.is_empty() && line_width + advance > max_width {
                        lines.push(std::mem::take(&mut line));
                        line_width = 0.0;
                    }
                    line.push(c);
                    line_width += advance;
                }
            }
            lines.push(line);
        }
        lines
    }

    /// The glyphs of a cleaned, single-line `text`, positioned by their advances.
    pub(crate) fn glyphs(&self, text: &str) -> Vec<KrillaGlyph> {
        text.char_indices()
            .filter_map(|(at, c)| {
                let (id, advance) = self.glyph(c)?;
                Some(KrillaGlyph::new(
                    id,
                    advance,
                    0.0,
                    0.0,
                    0.0,
                    at..at + c.len_utf8(),
                    None,
                ))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn regular() -> &'static Face {
        faces().expect("the bundled fonts parse").0
    }

    #[test]
    fn both_faces_load_and_cover_russian() {
        let (regular, bold) = faces().expect("the bundled fonts parse");
        let text = "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ абвгдеёжзийклмнопрстуфхцчшщъыьэюя № § «» „“ \
                    – — − · … ° ± × ≤ ≥ ² ³ € $ ©";
        assert_eq!(regular.clean(text, false), text);
        assert_eq!(bold.clean(text, false), text);
    }

    #[test]
    fn clean_replaces_what_the_font_lacks_and_drops_the_invisible() {
        let face = regular();
        assert_eq!(face.clean("a\u{1F600}b\u{4e2d}c✓", false), "a?b?c?");
        assert_eq!(
            face.clean("100 ₽, 20 ℃, 7\u{2011}12", false),
            "100 руб., 20 °C, 7-12"
        );
        assert_eq!(face.clean("пере\u{ad}нос\u{200b}\u{7}", false), "перенос");
        assert_eq!(face.clean("a\tb\nc\r\nd", false), "a b c  d");
        assert_eq!(face.clean("a\nb", true), "a\nb");
        assert_eq!(face.clean("100\u{a0}000", false), "100\u{a0}000");
    }

    #[test]
    fn wrap_fits_keeps_words_and_breaks_long_tokens() {
        let face = regular();
        let text = face.clean(
            "Инспектор установил нарушение требований пожарной безопасности, \
             https://example.invalid/очень/длинная/ссылка/без/пробелов/которая/не/влезает/в/строку \
             и\u{a0}так\u{a0}далее",
            false,
        );
        let max = 120.0;
        let lines = face.wrap(&text, 10.0, max);
        assert!(lines.len() > 3);
        for line in &lines {
            assert!(face.width(line, 10.0) <= max + 1e-3, "{line:?} is too wide");
        }
        // Nothing lost: the words come back, the long token glued from its pieces.
        let joined: String = lines.concat();
        let expected: String = text.split(' ').collect();
        assert_eq!(joined.replace(' ', ""), expected);
        // A no-break space does not break.
        assert!(
            lines
                .iter()
                .any(|line| line.contains("и\u{a0}так\u{a0}далее"))
        );
    }

    #[test]
    fn wrap_edge_cases() {
        let face = regular();
        assert!(face.wrap("", 10.0, 100.0).is_empty());
        assert_eq!(face.wrap("   ", 10.0, 100.0), vec![String::new()]);
        assert_eq!(face.wrap("a\n\nb", 10.0, 100.0), vec!["a", "", "b"]);
        // A column narrower than one glyph still makes progress, one character a line.
        assert_eq!(face.wrap("абв", 10.0, 0.5), vec!["а", "б", "в"]);
    }

    #[test]
    fn glyphs_advance_as_measured() {
        let face = regular();
        let text = "Акт № 12 «Ромашка»";
        let advance: f32 = face.glyphs(text).iter().map(|g| g.x_advance * 10.0).sum();
        assert!((advance - face.width(text, 10.0)).abs() < 1e-3);
    }
}
