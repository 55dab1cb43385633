package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"switchboard/routing"
	"switchboard/store"
)

// Configuration edited in the browser. The editable routing sections
// (queues, agents, flows, …) are saved as numbered versions in the store;
// version 0 is the config file. The file's side (building the whole config
// from sections, validating it as `switchboard validate` does, the engine's
// hot reload) is behind ConfigSource, which cmd/switchboard implements.

// ConfigSource is what the admin routes need from the owner of the config
// file and the engine.
type ConfigSource interface {
	// Sections names the editable routing sections, in display order.
	Sections() []string
	// Active is the version running (0: the config file's sections) and
	// its sections, every one of Sections present.
	Active() (version int, sections map[string]string)
	// File is the config file's sections as they are on disk now.
	File() (map[string]string, error)
	// Check builds the whole config that sections make with the file's
	// other settings and validates it; a config that does not validate is
	// ConfigProblems. Sections missing from the map are the file's.
	Check(sections map[string]string) error
	// Apply checks again and hands the config to the engine's hot reload
	// (nobody is signed out; callers keep their place); once it runs,
	// commit saves it as a version (given the hash of the file's
	// sections) before any other reload may start. ErrConfigConflict: parent
	// is no longer the active version. It returns the engine's version.
	Apply(ctx context.Context, parent int, sections map[string]string, commit func(base string) (int, error)) (int, error)
}

// ConfigVersions is the saved versions (*store.Store is one).
type ConfigVersions interface {
	SaveConfigVersion(ctx context.Context, v store.ConfigVersion) (store.ConfigVersion, error)
	ConfigVersions(ctx context.Context, before, limit int) ([]store.ConfigVersion, error)
	ConfigVersion(ctx context.Context, n int) (store.ConfigVersion, error)
}

var _ ConfigVersions = (*store.Store)(nil)

// ConfigEdit wires the admin page's configuration editing; with either
// part nil those routes answer 501.
type ConfigEdit struct {
	Source   ConfigSource
	Versions ConfigVersions
}

// ErrConfigConflict: another save or reload came first.
var ErrConfigConflict = errors.New("the configuration changed since it was loaded")

// ConfigProblem is one thing wrong with a config built from sections:
// where (a section and a line of its text, 1-based; no section: elsewhere
// in the config file) and what.
type ConfigProblem struct {
	Section string `json:"section,omitempty"`
	Line    int    `json:"line,omitempty"`
	Message string `json:"message"`
}

// ConfigProblems is every problem found; Check and Apply return it.
type ConfigProblems []ConfigProblem

func (ps ConfigProblems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		switch {
		case p.Section != "" && p.Line > 0:
			lines[i] = fmt.Sprintf("%s:%d: %s", p.Section, p.Line, p.Message)
		case p.Section != "":
			lines[i] = p.Section + ": " + p.Message
		default:
			lines[i] = p.Message
		}
	}
	return strings.Join(lines, "\n")
}

// Limits of the bodies here: a section (flows can be long) and a comment.
const (
	maxSectionBody = 1 << 20
	maxCommentLen  = 500
)

// CodeInvalidConfig is the 422 of a section that does not validate;
// CodeConfigConflict the 409 of a save over a version no longer active.
const (
	CodeInvalidConfig  = "invalid_config"
	CodeConfigConflict = "config_conflict"
)

// configHandlers serves the admin page's configuration editing; it is
// built only with both halves of ConfigEdit (without them the routes
// answer 501, see Server.adminRoutes).
type configHandlers struct {
	src    ConfigSource
	vers   ConfigVersions
	agents agentFinder
	aud    auditor
	log    *slog.Logger
	now    func() time.Time
}

// agentFinder is what an assignment reads of the agent it moves.
type agentFinder interface {
	Agent(ctx context.Context, id string) (routing.AgentView, error)
}

func (s *Server) adminRoutes() []route {
	ce := s.cfg.ConfigEdit
	h := configHandlers{src: ce.Source, vers: ce.Versions, agents: s.agents, aud: s.aud, log: s.log, now: s.now}
	return requires(ce.Source != nil && ce.Versions != nil, errNoConfigEdit, h.routes()...)
}

