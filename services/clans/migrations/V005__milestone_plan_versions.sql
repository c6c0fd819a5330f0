-- Which version of a clan contract's payout plan contracts applied to each milestone: the version on
-- contracts' MilestoneAccepted (or MilestoneDisputed, whose settlement pays by it), the latest such
-- event winning. contracts decides which version pays a milestone; clans only records its decision,
-- so a version "applies to" exactly the milestones contracts paid by it (plus, for the version in
-- force, those not yet accepted). A row may arrive before the milestone is known here.
CREATE TABLE milestone_plan_versions (
    milestone_id uuid        PRIMARY KEY,
    version      integer     NOT NULL CHECK (version >= 1),
    recorded_at  timestamptz NOT NULL
);

-- What a version applies to is now computed from the table above, not stored at the lock.
ALTER TABLE payout_plans DROP COLUMN applies_to;
