package api

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// The expected diffs are what Python's difflib.unified_diff(n=3) writes
// for the same inputs.
func TestUnifiedDiff(t *testing.T) {
	tests := []struct{ name, a, b, want string }{
		{"equal", "l1\nl2\nl3\n", "l1\nl2\nl3\n", ""},
		{"from empty", "", "a\nb\n", "--- a\n+++ b\n@@ -0,0 +1,2 @@\n+a\n+b\n"},
		{"to empty", "a\nb\n", "", "--- a\n+++ b\n@@ -1,2 +0,0 @@\n-a\n-b\n"},
		{"one change in the middle", "l1\nl2\nl3\nl4\nl5\nl6\nl7\nl8\nl9\nl10\nl11\nl12\nl13\nl14\nl15\nl16\nl17\nl18\nl19\nl20\n", "l1\nl2\nl3\nl4\nl5\nl6\nl7\nl8\nl9\nX\nl11\nl12\nl13\nl14\nl15\nl16\nl17\nl18\nl19\nl20\n", "--- a\n+++ b\n@@ -7,7 +7,7 @@\n l7\n l8\n l9\n-l10\n+X\n l11\n l12\n l13\n"},
		{"two hunks", "l1\nl2\nl3\nl4\nl5\nl6\nl7\nl8\nl9\nl10\nl11\nl12\nl13\nl14\nl15\nl16\nl17\nl18\nl19\nl20\n", "X\nl2\nl3\nl4\nl5\nl6\nl7\nl8\nl9\nl10\nl11\nl12\nl13\nl14\nl15\nl16\nl17\nl18\nY\nl20\n", "--- a\n+++ b\n@@ -1,4 +1,4 @@\n-l1\n+X\n l2\n l3\n l4\n@@ -16,5 +16,5 @@\n l16\n l17\n l18\n-l19\n+Y\n l20\n"},
		{"close changes merge", "l1\nl2\nl3\nl4\nl5\nl6\nl7\nl8\nl9\nl10\nl11\nl12\nl13\nl14\nl15\nl16\nl17\nl18\nl19\nl20\n", "l1\nl2\nl3\nl4\nX\nl6\nl7\nl8\nl9\nl10\nY\nl12\nl13\nl14\nl15\nl16\nl17\nl18\nl19\nl20\n", "--- a\n+++ b\n@@ -2,13 +2,13 @@\n l2\n l3\n l4\n-l5\n+X\n l6\n l7\n l8\n l9\n l10\n-l11\n+Y\n l12\n l13\n l14\n"},
		{"insert at start", "l1\nl2\nl3\nl4\nl5\n", "new\nl1\nl2\nl3\nl4\nl5\n", "--- a\n+++ b\n@@ -1,3 +1,4 @@\n+new\n l1\n l2\n l3\n"},
		{"delete at end", "l1\nl2\nl3\nl4\nl5\n", "l1\nl2\nl3\nl4\n", "--- a\n+++ b\n@@ -2,4 +2,3 @@\n l2\n l3\n l4\n-l5\n"},
		{"replace all", "a\nb\n", "c\n", "--- a\n+++ b\n@@ -1,2 +1 @@\n-a\n-b\n+c\n"},
		{"no final newline", "a\nb", "a\nc", "--- a\n+++ b\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := unifiedDiff("a", "b", tt.a, tt.b); got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

// TestDiffLinesRebuilds checks on random inputs that the edit script keeps
// a common subsequence and rebuilds both sides, also past the LCS limit.
func TestDiffLinesRebuilds(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	lines := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = string(rune('a' + r.IntN(4)))
		}
		return out
	}
	for i := 0; i < 300; i++ {
		a, b := lines(r.IntN(30)), lines(r.IntN(30))
		if i == 0 {
			a, b = lines(2100), lines(2100) // past maxLCSCells after trimming
		}
		var ra, rb []string
		for _, op := range diffLines(a, b) {
			if op.kind != '+' {
				ra = append(ra, op.text)
			}
			if op.kind != '-' {
				rb = append(rb, op.text)
			}
		}
		if strings.Join(ra, "\n") != strings.Join(a, "\n") || strings.Join(rb, "\n") != strings.Join(b, "\n") {
			t.Fatalf("case %d: script does not rebuild the inputs", i)
		}
	}
}
