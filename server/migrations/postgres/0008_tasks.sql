-- Scaffolder tasks: a template's steps run with a person's answers, queued in the
-- database so that any replica's worker can take one (times are milliseconds since the
-- Unix epoch).
CREATE TABLE tasks (
    id               TEXT PRIMARY KEY,
    template_ref     TEXT NOT NULL,
    -- The task's spec as Backstage serialises it: steps, output, parameters, templateInfo.
    spec             TEXT NOT NULL,
    -- open, processing, completed, failed or cancelled.
    status           TEXT NOT NULL,
    created_by       TEXT,
    created_at       BIGINT NOT NULL,
    -- The worker running it renews this; a task whose worker went silent is failed.
    heartbeat_at     BIGINT NOT NULL DEFAULT 0,
    worker           TEXT,
    cancel_requested BIGINT NOT NULL DEFAULT 0,
    finished_at      BIGINT,
    -- The template's output (links, text) with its expressions filled in.
    output           TEXT,
    -- The workspace as a .tar.gz, once the task has ended.
    archive          BYTEA
);
CREATE INDEX tasks_queue ON tasks (status, created_at);

-- What a task reports as it runs: log lines per step, and its completion.
CREATE TABLE task_events (
    id          BIGSERIAL PRIMARY KEY,
    task_id     TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    event_type  TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX task_events_by_task ON task_events (task_id, id);
