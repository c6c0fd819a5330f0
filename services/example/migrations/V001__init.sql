-- The template service's one table: per client, the jobs posted so far, fed by jobs' JobPosted.
-- The inbox (libs/messaging) handles each event once, so a redelivered event counts once.
CREATE TABLE client_activity (
    client_id      text        PRIMARY KEY,
    jobs_posted    bigint      NOT NULL CHECK (jobs_posted > 0),
    last_job_id    text        NOT NULL,
    last_job_title text        NOT NULL,
    updated_at     timestamptz NOT NULL
);
