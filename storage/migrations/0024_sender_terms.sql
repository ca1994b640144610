-- A sender's term: each worker that becomes the sender starts a new one, and a message is claimed under the
-- current term just before it goes and recorded as sent only under the term that claimed it. A stalled
-- ex-sender (its database session gone, its process alive) can then send no message a newer sender owns.
CREATE TABLE sender_term (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    term INTEGER NOT NULL
);
ALTER TABLE outbox ADD COLUMN claim_term INTEGER;
