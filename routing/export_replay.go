package routing

// AgentCommandInput is the input Machine.Handle takes for an agent command,
// the same value the API sends through the Engine: op is sign_in,
// sign_out, ready, not_ready, approve or refuse. A replay uses it to feed
// the command records of a log back into a fresh Machine.
func AgentCommandInput(op, agent, endpoint, reason string) any {
	return agentCommand{Op: op, Agent: agent, Endpoint: endpoint, Reason: reason}
}
