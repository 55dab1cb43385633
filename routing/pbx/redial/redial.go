// Package redial is the reconnect policy both PBX drivers share: run a
// session, and when it ends wait with exponential backoff, reset after a
// session that got connected, until the context ends.
package redial

import (
	"context"
	"time"
)

// Loop runs session until ctx ends. session reports whether it got
// connected before it ended and why it ended; retry hears of each wait
// (for logs and metrics). Loop returns when ctx ends.
func Loop(ctx context.Context, min, max time.Duration,
	session func(context.Context) (connected bool, err error),
	retry func(err error, wait time.Duration)) {
	wait := min
	for {
		connected, err := session(ctx)
		if ctx.Err() != nil {
			return
		}
		if connected {
			wait = min
		}
		retry(err, wait)
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return
		}
		wait = time.Duration(float64(wait) * 2)
		if wait > max {
			wait = max
		}
	}
}
