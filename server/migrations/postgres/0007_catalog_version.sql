-- A number that every write changing entities raises, in the same transaction: the
-- in-memory full-text index (server/src/store/text.rs) is valid for one version, and
-- reloads when another writer (this process or another replica) has moved it.
CREATE TABLE catalog_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO catalog_version (id, version) VALUES (1, 0);
