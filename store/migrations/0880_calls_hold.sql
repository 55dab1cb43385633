-- Desk hold (issue 16): the seconds the caller spent on hold, summed from
-- call.resumed; talk excludes it and AHT adds it back.
ALTER TABLE calls ADD COLUMN hold_seconds REAL NOT NULL DEFAULT 0;
