package esl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"switchboard/routing/pbx"
)

// Dial connects to FreeSWITCH's event socket at addr and authenticates.
// Every message that is not a reply (events, notices) goes to handler, on
// the connection's reader goroutine, in order; handler must not block. A
// wrong password is ErrAuth (with the *ReplyError); Close the Conn when
// done.
func Dial(ctx context.Context, addr, password string, maxBody int, handler func(*Message)) (*Conn, error) {
	var dialer net.Dialer
	nc, err := dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, &LinkError{Op: "dial", Err: err}
	}
	fr := newFrameReader(nc, maxBody)
	// The switch speaks first: auth/request.
	if dl, ok := ctx.Deadline(); ok {
		nc.SetReadDeadline(dl)
	}
	first, err := fr.read()
	nc.SetReadDeadline(time.Time{})
	if err != nil {
		nc.Close()
		return nil, &LinkError{Op: "dial", Err: fmt.Errorf("waiting for auth/request: %w", err)}
	}
	if first.ContentType() != typeAuthRequest {
		nc.Close()
		return nil, &LinkError{Op: "dial", Err: fmt.Errorf("expected auth/request, got %q", first.ContentType())}
	}
	if handler == nil {
		handler = func(*Message) {}
	}
	c := newConn(nc, fr, handler)
	if strings.ContainsAny(password, "\r\n") {
		c.Close()
		return nil, fmt.Errorf("%w: password contains a newline", ErrAuth)
	}
	_, err = c.Send(ctx, "auth "+password)
	if err != nil {
		c.Close()
		var re *ReplyError
		if errors.As(err, &re) {
			re.Command = "auth" // never the password
			return nil, fmt.Errorf("%w: %w", ErrAuth, re)
		}
		return nil, err
	}
	return c, nil
}

// session runs one inbound connection: dial, auth, subscribe, resync,
// then watch the link until it drops or ctx ends. connected reports
// whether the link came up (so a drop gets LinkDown and a fresh backoff).
// Every goroutine it starts has ended when it returns.
func (d *Driver) session(ctx context.Context, q *queue) (connected bool, err error) {
	dctx, cancel := context.WithTimeout(ctx, d.cfg.DialTimeout)
	c, err := Dial(dctx, d.cfg.Addr, d.cfg.Password, d.cfg.MaxBody, func(m *Message) {
		q.Push(item{msg: m, src: fromInbound, recv: d.clock()})
	})
	cancel()
	if err != nil {
		if errors.Is(err, ErrAuth) {
			d.log.Error("esl authentication failed; check pbx.esl.password", "err", err)
		}
		return false, err
	}
	sctx, stop := context.WithCancelCause(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		select {
		case <-c.Done():
			stop(c.Err())
		case <-sctx.Done():
		}
	})
	wg.Go(func() { stop(d.heartbeat(sctx, c)) })

	rs, err := d.subscribe(sctx, c)
	if err != nil {
		stop(err)
	} else {
		d.mu.Lock()
		d.link = c
		d.mu.Unlock()
		d.m.linkUp.Set(1) // before the event: whoever sees Resynced sees the link up
		q.Push(item{ev: rs})
		d.log.Info("esl link up", "channels", len(rs.Channels), "bridges", len(rs.Bridges))
	}

	<-sctx.Done()
	cause := context.Cause(sctx)
	d.mu.Lock()
	if d.link == c {
		d.link = nil
	}
	d.mu.Unlock()
	c.Close()
	wg.Wait()
	d.m.linkUp.Set(0)
	if ctx.Err() != nil {
		return true, ctx.Err()
	}
	if err == nil {
		q.Push(item{ev: pbx.LinkDown{
			Base:   pbx.Base{Time: d.clock(), Node: d.cfg.Node},
			Reason: cause.Error(),
		}})
	}
	return true, cause
}

// subscribe asks for the events the decoder uses and lists the live
// channels.
func (d *Driver) subscribe(ctx context.Context, c *Conn) (pbx.Resynced, error) {
	rctx, cancel := context.WithTimeout(ctx, d.cfg.RequestTimeout)
	defer cancel()
	if _, err := c.Send(rctx, "event plain "+strings.Join(subscribed, " ")); err != nil {
		return pbx.Resynced{}, fmt.Errorf("esl: subscribe: %w", err)
	}
	if _, err := c.Send(rctx, "event plain "+evBackgroundJob); err != nil {
		return pbx.Resynced{}, fmt.Errorf("esl: subscribe: %w", err)
	}
	// Trunk health: its own command, CUSTOM takes every word after it.
	if _, err := c.Send(rctx, "event plain "+evCustom+" "+subGatewayState); err != nil {
		return pbx.Resynced{}, fmt.Errorf("esl: subscribe: %w", err)
	}
	return d.resync(rctx, c, true)
}

