-- Teams are the routing config's (teams: and each agent's team:), the one
-- team model (docs/teams.md); accounts name a configured team in
-- users.team. The accounts' own team list is gone.
DROP TABLE teams;
