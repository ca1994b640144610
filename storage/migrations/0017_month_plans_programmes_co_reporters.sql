-- 分月计划: a project's planned investment for each month of a year (元), imported in the 月度计划
-- sheet; where a year has one, the project's 序时进度 is its own cumulative plan, not the county's.
CREATE TABLE project_month_plans (
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    period     TEXT NOT NULL,
    amount     INTEGER NOT NULL CHECK (amount >= 0),
    PRIMARY KEY (project_id, period)
);

-- Programme lists a project belongs to (002's 中央预算内 / 专项债, 004's 三年滚动), usable as a
-- group's or a bulletin's scope.
CREATE TABLE project_programmes (
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    programme  TEXT NOT NULL,
    PRIMARY KEY (project_id, programme)
);
CREATE INDEX project_programmes_name ON project_programmes(programme);

-- 003: the owner's 联系人 and the township's 专员 both report; one (the liaison) answers for the
-- monthly report. SQLite cannot alter a CHECK, so the table again with 'co_reporter' allowed.
CREATE TABLE project_people_new (
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    person_id  INTEGER NOT NULL REFERENCES people(id),
    role       TEXT NOT NULL CHECK (role IN ('liaison', 'lead_leader', 'co_reporter')),
    PRIMARY KEY (project_id, role, person_id)
);
INSERT INTO project_people_new (project_id, person_id, role) SELECT project_id, person_id, role FROM project_people;
DROP TABLE project_people;
ALTER TABLE project_people_new RENAME TO project_people;
CREATE INDEX project_people_person ON project_people(person_id);

-- A group's scope may be a programme list.
CREATE TABLE group_chats_new (
    chat_id     INTEGER PRIMARY KEY,
    title       TEXT NOT NULL,
    scope_kind  TEXT NOT NULL DEFAULT 'all' CHECK (scope_kind IN ('all', 'unit', 'tier', 'level', 'programme')),
    scope_value TEXT,
    bound_by    INTEGER REFERENCES people(id),
    bound_at    TEXT NOT NULL,
    unreachable TEXT
);
INSERT INTO group_chats_new SELECT chat_id, title, scope_kind, scope_value, bound_by, bound_at, unreachable FROM group_chats;
DROP TABLE group_chats;
ALTER TABLE group_chats_new RENAME TO group_chats;
