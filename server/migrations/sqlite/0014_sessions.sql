-- Signed-in sessions: a browser's cookie holds a random secret, the database its
-- SHA-256 hash, so every replica on the same database recognises it. Times are
-- milliseconds since the Unix epoch.
CREATE TABLE sessions (
    hash         TEXT PRIMARY KEY NOT NULL,
    user_ref     TEXT NOT NULL,
    -- The provider signed in with (its id in the config) and the subject it names.
    provider     TEXT NOT NULL,
    subject      TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    -- Written at most once a minute: what the idle expiry counts from.
    last_seen_at INTEGER NOT NULL,
    -- The absolute expiry, however active the session.
    expires_at   INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_ref);

-- Sign-ins under way, between the redirect to the provider and its answer (minutes):
-- the browser's cookie holds the state, the row what proves the answer is the one
-- asked for (the PKCE verifier and the nonce).
CREATE TABLE sign_in_requests (
    state      TEXT PRIMARY KEY NOT NULL,
    provider   TEXT NOT NULL,
    verifier   TEXT NOT NULL,
    nonce      TEXT NOT NULL,
    return_to  TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
