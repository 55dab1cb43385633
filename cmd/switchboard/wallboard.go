package main

import (
	"switchboard/config"
	"switchboard/live"
)

// boardConfig is what the wallboard needs from the config.
func boardConfig(cfg *config.Config) live.BoardConfig {
	teams, _ := reportTeams(&cfg.Config)
	return live.BoardConfig{Wallboard: cfg.Wallboard, Teams: teams, ShortAbandon: cfg.Reports.ShortAbandon.D()}
}
