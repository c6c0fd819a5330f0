-- Open server streams (live feeds), one row per stream, shared by every replica of the service, so
-- that the per-user and per-source-address limits hold across replicas (docs/ARCHITECTURE.md,
-- "Live streams"). A replica renews its streams' rows while they are open and deletes them when
-- they end; the rows of a replica that died lapse at expires_at and stop counting.
CREATE TABLE stream_leases (
    lease_id   uuid        PRIMARY KEY,
    kind       text        NOT NULL CHECK (length(kind) BETWEEN 1 AND 64),
    user_id    text        NOT NULL CHECK (length(user_id) BETWEEN 1 AND 128),
    -- The caller's address as the gateway forwarded it; empty when not known.
    source     text        NOT NULL CHECK (length(source) <= 64),
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);

CREATE INDEX stream_leases_user_idx ON stream_leases (kind, user_id);
CREATE INDEX stream_leases_source_idx ON stream_leases (kind, source) WHERE source <> '';
CREATE INDEX stream_leases_expires_idx ON stream_leases (expires_at);
