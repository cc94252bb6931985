-- Catalog locations (where descriptors are read from) and the entities read from them.
-- Each entity is stored whole, as the JSON the API serves.
CREATE TABLE locations (
    id          TEXT PRIMARY KEY NOT NULL,
    type        TEXT NOT NULL,
    target      TEXT NOT NULL,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (type, target)
);

CREATE TABLE entities (
    entity_ref  TEXT PRIMARY KEY NOT NULL,
    uid         TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    namespace   TEXT NOT NULL,
    name        TEXT NOT NULL,
    location_id TEXT REFERENCES locations (id) ON DELETE CASCADE,
    body        TEXT NOT NULL,
    etag        TEXT NOT NULL,
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE INDEX entities_kind ON entities (kind);
CREATE INDEX entities_location ON entities (location_id);
