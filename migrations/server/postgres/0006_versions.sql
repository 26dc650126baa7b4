-- A corrected finding, photo or document is no longer rewritten in place: every version is a row
-- of its own, holding one record's id, time and content (the original, then each correction,
-- with the record it supersedes and the correction's reason), and the row it replaces names its
-- successor. Photos carry the warnings their device showed the inspector, and their time.
--
-- Projections are a function of the records, so the tables are recreated empty and the
-- projector replays the log from the start when the server starts. Records below
-- `replay_below` were projected before: replaying them rebuilds rows and flags but moves no
-- inspection along again (those moves were made, or refused, when they arrived). PostgreSQL dialect.

DROP TABLE proj_findings;
CREATE TABLE proj_findings (
    record_id      UUID PRIMARY KEY,
    inspection_id  UUID NOT NULL,
    item           TEXT NOT NULL,
    result         TEXT NOT NULL,
    note           TEXT,
    photos         TEXT NOT NULL,
    device_id      UUID NOT NULL,
    at             TEXT NOT NULL,
    -- The record this one corrects (NULL: an original finding) and the correction's reason.
    supersedes     UUID,
    reason         TEXT,
    -- The later correction that replaces this version (NULL: the current answer).
    superseded_by  UUID
);
CREATE INDEX proj_findings_by_inspection ON proj_findings (inspection_id, item);

DROP TABLE proj_photos;
CREATE TABLE proj_photos (
    record_id      UUID PRIMARY KEY,
    inspection_id  UUID NOT NULL,
    sha256         BYTEA NOT NULL,
    agency_id      UUID NOT NULL,
    size           BIGINT NOT NULL,
    mime           TEXT NOT NULL,
    taken_at       TEXT,
    lat_e7         BIGINT,
    lon_e7         BIGINT,
    -- The device's warnings as signed (a JSON array).
    warnings       TEXT NOT NULL,
    at             TEXT NOT NULL,
    supersedes     UUID,
    reason         TEXT,
    superseded_by  UUID
);
CREATE INDEX proj_photos_by_sha ON proj_photos (sha256, agency_id);
CREATE INDEX proj_photos_by_inspection ON proj_photos (inspection_id);

DROP TABLE proj_documents;
CREATE TABLE proj_documents (
    record_id      UUID PRIMARY KEY,
    kind           TEXT NOT NULL CHECK (kind IN ('warning', 'act', 'order', 'interaction')),
    inspection_id  UUID,
    subject_inn    TEXT,
    body           TEXT NOT NULL,
    at             TEXT NOT NULL,
    supersedes     UUID,
    reason         TEXT,
    superseded_by  UUID
);
CREATE INDEX proj_documents_by_inspection ON proj_documents (inspection_id, kind);
CREATE INDEX proj_documents_by_subject ON proj_documents (subject_inn, kind);

DELETE FROM proj_inspections;
DELETE FROM review_flags;
ALTER TABLE projection_state ADD COLUMN replay_below BIGINT NOT NULL DEFAULT 0;
UPDATE projection_state SET replay_below = upto, upto = 0;
