package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"

	"switchboard/routing"
)

// Load reads path ("" = the built-in default). The file is decoded
// over the defaults (routing.NewConfig, then default.yaml): a key it
// leaves out keeps the default, a key it sets keeps its value, zero
// included. Maps and optional (pointer) sections the file names replace
// the built-in ones wholesale (its queues, not the built-in queues plus
// its own); other sections are laid over key by key. Every problem is
// reported, each with the file and line it comes from.
func Load(path string) (*Config, error) {
	cfg, err := Default()
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
			var de *decodeError
			if !errors.As(err, &de) {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			// Every problem of the file, not only the first: the ones
			// decoding found and the ones validation finds in the rest
			// (a value that did not decode keeps its default).
			problems := locateDecode(name, src, de.problems)
			if verr := validateDespite(b, de.problems); verr != nil {
				problems = append(problems, locate(name, src, verr, nil).Error())
			}
			return nil, errors.New(strings.Join(problems, "\n"))
		}
	}
	files, err := loadFlowFiles(&cfg, path)
	if err != nil {
		return nil, err
	}
	if err := cfg.validate(); err != nil {
		return nil, locate(name, src, err, files)
	}
	cfg.settleStore()
	return &cfg, nil
}

// Default is the built-in config: routing's defaults with
// default.yaml over them.
func Default() (Config, error) {
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
			return &decodeError{problems: te.Errors}
		}
		return err
	}
	return nil
}

// decodeError is every type, unknown-key and value problem one decode
// found, each "line N: …".
type decodeError struct{ problems []string }

func (e *decodeError) Error() string { return strings.Join(e.problems, "; ") }
