-- KND server schema, PostgreSQL dialect. Append-only: never edit a migration that has shipped.

CREATE TABLE agencies (
    id          UUID PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE users (
    id             UUID PRIMARY KEY,
    agency_id      UUID NOT NULL REFERENCES agencies (id),
    login          TEXT NOT NULL UNIQUE,
    password_hash  TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('admin', 'planner', 'inspector', 'reviewer', 'auditor')),
    created_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX users_by_agency ON users (agency_id, id);

CREATE TABLE sessions (
    token_hash  BYTEA PRIMARY KEY,
    user_id     UUID NOT NULL REFERENCES users (id),
    created_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE api_keys (
    id           UUID PRIMARY KEY,
    subject_inn  TEXT NOT NULL,
    key_hash     BYTEA NOT NULL UNIQUE,
    created_at   TIMESTAMPTZ NOT NULL,
    revoked_at   TIMESTAMPTZ
);

CREATE TABLE enrollment_codes (
    code_hash   BYTEA PRIMARY KEY,
    agency_id   UUID NOT NULL REFERENCES agencies (id),
    user_id     UUID NOT NULL REFERENCES users (id),
    created_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    used_at     TIMESTAMPTZ,
    device_id   UUID
);

CREATE TABLE devices (
    id                 UUID PRIMARY KEY,
    agency_id          UUID REFERENCES agencies (id),
    user_id            UUID REFERENCES users (id),
    name               TEXT NOT NULL,
    public_key         BYTEA NOT NULL,
    token_hash         BYTEA UNIQUE,
    enrolled_at        TIMESTAMPTZ NOT NULL,
    revoked_at         TIMESTAMPTZ,
    last_seen_at       TIMESTAMPTZ,
    head_seq           BIGINT NOT NULL DEFAULT 0,
    head_hash          BYTEA NOT NULL,
    enrollment_record  UUID
);
CREATE INDEX devices_by_agency ON devices (agency_id, id);

CREATE TABLE records (
    id           UUID PRIMARY KEY,
    device_id    UUID NOT NULL REFERENCES devices (id),
    agency_id    UUID REFERENCES agencies (id),
    seq          BIGINT NOT NULL,
    hash         BYTEA NOT NULL UNIQUE,
    kind         TEXT NOT NULL,
    at           TIMESTAMPTZ NOT NULL,
    received_at  TIMESTAMPTZ NOT NULL,
    log_index    BIGINT NOT NULL UNIQUE,
    bytes        BYTEA NOT NULL,
    receipt      BYTEA NOT NULL,
    UNIQUE (device_id, seq)
);

CREATE TABLE log_hashes (
    idx   BIGINT PRIMARY KEY,
    hash  BYTEA NOT NULL
);

CREATE TABLE log_state (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    size  BIGINT NOT NULL
);
INSERT INTO log_state (id, size) VALUES (1, 0);

CREATE TABLE server_identity (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    device_id   UUID NOT NULL REFERENCES devices (id),
    public_key  BYTEA NOT NULL,
    log_origin  TEXT NOT NULL
);

CREATE TABLE audit_log (
    id         BIGSERIAL PRIMARY KEY,
    at         TIMESTAMPTZ NOT NULL,
    agency_id  UUID,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    target     TEXT,
    outcome    TEXT NOT NULL,
    detail     TEXT,
    address    TEXT
);
CREATE INDEX audit_by_agency ON audit_log (agency_id, id);
