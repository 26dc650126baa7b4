//! What pull brings for offline work: assignments, checklists, calendar years. The sync client
//! writes them; the screens read them. Bodies are kept as pulled (JSON), so a newer server's
//! extra fields survive.

use knd_shared::InspectionId;
use knd_shared::record::Timestamp;
use rusqlite::{Connection, OptionalExtension as _, params};
use serde_json::Value;

use super::{Store, StoreError, StoreResult};

fn json(v: &Value) -> StoreResult<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn parse(s: &str) -> StoreResult<Value> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(e.to_string()))
}

impl Store {
    /// Stores (or replaces) an assignment as pulled.
    pub fn put_assignment(&mut self, inspection: InspectionId, body: &Value) -> StoreResult<()> {
        upsert_assignment(&self.conn, inspection, body)
    }

    /// Removes an assignment the server no longer gives this inspector. Records already signed
    /// for it stay.
    pub fn remove_assignment(&mut self, inspection: InspectionId) -> StoreResult<()> {
        self.conn.execute(
            "DELETE FROM assignments WHERE inspection = ?1",
            [inspection.to_string()],
        )?;
        Ok(())
    }

    /// An assignment as pulled.
    pub fn assignment(&self, inspection: InspectionId) -> StoreResult<Option<Value>> {
        let body: Option<String> = self
            .conn
            .prepare_cached("SELECT body FROM assignments WHERE inspection = ?1")?
            .query_row([inspection.to_string()], |r| r.get(0))
            .optional()?;
        body.as_deref().map(parse).transpose()
    }

    /// All assignments, by inspection id.
    pub fn assignments(&self) -> StoreResult<Vec<(String, Value)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT inspection, body FROM assignments ORDER BY inspection")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, body) = row?;
            out.push((id, parse(&body)?));
        }
        Ok(out)
    }

    /// Stores (or replaces) a checklist as pulled.
    pub fn put_checklist(&mut self, id: &str, body: &Value) -> StoreResult<()> {
        upsert_checklist(&self.conn, id, body)
    }

    /// A checklist as pulled.
    pub fn checklist(&self, id: &str) -> StoreResult<Option<Value>> {
        let body: Option<String> = self
            .conn
            .query_row("SELECT body FROM checklists WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?;
        body.as_deref().map(parse).transpose()
    }

    /// Stores (or replaces) a production calendar year (the JSON knd-shared's calendar reads).
    pub fn put_calendar_year(&mut self, year: i32, body: &str) -> StoreResult<()> {
        upsert_calendar_year(&self.conn, year, body)
    }

    /// The calendar years held offline, in order.
    pub fn calendar_years(&self) -> StoreResult<Vec<(i32, String)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT year, body FROM calendar_years ORDER BY year")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// The writes of pulled data, on a connection or inside a transaction (a pull page's).
pub(super) fn upsert_assignment(
    conn: &Connection,
    inspection: InspectionId,
    body: &Value,
) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO assignments (inspection, body, pulled_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (inspection) DO UPDATE SET body = excluded.body, pulled_at = excluded.pulled_at",
    )?
    .execute(params![inspection.to_string(), json(body)?, Timestamp::now().to_string()])?;
    Ok(())
}

pub(super) fn upsert_checklist(conn: &Connection, id: &str, body: &Value) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO checklists (id, body, pulled_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (id) DO UPDATE SET body = excluded.body, pulled_at = excluded.pulled_at",
    )?
    .execute(params![id, json(body)?, Timestamp::now().to_string()])?;
    Ok(())
}

pub(super) fn upsert_calendar_year(conn: &Connection, year: i32, body: &str) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO calendar_years (year, body, pulled_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (year) DO UPDATE SET body = excluded.body, pulled_at = excluded.pulled_at",
    )?
    .execute(params![year, body, Timestamp::now().to_string()])?;
    Ok(())
}
