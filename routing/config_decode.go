package routing

import (
	"fmt"
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"
)

// decodeKnown decodes n into v (a pointer to a plain struct, a type
// without UnmarshalYAML, that problems call name) and fails on keys v has
// no field for. yaml.v3's
// KnownFields does not reach into a custom UnmarshalYAML (n.Decode starts
// a lenient decoder), so the types that pre-fill their defaults check
// their subtree here. Problems are a *yaml.TypeError, so the outer decoder
// keeps going and reports them all.
func decodeKnown(n *yaml.Node, v any, name string) error {
	var problems []string
	unknownKeys(n, reflect.TypeOf(v), name, &problems)
	if err := n.Decode(v); err != nil {
		if te, ok := err.(*yaml.TypeError); ok {
			problems = append(problems, te.Errors...)
		} else {
			return err
		}
	}
	if len(problems) > 0 {
		return &yaml.TypeError{Errors: problems}
	}
	return nil
}

var unmarshalerType = reflect.TypeOf((*yaml.Unmarshaler)(nil)).Elem()

// unknownKeys walks n beside t and notes every mapping key t has no field
// for, as yaml.v3's strict mode words it. Types with their own
// UnmarshalYAML below the top check themselves.
func unknownKeys(n *yaml.Node, t reflect.Type, name string, problems *[]string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	switch {
	case t.Kind() == reflect.Struct && n.Kind == yaml.MappingNode:
		fields := yamlFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			ft, ok := fields[k.Value]
			if !ok {
				*problems = append(*problems, fmt.Sprintf("line %d: field %s not found in type %s", k.Line, k.Value, name))
				continue
			}
			checkNested(val, ft, problems)
		}
	case t.Kind() == reflect.Map && n.Kind == yaml.MappingNode:
		for i := 1; i < len(n.Content); i += 2 {
			checkNested(n.Content[i], t.Elem(), problems)
		}
	case (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) && n.Kind == yaml.SequenceNode:
		for _, e := range n.Content {
			checkNested(e, t.Elem(), problems)
		}
	}
}

func checkNested(n *yaml.Node, t reflect.Type, problems *[]string) {
	base := t
	for base.Kind() == reflect.Pointer {
		base = base.Elem()
	}
	if reflect.PointerTo(base).Implements(unmarshalerType) {
		return // checks its own keys
	}
	unknownKeys(n, base, base.String(), problems)
}

// yamlFields maps a struct's YAML keys to their field types, inline
// structs flattened.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("yaml")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if strings.Contains(opts, "inline") {
			for k, v := range yamlFields(f.Type) {
				out[k] = v
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = f.Type
	}
	return out
}

// The types below pre-fill their defaults and decode the file over them:
// a key the file leaves out keeps its default, a key the file sets (0
// included) keeps the file's value. Validate then rejects the zeros that
// mean nothing, naming the key.

// UnmarshalYAML decodes a queue over its defaults.
func (q *Queue) UnmarshalYAML(n *yaml.Node) error {
	*q = NewQueue()
	type plain Queue
	return decodeKnown(n, (*plain)(q), "routing.Queue")
}

// UnmarshalYAML decodes an overflow over its defaults.
func (o *SLOverflow) UnmarshalYAML(n *yaml.Node) error {
	*o = SLOverflow{Window: DefaultSLWindow, MinCalls: DefaultSLMinCalls}
	type plain SLOverflow
	return decodeKnown(n, (*plain)(o), "routing.SLOverflow")
}

// UnmarshalYAML decodes a team over its defaults.
func (t *Team) UnmarshalYAML(n *yaml.Node) error {
	*t = Team{Approval: ApprovalRefuse}
	type plain Team
	return decodeKnown(n, (*plain)(t), "routing.Team")
}

// UnmarshalYAML decodes a menu step over its defaults.
func (m *MenuNode) UnmarshalYAML(n *yaml.Node) error {
	*m = MenuNode{Timeout: DefaultMenuTimeout, Attempts: DefaultMenuAttempts}
	type plain MenuNode
	return decodeKnown(n, (*plain)(m), "routing.MenuNode")
}

// UnmarshalYAML decodes a collect step over its defaults; an explicit
// terminator "" means none.
func (c *CollectNode) UnmarshalYAML(n *yaml.Node) error {
	*c = CollectNode{Timeout: DefaultCollectTimeout, Terminator: DefaultTerminator}
	type plain CollectNode
	return decodeKnown(n, (*plain)(c), "routing.CollectNode")
}

// UnmarshalYAML decodes a directory step over its defaults.
func (d *DirectoryNode) UnmarshalYAML(n *yaml.Node) error {
	*d = DirectoryNode{Letters: DefaultDirectoryLetters, Timeout: DefaultDirectoryTimeout}
	type plain DirectoryNode
	return decodeKnown(n, (*plain)(d), "routing.DirectoryNode")
}

// UnmarshalYAML decodes a dial step over its defaults.
func (d *DialNode) UnmarshalYAML(n *yaml.Node) error {
	*d = DialNode{Timeout: DefaultDialTimeout}
	type plain DialNode
	return decodeKnown(n, (*plain)(d), "routing.DialNode")
}

// UnmarshalYAML decodes a survey step over its defaults.
func (s *SurveyNode) UnmarshalYAML(n *yaml.Node) error {
	*s = SurveyNode{Timeout: DefaultSurveyTimeout}
	type plain SurveyNode
	return decodeKnown(n, (*plain)(s), "routing.SurveyNode")
}

// UnmarshalYAML decodes a message step over its defaults.
func (m *MessageNode) UnmarshalYAML(n *yaml.Node) error {
	*m = MessageNode{MaxDuration: DefaultMessageMax}
	type plain MessageNode
	return decodeKnown(n, (*plain)(m), "routing.MessageNode")
}