func (h configHandlers) routes() []route {
	return []route{
		{http.MethodGet, "/api/v1/config", h.getConfig, admins},
		{http.MethodPut, "/api/v1/config/sections/:section", h.putSection, admins},
		{http.MethodPost, "/api/v1/config/sections/:section/check", h.checkSection, admins},
		{http.MethodGet, "/api/v1/config/versions", h.listConfigVersions, admins},
		{http.MethodGet, "/api/v1/config/versions/:v", h.getConfigVersion, admins},
		{http.MethodGet, "/api/v1/config/versions/:v/diff", h.diffConfigVersion, admins},
		{http.MethodPost, "/api/v1/config/versions/:v/rollback", h.rollbackConfig, admins},
		{http.MethodPut, "/api/v1/agents/:id/assignment", h.putAssignment, leads},
	}
}

// configSection is one section's YAML text.
type configSection struct {
	Name string `json:"name"`
	YAML string `json:"yaml"`
}

// configBody is the body of GET /api/v1/config and of one version.
type configBody struct {
	Version  int             `json:"version"`
	Sections []configSection `json:"sections"`
}

func sectionList(names []string, secs map[string]string) []configSection {
	out := make([]configSection, len(names))
	for i, n := range names {
		out[i] = configSection{Name: n, YAML: secs[n]}
	}
	return out
}

func (h configHandlers) getConfig(c echo.Context) error {
	src := h.src
	v, secs := src.Active()
	return c.JSON(http.StatusOK, configBody{Version: v, Sections: sectionList(src.Sections(), secs)})
}

// sectionRequest is the body of PUT /api/v1/config/sections/{section} and
// of its check.
type sectionRequest struct {
	YAML    *string `json:"yaml"`
	Comment string  `json:"comment"`
}

// savedBody answers a save, a rollback or an assignment.
type savedBody struct {
	Version       int      `json:"version"`
	EngineVersion int      `json:"engine_version"`
	Changed       []string `json:"changed"`
}

// sectionEdit reads the section name and body and returns the active
// version and the sections it would become.
func (h configHandlers) sectionEdit(c echo.Context, src ConfigSource) (name string, req sectionRequest, parent int, cur, next map[string]string, err error) {
	name = c.Param("section")
	if !slices.Contains(src.Sections(), name) {
		return "", req, 0, nil, nil, &Error{Status: http.StatusNotFound, Code: CodeNotFound,
			Message: fmt.Sprintf("no editable section %q (one of %s)", name, strings.Join(src.Sections(), ", "))}
	}
	if err := decodeBodyLimit(c, &req, maxSectionBody); err != nil {
		return "", req, 0, nil, nil, err
	}
	switch {
	case req.YAML == nil:
		return "", req, 0, nil, nil, badRequest("yaml", "required: the section's YAML text")
	case len(req.Comment) > maxCommentLen:
		return "", req, 0, nil, nil, badRequest("comment", "is longer than %d bytes", maxCommentLen)
	}
	parent, cur = src.Active()
	next = maps.Clone(cur)
	next[name] = *req.YAML
	return name, req, parent, cur, next, nil
}

func (h configHandlers) checkSection(c echo.Context) error {
	src := h.src
	name, _, _, _, next, err := h.sectionEdit(c, src)
	if err != nil {
		return err
	}
	if err := src.Check(next); err != nil {
		return configError(c, name, err)
	}
	return c.JSON(http.StatusOK, map[string]bool{"ok": true})
}

func (h configHandlers) putSection(c echo.Context) error {
	src := h.src
	name, req, parent, cur, next, err := h.sectionEdit(c, src)
	if err != nil {
		return err
	}
	if next[name] == cur[name] {
		return c.JSON(http.StatusOK, savedBody{Version: parent, Changed: []string{}})
	}
	if err := src.Check(next); err != nil {
		return configError(c, name, err)
	}
	detail := map[string]any{"parent": parent, "comment": req.Comment, "before": cur[name], "after": next[name]}
	if err := h.aud.record(c, "config.save", name, true, detail); err != nil {
		return err
	}
	out, err := h.applyConfig(c, "config.save", name, parent, cur, next, req.Comment)
	if err != nil {
		return configError(c, name, err)
	}
	return c.JSON(http.StatusOK, out)
}

