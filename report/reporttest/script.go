// Package reporttest reads scripted event days (report/testdata) for tests
// that need a known log: one record per line,
//
//	HH:MM:SS TYPE CALL AGENT key=value ...
//
// "-" for no call or agent, "+1 " before the time for the next day; the
// key=value pairs are the payload's JSON fields (queue= also sets the
// record's queue column; score and duration_seconds are numbers).
package reporttest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"switchboard/routing"
)

// numericFields are the payload fields written as JSON numbers; every
// other value is a string.
var numericFields = map[string]bool{"score": true, "duration_seconds": true}

// ReadFile reads a script file for day (a local midnight).
func ReadFile(path string, day time.Time) ([]*routing.Record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := Read(f, day)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return recs, nil
}

// Read reads a script.
func Read(r io.Reader, day time.Time) ([]*routing.Record, error) {
	var recs []*routing.Record
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		d := day
		if rest, ok := strings.CutPrefix(line, "+1 "); ok {
			d, line = day.AddDate(0, 0, 1), rest
		}
		fields := strings.Fields(line)
		if len(fields) < 4 {
			return nil, fmt.Errorf("line %d: want TIME TYPE CALL AGENT [key=value...]", n)
		}
		clock, err := time.Parse(time.TimeOnly, fields[0])
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		at := time.Date(d.Year(), d.Month(), d.Day(), clock.Hour(), clock.Minute(), clock.Second(), 0, d.Location())
		rec := &routing.Record{Time: at, Type: fields[1]}
		if fields[2] != "-" {
			rec.CallID = fields[2]
		}
		if fields[3] != "-" {
			rec.AgentID = fields[3]
		}
		data := map[string]any{}
		for _, kv := range fields[4:] {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				return nil, fmt.Errorf("line %d: %q is not key=value", n, kv)
			}
			data[k] = v
			if numericFields[k] {
				f, err := strconv.ParseFloat(v, 64)
				if err != nil {
					return nil, fmt.Errorf("line %d: %s: %w", n, k, err)
				}
				data[k] = f
			}
			if k == "queue" {
				rec.Queue = v
			}
		}
		switch rec.Type {
		case routing.EvCallEnded, routing.EvCallAnswered, routing.EvCallOffered, routing.EvCallOfferFailed:
			delete(data, "queue") // the record's column only, as the engine writes them
		}
		if rec.Data, err = json.Marshal(data); err != nil {
			return nil, err
		}
		recs = append(recs, rec)
	}
	return recs, sc.Err()
}
