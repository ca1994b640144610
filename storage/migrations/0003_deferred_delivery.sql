-- Messages that wait for the morning (quiet hours) do not hold back the rest of their chat, unlike
-- a retry's `not_before`, which keeps the chat's order.
ALTER TABLE outbox ADD COLUMN deliver_after TEXT;
CREATE INDEX issue_events_kind ON issue_events(issue_id, kind);
