package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"switchboard/live"
	"switchboard/routing"
	"switchboard/routing/pbx"
	"switchboard/store"
)

// AgentService is what the API needs from the routing engine to show and
// change agents. Errors: routing.ErrUnknownAgent, *routing.TransitionError,
// *routing.FieldError, routing.ErrStopped.
type AgentService interface {
	agentCommands // agents.go
	acdService    // acd.go
}

// Reader is what the API reads from the store.
type Reader interface {
	Calls(ctx context.Context, f store.CallFilter) ([]store.Call, error)
	Call(ctx context.Context, id string) (store.Call, error)
	Events(ctx context.Context, f store.EventFilter) ([]routing.Record, error)
}

var (
	_ Reader       = (*store.Store)(nil)
	_ AgentService = (*routing.Engine)(nil)
)

// Registry is where the server registers its HTTP metrics and what /metrics
// serves; *prometheus.Registry is one.
type Registry interface {
	prometheus.Registerer
	prometheus.Gatherer
}

// HealthFunc reports the health of what the server fronts (the PBX links,
// the store). Its details are merged into the /healthz body; ok false makes
// /healthz answer 503.
type HealthFunc func(ctx context.Context) (details map[string]any, ok bool)

// Config is the HTTP server's configuration.
type Config struct {
	Listen string `yaml:"listen"` // host:port, default DefaultListen
	// TrustedProxies are the reverse proxies whose X-Forwarded-For and
	// X-Real-IP are believed (clientaddr.go); from anyone else they are
	// ignored.
	TrustedProxies []netip.Prefix `yaml:"-"`
	// Reload re-reads the config and hands it to the engine, returning the
	// new version; nil makes POST /api/v1/config/reload answer 501.
	Reload func(ctx context.Context) (version int, err error) `yaml:"-"`
	// Reports serves the report and export routes; nil makes them answer
	// 503 (the catalogue and the page still load).
	Reports ReportService `yaml:"-"`
	// Recordings hands out the audio of recorded messages (the PBX driver,
	// when it has recordings); nil makes GET
	// /api/v1/messages/{id}/recording answer 501.
	Recordings pbx.RecordingFetcher `yaml:"-"`
	// RecordingsDir is the PBX's recordings directory as this machine
	// sees it (a shared mount): call recordings are read from there, with
	// ranges; empty: fetched through Recordings.
	RecordingsDir string `yaml:"-"`
	// RecordingControl pauses, holds and deletes call recordings
	// (*routing.Recordings); nil answers 501 on those routes.
	RecordingControl RecordingControl `yaml:"-"`
	// CallControls hold, mute and hang up calls from the desk
	// (*routing.CallControls); nil answers 501.
	CallControls CallControlService `yaml:"-"`
	// Now is the API's clock for what it stamps itself (audit entries,
	// config versions, customers); nil is time.Now. Records are the
	// engine's, on the engine's clock.
	Now func() time.Time `yaml:"-"`
	// Accounts signs people in and checks sessions and tokens
	// (*auth.Service); nil answers 401 on every route that is not public.
	Accounts Accounts `yaml:"-"`
	// Audit is the append-only audit log (*store.Store); nil makes audited
	// actions answer 503 rather than go unrecorded.
	Audit AuditLog `yaml:"-"`
	// Privacy: which roles see full numbers and which may reveal them.
	Privacy Privacy `yaml:"-"`
	// SecureCookie marks the session cookie Secure (behind TLS).
	SecureCookie bool `yaml:"-"`
	// Teams is the routing config's teams (*config.Editor), which accounts
	// pick from (teams.go); nil: the teams the configured agents are in.
	Teams TeamSource `yaml:"-"`
	// ConfigEdit edits the routing sections from the admin page (admin.go).
	ConfigEdit ConfigEdit `yaml:"-"`
	// Live is the feed of records once durable (GET /api/v1/live) and
	// Wallboard the wallboard computed from it (GET /api/v1/wallboard);
	// nil answers 503.
	Live      *live.Hub   `yaml:"-"`
	Wallboard *live.Board `yaml:"-"`
	// Tickets serves the ticket routes (*tickets.Service); nil answers 501.
	Tickets TicketService `yaml:"-"`
	// Customers writes customers through the engine (*customers.Service);
	// nil makes customer writes answer 501.
	Customers CustomerSaver `yaml:"-"`
	// Quality serves the quality inspection routes (*quality.Service);
	// nil answers 501.
	Quality QualityService `yaml:"-"`
	// Workforce serves the schedule routes (*workforce.Service); nil answers 501.
	Workforce WorkforceService `yaml:"-"`
	// FollowUps serves the follow-up and appointment routes
	// (*followups.Service); nil answers 501.
	FollowUps FollowUpService `yaml:"-"`
	// Devices serves the device file routes (*devices.Service); nil
	// answers 501.
	Devices DeviceService `yaml:"-"`
	// Staffing serves the Erlang C staffing route (*workforce.Staffer);
	// nil answers 501.
	Staffing StaffingService `yaml:"-"`
}

// DefaultListen is the address the server listens on when Config.Listen is
// empty.
const DefaultListen = "127.0.0.1:8080"

// maxBody is the largest request body accepted; larger ones get 413.
const maxBody = 64 << 10

// shutdownGrace is how long Run waits for requests in flight when ctx ends.
const shutdownGrace = 10 * time.Second

