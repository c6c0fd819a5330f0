-- Disputes: an escrow held by a dispute is locked (no release or refund but the resolution), and a
-- resolution is settled in one operation, "dispute_settlement", which may release part of the
-- escrow and refund the rest (state 'split').
ALTER TABLE escrows ADD COLUMN dispute_id uuid;
ALTER TABLE escrows DROP CONSTRAINT escrows_state_check;
ALTER TABLE escrows ADD CONSTRAINT escrows_state_check CHECK (state IN ('funded', 'released', 'refunded', 'split'));

ALTER TABLE operations DROP CONSTRAINT operations_kind_check;
ALTER TABLE operations ADD CONSTRAINT operations_kind_check CHECK (kind IN ('deposit', 'payout_hold', 'payout_post',
    'payout_void', 'escrow_fund', 'escrow_release', 'escrow_refund', 'transfer_batch', 'dispute_settlement'));
DROP INDEX operations_one_escrow_settlement;
CREATE UNIQUE INDEX operations_one_escrow_settlement ON operations (reference)
    WHERE kind IN ('escrow_release', 'escrow_refund', 'dispute_settlement');
