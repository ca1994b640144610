-- 000's 红黄蓝牌 (policy flags.scheme = "warning"): 蓝牌 is a recorded colour too. SQLite cannot alter a
-- CHECK, so the table again with 'blue' allowed; every recorded colour kept.
CREATE TABLE project_flags_new (
    project_id      INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    period          TEXT NOT NULL,
    colour          TEXT NOT NULL CHECK (colour IN ('green', 'blue', 'yellow', 'red')),
    computed_at     TEXT NOT NULL,
    previous_colour TEXT,
    changed_at      TEXT,
    PRIMARY KEY (project_id, period)
);
INSERT INTO project_flags_new (project_id, period, colour, computed_at, previous_colour, changed_at)
SELECT project_id, period, colour, computed_at, previous_colour, changed_at FROM project_flags;
DROP TABLE project_flags;
ALTER TABLE project_flags_new RENAME TO project_flags;
