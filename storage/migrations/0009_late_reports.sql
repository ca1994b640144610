-- 补报: whether a revision came after its month's due day (for history, ledgers and 报送及时率).
ALTER TABLE monthly_reports ADD COLUMN late INTEGER NOT NULL DEFAULT 0;
