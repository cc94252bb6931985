-- Catalog locations (where descriptors are read from) and the entities read from them.
-- Each entity is stored whole, as the JSON the API serves.
CREATE TABLE locations (
    id          TEXT PRIMARY KEY,
    type        TEXT NOT NULL,
    target      TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (type, target)
);

CREATE TABLE entities (
    entity_ref  TEXT PRIMARY KEY,
    uid         TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    namespace   TEXT NOT NULL,
    name        TEXT NOT NULL,
    location_id TEXT REFERENCES locations (id) ON DELETE CASCADE,
    body        TEXT NOT NULL,
    etag        TEXT NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX entities_kind ON entities (kind);
CREATE INDEX entities_location ON entities (location_id);
