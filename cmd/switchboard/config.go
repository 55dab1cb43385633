package main

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"switchboard/api"
	"switchboard/auth"
	"switchboard/dialplan"
	"switchboard/live"
	"switchboard/routing"
)

//go:embed default.yaml
var defaultYAML []byte

// Config is the whole YAML file.
type Config struct {
	DataDir  string `yaml:"data_dir"`
	Database string `yaml:"database"` // SQLite file; default DATA_DIR/switchboard.db
	Listen   string `yaml:"listen"`
	LogLevel string `yaml:"log_level"`
	// FlowsDir holds one YAML file per flow (NAME.yaml), beside or instead
	// of the flows: section; relative to the config file.
	FlowsDir string    `yaml:"flows_dir"`
	PBX      PBXConfig `yaml:"pbx"`
	// Dialplan is what `switchboard render` writes for the PBX.
	Dialplan dialplan.Config `yaml:"dialplan"`
	Reports  ReportsConfig   `yaml:"reports"`
	Exports  ExportsConfig   `yaml:"exports"`
	// Auth is sign-in: session lifetimes and limits on guessing.
	Auth auth.Config `yaml:"auth"`
	// Privacy is which roles see callers' full numbers.
	Privacy api.Privacy `yaml:"privacy"`
	// Wallboard is the wallboard's thresholds (wallboard.go).
	Wallboard live.WallboardConfig `yaml:"wallboard"`
	// Clock sets the time Switchboard starts at (rehearsals, tests).
	Clock ClockConfig `yaml:"clock"`

	routing.Config `yaml:",inline"`
}

// PBXConfig says which PBX to drive and how to reach it.
type PBXConfig struct {
	Kind string    `yaml:"kind"` // asterisk | freeswitch
	Node string    `yaml:"node"`
	ARI  ARIConfig `yaml:"ari"`
	ESL  ESLConfig `yaml:"esl"`
}

// ESLConfig is how to reach FreeSWITCH's event socket (pbx.kind: freeswitch).
type ESLConfig struct {
	Addr     string `yaml:"addr"`     // mod_event_socket, "127.0.0.1:8021"
	Password string `yaml:"password"` // event_socket.conf.xml's password
	// OutboundListen is where Switchboard accepts the `socket` application's
	// connections ("127.0.0.1:8084"); empty: parked calls over the inbound
	// socket only.
	OutboundListen string `yaml:"outbound_listen"`
	// RecordingsDir is FreeSWITCH's recordings directory as Switchboard
	// sees it (an NFS mount, same path on both): messages are recorded
	// there and the API reads them from there; empty: FreeSWITCH's own
	// ${recordings_dir}, and recordings cannot be fetched.
	RecordingsDir string `yaml:"recordings_dir"`
}

// ARIConfig is how to reach Asterisk's REST interface.
type ARIConfig struct {
	URL      string `yaml:"url"`
	User     string `yaml:"user"`
	Password string `yaml:"password"`
	App      string `yaml:"app"`
}

// loadConfig reads path ("" = the built-in default). The file is decoded
// over the defaults (routing.NewConfig, then default.yaml): a key it
// leaves out keeps the default, a key it sets keeps its value, zero
// included. Maps and optional (pointer) sections the file names replace
// the built-in ones wholesale (its queues, not the built-in queues plus
// its own); other sections are laid over key by key. Every problem is
// reported, each with the file and line it comes from.
func loadConfig(path string) (*Config, error) {
	cfg, err := defaultConfig()
	if err != nil {
		return nil, err
	}
	src, name := defaultYAML, "(built-in default)"
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		src, name = b, path
		if err := decodeOver(&cfg, b); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	files, err := loadFlowFiles(&cfg, path)
	if err != nil {
		return nil, err
	}
	if err := cfg.validate(); err != nil {
		return nil, locate(name, src, err, files)
	}
	if cfg.Database == "" {
		cfg.Database = filepath.Join(cfg.DataDir, "switchboard.db")
	}
	return &cfg, nil
}

// defaultConfig is the built-in config: routing's defaults with
// default.yaml over them.
func defaultConfig() (Config, error) {
	cfg := Config{Config: routing.NewConfig()}
	if err := decodeStrict(defaultYAML, &cfg); err != nil {
		return Config{}, fmt.Errorf("built-in config: %w", err)
	}
	return cfg, nil
}

// decodeOver decodes a config file over cfg. A file's flows come with its
// own routes (none if it has none), and a flows_dir without flows: replaces
// the built-in flows.
func decodeOver(cfg *Config, b []byte) error {
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err == nil {
		replaceNamed(reflect.ValueOf(cfg).Elem(), &root)
	}
	if err := decodeStrict(b, cfg); err != nil {
		return err
	}
	if hasKey(&root, "flows") && !hasKey(&root, "routes") {
		cfg.Routes = nil
	}
	if hasKey(&root, "flows_dir") && !hasKey(&root, "flows") {
		cfg.Flows = nil
	}
	return nil
}

