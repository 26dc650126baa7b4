-- The registry: control types with their rules, subjects (controlled persons) and control
-- objects. SQLite dialect.

CREATE TABLE control_types (
    id          TEXT PRIMARY KEY,
    agency_id   TEXT NOT NULL REFERENCES agencies (id),
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    rules       TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (agency_id, code)
);

CREATE TABLE subjects (
    id          TEXT PRIMARY KEY,
    agency_id   TEXT NOT NULL REFERENCES agencies (id),
    inn         TEXT NOT NULL,
    ogrn        TEXT,
    name        TEXT NOT NULL,
    size_class  TEXT NOT NULL CHECK (size_class IN ('micro', 'small', 'medium', 'large')),
    updated_at  TEXT NOT NULL,
    UNIQUE (agency_id, inn)
);

CREATE TABLE control_objects (
    id               TEXT PRIMARY KEY,
    agency_id        TEXT NOT NULL REFERENCES agencies (id),
    object_key       TEXT NOT NULL,
    subject_id       TEXT NOT NULL REFERENCES subjects (id),
    control_type_id  TEXT NOT NULL REFERENCES control_types (id),
    address          TEXT NOT NULL,
    district         TEXT NOT NULL,
    lat_e7           INTEGER,
    lon_e7           INTEGER,
    risk_category    TEXT CHECK (risk_category IN
                       ('low', 'moderate', 'medium', 'significant', 'high', 'extremely_high')),
    updated_at       TEXT NOT NULL,
    UNIQUE (agency_id, object_key)
);
CREATE INDEX control_objects_by_district ON control_objects (agency_id, district, id);
