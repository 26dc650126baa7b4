-- A controlled person's Ed25519 filing keys. Each is a chain of its own like a tablet's: a
-- `devices` row with no agency, user or token (it never pushes or pulls), enrolled by the
-- server's `device_enrolled` record naming the subject. Revoking it sets `devices.revoked_at`.
CREATE TABLE business_keys (
    device_id    TEXT PRIMARY KEY REFERENCES devices (id),
    subject_inn  TEXT NOT NULL,
    api_key_id   TEXT NOT NULL REFERENCES api_keys (id),
    created_at   TEXT NOT NULL
);
CREATE INDEX business_keys_by_subject ON business_keys (subject_inn, device_id);
