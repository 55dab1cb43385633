package esl_test

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"switchboard/esl"
	"switchboard/esl/esltest"
	"switchboard/routing/pbx"
)

// noLeak checks, at cleanup, that the goroutine count is back to where it
// was (waiting for goroutines that are ending, not sleeping a fixed time).
func noLeak(t *testing.T) {
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(5 * time.Second)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			runtime.Gosched()
		}
		if n := runtime.NumGoroutine(); n > before {
			buf := make([]byte, 1<<16)
			t.Errorf("%d goroutines leaked:\n%s", n-before, buf[:runtime.Stack(buf, true)])
		}
	})
}

func dial(t *testing.T, srv *esltest.Server, password string) (*esl.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return esl.Dial(ctx, srv.Addr, password, 0, nil)
}

func TestAuthFailureIsTyped(t *testing.T) {
	srv := esltest.NewServer()
	defer srv.Close()
	noLeak(t)
	c, err := dial(t, srv, "WrongPassword")
	if c != nil || !errors.Is(err, esl.ErrAuth) {
		t.Fatalf("Dial with a wrong password: %v, %v; want ErrAuth", c, err)
	}
	var re *esl.ReplyError
	if !errors.As(err, &re) || re.Reply != "-ERR invalid" || strings.Contains(err.Error(), "WrongPassword") {
		t.Errorf("error %q: want the reply, never the password", err)
	}
}

func TestReplyErrors(t *testing.T) {
	srv := esltest.NewServer()
	defer srv.Close()
	noLeak(t)
	c, err := dial(t, srv, "ClueCon")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	const bogus = "00000000-1111-2222-3333-444444444444"
	for _, cmd := range []string{"uuid_kill " + bogus, "uuid_answer " + bogus, "uuid_bridge " + bogus + " " + bogus,
		"uuid_record " + bogus + " start /tmp/x.wav"} {
		_, err := c.API(ctx, cmd)
		var re *esl.ReplyError
		if !errors.Is(err, esl.ErrNoSuchChannel) || !errors.As(err, &re) {
			t.Errorf("api %s: %v; want a *ReplyError that Is ErrNoSuchChannel", cmd, err)
		}
	}
	_, err = c.Send(ctx, "sendmsg "+bogus, "call-command: hangup")
	if !errors.Is(err, esl.ErrNoSuchChannel) {
		t.Errorf("sendmsg to a bogus uuid: %v", err)
	}
	_, err = c.API(ctx, "no_such_command arg1")
	var re *esl.ReplyError
	if !errors.As(err, &re) || errors.Is(err, esl.ErrNoSuchChannel) || !strings.Contains(re.Reply, "Command not found") {
		t.Errorf("unknown api: %v", err)
	}
	if _, err := c.Send(ctx, "no_such_esl_command"); !errors.As(err, &re) || re.Reply != "-ERR command not found" {
		t.Errorf("unknown command: %v", err)
	}
	if v, err := c.API(ctx, "version"); err != nil || !strings.HasPrefix(v, "FreeSWITCH Version 1.10") {
		t.Errorf("version: %q %v", v, err)
	}
}

func TestDroppedSocketIsTyped(t *testing.T) {
	srv := esltest.NewServer()
	defer srv.Close()
	noLeak(t)
	c, err := dial(t, srv, "ClueCon")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	srv.Drop()
	<-c.Done()
	var le *esl.LinkError
	if err := c.Err(); !errors.As(err, &le) || !errors.Is(err, esl.ErrClosed) {
		t.Errorf("Err after a drop: %v; want a *LinkError that Is ErrClosed", err)
	}
	if _, err := c.API(context.Background(), "version"); !errors.Is(err, esl.ErrClosed) {
		t.Errorf("api on a dropped link: %v; want ErrClosed", err)
	}
}

// A switch that stops answering (half-open socket) is a link drop: the
// heartbeat notices, LinkDown follows, and Run reconnects once it speaks.
func TestHeartbeatDetectsSilence(t *testing.T) {
	srv := esltest.NewServer()
	defer srv.Close()
	noLeak(t)
	drv, err := esl.New(esl.Config{Addr: srv.Addr, Password: "ClueCon", PingInterval: 200 * time.Millisecond}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	events := make(chan pbx.Event, 100)
	done := make(chan error, 1)
	go func() { done <- drv.Run(ctx, events) }()
	defer func() {
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Run: %v", err)
		}
	}()
	next := func() pbx.Event {
		select {
		case ev := <-events:
			return ev
		case <-time.After(10 * time.Second):
			t.Fatal("no event within 10s")
			return nil
		}
	}
	if _, ok := next().(pbx.Resynced); !ok {
		t.Fatal("first event is not Resynced")
	}
	srv.SetSilent(true)
	ld, ok := next().(pbx.LinkDown)
	if !ok || !strings.Contains(ld.Reason, "heartbeat") {
		t.Fatalf("after silence: %#v; want LinkDown for the heartbeat", ld)
	}
	srv.SetSilent(false)
	if _, ok := next().(pbx.Resynced); !ok {
		t.Fatal("no Resynced after the switch spoke again")
	}
}

// Run with a wrong password keeps retrying (a user may fix the password
// on the switch) and returns when its context ends, leaving nothing running.
func TestRunWithWrongPasswordStops(t *testing.T) {
	srv := esltest.NewServer(esltest.WithPassword("secret"))
	defer srv.Close()
	noLeak(t)
	drv, err := esl.New(esl.Config{Addr: srv.Addr, Password: "ClueCon"}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- drv.Run(ctx, make(chan pbx.Event)) }()
	srv.Accepted(ctx)
	srv.Accepted(ctx) // a retry: the first attempt failed
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run: %v", err)
	}
	if err := drv.Answer(context.Background(), "x"); !errors.Is(err, esl.ErrClosed) {
		t.Errorf("command without a link: %v; want ErrClosed", err)
	}
}
