package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"switchboard/auth"
	"switchboard/routing"
	"switchboard/routing/pbx"
	"switchboard/store"
)

// Call recordings (录音): the index, playback with HTTP ranges (the
// browser's player seeks), pause and resume of a live call's recording,
// legal holds and deletion.
//
// Access follows calls: quality inspectors and supervisors all, team leads
// their team's, an agent their own when privacy.agent_recordings allows.
// Every playback and download is audited; a refusal is audited as every
// 403 is (denied.go).

// RecordingIndex is what the recording routes read from the store: the
// recordings table. The Reader given to New provides it when it has these
// methods (*store.Store does).
type RecordingIndex interface {
	Recordings(ctx context.Context, f store.RecordingFilter) (store.RecordingPage, error)
	Recording(ctx context.Context, id string) (store.Recording, error)
}

var _ RecordingIndex = (*store.Store)(nil)

// RecordingControl pauses and resumes live calls' recordings and puts
// holds on and deletes recordings, each a record through the engine
// (*routing.Recordings).
type RecordingControl interface {
	Pause(ctx context.Context, r routing.RecordingRequest) (routing.RecordingState, error)
	Resume(ctx context.Context, r routing.RecordingRequest) (routing.RecordingState, error)
	Hold(ctx context.Context, r routing.RecordingRequest, hold bool) error
	Delete(ctx context.Context, r routing.RecordingRequest) error
}

var _ RecordingControl = (*routing.Recordings)(nil)

// RecordingDeleter removes a recording's file from the PBX (the ARI
// driver); without one a deletion is recorded and the files are left to
// the PBX's own clean-up.
type RecordingDeleter interface {
	DeleteRecording(ctx context.Context, name string) error
}

var (
	errNoRecordingIndex   = missing(http.StatusNotImplemented, "not_configured", "this server keeps no recordings index")
	errNoRecordingControl = missing(http.StatusNotImplemented, "not_configured", "this server's engine does not control recordings")
)

// maxAudio bounds a recording fetched from the PBX into memory to serve
// ranges of it (an hour of 8 kHz 16-bit WAV is about 58 MB).
const maxAudio = 256 << 20

// recordingReaders may list and play recordings: an agent only their
// own, and only if the config allows.
var recordingReaders = allow(auth.Agent, auth.TeamLead, auth.Supervisor, auth.Quality)

type recordingHandlers struct {
	index   RecordingIndex
	control RecordingControl
	fetch   pbx.RecordingFetcher // nil: audio from dir only
	deleter RecordingDeleter
	dir     string // the PBX's recordings directory as this machine sees it
	agents  bool   // agents may play their own
	calls   Reader
	scope   scoper
	aud     auditor
	log     *slog.Logger
}

func (s *Server) recordingRoutes() []route {
	h := recordingHandlers{index: s.opt.recordings, control: s.cfg.RecordingControl, fetch: s.cfg.Recordings,
		dir: s.cfg.RecordingsDir, agents: s.cfg.Privacy.AgentRecordings, calls: s.store, scope: s.scope, aud: s.aud, log: s.log}
	h.deleter, _ = s.cfg.Recordings.(RecordingDeleter)
	return []route{
		{http.MethodGet, "/api/v1/recordings", h.list, recordingReaders},
		{http.MethodGet, "/api/v1/recordings/:id", h.get, recordingReaders},
		{http.MethodGet, "/api/v1/recordings/:id/audio", h.audio, recordingReaders},
		{http.MethodPost, "/api/v1/recordings/:id/hold", h.hold, allow(auth.Supervisor, auth.Admin)},
		{http.MethodDelete, "/api/v1/recordings/:id", h.delete, allow(auth.Supervisor, auth.Admin)},
		{http.MethodPost, "/api/v1/calls/:id/recording/pause", h.pause, floor},
		{http.MethodPost, "/api/v1/calls/:id/recording/resume", h.resume, floor},
	}
}

