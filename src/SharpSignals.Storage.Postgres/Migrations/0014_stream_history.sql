-- The operator console's delivery history (IStreamHistoryStore): each node's finished minutes per
-- stream, written once a minute and kept for a day.
CREATE TABLE stream_history (
    node_id     text             NOT NULL,
    stream_id   text             NOT NULL,
    minute      timestamptz      NOT NULL,
    delivered   bigint           NOT NULL,
    failed      bigint           NOT NULL,
    backlog     bigint,
    lag_seconds double precision,
    PRIMARY KEY (node_id, stream_id, minute)
);

-- The reads (the last hour, the last day) and the purge of rows past a day go by time.
CREATE INDEX stream_history_minute ON stream_history (minute);
