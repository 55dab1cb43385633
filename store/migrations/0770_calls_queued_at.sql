-- The wallboard reads the calls queued in the last 30 minutes several
-- times a second.
CREATE INDEX calls_queued_at ON calls (queued_at) WHERE queued_at IS NOT NULL;
