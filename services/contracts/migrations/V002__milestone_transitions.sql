-- Every state a milestone enters, in the transaction that moves it there: the saga's own record
-- of its steps, read by the saga timeline (`marketplace-timeline`) and by support.
CREATE TABLE milestone_transitions (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    milestone_id uuid        NOT NULL REFERENCES milestones (id),
    from_state   text,                 -- NULL when the milestone was created
    to_state     text        NOT NULL,
    at           timestamptz NOT NULL, -- the service's clock (the milestone's updated_at)
    recorded_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX milestone_transitions_by_milestone ON milestone_transitions (milestone_id, id);

CREATE FUNCTION milestones_record_transition() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO milestone_transitions (milestone_id, from_state, to_state, at)
        VALUES (NEW.id, NULL, NEW.state, NEW.updated_at);
    ELSIF NEW.state IS DISTINCT FROM OLD.state THEN
        INSERT INTO milestone_transitions (milestone_id, from_state, to_state, at)
        VALUES (NEW.id, OLD.state, NEW.state, NEW.updated_at);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER milestones_transitions AFTER INSERT OR UPDATE OF state ON milestones
    FOR EACH ROW EXECUTE FUNCTION milestones_record_transition();

-- Milestones that existed before this migration start their history at their current state.
INSERT INTO milestone_transitions (milestone_id, from_state, to_state, at)
SELECT id, NULL, state, updated_at FROM milestones;
