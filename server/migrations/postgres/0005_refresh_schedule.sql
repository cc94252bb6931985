-- When each location is next due for a refresh, and until when a replica that claimed
-- it holds it (milliseconds since the Unix epoch; 0 means now / nobody).
ALTER TABLE locations ADD COLUMN next_refresh_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE locations ADD COLUMN leased_until BIGINT NOT NULL DEFAULT 0;
CREATE INDEX locations_next_refresh ON locations (next_refresh_at);
