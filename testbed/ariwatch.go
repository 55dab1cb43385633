package testbed

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// ARIEvent is one event from the ARI websocket, with the fields tests look at
// decoded and the rest in Raw.
type ARIEvent struct {
	Type        string   `json:"type"`
	Application string   `json:"application"`
	Digit       string   `json:"digit"`
	Cause       int      `json:"cause"`
	CauseTxt    string   `json:"cause_txt"`
	Args        []string `json:"args"`
	Channel     struct {
		ID         string `json:"id"`
		Name       string `json:"name"`
		State      string `json:"state"`
		ProtocolID string `json:"protocol_id"`
		Caller     struct {
			Number string `json:"number"`
		} `json:"caller"`
		Dialplan struct {
			Exten string `json:"exten"`
		} `json:"dialplan"`
	} `json:"channel"`
	Raw json.RawMessage `json:"-"`
}

// ARIWatch reads an ARI application's event websocket continuously into a
// queue (never stalling Asterisk's writer), for tests to wait on.
type ARIWatch struct {
	t      testing.TB
	conn   *websocket.Conn
	cancel context.CancelFunc
	events chan ARIEvent
	mu     sync.Mutex
	seen   []ARIEvent
	err    error
	done   chan struct{}
}

// WatchARI connects to the events websocket of app (which registers the
// Stasis application) and closes it at the test's cleanup.
func WatchARI(t testing.TB, p *PBX, app string) *ARIWatch {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	dctx, dcancel := context.WithTimeout(ctx, 5*time.Second)
	defer dcancel()
	conn, _, err := websocket.Dial(dctx, p.EventsURL(app), nil)
	if err != nil {
		cancel()
		t.Fatalf("testbed: ARI websocket: %v", err)
	}
	conn.SetReadLimit(1 << 22)
	w := &ARIWatch{t: t, conn: conn, cancel: cancel, events: make(chan ARIEvent, 10000), done: make(chan struct{})}
	go w.read(ctx)
	t.Cleanup(w.Close)
	return w
}

func (w *ARIWatch) read(ctx context.Context) {
	defer close(w.done)
	defer close(w.events)
	for {
		_, data, err := w.conn.Read(ctx)
		if err != nil {
			w.mu.Lock()
			w.err = err
			w.mu.Unlock()
			return
		}
		var ev ARIEvent
		if err := json.Unmarshal(data, &ev); err != nil {
			continue
		}
		ev.Raw = append(json.RawMessage(nil), data...)
		select {
		case w.events <- ev:
		default:
			w.mu.Lock()
			w.err = fmt.Errorf("testbed: ARI event queue overflow")
			w.mu.Unlock()
			return
		}
	}
}

// Close closes the websocket (unregistering the application).
func (w *ARIWatch) Close() {
	w.conn.Close(websocket.StatusNormalClosure, "")
	w.cancel()
	<-w.done
}

// Next returns the next event, or an error after timeout.
func (w *ARIWatch) Next(timeout time.Duration) (ARIEvent, error) {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case ev, ok := <-w.events:
		if !ok {
			w.mu.Lock()
			defer w.mu.Unlock()
			return ARIEvent{}, fmt.Errorf("testbed: ARI websocket closed: %v", w.err)
		}
		w.mu.Lock()
		w.seen = append(w.seen, ev)
		w.mu.Unlock()
		return ev, nil
	case <-timer.C:
		return ARIEvent{}, fmt.Errorf("testbed: no ARI event within %v", timeout)
	}
}

// WaitFor skips events until one matches, or fails the test after timeout.
func (w *ARIWatch) WaitFor(timeout time.Duration, what string, match func(ARIEvent) bool) ARIEvent {
	w.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			w.t.Fatalf("testbed: no %s within %v; events seen: %s", what, timeout, w.Seen())
		}
		ev, err := w.Next(left)
		if err != nil {
			w.t.Fatalf("testbed: waiting for %s: %v; events seen: %s", what, err, w.Seen())
		}
		if match(ev) {
			return ev
		}
	}
}

// WaitType waits for the next event of type typ on channel id ("" = any channel).
func (w *ARIWatch) WaitType(timeout time.Duration, typ, channelID string) ARIEvent {
	w.t.Helper()
	return w.WaitFor(timeout, typ+" "+channelID, func(ev ARIEvent) bool {
		return ev.Type == typ && (channelID == "" || ev.Channel.ID == channelID)
	})
}

// Seen lists the types of the events consumed so far (for failure messages).
func (w *ARIWatch) Seen() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var b strings.Builder
	for _, ev := range w.seen {
		fmt.Fprintf(&b, "%s(%s) ", ev.Type, ev.Channel.ID)
	}
	return b.String()
}

// ARI sends one REST request to the PBX (path relative to /ari, e.g.
// "/channels/ID/answer") and returns the status and body. body, when not nil,
// is sent as JSON.
func (p *PBX) ARI(method, path string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, p.ARIURL()+path, rd)
	if err != nil {
		return 0, nil, err
	}
	req.SetBasicAuth(p.User, p.Password)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	c := http.Client{Timeout: 10 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	return resp.StatusCode, out, err
}
