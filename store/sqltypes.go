package store

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"time"
)

// timeLayout is how every time is stored: UTC, nanoseconds, fixed width, so
// that text order is time order (for years 0000-9999).
const timeLayout = "2006-01-02T15:04:05.000000000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", s, err)
	}
	return t, nil
}

// dbTime is a time column in timeLayout; the zero dbTime is SQL NULL.
type dbTime struct {
	T     time.Time
	Valid bool
}

func someTime(t time.Time) dbTime { return dbTime{T: t, Valid: true} }

// Value implements driver.Valuer.
func (t dbTime) Value() (driver.Value, error) {
	if !t.Valid {
		return nil, nil
	}
	return formatTime(t.T), nil
}

// Scan implements sql.Scanner.
func (t *dbTime) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case nil:
		*t = dbTime{}
		return nil
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return fmt.Errorf("scan time from %T", src)
	}
	p, err := parseTime(s)
	if err != nil {
		return err
	}
	*t = someTime(p)
	return nil
}

// ptr returns the time or nil for NULL, as the JSON-facing types want it.
func (t dbTime) ptr() *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.T
	return &v
}

// stringList is a JSON array of strings in a TEXT column.
type stringList []string

// Value implements driver.Valuer.
func (l stringList) Value() (driver.Value, error) {
	if l == nil {
		return "[]", nil
	}
	b, err := json.Marshal([]string(l))
	return string(b), err
}

// Scan implements sql.Scanner.
func (l *stringList) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case nil:
		*l = stringList{}
		return nil
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		return fmt.Errorf("scan string list from %T", src)
	}
	var out []string
	if err := json.Unmarshal(b, &out); err != nil {
		return fmt.Errorf("scan string list: %w", err)
	}
	if out == nil {
		out = []string{}
	}
	*l = out
	return nil
}
