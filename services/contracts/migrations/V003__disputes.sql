-- A milestone held by a dispute: which dispute, the state it came from (a withdrawal returns it
-- there), and what was left of the review period when the dispute paused the auto-release.
ALTER TABLE milestones
    ADD COLUMN dispute_id                uuid,
    ADD COLUMN disputed_from             text CHECK (disputed_from IN ('funded', 'submitted', 'changes_requested')),
    ADD COLUMN auto_release_remaining_ms bigint CHECK (auto_release_remaining_ms >= 0);
