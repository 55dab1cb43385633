package routing

// hangupStep ends the call with the outcome its flow reached.
type hangupStep struct{ noInput }

func (hangupStep) is(n *Node) bool { return n.Hangup != nil }

func (hangupStep) enter(m *Machine, c *call, _ *Node) { m.hangupCall(c, m.flowOutcome(c)) }
