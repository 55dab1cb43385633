package routing

// Records of the desk's call controls (callcontrol.go).
const (
	EvCallHeld    = "call.held"    // HoldData: the caller went on hold
	EvCallResumed = "call.resumed" // HoldData with Seconds: the hold ended
	EvCallMuted   = "call.muted"   // MuteData: the agent's leg muted
	EvCallUnmuted = "call.unmuted" // MuteData: unmuted
)

// HoldData is the payload of call.held and call.resumed. On call.resumed
// Seconds is that hold's length and Reason why it ended (resumed, ended,
// transferred); By is empty when the hold ended with the talk.
type HoldData struct {
	By      string  `json:"by,omitempty"`
	Agent   string  `json:"agent"`
	Seconds float64 `json:"seconds,omitempty"`
	Reason  string  `json:"reason,omitempty"`
}

// MuteData is the payload of call.muted and call.unmuted: the agent's leg
// whose audio no longer reaches (or again reaches) the call.
type MuteData struct {
	By    string `json:"by"`
	Agent string `json:"agent"`
	Leg   string `json:"leg"`
}
