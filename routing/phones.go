package routing

import (
	"fmt"
	"strings"
)

// Which phones people may be called on. A sign-in or a supervisor's
// listen names a dial string the PBX will ring; trusted as given, it
// would let an agent sign in on a trunk to a premium number, a Local/
// channel into any context or someone else's phone (toll fraud, call
// diversion). So only declared phones are rung: each agent's own
// endpoint, and the shared ones in shared_phones: (hot desks, supervisors'
// desk phones).

// CodeEndpointNotDeclared refuses a phone the config does not declare for
// the agent (or supervisor): 403.
const CodeEndpointNotDeclared = "endpoint_not_declared"

// declaredPhone reports whether ep is one of the config's phones: an
// agent's own endpoint (owner is that agent) or a shared one (owner "").
func (c *Config) declaredPhone(ep string) (owner string, ok bool) {
	for _, ac := range c.Agents {
		if strings.EqualFold(ac.Endpoint, ep) {
			owner, ok = ac.ID, true
		}
	}
	for _, p := range c.SharedPhones {
		if strings.EqualFold(p, ep) {
			return "", true // shared: anyone may use it, even if it is also someone's
		}
	}
	return owner, ok
}

// agentMayUse refuses a sign-in on a phone that is neither the agent's
// own nor a shared one.
func (c *Config) agentMayUse(agentID, ep string) error {
	owner, ok := c.declaredPhone(ep)
	switch {
	case ok && (owner == "" || owner == agentID):
		return nil
	case ok:
		return &PolicyError{Code: CodeEndpointNotDeclared, Field: "endpoint",
			Message: fmt.Sprintf("phone %s is agent %s's own phone, not yours: sign in on your own phone or a shared one (shared_phones:)", ep, owner)}
	}
	return &PolicyError{Code: CodeEndpointNotDeclared, Field: "endpoint",
		Message: fmt.Sprintf("phone %s is not a declared phone: sign in on your own phone or a shared one (shared_phones:)", ep)}
}

// supervisorMayUse refuses a supervisor's phone the config does not
// declare (an agent's own or a shared one).
func (c *Config) supervisorMayUse(ep string) error {
	if _, ok := c.declaredPhone(ep); ok {
		return nil
	}
	return &PolicyError{Code: CodeEndpointNotDeclared, Field: "endpoint",
		Message: fmt.Sprintf("phone %s is not a declared phone: use a phone in shared_phones: or an agent's endpoint", ep)}
}

// validatePhones checks the shared phones: dial strings, once each.
func (c *Config) validatePhones(bad func(key, format string, a ...any)) {
	seen := map[string]bool{}
	for i, p := range c.SharedPhones {
		key := fmt.Sprintf("shared_phones[%d]", i)
		switch l := strings.ToLower(p); {
		case !validEndpoint(p):
			bad(key, "%q: must be TECH/resource, e.g. PJSIP/1010", p)
		case seen[l]:
			bad(key, "%q is listed twice", p)
		default:
			seen[l] = true
		}
	}
}