// applyConfig hands next to the engine and saves it as a new version made
// over parent. The caller audited the change before; a failure here is
// audited again, as not done.
func (h configHandlers) applyConfig(c echo.Context, action, target string, parent int, cur, next map[string]string, comment string) (savedBody, error) {
	src, vers := h.src, h.vers
	ctx := c.Request().Context()
	changed := []string{}
	for _, n := range src.Sections() {
		if cur[n] != next[n] {
			changed = append(changed, n)
		}
	}
	author := principalOf(c).Username
	var saved store.ConfigVersion
	ev, err := src.Apply(ctx, parent, next, func(base string) (int, error) {
		var err error
		saved, err = vers.SaveConfigVersion(ctx, store.ConfigVersion{Time: h.now(), Author: author, Comment: comment,
			Parent: parent, Changed: changed, Base: base, Sections: next})
		return saved.Version, err
	})
	if err != nil {
		if aerr := h.aud.record(c, action, target, false, map[string]any{"parent": parent, "error": err.Error()}); aerr != nil {
			h.log.Error("audit of a failed config change not written", "action", action, "err", aerr)
		}
		return savedBody{}, err
	}
	h.log.Info("config version applied", "version", saved.Version, "parent", parent, "by", author, "changed", changed, "engine_version", ev)
	return savedBody{Version: saved.Version, EngineVersion: ev, Changed: changed}, nil
}

// configErrorBody is the error of a config that does not validate: the
// first problem in the edited section (its line within the text sent) and
// all of them.
type configErrorBody struct {
	Error configErrorDetail `json:"error"`
}

type configErrorDetail struct {
	Code     string          `json:"code"`
	Message  string          `json:"message"`
	Field    string          `json:"field"`
	Section  string          `json:"section,omitempty"`
	Line     int             `json:"line,omitempty"`
	Problems []ConfigProblem `json:"problems"`
}

// configError answers a config refusal: 422 naming the line for
// ConfigProblems, 409 for a conflict, the usual mapping otherwise.
func configError(c echo.Context, section string, err error) error {
	if errors.Is(err, ErrConfigConflict) {
		return &Error{Status: http.StatusConflict, Code: CodeConfigConflict, Message: err.Error() + "; reload and try again"}
	}
	var ps ConfigProblems
	if !errors.As(err, &ps) || len(ps) == 0 {
		return err
	}
	first := ps[0]
	for _, p := range ps {
		if p.Section == section {
			first = p
			break
		}
	}
	msg := first.Message
	if first.Section != section {
		msg = ConfigProblems{first}.Error() // names the other section
	}
	return c.JSON(http.StatusUnprocessableEntity, configErrorBody{Error: configErrorDetail{
		Code: CodeInvalidConfig, Message: msg, Field: "yaml", Section: first.Section, Line: first.Line, Problems: ps}})
}

// versionNumber reads the :v parameter.
func versionNumber(c echo.Context) (int, error) {
	n, err := strconv.Atoi(c.Param("v"))
	if err != nil || n < 0 {
		return 0, badRequest("v", "must be a version number (0: the config file)")
	}
	return n, nil
}

// versionOf is version n with every section (a section a version lacks is
// the file's, as when it is applied).
func (h configHandlers) versionOf(ctx context.Context, src ConfigSource, vers ConfigVersions, n int) (store.ConfigVersion, error) {
	file, err := src.File()
	if err != nil {
		return store.ConfigVersion{}, err
	}
	if n == 0 {
		return store.ConfigVersion{Author: "", Comment: "config file", Changed: []string{}, Sections: file}, nil
	}
	v, err := vers.ConfigVersion(ctx, n)
	if err != nil {
		return store.ConfigVersion{}, err
	}
	secs := make(map[string]string, len(src.Sections()))
	for _, name := range src.Sections() {
		text, ok := v.Sections[name]
		if !ok {
			text = file[name]
		}
		secs[name] = text
	}
	v.Sections = secs
	return v, nil
}

// versionList is the body of GET /api/v1/config/versions.
type versionList struct {
	Active   int                   `json:"active"`
	Versions []store.ConfigVersion `json:"versions"`
}

func (h configHandlers) listConfigVersions(c echo.Context) error {
	src, vers := h.src, h.vers
	q := newQuery(c.QueryParams(), "before", "limit")
	before, limit := q.seq("before"), q.limit()
	if q.err != nil {
		return q.err
	}
	if limit == 0 {
		limit = store.DefaultLimit
	}
	list, err := vers.ConfigVersions(c.Request().Context(), int(before), limit)
	if err != nil {
		return err
	}
	if len(list) < limit {
		// The last page ends with the config file itself.
		list = append(list, store.ConfigVersion{Comment: "config file", Changed: []string{}})
	}
	active, _ := src.Active()
	return c.JSON(http.StatusOK, versionList{Active: active, Versions: list})
}

