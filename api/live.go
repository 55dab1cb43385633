package api

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"switchboard/auth"
	"switchboard/followups"
	"switchboard/live"
	"switchboard/routing"
	"switchboard/store"
)

// The live feed: GET /api/v1/live is Server-Sent Events. Each record of
// the log, once durable, is an "record" event whose id is its seq, shown
// to the caller only within their scope (liveScope) and masked as every
// JSON answer is; "wallboard" events carry the wallboard (topics=wallboard).
// A client that reconnects (EventSource sends Last-Event-ID) gets what it
// missed from the store first, so a reconnect loses nothing.

const (
	// heartbeatEvery keeps proxies from closing an idle stream; the
	// heartbeat also moves the client's Last-Event-ID past records it was
	// not shown, so a resume does not read them again.
	heartbeatEvery = 15 * time.Second
	// maxReplay is how far behind a resuming client may be; further, it
	// gets a "reset" event (reload your state) and the feed from now on.
	maxReplay  = 10000
	replayPage = 1000
	// sseWriteTimeout ends a stream whose client stopped reading.
	sseWriteTimeout = 10 * time.Second
	// sseRetry is the EventSource reconnect delay the stream asks for (ms).
	sseRetry = 2000
	// wallboardMaxAge: GET /api/v1/wallboard reuses a snapshot this fresh.
	wallboardMaxAge = time.Second
)

// Topics of the live feed (?topics=records,wallboard; default records).
const (
	topicRecords   = "records"
	topicWallboard = "wallboard"
)

func (s *Server) liveRoutes() []route {
	return []route{
		{http.MethodGet, "/api/v1/live", s.getLive, floor},
		// Agents see the load of their own queues only (agentWallboard).
		{http.MethodGet, "/api/v1/wallboard", s.getWallboard, floor},
	}
}

func unavailable(msg string) *Error {
	return &Error{Status: http.StatusServiceUnavailable, Code: CodeUnavailable, Message: msg}
}

func (s *Server) getWallboard(c echo.Context) error {
	if err := newQuery(c.QueryParams()).err; err != nil {
		return err
	}
	if s.cfg.Wallboard == nil {
		return unavailable("the wallboard is not configured")
	}
	ctx := c.Request().Context()
	snap, err := s.cfg.Wallboard.Fresh(ctx, wallboardMaxAge)
	if err != nil {
		return err
	}
	p := principalOf(c)
	if p.Role == auth.Agent {
		v, err := s.agentWallboard(ctx, p, snap.Board)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, v)
	}
	return c.JSON(http.StatusOK, snap.Board)
}

// agentBoard is the wallboard as an agent sees it: how busy the queues
// they serve are, and nothing about other people.
type agentBoard struct {
	Queues      []agentQueueTile `json:"queues"`
	Teams       []live.TeamTile  `json:"teams"`  // always empty
	Alerts      []live.Alert     `json:"alerts"` // always empty
	GeneratedAt time.Time        `json:"generated_at"`
}

type agentQueueTile struct {
	Name               string            `json:"name"`
	Waiting            int               `json:"waiting"`
	LongestWaitSeconds float64           `json:"longest_wait_seconds"`
	Status             string            `json:"status"`
	Marks              map[string]string `json:"marks"`
}

func (s *Server) agentWallboard(ctx context.Context, p auth.Principal, w live.Wallboard) (agentBoard, error) {
	out := agentBoard{Queues: []agentQueueTile{}, Teams: []live.TeamTile{}, Alerts: []live.Alert{}, GeneratedAt: w.GeneratedAt}
	if p.AgentID == "" {
		return out, nil
	}
	a, err := s.agents.Agent(ctx, p.AgentID)
	if errors.Is(err, routing.ErrUnknownAgent) {
		return out, nil
	}
	if err != nil {
		return out, err
	}
	for _, q := range w.Queues {
		if !slices.Contains(a.Queues, q.Name) {
			continue
		}
		t := agentQueueTile{Name: q.Name, Waiting: q.Waiting, LongestWaitSeconds: q.LongestWaitSeconds,
			Status: live.StatusOK, Marks: map[string]string{}}
		for _, m := range []string{live.MetricWaiting, live.MetricLongestWait} {
			if st, ok := q.Marks[m]; ok {
				t.Marks[m] = st
				if t.Status != live.StatusRed {
					t.Status = st
				}
			}
		}
		out.Queues = append(out.Queues, t)
	}
	return out, nil
}

