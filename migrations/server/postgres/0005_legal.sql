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
ALTER TABLE inspections ADD COLUMN prosecutor_agreed_on DATE;
-- ПП 604: the registration number in the unified register of control measures.
ALTER TABLE inspections ADD COLUMN erknm TEXT;
ALTER TABLE inspections ADD COLUMN subject_size TEXT CHECK (subject_size IN ('micro', 'small', 'medium', 'large'));
UPDATE inspections SET subject_size = (SELECT size_class FROM subjects s WHERE s.id = inspections.subject_id);

-- A raid may concern several controlled persons: the others than inspections.subject_id.
CREATE TABLE inspection_subjects (
    inspection_id  UUID NOT NULL REFERENCES inspections (id),
    subject_id     UUID NOT NULL REFERENCES subjects (id),
    PRIMARY KEY (inspection_id, subject_id)
);
CREATE INDEX inspection_subjects_by_subject ON inspection_subjects (subject_id);

-- Interaction intervals (ст.73) are projected as documents of their inspection.
ALTER TABLE proj_documents DROP CONSTRAINT proj_documents_kind_check;
ALTER TABLE proj_documents ADD CONSTRAINT proj_documents_kind_check
    CHECK (kind IN ('warning', 'act', 'order', 'interaction'));
