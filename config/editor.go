package config

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"switchboard/api"
	"switchboard/routing"
	"switchboard/store"
)

// The config file is version 0. Routing sections edited in the admin page
// are saved in the store as versions 1, 2, …; the latest one replaces the
// file's editable sections at start and on every reload (SIGHUP, POST
// /api/v1/config/reload). Everything else (pbx, listen, reports, …) comes
// from the file alone. See docs/admin.md.

// sectionCandidates are the routing sections the admin page edits, in the
// order it shows them; those the config does not have are left out.
var sectionCandidates = []string{
	"queues", "agents", "teams", "not_ready_reasons", "dispositions",
	"calendars", "extensions", "flows", "routes", "priority",
}

// EngineReloader is the engine's hot reload.
type EngineReloader interface {
	Reload(ctx context.Context, cfg *routing.Config) (int, error)
}

// LatestVersion reads the newest saved version (*store.Store).
type LatestVersion interface {
	LatestConfigVersion(ctx context.Context) (store.ConfigVersion, bool, error)
}

// Editor implements api.ConfigSource over the config file, the
// saved versions and the engine. Its lock orders every reload: an admin's
// save, a rollback, SIGHUP.
type Editor struct {
	path     string
	versions LatestVersion
	log      *slog.Logger
	names    []string

	mu       sync.Mutex
	eng      EngineReloader
	applied  func(*Config) // after each reload (the reports' teams)
	version  int           // active: 0 is the file
	sections map[string]string
	cfg      *Config // the config running
}

var _ api.ConfigSource = (*Editor)(nil)

func NewEditor(path string, versions LatestVersion, log *slog.Logger) *Editor {
	var names []string
	for _, n := range sectionCandidates {
		if _, ok := sectionField(&Config{}, n); ok {
			names = append(names, n)
		}
	}
	return &Editor{path: path, versions: versions, log: log, names: names}
}

// Attach hands the editor the engine its reloads go to and what runs
// after each (the reports' teams, the wallboard); before Reload or Apply.
func (e *Editor) Attach(eng EngineReloader, applied func(*Config)) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.eng, e.applied = eng, applied
}

// Start picks the config to run: the file with the latest saved version
// over it, or the file alone when none was saved or the latest no longer
// validates against the file (a loud error, not a refusal to start).
func (e *Editor) Start(ctx context.Context, file *Config) (*Config, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	fileSecs, hash, err := fileSections(e.path)
	if err != nil {
		return nil, err
	}
	e.cfg, e.version, e.sections = file, 0, fileSecs
	latest, ok, err := e.versions.LatestConfigVersion(ctx)
	if err != nil {
		return nil, err
	}
	if !ok {
		e.log.Info("config active", "version", 0, "source", "file", "file", e.path)
		return file, nil
	}
	cfg, err := e.build(latest.Sections)
	if err != nil {
		e.log.Error("saved config version does not validate with this config file; running the file's sections (version 0)",
			"version", latest.Version, "err", err)
		return file, nil
	}
	e.noteBase(latest, hash)
	e.cfg, e.version, e.sections = cfg, latest.Version, e.complete(latest.Sections, fileSecs)
	e.log.Info("config active", "version", latest.Version, "source", "store", "saved_by", latest.Author, "file", e.path)
	return cfg, nil
}

// Reload re-reads the file, lays the latest saved version over it and
// hands the result to the engine. A config that does not validate is
// refused and the running one stays.
func (e *Editor) Reload(ctx context.Context) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	fileSecs, hash, err := fileSections(e.path)
	if err != nil {
		return 0, &routing.ConfigError{Err: err}
	}
	latest, ok, err := e.versions.LatestConfigVersion(ctx)
	if err != nil {
		return 0, err
	}
	secs := map[string]string{}
	if ok {
		secs = latest.Sections
		e.noteBase(latest, hash)
	}
	cfg, err := e.build(secs)
	if err != nil {
		return 0, &routing.ConfigError{Err: err}
	}
	v, err := e.apply(ctx, cfg)
	if err != nil {
		return 0, err
	}
	e.version, e.sections = latest.Version, e.complete(secs, fileSecs)
	e.log.Info("config reloaded", "version", e.version, "engine_version", v, "file", e.path)
	return v, nil
}

// noteBase warns when the file's sections changed since v was saved: the
// saved version still wins.
func (e *Editor) noteBase(v store.ConfigVersion, hash string) {
	if v.Base != "" && v.Base != hash {
		e.log.Warn("the config file's routing sections changed since this version was saved; the saved version stays active (roll back to version 0 to run the file's)",
			"version", v.Version, "file", e.path)
	}
}

