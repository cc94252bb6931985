-- TechDocs: each documented entity's doc set as last built, so every replica serves the
-- same pages without building them itself. A build that fails keeps the last good one.
CREATE TABLE doc_sets (
    -- The entity whose docs these are (lower-case ref).
    entity_ref   TEXT PRIMARY KEY NOT NULL,
    -- Where the files were read from (a folder, or a URL).
    source       TEXT NOT NULL,
    -- A hash of every file of the last good build: unchanged files are not built again.
    fingerprint  TEXT NOT NULL,
    -- What shows around the pages (name, navigation, reading order, source links,
    -- problems), as JSON.
    site         TEXT NOT NULL,
    -- Milliseconds since the Unix epoch.
    built_at     BIGINT NOT NULL
);

-- The pages of each doc set: HTML (sanitised) and headings (JSON).
CREATE TABLE doc_pages (
    entity_ref TEXT NOT NULL REFERENCES doc_sets (entity_ref) ON DELETE CASCADE,
    -- The page's URL in its doc set ('' for its home, 'guide/setup/').
    url        TEXT NOT NULL,
    source     TEXT NOT NULL,
    title      TEXT NOT NULL,
    html       TEXT NOT NULL,
    toc        TEXT NOT NULL,
    PRIMARY KEY (entity_ref, url)
);

-- Images and other files of each doc set, by their path under docs_dir.
CREATE TABLE doc_assets (
    entity_ref TEXT NOT NULL REFERENCES doc_sets (entity_ref) ON DELETE CASCADE,
    path       TEXT NOT NULL,
    bytes      BLOB NOT NULL,
    PRIMARY KEY (entity_ref, path)
);

-- Each page's text by heading, for searching inside a doc set: the database scans it, so
-- a doc set of any size costs the portal no memory. `haystack` is the lower-case title
-- and text; `position` orders sections as the doc set is read.
CREATE TABLE doc_sections (
    entity_ref TEXT NOT NULL REFERENCES doc_sets (entity_ref) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    url        TEXT NOT NULL,
    page_title TEXT NOT NULL,
    anchor     TEXT NOT NULL,
    title      TEXT NOT NULL,
    text       TEXT NOT NULL,
    haystack   TEXT NOT NULL,
    PRIMARY KEY (entity_ref, position)
);

-- Why an entity's docs could not be built the last time they were checked (no good
-- build kept in doc_sets, or a newer build that failed); gone once a build succeeds.
CREATE TABLE doc_failures (
    entity_ref TEXT PRIMARY KEY NOT NULL,
    message    TEXT NOT NULL
);
