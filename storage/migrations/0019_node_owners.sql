-- 倒计时节点 by owners (004 "建立全年倒计时工作台账"): a node names who answers for it, a liaison may add
-- one or re-plan one with a reason, and every change is kept. A node the liaison added stays when the
-- next project sheet is imported (source 'report'); the sheet's own nodes follow the sheet.
ALTER TABLE milestones ADD COLUMN owner TEXT;
ALTER TABLE milestones ADD COLUMN source TEXT NOT NULL DEFAULT 'import' CHECK (source IN ('import', 'report'));
CREATE TABLE milestone_changes (
    id           INTEGER PRIMARY KEY,
    milestone_id INTEGER NOT NULL REFERENCES milestones(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('added', 'replanned')),
    old_due      TEXT,
    new_due      TEXT NOT NULL,
    reason       TEXT,
    actor_id     INTEGER REFERENCES people(id),
    at           TEXT NOT NULL
);
CREATE INDEX milestone_changes_node ON milestone_changes(milestone_id);
