-- messages is derived from the call.message and message.handled records (see
-- store/messages.go), inside Append's transaction, and rebuilt from the log
-- with the other derived tables (switchboard rollup --rebuild). id is the
-- recording's name. The INSERT and UPDATE below fill it from a log written
-- before this migration, with the same rules: the first call.message of a
-- recording and its first message.handled win.
CREATE TABLE messages (
	id               TEXT    PRIMARY KEY,
	seq              INTEGER NOT NULL, -- seq of the call.message record
	call_id          TEXT    NOT NULL DEFAULT '',
	caller           TEXT    NOT NULL DEFAULT '',
	target           TEXT    NOT NULL DEFAULT '',
	target_kind      TEXT    NOT NULL DEFAULT '',
	recorded_at      TEXT    NOT NULL,
	duration_seconds REAL    NOT NULL DEFAULT 0,
	handled_seq      INTEGER,          -- seq of the message.handled record
	handled_at       TEXT,
	handled_by       TEXT    NOT NULL DEFAULT '',
	note             TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX messages_seq    ON messages (seq);
CREATE INDEX messages_target ON messages (target, seq);
CREATE INDEX messages_open   ON messages (seq) WHERE handled_at IS NULL;

INSERT INTO messages (id, seq, call_id, caller, target, target_kind, recorded_at, duration_seconds)
SELECT json_extract(data, '$.recording'), seq, call_id,
	coalesce(json_extract(data, '$.caller'), ''), coalesce(json_extract(data, '$.target'), ''),
	coalesce(json_extract(data, '$.target_kind'), ''), time,
	coalesce(json_extract(data, '$.duration_seconds'), 0)
FROM events
WHERE type = 'call.message' AND coalesce(json_extract(data, '$.recording'), '') <> ''
ORDER BY seq
ON CONFLICT (id) DO NOTHING;

UPDATE messages SET (handled_seq, handled_at, handled_by, note) = (
	SELECT e.seq, e.time, coalesce(json_extract(e.data, '$.by'), ''), coalesce(json_extract(e.data, '$.note'), '')
	FROM events e
	WHERE e.type = 'message.handled' AND json_extract(e.data, '$.recording') = messages.id AND e.seq > messages.seq
	ORDER BY e.seq LIMIT 1)
WHERE EXISTS (SELECT 1 FROM events e
	WHERE e.type = 'message.handled' AND json_extract(e.data, '$.recording') = messages.id AND e.seq > messages.seq);
