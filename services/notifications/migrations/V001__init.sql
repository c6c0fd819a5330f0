-- Each user's notification inbox. `sequence` increases with every notification of a user: the
-- insert takes the user's row in user_sequences FOR UPDATE, so a user's notifications also commit
-- in sequence order and a feed that resumes after sequence N never misses one below it.
CREATE TABLE user_sequences (
    user_id       text   PRIMARY KEY CHECK (length(user_id) BETWEEN 1 AND 64),
    last_sequence bigint NOT NULL CHECK (last_sequence > 0)
);

CREATE TABLE notifications (
    id              uuid        PRIMARY KEY,
    user_id         text        NOT NULL CHECK (length(user_id) BETWEEN 1 AND 64),
    sequence        bigint      NOT NULL CHECK (sequence > 0),
    kind            text        NOT NULL CHECK (length(kind) BETWEEN 1 AND 64),
    title           text        NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
    contract_id     text        NOT NULL DEFAULT '',
    milestone_id    text        NOT NULL DEFAULT '',
    source_event_id text        NOT NULL CHECK (length(source_event_id) BETWEEN 1 AND 128),
    created_at      timestamptz NOT NULL,
    read_at         timestamptz,
    UNIQUE (user_id, sequence),
    -- One event tells a user one thing once, however often it is delivered.
    UNIQUE (user_id, source_event_id, kind)
);
CREATE INDEX notifications_unread ON notifications (user_id, sequence) WHERE read_at IS NULL;

-- The read model that names the people behind an event that carries only a contract or milestone
-- id: contracts' parties and milestones, from ContractCreated.
CREATE TABLE contract_parties (
    contract_id   text        PRIMARY KEY,
    client_id     text        NOT NULL,
    freelancer_id text        NOT NULL,
    created_at    timestamptz NOT NULL
);

CREATE TABLE contract_milestones (
    milestone_id text PRIMARY KEY,
    contract_id  text NOT NULL REFERENCES contract_parties (contract_id)
);
CREATE INDEX contract_milestones_contract ON contract_milestones (contract_id);

-- Notices whose contract is not known yet. Topics are consumed independently, so payments'
-- EscrowFunded may be handled before contracts' ContractCreated; such a notice waits here and is
-- written when ContractCreated arrives (in that event's transaction).
CREATE TABLE pending_notices (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    contract_id     text        NOT NULL DEFAULT '',
    milestone_id    text        NOT NULL DEFAULT '',
    kind            text        NOT NULL,
    title           text        NOT NULL,
    recipients      text        NOT NULL,
    source_event_id text        NOT NULL,
    created_at      timestamptz NOT NULL,
    CHECK (contract_id <> '' OR milestone_id <> '')
);
CREATE INDEX pending_notices_contract ON pending_notices (contract_id) WHERE contract_id <> '';
CREATE INDEX pending_notices_milestone ON pending_notices (milestone_id) WHERE milestone_id <> '';
