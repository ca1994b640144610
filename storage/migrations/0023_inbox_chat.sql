-- Several workers on one database: each update's chat, so that a chat's updates are handled one at a time
-- and in order whichever worker takes them (NULL: an update of no chat, or stored before this column).
ALTER TABLE inbox ADD COLUMN chat_id INTEGER;
CREATE INDEX inbox_pending_chat ON inbox(chat_id, update_id) WHERE handled_at IS NULL;
