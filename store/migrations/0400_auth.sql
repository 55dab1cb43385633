-- Accounts (auth.Service): users with a bcrypt password hash, teams,
-- browser sessions and API tokens. Sessions and tokens are stored as the
-- SHA-256 of their secret, never the secret itself. Users are disabled,
-- never deleted, so that the audit log's names stay meaningful.
CREATE TABLE teams (
	name       TEXT PRIMARY KEY,
	title      TEXT NOT NULL,
	created_at TEXT NOT NULL
);

CREATE TABLE users (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	username      TEXT    NOT NULL UNIQUE,
	name          TEXT    NOT NULL,
	role          TEXT    NOT NULL,
	agent_id      TEXT    NOT NULL DEFAULT '',
	team          TEXT    NOT NULL DEFAULT '',
	lang          TEXT    NOT NULL DEFAULT 'zh',
	password_hash TEXT    NOT NULL,
	disabled      INTEGER NOT NULL DEFAULT 0,
	created_at    TEXT    NOT NULL
);
-- One account per routing agent.
CREATE UNIQUE INDEX users_agent_id ON users (agent_id) WHERE agent_id <> '';

CREATE TABLE sessions (
	id_hash    BLOB    PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	csrf       TEXT    NOT NULL,
	addr       TEXT    NOT NULL DEFAULT '',
	created_at TEXT    NOT NULL,
	last_seen  TEXT    NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_last_seen ON sessions (last_seen);

CREATE TABLE api_tokens (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	name        TEXT    NOT NULL,
	role        TEXT    NOT NULL,
	secret_hash BLOB    NOT NULL UNIQUE,
	created_by  TEXT    NOT NULL DEFAULT '',
	created_at  TEXT    NOT NULL,
	last_used   TEXT,
	revoked_at  TEXT
);
-- A name means one live token (audit entries say token:<name>).
CREATE UNIQUE INDEX api_tokens_live_name ON api_tokens (name) WHERE revoked_at IS NULL;
