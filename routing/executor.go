package routing

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"switchboard/routing/pbx"
)

// commandTimeout bounds one PBX command; the driver's own timeouts are
// shorter, this is the backstop.
const commandTimeout = 10 * time.Second

// executor sends commands to the PBX off the engine goroutine. Commands
// with the same key (one call) run in order, one at a time; different
// calls run in parallel. Failures come back to the engine as
// pbx.CommandFailed.
type executor struct {
	sw       pbx.Switch
	log      *slog.Logger
	metrics  *metrics
	feedback chan<- pbx.Event

	ringOnce sync.Once // says once that the driver answers instead of ringing

	mu      sync.Mutex
	queues  map[string][]Command
	wg      sync.WaitGroup
	stopped chan struct{}
}

func newExecutor(sw pbx.Switch, log *slog.Logger, m *metrics, feedback chan<- pbx.Event) *executor {
	return &executor{sw: sw, log: log, metrics: m, feedback: feedback,
		queues: map[string][]Command{}, stopped: make(chan struct{})}
}

func (x *executor) submit(c Command) {
	key := c.Key()
	x.mu.Lock()
	defer x.mu.Unlock()
	q, running := x.queues[key]
	x.queues[key] = append(q, c)
	if !running {
		x.wg.Add(1)
		go x.drain(key)
	}
}

// drain runs one key's commands until its queue is empty.
func (x *executor) drain(key string) {
	defer x.wg.Done()
	for {
		x.mu.Lock()
		q := x.queues[key]
		if len(q) == 0 {
			delete(x.queues, key)
			x.mu.Unlock()
			return
		}
		c := q[0]
		x.queues[key] = q[1:]
		x.mu.Unlock()
		x.run(c)
	}
}

func (x *executor) run(c Command) {
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	if _, ok := c.(cmdRing); ok {
		x.ringOnce.Do(func() {
			if _, ok := x.sw.(pbx.Ringer); !ok {
				x.log.Warn("pbx driver cannot ring a caller: ringback queue callers are answered at once")
			}
		})
	}
	start := time.Now()
	err := c.Exec(ctx, x.sw)
	x.metrics.commandDone(c.Name(), time.Since(start), err)
	if err == nil {
		return
	}
	x.log.Warn("pbx command failed", "command", c.Name(), "key", c.Key(), "err", err)
	ev := pbx.CommandFailed{Base: pbx.Base{Time: time.Now()}, Channel: channelOf(c), Command: c.Name(), Err: err.Error()}
	select {
	case x.feedback <- ev:
	case <-x.stopped:
	}
}

// wait stops feedback and waits for running commands to finish.
func (x *executor) wait() {
	close(x.stopped)
	x.wg.Wait()
}
