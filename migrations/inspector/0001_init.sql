-- The inspector app's device store (one SQLite file per device profile). Append-only: never edit
-- a migration that has shipped; add the next number.

-- The enrolled profile: one row.
CREATE TABLE profile (
    id                INTEGER PRIMARY KEY CHECK (id = 1),
    server_url        TEXT NOT NULL,
    device_id         TEXT NOT NULL,
    device_public_key TEXT NOT NULL,
    server_public_key TEXT NOT NULL,
    log_origin        TEXT NOT NULL,
    device_name       TEXT NOT NULL,
    enrolled_at       TEXT NOT NULL
);

-- The device's signed records: its hash chain. `bytes` are exactly what was signed and is sent;
-- the other columns are read from them for queries. seq is the rowid: dense, unique, in order.
CREATE TABLE records (
    seq         INTEGER PRIMARY KEY CHECK (seq >= 1),
    id          TEXT NOT NULL UNIQUE,
    hash        TEXT NOT NULL UNIQUE,
    prev        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    at          TEXT NOT NULL,
    -- The inspection the record belongs to, if its body names one (for listing).
    inspection  TEXT,
    body        TEXT NOT NULL,
    bytes       BLOB NOT NULL,
    state       TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'receipted')),
    receipt     BLOB,
    log_index   INTEGER,
    received_at TEXT,
    CHECK ((state = 'receipted') = (receipt IS NOT NULL))
);

CREATE INDEX records_by_inspection ON records (inspection, kind, seq) WHERE inspection IS NOT NULL;
CREATE INDEX records_unreceipted ON records (seq) WHERE state <> 'receipted';

-- A signed record is never changed or deleted (ARCHITECTURE.md): only its delivery state moves.
CREATE TRIGGER records_immutable BEFORE UPDATE OF seq, id, hash, prev, kind, at, inspection, body, bytes
ON records
BEGIN
    SELECT RAISE(ABORT, 'signed records are immutable');
END;

CREATE TRIGGER records_never_deleted BEFORE DELETE ON records
BEGIN
    SELECT RAISE(ABORT, 'signed records are never deleted');
END;

-- The outbox: what still has to reach the server, in chain order.
CREATE VIEW outbox AS
    SELECT seq, id, hash, state, bytes FROM records WHERE state <> 'receipted' ORDER BY seq;

-- Assignments pulled from the server (inspection, subject, objects, checklist, history).
CREATE TABLE assignments (
    inspection TEXT PRIMARY KEY,
    body       TEXT NOT NULL,
    pulled_at  TEXT NOT NULL
);

CREATE TABLE checklists (
    id        TEXT PRIMARY KEY,
    body      TEXT NOT NULL,
    pulled_at TEXT NOT NULL
);

-- Production calendar years as knd-shared reads them.
CREATE TABLE calendar_years (
    year      INTEGER PRIMARY KEY,
    body      TEXT NOT NULL,
    pulled_at TEXT NOT NULL
);

-- Photos taken as evidence: the original bytes are a file named by their SHA-256.
CREATE TABLE photos (
    sha256          TEXT PRIMARY KEY,
    inspection      TEXT NOT NULL,
    record_seq      INTEGER NOT NULL REFERENCES records (seq),
    path            TEXT NOT NULL,
    thumbnail_path  TEXT NOT NULL,
    mime            TEXT NOT NULL,
    bytes           INTEGER NOT NULL,
    width           INTEGER NOT NULL,
    height          INTEGER NOT NULL,
    taken_at        TEXT NOT NULL,
    time_source     TEXT NOT NULL CHECK (time_source IN ('exif', 'device')),
    lat_e7          INTEGER,
    lon_e7          INTEGER,
    position_source TEXT CHECK (position_source IN ('exif', 'device')),
    upload_state    TEXT NOT NULL DEFAULT 'pending' CHECK (upload_state IN ('pending', 'uploading', 'uploaded')),
    upload_url      TEXT,
    upload_offset   INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX photos_by_inspection ON photos (inspection);
CREATE INDEX photos_to_upload ON photos (record_seq) WHERE upload_state <> 'uploaded';

-- Sync bookkeeping: one row.
CREATE TABLE sync_state (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    pull_cursor    TEXT,
    last_sync_at   TEXT,
    last_error     TEXT,
    clock_skew_ms  INTEGER
);

INSERT INTO sync_state (id) VALUES (1);