// versionBody is the body of GET /api/v1/config/versions/{v}.
type versionBody struct {
	store.ConfigVersion
	Sections []configSection `json:"sections"`
}

func (h configHandlers) getConfigVersion(c echo.Context) error {
	src, vers := h.src, h.vers
	n, err := versionNumber(c)
	if err != nil {
		return err
	}
	v, err := h.versionOf(c.Request().Context(), src, vers, n)
	if err != nil {
		return err
	}
	secs := v.Sections
	v.Sections = nil
	return c.JSON(http.StatusOK, versionBody{ConfigVersion: v, Sections: sectionList(src.Sections(), secs)})
}

// diffBody is the body of GET /api/v1/config/versions/{v}/diff.
type diffBody struct {
	Version  int           `json:"version"`
	Against  int           `json:"against"`
	Diff     string        `json:"diff"`
	Sections []sectionDiff `json:"sections"`
}

// sectionDiff is one changed section's unified diff; its line numbers are
// those of the section's text.
type sectionDiff struct {
	Name string `json:"name"`
	Diff string `json:"diff"`
}

func (h configHandlers) diffConfigVersion(c echo.Context) error {
	src, vers := h.src, h.vers
	n, err := versionNumber(c)
	if err != nil {
		return err
	}
	q := newQuery(c.QueryParams(), "against")
	ctx := c.Request().Context()
	v, err := h.versionOf(ctx, src, vers, n)
	if err != nil {
		return err
	}
	against := v.Parent
	if a := q.str("against"); a != "" {
		against, err = strconv.Atoi(a)
		if err != nil || against < 0 {
			q.fail(badRequest("against", "must be a version number (0: the config file)"))
		}
	}
	if q.err != nil {
		return q.err
	}
	old, err := h.versionOf(ctx, src, vers, against)
	if errors.Is(err, store.ErrNotFound) {
		return badRequest("against", "no version %d", against)
	}
	if err != nil {
		return err
	}
	out := diffBody{Version: n, Against: against, Sections: []sectionDiff{}}
	var all strings.Builder
	for _, name := range src.Sections() {
		d := unifiedDiff(fmt.Sprintf("v%d/%s", against, name), fmt.Sprintf("v%d/%s", n, name), old.Sections[name], v.Sections[name])
		if d != "" {
			out.Sections = append(out.Sections, sectionDiff{Name: name, Diff: d})
			all.WriteString(d)
		}
	}
	out.Diff = all.String()
	return c.JSON(http.StatusOK, out)
}

// rollbackRequest is the optional body of POST .../rollback.
type rollbackRequest struct {
	Comment string `json:"comment"`
}

func (h configHandlers) rollbackConfig(c echo.Context) error {
	src, vers := h.src, h.vers
	n, err := versionNumber(c)
	if err != nil {
		return err
	}
	var req rollbackRequest
	if err := decodeBody(c, &req, false); err != nil {
		return err
	}
	if len(req.Comment) > maxCommentLen {
		return badRequest("comment", "is longer than %d bytes", maxCommentLen)
	}
	v, err := h.versionOf(c.Request().Context(), src, vers, n)
	if err != nil {
		return err
	}
	parent, cur := src.Active()
	if err := src.Check(v.Sections); err != nil {
		return configError(c, "", err)
	}
	target := fmt.Sprintf("version %d", n)
	if err := h.aud.record(c, "config.rollback", target, true, map[string]any{"from": parent, "to": n, "comment": req.Comment}); err != nil {
		return err
	}
	comment := fmt.Sprintf("rollback to version %d", n)
	if req.Comment != "" {
		comment += ": " + req.Comment
	}
	out, err := h.applyConfig(c, "config.rollback", target, parent, cur, v.Sections, comment)
	if err != nil {
		return configError(c, "", err)
	}
	return c.JSON(http.StatusOK, out)
}

// decodeBodyLimit is decodeBody with its own size limit (config sections
// may be longer than other bodies).
func decodeBodyLimit(c echo.Context, v any, limit int64) error {
	r := http.MaxBytesReader(c.Response(), c.Request().Body, limit)
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return badRequest("", "a JSON body is required")
		}
		return bodyError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			return err
		}
		return badRequest("", "the body must hold exactly one JSON object")
	}
	return nil
}
