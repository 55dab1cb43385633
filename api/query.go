package api

import (
	"net/url"
	"strconv"
	"time"

	"switchboard/store"
)

// query reads a request's query parameters, refusing names it was not told
// about, and remembers the first bad one.
type query struct {
	v   url.Values
	err error
}

// newQuery checks that every parameter in v is one of known and given once.
func newQuery(v url.Values, known ...string) *query {
	q := &query{v: v}
	allowed := make(map[string]bool, len(known))
	for _, k := range known {
		allowed[k] = true
	}
	for name, vals := range v {
		switch {
		case !allowed[name]:
			q.fail(badRequest(name, "unknown query parameter"))
		case len(vals) > 1:
			q.fail(badRequest(name, "given more than once"))
		}
	}
	return q
}

func (q *query) fail(err error) {
	if q.err == nil {
		q.err = err
	}
}

func (q *query) str(name string) string { return q.v.Get(name) }

func (q *query) time(name string) time.Time {
	s := q.v.Get(name)
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		q.fail(badRequest(name, "must be an RFC 3339 time such as 2025-03-14T09:00:00Z"))
	}
	return t
}

func (q *query) boolPtr(name string) *bool {
	s := q.v.Get(name)
	if s == "" {
		return nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		q.fail(badRequest(name, "must be true or false"))
		return nil
	}
	return &b
}

// limit is the page size: 1..store.MaxLimit, 0 (the store's default) when
// absent.
func (q *query) limit() int {
	s := q.v.Get("limit")
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > store.MaxLimit {
		q.fail(badRequest("limit", "must be a whole number from 1 to %d", store.MaxLimit))
		return 0
	}
	return n
}

// seq is a log sequence number, 0 when absent.
func (q *query) seq(name string) int64 {
	s := q.v.Get(name)
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		q.fail(badRequest(name, "must be a sequence number (a whole number, 0 or more)"))
		return 0
	}
	return n
}

// order checks that since comes before until.
func (q *query) order(since, until time.Time) {
	if !since.IsZero() && !until.IsZero() && !since.Before(until) {
		q.fail(badRequest("until", "must be after since"))
	}
}