// heartbeat: when nothing has been read for PingInterval, send a cheap
// api command; no answer within PingInterval is a half-open socket.
func (d *Driver) heartbeat(ctx context.Context, c *Conn) error {
	t := time.NewTicker(d.cfg.PingInterval / 2)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return context.Cause(ctx)
		case <-t.C:
		}
		if c.idle() < d.cfg.PingInterval {
			continue
		}
		pctx, cancel := context.WithTimeoutCause(ctx, d.cfg.PingInterval, ErrHeartbeat)
		_, err := c.API(pctx, "version")
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return context.Cause(ctx)
			}
			return &LinkError{Op: "heartbeat", Err: err}
		}
	}
}

// showChannels is `show channels as json`: {"row_count": N, "rows": [...]}
// (rows is absent when N is 0).
type showChannels struct {
	RowCount int          `json:"row_count"`
	Rows     []channelRow `json:"rows"`
}

type channelRow struct {
	UUID        string `json:"uuid"`
	Direction   string `json:"direction"`
	Name        string `json:"name"`
	State       string `json:"state"`
	CIDNum      string `json:"cid_num"`
	Dest        string `json:"dest"`
	Application string `json:"application"`
	CallState   string `json:"callstate"`
}

// resync lists the channels FreeSWITCH holds for us: parked calls (the
// inbound-mode hand-off), outbound-socket calls, and the legs and bridges
// the driver made. With prune (after a reconnect), legs originated before
// the listing and missing from it are forgotten (their end was lost with
// the link).
func (d *Driver) resync(ctx context.Context, c *Conn, prune bool) (pbx.Resynced, error) {
	d.mu.Lock()
	seq := d.legSeq
	d.mu.Unlock()
	listedAt := d.clock() // as in the ARI driver: when the listing was asked for
	body, err := c.API(ctx, "show channels as json")
	if err != nil {
		return pbx.Resynced{}, fmt.Errorf("esl: list channels: %w", err)
	}
	var sc showChannels
	if err := json.Unmarshal([]byte(body), &sc); err != nil {
		return pbx.Resynced{}, fmt.Errorf("esl: list channels: %w", err)
	}
	rs := pbx.Resynced{
		Base:     pbx.Base{Time: listedAt, Node: d.cfg.Node},
		Channels: []pbx.ChannelInfo{},
		Bridges:  []string{},
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	inBridge := map[string]string{}
	for id, chans := range d.bridges {
		for _, ch := range chans {
			inBridge[ch] = id
		}
	}
	listed := map[string]bool{}
	for _, r := range sc.Rows {
		_, leg := d.legs[r.UUID]
		_, owned := d.owned[r.UUID]
		_, bridged := inBridge[r.UUID]
		if !leg && !owned && !bridged && r.Application != "park" && r.Application != "socket" {
			continue
		}
		listed[r.UUID] = true
		rs.Channels = append(rs.Channels, pbx.ChannelInfo{
			Channel:  r.UUID,
			State:    callState(r.CallState),
			Caller:   r.CIDNum,
			Called:   r.Dest,
			BridgeID: inBridge[r.UUID],
		})
	}
	if !prune {
		for id := range d.bridges {
			rs.Bridges = append(rs.Bridges, id)
		}
		return rs, nil
	}
	for id, n := range d.legs {
		if n <= seq && !listed[id] {
			delete(d.legs, id)
		}
	}
	for id, chans := range d.bridges {
		live := chans[:0]
		for _, ch := range chans {
			if listed[ch] {
				live = append(live, ch)
			}
		}
		d.bridges[id] = live
		rs.Bridges = append(rs.Bridges, id)
	}
	return rs, nil
}

// callState maps FreeSWITCH's callstate to the names pbx.ChannelInfo uses
// (Asterisk's).
func callState(s string) string {
	switch s {
	case "ACTIVE", "HELD":
		return "Up"
	case "RINGING", "EARLY", "RING_WAIT":
		return "Ringing"
	case "DOWN":
		return "Down"
	}
	return s
}

var (
	_ pbx.ChannelLister = (*Driver)(nil)
	_ pbx.Ringer        = (*Driver)(nil)
)

// Channels implements pbx.ChannelLister for the engine's watchdog: the
// channels a resync would list, without forgetting anything.
func (d *Driver) Channels(ctx context.Context) ([]pbx.ChannelInfo, error) {
	c, err := d.inbound()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, d.cfg.RequestTimeout)
	defer cancel()
	rs, err := d.resync(ctx, c, false)
	if err != nil {
		return nil, err
	}
	return rs.Channels, nil
}
