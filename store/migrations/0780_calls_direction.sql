-- Outbound calls (click-to-dial, issue 14) share the calls table: their
-- direction, the trunk that carried them and how many trunks were tried.
ALTER TABLE calls ADD COLUMN direction TEXT NOT NULL DEFAULT 'inbound';
ALTER TABLE calls ADD COLUMN trunk TEXT NOT NULL DEFAULT '';
ALTER TABLE calls ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
