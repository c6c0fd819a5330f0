-- The history behind a saga's timeline (the `marketplace-timeline` command): what this service
-- published and when, and for each event it consumed, what it was and when it was written.

-- A row per event the relay published, written in the statement that deletes its outbox row (so an
-- event is recorded once however often a crash makes the relay publish it again). The relay's
-- leader deletes rows older than its retention (7 days by default).
CREATE TABLE published_events (
    event_id     uuid        PRIMARY KEY,
    topic        text        NOT NULL,
    event_key    text        NOT NULL,
    event_type   text        NOT NULL,
    traceparent  text        NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL,
    published_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX published_events_by_key ON published_events (event_key, created_at);
CREATE INDEX published_events_published_at ON published_events (published_at);

-- What a consumed event was and when its producer wrote it (its ce_time), so handled_at - event_time
-- is the event's end-to-end lag. Rows from before this migration keep the defaults.
ALTER TABLE inbox
    ADD COLUMN event_type text NOT NULL DEFAULT '',
    ADD COLUMN event_key  text NOT NULL DEFAULT '',
    ADD COLUMN event_time timestamptz;
CREATE INDEX inbox_by_key ON inbox (event_key, handled_at);
