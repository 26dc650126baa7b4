//! Cells of CSV files the server writes for people to open in a spreadsheet. Text that a
//! spreadsheet would run as a formula (`=cmd|' /C calc'!A0`, `+`, `-`, `@`, or a tab or carriage
//! return first) gets a leading apostrophe, which spreadsheets show as text (OWASP: CSV
//! injection). Imports keep such text as typed: it is data, and only a spreadsheet makes it
//! dangerous.

use std::borrow::Cow;

/// The cell as a spreadsheet will read it as text.
pub fn cell(text: &str) -> Cow<'_, str> {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{text}")),
        _ => Cow::Borrowed(text),
    }
}

/// A CSV document of `rows` under `header`, every cell neutralised.
pub fn write<'a>(
    header: &[&str],
    rows: impl IntoIterator<Item = Vec<&'a str>>,
) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(header.iter().map(|h| cell(h).into_owned()))?;
    for row in rows {
        out.write_record(row.iter().map(|c| cell(c).into_owned()))?;
    }
    out.into_inner().map_err(|e| e.into_error().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_become_text() {
        assert_eq!(cell("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
        assert_eq!(cell("+7 495 000-00-00"), "'+7 495 000-00-00");
        assert_eq!(cell("-1"), "'-1");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("ООО «Ромашка»"), "ООО «Ромашка»");
        assert_eq!(cell(""), "");
        let csv = write(&["name", "note"], [vec!["=1+1", "ok, fine"]]).unwrap();
        assert_eq!(
            String::from_utf8(csv).unwrap(),
            "name,note\n'=1+1,\"ok, fine\"\n"
        );
    }
}
