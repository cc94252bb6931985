-- Answers to a template's Secret fields (ui:field: Secret), kept apart from the task's
-- spec and removed when the task ends.
ALTER TABLE tasks ADD COLUMN secrets TEXT;
