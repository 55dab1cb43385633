package esl

import (
	"context"
	"errors"
	"net"
	"sync"
	"time"
)

// serveOutbound accepts FreeSWITCH's outbound socket connections (one per
// call, from `socket ADDR async full`) until ctx ends, then closes them
// and waits for their goroutines.
func (d *Driver) serveOutbound(ctx context.Context, ln net.Listener, q *queue) {
	var wg sync.WaitGroup
	wg.Go(func() {
		<-ctx.Done()
		ln.Close()
	})
	for {
		nc, err := ln.Accept()
		if err != nil {
			if ctx.Err() == nil && !errors.Is(err, net.ErrClosed) {
				d.log.Error("esl outbound accept failed", "err", err)
			}
			break
		}
		wg.Go(func() { d.outboundCall(ctx, nc, q) })
	}
	wg.Wait()
}

// outboundCall runs one outbound socket: connect (the reply is the
// channel's data: CallArrived), myevents, linger; then the call's events
// flow into the queue until FreeSWITCH's disconnect notice, when the
// driver says exit. If the socket is lost before the channel's hang-up
// was seen, the channel is reported ended: with socket_resume the dialplan
// has it now, not Switchboard.
func (d *Driver) outboundCall(ctx context.Context, nc net.Conn, q *queue) {
	linger := make(chan struct{}, 1)
	var uuid string
	c := newConn(nc, newFrameReader(nc, d.cfg.MaxBody), func(m *Message) {
		if m.ContentType() == typeDisconnect && m.Header.Get("Content-Disposition") == "linger" {
			select {
			case linger <- struct{}{}:
			default:
			}
		}
		q.Push(item{msg: m, src: fromOutbound, recv: d.clock()})
	})
	defer c.Close()
	d.m.outboundSockets.Inc()
	defer d.m.outboundSockets.Dec()

	rctx, cancel := context.WithTimeout(ctx, d.cfg.RequestTimeout)
	defer cancel()
	m, err := c.Send(rctx, "connect")
	if err != nil {
		d.log.Error("esl outbound connect failed", "err", err)
		return
	}
	data := &Event{Header: m.Header}
	uuid = data.Get(hdrUniqueID)
	if uuid == "" {
		d.log.Error("esl outbound connect without Unique-ID", "reply", m.ReplyText())
		return
	}
	log := d.log.With("channel", uuid, "mode", "outbound")
	d.mu.Lock()
	d.owned[uuid] = c
	d.mu.Unlock()
	defer func() {
		d.mu.Lock()
		if d.owned[uuid] == c {
			delete(d.owned, uuid)
		}
		d.mu.Unlock()
		// Ends the channel for the engine unless its hang-up came first
		// (the decoder reports each channel's end once).
		q.Push(item{lost: uuid, recv: d.clock()})
	}()
	q.Push(item{arrive: data, recv: d.clock()})
	for _, cmd := range []string{"myevents", "linger"} {
		if _, err := c.Send(rctx, cmd); err != nil {
			log.Error("esl outbound setup failed", "command", cmd, "err", err)
			return
		}
	}
	cancel()

	select {
	case <-linger:
		// The channel hung up; its events up to CHANNEL_HANGUP_COMPLETE
		// were sent before the notice. Say goodbye.
		ectx, cancel := context.WithTimeout(ctx, time.Second)
		_, _ = c.Send(ectx, "exit")
		cancel()
		select {
		case <-c.Done():
		case <-ctx.Done():
		}
	case <-c.Done():
		log.Warn("esl outbound socket closed", "err", c.Err())
	case <-ctx.Done():
	}
}
