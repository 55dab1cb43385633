package aritest

import "fmt"

// Endpoint events, shaped like Asterisk 22's (events.json: Endpoint,
// ContactInfo, Peer) once the application subscribed to endpoint:PJSIP.

// Endpoint is an ARI Endpoint object as GET /endpoints/PJSIP lists it
// ("online", "offline", "unknown").
func Endpoint(resource, state string) string {
	return fmt.Sprintf(`{"technology":"PJSIP","resource":%q,"state":%q,"channel_ids":[]}`, resource, state)
}

// ContactStatusChange of endpoint resource's contact at uri to status
// ("Reachable", "Unreachable", "NonQualified", "Unknown", "Removed"), with
// the qualify round trip in microseconds.
func ContactStatusChange(resource, uri, status string, rttUsec int) string {
	state := "online"
	if status == "Unreachable" || status == "Removed" {
		state = "offline"
	}
	return event("ContactStatusChange", fmt.Sprintf(`"endpoint":%s,"contact_info":{"uri":%q,"contact_status":%q,"aor":%q,"roundtrip_usec":"%d"}`,
		Endpoint(resource, state), uri, status, resource, rttUsec))
}

// EndpointStateChange of endpoint resource to state.
func EndpointStateChange(resource, state string) string {
	return event("EndpointStateChange", `"endpoint":`+Endpoint(resource, state))
}

// PeerStatusChange of endpoint resource to status ("Reachable", "Unreachable").
func PeerStatusChange(resource, status string) string {
	return event("PeerStatusChange", fmt.Sprintf(`"endpoint":%s,"peer":{"peer_status":%q}`,
		Endpoint(resource, map[bool]string{true: "online", false: "offline"}[status == "Reachable"]), status))
}

// ChannelDestroyedSIP is ChannelDestroyed of an outbound PJSIP leg whose far
// end answered the INVITE with sipCode (tech_cause) and Q.850 cause.
func ChannelDestroyedSIP(id string, cause, sipCode int, causeText string) string {
	return event("ChannelDestroyed", fmt.Sprintf(`"cause":%d,"cause_txt":%q,"tech_cause":%d,"channel":%s`,
		cause, causeText, sipCode, ChannelIn(id, "Down", "", "", "AppDial2", "(Outgoing Line)")))
}

// SetEndpoints sets what GET /endpoints/PJSIP answers: ARI Endpoint objects.
func (s *Server) SetEndpoints(endpoints ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.endpoints = raw(endpoints)
}
