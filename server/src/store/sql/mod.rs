//! SQL both backends run, written once in SQLite's placeholder style (`?1`, `?2`, ...) and
//! adapted once for PostgreSQL (`$1`, `$2`, ...), with the row mapping next to its statements.
//! A backend keeps its own SQL only where the dialects really differ (`FOR UPDATE`, `UNNEST`,
//! `ANY`, `RETURNING` with upserts, `ON CONFLICT` targets); parameters are bound by each backend,
//! because SQLite keeps uuids and times as text and PostgreSQL natively.

use std::sync::OnceLock;

pub(crate) mod accounts;
pub(crate) mod blobs;
pub(crate) mod business_keys;
pub(crate) mod checklists;
pub(crate) mod devices;
// `field`'s and `inspections`' statement fragments (`held!`, `inspection_columns!`) serve
// the modules after them.
#[macro_use]
pub(crate) mod field;
#[macro_use]
pub(crate) mod inspections;
pub(crate) mod facts;
pub(crate) mod filings;
pub(crate) mod planning;
pub(crate) mod projections;
pub(crate) mod pull;
pub(crate) mod records;
pub(crate) mod registry;
pub(crate) mod review;
pub(crate) mod search;
pub(crate) mod users;
pub(crate) mod webhooks;

/// One statement, written once (or once per dialect where they differ).
#[derive(Debug)]
pub(crate) struct Sql {
    sqlite: &'static str,
    /// PostgreSQL's own text, where the dialects differ.
    pg_own: Option<&'static str>,
    /// PostgreSQL's text adapted from SQLite's, computed on first use and kept.
    pg: OnceLock<String>,
}

impl Sql {
    pub(crate) const fn new(sqlite: &'static str) -> Self {
        Sql {
            sqlite,
            pg_own: None,
            pg: OnceLock::new(),
        }
    }

    /// A statement the dialects write differently (e.g. a collation name).
    pub(crate) const fn dialects(sqlite: &'static str, pg: &'static str) -> Self {
        Sql {
            sqlite,
            pg_own: Some(pg),
            pg: OnceLock::new(),
        }
    }

    /// A statement one backend alone runs (in its own placeholder style), kept beside that
    /// backend's code: it goes through the same query helpers, unadapted.
    pub(crate) const fn only(text: &'static str) -> Self {
        Sql {
            sqlite: text,
            pg_own: Some(text),
            pg: OnceLock::new(),
        }
    }

    pub(crate) fn sqlite(&self) -> &'static str {
        self.sqlite
    }

    pub(crate) fn pg(&self) -> &str {
        match self.pg_own {
            Some(pg) => pg,
            None => self.pg.get_or_init(|| dollar_placeholders(self.sqlite)),
        }
    }
}

/// `?N` becomes `$N`. Safe because a `?` inside a quoted literal (`'...'`, `"..."`) is left as
/// it is, and none of our statements has a comment; a bare `?` (SQLite's unnumbered form) has no
/// PostgreSQL equivalent, so it is refused loudly the first time the statement runs (every
/// statement runs in the integration tests on PostgreSQL).
pub(crate) fn dollar_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quote: Option<char> = None;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '?') => {
                assert!(
                    chars.peek().is_some_and(char::is_ascii_digit),
                    "unnumbered placeholder in {sql:?}"
                );
                out.push('$');
                continue;
            }
            (None, _) => {}
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::dollar_placeholders;

    fn check(sqlite: &str, pg: &str) {
        assert_eq!(dollar_placeholders(sqlite), pg);
    }

    #[test]
    fn placeholders_are_renumbered_outside_literals() {
        check("SELECT 1", "SELECT 1");
        check(
            "SELECT a FROM t WHERE b = ?1 AND c = ?12",
            "SELECT a FROM t WHERE b = $1 AND c = $12",
        );
        check("SELECT '?1', ?2", "SELECT '?1', $2");
        check("SELECT 'it''s ?1' || ?1", "SELECT 'it''s ?1' || $1");
        check(
            "SELECT \"odd?1\" FROM t WHERE x = ?3",
            "SELECT \"odd?1\" FROM t WHERE x = $3",
        );
        check(
            "UPDATE t SET v = 'я?' WHERE id = ?1",
            "UPDATE t SET v = 'я?' WHERE id = $1",
        );
    }

    #[test]
    #[should_panic(expected = "unnumbered placeholder")]
    fn a_bare_placeholder_is_refused() {
        dollar_placeholders("SELECT a FROM t WHERE b = ?");
    }
}
