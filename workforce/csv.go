package workforce

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// LineError is a problem with one line of an imported schedule.
type LineError struct {
	Line   int    `json:"line"`
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %s: %s", e.Line, e.Field, e.Reason) }

// MaxImportLines bounds an import (a team of 200 for a month of 31 days).
const MaxImportLines = 6200

// ParseCSV reads a schedule "agent,date,shift" (a header line of those
// names is optional) into entries, with every line's problem. The lines
// of entries are in lines (1-based), for CheckEntries' errors.
func ParseCSV(r io.Reader) (entries []Entry, lines []int, errs []*LineError) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	for n := 1; ; n++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				n = pe.Line
			}
			errs = append(errs, &LineError{Line: n, Field: "line", Reason: err.Error()})
			break
		}
		line, _ := cr.FieldPos(0)
		if len(entries) >= MaxImportLines {
			errs = append(errs, &LineError{Line: line, Field: "line", Reason: fmt.Sprintf("more than %d entries", MaxImportLines)})
			break
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rec) != 3 {
			errs = append(errs, &LineError{Line: line, Field: "line", Reason: "want 3 fields: agent,date,shift"})
			continue
		}
		a, d, s := strings.TrimSpace(rec[0]), strings.TrimSpace(rec[1]), strings.TrimSpace(rec[2])
		if len(entries) == 0 && len(errs) == 0 && strings.EqualFold(a, "agent") && strings.EqualFold(d, "date") {
			continue // header
		}
		entries = append(entries, Entry{Agent: a, Date: d, Shift: s})
		lines = append(lines, line)
	}
	return entries, lines, errs
}
