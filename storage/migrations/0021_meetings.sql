-- 调度会 (000 "每月召开一次调度会"; 004 "牵头区领导原则上每月专题调度1次"; 002 "一周一调度"): a meeting with
-- its leader (none: the centre's 专班 or 联席会议), day and scope; its pack sent the working day before, its
-- minutes once its decisions are in. A recurring meeting the policy makes carries the key it was made for,
-- so it is made once.
CREATE TABLE meetings (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('dispatch', 'special', 'joint')),
    leader_id       INTEGER REFERENCES people(id),
    held_on         TEXT NOT NULL,
    created_by      INTEGER REFERENCES people(id),
    created_at      TEXT NOT NULL,
    recurrence      TEXT UNIQUE,
    pack_sent_at    TEXT,
    minutes_sent_at TEXT
);
CREATE INDEX meetings_day ON meetings(held_on);

-- 议定事项 are problems of the meeting (the same machinery: assigned, 签收, 办结, confirmed, escalated),
-- numbered in their own series (Y-2026-0007): the numbers by series and year.
ALTER TABLE issues ADD COLUMN meeting_id INTEGER REFERENCES meetings(id);
CREATE TABLE item_numbers (
    series TEXT NOT NULL,
    year   INTEGER NOT NULL,
    last   INTEGER NOT NULL,
    PRIMARY KEY (series, year)
);
INSERT INTO item_numbers (series, year, last) SELECT 'Q', year, last FROM issue_numbers;
DROP TABLE issue_numbers;
