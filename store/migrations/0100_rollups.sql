-- Report rollups: derived from the event log inside Append's transaction
-- (store/rollup.go) and rebuilt from it by Store.RebuildDerived
-- (`switchboard rollup --rebuild`). Numbered 0100 to stay clear of the
-- engine's own migrations.
--
-- One long table: a value per (grain, dimension, bucket, key, metric), so a
-- new event type adds metric names, not columns.
--   grain '15m': bucket is the UTC start of a 15-minute interval
--                ("2006-01-02T15:04:05.000000000Z"); dims queue, agents, ivr
--   grain 'day': bucket is a local date ("2006-01-02") in the rollup time
--                zone (rollup_meta); dim agent
-- Metrics whose name starts with "max_" keep the maximum, all others a sum.
CREATE TABLE rollup (
	grain  TEXT NOT NULL,
	dim    TEXT NOT NULL,
	bucket TEXT NOT NULL,
	key    TEXT NOT NULL,
	metric TEXT NOT NULL,
	value  REAL NOT NULL,
	PRIMARY KEY (grain, dim, bucket, key, metric)
) WITHOUT ROWID;

-- The state each agent is in since when, to time the next transition.
CREATE TABLE rollup_agent_now (
	agent  TEXT PRIMARY KEY,
	state  TEXT NOT NULL,
	reason TEXT NOT NULL DEFAULT '',
	since  TEXT NOT NULL
);

-- The settings the rollup was computed with (time zone, thresholds); a
-- change makes the store rebuild it.
CREATE TABLE rollup_meta (
	name  TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

-- Every scheduled or catch-up export run, with its outcome.
CREATE TABLE export_runs (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	schedule      TEXT    NOT NULL,
	scheduled_for TEXT    NOT NULL,
	started_at    TEXT    NOT NULL,
	finished_at   TEXT    NOT NULL,
	catch_up      INTEGER NOT NULL DEFAULT 0,
	period_from   TEXT    NOT NULL,
	period_to     TEXT    NOT NULL,
	status        TEXT    NOT NULL, -- ok | failed
	attempts      INTEGER NOT NULL,
	file          TEXT    NOT NULL DEFAULT '',
	rows          INTEGER NOT NULL DEFAULT 0,
	sha256        TEXT    NOT NULL DEFAULT '',
	error         TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX export_runs_schedule ON export_runs (schedule, scheduled_for);
