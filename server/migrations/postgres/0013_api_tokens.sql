-- API tokens for automation: each acts as its owner (a User entity), limited to its
-- scopes. Only a SHA-256 hash of the token is kept; the token itself is shown once.
-- Times are milliseconds since the Unix epoch.
CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    hash         TEXT NOT NULL UNIQUE,
    owner_ref    TEXT NOT NULL,
    name         TEXT NOT NULL,
    -- Scope names separated by spaces: read, catalog:write, templates:run, admin.
    scopes       TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT,
    last_used_at BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX api_tokens_owner ON api_tokens (owner_ref);
