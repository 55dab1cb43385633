package routing

// enterNode moves a call to a flow node; input is what led there.
func (m *Machine) enterNode(c *call, name, input string) {
	if c.phase == phaseEnded {
		return
	}
	n := c.flow.Nodes[name]
	if n == nil {
		// Play nodes without next (and menus without on_failure) end here.
		m.hangupCall(c, m.flowOutcome(c))
		return
	}
	if name != c.node {
		c.menuAttempts = 0
	}
	c.node = name
	c.phase = phaseIVR
	m.record(&Record{Type: EvCallIVR, CallID: c.id}, IVRData{Node: name, Input: input})
	if c.unanswered && !silentStep(n) {
		c.unanswered = false // this step plays or talks: answer first
		m.emit(cmdAnswer{Channel: c.channel})
	}
	stepFor(n).enter(m, c, n)
}

func (m *Machine) flowOutcome(c *call) string {
	switch {
	case c.postCall:
		return OutcomeAnswered
	case c.noAgent:
		return OutcomeNoAgent
	case c.full:
		return OutcomeQueueFull
	case c.overflowed:
		return OutcomeOverflow
	case c.timedOut:
		return OutcomeTimeout
	}
	return OutcomeFlowEnded
}

func (m *Machine) play(c *call, media []string) {
	m.stopPlayback(c)
	id := m.ids("pb")
	c.playback = id
	m.playbacks[id] = c
	m.emit(cmdPlay{Channel: c.channel, PlaybackID: id, Media: media})
}

func (m *Machine) stopPlayback(c *call) {
	if c.moh {
		c.moh = false
		m.emit(cmdStopMOH{Call: c.id, Channel: c.channel})
	}
	if c.playback == "" {
		return
	}
	delete(m.playbacks, c.playback)
	m.emit(cmdStopPlayback{Channel: c.channel, PlaybackID: c.playback})
	c.playback = ""
}

func (m *Machine) onPlaybackDone(c *call, id string) {
	if id == c.screen.announcement && id != "" {
		c.screen.announcement = "" // the announcement ended; the decision timer runs
		return
	}
	if id != c.playback || c.phase == phaseEnded {
		return
	}
	c.playback = ""
	switch c.phase {
	case phaseQueued:
		m.acd.ann.hold(c) // hold media loops, or the PBX's music resumes, until an agent answers
	case phaseIVR:
		if n := c.flow.Nodes[c.node]; n != nil {
			stepFor(n).playbackDone(m, c, n)
		}
	}
}

func (m *Machine) onDigit(c *call, digit string) {
	if c.phase == phaseQueued {
		m.acd.queueDigit(c, digit)
		return
	}
	if c.phase != phaseIVR {
		return
	}
	n := c.flow.Nodes[c.node]
	if n == nil {
		return
	}
	stepFor(n).digit(m, c, n, digit)
}
