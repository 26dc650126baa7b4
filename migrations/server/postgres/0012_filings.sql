-- What controlled persons file (objections to warnings, pre-trial appeals, self-assessments,
-- declarations of compliance) and the agency's steps
-- on them. Each filing and each step is attested by a record of the server's chain (`record_id`),
-- so the filer can prove what was filed and decided, and when.
CREATE TABLE filings (
    id                 UUID PRIMARY KEY,
    agency_id          UUID NOT NULL REFERENCES agencies (id),
    subject_inn        TEXT NOT NULL,
    api_key_id         UUID NOT NULL REFERENCES api_keys (id),
    kind               TEXT NOT NULL CHECK (kind IN ('objection', 'appeal', 'self_assessment', 'declaration')),
    -- What the filing is about: a warning, act or order (a record), an inspection (the decision
    -- to hold it, officials' actions), or an earlier appeal.
    target_record      UUID,
    target_inspection  UUID,
    target_filing      UUID REFERENCES filings (id),
    body               TEXT NOT NULL,
    content_sha256     BYTEA NOT NULL,
    record_id          UUID NOT NULL,
    received_at        TIMESTAMPTZ NOT NULL,
    received_on        DATE NOT NULL,
    -- Derived from the filing and its steps, kept for the inbox: the status and the first day
    -- something is owed by (NULL when nothing is).
    status             TEXT NOT NULL,
    due_on             DATE,
    steps              BIGINT NOT NULL DEFAULT 0,
    updated_at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX filings_due ON filings (agency_id, kind, due_on, id) WHERE due_on IS NOT NULL;
CREATE INDEX filings_by_status ON filings (agency_id, kind, status, id);
CREATE INDEX filings_by_subject ON filings (subject_inn, id);
CREATE INDEX filings_by_record ON filings (record_id);
CREATE INDEX filings_by_target ON filings (target_record) WHERE target_record IS NOT NULL;

CREATE TABLE filing_steps (
    filing_id  UUID NOT NULL REFERENCES filings (id),
    seq        BIGINT NOT NULL,
    step       TEXT NOT NULL,
    -- NULL: the filer's own step (a withdrawal, an answer).
    by_user    UUID REFERENCES users (id),
    at         TIMESTAMPTZ NOT NULL,
    record_id  UUID NOT NULL,
    PRIMARY KEY (filing_id, seq)
);
CREATE INDEX filing_steps_by_record ON filing_steps (record_id);

-- A business's Idempotency-Key: what the first request with it created, and the request's hash
-- (the same key with another request is refused). Written in the transaction that creates.
CREATE TABLE idempotency_keys (
    api_key_id      UUID NOT NULL REFERENCES api_keys (id),
    key             TEXT NOT NULL,
    request_sha256  BYTEA NOT NULL,
    filing_id       UUID NOT NULL REFERENCES filings (id),
    step_seq        BIGINT,
    created_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (api_key_id, key)
);

-- The business's event feed: every status change of its filings (in the transaction of the
-- change, which also appends to the log, so ids grow in commit order).
CREATE TABLE business_events (
    id           BIGSERIAL PRIMARY KEY,
    subject_inn  TEXT NOT NULL,
    kind         TEXT NOT NULL,
    filing_id    UUID,
    record_id    UUID,
    at           TIMESTAMPTZ NOT NULL,
    data         TEXT NOT NULL
);
CREATE INDEX business_events_by_subject ON business_events (subject_inn, id);
CREATE INDEX business_events_by_record ON business_events (record_id);
