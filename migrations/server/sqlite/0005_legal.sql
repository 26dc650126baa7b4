-- The law as it stands (248-FZ): the ground of each inspection (ч.1 ст.57) instead of
-- planned/unplanned, the prosecutor's agreement, the ЕРКНМ registration number, the subject's
-- size class as it was when the inspection was created (it bounds interaction time, ст.73), and
-- the further controlled persons of a raid (ст.71).

-- NULL only until the server's start-up step reads the ground of an old unplanned inspection
-- from its note (knd_shared::Ground::from_note), or marks it unspecified.
ALTER TABLE inspections ADD COLUMN ground TEXT CHECK (ground IN
    ('harm_or_risk_indicator', 'plan', 'instruction', 'prosecutor_demand', 'order_deadline',
     'programme_event', 'other', 'unspecified'));
UPDATE inspections SET ground = 'plan' WHERE basis = 'planned';

-- Приказ Генпрокуратуры № 294 of 02.06.2021: the decision's reference and date.
ALTER TABLE inspections ADD COLUMN prosecutor_reference TEXT;
ALTER TABLE inspections ADD COLUMN prosecutor_agreed_on TEXT;
-- ПП 604: the registration number in the unified register of control measures.
ALTER TABLE inspections ADD COLUMN erknm TEXT;
ALTER TABLE inspections ADD COLUMN subject_size TEXT CHECK (subject_size IN ('micro', 'small', 'medium', 'large'));
UPDATE inspections SET subject_size = (SELECT size_class FROM subjects s WHERE s.id = inspections.subject_id);

-- A raid may concern several controlled persons: the others than inspections.subject_id.
CREATE TABLE inspection_subjects (
    inspection_id  TEXT NOT NULL REFERENCES inspections (id),
    subject_id     TEXT NOT NULL REFERENCES subjects (id),
    PRIMARY KEY (inspection_id, subject_id)
);
CREATE INDEX inspection_subjects_by_subject ON inspection_subjects (subject_id);

-- Interaction intervals (ст.73) are projected as documents of their inspection. SQLite cannot
-- alter a CHECK constraint, so the table is rebuilt with the wider one.
CREATE TABLE proj_documents_new (
    record_id      TEXT PRIMARY KEY,
    kind           TEXT NOT NULL CHECK (kind IN ('warning', 'act', 'order', 'interaction')),
    inspection_id  TEXT,
    subject_inn    TEXT,
    body           TEXT NOT NULL,
    at             TEXT NOT NULL,
    corrected_by   TEXT
);
INSERT INTO proj_documents_new SELECT record_id, kind, inspection_id, subject_inn, body, at, corrected_by
    FROM proj_documents;
DROP TABLE proj_documents;
ALTER TABLE proj_documents_new RENAME TO proj_documents;
CREATE INDEX proj_documents_by_inspection ON proj_documents (inspection_id, kind);
CREATE INDEX proj_documents_by_subject ON proj_documents (subject_inn, kind);
