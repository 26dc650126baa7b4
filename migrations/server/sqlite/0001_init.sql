-- KND server schema, SQLite dialect. Append-only: never edit a migration that has shipped.
-- Ids are UUID text, times RFC 3339 UTC text, hashes and keys raw bytes.

CREATE TABLE agencies (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    agency_id      TEXT NOT NULL REFERENCES agencies (id),
    login          TEXT NOT NULL UNIQUE,
    password_hash  TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('admin', 'planner', 'inspector', 'reviewer', 'auditor')),
    created_at     TEXT NOT NULL
);
CREATE INDEX users_by_agency ON users (agency_id, id);

CREATE TABLE sessions (
    token_hash  BLOB PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id),
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);

CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    subject_inn  TEXT NOT NULL,
    key_hash     BLOB NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    revoked_at   TEXT
);

CREATE TABLE enrollment_codes (
    code_hash   BLOB PRIMARY KEY,
    agency_id   TEXT NOT NULL REFERENCES agencies (id),
    user_id     TEXT NOT NULL REFERENCES users (id),
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT,
    device_id   TEXT
);

-- Field devices, and the server's own chain (agency_id and token_hash are NULL for it).
CREATE TABLE devices (
    id                 TEXT PRIMARY KEY,
    agency_id          TEXT REFERENCES agencies (id),
    user_id            TEXT REFERENCES users (id),
    name               TEXT NOT NULL,
    public_key         BLOB NOT NULL,
    token_hash         BLOB UNIQUE,
    enrolled_at        TEXT NOT NULL,
    revoked_at         TEXT,
    last_seen_at       TEXT,
    head_seq           INTEGER NOT NULL DEFAULT 0,
    head_hash          BLOB NOT NULL,
    enrollment_record  TEXT
);
CREATE INDEX devices_by_agency ON devices (agency_id, id);

-- Every accepted record, exactly as received, with its receipt and its transparency-log leaf.
CREATE TABLE records (
    id           TEXT PRIMARY KEY,
    device_id    TEXT NOT NULL REFERENCES devices (id),
    agency_id    TEXT REFERENCES agencies (id),
    seq          INTEGER NOT NULL,
    hash         BLOB NOT NULL UNIQUE,
    kind         TEXT NOT NULL,
    at           TEXT NOT NULL,
    received_at  TEXT NOT NULL,
    log_index    INTEGER NOT NULL UNIQUE,
    bytes        BLOB NOT NULL,
    receipt      BLOB NOT NULL,
    UNIQUE (device_id, seq)
);

-- RFC 6962 tree, stored-hash layout of Go's tlog: one row per completed subtree.
CREATE TABLE log_hashes (
    idx   INTEGER PRIMARY KEY,
    hash  BLOB NOT NULL
);

CREATE TABLE log_state (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    size  INTEGER NOT NULL
);
INSERT INTO log_state (id, size) VALUES (1, 0);

CREATE TABLE server_identity (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    device_id   TEXT NOT NULL REFERENCES devices (id),
    public_key  BLOB NOT NULL,
    log_origin  TEXT NOT NULL
);

CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         TEXT NOT NULL,
    agency_id  TEXT,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    target     TEXT,
    outcome    TEXT NOT NULL,
    detail     TEXT,
    address    TEXT
);
CREATE INDEX audit_by_agency ON audit_log (agency_id, id);
