-- The last delivery attempts of each entry (docs/API.md, "Events"): a JSON array, oldest first, in
-- the entry's own row, so that the statement that settles an entry or schedules its retry records
-- the attempt too (no row, index or write of its own) and retention removes it with the entry.
ALTER TABLE deliveries ADD COLUMN attempt_log jsonb;