// getLive streams the live feed.
func (s *Server) getLive(c echo.Context) error {
	q := newQuery(c.QueryParams(), "topics", "last_event_id")
	var records, board bool
	for _, t := range strings.Split(cmp.Or(c.QueryParam("topics"), topicRecords), ",") {
		switch strings.TrimSpace(t) {
		case topicRecords:
			records = true
		case topicWallboard:
			board = true
		default:
			q.fail(badRequest("topics", "unknown topic %q (known: %s, %s)", t, topicRecords, topicWallboard))
		}
	}
	// EventSource sends Last-Event-ID on its reconnects; a page that
	// starts over may pass the id it had in the query instead.
	var after int64
	if v := cmp.Or(c.Request().Header.Get("Last-Event-ID"), c.QueryParam("last_event_id")); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			q.fail(badRequest("Last-Event-ID", "%q is not a record seq", v))
		}
		after = n
	}
	if q.err != nil {
		return q.err
	}
	if s.cfg.Live == nil {
		return unavailable("the live feed is not configured")
	}
	if board && s.cfg.Wallboard == nil {
		return unavailable("the wallboard is not configured")
	}
	ctx := c.Request().Context()
	p := principalOf(c)
	release, err := s.streams.take(p.Username)
	if err != nil {
		return err
	}
	defer release()
	// Subscribe before reading the store: whatever is appended meanwhile
	// is in the subscription, and duplicates are skipped by seq.
	sub, err := s.cfg.Live.Subscribe()
	if err != nil {
		return unavailable("the server is stopping")
	}
	defer sub.Close()
	st := &stream{s: s, c: c, p: p, mask: s.MaskFor(p), records: records,
		rc: http.NewResponseController(c.Response())}
	if records {
		if st.scope, err = s.newLiveScope(ctx, p); err != nil {
			return err
		}
	}

	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/event-stream; charset=utf-8")
	h.Set(echo.HeaderCacheControl, "no-cache")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	c.Response().WriteHeader(http.StatusOK)
	st.buf.WriteString("retry: " + strconv.Itoa(sseRetry) + "\n\n")

	if records && after > 0 {
		st.last = after
		if err := st.replay(ctx, 0); errors.Is(err, errTooFarBehind) {
			st.event("", "reset", []byte(`{"reason":"too_far_behind"}`))
			st.last = -1 // take the feed from the next live record
		} else if err != nil {
			s.log.Warn("live: replay failed", "err", err)
			return nil
		}
	}
	var boardChanged <-chan struct{}
	if board {
		if _, err := s.cfg.Wallboard.Fresh(ctx, wallboardMaxAge); err != nil {
			s.log.Warn("live: wallboard", "err", err)
		}
		var snap *live.Snapshot
		snap, boardChanged = s.cfg.Wallboard.Latest()
		st.wallboard(ctx, snap)
	}
	if st.flush() != nil {
		return nil
	}

	heartbeat := time.NewTicker(heartbeatEvery)
	defer heartbeat.Stop()
	for {
		select {
		case <-ctx.Done(): // the client went away
			return nil
		case <-sub.Done():
			// Dropped for falling behind (the client reconnects and
			// resumes from Last-Event-ID) or the server is stopping.
			st.buf.WriteString(": closed: " + sub.Err().Error() + "\n\n")
			st.flush()
			return nil
		case ev := <-sub.C():
			if !records {
				continue
			}
			if err := st.live(ctx, ev); err != nil {
				s.log.Warn("live: gap fill failed", "err", err)
				return nil
			}
			// Whatever else is queued goes out in the same write.
			for more := len(sub.C()); more > 0; more-- {
				if err := st.live(ctx, <-sub.C()); err != nil {
					return nil
				}
			}
		case <-boardChanged:
			var snap *live.Snapshot
			snap, boardChanged = s.cfg.Wallboard.Latest()
			st.wallboard(ctx, snap)
		case <-heartbeat.C:
			if records && st.last > 0 {
				st.buf.WriteString("id: " + strconv.FormatInt(st.last, 10) + "\n")
			}
			st.buf.WriteString(": ping\n\n")
		}
		if st.flush() != nil {
			return nil
		}
	}
}

var errTooFarBehind = errors.New("live: client too far behind to replay")

// stream is one SSE response.
type stream struct {
	s       *Server
	c       echo.Context
	p       auth.Principal
	rc      *http.ResponseController
	mask    func([]byte) ([]byte, error)
	records bool
	scope   *liveScope
	buf     bytes.Buffer
	// last is the seq of the last record handled (shown or not); -1 until
	// the first live record when there is nothing to resume from.
	last int64
}

