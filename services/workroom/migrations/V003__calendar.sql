-- A room's calendar: standups, deadlines and meetings planned by the members in a time zone (the
-- local time and the IANA zone, so daylight-saving changes follow the zone), and each milestone's
-- due date, kept from contracts' events (one row per milestone, moved when its date changes).
CREATE TABLE calendar_events (
    id               uuid        PRIMARY KEY,
    room_id          uuid        NOT NULL REFERENCES rooms (id),
    kind             text        NOT NULL CHECK (kind IN ('standup', 'deadline', 'meeting', 'milestone_due')),
    title            text        NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    local_start      text        NOT NULL CHECK (local_start ~ '^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$'),
    time_zone        text        NOT NULL,
    duration_minutes integer     NOT NULL DEFAULT 0 CHECK (duration_minutes BETWEEN 0 AND 1440),
    milestone_id     text,
    created_by       text        NOT NULL,
    created_at       timestamptz NOT NULL,
    UNIQUE (room_id, milestone_id)
);
CREATE INDEX calendar_events_room ON calendar_events (room_id, local_start);