// recordingFilter reads GET /api/v1/recordings' query: agent, team,
// queue, from, to, direction, disposition, limit and page (from 1).
func recordingFilter(v url.Values) (store.RecordingFilter, error) {
	q := newQuery(v, "agent", "team", "queue", "from", "to", "direction", "disposition", "limit", "page")
	f := store.RecordingFilter{Agent: q.str("agent"), Team: q.str("team"), Queue: q.str("queue"),
		Direction: q.str("direction"), Disposition: q.str("disposition"),
		From: q.time("from"), To: q.time("to"), Limit: q.limit()}
	switch f.Direction {
	case "", routing.DirectionInbound, routing.DirectionOutbound:
	default:
		q.fail(badRequest("direction", "must be inbound or outbound"))
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		q.fail(badRequest("to", "must be after from"))
	}
	if s := q.str("page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1_000_000 {
			q.fail(badRequest("page", "must be a whole number from 1"))
		} else {
			limit := f.Limit
			if limit == 0 {
				limit = store.DefaultLimit
			}
			f.Offset = (n - 1) * limit
		}
	}
	return f, q.err
}

// scopeFilter narrows f to what p may see.
func (h recordingHandlers) scopeFilter(ctx context.Context, p auth.Principal, f *store.RecordingFilter) error {
	switch p.Role {
	case auth.Supervisor, auth.Quality:
	case auth.Agent:
		f.Agents = []string{}
		if h.agents && p.AgentID != "" {
			f.Agents = []string{p.AgentID}
		}
	case auth.TeamLead:
		team, err := h.scope.teamAgents(ctx, p.Team)
		if err != nil {
			return err
		}
		if p.AgentID != "" {
			team = append(team, p.AgentID)
		}
		f.Agents = team
	default:
		f.Agents = []string{}
	}
	return nil
}

// inScope refuses a recording p may not play (403: it exists, but it is
// another team's or agent's).
func (h recordingHandlers) inScope(c echo.Context, r store.Recording) error {
	p := principalOf(c)
	if p.Role == auth.Agent && !h.agents {
		return forbidden("agents may not play recordings here (privacy.agent_recordings)")
	}
	ok, err := h.scope.agentInScope(c.Request().Context(), p, r.Agent)
	if err != nil {
		return err
	}
	if !ok && p.Role == auth.TeamLead && p.Team != "" && r.Team == p.Team {
		ok = true // recorded while the agent was in the lead's team
	}
	if !ok {
		return forbidden("this recording is not yours or your team's")
	}
	return nil
}

func (h recordingHandlers) list(c echo.Context) error {
	f, err := recordingFilter(c.QueryParams())
	if err != nil {
		return err
	}
	if h.index == nil {
		return errNoRecordingIndex()
	}
	ctx := c.Request().Context()
	if err := h.scopeFilter(ctx, principalOf(c), &f); err != nil {
		return err
	}
	page, err := h.index.Recordings(ctx, f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page)
}

func (h recordingHandlers) find(c echo.Context) (store.Recording, error) {
	if h.index == nil {
		return store.Recording{}, errNoRecordingIndex()
	}
	r, err := h.index.Recording(c.Request().Context(), c.Param("id"))
	if err != nil {
		return r, err
	}
	return r, h.inScope(c, r)
}

