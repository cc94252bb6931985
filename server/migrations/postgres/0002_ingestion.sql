-- What ingestion needs: the file each entity was read from, relations derived from
-- specs (owned by the entity whose spec made them), and the problems of each location.
ALTER TABLE entities ADD COLUMN source_file TEXT;

CREATE TABLE relations (
    originating_ref TEXT NOT NULL REFERENCES entities (entity_ref) ON DELETE CASCADE,
    source_ref      TEXT NOT NULL,
    type            TEXT NOT NULL,
    target_ref      TEXT NOT NULL
);
CREATE INDEX relations_source ON relations (source_ref);
CREATE INDEX relations_target ON relations (target_ref);
CREATE INDEX relations_originating ON relations (originating_ref);

CREATE TABLE location_problems (
    location_id TEXT NOT NULL REFERENCES locations (id) ON DELETE CASCADE,
    entity_ref  TEXT,
    file        TEXT NOT NULL,
    line        BIGINT NOT NULL,
    col         BIGINT NOT NULL,
    message     TEXT NOT NULL
);
CREATE INDEX location_problems_location ON location_problems (location_id);
CREATE INDEX location_problems_entity ON location_problems (entity_ref);
