package main

import (
	"sort"

	"switchboard/live"
)

// mergeWallboard lays the file's wallboard: section over the defaults,
// metric by metric; the per-queue overrides wholesale.
func (c *Config) mergeWallboard(src *Config) {
	d, s := &c.Wallboard.Thresholds, src.Wallboard.Thresholds
	for _, m := range []struct{ dst, src **live.Limit }{
		{&d.Waiting, &s.Waiting}, {&d.LongestWait, &s.LongestWait},
		{&d.ServiceLevel, &s.ServiceLevel}, {&d.ServiceLevel30m, &s.ServiceLevel30m},
		{&d.AbandonRate, &s.AbandonRate}, {&d.ASA, &s.ASA}, {&d.Ready, &s.Ready},
	} {
		if *m.src != nil {
			*m.dst = *m.src
		}
	}
	if src.Wallboard.Queues != nil {
		c.Wallboard.Queues = src.Wallboard.Queues
	}
	if src.Wallboard.Teams.Ready != nil {
		c.Wallboard.Teams.Ready = src.Wallboard.Teams.Ready
	}
}

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
