-- Keys an entity has whose value cannot be searched: null, or longer than 200 characters
-- (an API's spec.definition). Backstage keeps them in its search table with a NULL value,
-- so that a filter on the key alone ("exists") finds them and no value matches them.
CREATE TABLE search_keys (
    key        TEXT COLLATE "C" NOT NULL,
    entity_ref TEXT COLLATE "C" NOT NULL REFERENCES entities (entity_ref) ON DELETE CASCADE,
    PRIMARY KEY (key, entity_ref)
);
CREATE INDEX search_keys_entity ON search_keys (entity_ref);
-- Stored entities are written again by the next read of their location (an etag that is
-- not a content fingerprint never matches one), which fills the table. Orphans keep
-- theirs: they are written again when their location holds them again.
UPDATE entities SET etag = etag || '-reindex' WHERE etag NOT LIKE '%-orphan';
