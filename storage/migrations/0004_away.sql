-- People's time away: until when, who stands in, and how much was redirected meanwhile.
ALTER TABLE people ADD COLUMN away_until TEXT;      -- UTC instant: the end of the last day away
ALTER TABLE people ADD COLUMN delegate_id INTEGER REFERENCES people(id);
ALTER TABLE people ADD COLUMN away_redirected INTEGER NOT NULL DEFAULT 0;
