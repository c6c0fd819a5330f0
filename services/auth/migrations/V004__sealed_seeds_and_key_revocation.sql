-- Signing-key seeds are kept sealed (secretbox under AUTH_SEED_KEY, services/auth/README.md): the
-- sealed bytes and the id of the seed key that sealed them. A seed still in plaintext (from before
-- this migration) is sealed and its plaintext erased when auth starts, before it signs anything;
-- from then on `seed` stays NULL. A revoked key (revoked_at) is out of the JWKS at once.
ALTER TABLE signing_keys ADD COLUMN sealed_seed bytea CHECK (length(sealed_seed) = 72);
ALTER TABLE signing_keys ADD COLUMN seed_key_id text CHECK (seed_key_id ~ '^[0-9a-f]{16}$');
ALTER TABLE signing_keys ADD COLUMN revoked_at timestamptz;
ALTER TABLE signing_keys DROP CONSTRAINT signing_keys_check;
ALTER TABLE signing_keys ADD CONSTRAINT signing_keys_private_half CHECK (
    (sealed_seed IS NULL) = (seed_key_id IS NULL)
    AND (seed IS NULL OR sealed_seed IS NULL)
    AND ((retired_at IS NULL) = (seed IS NOT NULL OR sealed_seed IS NOT NULL)));
CREATE INDEX signing_keys_sealed_by ON signing_keys (seed_key_id) WHERE seed_key_id IS NOT NULL;
