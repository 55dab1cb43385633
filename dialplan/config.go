// Package dialplan renders what a PBX needs beside Switchboard: the dialplan
// that hands each inbound number (DID) to Switchboard and, when Switchboard
// is not there, rings a fallback group of phones; the trunks and phones; and
// the credentials of the control link (Asterisk: extensions.conf, pjsip.conf,
// ari.conf, http.conf; FreeSWITCH: a dialplan XML file and
// event_socket.conf.xml).
//
// Templates are embedded; the output is a pure function of the config, so
// the same config always renders the same bytes.
package dialplan

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Config is the `dialplan:` section of the Switchboard config.
type Config struct {
	// Context is where callers and trunks land (Asterisk context;
	// FreeSWITCH uses FreeSWITCH.Context).
	Context string `yaml:"context"`
	// AgentContext is the context of the agents' phones.
	AgentContext string `yaml:"agent_context"`
	// DIDs are the numbers handed to Switchboard: literal numbers ("100",
	// "+4930123") or Asterisk patterns ("_X.", "_0800XXXXXX").
	DIDs     []string `yaml:"dids"`
	Fallback Fallback `yaml:"fallback"`
	// MediaTimeout hangs up a leg that has sent no RTP for this long (off
	// hold), so a call whose caller vanished without a BYE (a CANCEL that
	// crossed the 200 OK, a dead phone) does not stay bridged to an agent
	// for ever; MediaTimeoutHold is the same while the peer holds. 0: off.
	// Phones and trunks may set their own.
	MediaTimeout     Seconds    `yaml:"media_timeout"`
	MediaTimeoutHold Seconds    `yaml:"media_timeout_hold"`
	Phones           []Phone    `yaml:"phones"`
	Trunks           []Trunk    `yaml:"trunks"`
	Asterisk         Asterisk   `yaml:"asterisk"`
	Switch           FreeSWITCH `yaml:"freeswitch"`
}

// Fallback is the static route a call takes when Switchboard is down: ring
// every phone of Ring at once for RingTime, then Then.
type Fallback struct {
	Ring     []string `yaml:"ring"` // phone names (see Phones)
	RingTime Seconds  `yaml:"ring_time"`
	// Then is the last step when nobody answers: "voicemail" (Voicemail is
	// the mailbox, "100@default"), "playback" (answer, play Playback, hang
	// up) or "hangup".
	Then      string `yaml:"then"`
	Voicemail string `yaml:"voicemail"`
	Playback  string `yaml:"playback"`
}

// Phone is an agent's SIP phone. With Contact the PBX reaches it at that
// fixed URI; without it the phone registers, with Password.
type Phone struct {
	Name     string `yaml:"name"`
	Contact  string `yaml:"contact"`  // sip:1001@127.0.0.1:5201
	Password string `yaml:"password"` // optional; required without Contact
	// MediaTimeout overrides dialplan.media_timeout for this phone.
	MediaTimeout *Seconds `yaml:"media_timeout"`
}

// Trunk is a SIP peer (a carrier or another PBX) calls come in from and go
// out to. Calls from Host land in Context.
type Trunk struct {
	Name      string     `yaml:"name"`
	Host      string     `yaml:"host"`
	Port      int        `yaml:"port"`      // default 5060
	Transport string     `yaml:"transport"` // udp (default) or tcp
	Codecs    []string   `yaml:"codecs"`    // default asterisk.codecs
	Auth      *TrunkAuth `yaml:"auth"`      // optional: outbound digest credentials
	// MediaTimeout overrides dialplan.media_timeout for this trunk (a
	// carrier that sends no RTP during silence needs a longer one or 0).
	MediaTimeout *Seconds `yaml:"media_timeout"`
	// MaxChannels caps the simultaneous calls Switchboard places through
	// the trunk (0 = no cap); routing skips a trunk at its cap.
	MaxChannels int `yaml:"max_channels"`
	// CallerID is the number presented on calls out through this trunk
	// when the carrier requires its own ("" = the group's or outbound's).
	CallerID string `yaml:"caller_id"`
	// Qualify is how often the PBX sends OPTIONS to see the trunk is alive
	// (Asterisk qualify_frequency, FreeSWITCH gateway ping); unset: 30s,
	// 0: never, and the PBX then reports no reachability for it.
	Qualify *Seconds `yaml:"qualify"`
}

