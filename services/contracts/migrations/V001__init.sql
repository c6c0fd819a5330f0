-- Contracts, their milestones (the saga's state machine), statements of work and signatures, and
-- reviews. Forward-only: change the schema in a new V###__*.sql file.

-- One contract per accepted proposal: the unique proposal_id makes a replayed ProposalAccepted
-- create nothing twice. The terms never change after creation; the statement of work generated
-- from them is stored with its hash, which is what the parties sign.
CREATE TABLE contracts (
    id                    uuid        PRIMARY KEY,
    proposal_id           uuid        NOT NULL UNIQUE,
    job_id                uuid        NOT NULL,
    client_id             uuid        NOT NULL,
    freelancer_id         uuid        NOT NULL CHECK (freelancer_id <> client_id),
    title                 text        NOT NULL,
    scope                 text        NOT NULL,
    stack                 text[]      NOT NULL DEFAULT '{}',
    nda_required          boolean     NOT NULL,
    ip_assignment         boolean     NOT NULL,
    currency              text        NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    total_minor           bigint      NOT NULL CHECK (total_minor > 0),
    delivery_days         integer     NOT NULL CHECK (delivery_days >= 0),
    review_period_seconds bigint      NOT NULL CHECK (review_period_seconds > 0),
    sow_text              text        NOT NULL,
    sow_hash              text        NOT NULL CHECK (sow_hash ~ '^[0-9a-f]{64}$'),
    created_at            timestamptz NOT NULL
);
CREATE INDEX contracts_by_client ON contracts (client_id, created_at DESC, id DESC);
CREATE INDEX contracts_by_freelancer ON contracts (freelancer_id, created_at DESC, id DESC);

-- One signature per party: who signed, when, and the hash they saw (always the contract's sow_hash;
-- a signature over another hash is refused before it gets here).
CREATE TABLE sow_signatures (
    contract_id  uuid        NOT NULL REFERENCES contracts (id),
    party        text        NOT NULL CHECK (party IN ('client', 'freelancer')),
    signer_id    uuid        NOT NULL,
    content_hash text        NOT NULL CHECK (content_hash ~ '^[0-9a-f]{64}$'),
    signed_at    timestamptz NOT NULL,
    PRIMARY KEY (contract_id, party)
);

-- The milestone aggregate: its row is locked (SELECT ... FOR UPDATE) for every transition.
CREATE TABLE milestones (
    id                      uuid        PRIMARY KEY,
    contract_id             uuid        NOT NULL REFERENCES contracts (id),
    position                integer     NOT NULL CHECK (position >= 1),
    title                   text        NOT NULL,
    description             text        NOT NULL,
    currency                text        NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    amount_minor            bigint      NOT NULL CHECK (amount_minor > 0),
    due_date                timestamptz,
    definition_of_done      text[]      NOT NULL DEFAULT '{}',
    state                   text        NOT NULL CHECK (state IN (
                                'funding_required', 'funding_pending', 'funded', 'submitted', 'changes_requested',
                                'accepted', 'paid', 'cancel_pending', 'cancelled',
                                'disputed', 'refunded', 'split_paid')),
    funding_attempt         integer     NOT NULL DEFAULT 0 CHECK (funding_attempt >= 0),
    funding_failure_reason  text        NOT NULL DEFAULT '',
    submission_note         text        NOT NULL DEFAULT '',
    submission_links        text[]      NOT NULL DEFAULT '{}',
    submission_count        integer     NOT NULL DEFAULT 0 CHECK (submission_count >= 0),
    submitted_at            timestamptz,
    auto_release_at         timestamptz,
    change_request_feedback text        NOT NULL DEFAULT '',
    accepted_at             timestamptz,
    auto_released           boolean     NOT NULL DEFAULT false,
    paid_at                 timestamptz,
    cancelled_at            timestamptz,
    refunded                boolean     NOT NULL DEFAULT false,
    updated_at              timestamptz NOT NULL,
    UNIQUE (contract_id, position)
);

-- Each party reviews the other at most once per paid milestone.
CREATE TABLE reviews (
    id            uuid        PRIMARY KEY,
    contract_id   uuid        NOT NULL REFERENCES contracts (id),
    milestone_id  uuid        NOT NULL REFERENCES milestones (id),
    reviewer_id   uuid        NOT NULL,
    reviewee_id   uuid        NOT NULL,
    reviewer_role text        NOT NULL CHECK (reviewer_role IN ('client', 'freelancer')),
    quality       smallint    NOT NULL CHECK (quality BETWEEN 1 AND 5),
    communication smallint    NOT NULL CHECK (communication BETWEEN 1 AND 5),
    timeliness    smallint    NOT NULL CHECK (timeliness BETWEEN 1 AND 5),
    body          text        NOT NULL,
    created_at    timestamptz NOT NULL,
    UNIQUE (milestone_id, reviewer_id)
);
CREATE INDEX reviews_by_contract ON reviews (contract_id, created_at DESC, id DESC);
CREATE INDEX reviews_by_reviewee ON reviews (reviewee_id, created_at DESC, id DESC);
