-- The audit log: who did what, when, from where. Append-only: the triggers
-- refuse any change or deletion, so not even a bug in Switchboard can
-- rewrite it.
CREATE TABLE audit_log (
	seq    INTEGER PRIMARY KEY AUTOINCREMENT,
	time   TEXT NOT NULL,
	actor  TEXT NOT NULL,
	role   TEXT NOT NULL,
	addr   TEXT NOT NULL,
	action TEXT NOT NULL,
	target TEXT NOT NULL,
	ok     INTEGER NOT NULL,
	detail TEXT NOT NULL
);
CREATE INDEX audit_log_time ON audit_log(time);
CREATE INDEX audit_log_actor ON audit_log(actor, time);
CREATE INDEX audit_log_action ON audit_log(action, time);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
