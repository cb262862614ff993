-- Single-use initial access tokens (docs/API.md, POST /iat): such a token registers one client and
-- is then spent; used_at is set in the transaction that stores that client. A reusable token keeps
-- used_at null.
ALTER TABLE initial_access_tokens ADD COLUMN single_use boolean NOT NULL DEFAULT false;
ALTER TABLE initial_access_tokens ADD COLUMN used_at timestamptz;
