-- The payout plans of the clans' contracts: each version locked with its leader and shares. Version 1
-- is the plan the client accepted (from jobs' ProposalAccepted).
CREATE TABLE payout_plans (
    clan_id     uuid        NOT NULL REFERENCES clans (id),
    proposal_id uuid        NOT NULL,
    version     integer     NOT NULL CHECK (version > 0),
    leader_id   text        NOT NULL,
    split_mode  text        NOT NULL CHECK (split_mode IN ('bps', 'fixed')),
    shares      jsonb       NOT NULL,
    locked_at   timestamptz NOT NULL,
    PRIMARY KEY (proposal_id, version)
);
CREATE INDEX payout_plans_clan ON payout_plans (clan_id, locked_at DESC);
