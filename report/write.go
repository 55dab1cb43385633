package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"
)

// Formats a report can be written in.
const (
	FormatCSV  = "csv"
	FormatXLSX = "xlsx"
)

// ContentType is the MIME type of a format.
func ContentType(format string) string {
	if format == FormatXLSX {
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

// CheckFormat refuses formats Write does not know.
func CheckFormat(format string) error {
	if format != FormatCSV && format != FormatXLSX {
		return &FieldError{Field: "format", Message: fmt.Sprintf("unknown format %q (known: csv, xlsx)", format)}
	}
	return nil
}

// Write writes t in format to w: a header line (the group, then each
// column's label and unit), one line per row, then the total. Values have
// the precision the API gives them; undefined ones are empty.
func Write(w io.Writer, t *Table, format string) error {
	if err := CheckFormat(format); err != nil {
		return err
	}
	if format == FormatXLSX {
		return writeXLSX(w, t)
	}
	return writeCSV(w, t)
}

func header(t *Table) []string {
	h := []string{t.GroupName}
	for _, c := range t.Columns {
		h = append(h, c.Label+" ("+unitWord(t.Lang, c.Unit)+")")
	}
	return h
}

func lines(t *Table) []Row { return append(t.Rows[:len(t.Rows):len(t.Rows)], t.Total) }

func writeCSV(w io.Writer, t *Table) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(header(t)); err != nil {
		return fmt.Errorf("report: write csv: %w", err)
	}
	rec := make([]string, len(t.Columns)+1)
	for _, r := range lines(t) {
		rec[0] = r.Label
		for i, v := range r.Values {
			rec[i+1] = ""
			if v != nil {
				rec[i+1] = strconv.FormatFloat(*v, 'f', -1, 64)
			}
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("report: write csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("report: write csv: %w", err)
	}
	return nil
}

// writeXLSX streams the rows into one sheet (excelize's StreamWriter keeps
// memory flat however many rows there are).
func writeXLSX(w io.Writer, t *Table) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Sheet1"
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return fmt.Errorf("report: write xlsx: %w", err)
	}
	row := 1
	put := func(cells []any) error {
		cell, err := excelize.CoordinatesToCellName(1, row)
		if err != nil {
			return err
		}
		row++
		return sw.SetRow(cell, cells)
	}
	h := header(t)
	hc := make([]any, len(h))
	for i, s := range h {
		hc[i] = s
	}
	if err := put(hc); err != nil {
		return fmt.Errorf("report: write xlsx: %w", err)
	}
	cells := make([]any, len(t.Columns)+1)
	for _, r := range lines(t) {
		cells[0] = r.Label
		for i, v := range r.Values {
			cells[i+1] = nil
			if v != nil {
				cells[i+1] = *v
			}
		}
		if err := put(cells); err != nil {
			return fmt.Errorf("report: write xlsx: %w", err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("report: write xlsx: %w", err)
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("report: write xlsx: %w", err)
	}
	return nil
}