// DefaultQualify is a trunk's OPTIONS interval when it sets none.
const DefaultQualify Seconds = 30

// QualifyEvery is t's OPTIONS interval, the default when unset.
func (t Trunk) QualifyEvery() Seconds {
	if t.Qualify != nil {
		return *t.Qualify
	}
	return DefaultQualify
}

// TrunkAuth is the digest username and password the PBX answers a trunk's
// challenge with.
type TrunkAuth struct {
	Username string `yaml:"username"`
	Password string `yaml:"password"`
}

// Asterisk holds the settings only Asterisk's files use.
type Asterisk struct {
	HTTPBind     string   `yaml:"http_bind"`     // http.conf bindaddr:bindport (ARI)
	SessionLimit int      `yaml:"session_limit"` // http.conf sessionlimit
	SIPBind      string   `yaml:"sip_bind"`      // pjsip transports' bind
	MediaAddress string   `yaml:"media_address"` // SDP address of agents and callers; "" = Asterisk's choice
	Codecs       []string `yaml:"codecs"`
	// AllowAnonymous lets calls from unknown peers in (into Context), as the
	// testbed's sipp callers are; off on a PBX that only takes trunks.
	AllowAnonymous bool   `yaml:"allow_anonymous"`
	UserAgent      string `yaml:"user_agent"`
}

// FreeSWITCH holds the settings only FreeSWITCH's files use. The Event
// Socket password and Switchboard's outbound listener come from the
// Switchboard config's pbx.esl (see Link).
type FreeSWITCH struct {
	Context string `yaml:"context"` // dialplan context the DIDs arrive in ("public")
	// Socket is where the socket application connects; "" = pbx.esl.outbound_listen.
	// Set it when Switchboard listens on a wildcard address.
	Socket      string      `yaml:"socket"`
	EventSocket EventSocket `yaml:"event_socket"`
}

// EventSocket is mod_event_socket's inbound listener.
type EventSocket struct {
	Listen string `yaml:"listen"` // ip:port; "" = pbx.esl.addr
	ACL    string `yaml:"acl"`    // apply-inbound-acl, e.g. loopback.auto
}

// Seconds is a duration in whole seconds, written like "15s" or "1m".
type Seconds int

// UnmarshalYAML reads "15s", "1m30s" or a bare number of seconds.
func (s *Seconds) UnmarshalYAML(n *yaml.Node) error {
	if v, err := strconv.Atoi(n.Value); err == nil {
		*s = Seconds(v)
		return nil
	}
	d, err := time.ParseDuration(n.Value)
	if err != nil {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %q is not a duration (e.g. 15s)", n.Line, n.Value)}}
	}
	if d%time.Second != 0 {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %q is not a whole number of seconds", n.Line, n.Value)}}
	}
	*s = Seconds(d / time.Second)
	return nil
}

// Link is what the PBX needs to know about the control link, taken from the
// Switchboard config's pbx section.
type Link struct {
	User     string // pbx.ari.user
	Password string // pbx.ari.password
	App      string // pbx.ari.app: the Stasis application

	ESLAddr     string // pbx.esl.addr: FreeSWITCH's inbound Event Socket
	ESLPassword string // pbx.esl.password
	ESLOutbound string // pbx.esl.outbound_listen: where the socket application connects
}

var (
	nameRE  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)
	didRE   = regexp.MustCompile(`^(\+?[0-9*#]+|_[0-9XZNxzn\[\]\-.!*#+]+)$`)
	soundRE = regexp.MustCompile(`^[A-Za-z0-9_./-]+$`)
	mboxRE  = regexp.MustCompile(`^[A-Za-z0-9_]+(@[A-Za-z0-9_-]+)?$`)
	codecRE = regexp.MustCompile(`^[a-z0-9_]+$`)
)