// Server is the HTTP API.
type Server struct {
	cfg     Config
	agents  AgentService
	store   Reader
	log     *slog.Logger
	reg     Registry
	health  HealthFunc
	metrics *httpMetrics
	echo    *echo.Echo
	auth    Authenticator
	opt     optional // services decided once in New (services.go)
	aud     auditor
	denied  *windowLimiter // access.denied entries per principal (denied.go)
	search  *windowLimiter // customer searches by number (searchlimit.go)
	streams streamSlots    // open live streams per principal (livecap.go)
	scope   scoper
}

// New builds the server and its routes. A nil reg gets a fresh registry, a
// nil health reports ok. It panics if reg already holds different metrics
// under the names the server uses, as prometheus.MustRegister does.
func New(cfg Config, agents AgentService, st Reader, log *slog.Logger, reg Registry, health HealthFunc) *Server {
	if cfg.Listen == "" {
		cfg.Listen = DefaultListen
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	if health == nil {
		health = func(context.Context) (map[string]any, bool) { return nil, true }
	}
	s := &Server{
		cfg: cfg, agents: agents, store: st, log: log.With("component", "api"),
		reg: reg, health: health, metrics: newHTTPMetrics(reg), opt: findOptional(agents, st),
		denied: newDeniedLimiter(), search: newSearchLimiter(),
	}
	s.aud = auditor{log: cfg.Audit, now: s.now, slog: s.log}
	s.scope = scoper{agents: agents}
	if cfg.Privacy.FullNumbers == nil && cfg.Privacy.Reveal == nil {
		s.cfg.Privacy = DefaultPrivacy
		s.cfg.Privacy.AgentRecordings = cfg.Privacy.AgentRecordings
	}
	if cfg.Accounts != nil {
		s.auth = cfg.Accounts
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	e.IPExtractor = clientAddr(cfg.TrustedProxies)
	e.JSONSerializer = maskingSerializer{s: s}
	e.Use(s.observe, s.recover, noStore)
	if s.cfg.SecureCookie {
		e.Use(hsts)
	}
	for _, r := range s.routes() {
		e.Add(r.method, r.path, s.guard(r))
	}
	s.echo = e
	return s
}

// noStore keeps API answers (numbers, notes, audit pages) out of browser
// and proxy caches.
func noStore(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if strings.HasPrefix(c.Request().URL.Path, "/api/") {
			c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
		}
		return next(c)
	}
}

// hsts: behind TLS (secure_cookie set), browsers are told to come back
// only over HTTPS for a year, so a session cookie never travels in clear.
func hsts(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set(echo.HeaderStrictTransportSecurity, "max-age=31536000")
		return next(c)
	}
}

// route is one registered endpoint; openapi.json documents each of them.
type route struct {
	method, path string
	handler      echo.HandlerFunc
	access       access // who may call it (authz.go)
}

func (s *Server) routes() []route {
	return slices.Concat([]route{
		{http.MethodGet, "/healthz", s.getHealth, public},
		{http.MethodGet, "/metrics", s.getMetrics(), public},
		{http.MethodGet, "/api/v1/openapi.json", getOpenAPI, public},
	}, agentHandlers{agents: s.agents, aud: s.aud, log: s.log, teams: teamDirectory{src: s.cfg.Teams}}.routes(),
		acdHandlers{engine: s.agents, calls: s.store, aud: s.aud, log: s.log, reload: s.cfg.Reload}.routes(),
		callHandlers{calls: s.store, scope: s.scope}.routes(),
		s.reportRoutes(), s.messageRoutes(), s.authRoutes(), s.liveRoutes(),
		// Route groups added since the Server reached its size are
		// functions of it, not methods.
		s.superviseRoutes(), s.deskRoutes(), callControlRoutes(s), s.outboundRoutes(), s.callbackRoutes(), s.ticketRoutes(), followupRoutes(s), qualityRoutes(s), workforceRoutes(s), leaveRoutes(s), swapRoutes(s), handoverRoutes(s), deviceRoutes(s), staffingRoutes(s), s.recordingRoutes(), s.adminRoutes(), s.uiRoutes())
}

// Handler is the server's whole HTTP handler, for httptest and for
// embedding.
func (s *Server) Handler() http.Handler { return s.echo }

// Run listens on cfg.Listen and serves until ctx ends, then shuts down
// gracefully. It returns nil after a clean shutdown.
func (s *Server) Run(ctx context.Context) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", s.cfg.Listen)
	if err != nil {
		return fmt.Errorf("api: listen: %w", err)
	}
	return s.Serve(ctx, ln)
}

// Serve is Run on a listener the caller opened; it closes ln.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.echo,
		ReadHeaderTimeout: 10 * time.Second,
		MaxHeaderBytes:    maxHeaderBytes,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	s.log.Info("listening", "addr", ln.Addr().String())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	select {
	case err := <-served:
		return fmt.Errorf("api: serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	err := srv.Shutdown(sctx)
	if serr := <-served; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	if err != nil {
		return fmt.Errorf("api: shutdown: %w", err)
	}
	s.log.Info("stopped")
	return nil
}

// recover turns a handler panic into a 500 through the error handler.
func (s *Server) recover(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				err = fmt.Errorf("panic: %v", r)
			}
		}()
		return next(c)
	}
}

// now is the time of a record the API appends: UTC, no monotonic reading,
// as the log stores it.
func (s *Server) now() time.Time {
	if s.cfg.Now != nil {
		return s.cfg.Now().UTC().Round(0)
	}
	return time.Now().UTC().Round(0)
}
