-- On-site interaction under way (ст.73 248-FZ limits a field check's interaction to 50 hours
-- for a small enterprise, 15 for a micro enterprise). The start of the interval the inspector is
-- in now is kept here, unsigned, until the inspector stops it: then the whole interval is signed
-- as an `interaction` record and this row is deleted, in one transaction. Append-only like every
-- migration.
CREATE TABLE open_interactions (
    inspection TEXT PRIMARY KEY,
    -- RFC 3339 UTC with milliseconds, the device clock (as a record's `at`).
    started_at TEXT NOT NULL,
    -- The controlled person's INN when the measure concerns several (a raid).
    subject    TEXT
);
