-- Files a business uploads over tus for its filings (content-addressed like a device's photos):
-- the business may attach, and read back, only what it uploaded itself, so knowing a hash opens
-- nothing. `filing_attachments` names the files each filing and step carries: the agency the
-- filing went to may read them.
CREATE TABLE business_uploads (
    sha256       BYTEA NOT NULL REFERENCES blobs (sha256),
    subject_inn  TEXT NOT NULL,
    api_key_id   UUID NOT NULL REFERENCES api_keys (id),
    at           TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (sha256, subject_inn)
);

CREATE TABLE filing_attachments (
    filing_id  UUID NOT NULL REFERENCES filings (id),
    sha256     BYTEA NOT NULL REFERENCES blobs (sha256),
    PRIMARY KEY (filing_id, sha256)
);
CREATE INDEX filing_attachments_by_blob ON filing_attachments (sha256);

-- An objection to a warning, and its decision, reach the inspector who issued the warning in
-- pull: a change naming the warning's record (`inspection_id` stays NULL; such a row is not a
-- change of reference data).
ALTER TABLE changes ADD COLUMN record_id UUID;
