-- Each tenant's key pairs for SETs encrypted to this server (RFC 7516): the private key encrypted with
-- Data Protection. tenant '' is the default tenant.
CREATE TABLE encryption_keys (
    tenant                text        NOT NULL,
    kid                   text        NOT NULL,
    key_type              text        NOT NULL,  -- RSA or EC
    protected_private_key text        NOT NULL,
    created_at            timestamptz NOT NULL,
    retired_at            timestamptz,           -- null while in use; kept for a rotation to come
    PRIMARY KEY (tenant, kid)
);

-- One key in use per tenant and type, whichever node generates it first.
CREATE UNIQUE INDEX ux_encryption_keys_one_per_type ON encryption_keys (tenant, key_type) WHERE retired_at IS NULL;
