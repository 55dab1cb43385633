package main

import (
	"sort"

	"switchboard/live"
)

func (c *Config) validateWallboard() error {
	queues := make([]string, 0, len(c.Queues))
	for name := range c.Queues {
		queues = append(queues, name)
	}
	sort.Strings(queues)
	return c.Wallboard.Validate(queues)
}

// boardConfig is what the wallboard needs from the config.
func boardConfig(cfg *Config) live.BoardConfig {
	teams, _ := reportTeams(&cfg.Config)
	return live.BoardConfig{Wallboard: cfg.Wallboard, Teams: teams, ShortAbandon: cfg.Reports.ShortAbandon.D()}
}
