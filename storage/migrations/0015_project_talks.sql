-- 约谈 of a slow project (000 "约谈", 001 "通报约谈", 002 "约谈问责"): who was talked to, when, what came
-- of it, and who recorded it; shown on the project card.
CREATE TABLE project_talks (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    held_on     TEXT NOT NULL,
    talked_to   TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    recorded_by INTEGER REFERENCES people(id),
    recorded_at TEXT NOT NULL
);
CREATE INDEX project_talks_project ON project_talks(project_id, id);
