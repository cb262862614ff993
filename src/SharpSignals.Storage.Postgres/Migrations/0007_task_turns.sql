-- Tasks that one node of a cluster runs for all (the retention sweep): who has the turn, and until
-- when. Another node takes it once it has expired, so the task goes on when its node is gone.
CREATE TABLE task_turns (
    task       text        NOT NULL PRIMARY KEY,
    node_id    text        NOT NULL,
    expires_at timestamptz NOT NULL
);