func (e *Editor) apply(ctx context.Context, cfg *Config) (int, error) {
	if !cfg.Listen.Equal(e.cfg.Listen) || cfg.PBX != e.cfg.PBX || cfg.Database != e.cfg.Database || cfg.Store != e.cfg.Store || cfg.Backups != e.cfg.Backups {
		e.log.Warn("config reload: listen, pbx, database, store and backups changes need a restart; routing changes applied")
	}
	v, err := e.eng.Reload(ctx, &cfg.Config)
	if err != nil {
		return 0, err
	}
	e.cfg = cfg
	if e.applied != nil {
		e.applied(cfg)
	}
	return v, nil
}

// Teams is the teams of the config running, by id (api.TeamSource: the
// one team model accounts pick from).
func (e *Editor) Teams() map[string]routing.Team {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make(map[string]routing.Team, len(e.cfg.Teams))
	for id, t := range e.cfg.Teams {
		if t != nil {
			out[id] = *t
		} else {
			out[id] = routing.Team{}
		}
	}
	return out
}

// Sections implements api.ConfigSource.
func (e *Editor) Sections() []string { return slices.Clone(e.names) }

// Active implements api.ConfigSource.
func (e *Editor) Active() (int, map[string]string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.version, maps.Clone(e.sections)
}

// File implements api.ConfigSource.
func (e *Editor) File() (map[string]string, error) {
	secs, _, err := fileSections(e.path)
	return secs, err
}

// Check implements api.ConfigSource.
func (e *Editor) Check(sections map[string]string) error {
	_, err := e.build(sections)
	return err
}

// Apply implements api.ConfigSource.
func (e *Editor) Apply(ctx context.Context, parent int, sections map[string]string, commit func(base string) (int, error)) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if parent != e.version {
		return 0, fmt.Errorf("%w (version %d is active now)", api.ErrConfigConflict, e.version)
	}
	fileSecs, hash, err := fileSections(e.path)
	if err != nil {
		return 0, api.ConfigProblems{{Message: err.Error()}}
	}
	cfg, err := e.build(sections)
	if err != nil {
		return 0, err
	}
	prev := e.cfg
	v, err := e.apply(ctx, cfg)
	var cerr *routing.ConfigError
	if errors.As(err, &cerr) {
		return 0, e.problems(cerr.Err, sections)
	}
	if err != nil {
		return 0, err
	}
	n, err := commit(hash)
	if err != nil {
		// Not saved: run what ran before, so the store and the engine agree.
		if _, rerr := e.apply(ctx, prev); rerr != nil {
			e.log.Error("config not saved and the previous one not restored", "err", rerr)
		}
		return 0, fmt.Errorf("save config version: %w", err)
	}
	e.version, e.sections = n, e.complete(sections, fileSecs)
	return v, nil
}

// complete fills the sections secs lacks with the file's.
func (e *Editor) complete(secs, file map[string]string) map[string]string {
	out := make(map[string]string, len(e.names))
	for _, n := range e.names {
		text, ok := secs[n]
		if !ok {
			text = file[n]
		}
		out[n] = text
	}
	return out
}

// build is the config file with sections laid over it, defaulted and
// validated as `switchboard validate` does; problems are api.ConfigProblems
// naming the section and the line in its text.
func (e *Editor) build(sections map[string]string) (*Config, error) {
	cfg, err := Load(e.path)
	if err != nil {
		return nil, api.ConfigProblems{{Message: err.Error()}}
	}
	var ps api.ConfigProblems
	for _, name := range e.names {
		text, ok := sections[name]
		if !ok {
			continue
		}
		// The section starts from its default, as in a file.
		f, _ := sectionField(cfg, name)
		d, _ := sectionField(&Config{Config: routing.NewConfig()}, name)
		f.Set(d)
		if strings.TrimSpace(text) == "" {
			continue
		}
		ps = append(ps, decodeSection(name, text, f.Addr().Interface())...)
	}
	if len(ps) > 0 {
		return nil, ps
	}
	if err := cfg.validate(); err != nil {
		return nil, e.problems(err, sections)
	}
	return cfg, nil
}

// problems turns "key.path: problem" lines into problems at the line of
// the key in its section's text (or the file's, outside the sections).
func (e *Editor) problems(err error, sections map[string]string) api.ConfigProblems {
	var ps api.ConfigProblems
	nodes := map[string]*yaml.Node{}
	for _, msg := range strings.Split(err.Error(), "\n") {
		key, _, _ := strings.Cut(msg, ": ")
		name := key
		if i := strings.IndexAny(key, ".["); i >= 0 {
			name = key[:i]
		}
		text, ok := sections[name]
		if !slices.Contains(e.names, name) || !ok {
			if slices.Contains(e.names, name) {
				ps = append(ps, api.ConfigProblem{Section: name, Message: msg}) // the file's text: no line of ours
				continue
			}
			ps = append(ps, api.ConfigProblem{Message: msg})
			continue
		}
		n := nodes[name]
		if n == nil {
			n = &yaml.Node{}
			_ = yaml.Unmarshal([]byte(text), n)
			nodes[name] = n
		}
		rest := strings.TrimPrefix(strings.NewReplacer("[", ".", "]", "").Replace(key[len(name):]), ".")
		line := 0
		if rest != "" {
			line = lineOf(n, rest)
		}
		ps = append(ps, api.ConfigProblem{Section: name, Line: line, Message: msg})
	}
	return ps
}

