-- The append-only event log. seq is strictly increasing (AUTOINCREMENT never
-- reuses a value, even after the newest row is deleted). Times are UTC text
-- with nanoseconds and a fixed width ("2006-01-02T15:04:05.000000000Z"), so
-- they sort as text and stay readable in the sqlite3 shell.
CREATE TABLE events (
	seq      INTEGER PRIMARY KEY AUTOINCREMENT,
	time     TEXT    NOT NULL,
	type     TEXT    NOT NULL,
	call_id  TEXT    NOT NULL DEFAULT '',
	agent_id TEXT    NOT NULL DEFAULT '',
	queue    TEXT    NOT NULL DEFAULT '',
	data     TEXT             -- JSON, NULL when the record has none
);
CREATE INDEX events_call_id  ON events (call_id, seq)  WHERE call_id <> '';
CREATE INDEX events_agent_id ON events (agent_id, seq) WHERE agent_id <> '';
CREATE INDEX events_queue    ON events (queue, seq)    WHERE queue <> '';
CREATE INDEX events_type     ON events (type, seq);

-- calls is derived from the call.* events (see store/projection.go) and can be
-- rebuilt from the log at any time (Store.RebuildCalls).
CREATE TABLE calls (
	id             TEXT    PRIMARY KEY,
	first_seq      INTEGER NOT NULL, -- seq of the first event seen for the call
	first_at       TEXT    NOT NULL, -- time of that event
	channel        TEXT    NOT NULL DEFAULT '',
	caller         TEXT    NOT NULL DEFAULT '',
	called         TEXT    NOT NULL DEFAULT '',
	flow           TEXT    NOT NULL DEFAULT '',
	ivr_path       TEXT    NOT NULL DEFAULT '[]', -- JSON array of strings
	queue          TEXT    NOT NULL DEFAULT '',
	agent          TEXT    NOT NULL DEFAULT '',
	offers         INTEGER NOT NULL DEFAULT 0,
	offer_failures INTEGER NOT NULL DEFAULT 0,
	arrived_at     TEXT,
	queued_at      TEXT,
	answered_at    TEXT,
	ended_at       TEXT,
	wait_seconds   REAL,
	talk_seconds   REAL,
	outcome        TEXT    NOT NULL DEFAULT '',
	cause          TEXT    NOT NULL DEFAULT '',
	hangup_by      TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX calls_first_seq ON calls (first_seq);
CREATE INDEX calls_queue     ON calls (queue, first_seq);
CREATE INDEX calls_agent     ON calls (agent, first_seq);
CREATE INDEX calls_open      ON calls (first_seq) WHERE ended_at IS NULL;
