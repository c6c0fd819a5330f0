-- Jobs, proposals with their milestone plans, and invites (docs/ARCHITECTURE.md, "Services": the
-- jobs service's own database). Project templates are code (src/domain/template_catalog.cpp), not
-- rows.

CREATE TABLE jobs (
    job_id               uuid        PRIMARY KEY,
    client_id            text        NOT NULL CHECK (length(client_id) BETWEEN 1 AND 128),
    title                text        NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description          text        NOT NULL CHECK (length(description) BETWEEN 1 AND 20000),
    stack                text[]      NOT NULL DEFAULT '{}' CHECK (cardinality(stack) <= 20),
    budget_type          text        NOT NULL DEFAULT 'fixed' CHECK (budget_type IN ('fixed')),
    currency             text        NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    budget_min           bigint      NOT NULL CHECK (budget_min > 0),
    budget_max           bigint      NOT NULL,
    nda_required         boolean     NOT NULL DEFAULT false,
    ip_assignment        boolean     NOT NULL DEFAULT false,
    repo_url             text        NOT NULL DEFAULT '' CHECK (length(repo_url) <= 500),
    template_id          text        CHECK (template_id IS NULL OR length(template_id) BETWEEN 1 AND 64),
    status               text        NOT NULL CHECK (status IN ('open', 'in_progress', 'closed')),
    accepted_proposal_id uuid,
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL,
    -- Maintained by the trigger below: lower-cased stack for filters, and the search document.
    stack_keys           text[]      NOT NULL DEFAULT '{}',
    search_vector        tsvector    NOT NULL DEFAULT ''::tsvector,
    CHECK (budget_max >= budget_min),
    CHECK ((status = 'in_progress') = (accepted_proposal_id IS NOT NULL))
);

-- Full-text search: title and stack weigh more than the description.
CREATE FUNCTION jobs_search_document() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.stack_keys := ARRAY(SELECT DISTINCT lower(s) FROM unnest(NEW.stack) AS s ORDER BY 1);
    NEW.search_vector :=
        setweight(to_tsvector('english'::regconfig, NEW.title), 'A') ||
        setweight(to_tsvector('english'::regconfig, array_to_string(NEW.stack, ' ')), 'A') ||
        setweight(to_tsvector('english'::regconfig, NEW.description), 'B');
    RETURN NEW;
END;
$$;

CREATE TRIGGER jobs_search_document
    BEFORE INSERT OR UPDATE OF title, description, stack ON jobs
    FOR EACH ROW EXECUTE FUNCTION jobs_search_document();

CREATE INDEX jobs_search_vector_idx ON jobs USING gin (search_vector);
CREATE INDEX jobs_stack_keys_idx ON jobs USING gin (stack_keys);
-- Unranked listings: newest first per status, and a client's own jobs.
CREATE INDEX jobs_status_recent_idx ON jobs (status, created_at DESC, job_id DESC);
CREATE INDEX jobs_client_recent_idx ON jobs (client_id, created_at DESC, job_id DESC);

CREATE TABLE proposals (
    proposal_id   uuid        PRIMARY KEY,
    job_id        uuid        NOT NULL REFERENCES jobs (job_id),
    freelancer_id text        NOT NULL CHECK (length(freelancer_id) BETWEEN 1 AND 128),
    cover_letter  text        NOT NULL CHECK (length(cover_letter) BETWEEN 1 AND 10000),
    currency      text        NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    total         bigint      NOT NULL CHECK (total > 0),
    delivery_days integer     NOT NULL CHECK (delivery_days BETWEEN 1 AND 3650),
    status        text        NOT NULL CHECK (status IN ('submitted', 'withdrawn', 'declined', 'accepted')),
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);

-- One live proposal per freelancer per job, and at most one accepted proposal per job.
CREATE UNIQUE INDEX proposals_one_live_idx ON proposals (job_id, freelancer_id) WHERE status = 'submitted';
CREATE UNIQUE INDEX proposals_one_accepted_idx ON proposals (job_id) WHERE status = 'accepted';
CREATE INDEX proposals_job_idx ON proposals (job_id, created_at, proposal_id);
CREATE INDEX proposals_freelancer_recent_idx ON proposals (freelancer_id, created_at DESC, proposal_id DESC);

CREATE TABLE proposal_milestones (
    proposal_id        uuid        NOT NULL REFERENCES proposals (proposal_id),
    position           integer     NOT NULL CHECK (position BETWEEN 0 AND 19),
    title              text        NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description        text        NOT NULL CHECK (length(description) <= 5000),
    amount             bigint      NOT NULL CHECK (amount > 0),
    due_date           timestamptz NOT NULL,
    definition_of_done jsonb       NOT NULL CHECK (jsonb_typeof(definition_of_done) = 'array'),
    PRIMARY KEY (proposal_id, position)
);

CREATE TABLE invites (
    invite_id     uuid        PRIMARY KEY,
    job_id        uuid        NOT NULL REFERENCES jobs (job_id),
    client_id     text        NOT NULL,
    freelancer_id text        NOT NULL CHECK (length(freelancer_id) BETWEEN 1 AND 128),
    message       text        NOT NULL CHECK (length(message) <= 5000),
    created_at    timestamptz NOT NULL,
    UNIQUE (job_id, freelancer_id)
);

CREATE INDEX invites_job_idx ON invites (job_id, created_at, invite_id);
CREATE INDEX invites_freelancer_recent_idx ON invites (freelancer_id, created_at DESC, invite_id DESC);
