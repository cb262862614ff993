-- The W3C traceparent of the span that took the event in (docs/OPERATIONS.md, "Metrics and
-- traces"): each delivery span, however long after and on whichever node, links back to it.
-- Null when nothing was traced.
ALTER TABLE events ADD COLUMN trace_parent TEXT;