func (h recordingHandlers) get(c echo.Context) error {
	r, err := h.find(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

// audio streams one part of a recording (?part=N, default 1) as WAV,
// honouring a Range header (206; 416 for a range past the end). Every
// playback (and download, ?download=true) is audited before a byte goes
// out.
func (h recordingHandlers) audio(c echo.Context) error {
	q := newQuery(c.QueryParams(), "part", "download")
	part := 1
	if s := q.str("part"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			q.fail(badRequest("part", "must be a part number from 1"))
		}
		part = n
	}
	download := q.boolPtr("download")
	if q.err != nil {
		return q.err
	}
	r, err := h.find(c)
	if err != nil {
		return err
	}
	if r.DeletedAt != nil {
		return &Error{Status: http.StatusGone, Code: "deleted", Message: "the recording was deleted (" + r.DeleteReason + ")"}
	}
	i := slices.IndexFunc(r.Parts, func(p store.RecordingPart) bool { return p.Part == part })
	if i < 0 {
		return &Error{Status: http.StatusNotFound, Code: CodeNotFound, Field: "part",
			Message: fmt.Sprintf("the recording has %d part(s), not part %d", len(r.Parts), part)}
	}
	p := r.Parts[i]
	if p.EndedAt == nil {
		return &Error{Status: http.StatusConflict, Code: "recording_running", Message: "the part is still being recorded"}
	}
	if p.Failed {
		return &Error{Status: http.StatusNotFound, Code: CodeNotFound, Message: "the PBX did not keep part " + strconv.Itoa(part)}
	}
	action := "recording.play"
	if download != nil && *download {
		action = "recording.download"
	}
	rng := c.Request().Header.Get("Range")
	ctx := c.Request().Context()
	body, size, err := h.open(ctx, p.Name)
	var apiErr *Error
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &Error{Status: http.StatusNotFound, Code: CodeNotFound, Message: "the PBX has no file " + p.Name}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case errors.As(err, &apiErr):
		return err
	case err != nil:
		h.log.Error("recording not fetched", "recording", r.ID, "file", p.Name, "err", err)
		return &Error{Status: http.StatusBadGateway, Code: "pbx_error", Message: "the PBX did not hand out the recording"}
	}
	defer body.Close()
	br, err := parseRange(rng, size)
	if err != nil {
		return err
	}
	detail := map[string]any{"call": r.CallID, "part": part, "agent": r.Agent}
	if rng != "" {
		detail["range"] = rng
	}
	if err := h.aud.record(c, action, "recording:"+r.ID, true, detail); err != nil {
		return err
	}
	disp := "inline"
	if action == "recording.download" {
		disp = "attachment"
	}
	hdr := c.Response().Header()
	hdr.Set("Content-Disposition", mime.FormatMediaType(disp, map[string]string{"filename": p.Name + ".wav"}))
	hdr.Set("Accept-Ranges", "bytes")
	if br == nil {
		hdr.Set(echo.HeaderContentLength, strconv.FormatInt(size, 10))
		return c.Stream(http.StatusOK, "audio/wav", body)
	}
	if _, err := body.Seek(br.start, io.SeekStart); err != nil {
		return err
	}
	hdr.Set("Content-Range", br.contentRange(size))
	hdr.Set(echo.HeaderContentLength, strconv.FormatInt(br.length, 10))
	return c.Stream(http.StatusPartialContent, "audio/wav", io.LimitReader(body, br.length))
}

