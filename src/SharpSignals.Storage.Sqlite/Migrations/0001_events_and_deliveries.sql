-- The event log and the per-stream delivery entries (DESIGN.md, "The path of one event").
-- Times are Unix milliseconds. AUTOINCREMENT keeps positions from ever being reused, also after
-- retention has removed the newest rows, because clients resume from them.

CREATE TABLE events (
    position         INTEGER PRIMARY KEY AUTOINCREMENT,
    jti              TEXT    NOT NULL,
    issuer           TEXT    NOT NULL,
    project          TEXT    NOT NULL,
    event_types      TEXT    NOT NULL,  -- space-separated URIs
    txn              TEXT,
    source_stream_id TEXT,
    token            TEXT    NOT NULL,  -- the SET byte for byte, for forwarding and replay
    received_at      INTEGER NOT NULL
);

-- A retried push is answered as success without a second copy (RFC 8935 §2). Leading with jti
-- lets the same index find an event by jti alone.
CREATE UNIQUE INDEX ux_events_jti_issuer ON events (jti, issuer);

CREATE TABLE deliveries (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    stream_id        TEXT    NOT NULL,
    event_position   INTEGER NOT NULL REFERENCES events (position),
    jti              TEXT    NOT NULL,  -- the SET's jti on this stream
    token            TEXT,              -- the SET signed for this stream, kept so retries resend the same bytes
    state            INTEGER NOT NULL DEFAULT 0,  -- 0 pending, 1 delivered, 2 dead letter
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER,
    last_error       TEXT,
    created_at       INTEGER NOT NULL,
    completed_at     INTEGER
);

-- Poll and push read "pending entries of a stream, oldest first": the index ends in the ORDER BY
-- column, so a batch of 1 or of 1000 is a range scan with no sort.
CREATE INDEX ix_deliveries_stream_state_id ON deliveries (stream_id, state, id);

-- Acknowledgements name entries by jti; leading with jti also finds an entry by jti alone.
CREATE UNIQUE INDEX ux_deliveries_jti_stream ON deliveries (jti, stream_id);
