-- Field data: the object's activity attributes and risk decision, inspections (КНМ) with their
-- assignment and status history, the per-inspector change feed that pull pages through, blobs,
-- and the projections of accepted records. SQLite dialect.

ALTER TABLE control_objects ADD COLUMN attributes TEXT NOT NULL DEFAULT '{}';
-- The date and reason of the decision that assigned the current risk category (ч.1 ст.23).
ALTER TABLE control_objects ADD COLUMN risk_decided_on TEXT;
ALTER TABLE control_objects ADD COLUMN risk_reason TEXT;
CREATE INDEX control_objects_by_subject ON control_objects (subject_id);

CREATE TABLE inspections (
    id               TEXT PRIMARY KEY,
    agency_id        TEXT NOT NULL REFERENCES agencies (id),
    kind             TEXT NOT NULL,
    basis            TEXT NOT NULL CHECK (basis IN ('planned', 'unplanned')),
    subject_id       TEXT NOT NULL REFERENCES subjects (id),
    control_type_id  TEXT NOT NULL REFERENCES control_types (id),
    checklist_id     TEXT REFERENCES checklists (id),
    starts_on        TEXT NOT NULL,
    ends_on          TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN
                       ('draft', 'scheduled', 'in_progress', 'completed', 'closed', 'cancelled')),
    note             TEXT NOT NULL DEFAULT '',
    created_by       TEXT REFERENCES users (id),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX inspections_by_agency ON inspections (agency_id, starts_on, id);
CREATE INDEX inspections_by_subject ON inspections (subject_id);

CREATE TABLE inspection_objects (
    inspection_id  TEXT NOT NULL REFERENCES inspections (id),
    object_id      TEXT NOT NULL REFERENCES control_objects (id),
    PRIMARY KEY (inspection_id, object_id)
);
CREATE INDEX inspection_objects_by_object ON inspection_objects (object_id);

-- Assignment history: a row per period an inspector was assigned (unassigned_at NULL: still is).
CREATE TABLE inspection_assignments (
    inspection_id  TEXT NOT NULL REFERENCES inspections (id),
    user_id        TEXT NOT NULL REFERENCES users (id),
    assigned_at    TEXT NOT NULL,
    unassigned_at  TEXT
);
CREATE INDEX inspection_assignments_by_inspection ON inspection_assignments (inspection_id);
CREATE INDEX inspection_assignments_by_user ON inspection_assignments (user_id, inspection_id);

-- Status history, so a record can be judged against the state when it arrived.
CREATE TABLE inspection_status_log (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    inspection_id  TEXT NOT NULL REFERENCES inspections (id),
    status         TEXT NOT NULL,
    at             TEXT NOT NULL
);
CREATE INDEX inspection_status_log_by_inspection ON inspection_status_log (inspection_id, id);

-- The change feed: one row per inspector an inspection change concerns (user_id), or one row for
-- the whole agency (user_id NULL: reference data, calendar). Pull pages through it by id.
CREATE TABLE changes (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    agency_id      TEXT NOT NULL REFERENCES agencies (id),
    user_id        TEXT REFERENCES users (id),
    inspection_id  TEXT,
    what           TEXT NOT NULL,
    at             TEXT NOT NULL
);
CREATE INDEX changes_by_user ON changes (user_id, id);
CREATE INDEX changes_by_agency ON changes (agency_id, id);
-- Changes below `floor` were pruned: a cursor under it gets a snapshot.
CREATE TABLE change_feed (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    floor  INTEGER NOT NULL
);
INSERT INTO change_feed (id, floor) VALUES (1, 0);

-- Content-addressed blobs (photos); the bytes live in the object store under their SHA-256.
CREATE TABLE blobs (
    sha256     BLOB PRIMARY KEY,
    size       INTEGER NOT NULL,
    mime       TEXT NOT NULL,
    stored_at  TEXT NOT NULL
);
-- Which agencies' devices uploaded a blob (they may read it back).
CREATE TABLE blob_uploads (
    sha256     BLOB NOT NULL REFERENCES blobs (sha256),
    agency_id  TEXT NOT NULL REFERENCES agencies (id),
    device_id  TEXT NOT NULL REFERENCES devices (id),
    at         TEXT NOT NULL,
    PRIMARY KEY (sha256, agency_id)
);

-- Projections: accepted records as domain rows. Everything below is rebuilt from `records` by
-- `knd-server rebuild-projections`; nothing else writes it.
CREATE TABLE projection_state (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    -- The log index below which every record has been projected.
    upto   INTEGER NOT NULL
);
INSERT INTO projection_state (id, upto) VALUES (1, 0);

CREATE TABLE proj_inspections (
    inspection_id    TEXT PRIMARY KEY,
    started_record   TEXT,
    started_at       TEXT,
    finished_record  TEXT,
    finished_at      TEXT
);

CREATE TABLE proj_findings (
    record_id      TEXT PRIMARY KEY,
    inspection_id  TEXT NOT NULL,
    item           TEXT NOT NULL,
    result         TEXT NOT NULL,
    note           TEXT,
    photos         TEXT NOT NULL,
    device_id      TEXT NOT NULL,
    at             TEXT NOT NULL,
    -- The latest correction applied over this record, if any.
    corrected_by   TEXT
);
CREATE INDEX proj_findings_by_inspection ON proj_findings (inspection_id, item);

CREATE TABLE proj_photos (
    record_id      TEXT PRIMARY KEY,
    inspection_id  TEXT NOT NULL,
    sha256         BLOB NOT NULL,
    agency_id      TEXT NOT NULL,
    size           INTEGER NOT NULL,
    mime           TEXT NOT NULL,
    taken_at       TEXT,
    lat_e7         INTEGER,
    lon_e7         INTEGER,
    corrected_by   TEXT
);
CREATE INDEX proj_photos_by_sha ON proj_photos (sha256, agency_id);
CREATE INDEX proj_photos_by_inspection ON proj_photos (inspection_id);

CREATE TABLE proj_documents (
    record_id      TEXT PRIMARY KEY,
    kind           TEXT NOT NULL CHECK (kind IN ('warning', 'act', 'order')),
    inspection_id  TEXT,
    subject_inn    TEXT,
    body           TEXT NOT NULL,
    at             TEXT NOT NULL,
    corrected_by   TEXT
);
CREATE INDEX proj_documents_by_inspection ON proj_documents (inspection_id, kind);
CREATE INDEX proj_documents_by_subject ON proj_documents (subject_inn, kind);

-- Records stored but in conflict with the server's state, for a reviewer to decide.
CREATE TABLE review_flags (
    record_id      TEXT NOT NULL,
    reason         TEXT NOT NULL,
    agency_id      TEXT,
    inspection_id  TEXT,
    detail         TEXT NOT NULL,
    PRIMARY KEY (record_id, reason)
);
CREATE INDEX review_flags_by_agency ON review_flags (agency_id, record_id);
