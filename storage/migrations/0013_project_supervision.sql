-- 挂牌督办 of a project (002 "对进展缓慢、工期滞后的项目,及时挂牌督办"): put on by a leader or the
-- centre, or by the flag watch after the policy's run of red months; shown until lifted, with who
-- did each and why. A project has at most one supervision open at a time.
CREATE TABLE project_supervision (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    started_at  TEXT NOT NULL,
    started_by  INTEGER REFERENCES people(id),  -- NULL: the flag watch, by the policy's rule
    reason      TEXT NOT NULL,
    lifted_at   TEXT,
    lifted_by   INTEGER REFERENCES people(id),
    lift_reason TEXT
);
CREATE UNIQUE INDEX project_supervision_open ON project_supervision(project_id) WHERE lifted_at IS NULL;
