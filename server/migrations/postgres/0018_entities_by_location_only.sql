-- The foreign keys of search, search_keys and relations look an entity up by its ref
-- for every row written. After a load killed midway, autovacuum may record `entities`
-- as holding no live row in many pages; PostgreSQL then found a scan of all of
-- `entities_location` (location_id, entity_ref) as cheap as the primary key for
-- `entity_ref = $1`, and the next 100,000-entity load took many minutes instead of one.
-- Partial on a condition that every query by location implies, the index can no longer
-- serve a lookup by ref alone.
DROP INDEX entities_location;
CREATE INDEX entities_location ON entities (location_id, entity_ref) WHERE location_id IS NOT NULL;
