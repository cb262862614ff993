-- The operator console's reads. The event search (GET /admin/events; docs/API.md, "Administration") by
-- subject, event type, project, txn, source stream and time: each has an index, so a page reads its
-- matches rather than the log (before, a filter that matched nothing read all of it).

-- The search keys of each event's sub_id (EventSubjects: each value, and format:value), a row each,
-- written with the event and deleted with it. Events stored before this migration have none.
CREATE TABLE event_subjects (
    subject        text   NOT NULL,
    event_position bigint NOT NULL REFERENCES events (position) ON DELETE CASCADE,
    PRIMARY KEY (subject, event_position)
);

-- Each event's types, a row each, so that a rare type is found without reading the log; written
-- with the event and deleted with it; the events stored so far are added here.
CREATE TABLE event_type_index (
    event_type     text   NOT NULL,
    event_position bigint NOT NULL REFERENCES events (position) ON DELETE CASCADE,
    PRIMARY KEY (event_type, event_position)
);

INSERT INTO event_type_index (event_type, event_position)
SELECT DISTINCT t.event_type, e.position FROM events e, unnest(e.event_types) AS t (event_type);

-- Where the cascade of a purged event finds its rows.
CREATE INDEX ix_event_subjects_event ON event_subjects (event_position);
CREATE INDEX ix_event_type_index_event ON event_type_index (event_position);

CREATE INDEX ix_events_project_position ON events (project, position);
CREATE INDEX ix_events_txn_position ON events (txn, position) WHERE txn IS NOT NULL;
CREATE INDEX ix_events_source_position ON events (source_stream_id, position) WHERE source_stream_id IS NOT NULL;
CREATE INDEX ix_events_received_at ON events (received_at);

-- The stream list's last error of each stream (GET /admin/streams, the console's overview): the
-- newest failure among its pending entries and dead letters is one probe here, not a read of every
-- such entry. Only entries that failed are in it, so a delivery that succeeds at once never touches it.
CREATE INDEX ix_deliveries_stream_last_error ON deliveries (stream_id, coalesce(completed_at, next_attempt_at, created_at), id)
    WHERE state IN (0, 2) AND last_error IS NOT NULL;
