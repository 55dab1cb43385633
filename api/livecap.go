package api

import (
	"fmt"
	"net/http"
	"sync"
)

// maxLiveStreams is how many live feeds one principal holds open at once:
// a desk, a wallboard and a few tabs; past it an account (or a stolen
// token) could tie up the server with idle streams.
const maxLiveStreams = 8

// streamSlots counts open live streams per principal.
type streamSlots struct {
	mu   sync.Mutex
	open map[string]int
}

// take opens a slot for user, or answers 429; release gives it back.
func (s *streamSlots) take(user string) (release func(), err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.open == nil {
		s.open = map[string]int{}
	}
	if s.open[user] >= maxLiveStreams {
		return nil, &Error{Status: http.StatusTooManyRequests, Code: CodeRateLimited,
			Message: fmt.Sprintf("at most %d live streams per user are open at once; close a tab", maxLiveStreams)}
	}
	s.open[user]++
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.open[user]--; s.open[user] <= 0 {
				delete(s.open, user)
			}
		})
	}, nil
}
