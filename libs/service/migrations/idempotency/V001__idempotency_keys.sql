-- Idempotency keys of mutating RPCs (docs/ARCHITECTURE.md, "Layers"): one row per (caller, key),
-- written in the same transaction as the command's effect. `response` is NULL only inside the
-- claiming transaction, so a committed row always carries the response a replay returns.
CREATE TABLE idempotency_keys (
    caller          text        NOT NULL,
    idempotency_key text        NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 255),
    method          text        NOT NULL,
    request_sha256  bytea       NOT NULL CHECK (length(request_sha256) = 32),
    response        bytea,
    created_at      timestamptz NOT NULL,
    PRIMARY KEY (caller, idempotency_key)
);

-- Purging by age walks this index.
CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);
