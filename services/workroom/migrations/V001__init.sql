-- Rooms, one per contract, and their members. `last_sequence` counts the room's stored events: a
-- write takes the room's row FOR UPDATE (UPDATE ... RETURNING), so a room's events also commit in
-- sequence order and a stream that resumes after sequence N never misses one below it.
CREATE TABLE rooms (
    id            uuid        PRIMARY KEY,
    contract_id   text        NOT NULL UNIQUE CHECK (length(contract_id) BETWEEN 1 AND 64),
    last_sequence bigint      NOT NULL DEFAULT 0 CHECK (last_sequence >= 0),
    created_at    timestamptz NOT NULL
);

CREATE TABLE room_members (
    room_id            uuid   NOT NULL REFERENCES rooms (id),
    user_id            text   NOT NULL CHECK (length(user_id) BETWEEN 1 AND 64),
    role               text   NOT NULL CHECK (role IN ('client', 'freelancer')),
    handle             text   NOT NULL CHECK (handle ~ '^[a-z0-9_.-]{2,32}$'),
    last_read_sequence bigint NOT NULL DEFAULT 0 CHECK (last_read_sequence >= 0),
    PRIMARY KEY (room_id, user_id),
    UNIQUE (room_id, handle)
);
CREATE INDEX room_members_user ON room_members (user_id);

-- Messages. `sequence` is the room sequence it was posted at; a deleted message keeps its row as a
-- tombstone with its text erased. `search` is the text's full-text vector ('simple' configuration:
-- no stemming, so the parties' languages all work the same).
CREATE TABLE messages (
    id                 uuid        PRIMARY KEY,
    room_id            uuid        NOT NULL REFERENCES rooms (id),
    sequence           bigint      NOT NULL CHECK (sequence > 0),
    author_id          text        NOT NULL,
    body               text        NOT NULL CHECK (length(body) <= 4000),
    parent_id          uuid        REFERENCES messages (id),
    thread_root_id     uuid        NOT NULL,
    mentioned_user_ids text[]      NOT NULL DEFAULT '{}',
    edit_count         integer     NOT NULL DEFAULT 0,
    created_at         timestamptz NOT NULL,
    edited_at          timestamptz,
    deleted_at         timestamptz,
    search             tsvector    GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED,
    UNIQUE (room_id, sequence)
);
CREATE INDEX messages_thread ON messages (thread_root_id, sequence);
CREATE INDEX messages_search ON messages USING gin (search);

-- Earlier texts of edited messages (erased when the message is deleted).
CREATE TABLE message_versions (
    message_id uuid        NOT NULL REFERENCES messages (id),
    version    integer     NOT NULL CHECK (version > 0),
    body       text        NOT NULL,
    written_at timestamptz NOT NULL,
    PRIMARY KEY (message_id, version)
);

-- Every stored change of a room, in sequence order, as the serialized WorkroomEvent a live stream
-- sends. Each insert NOTIFYs the channel workroom_feed with the room id, after the commit.
CREATE TABLE room_events (
    room_id     uuid        NOT NULL REFERENCES rooms (id),
    sequence    bigint      NOT NULL CHECK (sequence > 0),
    payload     bytea       NOT NULL,
    occurred_at timestamptz NOT NULL,
    PRIMARY KEY (room_id, sequence)
);
