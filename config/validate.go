package config

import (
	"errors"
	"fmt"
	"net"
	"strings"

	"switchboard/dialplan"
	"switchboard/routing"
)

// validate reports every problem at once, each as "key.path: problem"
// (locate adds the file and line).
func (c *Config) validate() error {
	var errs []error
	switch c.PBX.Kind {
	case "asterisk":
		if !strings.HasPrefix(c.PBX.ARI.URL, "http://") && !strings.HasPrefix(c.PBX.ARI.URL, "https://") {
			errs = append(errs, fmt.Errorf("pbx.ari.url: %q must start with http:// or https://", c.PBX.ARI.URL))
		}
		if c.PBX.ARI.App == "" {
			errs = append(errs, errors.New("pbx.ari.app: required"))
		}
	case "freeswitch":
		if _, _, err := net.SplitHostPort(c.PBX.ESL.Addr); err != nil {
			errs = append(errs, fmt.Errorf("pbx.esl.addr: %q must be host:port", c.PBX.ESL.Addr))
		}
		if c.PBX.ESL.Password == "" {
			errs = append(errs, errors.New("pbx.esl.password: required"))
		}
		if l := c.PBX.ESL.OutboundListen; l != "" {
			if _, _, err := net.SplitHostPort(l); err != nil {
				errs = append(errs, fmt.Errorf("pbx.esl.outbound_listen: %q must be host:port", l))
			}
		}
	default:
		errs = append(errs, fmt.Errorf("pbx.kind: %q is not supported (supported: asterisk, freeswitch)", c.PBX.Kind))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("log_level: %q is not one of debug, info, warn, error", c.LogLevel))
	}
	errs = append(errs, c.Listen.validate()...)
	if err := c.validateReports(); err != nil {
		errs = append(errs, err)
	}
	if err := c.validateStore(); err != nil {
		errs = append(errs, err)
	}
	if err := c.validateCluster(); err != nil {
		errs = append(errs, err)
	}
	if err := c.validateAuth(); err != nil {
		errs = append(errs, err)
	}
	if err := c.validateWallboard(); err != nil {
		errs = append(errs, err)
	}
	if err := c.Tickets.Validate(&c.Config); err != nil {
		errs = append(errs, err)
	}
	if err := c.Quality.Validate(c.dispositionCodes()); err != nil {
		errs = append(errs, err)
	}
	if err := c.Workforce.Validate(&c.Config); err != nil {
		errs = append(errs, err)
	}
	if err := c.FollowUps.Validate(&c.Config); err != nil {
		errs = append(errs, err)
	}
	if err := c.Clock.validate(); err != nil {
		errs = append(errs, err)
	}
	if err := c.Dialplan.Validate(); err != nil {
		errs = append(errs, err)
	}
	c.Config.Trunks = routingTrunks(c.Dialplan.Trunks)
	if err := c.Config.Validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// routingTrunks are dialplan.trunks as routing sees them: names and limits.
func routingTrunks(ts []dialplan.Trunk) []routing.Trunk {
	out := make([]routing.Trunk, 0, len(ts))
	for _, t := range ts {
		out = append(out, routing.Trunk{Name: t.Name, MaxChannels: t.MaxChannels, CallerID: t.CallerID})
	}
	return out
}

// dispositionCodes is the configured wrap-up codes.
func (c *Config) dispositionCodes() []string {
	out := make([]string, 0, len(c.Dispositions))
	for _, d := range c.Dispositions {
		out = append(out, d.Code)
	}
	return out
}
