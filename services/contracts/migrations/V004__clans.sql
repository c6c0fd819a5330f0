-- Clans on contracts: the clan that is a contract's working party, a read model of clans' rosters
-- and locked payout plans (fed by clans.events.v1), which plan version paid each clan milestone,
-- and what each release paid to whom.

-- Set when a clan was hired (then freelancer_id is the clan's id too).
ALTER TABLE contracts ADD COLUMN clan_id uuid;
CREATE INDEX contracts_by_clan ON contracts (clan_id, created_at DESC, id DESC) WHERE clan_id IS NOT NULL;

-- Each user's latest standing in a clan, from ClanCreated and ClanMemberChanged; role '' once they
-- left or were removed. members_version orders a clan's changes: an older one never overwrites.
CREATE TABLE clan_roster (
    clan_id         uuid        NOT NULL,
    user_id         uuid        NOT NULL,
    role            text        NOT NULL CHECK (role IN ('head', 'co_head', 'admin', 'member', '')),
    last_change     text        NOT NULL,
    members_version bigint      NOT NULL CHECK (members_version >= 1),
    changed_at      timestamptz NOT NULL,
    PRIMARY KEY (clan_id, user_id)
);

-- Every locked version of a clan contract's payout plan (PayoutSplitLocked), keyed by the proposal
-- the contract was made from.
CREATE TABLE clan_payout_plans (
    proposal_id uuid        NOT NULL,
    version     integer     NOT NULL CHECK (version >= 1),
    clan_id     uuid        NOT NULL,
    leader_id   uuid        NOT NULL,
    split_mode  text        NOT NULL CHECK (split_mode IN ('bps', 'fixed')),
    shares      jsonb       NOT NULL,  -- [{"user_id", "role", "weight"}] in the plan's order
    locked_at   timestamptz NOT NULL,
    PRIMARY KEY (proposal_id, version)
);

-- The plan version in force when a clan milestone was accepted (what payments divided it by).
ALTER TABLE milestones ADD COLUMN clan_plan_version integer CHECK (clan_plan_version >= 1);

-- What each clan release paid, leg by leg, as payments reported it (EscrowReleased, EscrowSettled).
CREATE TABLE clan_payouts (
    milestone_id uuid        NOT NULL REFERENCES milestones (id),
    leg          integer     NOT NULL CHECK (leg >= 0),
    clan_id      uuid        NOT NULL,
    contract_id  uuid        NOT NULL REFERENCES contracts (id),
    kind         text        NOT NULL,
    user_id      uuid,
    currency     text        NOT NULL,
    amount_minor bigint      NOT NULL CHECK (amount_minor > 0),
    paid_at      timestamptz NOT NULL,
    PRIMARY KEY (milestone_id, leg)
);
CREATE INDEX clan_payouts_by_clan ON clan_payouts (clan_id, contract_id);