// Validate reports every problem, one per line as "dialplan.KEY: problem".
func (c *Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("dialplan.%s: %s", key, fmt.Sprintf(format, args...)))
	}
	name := func(key, v string) {
		if !nameRE.MatchString(v) {
			bad(key, "%q must be letters, digits, '_', '.' or '-'", v)
		}
	}
	name("context", c.Context)
	name("agent_context", c.AgentContext)
	if len(c.DIDs) == 0 {
		bad("dids", "at least one number or pattern is required")
	}
	for i, d := range c.DIDs {
		if !didRE.MatchString(d) {
			bad(fmt.Sprintf("dids[%d]", i), "%q is neither a number nor an Asterisk pattern like _X.", d)
		}
	}

	nonNegative := func(key string, v *Seconds) {
		if v != nil && *v < 0 {
			bad(key, "must not be negative (0 turns it off)")
		}
	}
	nonNegative("media_timeout", &c.MediaTimeout)
	nonNegative("media_timeout_hold", &c.MediaTimeoutHold)
	phones := map[string]bool{}
	for i, p := range c.Phones {
		key := fmt.Sprintf("phones[%d]", i)
		name(key+".name", p.Name)
		nonNegative(key+".media_timeout", p.MediaTimeout)
		if phones[p.Name] {
			bad(key+".name", "%q is listed twice", p.Name)
		}
		phones[p.Name] = true
		switch {
		case p.Contact != "":
			if !strings.HasPrefix(p.Contact, "sip:") || strings.ContainsAny(p.Contact, " ;\n\"<>") {
				bad(key+".contact", "%q must be a plain sip: URI", p.Contact)
			}
		case p.Password == "":
			bad(key, "a phone needs a contact or a password to register with")
		}
		secret(bad, key+".password", p.Password)
	}

	f := c.Fallback
	for i, r := range f.Ring {
		if !phones[r] {
			bad(fmt.Sprintf("fallback.ring[%d]", i), "%q is not one of dialplan.phones", r)
		}
	}
	if f.RingTime <= 0 && len(f.Ring) > 0 {
		bad("fallback.ring_time", "must be at least 1s")
	}
	switch f.Then {
	case "voicemail":
		if !mboxRE.MatchString(f.Voicemail) {
			bad("fallback.voicemail", "%q must be a mailbox like 100@default", f.Voicemail)
		}
	case "playback":
		if !soundRE.MatchString(f.Playback) {
			bad("fallback.playback", "%q must be a sound name like all-circuits-busy-now", f.Playback)
		}
	case "hangup":
	default:
		bad("fallback.then", "%q is not one of voicemail, playback, hangup", f.Then)
	}

	trunks := map[string]bool{}
	for i, t := range c.Trunks {
		key := fmt.Sprintf("trunks[%d]", i)
		name(key+".name", t.Name)
		if trunks[t.Name] || phones[t.Name] {
			bad(key+".name", "%q is already the name of a trunk or phone", t.Name)
		}
		trunks[t.Name] = true
		if t.Host == "" || strings.ContainsAny(t.Host, " ;:/\n") {
			bad(key+".host", "%q must be a host name or IPv4 address", t.Host)
		}
		if t.Port < 0 || t.Port > 65535 {
			bad(key+".port", "%d is not a port", t.Port)
		}
		switch t.Transport {
		case "", "udp", "tcp":
		default:
			bad(key+".transport", "%q is not one of udp, tcp", t.Transport)
		}
		codecs(bad, key+".codecs", t.Codecs, false)
		nonNegative(key+".media_timeout", t.MediaTimeout)
		if t.MaxChannels < 0 {
			bad(key+".max_channels", "must not be negative")
		}
		if strings.Trim(strings.TrimPrefix(t.CallerID, "+"), "0123456789") != "" {
			bad(key+".caller_id", "%q must be digits with an optional leading +", t.CallerID)
		}
		nonNegative(key+".qualify", t.Qualify)
		if t.Auth != nil {
			if t.Auth.Username == "" || strings.ContainsAny(t.Auth.Username, " ;\n") {
				bad(key+".auth.username", "%q must be non-empty, without spaces or ';'", t.Auth.Username)
			}
			if t.Auth.Password == "" {
				bad(key+".auth.password", "required with auth")
			}
			secret(bad, key+".auth.password", t.Auth.Password)
		}
	}

	a := c.Asterisk
	hostPort(bad, "asterisk.http_bind", a.HTTPBind)
	hostPort(bad, "asterisk.sip_bind", a.SIPBind)
	if a.SessionLimit < 1 {
		bad("asterisk.session_limit", "must be at least 1")
	}
	if a.MediaAddress != "" {
		if _, err := netip.ParseAddr(a.MediaAddress); err != nil {
			bad("asterisk.media_address", "%q is not an IP address", a.MediaAddress)
		}
	}
	codecs(bad, "asterisk.codecs", a.Codecs, true)
	if strings.ContainsAny(a.UserAgent, ";\n") {
		bad("asterisk.user_agent", "must not contain ';' or a newline")
	}

	s := c.Switch
	name("freeswitch.context", s.Context)
	if s.Socket != "" {
		hostPort(bad, "freeswitch.socket", s.Socket)
	}
	if s.EventSocket.Listen != "" {
		hostPort(bad, "freeswitch.event_socket.listen", s.EventSocket.Listen)
	}
	if s.EventSocket.ACL != "" {
		name("freeswitch.event_socket.acl", s.EventSocket.ACL)
	}
	return errors.Join(errs...)
}

