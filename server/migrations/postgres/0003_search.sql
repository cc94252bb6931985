-- The flattened key/value view of each entity that filters and sorting run on
-- (app::model::search). Lower-case keys and values; facets show the original value.
CREATE TABLE search (
    entity_ref TEXT NOT NULL REFERENCES entities (entity_ref) ON DELETE CASCADE,
    key        TEXT NOT NULL,
    value      TEXT NOT NULL,
    original_value TEXT NOT NULL
);
CREATE INDEX search_key_value ON search (key, value);
CREATE INDEX search_entity ON search (entity_ref, key, value);
