-- Mandatory requirements of a control type, and its checklists (ПП 1844) whose items refer to
-- them. PostgreSQL dialect.

CREATE TABLE requirements (
    id               UUID PRIMARY KEY,
    control_type_id  UUID NOT NULL REFERENCES control_types (id),
    code             TEXT NOT NULL,
    text             TEXT NOT NULL,
    legal_act        TEXT NOT NULL,
    article          TEXT NOT NULL,
    UNIQUE (control_type_id, code)
);

CREATE TABLE checklists (
    id               UUID PRIMARY KEY,
    control_type_id  UUID NOT NULL REFERENCES control_types (id),
    code             TEXT NOT NULL,
    name             TEXT NOT NULL,
    UNIQUE (control_type_id, code)
);

CREATE TABLE checklist_items (
    checklist_id    UUID NOT NULL REFERENCES checklists (id),
    position        INTEGER NOT NULL,
    code            TEXT NOT NULL,
    requirement_id  UUID NOT NULL REFERENCES requirements (id),
    question        TEXT NOT NULL,
    PRIMARY KEY (checklist_id, position),
    UNIQUE (checklist_id, code)
);
