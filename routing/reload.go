package routing

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
)

// configApplied asks the machine to record the config it runs, at start.
type configApplied struct{}

// reloadCommand asks the machine to switch to a new config between two
// inputs.
type reloadCommand struct {
	cfg *Config
}

// apply installs cfg: queues and agents are rebuilt around their live
// state, so nobody is signed out and no waiting caller loses their place.
// Calls keep the flow version they started with.
func (m *Machine) apply(cfg *Config) {
	m.cfg, m.flows = cfg, cfg.Flows
	m.roster.cfg, m.acd.cfg, m.desk.cfg, m.calendars.cfg, m.outbound.cfg, m.work.cfg = cfg, cfg, cfg, cfg, cfg, cfg
	m.supervisors.cfg, m.chats.cfg = cfg, cfg
	m.chats.dirty = true // capacities or queues may have changed
	m.trunks.apply(cfg)
	m.acd.version++
	keep := make(map[string]bool, len(cfg.Agents))
	for i, ac := range cfg.Agents {
		keep[ac.ID] = true
		if a := m.agents[ac.ID]; a != nil {
			a.configure(ac)
			a.order = i
			continue
		}
		m.agents[ac.ID] = newAgent(ac, i)
	}
	for id := range m.agents {
		if !keep[id] {
			delete(m.agents, id) // reload checked they are signed out
		}
	}
	old := m.acd.queues
	m.acd.queues = make(map[string]*queueState, len(cfg.Queues))
	for name, q := range cfg.Queues {
		qs := old[name]
		if qs == nil {
			qs = &queueState{name: name}
		}
		qs.cfg, qs.members = q, nil
		m.acd.queues[name] = qs
	}
	for _, ac := range cfg.Agents {
		for _, qm := range ac.Queues {
			m.acd.queues[qm.Queue].members = append(m.acd.queues[qm.Queue].members, m.agents[ac.ID])
		}
	}
}

// reload validates that cfg can replace the running config without
// stranding anyone, applies it and records it.
func (m *Machine) reload(cfg *Config) error {
	var errs []error
	for _, c := range m.liveCalls() {
		if c.queue != "" && cfg.Queues[c.queue] == nil && c.phase != phaseIVR {
			errs = append(errs, fmt.Errorf("queues.%s: cannot be removed while call %s uses it", c.queue, c.id))
		}
	}
	// A callback waiting (or reserved, or being dialled) in a removed queue
	// would wait forever: refused like a call, naming it.
	for _, id := range sortedKeys(m.work.items) {
		if it := m.work.items[id]; it.state != WorkClosed && cfg.Queues[it.queue] == nil {
			errs = append(errs, fmt.Errorf("queues.%s: cannot be removed while callback %s is open in it (%s)", it.queue, it.id, it.state))
		}
	}
	signedIn := map[string]bool{}
	for _, ac := range cfg.Agents {
		signedIn[ac.ID] = true
	}
	for _, id := range sortedKeys(m.agents) {
		if a := m.agents[id]; a.state != SignedOut && !signedIn[id] {
			errs = append(errs, fmt.Errorf("agents: %s cannot be removed while signed in (%s)", id, a.state))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	m.apply(cfg)
	m.recordConfig()
	m.acd.distribute()
	return nil
}

// recordConfig writes config.applied with the whole config, so a replay
// knows what was deciding.
func (m *Machine) recordConfig() {
	b, err := json.Marshal(m.cfg)
	if err != nil {
		m.log.Error("config not recorded", "err", err)
		return
	}
	sum := sha256.Sum256(b)
	m.record(&Record{Type: EvConfigApplied}, ConfigData{
		Version: m.acd.version, Hash: hex.EncodeToString(sum[:8]), Config: json.RawMessage(b),
	})
}

// Version is the running config's version.
func (m *Machine) Version() int { return m.acd.version }
