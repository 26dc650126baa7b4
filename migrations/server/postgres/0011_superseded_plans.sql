-- A rebuilt draft supersedes the previous one in the transaction that stores it; the old draft's
-- entries are deleted afterwards in small batches, so storing a plan of 150,000 entries does not
-- also wait on deleting the previous 150,000. Only a plan not superseded holds its year and kind.
ALTER TABLE plans ADD COLUMN superseded_at TIMESTAMPTZ;
ALTER TABLE plans DROP CONSTRAINT plans_agency_id_year_kind_key;
CREATE UNIQUE INDEX plans_current ON plans (agency_id, year, kind) WHERE superseded_at IS NULL;
CREATE INDEX plans_superseded ON plans (superseded_at) WHERE superseded_at IS NOT NULL;
