-- The operator console's delivery history (IStreamHistoryStore): each node's finished minutes per
-- stream, written once a minute and kept for a day. minute is Unix milliseconds on a whole minute.
CREATE TABLE stream_history (
    node_id     TEXT    NOT NULL,
    stream_id   TEXT    NOT NULL,
    minute      INTEGER NOT NULL,
    delivered   INTEGER NOT NULL,
    failed      INTEGER NOT NULL,
    backlog     INTEGER,
    lag_seconds REAL,
    PRIMARY KEY (node_id, stream_id, minute)
) WITHOUT ROWID;

-- The reads (the last hour, the last day) and the purge of rows past a day go by time.
CREATE INDEX stream_history_minute ON stream_history (minute);
