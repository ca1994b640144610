-- Foundation: organisation, projects, invites, the update inbox, the outbox, job runs, groups and
-- conversation state. Times are ISO-8601 in UTC; dates are YYYY-MM-DD; money is integer 元.

CREATE TABLE units (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE people (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    unit_id       INTEGER REFERENCES units(id),
    telegram_id   INTEGER UNIQUE,
    locale        TEXT CHECK (locale IN ('zh', 'en')),
    unreachable   TEXT,               -- why messages cannot reach them (blocked the bot, …)
    created_at    TEXT NOT NULL
);
CREATE INDEX people_name ON people(name);

CREATE TABLE person_roles (
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    role      TEXT NOT NULL CHECK (role IN ('admin', 'leader', 'unit_head', 'liaison', 'member')),
    PRIMARY KEY (person_id, role)
);

CREATE TABLE projects (
    id               INTEGER PRIMARY KEY,
    code             TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    tier             TEXT NOT NULL CHECK (tier IN ('reserve', 'annual', 'key')),
    level            TEXT NOT NULL CHECK (level IN ('province', 'city', 'county')),
    stage            TEXT NOT NULL CHECK (stage IN ('planning', 'preparing', 'new_start',
                                                    'continuing', 'completed', 'operating')),
    industry         TEXT,
    location         TEXT,
    owner            TEXT,
    total_investment INTEGER NOT NULL CHECK (total_investment >= 0),
    annual_plan      INTEGER NOT NULL CHECK (annual_plan >= 0),
    planned_start    TEXT,
    planned_end      TEXT,
    active           INTEGER NOT NULL DEFAULT 1,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);

CREATE TABLE project_units (
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    unit_id    INTEGER NOT NULL REFERENCES units(id),
    role       TEXT NOT NULL CHECK (role IN ('lead', 'responsible')),
    PRIMARY KEY (project_id, unit_id, role)
);
CREATE INDEX project_units_unit ON project_units(unit_id);

CREATE TABLE project_people (
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    person_id  INTEGER NOT NULL REFERENCES people(id),
    role       TEXT NOT NULL CHECK (role IN ('liaison', 'lead_leader')),
    PRIMARY KEY (project_id, role, person_id)
);
CREATE INDEX project_people_person ON project_people(person_id);

CREATE TABLE milestones (
    id         INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    due_date   TEXT NOT NULL,
    reached_on TEXT,
    UNIQUE (project_id, name)
);

CREATE TABLE invites (
    code_hash   TEXT PRIMARY KEY,     -- sha256 of the code: a copied database reveals no codes
    person_id   INTEGER NOT NULL REFERENCES people(id),
    role        TEXT NOT NULL,
    created_by  INTEGER REFERENCES people(id),
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT,
    used_by     INTEGER               -- the Telegram user id that redeemed it
);

CREATE TABLE inbox (
    update_id   INTEGER PRIMARY KEY,
    payload     TEXT NOT NULL,
    received_at TEXT NOT NULL,
    handled_at  TEXT,
    error       TEXT
);
CREATE INDEX inbox_pending ON inbox(update_id) WHERE handled_at IS NULL;

CREATE TABLE outbox (
    id             INTEGER PRIMARY KEY,
    chat_id        INTEGER NOT NULL,
    method         TEXT NOT NULL,
    payload        TEXT NOT NULL,     -- JSON parameters of the Bot API method
    attachment     BLOB,              -- a file to upload with it (a chart, a ledger), if any
    attachment_field TEXT,            -- the parameter the file goes in: photo, document
    attachment_name TEXT,
    urgent         INTEGER NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL,
    not_before     TEXT,
    attempts       INTEGER NOT NULL DEFAULT 0,
    sent_at        TEXT,
    message_id     INTEGER,
    failed_at      TEXT,
    error          TEXT
);
CREATE INDEX outbox_pending ON outbox(chat_id, id) WHERE sent_at IS NULL AND failed_at IS NULL;

CREATE TABLE job_runs (
    job         TEXT NOT NULL,
    period      TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    PRIMARY KEY (job, period)
);

CREATE TABLE group_chats (
    chat_id     INTEGER PRIMARY KEY,
    title       TEXT NOT NULL,
    scope_kind  TEXT NOT NULL DEFAULT 'all' CHECK (scope_kind IN ('all', 'unit', 'tier', 'level')),
    scope_value TEXT,
    bound_by    INTEGER REFERENCES people(id),
    bound_at    TEXT NOT NULL,
    unreachable TEXT
);

CREATE TABLE group_subscriptions (
    chat_id INTEGER NOT NULL REFERENCES group_chats(chat_id) ON DELETE CASCADE,
    kind    TEXT NOT NULL CHECK (kind IN ('weekly_digest', 'monthly_bulletin',
                                          'quarterly_analysis', 'overdue_notices')),
    PRIMARY KEY (chat_id, kind)
);

CREATE TABLE conversations (
    person_id  INTEGER PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,
    flow       TEXT NOT NULL,
    step       TEXT NOT NULL,
    nonce      TEXT NOT NULL,         -- in every button of this flow: older buttons are stale
    draft      TEXT NOT NULL,         -- JSON of the answers so far
    updated_at TEXT NOT NULL
);
