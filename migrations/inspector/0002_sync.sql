-- Sync client state (issue 5): the device's bearer token, why the server refused a record, and
-- clock/contact bookkeeping. Append-only like every migration.

-- The sync token from enrollment. It lets the device push and pull, but signs nothing: records
-- are signed by the PIN-sealed key, so a stolen token cannot forge a finding.
ALTER TABLE profile ADD COLUMN device_token TEXT;

-- The server's machine-readable reason when it rejected a record (bad_signature, chain_break...),
-- and its detail. The record stays in the outbox: it is never dropped on the device.
ALTER TABLE records ADD COLUMN rejected_reason TEXT;
ALTER TABLE records ADD COLUMN rejected_detail TEXT;

-- When the last pull or push reached the server (the screen's "last contact").
ALTER TABLE sync_state ADD COLUMN last_contact_at TEXT;
