-- A clan's escrow held by a dispute keeps the clan's payout plan in force when the dispute held it
-- (contracts' MilestoneDisputed), so the released part of the resolution is divided by it.
ALTER TABLE escrows ADD COLUMN clan_split jsonb;
