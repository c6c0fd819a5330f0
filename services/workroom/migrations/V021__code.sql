-- Code and CI: GitHub repositories linked to rooms, the deliveries already handled, the pull
-- requests and the checks of their commits. The webhook's secret is kept as generated: the service
-- needs it to check each delivery's HMAC (it is shown to the linker once and never returned again).
CREATE TABLE repository_links (
    id           uuid        PRIMARY KEY,
    room_id      uuid        NOT NULL REFERENCES rooms (id),
    repository   text        NOT NULL CHECK (length(repository) BETWEEN 3 AND 140),
    secret       text        NOT NULL CHECK (secret ~ '^[0-9a-f]{64}$'),
    linked_by    text        NOT NULL CHECK (length(linked_by) BETWEEN 1 AND 64),
    created_at   timestamptz NOT NULL,
    unlinked_at  timestamptz
);
-- One live link per repository and room (names compare case-insensitively, as GitHub's do).
CREATE UNIQUE INDEX repository_links_live ON repository_links (room_id, lower(repository)) WHERE unlinked_at IS NULL;

-- Delivery ids handled per link (X-GitHub-Delivery): a second delivery with the same id changes
-- nothing. Ids older than the accepted event age are pruned (such deliveries are refused as stale).
CREATE TABLE github_deliveries (
    link_id     uuid        NOT NULL REFERENCES repository_links (id),
    delivery_id text        NOT NULL CHECK (length(delivery_id) BETWEEN 1 AND 100),
    received_at timestamptz NOT NULL,
    PRIMARY KEY (link_id, delivery_id)
);
CREATE INDEX github_deliveries_age ON github_deliveries (received_at);

CREATE TABLE pull_requests (
    id           uuid        PRIMARY KEY,
    room_id      uuid        NOT NULL REFERENCES rooms (id),
    link_id      uuid        NOT NULL REFERENCES repository_links (id),
    repository   text        NOT NULL,
    number       bigint      NOT NULL CHECK (number > 0),
    title        text        NOT NULL,
    state        text        NOT NULL CHECK (state IN ('open', 'closed', 'merged')),
    author_login text        NOT NULL,
    head_sha     text        NOT NULL,
    head_ref     text        NOT NULL,
    url          text        NOT NULL,
    milestone_id text        NOT NULL DEFAULT '',
    updated_at   timestamptz NOT NULL,
    UNIQUE (link_id, number)
);
CREATE INDEX pull_requests_room ON pull_requests (room_id, updated_at DESC);
CREATE INDEX pull_requests_head ON pull_requests (link_id, head_sha);

-- The checks of a commit, one row per source and name, kept at the newest event time seen.
CREATE TABLE commit_checks (
    link_id     uuid        NOT NULL REFERENCES repository_links (id),
    head_sha    text        NOT NULL,
    source      text        NOT NULL CHECK (source IN ('check_run', 'check_suite', 'status')),
    name        text        NOT NULL,
    state       text        NOT NULL,
    details_url text        NOT NULL,
    updated_at  timestamptz NOT NULL,
    PRIMARY KEY (link_id, head_sha, source, name)
);

-- When each milestone was last submitted (contracts' MilestoneSubmitted).
ALTER TABLE room_milestones ADD COLUMN submitted_at timestamptz;
