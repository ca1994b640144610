-- Monthly progress reports (revisions kept), weekly updates, blocking issues with their event log.

CREATE TABLE monthly_reports (
    id                 INTEGER PRIMARY KEY,
    project_id         INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    period             TEXT NOT NULL,             -- YYYY-MM
    revision           INTEGER NOT NULL,
    reporter_id        INTEGER NOT NULL REFERENCES people(id),
    ytd_completed      INTEGER NOT NULL CHECK (ytd_completed >= 0),
    stage              TEXT NOT NULL,
    progress           TEXT NOT NULL,
    photos             TEXT NOT NULL DEFAULT '[]', -- JSON list of Telegram file_ids
    milestones_reached TEXT NOT NULL DEFAULT '[]', -- JSON list of milestone ids
    next_plan          TEXT NOT NULL,
    submitted_at       TEXT NOT NULL,
    UNIQUE (project_id, period, revision)
);
CREATE INDEX monthly_reports_period ON monthly_reports(period, project_id);

CREATE TABLE weekly_updates (
    id           INTEGER PRIMARY KEY,
    project_id   INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    week         TEXT NOT NULL,                   -- ISO week, 2026-W47
    reporter_id  INTEGER NOT NULL REFERENCES people(id),
    done         TEXT NOT NULL,
    plan         TEXT NOT NULL,
    has_problem  INTEGER NOT NULL,
    submitted_at TEXT NOT NULL,
    UNIQUE (project_id, week)
);

CREATE TABLE issue_numbers (
    year INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
);

CREATE TABLE issues (
    id            INTEGER PRIMARY KEY,
    number        TEXT NOT NULL UNIQUE,            -- Q-2026-0042
    project_id    INTEGER NOT NULL REFERENCES projects(id),
    raised_by     INTEGER NOT NULL REFERENCES people(id),
    category      TEXT NOT NULL,
    description   TEXT NOT NULL,
    need          TEXT,
    need_by       TEXT,
    photos        TEXT NOT NULL DEFAULT '[]',
    level         INTEGER NOT NULL DEFAULT 1 CHECK (level BETWEEN 1 AND 3),
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
CREATE INDEX issues_project ON issues(project_id);
CREATE INDEX issues_open ON issues(status) WHERE status != 'closed';

CREATE TABLE issue_events (
    id          INTEGER PRIMARY KEY,
    issue_id    INTEGER NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
    at          TEXT NOT NULL,
    actor_id    INTEGER REFERENCES people(id),     -- NULL: the system (a clock, a default)
    kind        TEXT NOT NULL,
    from_status TEXT,
    to_status   TEXT,
    from_level  INTEGER,
    to_level    INTEGER,
    text        TEXT
);
CREATE INDEX issue_events_issue ON issue_events(issue_id, id);
