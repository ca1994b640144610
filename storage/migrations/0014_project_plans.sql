-- 年度计划 per year (004 "每年12月底前下达…次年度建设计划项目清单"): next year's list is imported with
-- its year, this year's plans are kept, and each month is judged on its own year's plan. The plans
-- held so far are this year's. projects.annual_plan stays as the newest year's plan, for lists.
CREATE TABLE project_plans (
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    year        INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    annual_plan INTEGER NOT NULL CHECK (annual_plan >= 0),
    PRIMARY KEY (project_id, year)
);
INSERT INTO project_plans (project_id, year, annual_plan)
SELECT id, CAST(strftime('%Y', 'now', '+8 hours') AS INTEGER), annual_plan FROM projects;
