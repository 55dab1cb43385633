//go:build e2e

package ari

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// pbxRoot finds the testbed's Asterisk root: $SB_PBX_ROOT, else pbx.sh's
// default root (or its .tmp while it is being built). The e2e build tag
// gates this test: `make test` builds the root before it runs.
func pbxRoot(t *testing.T) string {
	t.Helper()
	candidates := []string{}
	if r := os.Getenv("SB_PBX_ROOT"); r != "" {
		candidates = append(candidates, r)
	} else {
		wd, _ := os.Getwd()
		for dir := wd; ; dir = filepath.Dir(dir) {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				// pbx.sh knows its default root (keyed by its inputs).
				if out, err := exec.Command("bash", filepath.Join(dir, "testbed", "pbx.sh"), "env").Output(); err == nil {
					for line := range strings.SplitSeq(string(out), "\n") {
						if r, ok := strings.CutPrefix(line, "SB_PBX_ROOT="); ok {
							candidates = append(candidates, r, r+".tmp")
						}
					}
				}
				break
			}
			if filepath.Dir(dir) == dir {
				break
			}
		}
	}
	for _, c := range candidates {
		if _, err := os.Stat(filepath.Join(c, "usr/share/asterisk/rest-api/channels.json")); err == nil {
			return c
		}
	}
	msg := "no Asterisk testbed root (set SB_PBX_ROOT or run testbed/pbx.sh build); looked in " +
		strings.Join(candidates, ", ")
	t.Fatal(msg)
	return ""
}

// swagger 1.2 as Asterisk's rest-api/*.json write it.
type specFile struct {
	APIs []struct {
		Path       string `json:"path"`
		Operations []struct {
			HTTPMethod string `json:"httpMethod"`
			Nickname   string `json:"nickname"`
			Parameters []struct {
				Name            string `json:"name"`
				ParamType       string `json:"paramType"`
				AllowableValues *struct {
					Values []string `json:"values"`
				} `json:"allowableValues"`
			} `json:"parameters"`
		} `json:"operations"`
	} `json:"apis"`
}

// TestOperationsMatchAsteriskSpec checks every REST call the client can
// make against the spec files of the Asterisk we run.
func TestOperationsMatchAsteriskSpec(t *testing.T) {
	root := pbxRoot(t)
	files, err := filepath.Glob(filepath.Join(root, "usr/share/asterisk/rest-api/*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no spec files: %v", err)
	}
	type key struct{ method, path string }
	type params struct {
		query, path []string
		body        bool
		values      map[string][]string // allowableValues of query parameters
	}
	spec := map[key]params{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var sf specFile
		if err := json.Unmarshal(data, &sf); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, api := range sf.APIs {
			for _, op := range api.Operations {
				p := params{values: map[string][]string{}}
				for _, prm := range op.Parameters {
					switch prm.ParamType {
					case "query":
						p.query = append(p.query, prm.Name)
						if prm.AllowableValues != nil {
							p.values[prm.Name] = prm.AllowableValues.Values
						}
					case "path":
						p.path = append(p.path, prm.Name)
					case "body":
						p.body = true
					}
				}
				spec[key{op.HTTPMethod, api.Path}] = p
			}
		}
	}
	for _, op := range operations {
		p, ok := spec[key{op.Method, op.Path}]
		if !ok {
			t.Errorf("%s: %s %s is not in Asterisk's spec", op.Name, op.Method, op.Path)
			continue
		}
		for _, q := range op.Query {
			if !slices.Contains(p.query, q) {
				t.Errorf("%s: query parameter %q not in spec (has %v)", op.Name, q, p.query)
			}
		}
		for q, vs := range op.Values {
			if !slices.Contains(op.Query, q) {
				t.Errorf("%s: values for undeclared query parameter %q", op.Name, q)
			}
			allowed, ok := p.values[q]
			if !ok {
				t.Errorf("%s: %s has no allowableValues in the spec to check %v against", op.Name, q, vs)
			}
			for _, v := range vs {
				if ok && !slices.Contains(allowed, v) {
					t.Errorf("%s: %s=%q is not among the spec's %v", op.Name, q, v, allowed)
				}
			}
		}
		if op.Body && !p.body {
			t.Errorf("%s: sends a body the spec does not take", op.Name)
		}
		// the template's placeholders are the spec's path parameters
		if _, err := expand(op.Path, p.path); err != nil {
			t.Errorf("%s: path parameters %v: %v", op.Name, p.path, err)
		}
	}
	// The event filter names real event types.
	data, err := os.ReadFile(filepath.Join(root, "usr/share/asterisk/rest-api/events.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ev struct {
		Models map[string]json.RawMessage `json:"models"`
	}
	if err := json.Unmarshal(data, &ev); err != nil {
		t.Fatal(err)
	}
	for _, typ := range allowedEvents {
		if _, ok := ev.Models[typ]; !ok {
			t.Errorf("event filter type %q is not an ARI event", typ)
		}
	}
}
