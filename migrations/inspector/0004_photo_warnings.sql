-- What the device warned the inspector about when a photo was kept (damaged, taken outside the
-- inspection's dates, far from the object): the `warnings` of its signed record, as JSON, so the
-- screens show them without reading the record. Photos added before had none.
ALTER TABLE photos ADD COLUMN warnings TEXT NOT NULL DEFAULT '[]';
