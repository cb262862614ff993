-- What went wrong with the last poll of an inbound poll stream's source, so that every node of a
-- cluster can show it (GET /admin/streams), not only the one polling. Cleared by a poll that succeeds.
ALTER TABLE streams ADD COLUMN source_error text;
