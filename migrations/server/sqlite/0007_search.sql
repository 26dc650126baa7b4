-- Registry search and the object page's readers. SQLite dialect.
--
-- Name and address fragments are found through FTS5 tables with the trigram tokenizer (a
-- fragment of 3 characters or more matches inside words, case-insensitively). They are
-- external-content tables over `subjects` and `control_objects`, keyed by the tables' rowid and
-- kept in step by the triggers below; nothing else writes them. (VACUUM may renumber the rowids
-- of tables without an INTEGER PRIMARY KEY: after one, rebuild both with
-- `INSERT INTO x(x) VALUES ('rebuild')`. The server never runs VACUUM.)

CREATE VIRTUAL TABLE subjects_fts USING fts5(
    name, content = 'subjects', content_rowid = 'rowid', tokenize = 'trigram'
);
CREATE TRIGGER subjects_fts_insert AFTER INSERT ON subjects BEGIN
    INSERT INTO subjects_fts (rowid, name) VALUES (new.rowid, new.name);
END;
CREATE TRIGGER subjects_fts_delete AFTER DELETE ON subjects BEGIN
    INSERT INTO subjects_fts (subjects_fts, rowid, name) VALUES ('delete', old.rowid, old.name);
END;
CREATE TRIGGER subjects_fts_update AFTER UPDATE OF name ON subjects
WHEN old.name IS NOT new.name BEGIN
    INSERT INTO subjects_fts (subjects_fts, rowid, name) VALUES ('delete', old.rowid, old.name);
    INSERT INTO subjects_fts (rowid, name) VALUES (new.rowid, new.name);
END;
INSERT INTO subjects_fts (subjects_fts) VALUES ('rebuild');

CREATE VIRTUAL TABLE control_objects_fts USING fts5(
    address, content = 'control_objects', content_rowid = 'rowid', tokenize = 'trigram'
);
CREATE TRIGGER control_objects_fts_insert AFTER INSERT ON control_objects BEGIN
    INSERT INTO control_objects_fts (rowid, address) VALUES (new.rowid, new.address);
END;
CREATE TRIGGER control_objects_fts_delete AFTER DELETE ON control_objects BEGIN
    INSERT INTO control_objects_fts (control_objects_fts, rowid, address)
    VALUES ('delete', old.rowid, old.address);
END;
CREATE TRIGGER control_objects_fts_update AFTER UPDATE OF address ON control_objects
WHEN old.address IS NOT new.address BEGIN
    INSERT INTO control_objects_fts (control_objects_fts, rowid, address)
    VALUES ('delete', old.rowid, old.address);
    INSERT INTO control_objects_fts (rowid, address) VALUES (new.rowid, new.address);
END;
INSERT INTO control_objects_fts (control_objects_fts) VALUES ('rebuild');

-- ИНН and object keys are found by prefix through the UNIQUE indexes; ОГРН needs its own.
CREATE INDEX subjects_by_ogrn ON subjects (agency_id, ogrn);
-- An object's neighbours on the map: a latitude band, longitudes checked in the index.
CREATE INDEX control_objects_by_position ON control_objects (agency_id, lat_e7, lon_e7)
    WHERE lat_e7 IS NOT NULL;

-- The history of risk-category decisions (ч.1 ст.23): every decision the object's row has
-- carried, written by triggers whenever the row takes a new decision (an import with a decision,
-- a decision recorded on its own), so no writer can forget it. Decisions the rows hold now are
-- the history's first entries.
CREATE TABLE risk_decisions (
    id           INTEGER PRIMARY KEY,
    object_id    TEXT NOT NULL REFERENCES control_objects (id),
    category     TEXT NOT NULL,
    decided_on   TEXT NOT NULL,
    reason       TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
);
CREATE INDEX risk_decisions_by_object ON risk_decisions (object_id, id);
INSERT INTO risk_decisions (object_id, category, decided_on, reason, recorded_at)
SELECT id, risk_category, risk_decided_on, COALESCE(risk_reason, ''), updated_at
FROM control_objects WHERE risk_category IS NOT NULL AND risk_decided_on IS NOT NULL;
CREATE TRIGGER risk_decisions_on_insert AFTER INSERT ON control_objects
WHEN new.risk_category IS NOT NULL AND new.risk_decided_on IS NOT NULL BEGIN
    INSERT INTO risk_decisions (object_id, category, decided_on, reason, recorded_at)
    VALUES (new.id, new.risk_category, new.risk_decided_on, COALESCE(new.risk_reason, ''),
            new.updated_at);
END;
CREATE TRIGGER risk_decisions_on_update AFTER UPDATE ON control_objects
WHEN new.risk_category IS NOT NULL AND new.risk_decided_on IS NOT NULL
 AND (old.risk_category IS NOT new.risk_category OR old.risk_decided_on IS NOT new.risk_decided_on
      OR old.risk_reason IS NOT new.risk_reason) BEGIN
    INSERT INTO risk_decisions (object_id, category, decided_on, reason, recorded_at)
    VALUES (new.id, new.risk_category, new.risk_decided_on, COALESCE(new.risk_reason, ''),
            new.updated_at);
END;
