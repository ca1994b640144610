-- Each project's flag per month as last computed, so a change (to red, say) is noticed once.
CREATE TABLE project_flags (
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    period      TEXT NOT NULL,
    colour      TEXT NOT NULL CHECK (colour IN ('green', 'yellow', 'red')),
    computed_at TEXT NOT NULL,
    PRIMARY KEY (project_id, period)
);
