package api

import (
	"sync"
	"time"
)

// windowLimiter allows each principal burst events per fixed window, and
// counts the ones it refused in between.
type windowLimiter struct {
	burst    int
	window   time.Duration
	maxUsers int // principals tracked before lapsed windows go

	mu    sync.Mutex
	users map[string]*limitWindow
}

type limitWindow struct {
	start   time.Time
	n       int
	dropped int
}

// allow says whether user's event at now is allowed (and counts it), and
// how many were refused since the last one allowed.
func (l *windowLimiter) allow(user string, now time.Time) (bool, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.users == nil {
		l.users = map[string]*limitWindow{}
	}
	w := l.users[user]
	if w == nil {
		if len(l.users) >= l.maxUsers {
			for k, v := range l.users {
				if now.Sub(v.start) >= l.window {
					delete(l.users, k)
				}
			}
		}
		w = &limitWindow{start: now}
		l.users[user] = w
	}
	if now.Sub(w.start) >= l.window {
		w.start, w.n = now, 0
	}
	if w.n >= l.burst {
		w.dropped++
		return false, 0
	}
	w.n++
	dropped := w.dropped
	w.dropped = 0
	return true, dropped
}
