-- The search table keyed by (key, value, entity_ref) and stored in that order: a filter
-- such as kind=component reads one contiguous range that is already sorted by entity_ref,
-- so counting it and taking a page of it needs no sort and no lookup in `entities`; facets
-- read the original value from the same range.
CREATE TABLE search_by_key (
    key            TEXT NOT NULL,
    value          TEXT NOT NULL,
    entity_ref     TEXT NOT NULL REFERENCES entities (entity_ref) ON DELETE CASCADE,
    -- The value as written, when it differs from `value` (NULL otherwise: most values
    -- are lower-case already, and the rows stay smaller).
    original_value TEXT,
    PRIMARY KEY (key, value, entity_ref)
) WITHOUT ROWID;
INSERT OR IGNORE INTO search_by_key (key, value, entity_ref, original_value)
    SELECT key, value, entity_ref, NULLIF(original_value, value) FROM search;
DROP TABLE search;
ALTER TABLE search_by_key RENAME TO search;
CREATE INDEX search_entity ON search (entity_ref, key, value);
