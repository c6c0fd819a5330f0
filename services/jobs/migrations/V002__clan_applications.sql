-- A clan's application on a proposal: the proposal's freelancer_id is the clan's id (so one live
-- proposal per clan per job, as per freelancer), and here are who submitted it, the team plan, the
-- split of the member pool and each named member's agreement.
CREATE TABLE clan_applications (
    proposal_id  uuid        PRIMARY KEY REFERENCES proposals (proposal_id),
    clan_id      uuid        NOT NULL,
    submitted_by text        NOT NULL,
    split_mode   text        NOT NULL CHECK (split_mode IN ('bps', 'fixed')),
    member_pool  bigint      NOT NULL CHECK (member_pool >= 0)
);
CREATE INDEX clan_applications_clan ON clan_applications (clan_id);

CREATE TABLE proposal_agreements (
    proposal_id  uuid        NOT NULL REFERENCES clan_applications (proposal_id),
    position     integer     NOT NULL,
    user_id      text        NOT NULL,
    role         text        NOT NULL,
    hours        integer     NOT NULL CHECK (hours > 0),
    deliverables jsonb       NOT NULL,
    share_weight bigint      NOT NULL CHECK (share_weight > 0),
    agreed_at    timestamptz,
    PRIMARY KEY (proposal_id, user_id),
    UNIQUE (proposal_id, position)
);
CREATE INDEX proposal_agreements_user ON proposal_agreements (user_id);
