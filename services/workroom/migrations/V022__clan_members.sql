-- Clan contracts. The working party of a clan's contract is the clan; its room's members are the
-- client and the clan members named in the payout plan in force (clans' PayoutSplitLocked, the
-- highest version) who are still members of the clan (clans' ClanMemberChanged). Until the plan is
-- known, the clan's id stands in the room as its working party.
ALTER TABLE rooms ADD COLUMN proposal_id text CHECK (length(proposal_id) BETWEEN 1 AND 64);
CREATE UNIQUE INDEX rooms_proposal ON rooms (proposal_id);

ALTER TABLE room_members DROP CONSTRAINT room_members_role_check;
ALTER TABLE room_members ADD CONSTRAINT room_members_role_check
    CHECK (role IN ('client', 'freelancer', 'clan_member'));

-- The plan in force of each clan contract, by the accepted proposal it came from.
CREATE TABLE clan_plans (
    proposal_id text    PRIMARY KEY CHECK (length(proposal_id) BETWEEN 1 AND 64),
    clan_id     text    NOT NULL CHECK (length(clan_id) BETWEEN 1 AND 64),
    version     integer NOT NULL CHECK (version >= 1),
    member_ids  text[]  NOT NULL
);
CREATE INDEX clan_plans_clan ON clan_plans (clan_id);

-- Who left (or was removed from) a clan and has not joined it again.
CREATE TABLE clan_departures (
    clan_id text NOT NULL CHECK (length(clan_id) BETWEEN 1 AND 64),
    user_id text NOT NULL CHECK (length(user_id) BETWEEN 1 AND 64),
    PRIMARY KEY (clan_id, user_id)
);
