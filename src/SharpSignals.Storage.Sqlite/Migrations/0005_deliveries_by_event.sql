-- The entries of one event: where an event went (GET /events/{jti}), and retention's check that no
-- entry still refers to an event. Without it, every event deleted made SQLite's foreign-key check
-- scan the whole deliveries table, so a purge took time in the square of the table's size.
CREATE INDEX ix_deliveries_event_position ON deliveries (event_position);
