-- Risk-scored planning (ст.23-25 248-FZ, ПП 1511): the events the risk model and the indicators
-- count, triggered indicators, category proposals and their decisions, versions of a control
-- type's rules, inspector absences, agency planning settings, and annual plans with their
-- entries and amendments. PostgreSQL dialect.

-- What happened to an object: a complaint confirmed, a sensor over its limit, an order issued
-- (due_on: its deadline) or fulfilled (passed: on time), a violation found, a planned
-- inspection or preventive visit held (passed: the visit counts towards ПП 1511's periodicity),
-- a self-assessment (passed: it reached the threshold), a declaration (due_on: valid until), a
-- notice of starting activity. `source` names where it came from (a record id, an import, a
-- console user), unique per object and kind so deriving events twice adds nothing.
CREATE TABLE risk_events (
    id           UUID PRIMARY KEY,
    agency_id    UUID NOT NULL REFERENCES agencies (id),
    object_id    UUID NOT NULL REFERENCES control_objects (id),
    kind         TEXT NOT NULL CHECK (kind IN ('complaint_confirmed', 'sensor_exceedance',
                   'order_overdue', 'violation_found', 'order_issued', 'order_fulfilled',
                   'planned_inspection', 'preventive_visit', 'self_assessment', 'declaration',
                   'activity_notice')),
    occurred_on  DATE NOT NULL,
    due_on       DATE,
    passed       BOOLEAN,
    source       TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    recorded_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (object_id, kind, source)
);
CREATE INDEX risk_events_by_object ON risk_events (object_id, kind, occurred_on);
CREATE INDEX risk_events_by_agency ON risk_events (agency_id, recorded_at);

-- A risk indicator that fired for an object: its rule, the day, and the events it counted.
CREATE TABLE indicator_triggers (
    id               UUID PRIMARY KEY,
    agency_id        UUID NOT NULL REFERENCES agencies (id),
    object_id        UUID NOT NULL REFERENCES control_objects (id),
    control_type_id  UUID NOT NULL REFERENCES control_types (id),
    rule_code        TEXT NOT NULL,
    rule_name        TEXT NOT NULL,
    triggered_on     DATE NOT NULL,
    evidence         TEXT NOT NULL,
    recorded_at      TIMESTAMPTZ NOT NULL,
    -- The unplanned inspection (ground п.1 ч.1 ст.57) a planner opened from it.
    inspection_id    UUID REFERENCES inspections (id),
    UNIQUE (object_id, rule_code, triggered_on)
);
CREATE INDEX indicator_triggers_by_agency ON indicator_triggers (agency_id, triggered_on, id);

-- A category the model proposes for an object, with its explanation; decided within 5 working
-- days (ст.24) by a planner: confirmed (a server-signed record, `record_id`) or rejected.
CREATE TABLE category_proposals (
    id               UUID PRIMARY KEY,
    agency_id        UUID NOT NULL REFERENCES agencies (id),
    object_id        UUID NOT NULL REFERENCES control_objects (id),
    control_type_id  UUID NOT NULL REFERENCES control_types (id),
    current_category TEXT,
    proposed         TEXT NOT NULL,
    explanation      TEXT NOT NULL,
    proposed_on      DATE NOT NULL,
    due_on           DATE NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'rejected', 'superseded')),
    decided_by       UUID REFERENCES users (id),
    decided_at       TIMESTAMPTZ,
    reason           TEXT,
    record_id        UUID
);
CREATE UNIQUE INDEX category_proposals_one_pending ON category_proposals (object_id) WHERE status = 'pending';
CREATE INDEX category_proposals_by_agency ON category_proposals (agency_id, status, due_on, id);

-- Every version of a control type's rules (the risk model, indicators, planning policy among
-- them): who changed them, when and why.
CREATE TABLE control_type_versions (
    control_type_id  UUID NOT NULL REFERENCES control_types (id),
    version          INTEGER NOT NULL,
    rules            TEXT NOT NULL,
    -- Who, as the audit log names them (a user, the operator, a demo seed).
    changed_by       TEXT NOT NULL,
    changed_at       TIMESTAMPTZ NOT NULL,
    reason           TEXT NOT NULL,
    PRIMARY KEY (control_type_id, version)
);

-- Days an inspector is away (leave, training, sickness): no plan load on them.
CREATE TABLE inspector_absences (
    user_id  UUID NOT NULL REFERENCES users (id),
    day      DATE NOT NULL,
    reason   TEXT NOT NULL,
    PRIMARY KEY (user_id, day)
);

-- The agency's planning settings: travel per district, an inspector's working minutes a day.
CREATE TABLE planning_settings (
    agency_id   UUID PRIMARY KEY REFERENCES agencies (id),
    settings    TEXT NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);

-- An annual plan: of planned inspections or of mandatory preventive visits. A draft is rebuilt
-- at will; from its approval on, every change is an amendment (a new version).
CREATE TABLE plans (
    id            UUID PRIMARY KEY,
    agency_id     UUID NOT NULL REFERENCES agencies (id),
    year          INTEGER NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('inspections', 'visits')),
    status        TEXT NOT NULL CHECK (status IN ('draft', 'sent', 'approved', 'published')),
    version       INTEGER NOT NULL,
    summary       TEXT NOT NULL,
    built_by      UUID REFERENCES users (id),
    built_at      TIMESTAMPTZ NOT NULL,
    sent_on       DATE,
    approved_on   DATE,
    approved_by   TEXT,
    published_on  DATE,
    record_id     UUID,
    UNIQUE (agency_id, year, kind)
);

CREATE TABLE plan_entries (
    plan_id          UUID NOT NULL REFERENCES plans (id),
    entry_no         INTEGER NOT NULL,
    subject_id       UUID NOT NULL REFERENCES subjects (id),
    control_type_id  UUID NOT NULL REFERENCES control_types (id),
    objects          TEXT NOT NULL,
    category         TEXT NOT NULL,
    kind             TEXT NOT NULL,
    district         TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('planned', 'left_out', 'removed')),
    starts_on        DATE,
    ends_on          DATE,
    inspectors       TEXT NOT NULL,
    why              TEXT NOT NULL,
    inspection_id    UUID REFERENCES inspections (id),
    PRIMARY KEY (plan_id, entry_no)
);
CREATE INDEX plan_entries_by_start ON plan_entries (plan_id, status, starts_on, entry_no);

CREATE TABLE plan_amendments (
    plan_id    UUID NOT NULL REFERENCES plans (id),
    version    INTEGER NOT NULL,
    entry_no   INTEGER NOT NULL,
    change     TEXT NOT NULL,
    reason     TEXT NOT NULL,
    made_by    UUID REFERENCES users (id),
    made_at    TIMESTAMPTZ NOT NULL,
    record_id  UUID NOT NULL,
    PRIMARY KEY (plan_id, version)
);
