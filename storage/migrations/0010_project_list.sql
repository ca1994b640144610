-- 调出 / 调入: a project taken off the county's list (or put back), on a date, with a reason and who
-- did it. An inactive project leaves bulletins, rankings and reminders; its history stays.
CREATE TABLE project_list_changes (
    id         INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    change     TEXT NOT NULL CHECK (change IN ('out', 'in')),
    on_date    TEXT NOT NULL,
    reason     TEXT NOT NULL,
    actor_id   INTEGER REFERENCES people(id),  -- NULL: the command line
    source     TEXT NOT NULL CHECK (source IN ('bot', 'cli')),
    at         TEXT NOT NULL
);
CREATE INDEX project_list_changes_project ON project_list_changes(project_id, id);
