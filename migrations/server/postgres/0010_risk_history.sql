-- The risk facts read in one pass: each object keeps the events its risk facts count as a JSON
-- array of [kind, occurred_on, due_on, passed] (kept by the store whenever events are added), so
-- scoring and planning read the objects alone instead of aggregating every object's events on
-- every run; and the agency's objects in id order come from an index. PostgreSQL dialect.
ALTER TABLE control_objects ADD COLUMN risk_history TEXT NOT NULL DEFAULT '[]';
-- Room on each page for the history's rewrites as heap-only updates: the object's indexes
-- (its address trigrams among them) are not rewritten with each event added.
ALTER TABLE control_objects SET (fillfactor = 70);
UPDATE control_objects o SET risk_history = h.events
FROM (
    SELECT e.object_id, json_agg(json_build_array(e.kind, e.occurred_on, e.due_on, e.passed))::text AS events
    FROM risk_events e
    WHERE e.kind IN ('violation_found', 'order_overdue', 'order_fulfilled', 'complaint_confirmed',
                     'declaration', 'self_assessment', 'planned_inspection', 'preventive_visit',
                     'activity_notice')
    GROUP BY e.object_id
) h
WHERE o.id = h.object_id;
CREATE INDEX control_objects_by_agency ON control_objects (agency_id, id);
