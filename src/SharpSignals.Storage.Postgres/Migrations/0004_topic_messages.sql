-- Real-time topic messages the nodes share (ITopicLog): ids are allocated per topic here, so they
-- compare the same on every node, and a message is kept for the short retention window only.

-- The last id given in each topic; its row lock orders the topic's messages (AppendTopicMessageAsync).
CREATE TABLE topic_counters (
    topic   text   NOT NULL PRIMARY KEY,
    last_id bigint NOT NULL
);

CREATE TABLE topic_messages (
    topic   text        NOT NULL,
    id      bigint      NOT NULL,
    sent_at timestamptz NOT NULL,
    message text        NOT NULL,
    frame   text        NOT NULL,
    PRIMARY KEY (topic, id)
);

-- The periodic purge of topics that went quiet.
CREATE INDEX topic_messages_sent_at ON topic_messages (sent_at);
