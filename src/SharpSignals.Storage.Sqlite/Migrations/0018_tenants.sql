-- Tenants (docs/TENANTS.md): issuers of their own on this server. The default tenant is implicit and
-- keeps everything that existed before; another tenant's projects are stored as "name/project".
-- A deleted tenant's row stays (deleted_at set) so that its name is never given again.
CREATE TABLE tenants (
    name             TEXT    NOT NULL PRIMARY KEY,
    admin_token_hash TEXT    NOT NULL,
    created_at       INTEGER NOT NULL,
    deleted_at       INTEGER
);

-- Each tenant has its own signing keys; the existing keys are the default tenant's ('').
ALTER TABLE signing_keys ADD COLUMN tenant TEXT NOT NULL DEFAULT '';
DROP INDEX ux_signing_keys_one_active;
CREATE UNIQUE INDEX ux_signing_keys_one_active ON signing_keys (tenant) WHERE retired_at IS NULL;
