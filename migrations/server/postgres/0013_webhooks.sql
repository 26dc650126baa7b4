-- Webhooks a business registers per API key: its events (business_events of its subject) are
-- POSTed in order, signed with the server's key (Standard Webhooks, v1a). `delivered_upto` is
-- the last event handled (delivered, or given up after the last retry); a failed attempt sets
-- `next_attempt_at` by the backoff schedule. Every attempt is logged.
CREATE TABLE webhooks (
    id               UUID PRIMARY KEY,
    api_key_id       UUID NOT NULL REFERENCES api_keys (id),
    subject_inn      TEXT NOT NULL,
    url              TEXT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    disabled_at      TIMESTAMPTZ,
    delivered_upto   BIGINT NOT NULL,
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMPTZ
);
CREATE INDEX webhooks_by_key ON webhooks (api_key_id, id);
CREATE INDEX webhooks_active ON webhooks (subject_inn) WHERE disabled_at IS NULL;

CREATE TABLE webhook_deliveries (
    id           BIGSERIAL PRIMARY KEY,
    webhook_id   UUID NOT NULL REFERENCES webhooks (id),
    event_id     BIGINT NOT NULL,
    attempt      BIGINT NOT NULL,
    at           TIMESTAMPTZ NOT NULL,
    -- `delivered`, `retry` (tried again at `next_attempt_at`), `given_up`.
    outcome      TEXT NOT NULL,
    http_status  BIGINT,
    error        TEXT,
    duration_ms  BIGINT NOT NULL
);
CREATE INDEX webhook_deliveries_by_hook ON webhook_deliveries (webhook_id, id);
