package api

import (
	"fmt"
	"strings"
)

// A line diff for config versions: the longest common subsequence of the
// lines between the common head and tail, printed as a unified diff with
// three lines of context (as `diff -u`). Config edits are local, so the
// part between head and tail is small; past maxLCSCells the middle is shown
// as removed and re-added rather than using quadratic memory.

const (
	diffContext = 3
	maxLCSCells = 4 << 20
)

// diffOp is one line of the edit script: ' ' kept, '-' only in a, '+' only
// in b.
type diffOp struct {
	kind byte
	text string
}

// splitLines splits text into lines without their newlines; "" has none
// and a final newline does not start another line.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// diffLines is the edit script turning a into b.
func diffLines(a, b []string) []diffOp {
	head := 0
	for head < len(a) && head < len(b) && a[head] == b[head] {
		head++
	}
	tail := 0
	for tail < len(a)-head && tail < len(b)-head && a[len(a)-1-tail] == b[len(b)-1-tail] {
		tail++
	}
	ops := make([]diffOp, 0, len(a)+len(b))
	for _, l := range a[:head] {
		ops = append(ops, diffOp{' ', l})
	}
	ops = append(ops, diffMiddle(a[head:len(a)-tail], b[head:len(b)-tail])...)
	for _, l := range a[len(a)-tail:] {
		ops = append(ops, diffOp{' ', l})
	}
	return ops
}

// diffMiddle diffs by the LCS table: lcs[i][j] is the LCS length of a[i:]
// and b[j:].
func diffMiddle(a, b []string) []diffOp {
	n, m := len(a), len(b)
	var ops []diffOp
	if n*m > maxLCSCells {
		for _, l := range a {
			ops = append(ops, diffOp{'-', l})
		}
		for _, l := range b {
			ops = append(ops, diffOp{'+', l})
		}
		return ops
	}
	w := m + 1
	lcs := make([]int32, (n+1)*w)
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i*w+j] = lcs[(i+1)*w+j+1] + 1
			} else {
				lcs[i*w+j] = max(lcs[(i+1)*w+j], lcs[i*w+j+1])
			}
		}
	}
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case a[i] == b[j]:
			ops = append(ops, diffOp{' ', a[i]})
			i++
			j++
		case lcs[(i+1)*w+j] >= lcs[i*w+j+1]:
			ops = append(ops, diffOp{'-', a[i]})
			i++
		default:
			ops = append(ops, diffOp{'+', b[j]})
			j++
		}
	}
	for ; i < n; i++ {
		ops = append(ops, diffOp{'-', a[i]})
	}
	for ; j < m; j++ {
		ops = append(ops, diffOp{'+', b[j]})
	}
	return ops
}

// unifiedDiff is the unified diff of a and b under the header lines
// "--- from" and "+++ to"; "" when they are equal.
func unifiedDiff(from, to, a, b string) string {
	ops := diffLines(splitLines(a), splitLines(b))
	var out strings.Builder
	// aLine[k], bLine[k]: how many lines of a and b come before ops[k].
	aLine, bLine := make([]int, len(ops)+1), make([]int, len(ops)+1)
	for k, op := range ops {
		aLine[k+1], bLine[k+1] = aLine[k], bLine[k]
		if op.kind != '+' {
			aLine[k+1]++
		}
		if op.kind != '-' {
			bLine[k+1]++
		}
	}
	for k := 0; k < len(ops); {
		if ops[k].kind == ' ' {
			k++
			continue
		}
		// A hunk: from diffContext lines before this change to
		// diffContext lines after the last change closer than
		// 2*diffContext kept lines to the one before.
		start := max(0, k-diffContext)
		end := k
		for end < len(ops) {
			if ops[end].kind != ' ' {
				end++
				continue
			}
			run := end
			for run < len(ops) && ops[run].kind == ' ' {
				run++
			}
			if run == len(ops) || run-end > 2*diffContext {
				end = min(end+diffContext, len(ops))
				break
			}
			end = run
		}
		if out.Len() == 0 {
			fmt.Fprintf(&out, "--- %s\n+++ %s\n", from, to)
		}
		fmt.Fprintf(&out, "@@ -%s +%s @@\n", hunkRange(aLine[start], aLine[end]-aLine[start]), hunkRange(bLine[start], bLine[end]-bLine[start]))
		for _, op := range ops[start:end] {
			out.WriteByte(op.kind)
			out.WriteString(op.text)
			out.WriteByte('\n')
		}
		k = end
	}
	return out.String()
}

// hunkRange is "start,count" as diff -u writes it: 1-based, ",1" left
// out, and an empty range named by the line before it.
func hunkRange(before, count int) string {
	switch count {
	case 0:
		return fmt.Sprintf("%d,0", before)
	case 1:
		return fmt.Sprintf("%d", before+1)
	}
	return fmt.Sprintf("%d,%d", before+1, count)
}
