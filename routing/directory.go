package routing

import (
	"strings"
	"unicode"
)

// The dial-by-name directory: keys pressed are matched against the first
// letters of each extension's name as spelled on a phone keypad.

var keypad = map[rune]byte{
	'a': '2', 'b': '2', 'c': '2', 'd': '3', 'e': '3', 'f': '3', 'g': '4', 'h': '4', 'i': '4',
	'j': '5', 'k': '5', 'l': '5', 'm': '6', 'n': '6', 'o': '6', 'p': '7', 'q': '7', 'r': '7', 's': '7',
	't': '8', 'u': '8', 'v': '8', 'w': '9', 'x': '9', 'y': '9', 'z': '9',
}

// keyed is a name's letters as keypad digits ("Zhang Wei" → "94264934").
func keyed(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		if d, ok := keypad[r]; ok {
			b.WriteByte(d)
		} else if unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// lookup finds the lowest-numbered extension whose spelled name starts
// with keys, within department if given.
func (m *Machine) lookup(keys, department string) string {
	for _, num := range sortedKeys(m.cfg.Extensions) {
		e := m.cfg.Extensions[num]
		if department != "" && e.Department != department {
			continue
		}
		spell := e.Spell
		if spell == "" {
			spell = e.Name
		}
		if k := keyed(spell); k != "" && strings.HasPrefix(k, keys) {
			return num
		}
	}
	return ""
}

func (m *Machine) directoryDone(c *call, d *DirectoryNode) {
	num := ""
	if c.digits != "" {
		num = m.lookup(c.digits, d.Department)
	}
	if num == "" {
		m.enterNode(c, d.OnNoMatch, "no_match")
		return
	}
	m.setVar(c, d.Var, num)
	m.enterNode(c, d.Next, c.digits)
}
