-- The SHA-256 of a stream's own credential (docs: README, "Stream credentials"): accepted at that
-- stream's poll or push endpoint only, kept apart from the stream's configuration so that no stream
-- update touches it. Null when the stream has none (never issued, or revoked).
ALTER TABLE streams ADD COLUMN credential_hash TEXT;
