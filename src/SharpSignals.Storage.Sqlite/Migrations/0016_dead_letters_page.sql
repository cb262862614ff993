-- The dead letters of every stream, newest first (the operator console's dead-letter list): a
-- backward walk of this index reads dead letters only, never the delivered entries around them.
CREATE INDEX ix_deliveries_dead_letters ON deliveries (id) WHERE state = 2;
