-- Hardening: an update is tried a bounded number of times and then set aside (the administrators
-- told); who changed a person's roles or account, and when; people who left; the last refusal a
-- person drew in a group, so that refusals there are bounded.
ALTER TABLE inbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;   -- handling began this often
ALTER TABLE inbox ADD COLUMN set_aside INTEGER NOT NULL DEFAULT 0;  -- unreadable or crashed the process
ALTER TABLE inbox ADD COLUMN told_at TEXT;                          -- when the administrators heard of it

ALTER TABLE people ADD COLUMN active INTEGER NOT NULL DEFAULT 1;

CREATE TABLE person_changes (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    person_id INTEGER NOT NULL REFERENCES people(id),
    change    TEXT NOT NULL CHECK (change IN ('role_added', 'role_removed', 'unlinked', 'deactivated')),
    detail    TEXT,                              -- the role, or the Telegram id unlinked
    actor_id  INTEGER REFERENCES people(id),     -- NULL: the command line or the settings
    source    TEXT NOT NULL CHECK (source IN ('bot', 'cli', 'settings'))
);
CREATE INDEX person_changes_person ON person_changes(person_id, at);

CREATE TABLE group_refusals (
    chat_id     INTEGER NOT NULL,
    telegram_id INTEGER NOT NULL,
    at          TEXT NOT NULL,
    PRIMARY KEY (chat_id, telegram_id)
);
