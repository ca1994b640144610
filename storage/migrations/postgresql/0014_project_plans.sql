-- PostgreSQL's 0014: 年度计划 per year; the plans held so far are this year's (in China's time).
CREATE TABLE project_plans (
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    year        INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    annual_plan INTEGER NOT NULL CHECK (annual_plan >= 0),
    PRIMARY KEY (project_id, year)
);
INSERT INTO project_plans (project_id, year, annual_plan)
SELECT id, EXTRACT(YEAR FROM now() AT TIME ZONE 'Asia/Shanghai')::integer, annual_plan FROM projects;
