-- Customers are a projection of customer.saved records (customers/) and
-- belong to a team, whose agents and lead see and edit them ('' shared:
-- customers kept before teams owned them).
ALTER TABLE customers ADD COLUMN team TEXT NOT NULL DEFAULT '';
