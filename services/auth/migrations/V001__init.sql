-- The auth service's tables: users and their profiles, refresh-token families, signing keys and
-- the failed-login log that throttling reads.

CREATE TABLE users (
    user_id       uuid        PRIMARY KEY,
    email         text        NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
    password_hash text        NOT NULL,
    role          text        NOT NULL CHECK (role IN ('client', 'freelancer', 'admin')),
    created_at    timestamptz NOT NULL
);
CREATE UNIQUE INDEX users_email_key ON users (email);

CREATE TABLE profiles (
    user_id              uuid        PRIMARY KEY REFERENCES users (user_id),
    display_name         text        NOT NULL,
    headline             text        NOT NULL DEFAULT '',
    bio                  text        NOT NULL DEFAULT '',
    skills               jsonb       NOT NULL DEFAULT '[]',
    hourly_rate_minor    bigint      CHECK (hourly_rate_minor > 0),
    hourly_rate_currency text        CHECK (hourly_rate_currency ~ '^[A-Z]{3}$'),
    hourly_rate_public   boolean     NOT NULL DEFAULT false,
    availability         text        NOT NULL DEFAULT 'unspecified'
                                     CHECK (availability IN ('unspecified', 'full_time', 'part_time', 'not_available')),
    hours_per_week       integer     NOT NULL DEFAULT 0 CHECK (hours_per_week BETWEEN 0 AND 168),
    languages            jsonb       NOT NULL DEFAULT '[]',
    timezone             text        NOT NULL DEFAULT '',
    updated_at           timestamptz NOT NULL,
    CHECK ((hourly_rate_minor IS NULL) = (hourly_rate_currency IS NULL))
);
-- Matching freelancers by skill ("skills ? 'rust'").
CREATE INDEX profiles_skills_idx ON profiles USING gin (skills);

-- One family per login; every refresh token of a session belongs to it. Revoking the family
-- (logout, or a used token presented again) ends the session.
CREATE TABLE refresh_families (
    family_id      uuid        PRIMARY KEY,
    user_id        uuid        NOT NULL REFERENCES users (user_id),
    created_at     timestamptz NOT NULL,
    expires_at     timestamptz NOT NULL,
    revoked_at     timestamptz,
    revoked_reason text        CHECK (revoked_reason IN ('logout', 'reuse'))
);
CREATE INDEX refresh_families_user_idx ON refresh_families (user_id);

-- Only the SHA-256 of a token is stored. used_at is set when the token is exchanged for its successor.
CREATE TABLE refresh_tokens (
    token_sha256 bytea       PRIMARY KEY CHECK (length(token_sha256) = 32),
    family_id    uuid        NOT NULL REFERENCES refresh_families (family_id),
    generation   integer     NOT NULL,
    issued_at    timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    used_at      timestamptz,
    UNIQUE (family_id, generation)
);

-- Ed25519 signing keys. Exactly one is current (retired_at IS NULL). The seed (private key) is kept
-- only while the key signs; a retired key keeps its public half for verification and loses its seed.
-- Production would keep the seed in a KMS instead of this table (docs/ARCHITECTURE.md).
CREATE TABLE signing_keys (
    kid        text        PRIMARY KEY,
    public_key bytea       NOT NULL CHECK (length(public_key) = 32),
    seed       bytea       CHECK (length(seed) = 32),
    created_at timestamptz NOT NULL,
    retired_at timestamptz,
    CHECK ((retired_at IS NULL) = (seed IS NOT NULL))
);
CREATE UNIQUE INDEX signing_keys_one_current ON signing_keys ((true)) WHERE retired_at IS NULL;

-- Failed logins, per account (the normalized email) and per source address. Throttling counts the
-- rows inside its window; older rows are deleted as logins go by.
CREATE TABLE login_failures (
    id        bigserial   PRIMARY KEY,
    scope     text        NOT NULL CHECK (scope IN ('account', 'source')),
    subject   text        NOT NULL,
    failed_at timestamptz NOT NULL
);
CREATE INDEX login_failures_subject_idx ON login_failures (scope, subject, failed_at);
CREATE INDEX login_failures_failed_at_idx ON login_failures (failed_at);
