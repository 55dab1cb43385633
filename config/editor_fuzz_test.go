package config

import (
	"errors"
	"strings"
	"testing"

	"switchboard/api"
)

// FuzzSectionText checks arbitrary section text: Check never panics, and
// each problem in the edited section names a line that exists in it.
func FuzzSectionText(f *testing.F) {
	for _, seed := range []string{
		"support:\n  strategy: ring_all\n",
		"support:\n  max_wait: soon\n",
		"support: [\n", "- a\n- b\n", "&a [*a, *a]\n", "support: {escalation: [{after: 1s}]}\n",
		"support:\n  skills: \"billing >= \"\n", "\t", "",
	} {
		f.Add("queues", seed)
		f.Add("agents", seed)
	}
	e, _, _ := newTestEditor(f, editBase, &fakeLatest{})
	_, base := e.Active()
	f.Fuzz(func(t *testing.T, section, text string) {
		if section != "queues" && section != "agents" {
			section = "flows"
		}
		next := map[string]string{}
		for k, v := range base {
			next[k] = v
		}
		next[section] = text
		err := e.Check(next)
		if err == nil {
			return
		}
		var ps api.ConfigProblems
		if !errors.As(err, &ps) || len(ps) == 0 {
			t.Fatalf("%q: not problems: %v", text, err)
		}
		// Lines as YAML counts them: "\r\n", a lone "\r" and "\n" each
		// end one (a lone "\r" was once taken for no break here).
		lines := strings.Count(strings.ReplaceAll(text, "\r\n", "\n"), "\n") +
			strings.Count(strings.ReplaceAll(text, "\r\n", ""), "\r") + 1
		for _, p := range ps {
			if p.Message == "" || p.Line < 0 || (p.Section == section && p.Line > lines+1) {
				t.Fatalf("%q: bad problem %+v", text, p)
			}
		}
	})
}
