-- The event search (GET /admin/events, the operator console; docs/API.md, "Administration") by
-- subject, project, txn and source stream: each has an index ending in position, so a page is a
-- backward range scan of its matches however rare they are (before, a filter that matched nothing
-- read the whole log).

-- The search keys of each event's sub_id (EventSubjects: each value, and format:value), a row each,
-- written with the event and deleted with it. Events stored before this migration have none.
CREATE TABLE event_subjects (
    subject        text    NOT NULL,
    event_position bigint  NOT NULL REFERENCES events (position) ON DELETE CASCADE,
    PRIMARY KEY (subject, event_position)
);

-- Where the cascade of a purged event finds its rows.
CREATE INDEX ix_event_subjects_event ON event_subjects (event_position);

CREATE INDEX ix_events_project_position ON events (project, position);
CREATE INDEX ix_events_txn_position ON events (txn, position) WHERE txn IS NOT NULL;
CREATE INDEX ix_events_source_position ON events (source_stream_id, position) WHERE source_stream_id IS NOT NULL;
