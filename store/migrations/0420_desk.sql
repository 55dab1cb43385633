-- The agent desk. A call's wrap-up (call.wrapped: the last one wins) and
-- its transfers (call.transferred) join the calls projection; the caller
-- index serves a customer's contact history.
ALTER TABLE calls ADD COLUMN disposition TEXT NOT NULL DEFAULT '';
ALTER TABLE calls ADD COLUMN notes       TEXT NOT NULL DEFAULT '';
ALTER TABLE calls ADD COLUMN follow_up   INTEGER NOT NULL DEFAULT 0;
ALTER TABLE calls ADD COLUMN wrapped_by  TEXT NOT NULL DEFAULT '';
ALTER TABLE calls ADD COLUMN transfers   INTEGER NOT NULL DEFAULT 0;
CREATE INDEX calls_caller ON calls (caller, first_seq);

-- Customers are kept by the agents (not derived from the log): a name,
-- notes and tags, and the numbers a screen pop matches them by. A number
-- belongs to one customer.
CREATE TABLE customers (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	name       TEXT NOT NULL,
	notes      TEXT NOT NULL DEFAULT '',
	tags       TEXT NOT NULL DEFAULT '[]', -- JSON array of strings
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	updated_by TEXT NOT NULL DEFAULT ''
);
CREATE TABLE customer_numbers (
	number      TEXT PRIMARY KEY,
	customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE
);
CREATE INDEX customer_numbers_customer ON customer_numbers (customer_id);