// live handles a published record: skipped if the replay sent it, after
// what the store has between the last one and it (records appended
// outside the engine's journal, which are not published).
func (st *stream) live(ctx context.Context, ev *live.Event) error {
	seq := ev.Rec.Seq
	if st.last > 0 && seq <= st.last {
		return nil
	}
	if st.last > 0 && seq > st.last+1 {
		if err := st.replay(ctx, seq); err != nil && !errors.Is(err, errTooFarBehind) {
			return err
		}
	}
	st.record(ev.Rec, &ev.Payload)
	return nil
}

// replay sends the records after st.last from the store, up to before
// (exclusive; 0: all of them).
func (st *stream) replay(ctx context.Context, before int64) error {
	n := 0
	for {
		limit := replayPage
		if before > 0 {
			limit = int(min(int64(replayPage), before-st.last-1))
			if limit <= 0 {
				return nil
			}
		}
		recs, err := st.s.store.Events(ctx, store.EventFilter{AfterSeq: st.last, Limit: limit})
		if err != nil {
			return err
		}
		for i := range recs {
			if before > 0 && recs[i].Seq >= before {
				return nil
			}
			st.record(&recs[i], nil)
		}
		if err := st.flush(); err != nil {
			return err
		}
		if n += len(recs); n > maxReplay {
			return errTooFarBehind
		}
		if len(recs) < limit {
			return nil
		}
	}
}

// record sends rec if the caller may see it; payload is its JSON when the
// hub encoded it already.
func (st *stream) record(rec *routing.Record, payload *live.Payload) {
	st.last = rec.Seq
	if rec.Type == routing.EvConfigApplied && st.scope != nil {
		// Teams may have changed; on error the old map stays.
		_ = st.scope.refresh(st.c.Request().Context())
	}
	if st.scope != nil && !st.scope.see(rec) {
		return
	}
	if payload == nil {
		b, err := rec.JSON()
		if err != nil {
			st.s.log.Warn("live: record not sent", "seq", rec.Seq, "err", err)
			return
		}
		payload = live.NewPayload(b)
	}
	b, err := payload.For(st.mask)
	if err != nil {
		st.s.log.Warn("live: record not encoded or masked, not sent", "seq", rec.Seq, "err", err)
		return
	}
	st.event(strconv.FormatInt(rec.Seq, 10), "record", b)
}

// wallboard sends a wallboard event (as the caller may see it).
func (st *stream) wallboard(ctx context.Context, snap *live.Snapshot) {
	if snap == nil {
		return
	}
	var (
		b   []byte
		err error
	)
	if st.p.Role == auth.Agent {
		var v agentBoard
		if v, err = st.s.agentWallboard(ctx, st.p, snap.Board); err == nil {
			if b, err = json.Marshal(v); err == nil && st.mask != nil {
				b, err = st.mask(b)
			}
		}
	} else {
		b, err = snap.For(st.mask)
	}
	if err != nil {
		st.s.log.Warn("live: wallboard not sent", "err", err)
		return
	}
	// No id: a wallboard event must not move the client's Last-Event-ID.
	st.event("", "wallboard", b)
}

// event writes one SSE event; data is one line of JSON.
func (st *stream) event(id, name string, data []byte) {
	if id != "" {
		st.buf.WriteString("id: " + id + "\n")
	}
	st.buf.WriteString("event: " + name + "\ndata: ")
	st.buf.Write(data)
	st.buf.WriteString("\n\n")
}

// flush writes what is buffered; an error means the client is gone or
// stopped reading.
func (st *stream) flush() error {
	if st.buf.Len() == 0 {
		return nil
	}
	_ = st.rc.SetWriteDeadline(time.Now().Add(sseWriteTimeout))
	_, err := st.c.Response().Write(st.buf.Bytes())
	st.buf.Reset()
	if err == nil {
		err = st.rc.Flush()
	}
	return err
}

// liveScope is which records a caller sees: supervisors all of them;
// agents those naming them and those of the calls offered or connected to
// them; team leads those of their team's agents (and their calls) and
// every queue record. It follows call.offered/answered/ended to know
// which calls are whose.
type liveScope struct {
	s         *Server
	p         auth.Principal
	agentTeam map[string]string // for team leads
	calls     map[string]bool   // calls offered or connected to agents in scope
	queues    map[string]bool   // queues agents in scope serve: their group messages
	msgCalls  map[string]bool   // calls of messages in scope: their message.handled
}

