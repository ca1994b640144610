-- The county's own questions in the monthly report (policy monthly_report.fields): the answers by key.
ALTER TABLE monthly_reports ADD COLUMN extra TEXT NOT NULL DEFAULT '{}';
