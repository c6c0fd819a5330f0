-- Revoking every session of a user (log out everywhere, a password change or reset) raises the
-- user's session epoch; access tokens carry the epoch they were issued under (claim "sep") and the
-- services refuse lower ones once they have fetched the revocation (ListSessionRevocations lists
-- the users revoked within an access token's lifetime, hence the index).
ALTER TABLE users ADD COLUMN session_epoch bigint NOT NULL DEFAULT 0 CHECK (session_epoch >= 0);
ALTER TABLE users ADD COLUMN sessions_revoked_at timestamptz;
CREATE INDEX users_sessions_revoked_idx ON users (sessions_revoked_at) WHERE sessions_revoked_at IS NOT NULL;

ALTER TABLE refresh_families DROP CONSTRAINT refresh_families_revoked_reason_check;
ALTER TABLE refresh_families ADD CONSTRAINT refresh_families_revoked_reason_check
    CHECK (revoked_reason IN ('logout', 'reuse', 'logout_everywhere', 'password_changed', 'password_reset'));

-- Password reset tokens: only the SHA-256 of a token is stored; a token works once (used_at) and
-- until expires_at.
CREATE TABLE password_resets (
    token_sha256 bytea       PRIMARY KEY CHECK (length(token_sha256) = 32),
    user_id      uuid        NOT NULL REFERENCES users (user_id),
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    used_at      timestamptz
);
CREATE INDEX password_resets_user_idx ON password_resets (user_id, created_at);
