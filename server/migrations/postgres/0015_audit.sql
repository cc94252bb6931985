-- The audit log: every write and every refused attempt. Times are milliseconds since
-- the Unix epoch; entries older than the retention setting are deleted.
CREATE TABLE audit_log (
    id      BIGSERIAL PRIMARY KEY,
    at      BIGINT NOT NULL,
    actor   TEXT NOT NULL,
    via     TEXT NOT NULL,
    action  TEXT NOT NULL,
    target  TEXT NOT NULL,
    -- done, refused or failed.
    outcome TEXT NOT NULL,
    detail  TEXT NOT NULL,
    origin  TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor, id);