func (s *Server) newLiveScope(ctx context.Context, p auth.Principal) (*liveScope, error) {
	switch p.Role {
	case auth.Supervisor:
		return nil, nil // everything
	case auth.Agent, auth.TeamLead:
	default:
		return nil, forbidden("role " + string(p.Role) + " has no live feed")
	}
	sc := &liveScope{s: s, p: p, calls: map[string]bool{}, queues: map[string]bool{}, msgCalls: map[string]bool{}}
	if err := sc.refresh(ctx); err != nil {
		return nil, err
	}
	return sc, nil
}

// refresh reads who is in the team and which calls agents in scope are on
// now (a stream resumed mid-call knows the call).
func (sc *liveScope) refresh(ctx context.Context) error {
	if sc.p.Role == auth.Agent {
		if sc.p.AgentID == "" {
			return nil
		}
		a, err := sc.s.agents.Agent(ctx, sc.p.AgentID)
		if errors.Is(err, routing.ErrUnknownAgent) {
			return nil
		}
		if err != nil {
			return err
		}
		if a.CallID != "" {
			sc.calls[a.CallID] = true
		}
		for _, q := range a.Queues {
			sc.queues[q] = true
		}
		return nil
	}
	as, err := sc.s.agents.Agents(ctx)
	if err != nil {
		return err
	}
	sc.agentTeam = make(map[string]string, len(as))
	for _, a := range as {
		sc.agentTeam[a.ID] = a.Team
		if a.CallID != "" && sc.mine(a.ID) {
			sc.calls[a.CallID] = true
		}
		if sc.mine(a.ID) {
			for _, q := range a.Queues {
				sc.queues[q] = true
			}
		}
	}
	return nil
}

// messageForMe: a message left for an agent in scope or for a queue they
// serve (for a lead also an extension's), as GET /api/v1/messages scopes
// them, and the message.handled of one of those: the desk's list is live.
func (sc *liveScope) messageForMe(rec *routing.Record) bool {
	switch rec.Type {
	case routing.EvCallMessage:
		var d routing.MessageData
		if json.Unmarshal(rec.Data, &d) != nil {
			return false
		}
		ok := false
		switch d.TargetKind {
		case "agent":
			ok = sc.mine(d.Target)
		case "group":
			ok = sc.queues[d.Target]
		case "extension":
			ok = sc.p.Role == auth.TeamLead
		}
		if ok && rec.CallID != "" {
			sc.msgCalls[rec.CallID] = true
		}
		return ok
	case routing.EvMessageHandled:
		return rec.CallID != "" && sc.msgCalls[rec.CallID]
	}
	return false
}

// mine: agent id is in scope.
func (sc *liveScope) mine(id string) bool {
	if id == "" {
		return false
	}
	if id == sc.p.AgentID {
		return true
	}
	return sc.p.Role == auth.TeamLead && sc.p.Team != "" && sc.agentTeam[id] == sc.p.Team
}

// leadsFollowUp: an overdue follow-up of the lead's team (or of one of
// its agents) is the lead's alert.
func (sc *liveScope) leadsFollowUp(rec *routing.Record) bool {
	if sc.p.Role != auth.TeamLead || rec.Type != followups.EvOverdue || sc.p.Team == "" {
		return false
	}
	var d struct{ Team, Agent string }
	if json.Unmarshal(rec.Data, &d) != nil {
		return false
	}
	return d.Team == sc.p.Team || sc.mine(d.Agent)
}

// leadsCalendarSwitch: a day/night switch is the whole centre's, and a
// lead reads the calendars (GET /api/v1/calendars): their supervisor page
// follows it live.
func (sc *liveScope) leadsCalendarSwitch(rec *routing.Record) bool {
	if sc.p.Role != auth.TeamLead || rec.Type != routing.EvCommand {
		return false
	}
	var d routing.CommandData
	return json.Unmarshal(rec.Data, &d) == nil && d.Op == "mode"
}

// see says whether rec is shown and follows which calls are in scope.
func (sc *liveScope) see(rec *routing.Record) bool {
	mine := sc.mine(rec.AgentID)
	show := mine || (rec.CallID != "" && sc.calls[rec.CallID]) ||
		(sc.p.Role == auth.TeamLead && (rec.Queue != "" || strings.HasPrefix(rec.Type, "ticket."))) || // tickets: the lead's alerts
		sc.leadsFollowUp(rec) || sc.leadsCalendarSwitch(rec) || sc.messageForMe(rec)
	switch rec.Type {
	case routing.EvCallOffered, routing.EvCallAnswered:
		if mine {
			sc.calls[rec.CallID] = true
		}
	case routing.EvCallOfferFailed:
		if mine {
			delete(sc.calls, rec.CallID)
		}
	case routing.EvCallEnded:
		delete(sc.calls, rec.CallID)
	}
	return show
}
