-- Scaffolder tasks: a template's steps run with a person's answers, queued in the
-- database so that any replica's worker can take one (times are milliseconds since the
-- Unix epoch).
CREATE TABLE tasks (
    id               TEXT PRIMARY KEY NOT NULL,
    template_ref     TEXT NOT NULL,
    -- The task's spec as Backstage serialises it: steps, output, parameters, templateInfo.
    spec             TEXT NOT NULL,
    -- open, processing, completed, failed or cancelled.
    status           TEXT NOT NULL,
    created_by       TEXT,
    created_at       INTEGER NOT NULL,
    -- The worker running it renews this; a task whose worker went silent is failed.
    heartbeat_at     INTEGER NOT NULL DEFAULT 0,
    worker           TEXT,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    finished_at      INTEGER,
    -- The template's output (links, text) with its expressions filled in.
    output           TEXT,
    -- The workspace as a .tar.gz, once the task has ended.
    archive          BLOB
);
CREATE INDEX tasks_queue ON tasks (status, created_at);

-- What a task reports as it runs: log lines per step, and its completion.
CREATE TABLE task_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id     TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    event_type  TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX task_events_by_task ON task_events (task_id, id);
