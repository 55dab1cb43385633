// Package aritest is a fake ARI server for tests, in the manner of
// net/http/httptest: a real socket, an events websocket the test writes to
// with Emit, and a record of every REST request. Close waits for its
// goroutines.
package aritest

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// Request is one REST request the server received.
type Request struct {
	Method string
	Path   string // without the /ari prefix: "/channels/ch-1/answer"
	Query  url.Values
	Body   string
}

// Response is a canned answer to a REST request.
type Response struct {
	Status int
	Body   string
}

// Option configures a Server.
type Option func(*Server)

// WithCredentials makes the server require basic auth.
func WithCredentials(user, password string) Option {
	return func(s *Server) { s.user, s.password = user, password }
}

// WithoutPong makes the server stop reading its websockets, so pings are
// never answered (a hung Asterisk).
func WithoutPong() Option {
	return func(s *Server) { s.noPong = true }
}

// Server is a fake Asterisk ARI.
type Server struct {
	// URL is the base URL to put in ari.Config.URL ("http://127.0.0.1:port").
	URL string

	srv            *httptest.Server
	user, password string
	noPong         bool

	mu    sync.Mutex
	conns map[*websocket.Conn]context.CancelFunc
	// joined is closed (and replaced) whenever a websocket is added, so
	// Emit can wait for the driver's connection instead of racing it.
	joined    chan struct{}
	requests  []Request
	responses map[string]Response // "METHOD /path" → answer
	channels  []json.RawMessage
	bridges   []json.RawMessage
	endpoints []json.RawMessage
	stored    map[string][]byte // stored recordings' audio by name
	down      bool
	connects  chan string // the query string of each websocket connect
	reqs      chan Request
	closed    bool
	handlerWG sync.WaitGroup
}

// NewServer starts a fake ARI on 127.0.0.1.
func NewServer(opts ...Option) *Server {
	s := &Server{
		conns:     map[*websocket.Conn]context.CancelFunc{},
		joined:    make(chan struct{}),
		responses: map[string]Response{},
		connects:  make(chan string, 100),
		reqs:      make(chan Request, 10000),
	}
	for _, o := range opts {
		o(s)
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	return s
}

// Close drops every websocket and stops the server, waiting for its
// handlers.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.Drop()
	s.handlerWG.Wait()
	s.srv.Close()
}

// emitWait is how long Emit waits for a websocket when none is connected:
// the driver may have seen its handshake complete before the server side
// registered the connection.
const emitWait = 5 * time.Second

// Emit sends one ARI message (JSON text) on every connected websocket. It
// fails if none is connected within emitWait.
func (s *Server) Emit(msg string) error {
	deadline := time.After(emitWait)
	var conns []*websocket.Conn
	for {
		s.mu.Lock()
		conns = make([]*websocket.Conn, 0, len(s.conns))
		for c := range s.conns {
			conns = append(conns, c)
		}
		joined := s.joined
		s.mu.Unlock()
		if len(conns) > 0 {
			break
		}
		select {
		case <-joined:
		case <-deadline:
			return errors.New("aritest: no websocket connected")
		}
	}
	for _, c := range conns {
		if err := c.Write(context.Background(), websocket.MessageText, []byte(msg)); err != nil {
			return err
		}
	}
	return nil
}

// Drop closes every websocket abruptly (TCP close, no close frame), as a
// crashed or restarted Asterisk would.
func (s *Server) Drop() {
	s.mu.Lock()
	conns := s.conns
	s.conns = map[*websocket.Conn]context.CancelFunc{}
	s.mu.Unlock()
	for c, cancel := range conns {
		cancel()
		c.CloseNow()
	}
}

// SetDown makes the server refuse everything with 503 (true) or serve
// again (false). It also drops the websockets when going down.
func (s *Server) SetDown(down bool) {
	s.mu.Lock()
	s.down = down
	s.mu.Unlock()
	if down {
		s.Drop()
	}
}

// SetChannels sets what GET /channels answers: ARI Channel objects.
func (s *Server) SetChannels(channels ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.channels = raw(channels)
}

// SetBridges sets what GET /bridges answers: ARI Bridge objects.
func (s *Server) SetBridges(bridges ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bridges = raw(bridges)
}

