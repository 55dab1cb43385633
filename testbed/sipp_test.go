package testbed

import "testing"

func TestSippErrorsKeepsOnlyRealErrors(t *testing.T) {
	log := "2026-12-03\t09:12:45.666858\t1796289165.666858: Overload warning: the minor watchdog timer 500ms has been tripped (632), 119 trips remaining.\n" +
		"2026-12-03\t09:12:46.000001\t1796289166.000001: Aborting call on unexpected message for Call-Id '1-1@127.0.0.1': while expecting 'ACK' (index 4), received 'BYE'\n" +
		"2026-12-03\t09:12:47.000001\t1796289167.000001: receive timeout on message ACK jumping to label 10\n"
	got := sippErrors(log)
	want := "2026-12-03\t09:12:46.000001\t1796289166.000001: Aborting call on unexpected message for Call-Id '1-1@127.0.0.1': while expecting 'ACK' (index 4), received 'BYE'"
	if got != want {
		t.Fatalf("sippErrors =\n%q\nwant\n%q", got, want)
	}
}
