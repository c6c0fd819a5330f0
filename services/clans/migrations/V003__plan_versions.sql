-- New versions of a hired clan's payout plan: the version in force is the highest of a proposal's
-- plan; a version proposed by the clan waits for the contract's client in plan_version_proposals (one
-- pending per plan). The read model learns which accepted proposal each contract came from, so the
-- client of a plan is known.
ALTER TABLE clan_contracts ADD COLUMN proposal_id uuid;
CREATE UNIQUE INDEX clan_contracts_proposal ON clan_contracts (proposal_id) WHERE proposal_id IS NOT NULL;

ALTER TABLE payout_plans
    ADD COLUMN contract_id       uuid,
    ADD COLUMN proposed_by       text    NOT NULL DEFAULT '',
    ADD COLUMN approved_by       text    NOT NULL DEFAULT '',
    -- The milestones a later version applies to (not yet released when it was locked); [] for version 1: all.
    ADD COLUMN applies_to        jsonb   NOT NULL DEFAULT '[]',
    -- A member or the leader it names left the clan: the plan needs a new version.
    ADD COLUMN needs_new_version boolean NOT NULL DEFAULT false,
    ADD COLUMN departed          jsonb   NOT NULL DEFAULT '[]';

CREATE TABLE plan_version_proposals (
    id           uuid        PRIMARY KEY,
    clan_id      uuid        NOT NULL REFERENCES clans (id),
    proposal_id  uuid        NOT NULL,
    contract_id  uuid        NOT NULL,
    client_id    text        NOT NULL,
    base_version integer     NOT NULL CHECK (base_version > 0),
    version      integer     NOT NULL CHECK (version = base_version + 1),
    proposed_by  text        NOT NULL,
    split_mode   text        NOT NULL CHECK (split_mode IN ('bps', 'fixed')),
    shares       jsonb       NOT NULL,
    note         text        NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
    status       text        NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'stale')),
    decided_by   text        NOT NULL DEFAULT '',
    reason       text        NOT NULL DEFAULT '' CHECK (length(reason) <= 1000),
    created_at   timestamptz NOT NULL,
    decided_at   timestamptz,
    CHECK ((status = 'pending') = (decided_at IS NULL))
);
-- One proposal waits at a time for each plan.
CREATE UNIQUE INDEX plan_version_proposals_one_pending ON plan_version_proposals (proposal_id)
    WHERE status = 'pending';
CREATE INDEX plan_version_proposals_clan ON plan_version_proposals (clan_id, created_at DESC);
