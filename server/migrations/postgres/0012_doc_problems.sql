-- TechDocs: the problems of each doc set's last build (`docs/index.md:7: links to …`),
-- served in its entity's `status.items` beside the catalog's own problems.
CREATE TABLE doc_problems (
    entity_ref TEXT NOT NULL REFERENCES doc_sets (entity_ref) ON DELETE CASCADE,
    -- Orders them as the build listed them (by file and line).
    position   INTEGER NOT NULL,
    message    TEXT NOT NULL,
    PRIMARY KEY (entity_ref, position)
);
