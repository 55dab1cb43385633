package api

import "time"

// Searches by full number of one who sees numbers masked: searchBurst per
// searchWindow per principal (a desk looks up a caller or two a minute; a
// mask of four digits falls to a few dozen).
const (
	searchBurst  = 10
	searchWindow = 10 * time.Minute
)

func newSearchLimiter() *windowLimiter {
	return &windowLimiter{burst: searchBurst, window: searchWindow, maxUsers: deniedUsers}
}
