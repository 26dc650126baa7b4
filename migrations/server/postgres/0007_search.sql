-- Registry search and the object page's readers. PostgreSQL dialect.
--
-- Name and address fragments are found with pg_trgm's GIN indexes (ILIKE '%fragment%' of 3
-- characters or more); ИНН, ОГРН and object keys by prefix, in byte order (COLLATE "C", as the
-- keyset pages are ordered) so that a prefix is an index range.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX subjects_name_trgm ON subjects USING gin (name gin_trgm_ops);
CREATE INDEX control_objects_address_trgm ON control_objects USING gin (address gin_trgm_ops);

CREATE INDEX subjects_by_inn_bytes ON subjects (agency_id, inn COLLATE "C");
CREATE INDEX subjects_by_ogrn ON subjects (agency_id, ogrn COLLATE "C");
CREATE INDEX control_objects_by_key_bytes ON control_objects (agency_id, object_key COLLATE "C");
-- An object's neighbours on the map: a latitude band, longitudes checked in the index.
CREATE INDEX control_objects_by_position ON control_objects (agency_id, lat_e7, lon_e7)
    WHERE lat_e7 IS NOT NULL;

-- The history of risk-category decisions (ч.1 ст.23): every decision the object's row has
-- carried, written by a trigger whenever the row takes a new decision (an import with a
-- decision, a decision recorded on its own), so no writer can forget it. Decisions the rows hold
-- now are the history's first entries.
CREATE TABLE risk_decisions (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    object_id    UUID NOT NULL REFERENCES control_objects (id),
    category     TEXT NOT NULL,
    decided_on   DATE NOT NULL,
    reason       TEXT NOT NULL,
    recorded_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX risk_decisions_by_object ON risk_decisions (object_id, id);
INSERT INTO risk_decisions (object_id, category, decided_on, reason, recorded_at)
SELECT id, risk_category, risk_decided_on, COALESCE(risk_reason, ''), updated_at
FROM control_objects WHERE risk_category IS NOT NULL AND risk_decided_on IS NOT NULL;

-- Statement-level triggers with transition tables: an import writes 50,000 rows in one
-- statement, and the history is written in one statement with it.
CREATE FUNCTION risk_decisions_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO risk_decisions (object_id, category, decided_on, reason, recorded_at)
    SELECT n.id, n.risk_category, n.risk_decided_on, COALESCE(n.risk_reason, ''), n.updated_at
    FROM new_rows n WHERE n.risk_category IS NOT NULL AND n.risk_decided_on IS NOT NULL;
    RETURN NULL;
END
$$;
CREATE TRIGGER risk_decisions_inserted AFTER INSERT ON control_objects
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION risk_decisions_inserted();

CREATE FUNCTION risk_decisions_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO risk_decisions (object_id, category, decided_on, reason, recorded_at)
    SELECT n.id, n.risk_category, n.risk_decided_on, COALESCE(n.risk_reason, ''), n.updated_at
    FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE n.risk_category IS NOT NULL AND n.risk_decided_on IS NOT NULL
      AND (o.risk_category IS DISTINCT FROM n.risk_category
           OR o.risk_decided_on IS DISTINCT FROM n.risk_decided_on
           OR o.risk_reason IS DISTINCT FROM n.risk_reason);
    RETURN NULL;
END
$$;
CREATE TRIGGER risk_decisions_updated AFTER UPDATE ON control_objects
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION risk_decisions_updated();
