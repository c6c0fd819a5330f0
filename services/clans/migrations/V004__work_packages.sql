-- A hired clan's work: packages mapped to its contracts' milestones, and tasks inside them (an
-- assignee among the clan's members, estimated and logged hours, a status). Seen by its members only.
CREATE TABLE work_packages (
    id           uuid        PRIMARY KEY,
    clan_id      uuid        NOT NULL REFERENCES clans (id),
    contract_id  uuid        NOT NULL REFERENCES clan_contracts (contract_id),
    milestone_id uuid        NOT NULL REFERENCES clan_milestones (milestone_id),
    title        text        NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description  text        NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
    created_by   text        NOT NULL,
    created_at   timestamptz NOT NULL
);
CREATE INDEX work_packages_clan ON work_packages (clan_id, created_at);

CREATE TABLE clan_tasks (
    id             uuid        PRIMARY KEY,
    package_id     uuid        NOT NULL REFERENCES work_packages (id),
    clan_id        uuid        NOT NULL REFERENCES clans (id),
    title          text        NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description    text        NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
    assignee_id    text        NOT NULL DEFAULT '',
    status         text        NOT NULL CHECK (status IN ('todo', 'in_progress', 'review', 'done')),
    estimate_hours integer     NOT NULL CHECK (estimate_hours BETWEEN 0 AND 10000),
    logged_hours   integer     NOT NULL CHECK (logged_hours BETWEEN 0 AND 10000),
    version        bigint      NOT NULL CHECK (version > 0),
    created_by     text        NOT NULL,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL
);
CREATE INDEX clan_tasks_package ON clan_tasks (package_id, created_at);
