-- What the nodes of a cluster coordinate through (DESIGN.md, "Cluster"). Times come from the
-- database's clock (now()), never a node's, so clock skew between nodes cannot hand one lease to two.

-- One node at a time delivers a stream's pushes. token is the fencing token: it grows with every
-- grant, and a delivery change names the token it was made under (see FenceSql).
CREATE TABLE stream_leases (
    stream_id  text        NOT NULL PRIMARY KEY REFERENCES streams (stream_id) ON DELETE CASCADE,
    node_id    text        NOT NULL,
    token      bigint      NOT NULL,
    expires_at timestamptz NOT NULL
);

-- Live nodes, for each node's fair share of the push streams.
CREATE TABLE cluster_nodes (
    node_id    text        NOT NULL PRIMARY KEY,
    expires_at timestamptz NOT NULL
);

-- The ASP.NET Core Data Protection key ring every node shares: a secret one node encrypts (a
-- signing key, a stream credential) must be readable on all of them.
CREATE TABLE data_protection_keys (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text        NOT NULL,
    xml        text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