// yamlLine finds "line N:" in what yaml.v3 reports.
var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): `)

// decodeSection decodes one section's text strictly into v; each problem
// names its line in text.
func decodeSection(name, text string, v any) []api.ConfigProblem {
	dec := yaml.NewDecoder(strings.NewReader(text))
	dec.KnownFields(true)
	err := dec.Decode(v)
	if err == nil {
		return nil
	}
	msgs := []string{err.Error()}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	}
	var ps []api.ConfigProblem
	for _, m := range msgs {
		p := api.ConfigProblem{Section: name, Message: m}
		if sm := yamlLine.FindStringSubmatch(m); sm != nil {
			p.Line, _ = strconv.Atoi(sm[1])
			p.Message = m[len(sm[0]):]
		}
		ps = append(ps, p)
	}
	return ps
}

// sectionField is the Config field a top-level YAML key names, looking
// into inlined structs (routing.Config).
func sectionField(cfg *Config, name string) (reflect.Value, bool) {
	var find func(v reflect.Value) (reflect.Value, bool)
	find = func(v reflect.Value) (reflect.Value, bool) {
		t := v.Type()
		for i := range t.NumField() {
			tag, opts, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
			if opts == "inline" && v.Field(i).Kind() == reflect.Struct {
				if f, ok := find(v.Field(i)); ok {
					return f, true
				}
				continue
			}
			if tag == name {
				return v.Field(i), true
			}
		}
		return reflect.Value{}, false
	}
	return find(reflect.ValueOf(cfg).Elem())
}

// fileSections is each editable section's text as the config file (or the
// built-in default, for what the file leaves out; flows_dir's files for
// the flows) has it, and a hash of them all.
func fileSections(path string) (map[string]string, string, error) {
	cfg, err := Load(path)
	if err != nil {
		return nil, "", err
	}
	src := defaultYAML
	if path != "" {
		if src, err = os.ReadFile(path); err != nil {
			return nil, "", fmt.Errorf("config: %w", err)
		}
	}
	file, def := topKeys(src), topKeys(defaultYAML)
	secs := map[string]string{}
	var names []string
	for _, n := range sectionCandidates {
		if _, ok := sectionField(cfg, n); !ok {
			continue
		}
		names = append(names, n)
		node := file[n]
		switch {
		case node != nil:
		case n == "flows" && cfg.FlowsDir != "":
		case n == "routes" && file["flows"] != nil:
			// flows in the file without routes: no routes (as Load)
		default:
			node = def[n]
		}
		if n == "flows" && cfg.FlowsDir != "" {
			if node, err = withFlowFiles(node, cfg, path); err != nil {
				return nil, "", err
			}
		}
		text, err := encodeNode(node)
		if err != nil {
			return nil, "", fmt.Errorf("config section %s: %w", n, err)
		}
		secs[n] = text
	}
	h := sha256.New()
	for _, n := range names {
		fmt.Fprintf(h, "%s\x00%s\x00", n, secs[n])
	}
	return secs, hex.EncodeToString(h.Sum(nil)[:8]), nil
}

// withFlowFiles adds flows_dir's flows to the file's flows mapping.
func withFlowFiles(node *yaml.Node, cfg *Config, path string) (*yaml.Node, error) {
	out := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	if node != nil && node.Kind == yaml.MappingNode {
		out.Content = append(out.Content, node.Content...)
	}
	probe := &Config{FlowsDir: cfg.FlowsDir}
	files, err := loadFlowFiles(probe, path)
	if err != nil {
		return nil, err
	}
	for _, name := range sortedNames(files) {
		var doc yaml.Node
		if err := yaml.Unmarshal(files[name].src, &doc); err != nil || len(doc.Content) == 0 {
			return nil, fmt.Errorf("%s: %w", files[name].path, err)
		}
		out.Content = append(out.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: name}, doc.Content[0])
	}
	return out, nil
}

func sortedNames[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// topKeys maps each top-level key of a YAML document to its value node.
func topKeys(src []byte) map[string]*yaml.Node {
	var doc yaml.Node
	out := map[string]*yaml.Node{}
	if yaml.Unmarshal(src, &doc) != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return out
	}
	m := doc.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		out[m.Content[i].Value] = m.Content[i+1]
	}
	return out
}

// encodeNode writes a section's value as YAML text ("" for none).
func encodeNode(n *yaml.Node) (string, error) {
	if n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null") {
		return "", nil
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(n); err != nil {
		return "", err
	}
	if err := enc.Close(); err != nil {
		return "", err
	}
	return buf.String(), nil
}
