package workforce

import (
	"strings"
	"testing"
)

func TestParseCSV(t *testing.T) {
	in := "agent,date,shift\n1001,2027-01-04,day\n\n1002 , 2027-01-04 , night\nbad line\n"
	es, lines, errs := ParseCSV(strings.NewReader(in))
	if len(es) != 2 || es[1] != (Entry{"1002", "2027-01-04", "night"}) || lines[1] != 4 {
		t.Errorf("entries %v lines %v", es, lines)
	}
	if len(errs) != 1 || errs[0].Line != 5 {
		t.Errorf("errs %v", errs)
	}
}

func FuzzParseCSV(f *testing.F) {
	f.Add("agent,date,shift\n1001,2027-01-04,day\n")
	f.Add("\"a\nb\",x,y\n1,2\n")
	f.Add("1001,2027-02-30,day\n1001,2027-01-04,day\n")
	b := testBook()
	f.Fuzz(func(t *testing.T, in string) {
		es, lines, errs := ParseCSV(strings.NewReader(in))
		if len(es) != len(lines) || len(es) > MaxImportLines {
			t.Fatalf("%d entries, %d lines", len(es), len(lines))
		}
		for _, e := range errs {
			if e.Line < 1 {
				t.Fatalf("line %d", e.Line)
			}
		}
		// Checking never panics, and a problem names an entry's field.
		for _, err := range b.CheckEntries("sales", "2027-01", es) {
			if fe, ok := err.(*FieldError); !ok || !strings.HasPrefix(fe.Field, "entries[") {
				t.Fatalf("%v", err)
			}
		}
	})
}
