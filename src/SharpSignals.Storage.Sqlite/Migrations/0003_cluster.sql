-- The push lease of each stream (DESIGN.md, "Cluster"). The embedded store serves one node, which
-- is granted every lease at once; the fencing token still grows with each grant, so a delivery
-- worker that outlived its lease (a stream restarted under it) cannot settle anything.
CREATE TABLE stream_leases (
    stream_id  TEXT    NOT NULL PRIMARY KEY REFERENCES streams (stream_id) ON DELETE CASCADE,
    node_id    TEXT    NOT NULL,
    token      INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
