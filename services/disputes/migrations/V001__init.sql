-- The disputes service's tables: each dispute with its ladder state, its evidence, and the log of
-- its steps (docs/ARCHITECTURE.md, "The dispute saga").
CREATE TABLE disputes (
    id                           uuid        PRIMARY KEY,
    milestone_id                 uuid        NOT NULL,
    contract_id                  uuid        NOT NULL,
    client_id                    uuid        NOT NULL,
    freelancer_id                uuid        NOT NULL,
    opened_by                    uuid        NOT NULL,
    opener_side                  text        NOT NULL CHECK (opener_side IN ('client', 'freelancer')),
    reason_code                  text        NOT NULL,
    statement                    text        NOT NULL,
    escrow                       bigint      NOT NULL CHECK (escrow > 0),
    currency                     char(3)     NOT NULL,
    amount_asked                 bigint      NOT NULL CHECK (amount_asked >= 0 AND amount_asked <= escrow),
    stage                        text        NOT NULL CHECK (stage IN ('opening', 'response', 'negotiation',
                                     'mediation', 'expert_review', 'admin_decision', 'resolved', 'withdrawn', 'refused')),
    stage_entered_at             timestamptz,
    due_at                       timestamptz,
    client_offer_bps             integer CHECK (client_offer_bps BETWEEN 0 AND 10000),
    client_offer_at              timestamptz,
    freelancer_offer_bps         integer CHECK (freelancer_offer_bps BETWEEN 0 AND 10000),
    freelancer_offer_at          timestamptz,
    proposal_bps                 integer CHECK (proposal_bps BETWEEN 0 AND 10000),
    proposal_at                  timestamptz,
    mediator_id                  uuid,
    client_accepted_proposal     boolean     NOT NULL DEFAULT false,
    freelancer_accepted_proposal boolean     NOT NULL DEFAULT false,
    expert_requested             boolean     NOT NULL DEFAULT false,
    recommendation_bps           integer CHECK (recommendation_bps BETWEEN 0 AND 10000),
    recommendation_at            timestamptz,
    expert_id                    uuid,
    expert_report                text        NOT NULL DEFAULT '',
    outcome                      text CHECK (outcome IN ('release', 'refund', 'split')),
    released                     bigint CHECK (released >= 0),
    refunded                     bigint CHECK (refunded >= 0),
    release_bps                  integer,
    decided_by                   text,
    decided_rung                 text,
    resolved_at                  timestamptz,
    settled                      boolean     NOT NULL DEFAULT false,
    settled_at                   timestamptz,
    refusal_reason               text        NOT NULL DEFAULT '',
    opened_at                    timestamptz NOT NULL,
    updated_at                   timestamptz NOT NULL,
    CHECK ((stage = 'resolved') = (outcome IS NOT NULL)),
    CHECK (outcome IS NULL OR released + refunded = escrow)
);
-- One live dispute per milestone: a withdrawn or refused one does not count.
CREATE UNIQUE INDEX disputes_one_per_milestone ON disputes (milestone_id)
    WHERE stage NOT IN ('withdrawn', 'refused');
CREATE INDEX disputes_client ON disputes (client_id, opened_at DESC);
CREATE INDEX disputes_freelancer ON disputes (freelancer_id, opened_at DESC);
CREATE INDEX disputes_stage ON disputes (stage, opened_at DESC);

CREATE TABLE evidence (
    id          uuid        PRIMARY KEY,
    dispute_id  uuid        NOT NULL REFERENCES disputes (id),
    added_by    uuid        NOT NULL,
    kind        text        NOT NULL CHECK (kind IN ('message', 'file', 'pull_request', 'ci_run', 'preview_link', 'other')),
    reference   text        NOT NULL DEFAULT '' CHECK (length(reference) <= 2048),
    note        text        NOT NULL DEFAULT '' CHECK (length(note) <= 4000),
    sha256      text        NOT NULL DEFAULT '' CHECK (sha256 = '' OR sha256 ~ '^[0-9a-f]{64}$'),
    added_at    timestamptz NOT NULL
);
CREATE INDEX evidence_dispute ON evidence (dispute_id, added_at, id);

-- Every step of every dispute, in order: what the timeline and the notifications tell.
CREATE TABLE dispute_steps (
    dispute_id  uuid        NOT NULL REFERENCES disputes (id),
    seq         integer     NOT NULL,
    step        text        NOT NULL,
    stage       text        NOT NULL,
    actor       text        NOT NULL,
    summary     text        NOT NULL,
    at          timestamptz NOT NULL,
    PRIMARY KEY (dispute_id, seq)
);
