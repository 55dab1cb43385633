-- PostgreSQL's 0250: the table and indexes of ../0250_messages.sql without
-- its backfill, which reads SQLite's json_extract. A PostgreSQL store starts
-- empty (there is no older PostgreSQL log to fill messages from).
CREATE TABLE messages (
	id               TEXT    PRIMARY KEY,
	seq              BIGINT  NOT NULL,
	call_id          TEXT    NOT NULL DEFAULT '',
	caller           TEXT    NOT NULL DEFAULT '',
	target           TEXT    NOT NULL DEFAULT '',
	target_kind      TEXT    NOT NULL DEFAULT '',
	recorded_at      TEXT    NOT NULL,
	duration_seconds DOUBLE PRECISION NOT NULL DEFAULT 0,
	handled_seq      BIGINT,
	handled_at       TEXT,
	handled_by       TEXT    NOT NULL DEFAULT '',
	note             TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX messages_seq    ON messages (seq);
CREATE INDEX messages_target ON messages (target, seq);
CREATE INDEX messages_open   ON messages (seq) WHERE handled_at IS NULL;
