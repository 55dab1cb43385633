package ari

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"switchboard/routing/pbx"
)

var (
	_ pbx.VoiceRecorder    = (*Driver)(nil)
	_ pbx.RecordingFetcher = (*Driver)(nil)
)

// ErrNotFound is what FetchRecording returns (wrapped) when Asterisk has no
// stored recording of that name. It also matches fs.ErrNotExist, so a
// caller that does not import ari (the API) can tell "no such recording"
// from a failure.
var ErrNotFound error = notFoundError{}

type notFoundError struct{}

func (notFoundError) Error() string        { return "not found" }
func (notFoundError) Is(target error) bool { return target == fs.ErrNotExist }

// recordingFormat is the format every recording is stored in: the API
// serves it as audio/wav.
const recordingFormat = "wav"

// Record starts recording r.Channel into the stored recording r.Name
// (POST /channels/{id}/record, ifExists=overwrite); RecordingFinished
// follows. Unlike Answer or Play, a 404 (the channel has gone) is an
// error: no RecordingFinished will come, only the channel's end.
func (d *Driver) Record(ctx context.Context, r pbx.Recording) error {
	if err := checkRecordingName(r.Name); err != nil {
		return fmt.Errorf("ari: record on %s: %w", r.Channel, err)
	}
	if r.Channel == "" {
		return fmt.Errorf("ari: record %s: no channel", r.Name)
	}
	term, err := terminateOn(r.TerminateOn)
	if err != nil {
		return fmt.Errorf("ari: record %s on %s: %w", r.Name, r.Channel, err)
	}
	q := url.Values{
		"name":        {r.Name},
		"format":      {recordingFormat},
		"ifExists":    {"overwrite"},
		"beep":        {strconv.FormatBool(r.Beep)},
		"terminateOn": {term},
	}
	if r.MaxDuration > 0 {
		q.Set("maxDurationSeconds", strconv.Itoa(ceilSeconds(r.MaxDuration)))
	}
	if r.MaxSilence > 0 {
		q.Set("maxSilenceSeconds", strconv.Itoa(ceilSeconds(r.MaxSilence)))
	}
	if err := d.rest.do(ctx, opRecord, []string{r.Channel}, q, nil, nil); err != nil {
		return fmt.Errorf("ari: record %s on %s: %w", r.Name, r.Channel, err)
	}
	return nil
}

// FetchRecording opens the stored recording name's audio (WAV) for
// reading (GET /recordings/stored/{name}/file). The body is streamed: the
// caller reads it and must close it. RequestTimeout bounds the wait for
// the answer's headers, not the transfer; ctx bounds both. An unknown name
// is ErrNotFound.
func (d *Driver) FetchRecording(ctx context.Context, name string) (io.ReadCloser, error) {
	if err := checkRecordingName(name); err != nil {
		return nil, fmt.Errorf("ari: fetch recording: %w", err)
	}
	body, err := d.rest.stream(ctx, opRecordingFile, []string{name})
	switch {
	case hasStatus(err, http.StatusNotFound):
		return nil, fmt.Errorf("ari: recording %s: %w", name, ErrNotFound)
	case err != nil:
		return nil, fmt.Errorf("ari: fetch recording %s: %w", name, err)
	}
	return body, nil
}

// checkRecordingName refuses names ARI would store under a subdirectory:
// the engine names recordings by call, and a name from an API request
// must not walk the recordings directory.
func checkRecordingName(name string) error {
	switch {
	case name == "":
		return errors.New("empty recording name")
	case strings.ContainsAny(name, `/\`) || name == "." || name == "..":
		return fmt.Errorf("recording name %q: no path separators or dot names", name)
	}
	return nil
}

// terminateOn maps pbx.Recording.TerminateOn to ARI's terminateOn, which
// takes one of none, any, * and #.
func terminateOn(digits string) (string, error) {
	switch digits {
	case "", "none":
		return "none", nil
	case "#", "*", "any":
		return digits, nil
	}
	return "", fmt.Errorf("terminate on %q: ARI ends a recording on one of \"#\", \"*\" or any digit (\"any\")", digits)
}

func ceilSeconds(d time.Duration) int { return int((d + time.Second - 1) / time.Second) }

// stream sends op (a GET without a body) and returns the answer's body
// unread for a 2xx answer; any other status is a *StatusError. The
// client's timeout covers the wait for the headers only.
func (c *client) stream(ctx context.Context, op operation, path []string) (io.ReadCloser, error) {
	u, err := c.url(op, path, nil)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	req, err := http.NewRequestWithContext(ctx, op.Method, u, nil)
	if err != nil {
		cancel()
		return nil, err
	}
	req.Header.Set("Accept", "*/*")
	if c.user != "" {
		req.SetBasicAuth(c.user, c.pass)
	}
	var timer *time.Timer
	if c.timeout > 0 {
		timer = time.AfterFunc(c.timeout, cancel)
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	c.m.observeRequest(op.Name, time.Since(start))
	if timer != nil && !timer.Stop() && err == nil {
		// The timeout fired as the headers arrived: the body is cut.
		resp.Body.Close()
		err = context.DeadlineExceeded
	}
	if err != nil {
		cancel()
		return nil, err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		defer cancel()
		defer resp.Body.Close()
		data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		return nil, newStatusError(resp.StatusCode, data)
	}
	return &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}, nil
}

// cancelOnClose releases a streamed request's context with its body.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}
