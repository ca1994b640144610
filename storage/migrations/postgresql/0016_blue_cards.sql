-- PostgreSQL's 0016: 蓝牌 is a recorded colour too (its CHECK altered in place).
ALTER TABLE project_flags DROP CONSTRAINT project_flags_colour_check;
ALTER TABLE project_flags ADD CONSTRAINT project_flags_colour_check
    CHECK (colour IN ('green', 'blue', 'yellow', 'red'));