// open finds a part's file: in the recordings directory both machines see,
// else fetched from the PBX (into memory, to seek in it).
func (h recordingHandlers) open(ctx context.Context, name string) (io.ReadSeekCloser, int64, error) {
	if strings.ContainsAny(name, `/\`) || name == "" || name == "." || name == ".." {
		return nil, 0, fs.ErrNotExist
	}
	if h.dir != "" {
		f, err := os.Open(filepath.Join(h.dir, name+".wav"))
		if err != nil {
			return nil, 0, err
		}
		st, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, 0, err
		}
		return f, st.Size(), nil
	}
	if h.fetch == nil {
		return nil, 0, errNoRecordings()
	}
	rc, err := h.fetch.FetchRecording(ctx, name)
	if err != nil {
		return nil, 0, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxAudio+1))
	if err != nil {
		return nil, 0, err
	}
	if len(data) > maxAudio {
		return nil, 0, fmt.Errorf("recording %s is larger than %d bytes", name, maxAudio)
	}
	return nopSeekCloser{bytes.NewReader(data)}, int64(len(data)), nil
}

type nopSeekCloser struct{ *bytes.Reader }

func (nopSeekCloser) Close() error { return nil }

func (h recordingHandlers) pause(c echo.Context) error  { return h.pauseOrResume(c, true) }
func (h recordingHandlers) resume(c echo.Context) error { return h.pauseOrResume(c, false) }

// pauseOrResume: whoever may act on the call (its agent, their lead, a
// supervisor) pauses its recording while the caller gives card details.
func (h recordingHandlers) pauseOrResume(c echo.Context, pause bool) error {
	if err := decodeBody(c, &struct{}{}, false); err != nil {
		return err
	}
	ctx := c.Request().Context()
	call, err := h.calls.Call(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	if err := h.scope.callScope(c, call); err != nil {
		return err
	}
	if h.control == nil {
		return errNoRecordingControl()
	}
	req := routing.RecordingRequest{Call: call.ID, By: actor(principalOf(c))}
	var st routing.RecordingState
	if pause {
		st, err = h.control.Pause(ctx, req)
	} else {
		st, err = h.control.Resume(ctx, req)
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}

// holdRequest is the body of POST /api/v1/recordings/{id}/hold.
type holdRequest struct {
	Hold   *bool  `json:"hold"`
	Reason string `json:"reason"`
}

// maxReason bounds a hold's or deletion's reason.
const maxReason = 500

func (h recordingHandlers) hold(c echo.Context) error {
	var req holdRequest
	if err := decodeBody(c, &req, true); err != nil {
		return err
	}
	switch {
	case req.Hold == nil:
		return badRequest("hold", "is required: true puts a legal hold on, false takes it off")
	case len(req.Reason) > maxReason:
		return badRequest("reason", "must be at most %d bytes", maxReason)
	case *req.Hold && strings.TrimSpace(req.Reason) == "":
		return badRequest("reason", "is required: why the recording is held (a case, a complaint)")
	}
	r, err := h.managed(c)
	if err != nil {
		return err
	}
	err = h.control.Hold(c.Request().Context(), routing.RecordingRequest{Recording: r.ID, By: actor(principalOf(c)), Reason: req.Reason}, *req.Hold)
	// Audited with its outcome, after the engine answered.
	if aerr := h.aud.record(c, "recording.hold", "recording:"+r.ID, err == nil, req); aerr != nil {
		return aerr
	}
	if err != nil {
		return err
	}
	r.Held = *req.Hold
	r.HeldBy = actor(principalOf(c))
	return c.JSON(http.StatusOK, r)
}

// delete records a recording's deletion (refused under a legal hold)
// and removes its files from the PBX when the driver can.
func (h recordingHandlers) delete(c echo.Context) error {
	q := newQuery(c.QueryParams(), "reason")
	reason := strings.TrimSpace(q.str("reason"))
	switch {
	case q.err != nil:
		return q.err
	case reason == "":
		return badRequest("reason", "is required: why the recording is deleted")
	case len(reason) > maxReason:
		return badRequest("reason", "must be at most %d bytes", maxReason)
	}
	r, err := h.managed(c)
	if err != nil {
		return err
	}
	if r.Held {
		return &Error{Status: http.StatusConflict, Code: "legal_hold", Field: "hold", Message: "the recording is under legal hold (by " + r.HeldBy + ")"}
	}
	err = deleteRecording(c.Request().Context(), h.control, h.deleter, r, actor(principalOf(c)), reason, h.log)
	if aerr := h.aud.record(c, "recording.delete", "recording:"+r.ID, err == nil, map[string]string{"reason": reason}); aerr != nil {
		return aerr
	}
	if err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// managed is the recording a hold or a deletion acts on: the index and the
// engine's control must be there, and the recording not deleted.
func (h recordingHandlers) managed(c echo.Context) (store.Recording, error) {
	if h.index == nil {
		return store.Recording{}, errNoRecordingIndex()
	}
	if h.control == nil {
		return store.Recording{}, errNoRecordingControl()
	}
	r, err := h.index.Recording(c.Request().Context(), c.Param("id"))
	if err != nil {
		return r, err
	}
	if r.DeletedAt != nil {
		return r, &Error{Status: http.StatusGone, Code: "deleted", Message: "the recording was deleted already"}
	}
	return r, nil
}

// deleteRecording records r's deletion through the engine, then removes
// its files; a file the PBX cannot remove is logged (the record stands:
// the index no longer serves it).
func deleteRecording(ctx context.Context, ctl RecordingControl, del RecordingDeleter, r store.Recording, by, reason string, log *slog.Logger) error {
	names := make([]string, 0, len(r.Parts))
	for _, p := range r.Parts {
		names = append(names, p.Name)
	}
	if err := ctl.Delete(ctx, routing.RecordingRequest{Recording: r.ID, By: by, Reason: reason, Names: names}); err != nil {
		return err
	}
	if del == nil {
		return nil
	}
	for _, n := range names {
		if err := del.DeleteRecording(ctx, n); err != nil && !errors.Is(err, fs.ErrNotExist) {
			log.Warn("recording file not deleted", "recording", r.ID, "file", n, "err", err)
		}
	}
	return nil
}
