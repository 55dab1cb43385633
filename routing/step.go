package routing

// step is one IVR step kind's runtime: what a call does at a node of that
// kind when it enters and on the inputs that reach it there. A new kind is
// one new file with its type and one line in stepKinds; the dispatcher in
// ivr.go and timer.go does not change.
type step interface {
	// is says whether node n is of this kind (Validate allows one kind
	// per node).
	is(n *Node) bool
	// enter starts the step for call c.
	enter(m *Machine, c *call, n *Node)
	// playbackDone: the step's prompt (c.playback) ended.
	playbackDone(m *Machine, c *call, n *Node)
	// digit is a caller's DTMF digit while at the step.
	digit(m *Machine, c *call, n *Node, digit string)
	// timeout: the digit timer (timerMenu) ran out while waiting.
	timeout(m *Machine, c *call, n *Node)
}

// stepKinds is every IVR step kind.
var stepKinds = []step{
	playStep{}, menuStep{}, queueStep{}, hangupStep{}, timeStep{}, collectStep{},
	directoryStep{}, setStep{}, gotoStep{}, dialStep{}, messageStep{}, surveyStep{},
	callbackStep{},
}

// stepFor is node n's kind; a node of none (not valid config) does nothing.
func stepFor(n *Node) step {
	for _, s := range stepKinds {
		if s.is(n) {
			return s
		}
	}
	return noStep{}
}

// noInput is embedded by steps that ignore a caller's inputs and timers.
type noInput struct{}

func (noInput) playbackDone(*Machine, *call, *Node)  {}
func (noInput) digit(*Machine, *call, *Node, string) {}
func (noInput) timeout(*Machine, *call, *Node)       {}

type noStep struct{ noInput }

func (noStep) is(*Node) bool                { return false }
func (noStep) enter(*Machine, *call, *Node) {}

// prompt plays a step's prompt; a digit may barge in.
func prompt(m *Machine, c *call, media []string) {
	c.menuPhase = menuPrompt
	m.play(c, media)
}

// awaitDigits starts a step's digit timer: its prompt ended, or a digit
// came and more may follow.
func awaitDigits(m *Machine, c *call, timeout Duration) {
	c.menuPhase = menuWaiting
	m.setTimer(timerMenu(c), timeout.D())
}

// promptEnded starts the digit timer once the step's own prompt ended.
func promptEnded(m *Machine, c *call, timeout Duration) {
	if c.menuPhase == menuPrompt {
		awaitDigits(m, c, timeout)
	}
}
