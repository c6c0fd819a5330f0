-- Transactional outbox: a state change and the events it causes commit together.
-- Rows are unpublished events; the relay deletes them once the broker has acknowledged them,
-- so the table stays small and "select unpublished rows" never skips a late commit.
CREATE TABLE outbox (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id       uuid        NOT NULL,
    topic          text        NOT NULL CHECK (length(topic) BETWEEN 1 AND 249),
    event_key      text        NOT NULL CHECK (length(event_key) BETWEEN 1 AND 512),
    event_type     text        NOT NULL CHECK (length(event_type) BETWEEN 1 AND 256),
    schema_version integer     NOT NULL DEFAULT 1 CHECK (schema_version > 0),
    payload        bytea       NOT NULL,
    traceparent    text        NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- Inbox: (consumer, source, event id) of every event a consumer has applied; a conflict means
-- "already handled", which makes at-least-once delivery exactly-once in effect.
CREATE TABLE inbox (
    consumer   text        NOT NULL,
    source     text        NOT NULL,
    event_id   text        NOT NULL,
    topic      text        NOT NULL,
    partition  integer     NOT NULL,
    "offset"   bigint      NOT NULL,
    handled_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (consumer, source, event_id)
);
CREATE INDEX inbox_handled_at ON inbox (handled_at);

-- Dead letters: events a consumer could not apply ('parked'), and later events with the same key
-- held behind them ('waiting') so per-key order is never silently broken. The redrive command
-- marks rows 'redrive'; the consumer replays them in order and marks them 'resolved'.
CREATE TABLE dead_letters (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    consumer    text        NOT NULL,
    topic       text        NOT NULL,
    partition   integer     NOT NULL,
    "offset"    bigint      NOT NULL,
    event_key   text        NOT NULL,
    event_id    text        NOT NULL,
    headers     jsonb       NOT NULL,
    payload     bytea       NOT NULL,
    status      text        NOT NULL CHECK (status IN ('parked', 'waiting', 'redrive', 'resolved')),
    error       text        NOT NULL DEFAULT '',
    attempts    integer     NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX dead_letters_open_by_key ON dead_letters (consumer, event_key, id) WHERE status <> 'resolved';

-- Durable timers (escrow auto-release, funding timeouts, reminders). One row per (kind, key);
-- fired with FOR UPDATE SKIP LOCKED and deleted in the same transaction as the effect.
CREATE TABLE timers (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind       text        NOT NULL CHECK (length(kind) BETWEEN 1 AND 128),
    timer_key  text        NOT NULL CHECK (length(timer_key) BETWEEN 1 AND 512),
    due_at     timestamptz NOT NULL,
    payload    bytea       NOT NULL DEFAULT ''::bytea,
    attempts   integer     NOT NULL DEFAULT 0,
    last_error text        NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    UNIQUE (kind, timer_key)
);
CREATE INDEX timers_due_at ON timers (due_at);
