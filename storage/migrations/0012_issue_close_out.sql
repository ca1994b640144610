-- The rest of the problem ladder (issue 11): the item of a two-level category, the assignee's
-- 办理方案 and its clock, how the raiser's satisfaction was given (by them, or by the centre's 回访
-- naming who confirmed), and who holds a problem at a level the ladder fills with named people.
ALTER TABLE issues ADD COLUMN category_item TEXT;
ALTER TABLE issues ADD COLUMN plan_due TEXT;
ALTER TABLE issues ADD COLUMN work_plan TEXT;
ALTER TABLE issues ADD COLUMN planned_at TEXT;
ALTER TABLE issues ADD COLUMN satisfaction TEXT CHECK (satisfaction IN ('satisfied', 'basic', 'unsatisfied'));
ALTER TABLE issues ADD COLUMN confirmed_by TEXT;

CREATE TABLE issue_holders (
    issue_id  INTEGER NOT NULL REFERENCES issues(id),
    person_id INTEGER NOT NULL REFERENCES people(id),
    PRIMARY KEY (issue_id, person_id)
);
