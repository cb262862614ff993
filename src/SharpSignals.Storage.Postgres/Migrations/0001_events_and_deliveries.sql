-- The event log and the per-stream delivery entries (DESIGN.md, "The path of one event"), as in
-- the SQLite store's 0001. Times are timestamptz, always written truncated to the millisecond so
-- that they compare and round-trip exactly as the SQLite store's Unix milliseconds do. Positions
-- come from identity sequences, which never hand a value out twice, also after retention has
-- removed the newest rows, because clients resume from them.

CREATE TABLE events (
    position         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    jti              text        NOT NULL,
    issuer           text        NOT NULL,
    project          text        NOT NULL,
    event_types      text[]      NOT NULL,
    txn              text,
    source_stream_id text,
    token            text        NOT NULL,  -- the SET byte for byte, for forwarding and replay
    received_at      timestamptz NOT NULL
);

-- A retried push is answered as success without a second copy (RFC 8935 §2). Leading with jti
-- lets the same index find an event by jti alone.
CREATE UNIQUE INDEX ux_events_jti_issuer ON events (jti, issuer);

CREATE TABLE deliveries (
    id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    stream_id        text        NOT NULL,
    event_position   bigint      NOT NULL REFERENCES events (position),
    jti              text        NOT NULL,  -- the SET's jti on this stream
    token            text,                  -- the SET signed for this stream, kept so retries resend the same bytes
    state            smallint    NOT NULL DEFAULT 0,  -- 0 pending, 1 delivered, 2 dead letter
    attempts         integer     NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz,
    last_error       text,
    created_at       timestamptz NOT NULL,
    completed_at     timestamptz
);

-- Poll and push read "pending entries of a stream, oldest first": the index ends in the ORDER BY
-- column, so a batch of 1 or of 1000 is a range scan with no sort.
CREATE INDEX ix_deliveries_stream_state_id ON deliveries (stream_id, state, id);

-- Acknowledgements name entries by jti; leading with jti also finds an entry by jti alone.
CREATE UNIQUE INDEX ux_deliveries_jti_stream ON deliveries (jti, stream_id);

-- Retention deletes the events older than the oldest one an entry still refers to: min() over
-- this index is one probe, and the foreign key's checks on delete use it too.
CREATE INDEX ix_deliveries_event_position ON deliveries (event_position);
