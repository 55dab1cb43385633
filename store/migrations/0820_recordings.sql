-- recordings is the index of call recordings, derived from the recording.*
-- records (see store/recordings.go) inside Append's transaction and rebuilt
-- from the log with the other derived tables. id is the call's set of files
-- ("rec-" + call ID); parts and pauses are JSON arrays. A log written before
-- this migration has no recording.* records, so there is nothing to fill.
CREATE TABLE recordings (
	id               TEXT    PRIMARY KEY,
	seq              INTEGER NOT NULL, -- seq of the first recording.started
	call_id          TEXT    NOT NULL,
	agent            TEXT    NOT NULL DEFAULT '',
	team             TEXT    NOT NULL DEFAULT '',
	queue            TEXT    NOT NULL DEFAULT '',
	direction        TEXT    NOT NULL DEFAULT 'inbound',
	caller           TEXT    NOT NULL DEFAULT '',
	mode             TEXT    NOT NULL DEFAULT '',
	started_at       TEXT    NOT NULL,
	ended_at         TEXT,
	duration_seconds REAL    NOT NULL DEFAULT 0, -- talk covered, gaps included
	paused_seconds   REAL    NOT NULL DEFAULT 0,
	retention_days   INTEGER NOT NULL DEFAULT 0,
	parts            TEXT    NOT NULL DEFAULT '[]',
	pauses           TEXT    NOT NULL DEFAULT '[]',
	failures         INTEGER NOT NULL DEFAULT 0,
	last_error       TEXT    NOT NULL DEFAULT '',
	held             INTEGER NOT NULL DEFAULT 0,
	held_by          TEXT    NOT NULL DEFAULT '',
	deleted_at       TEXT,
	deleted_by       TEXT    NOT NULL DEFAULT '',
	delete_reason    TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX recordings_started ON recordings (started_at);
CREATE INDEX recordings_agent   ON recordings (agent, started_at);
CREATE INDEX recordings_call    ON recordings (call_id);
