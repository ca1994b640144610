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

-- 003's 专员 report beside the liaison; a group's scope may be a programme list (CHECKs altered in place).
ALTER TABLE project_people DROP CONSTRAINT project_people_role_check;
ALTER TABLE project_people ADD CONSTRAINT project_people_role_check
    CHECK (role IN ('liaison', 'lead_leader', 'co_reporter'));
ALTER TABLE group_chats DROP CONSTRAINT group_chats_scope_kind_check;
ALTER TABLE group_chats ADD CONSTRAINT group_chats_scope_kind_check
    CHECK (scope_kind IN ('all', 'unit', 'tier', 'level', 'programme'));
