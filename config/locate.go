package config

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

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

// lineMsg matches yaml.v3's "line N: problem" (decode and type errors).
var lineMsg = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// locateDecode turns decode problems ("line N: …") into "FILE:N: KEY:
// problem", KEY being the deepest key written on that line, so they read
// like the validation problems.
func locateDecode(name string, src []byte, problems []string) []string {
	var root yaml.Node
	_ = yaml.Unmarshal(src, &root)
	out := make([]string, 0, len(problems))
	for _, p := range problems {
		m := lineMsg.FindStringSubmatch(p)
		if m == nil {
			out = append(out, fmt.Sprintf("%s: %s", name, p))
			continue
		}
		line, _ := strconv.Atoi(m[1])
		msg := strings.Replace(m[2], "cannot unmarshal !!", "wrong type: got !!", 1)
		if key := keyAtLine(&root, line, ""); key != "" && !strings.HasPrefix(msg, "field ") {
			out = append(out, fmt.Sprintf("%s:%d: %s: %s", name, line, key, msg))
		} else if f, ok := strings.CutPrefix(msg, "field "); ok {
			// yaml.v3's "field X not found in type T": name that key.
			k, _, _ := strings.Cut(f, " ")
			out = append(out, fmt.Sprintf("%s:%d: %s: unknown key", name, line, cmpOr(keyNamedAtLine(&root, line, k, ""), k)))
		} else {
			out = append(out, fmt.Sprintf("%s:%d: %s", name, line, msg))
		}
	}
	return out
}

// keyAtLine is the dotted path ("queues.support.max_wait", "agents[0].id")
// of the deepest mapping key on line, "" if none.
func keyAtLine(n *yaml.Node, line int, prefix string) string {
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	best := ""
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			path := k.Value
			if prefix != "" {
				path = prefix + "." + k.Value
			}
			if k.Line == line {
				best = path
			}
			if deeper := keyAtLine(v, line, path); deeper != "" {
				best = deeper
			}
		}
	case yaml.SequenceNode:
		for i, v := range n.Content {
			if deeper := keyAtLine(v, line, fmt.Sprintf("%s[%d]", prefix, i)); deeper != "" {
				best = deeper
			}
		}
	}
	return best
}

// validateDespite validates what a file would be without the keys its
// decode problems sit on: yaml.v3 drops a whole map entry (a queue, a
// flow) when one of its values does not decode, which would make
// validation report phantom problems ("unknown queue") and miss real ones
// in the rest of that entry. Bounded: each round removes at least one key.
func validateDespite(src []byte, problems []string) error {
	var root yaml.Node
	if err := yaml.Unmarshal(src, &root); err != nil {
		return nil
	}
	for range 8 {
		removed := false
		for _, p := range problems {
			if m := lineMsg.FindStringSubmatch(p); m != nil {
				line, _ := strconv.Atoi(m[1])
				removed = removeKeyAtLine(&root, line) || removed
			}
		}
		if !removed {
			return nil
		}
		b, err := yaml.Marshal(&root)
		if err != nil {
			return nil
		}
		cfg, err := Default()
		if err != nil {
			return nil
		}
		err = decodeOver(&cfg, b)
		var de *decodeError
		switch {
		case err == nil:
			return cfg.validate()
		case errors.As(err, &de):
			// Lines of the re-written file: go on removing there.
			problems = de.problems
			if err := yaml.Unmarshal(b, &root); err != nil {
				return nil
			}
		default:
			return nil
		}
	}
	return nil
}

// removeKeyAtLine deletes the deepest mapping key written on line.
func removeKeyAtLine(n *yaml.Node, line int) bool {
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		return removeKeyAtLine(n.Content[0], line)
	}
	for _, c := range n.Content {
		if removeKeyAtLine(c, line) {
			return true
		}
	}
	if n.Kind == yaml.MappingNode {
		for i := len(n.Content) - 2; i >= 0; i -= 2 {
			if n.Content[i].Line == line {
				n.Content = append(n.Content[:i], n.Content[i+2:]...)
				return true
			}
		}
	}
	return false
}

// keyNamedAtLine is the dotted path of the key called name on line.
func keyNamedAtLine(n *yaml.Node, line int, name, prefix string) string {
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			path := k.Value
			if prefix != "" {
				path = prefix + "." + k.Value
			}
			if k.Line == line && k.Value == name {
				return path
			}
			if p := keyNamedAtLine(n.Content[i+1], line, name, path); p != "" {
				return p
			}
		}
	case yaml.SequenceNode:
		for i, v := range n.Content {
			if p := keyNamedAtLine(v, line, name, fmt.Sprintf("%s[%d]", prefix, i)); p != "" {
				return p
			}
		}
	}
	return ""
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
