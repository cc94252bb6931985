-- The search table keyed by (key, value, entity_ref): a filter such as kind=component
-- reads one index range already sorted by entity_ref. Byte-order collation ("C") so that
-- PostgreSQL sorts entity refs and values exactly as SQLite does (pages and cursors are
-- the same on both) and LIKE prefixes can use the index.
CREATE TABLE search_by_key (
    key            TEXT COLLATE "C" NOT NULL,
    value          TEXT COLLATE "C" NOT NULL,
    entity_ref     TEXT COLLATE "C" NOT NULL REFERENCES entities (entity_ref) ON DELETE CASCADE,
    -- The value as written, when it differs from `value` (NULL otherwise: most values
    -- are lower-case already, and the rows stay smaller).
    original_value TEXT,
    PRIMARY KEY (key, value, entity_ref)
);
INSERT INTO search_by_key (key, value, entity_ref, original_value)
    SELECT key, value, entity_ref, NULLIF(original_value, value) FROM search
    ON CONFLICT DO NOTHING;
DROP TABLE search;
ALTER TABLE search_by_key RENAME TO search;
ALTER INDEX search_by_key_pkey RENAME TO search_pkey;
CREATE INDEX search_entity ON search (entity_ref, key, value);
