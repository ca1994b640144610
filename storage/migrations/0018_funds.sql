-- 资金: a project's funding plan for a year by source (the import's 资金计划 columns, 元), and the funds
-- arrived this year to date as its monthly report gives them (where the policy asks: ask_funds).
CREATE TABLE project_funds (
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    year       INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    source     TEXT NOT NULL CHECK (source IN ('central_budget', 'special_bonds', 'policy_finance', 'bank_loans',
                                               'self_raised', 'other')),
    amount     INTEGER NOT NULL CHECK (amount >= 0),
    PRIMARY KEY (project_id, year, source)
);
ALTER TABLE monthly_reports ADD COLUMN funds_arrived INTEGER CHECK (funds_arrived >= 0);
