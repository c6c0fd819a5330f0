-- The contract's milestones, from ContractCreated: a task may name one of them.
CREATE TABLE room_milestones (
    room_id      uuid NOT NULL REFERENCES rooms (id),
    milestone_id text NOT NULL,
    PRIMARY KEY (room_id, milestone_id)
);

-- A room's task board. `rank` orders a column as plain strings (fractional indexing): a move sets
-- one task's rank between its new neighbours' and touches no other row.
CREATE TABLE tasks (
    id           uuid        PRIMARY KEY,
    room_id      uuid        NOT NULL REFERENCES rooms (id),
    title        text        NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    status       text        NOT NULL CHECK (status IN ('todo', 'doing', 'done')),
    rank         text COLLATE "C" NOT NULL CHECK (rank ~ '^[0-9a-z]*[1-9a-z]$' AND length(rank) <= 255),
    assignee_id  text        NOT NULL DEFAULT '',
    milestone_id text        NOT NULL DEFAULT '',
    created_by   text        NOT NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    UNIQUE (room_id, status, rank)
);
