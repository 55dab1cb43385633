package routing

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"time"
)

// Announce is what a queue tells its waiting callers, every Every: their
// place in line and the expected wait, spoken from the live queue and its
// recent handle times, then the callback offer when the queue step has a
// callback digit (queues.<q>.announce).
type Announce struct {
	// First is the wait before the first announcement (default: Every).
	First Duration `yaml:"first"`
	Every Duration `yaml:"every"`
	// Position and ExpectedWait choose what is said (both by default).
	Position     *bool `yaml:"position"`
	ExpectedWait *bool `yaml:"expected_wait"`
	// CallbackOffer is played after them when the caller may press the
	// queue step's callback_digit ("press 1 to be called back, you keep
	// your place").
	CallbackOffer []string `yaml:"callback_offer"`
	// Prompts replace the default sounds by key (AnnouncePrompts).
	Prompts map[string]string `yaml:"prompts"`
}

// AnnouncePrompts are the sounds announcements are made of, by key, with
// Asterisk's core sounds as defaults (the ones app_queue says); a site
// with its own recordings (Mandarin, say) replaces them in prompts.
var AnnouncePrompts = map[string]string{
	"you_are_next":  "sound:queue-youarenext",   // "your call is now first in line…"
	"caller_number": "sound:queue-thereare",     // "you are currently caller number"
	"waiting":       "sound:queue-callswaiting", // "waiting to speak with a representative"
	"hold_time":     "sound:queue-holdtime",     // "the estimated hold time is currently"
	"less_than":     "sound:queue-less-than",
	"minute":        "sound:queue-minute",
	"minutes":       "sound:queue-minutes",
	"thank_you":     "sound:queue-thankyou",
}

// Announcement defaults and bounds.
const (
	MinAnnounceEvery = Duration(5 * time.Second)
	// handleSamples is how many recent handled calls the expected wait
	// averages, within handleWindow.
	handleSamples = 20
	handleWindow  = time.Hour
)

// mohClass is what a music-on-hold class name may be (it becomes a PBX
// argument).
var mohClass = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

func (a *Announce) says(flag *bool) bool { return flag == nil || *flag }

// validateHold checks a queue's hold media, music-on-hold class and
// announcements.
func validateHold(key string, q *Queue, bad func(key, format string, a ...any)) {
	if q.MOH != "" {
		if !mohClass.MatchString(q.MOH) {
			bad(key+".moh", "class %q: want 1-64 letters, digits, '_' or '-'", q.MOH)
		}
		if len(q.HoldMedia) > 0 {
			bad(key+".moh", "set moh or hold_media, not both")
		}
	}
	a := q.Announce
	if a == nil {
		return
	}
	if a.Every < MinAnnounceEvery {
		bad(key+".announce.every", "must be at least %s", MinAnnounceEvery.D())
	}
	if a.First < 0 {
		bad(key+".announce.first", "must not be negative")
	}
	if !a.says(a.Position) && !a.says(a.ExpectedWait) && len(a.CallbackOffer) == 0 {
		bad(key+".announce", "says nothing: set position, expected_wait or callback_offer")
	}
	for _, k := range sortedKeys(a.Prompts) {
		if _, ok := AnnouncePrompts[k]; !ok {
			bad(key+".announce.prompts."+k, "unknown prompt (known: %v)", slices.Sorted(maps.Keys(AnnouncePrompts)))
		} else if a.Prompts[k] == "" {
			bad(key+".announce.prompts."+k, "must not be empty")
		}
	}
	for i, m := range a.CallbackOffer {
		if m == "" {
			bad(fmt.Sprintf("%s.announce.callback_offer[%d]", key, i), "must not be empty")
		}
	}
}

// AnnouncedData is the payload of call.announced: what a waiting caller
// was told, and what it was computed from.
type AnnouncedData struct {
	Queue    string `json:"queue"`
	Position int    `json:"position"` // 1 = next; 0 = not said
	// ExpectedWait is the estimate in seconds (0: not said — no recent
	// handled calls or nobody staffed to take the call).
	ExpectedWait int     `json:"expected_wait_s"`
	Staffed      int     `json:"staffed"`             // serving agents signed in and not on a break
	HandleTime   float64 `json:"handle_time_s"`       // average talk + wrap-up the estimate used
	Offer        bool    `json:"callback_offer"`      // the callback offer was played
	Said         bool    `json:"said"`                // false: the queue says nothing right now
	Skipped      string  `json:"skipped,omitempty"`   // why not: ringing (an agent's phone rings)
	Minutes      int     `json:"minutes,omitempty"`   // the wait as spoken, rounded up
	LessThanOne  bool    `json:"less_than,omitempty"` // spoken as "less than 1 minute"
}

// announcer is what a waiting caller hears: the queue's hold media or the
// PBX's music-on-hold class, interrupted by announcements. It keeps each
// queue's recent handle times for the expected wait.
type announcer struct {
	ac *acd
}

func timerAnnounce(c *call) string { return "announce:" + c.id }

