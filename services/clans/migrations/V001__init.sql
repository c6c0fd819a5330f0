-- The clans service's tables: clans, their members (a member who left keeps the row with left_at,
-- so a clan's history stays), pending invitations and join requests, and the read model of the
-- clans' contracts fed by contracts' and payments' events (docs/ARCHITECTURE.md, "Clans").
CREATE TABLE clans (
    id              uuid        PRIMARY KEY,
    handle          text        NOT NULL UNIQUE CHECK (handle ~ '^[a-z][a-z0-9-]{1,30}[a-z0-9]$'),
    name            text        NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
    description     text        NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
    skills          text[]      NOT NULL DEFAULT '{}' CHECK (cardinality(skills) <= 20),
    archived        boolean     NOT NULL DEFAULT false,
    archived_at     timestamptz,
    members_version bigint      NOT NULL CHECK (members_version > 0),
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    CHECK (archived = (archived_at IS NOT NULL))
);

CREATE TABLE clan_members (
    clan_id    uuid        NOT NULL REFERENCES clans (id),
    user_id    text        NOT NULL,
    role       text        NOT NULL CHECK (role IN ('head', 'co_head', 'admin', 'member')),
    joined_at  timestamptz NOT NULL,
    left_at    timestamptz,
    left_how   text CHECK (left_how IN ('left', 'removed')),
    PRIMARY KEY (clan_id, user_id)
);
-- Exactly one HEAD among the current members (the domain keeps one; this makes sure).
CREATE UNIQUE INDEX clan_members_one_head ON clan_members (clan_id) WHERE role = 'head' AND left_at IS NULL;
CREATE INDEX clan_members_user ON clan_members (user_id) WHERE left_at IS NULL;

CREATE TABLE clan_pending (
    clan_id    uuid        NOT NULL REFERENCES clans (id),
    kind       text        NOT NULL CHECK (kind IN ('invitation', 'join_request')),
    user_id    text        NOT NULL,
    invited_by text        NOT NULL DEFAULT '',
    message    text        NOT NULL DEFAULT '' CHECK (length(message) <= 1000),
    created_at timestamptz NOT NULL,
    PRIMARY KEY (clan_id, kind, user_id)
);
CREATE INDEX clan_pending_user ON clan_pending (user_id, kind);

-- The read model: contracts whose working party is a clan, and their milestones' money state.
-- open: no escrow yet; funded: money held in escrow; closed: released, refunded, settled or
-- cancelled. A contract is active while one of its milestones is not closed.
CREATE TABLE clan_contracts (
    contract_id uuid        PRIMARY KEY,
    clan_id     uuid        NOT NULL REFERENCES clans (id),
    client_id   text        NOT NULL,
    created_at  timestamptz NOT NULL
);
CREATE INDEX clan_contracts_clan ON clan_contracts (clan_id);

CREATE TABLE clan_milestones (
    milestone_id uuid        PRIMARY KEY,
    contract_id  uuid        NOT NULL REFERENCES clan_contracts (contract_id),
    clan_id      uuid        NOT NULL REFERENCES clans (id),
    state        text        NOT NULL CHECK (state IN ('open', 'funded', 'closed')),
    updated_at   timestamptz NOT NULL
);
CREATE INDEX clan_milestones_live ON clan_milestones (clan_id) WHERE state <> 'closed';
