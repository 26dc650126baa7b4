-- The risk facts read in one pass: each object keeps the events its risk facts count as a JSON
-- array of [kind, occurred_on, due_on, passed] (kept by the store whenever events are added), so
-- scoring and planning read the objects alone instead of aggregating every object's events on
-- every run; and the agency's objects in id order come from an index, not a sort. SQLite dialect.
ALTER TABLE control_objects ADD COLUMN risk_history TEXT NOT NULL DEFAULT '[]';
UPDATE control_objects SET risk_history = (
    SELECT json_group_array(json_array(e.kind, e.occurred_on, e.due_on, e.passed))
    FROM risk_events e
    WHERE e.object_id = control_objects.id
      AND e.kind IN ('violation_found', 'order_overdue', 'order_fulfilled', 'complaint_confirmed',
                     'declaration', 'self_assessment', 'planned_inspection', 'preventive_visit',
                     'activity_notice'))
WHERE id IN (SELECT object_id FROM risk_events);
CREATE INDEX control_objects_by_agency ON control_objects (agency_id, id);