// validate checks the link settings pbx's files carry; keys are the
// Switchboard config's.
func (l Link) validate(pbx string, c *Config) error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
	}
	switch pbx {
	case "asterisk":
		if !nameRE.MatchString(l.User) {
			bad("pbx.ari.user", "%q must be letters, digits, '_', '.' or '-'", l.User)
		}
		if l.Password == "" || strings.ContainsAny(l.Password, ";\n") {
			bad("pbx.ari.password", "required, without ';' or a newline")
		}
		if !nameRE.MatchString(l.App) {
			bad("pbx.ari.app", "%q must be letters, digits, '_', '.' or '-'", l.App)
		}
	case "freeswitch":
		if l.ESLPassword == "" || strings.ContainsAny(l.ESLPassword, "\n") {
			bad("pbx.esl.password", "required, on one line")
		}
		if c.Switch.Socket == "" {
			if l.ESLOutbound == "" {
				bad("pbx.esl.outbound_listen", "required to render FreeSWITCH's socket dialplan (or set dialplan.freeswitch.socket)")
			} else {
				hostPort(bad, "pbx.esl.outbound_listen", l.ESLOutbound)
			}
		}
		if c.Switch.EventSocket.Listen == "" {
			hostPort(bad, "pbx.esl.addr", l.ESLAddr)
		}
	}
	return errors.Join(errs...)
}

// secret rejects what would end a value early in an Asterisk .conf line.
func secret(bad func(string, string, ...any), key, v string) {
	if strings.ContainsAny(v, ";\n") {
		bad(key, "must not contain ';' or a newline")
	}
}

func codecs(bad func(string, string, ...any), key string, list []string, required bool) {
	if required && len(list) == 0 {
		bad(key, "at least one codec is required")
	}
	for i, c := range list {
		if !codecRE.MatchString(c) {
			bad(fmt.Sprintf("%s[%d]", key, i), "%q is not a codec name like ulaw", c)
		}
	}
}

func hostPort(bad func(string, string, ...any), key, v string) {
	host, port, err := net.SplitHostPort(v)
	if err != nil {
		bad(key, "%q must be IP:PORT", v)
		return
	}
	if _, err := netip.ParseAddr(host); err != nil {
		bad(key, "%q: %q is not an IP address", v, host)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 {
		bad(key, "%q: %q is not a port", v, port)
	}
}