// replaceNamed empties the maps and pointers of struct v that mapping n
// sets, so decoding n replaces them instead of merging into them; nested
// structs are walked key by key. Slices need nothing: yaml.v3 replaces them.
func replaceNamed(v reflect.Value, n *yaml.Node) {
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	if n.Kind != yaml.MappingNode || v.Kind() != reflect.Struct {
		return
	}
	for i := 0; i < v.NumField(); i++ {
		sf := v.Type().Field(i)
		key, opts, _ := strings.Cut(sf.Tag.Get("yaml"), ",")
		f := v.Field(i)
		if strings.Contains(opts, "inline") {
			replaceNamed(f, n)
			continue
		}
		val := valueOf(n, key)
		if !sf.IsExported() || key == "" || key == "-" || val == nil {
			continue
		}
		switch f.Kind() {
		case reflect.Map, reflect.Pointer:
			f.Set(reflect.Zero(f.Type()))
		case reflect.Struct:
			replaceNamed(f, val)
		}
	}
}

// valueOf is the value of key in mapping n, nil if n has no such key.
func valueOf(n *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func hasKey(root *yaml.Node, key string) bool {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	return n.Kind == yaml.MappingNode && valueOf(n, key) != nil
}

func decodeStrict(b []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			return errors.New(strings.Join(te.Errors, "; "))
		}
		return err
	}
	return nil
}

func (c *Config) validate() error {
	var errs []error
	switch c.PBX.Kind {
	case "asterisk":
		if !strings.HasPrefix(c.PBX.ARI.URL, "http://") && !strings.HasPrefix(c.PBX.ARI.URL, "https://") {
			errs = append(errs, fmt.Errorf("pbx.ari.url: %q must start with http:// or https://", c.PBX.ARI.URL))
		}
		if c.PBX.ARI.App == "" {
			errs = append(errs, errors.New("pbx.ari.app: required"))
		}
	case "freeswitch":
		if _, _, err := net.SplitHostPort(c.PBX.ESL.Addr); err != nil {
			errs = append(errs, fmt.Errorf("pbx.esl.addr: %q must be host:port", c.PBX.ESL.Addr))
		}
		if c.PBX.ESL.Password == "" {
			errs = append(errs, errors.New("pbx.esl.password: required"))
		}
		if l := c.PBX.ESL.OutboundListen; l != "" {
			if _, _, err := net.SplitHostPort(l); err != nil {
				errs = append(errs, fmt.Errorf("pbx.esl.outbound_listen: %q must be host:port", l))
			}
		}
	default:
		errs = append(errs, fmt.Errorf("pbx.kind: %q is not supported (supported: asterisk, freeswitch)", c.PBX.Kind))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("log_level: %q is not one of debug, info, warn, error", c.LogLevel))
	}
	if c.Listen == "" {
		errs = append(errs, errors.New("listen: required"))
	}
	if err := c.validateReports(); err != nil {
		errs = append(errs, err)
	}
	if err := c.validateAuth(); err != nil {
		errs = append(errs, err)
	}
	if err := c.validateWallboard(); err != nil {
		errs = append(errs, err)
	}
	if err := c.Clock.validate(); err != nil {
		errs = append(errs, err)
	}
	if err := c.Dialplan.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := c.Config.Validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// locate prefixes each "key.path: problem" line with file:line.
func locate(name string, src []byte, err error, files map[string]flowFile) error {
	var root yaml.Node
	_ = yaml.Unmarshal(src, &root)
	var lines []string
	for _, msg := range strings.Split(err.Error(), "\n") {
		key, _, _ := strings.Cut(msg, ": ")
		// A flow from its own file: that file, and the key inside it.
		if flow, rest, ok := flowKey(key); ok {
			if f, ok := files[flow]; ok {
				var froot yaml.Node
				_ = yaml.Unmarshal(f.src, &froot)
				if line := lineOf(&froot, rest); line > 0 {
					lines = append(lines, fmt.Sprintf("%s:%d: %s", f.path, line, msg))
				} else {
					lines = append(lines, fmt.Sprintf("%s: %s", f.path, msg))
				}
				continue
			}
		}
		if line := lineOf(&root, key); line > 0 {
			lines = append(lines, fmt.Sprintf("%s:%d: %s", name, line, msg))
		} else {
			lines = append(lines, fmt.Sprintf("%s: %s", name, msg))
		}
	}
	return errors.New(strings.Join(lines, "\n"))
}

// lineOf finds the line of a key path like "flows.main.nodes.menu" or
// "agents[2].id"; the deepest part found wins.
func lineOf(n *yaml.Node, path string) int {
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := 0
	for _, part := range splitPath(path) {
		switch {
		case n.Kind == yaml.MappingNode:
			found := false
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == part {
					line, n, found = n.Content[i].Line, n.Content[i+1], true
					break
				}
			}
			if !found {
				return line
			}
		case n.Kind == yaml.SequenceNode:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(n.Content) {
				return line
			}
			n = n.Content[i]
			line = n.Line
		default:
			return line
		}
	}
	return line
}

func splitPath(p string) []string {
	p = strings.ReplaceAll(p, "[", ".")
	p = strings.ReplaceAll(p, "]", "")
	return strings.Split(p, ".")
}
