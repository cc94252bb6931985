-- What the last read of each location depended on (files with fingerprints, folders
-- and globs with what they matched), as JSON: a refresh whose inputs are unchanged
-- skips reading and parsing.
ALTER TABLE locations ADD COLUMN inputs TEXT;