// Respond makes requests with this method and path (without /ari) answer
// status and body, e.g. Respond("POST", "/channels/gone/answer", 404,
// `{"message":"Channel not found"}`).
func (s *Server) Respond(method, path string, status int, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.responses[method+" "+path] = Response{Status: status, Body: body}
}

// Requests returns the REST requests received so far (not the websocket
// upgrades), in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// NextRequest waits for the next REST request; it reports false when ctx
// ends first.
func (s *Server) NextRequest(ctx context.Context) (Request, bool) {
	select {
	case r := <-s.reqs:
		return r, true
	case <-ctx.Done():
		return Request{}, false
	}
}

// Connected waits for the next websocket connection and returns its query
// string; it reports false when ctx ends first.
func (s *Server) Connected(ctx context.Context) (url.Values, bool) {
	select {
	case q := <-s.connects:
		v, _ := url.ParseQuery(q)
		return v, true
	case <-ctx.Done():
		return nil, false
	}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	// Add only under mu and only while open: an Add racing Close's Wait
	// (a driver request arriving as the test ends) is a data race.
	s.mu.Lock()
	down, closed := s.down, s.closed
	if !closed {
		s.handlerWG.Add(1)
	}
	s.mu.Unlock()
	if closed {
		http.Error(w, `{"message":"down"}`, http.StatusServiceUnavailable)
		return
	}
	defer s.handlerWG.Done()
	if down {
		http.Error(w, `{"message":"down"}`, http.StatusServiceUnavailable)
		return
	}
	if s.user != "" {
		u, p, ok := r.BasicAuth()
		if !ok || u != s.user || p != s.password {
			w.Header().Set("WWW-Authenticate", `Basic realm="Asterisk REST Interface"`)
			http.Error(w, `{"error":"Authentication required"}`, http.StatusUnauthorized)
			return
		}
	}
	path, ok := strings.CutPrefix(r.URL.Path, "/ari")
	if !ok {
		http.NotFound(w, r)
		return
	}
	if path == "/events" && r.Method == http.MethodGet {
		s.serveEvents(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	req := Request{Method: r.Method, Path: path, Query: r.URL.Query(), Body: string(body)}
	s.mu.Lock()
	s.requests = append(s.requests, req)
	resp, canned := s.responses[r.Method+" "+path]
	var list []json.RawMessage
	switch {
	case r.Method == http.MethodGet && path == "/channels":
		list = s.channels
	case r.Method == http.MethodGet && path == "/bridges":
		list = s.bridges
	case r.Method == http.MethodGet && path == "/endpoints/PJSIP":
		list = s.endpoints
	}
	s.mu.Unlock()
	select {
	case s.reqs <- req:
	default: // nobody is waiting on NextRequest: Requests still has it
	}

	if !canned && s.serveRecording(w, r.Method, path, r.URL.Query()) {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	switch {
	case canned:
		w.WriteHeader(resp.Status)
		io.WriteString(w, resp.Body)
	case list != nil || (r.Method == http.MethodGet && (path == "/channels" || path == "/bridges" || path == "/endpoints/PJSIP")):
		if list == nil {
			list = []json.RawMessage{}
		}
		json.NewEncoder(w).Encode(list)
	case r.Method == http.MethodDelete || strings.HasSuffix(path, "/answer") || strings.HasSuffix(path, "/addChannel"):
		w.WriteHeader(http.StatusNoContent)
	default:
		io.WriteString(w, "{}")
	}
}

func (s *Server) serveEvents(w http.ResponseWriter, r *http.Request) {
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		c.CloseNow()
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.conns[c] = cancel
	close(s.joined)
	s.joined = make(chan struct{})
	s.mu.Unlock()
	select {
	case s.connects <- r.URL.RawQuery:
	default:
	}
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
		cancel()
		c.CloseNow()
	}()
	if s.noPong {
		// Never read, so pings go unanswered, until Drop or Close.
		<-ctx.Done()
		return
	}
	// Read (and so answer pings) until the client, Drop or Close ends it.
	for {
		if _, _, err := c.Read(ctx); err != nil {
			return
		}
	}
}

func raw(items []string) []json.RawMessage {
	out := make([]json.RawMessage, len(items))
	for i, it := range items {
		out[i] = json.RawMessage(it)
	}
	return out
}
