-- A rebuilt draft supersedes the previous one in the transaction that stores it; the old draft's
-- entries are deleted afterwards in small batches, so storing a plan of 150,000 entries does not
-- also wait on deleting the previous 150,000. Only a plan not superseded holds its year and kind.
-- SQLite cannot drop a table's UNIQUE constraint: the table is rebuilt (foreign keys are off
-- while migrations run and checked after them, as SQLite's documented procedure asks).
CREATE TABLE plans_new (
    id             TEXT PRIMARY KEY,
    agency_id      TEXT NOT NULL REFERENCES agencies (id),
    year           INTEGER NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('inspections', 'visits')),
    status         TEXT NOT NULL CHECK (status IN ('draft', 'sent', 'approved', 'published')),
    version        INTEGER NOT NULL,
    summary        TEXT NOT NULL,
    built_by       TEXT REFERENCES users (id),
    built_at       TEXT NOT NULL,
    sent_on        TEXT,
    approved_on    TEXT,
    approved_by    TEXT,
    published_on   TEXT,
    record_id      TEXT,
    superseded_at  TEXT
);
INSERT INTO plans_new (id, agency_id, year, kind, status, version, summary, built_by, built_at,
                       sent_on, approved_on, approved_by, published_on, record_id)
SELECT id, agency_id, year, kind, status, version, summary, built_by, built_at,
       sent_on, approved_on, approved_by, published_on, record_id FROM plans;
DROP TABLE plans;
ALTER TABLE plans_new RENAME TO plans;
CREATE UNIQUE INDEX plans_current ON plans (agency_id, year, kind) WHERE superseded_at IS NULL;
CREATE INDEX plans_superseded ON plans (superseded_at) WHERE superseded_at IS NOT NULL;
