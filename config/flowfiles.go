package config

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"switchboard/routing"
)

// flowFile is a flow kept in its own file under flows_dir: the file's name
// (without .yaml) is the flow's name, its content a flow (start, nodes).
type flowFile struct {
	path string
	src  []byte
}

// loadFlowFiles adds the flows of cfg.FlowsDir (relative to the config
// file) to cfg.Flows. A flow defined twice is an error naming both places.
func loadFlowFiles(cfg *Config, configPath string) (map[string]flowFile, error) {
	if cfg.FlowsDir == "" {
		return nil, nil
	}
	dir := cfg.FlowsDir
	if !filepath.IsAbs(dir) && configPath != "" {
		dir = filepath.Join(filepath.Dir(configPath), dir)
	}
	paths, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, fmt.Errorf("flows_dir: %w", err)
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("flows_dir: no *.yaml flow files in %s", dir)
	}
	sort.Strings(paths)
	files := map[string]flowFile{}
	if cfg.Flows == nil {
		cfg.Flows = map[string]*routing.Flow{}
	}
	for _, p := range paths {
		name := strings.TrimSuffix(filepath.Base(p), ".yaml")
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("flows_dir: %w", err)
		}
		var f routing.Flow
		if err := decodeStrict(b, &f); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if _, dup := cfg.Flows[name]; dup {
			return nil, fmt.Errorf("%s: flow %q is also defined in the config file's flows", p, name)
		}
		cfg.Flows[name] = &f
		files[name] = flowFile{path: p, src: b}
	}
	return files, nil
}

// flowKey splits "flows.NAME.rest" into NAME and rest.
func flowKey(key string) (flow, rest string, ok bool) {
	after, ok := strings.CutPrefix(key, "flows.")
	if !ok {
		return "", "", false
	}
	flow, rest, _ = strings.Cut(after, ".")
	return flow, rest, true
}
