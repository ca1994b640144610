-- Problem levels are the county's (the policy's issue_levels), as many as it has, not three fixed
-- ones: the issues table again without the upper bound on `level` (SQLite cannot alter a CHECK).
-- Numbers, levels and history are kept as they are.
CREATE TABLE issues_new (
    id            INTEGER PRIMARY KEY,
    number        TEXT NOT NULL UNIQUE,            -- Q-2026-0042
    project_id    INTEGER NOT NULL REFERENCES projects(id),
    raised_by     INTEGER NOT NULL REFERENCES people(id),
    category      TEXT NOT NULL,
    description   TEXT NOT NULL,
    need          TEXT,
    need_by       TEXT,
    photos        TEXT NOT NULL DEFAULT '[]',
    level         INTEGER NOT NULL DEFAULT 1 CHECK (level >= 1),
    status        TEXT NOT NULL CHECK (status IN ('open', 'assigned', 'acknowledged', 'solved',
                                                  'reopened', 'closed')),
    major         INTEGER NOT NULL DEFAULT 0,
    unit_id       INTEGER REFERENCES units(id),
    leader_id     INTEGER REFERENCES people(id),
    assignee_id   INTEGER REFERENCES people(id),
    plan          TEXT,
    ack_due       TEXT,
    resolve_due   TEXT,
    solution      TEXT,
    flagged       INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    acknowledged_at TEXT,
    solved_at     TEXT,
    closed_at     TEXT
);
INSERT INTO issues_new SELECT * FROM issues;
DROP TABLE issues;
ALTER TABLE issues_new RENAME TO issues;
CREATE INDEX issues_project ON issues(project_id);
CREATE INDEX issues_open ON issues(status) WHERE status != 'closed';
