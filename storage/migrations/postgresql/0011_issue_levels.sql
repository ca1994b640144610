-- PostgreSQL's 0011: the county's problem levels, as many as it has (its CHECK altered in place).
ALTER TABLE issues DROP CONSTRAINT issues_level_check;
ALTER TABLE issues ADD CONSTRAINT issues_level_check CHECK (level >= 1);
