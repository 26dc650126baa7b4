-- Console administration: review resolutions, disabled users, what devices report on sync, and
-- the audit log's filters.

-- A person's decision on a review flag. Kept apart from `review_flags` (which the projector
-- empties and rebuilds), so a rebuild keeps every decision; one per flag (the key).
CREATE TABLE review_resolutions (
    record_id    UUID NOT NULL,
    reason       TEXT NOT NULL,
    agency_id    UUID NOT NULL REFERENCES agencies (id),
    decision     TEXT NOT NULL CHECK (decision IN ('accepted', 'rejected')),
    note         TEXT,
    resolved_by  UUID NOT NULL REFERENCES users (id),
    resolved_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (record_id, reason)
);

-- A disabled user cannot sign in; its sessions were ended when it was disabled.
ALTER TABLE users ADD COLUMN disabled_at TIMESTAMPTZ;

-- What a device said on its last sync call: when, how many records it still held unsent, and
-- how far its clock was from the server's (device time minus server time at arrival).
ALTER TABLE devices ADD COLUMN synced_at TIMESTAMPTZ;
ALTER TABLE devices ADD COLUMN pending_records BIGINT;
ALTER TABLE devices ADD COLUMN clock_skew_ms BIGINT;

-- The audit log filtered by who, what and which object, newest first.
CREATE INDEX audit_by_actor ON audit_log (agency_id, actor, id);
CREATE INDEX audit_by_action ON audit_log (agency_id, action, id);
CREATE INDEX audit_by_target ON audit_log (agency_id, target, id);
CREATE INDEX audit_by_time ON audit_log (agency_id, at, id);
