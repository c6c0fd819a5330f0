-- The payments ledger (docs/ARCHITECTURE.md, "The ledger"): accounts and immutable transfers,
-- grouped in operations that commit together or not at all. Balances are int64 minor units; a
-- balance is credits - debits, so every transfer adds +amount and -amount and each currency's
-- balances sum to zero.
CREATE TABLE accounts (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind       text        NOT NULL CHECK (kind IN ('wallet_available', 'payout_pending', 'milestone_escrow',
                                                    'platform_fees', 'provider_clearing')),
    owner      text        NOT NULL CHECK (length(owner) BETWEEN 1 AND 64),
    currency   char(3)     NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    balance    bigint      NOT NULL DEFAULT 0,
    -- A guarded account must never go negative. The service checks it under row locks; this
    -- constraint is the last line of defence.
    guarded    boolean     NOT NULL,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    UNIQUE (kind, owner, currency),
    CONSTRAINT accounts_guarded_not_negative CHECK (NOT guarded OR balance >= 0)
);
CREATE INDEX accounts_owner ON accounts (owner);

-- One row per ledger operation (a deposit, a release with its fee and shares, a batch...).
-- Escrow operations are keyed by milestone: at most one funding and one settlement each.
CREATE TABLE operations (
    id         text        PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 128),
    kind       text        NOT NULL CHECK (kind IN ('deposit', 'payout_hold', 'payout_post', 'payout_void',
                                                    'escrow_fund', 'escrow_release', 'escrow_refund',
                                                    'transfer_batch')),
    reference  text        NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX operations_one_escrow_funding ON operations (reference) WHERE kind = 'escrow_fund';
CREATE UNIQUE INDEX operations_one_escrow_settlement ON operations (reference)
    WHERE kind IN ('escrow_release', 'escrow_refund');
CREATE UNIQUE INDEX operations_one_payout_settlement ON operations (reference)
    WHERE kind IN ('payout_post', 'payout_void');

CREATE TABLE transfers (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    operation_id      text        NOT NULL,
    leg               integer     NOT NULL CHECK (leg >= 0),
    debit_account_id  bigint      NOT NULL,
    credit_account_id bigint      NOT NULL,
    amount            bigint      NOT NULL CHECK (amount > 0),
    currency          char(3)     NOT NULL,
    created_at        timestamptz NOT NULL,
    UNIQUE (operation_id, leg),
    CHECK (debit_account_id <> credit_account_id)
);
CREATE INDEX transfers_debit_account ON transfers (debit_account_id);
CREATE INDEX transfers_credit_account ON transfers (credit_account_id);

-- What foreign keys would check, once per statement rather than three lookups per row (a batch
-- posts thousands of transfers in one INSERT): every transfer names an existing operation and two
-- existing accounts of its own currency. Mixed currencies are refused here as well as in the service.
CREATE FUNCTION transfers_check_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bad record;
BEGIN
    SELECT t.leg, t.operation_id, t.currency, d.currency AS debit_currency, c.currency AS credit_currency
      INTO bad
      FROM new_transfers t
      LEFT JOIN accounts d ON d.id = t.debit_account_id
      LEFT JOIN accounts c ON c.id = t.credit_account_id
      LEFT JOIN operations o ON o.id = t.operation_id
     WHERE d.currency IS DISTINCT FROM t.currency OR c.currency IS DISTINCT FROM t.currency OR o.id IS NULL
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'transfer % of operation % in % joins accounts in % and % (or its operation is missing)',
            bad.leg, bad.operation_id, bad.currency, bad.debit_currency, bad.credit_currency
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER transfers_references AFTER INSERT ON transfers REFERENCING NEW TABLE AS new_transfers
    FOR EACH STATEMENT EXECUTE FUNCTION transfers_check_references();

-- Transfers and operations are immutable (a correction is a new operation, never an edit), and
-- accounts are never deleted nor renamed: only their balance changes.
CREATE FUNCTION ledger_rows_are_permanent() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger % are permanent (% refused)', TG_TABLE_NAME, TG_OP;
END
$$;
CREATE TRIGGER transfers_immutable BEFORE UPDATE OR DELETE OR TRUNCATE ON transfers
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_rows_are_permanent();
CREATE TRIGGER operations_immutable BEFORE UPDATE OR DELETE OR TRUNCATE ON operations
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_rows_are_permanent();
CREATE TRIGGER accounts_permanent BEFORE DELETE OR TRUNCATE ON accounts
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_rows_are_permanent();
CREATE TRIGGER accounts_identity_fixed BEFORE UPDATE OF id, kind, owner, currency, guarded ON accounts
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_rows_are_permanent();

-- A milestone's escrow: funded at most once, then released or refunded at most once.
CREATE TABLE escrows (
    milestone_id            uuid        PRIMARY KEY,
    contract_id             uuid        NOT NULL,
    client_id               uuid        NOT NULL,
    account_id              bigint      NOT NULL UNIQUE REFERENCES accounts (id),
    amount                  bigint      NOT NULL CHECK (amount > 0),
    currency                char(3)     NOT NULL,
    state                   text        NOT NULL CHECK (state IN ('funded', 'released', 'refunded')),
    funded_attempt          integer     NOT NULL,
    funded_at               timestamptz NOT NULL,
    settled_at              timestamptz,
    settlement_operation_id text REFERENCES operations (id),
    CHECK ((state = 'funded') = (settled_at IS NULL)),
    CHECK ((state = 'funded') = (settlement_operation_id IS NULL))
);
CREATE INDEX escrows_client_funded ON escrows (client_id) WHERE state = 'funded';

-- The answer given to each funding attempt, so a replayed request gets the same answer.
CREATE TABLE funding_answers (
    milestone_id uuid        NOT NULL,
    attempt      integer     NOT NULL,
    funded       boolean     NOT NULL,
    reason       text        NOT NULL DEFAULT '',
    answered_at  timestamptz NOT NULL,
    PRIMARY KEY (milestone_id, attempt)
);

CREATE TABLE deposits (
    id             uuid        PRIMARY KEY,
    user_id        uuid        NOT NULL,
    amount         bigint      NOT NULL CHECK (amount > 0),
    currency       char(3)     NOT NULL,
    status         text        NOT NULL CHECK (status IN ('pending', 'completed', 'failed')),
    provider       text        NOT NULL,
    failure_reason text        NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL,
    settled_at     timestamptz,
    CHECK ((status = 'pending') = (settled_at IS NULL))
);
CREATE INDEX deposits_user ON deposits (user_id, created_at);

CREATE TABLE payouts (
    id             uuid        PRIMARY KEY,
    user_id        uuid        NOT NULL,
    amount         bigint      NOT NULL CHECK (amount > 0),
    currency       char(3)     NOT NULL,
    status         text        NOT NULL CHECK (status IN ('pending', 'posted', 'voided')),
    provider       text        NOT NULL,
    failure_reason text        NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL,
    settled_at     timestamptz,
    CHECK ((status = 'pending') = (settled_at IS NULL))
);
CREATE INDEX payouts_user ON payouts (user_id, created_at);

-- Every provider notification applied, by the provider's event id: a duplicate changes nothing.
CREATE TABLE provider_events (
    event_id    text        PRIMARY KEY CHECK (length(event_id) BETWEEN 1 AND 255),
    event_type  text        NOT NULL,
    reference   uuid        NOT NULL,
    outcome     text        NOT NULL CHECK (outcome IN ('applied', 'ignored')),
    received_at timestamptz NOT NULL
);
