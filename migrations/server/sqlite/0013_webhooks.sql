-- Webhooks a business registers per API key: its events (business_events of its subject) are
-- POSTed in order, signed with the server's key (Standard Webhooks, v1a). `delivered_upto` is
-- the last event handled (delivered, or given up after the last retry); a failed attempt sets
-- `next_attempt_at` by the backoff schedule. Every attempt is logged.
CREATE TABLE webhooks (
    id               TEXT PRIMARY KEY,
    api_key_id       TEXT NOT NULL REFERENCES api_keys (id),
    subject_inn      TEXT NOT NULL,
    url              TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    disabled_at      TEXT,
    delivered_upto   INTEGER NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT
);
CREATE INDEX webhooks_by_key ON webhooks (api_key_id, id);
CREATE INDEX webhooks_active ON webhooks (subject_inn) WHERE disabled_at IS NULL;

CREATE TABLE webhook_deliveries (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook_id   TEXT NOT NULL REFERENCES webhooks (id),
    event_id     INTEGER NOT NULL,
    attempt      INTEGER NOT NULL,
    at           TEXT NOT NULL,
    -- `delivered`, `retry` (tried again at `next_attempt_at`), `given_up`.
    outcome      TEXT NOT NULL,
    http_status  INTEGER,
    error        TEXT,
    duration_ms  INTEGER NOT NULL
);
CREATE INDEX webhook_deliveries_by_hook ON webhook_deliveries (webhook_id, id);
