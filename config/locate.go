package config

import (
	"errors"
	"fmt"
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
