package ari

import (
	"context"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"

	"switchboard/routing/pbx"
)

// maxMessage bounds one websocket message (a StasisStart with many
// channel variables is a few KB; coder/websocket's default is 32 KB).
const maxMessage = 4 << 20

// session runs one websocket connection: dial, event filter, resync, then
// read until the link drops or ctx ends. connected reports whether the
// websocket was established (so a drop gets LinkDown and a fresh backoff).
// Every goroutine it starts has ended when it returns.
func (d *Driver) session(ctx context.Context, q *queue) (connected bool, err error) {
	conn, err := d.dial(ctx)
	if err != nil {
		return false, err
	}
	sctx, stop := context.WithCancelCause(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		stop(d.read(sctx, conn, q))
	})
	wg.Go(func() {
		stop(d.ping(sctx, conn))
	})

	d.filterEvents(sctx)
	if err := d.subscribeEndpoints(sctx); err != nil && sctx.Err() == nil {
		// Not fatal: calls still work, trunk health comes from failures only.
		d.log.Warn("ari endpoint events not subscribed", "err", err)
	}
	rs, err := d.resync(sctx)
	if err != nil {
		stop(err)
	} else {
		d.m.linkUp.Set(1) // before the event: whoever sees Resynced sees the link up
		q.Push(item{ev: rs})
		d.log.Info("ari link up", "channels", len(rs.Channels), "bridges", len(rs.Bridges))
		// After Resynced, so the engine starts each trunk from the PBX's view.
		peers, err := d.trunkStates(sctx)
		if err != nil && sctx.Err() == nil {
			d.log.Warn("ari trunk states not listed", "err", err)
		}
		for _, ps := range peers {
			q.Push(item{ev: ps})
		}
	}

	<-sctx.Done()
	cause := context.Cause(sctx)
	conn.CloseNow() // no close handshake: a hung peer must not delay the reconnect
	wg.Wait()
	d.m.linkUp.Set(0)
	if ctx.Err() != nil {
		return true, ctx.Err()
	}
	q.Push(item{ev: pbx.LinkDown{
		Base:   pbx.Base{Time: d.clock(), Node: d.cfg.Node},
		Reason: cause.Error(),
	}})
	return true, cause
}

// dial opens the events websocket within DialTimeout.
func (d *Driver) dial(ctx context.Context) (*websocket.Conn, error) {
	u, err := d.rest.url(opEvents, nil, url.Values{
		"app":          {d.cfg.App},
		"subscribeAll": {"false"},
	})
	if err != nil {
		return nil, err
	}
	u = "ws" + strings.TrimPrefix(u, "http") // http→ws, https→wss
	dctx, cancel := context.WithTimeout(ctx, d.cfg.DialTimeout)
	defer cancel()
	h := http.Header{}
	if d.cfg.User != "" {
		h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(d.cfg.User+":"+d.cfg.Password)))
	}
	conn, resp, err := websocket.Dial(dctx, u, &websocket.DialOptions{
		HTTPHeader: h,
		HTTPClient: &http.Client{Transport: &http.Transport{
			Proxy:       nil,
			DialContext: (&net.Dialer{Timeout: d.cfg.DialTimeout}).DialContext,
		}},
	})
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("ari: connect events: %s: %w", resp.Status, err)
		}
		return nil, fmt.Errorf("ari: connect events: %w", err)
	}
	conn.SetReadLimit(maxMessage)
	return conn, nil
}

// read copies websocket messages into the queue as fast as they come; it
// does nothing else, so Asterisk's writes to us never block.
func (d *Driver) read(ctx context.Context, conn *websocket.Conn, q *queue) error {
	for {
		_, data, err := conn.Read(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return context.Cause(ctx)
			}
			return fmt.Errorf("read: %w", err)
		}
		q.Push(item{raw: data, recv: d.clock()})
	}
}

// ping checks the link every PingInterval; a ping not answered within the
// interval ends the session.
func (d *Driver) ping(ctx context.Context, conn *websocket.Conn) error {
	t := time.NewTicker(d.cfg.PingInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return context.Cause(ctx)
		case <-t.C:
		}
		pctx, cancel := context.WithTimeout(ctx, d.cfg.PingInterval)
		err := conn.Ping(pctx)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return context.Cause(ctx)
			}
			return fmt.Errorf("ping: %w", err)
		}
	}
}
