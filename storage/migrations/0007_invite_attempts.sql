-- Wrong invite codes per Telegram account, so that guessing codes is slowed to a few an hour.
CREATE TABLE invite_attempts (
    telegram_id INTEGER NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX invite_attempts_by_account ON invite_attempts(telegram_id, at);