// hold starts (or resumes) a waiting caller's hold: the queue's music-on-
// hold class or its hold media. A ringing caller hears ringback instead.
func (an announcer) hold(c *call) {
	q := an.ac.queues[c.queue]
	if q == nil || c.unanswered || c.playback != "" || c.moh {
		return
	}
	switch {
	case q.cfg.MOH != "":
		c.moh = true
		an.ac.emit(cmdStartMOH{Call: c.id, Channel: c.channel, Class: q.cfg.MOH})
	case len(q.cfg.HoldMedia) > 0:
		an.ac.flow.play(c, q.cfg.HoldMedia)
	}
}

// joined arms a caller's first announcement.
func (an announcer) joined(c *call) {
	q := an.ac.queues[c.queue]
	if q == nil || q.cfg.Announce == nil || c.unanswered {
		return
	}
	a := q.cfg.Announce
	first := a.First
	if first == 0 {
		first = a.Every
	}
	an.ac.setTimer(timerAnnounce(c), first.D())
}

// fire is the announcement timer: say the caller's place and wait (the
// hold resumes when the playback ends) and arm the next one.
func (an announcer) fire(c *call) {
	q := an.ac.queues[c.queue]
	if c.phase != phaseQueued || q == nil || q.cfg.Announce == nil || c.unanswered {
		return
	}
	a := q.cfg.Announce
	an.ac.setTimer(timerAnnounce(c), a.Every.D())
	d := an.estimate(c, q)
	if len(c.entry.offers) > 0 {
		// An agent's phone rings for this caller: they are about to be
		// answered, and a prompt would be cut off.
		d.Skipped = "ringing"
		an.ac.record(&Record{Type: EvCallAnnounced, CallID: c.id, Queue: c.queue}, d)
		return
	}
	media := an.speech(a, &d, c)
	d.Said = len(media) > 0
	an.ac.record(&Record{Type: EvCallAnnounced, CallID: c.id, Queue: c.queue}, d)
	if d.Said {
		an.ac.flow.play(c, media) // stops the hold; it resumes when this ends
	}
}

// estimate is the caller's place among those waiting for the same queue,
// in the ACD's own order, and the expected wait: place × average handle
// time ÷ staffed agents (docs/queues.md, "Announcements").
func (an announcer) estimate(c *call, q *queueState) AnnouncedData {
	d := AnnouncedData{Queue: c.queue, Position: 1}
	for _, o := range an.ac.waiting {
		if o != c && o.queue == c.queue && an.ac.before(o, c) {
			d.Position++
		}
	}
	for _, m := range q.members {
		if m.state != SignedOut && m.state != NotReady {
			d.Staffed++
		}
	}
	n, sum := 0, 0.0
	for i := len(q.handle) - 1; i >= 0 && n < handleSamples && an.ac.now.Sub(q.handle[i].at) <= handleWindow; i-- {
		n++
		sum += q.handle[i].talk.Seconds()
	}
	if n == 0 || d.Staffed == 0 {
		return d
	}
	d.HandleTime = sum/float64(n) + q.cfg.WrapUp.D().Seconds()
	ewt := float64(d.Position) * d.HandleTime / float64(d.Staffed)
	d.ExpectedWait = int(ewt + 0.5)
	if d.ExpectedWait < 1 {
		d.ExpectedWait = 1
	}
	return d
}

// speech is the media of one announcement, filling in what was said.
func (an announcer) speech(a *Announce, d *AnnouncedData, c *call) []string {
	p := func(k string) string {
		if s := a.Prompts[k]; s != "" {
			return s
		}
		return AnnouncePrompts[k]
	}
	var media []string
	if a.says(a.Position) {
		if d.Position == 1 {
			media = append(media, p("you_are_next"))
		} else {
			media = append(media, p("caller_number"), "number:"+strconv.Itoa(d.Position), p("waiting"))
		}
	} else {
		d.Position = 0
	}
	if a.says(a.ExpectedWait) && d.ExpectedWait > 0 {
		media = append(media, p("hold_time"))
		if d.ExpectedWait < 60 {
			d.LessThanOne = true
			media = append(media, p("less_than"), "number:1", p("minute"))
		} else {
			d.Minutes = (d.ExpectedWait + 59) / 60
			unit := p("minutes")
			if d.Minutes == 1 {
				unit = p("minute")
			}
			media = append(media, "number:"+strconv.Itoa(d.Minutes), unit)
		}
	} else {
		d.ExpectedWait = 0
	}
	if len(media) > 0 {
		media = append(media, p("thank_you"))
	}
	if n := c.entry.node; len(a.CallbackOffer) > 0 && n != nil && n.CallbackDigit != "" && n.OnCallback != "" {
		d.Offer = true
		media = append(media, a.CallbackOffer...)
	}
	return media
}

// handleSample is one handled call's talk time, for the expected wait.
type handleSample struct {
	at   time.Time
	talk time.Duration
}

// handled notes a call's talk time in its queue when it ends.
func (an announcer) handled(queue string, talk time.Duration) {
	q := an.ac.queues[queue]
	if q == nil || talk < 0 {
		return
	}
	q.handle = append(q.handle, handleSample{at: an.ac.now, talk: talk})
	if len(q.handle) > 4*handleSamples {
		q.handle = slices.Delete(q.handle, 0, len(q.handle)-handleSamples)
	}
}
