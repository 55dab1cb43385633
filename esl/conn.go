package esl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"
)

// Conn is one Event Socket connection, inbound (we dialled FreeSWITCH's
// event_socket) or outbound (FreeSWITCH's socket application dialled us).
//
// One goroutine reads: replies (command/reply, api/response) go to the
// commands waiting for them, in the order the commands were written, which
// is the order FreeSWITCH answers them; every other message goes to the
// handler, on the reader goroutine, in the order FreeSWITCH sent it. The
// handler must not block (the driver queues and returns). Close stops the
// reader and waits for it.
type Conn struct {
	nc      net.Conn
	handler func(*Message)

	wmu     sync.Mutex // serialises writes with their place in pending
	pmu     sync.Mutex
	pending []chan reply
	closed  bool // under pmu, with err

	closeOnce sync.Once
	done      chan struct{} // closed when the reader has ended
	err       error         // why; set before done closes
	// lastRead is the time of the last message read (heartbeat).
	lastMu   sync.Mutex
	lastRead time.Time
}

type reply struct {
	m   *Message
	err error
}

// newConn starts the reader on nc (through fr, which may hold bytes read
// during the handshake). handler gets every message that is not a reply
// to a command.
func newConn(nc net.Conn, fr *frameReader, handler func(*Message)) *Conn {
	c := &Conn{nc: nc, handler: handler, done: make(chan struct{}), lastRead: time.Now()}
	go c.read(fr)
	return c
}

func (c *Conn) read(fr *frameReader) {
	var err error
	for {
		var m *Message
		m, err = fr.read()
		if err != nil {
			break
		}
		c.lastMu.Lock()
		c.lastRead = time.Now()
		c.lastMu.Unlock()
		switch m.ContentType() {
		case typeCommand, typeAPI:
			c.deliverReply(m)
		default:
			c.handler(m)
		}
	}
	switch {
	case errors.Is(err, io.EOF):
		err = &LinkError{Op: "read", Err: errors.New("closed by FreeSWITCH")}
	case errors.Is(err, net.ErrClosed):
		err = &LinkError{Op: "read", Err: errors.New("closed by us")}
	default:
		err = &LinkError{Op: "read", Err: err}
	}
	c.finish(err)
	close(c.done)
}

// finish records why the connection ended, fails every waiting command
// and closes the socket.
func (c *Conn) finish(err error) {
	c.closeOnce.Do(func() {
		c.pmu.Lock()
		c.err, c.closed = err, true
		waiting := c.pending
		c.pending = nil
		c.pmu.Unlock()
		c.nc.Close()
		for _, w := range waiting {
			w <- reply{err: err}
		}
		// The reader may be the caller; done closes only once it returns
		// from read, which is right after this.
	})
}

func (c *Conn) deliverReply(m *Message) {
	c.pmu.Lock()
	if len(c.pending) == 0 {
		c.pmu.Unlock()
		// A reply nobody asked for: FreeSWITCH and we disagree on the
		// conversation; hand it on so it is logged.
		c.handler(m)
		return
	}
	w := c.pending[0]
	c.pending = c.pending[1:]
	c.pmu.Unlock()
	w <- reply{m: m}
}

// Close closes the socket and waits for the reader to end.
func (c *Conn) Close() error {
	c.finish(&LinkError{Op: "read", Err: errors.New("closed by us")})
	<-c.done
	return nil
}

// Done is closed when the connection has ended; Err says why.
func (c *Conn) Done() <-chan struct{} { return c.done }

// Err is why the connection ended (a *LinkError), nil while it is up.
func (c *Conn) Err() error {
	select {
	case <-c.done:
		return c.err
	default:
		return nil
	}
}

// idle is how long nothing has been read.
func (c *Conn) idle() time.Duration {
	c.lastMu.Lock()
	defer c.lastMu.Unlock()
	return time.Since(c.lastRead)
}

// Send writes one command (its lines, then the blank line) and waits for
// its reply. A command/reply whose Reply-Text starts with "-" is a
// *ReplyError; the message is returned with it.
func (c *Conn) Send(ctx context.Context, lines ...string) (*Message, error) {
	buf, err := appendCommand(nil, lines...)
	if err != nil {
		return nil, err
	}
	w := make(chan reply, 1)
	c.wmu.Lock()
	c.pmu.Lock()
	if c.closed {
		err := c.err
		c.pmu.Unlock()
		c.wmu.Unlock()
		return nil, fmt.Errorf("%s: %w", lines[0], err)
	}
	c.pending = append(c.pending, w)
	c.pmu.Unlock()
	if dl, ok := ctx.Deadline(); ok {
		c.nc.SetWriteDeadline(dl)
	} else {
		c.nc.SetWriteDeadline(time.Now().Add(10 * time.Second))
	}
	_, werr := c.nc.Write(buf)
	c.wmu.Unlock()
	if werr != nil {
		c.finish(&LinkError{Op: "write", Err: werr})
	}
	select {
	case r := <-w:
		if r.err != nil {
			return nil, fmt.Errorf("%s: %w", lines[0], r.err)
		}
		if r.m.ContentType() == typeCommand {
			if err := replyError(lines[0], r.m.ReplyText()); err != nil {
				return r.m, err
			}
		}
		return r.m, nil
	case <-ctx.Done():
		// The reply, when it comes, lands in w's buffer and is dropped;
		// the queue of waiters keeps its order.
		return nil, fmt.Errorf("%s: %w", lines[0], context.Cause(ctx))
	}
}

// API runs "api cmd" and returns the body. A body starting with "-ERR" (or
// uuid_answer's "-ERROR") is a *ReplyError.
func (c *Conn) API(ctx context.Context, cmd string) (string, error) {
	m, err := c.Send(ctx, "api "+cmd)
	if err != nil {
		return "", err
	}
	if m.ContentType() != typeAPI {
		if err := replyError("api "+firstWord(cmd), m.ReplyText()); err != nil {
			return "", err
		}
		return "", fmt.Errorf("esl: api %s: unexpected %s reply", firstWord(cmd), m.ContentType())
	}
	body := string(m.Body)
	if err := replyError(firstWords(cmd, 2), body); err != nil {
		return body, err
	}
	return body, nil
}

// BgAPI runs "bgapi cmd" under the Job-UUID jobID (ours, so the result can
// be matched before the reply arrives). The result comes later as a
// BACKGROUND_JOB event.
func (c *Conn) BgAPI(ctx context.Context, cmd, jobID string) error {
	_, err := c.Send(ctx, "bgapi "+cmd, "Job-UUID: "+jobID)
	return err
}

func firstWord(s string) string {
	w, _, _ := strings.Cut(s, " ")
	return w
}

// firstWords returns the first n words of s (command and uuid, not media
// paths or passwords) for errors.
func firstWords(s string, n int) string {
	f := strings.Fields(s)
	if len(f) > n {
		f = f[:n]
	}
	return strings.Join(f, " ")
}
