-- leases: which node owns a partition of the work (a PBX link, its calls,
-- queues and agents) while several Switchboard nodes share one
-- PostgreSQL (leases.go). expires_us is microseconds since 1970 by the
-- database's clock, so nodes' clocks never decide who owns what; epoch
-- grows on every take-over and fences the log (Append) against a node
-- that lost its lease but has not noticed yet.
CREATE TABLE leases (
    part       TEXT PRIMARY KEY,
    owner      TEXT NOT NULL,
    owner_url  TEXT NOT NULL DEFAULT '',
    epoch      INTEGER NOT NULL,
    expires_us INTEGER NOT NULL
);
