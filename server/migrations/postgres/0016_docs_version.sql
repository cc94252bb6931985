-- A number that every write changing a doc set raises, in the same transaction, as
-- catalog_version does for entities: the in-memory search index
-- (server/src/services/search.rs) reads the doc sets again when it has moved.
CREATE TABLE docs_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO docs_version (id, version) VALUES (1, 0);
