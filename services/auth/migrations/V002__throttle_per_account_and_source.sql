-- Failed logins now count per (account, source address) instead of per account, so failures from one
-- address cannot lock the account's owner out from another (services/auth/README.md, "Throttling");
-- and registrations answered "already registered" count per source address. Rows of the old
-- per-account scope name no source: they are dropped (they would have left the window within
-- AUTH_LOGIN_FAILURE_WINDOW anyway).
DELETE FROM login_failures WHERE scope = 'account';
ALTER TABLE login_failures DROP CONSTRAINT login_failures_scope_check;
ALTER TABLE login_failures ADD CONSTRAINT login_failures_scope_check
    CHECK (scope IN ('account_source', 'source', 'registration_source'));
