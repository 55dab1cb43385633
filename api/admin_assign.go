package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"gopkg.in/yaml.v3"
)

// Moving an agent between queues and changing their skills live: a new
// config version that changes only that agent's entry of the agents
// section, applied through the hot reload (the agent stays signed in, in
// the state they are in).

// assignmentRequest is the body of PUT /api/v1/agents/{id}/assignment.
type assignmentRequest struct {
	// Queues the agent serves: names, or {queue, penalty}; a queue kept
	// from before keeps its penalty unless one is given.
	Queues *[]assignQueue `json:"queues"`
	// Skills and their levels (1-10); nil keeps them.
	Skills map[string]int `json:"skills"`
}

type assignQueue struct {
	Queue   string `json:"queue"`
	Penalty *int   `json:"penalty,omitempty"`
}

// UnmarshalJSON takes "support" or {"queue": "support", "penalty": 2}.
func (q *assignQueue) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		q.Penalty = nil
		return json.Unmarshal(b, &q.Queue)
	}
	type plain assignQueue
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode((*plain)(q))
}

// assignment is an agent's queues and skills, as audited before and after.
type assignment struct {
	Queues []assignQueue  `json:"queues"`
	Skills map[string]int `json:"skills"`
}

// assignmentBody answers PUT .../assignment.
type assignmentBody struct {
	savedBody
	Agent any `json:"agent"`
}

const (
	maxAssignQueues = 100
	maxSkills       = 100
	maxNameLen      = 64
)

func (h configHandlers) putAssignment(c echo.Context) error {
	src := h.src
	ctx, id := c.Request().Context(), c.Param("id")
	view, err := h.agents.Agent(ctx, id)
	if err != nil {
		return unknownAgent(principalOf(c), id, err)
	}
	if err := agentScope(principalOf(c), id, view.Team); err != nil {
		return err
	}
	var req assignmentRequest
	if err := decodeBody(c, &req, true); err != nil {
		return err
	}
	if err := req.check(); err != nil {
		return err
	}
	parent, cur := src.Active()
	text, before, after, err := reassign(cur["agents"], id, req)
	if err != nil {
		return err
	}
	next := make(map[string]string, len(cur))
	for k, v := range cur {
		next[k] = v
	}
	next["agents"] = text
	if text == cur["agents"] {
		return c.JSON(http.StatusOK, assignmentBody{savedBody: savedBody{Version: parent, Changed: []string{}}, Agent: view})
	}
	if err := src.Check(next); err != nil {
		return configError(c, "agents", err)
	}
	if err := h.aud.record(c, "agent.assignment", id, true, map[string]any{"parent": parent, "before": before, "after": after}); err != nil {
		return err
	}
	out, err := h.applyConfig(c, "agent.assignment", id, parent, cur, next, "assignment of agent "+id)
	if err != nil {
		return configError(c, "agents", err)
	}
	if view, err = h.agents.Agent(ctx, id); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, assignmentBody{savedBody: out, Agent: view})
}

func (r *assignmentRequest) check() error {
	if r.Queues == nil && r.Skills == nil {
		return badRequest("queues", "give queues, skills or both")
	}
	if r.Queues != nil {
		qs := *r.Queues
		if len(qs) > maxAssignQueues {
			return badRequest("queues", "more than %d queues", maxAssignQueues)
		}
		seen := map[string]bool{}
		for i, q := range qs {
			field := fmt.Sprintf("queues[%d]", i)
			switch {
			case q.Queue == "" || len(q.Queue) > maxNameLen:
				return badRequest(field, "a queue name of 1-%d bytes is required", maxNameLen)
			case seen[q.Queue]:
				return badRequest(field, "queue %q is listed twice", q.Queue)
			case q.Penalty != nil && (*q.Penalty < 0 || *q.Penalty > 1000):
				return badRequest(field+".penalty", "must be 0-1000")
			}
			seen[q.Queue] = true
		}
	}
	if len(r.Skills) > maxSkills {
		return badRequest("skills", "more than %d skills", maxSkills)
	}
	for name, lv := range r.Skills {
		if !validSkillName(name) {
			return badRequest("skills", "%q is not a skill name (a letter or _, then letters, digits, _ or -; at most %d bytes)", name, maxNameLen)
		}
		if lv < 1 || lv > 10 {
			return badRequest("skills."+name, "level %d is not 1-10", lv)
		}
	}
	return nil
}

// validSkillName is what the skill requirement parser reads as a name.
func validSkillName(s string) bool {
	if s == "" || len(s) > maxNameLen || !utf8.ValidString(s) {
		return false
	}
	for i, r := range s {
		ok := r == '_' || unicode.IsLetter(r)
		if i > 0 {
			ok = ok || r == '-' || unicode.IsDigit(r) || unicode.IsMark(r)
		}
		if !ok {
			return false
		}
	}
	return true
}

// reassign sets agent id's queues and skills in the agents section's YAML
// text, keeping everything else of it (comments, the other agents, the
// flow or block style of the entry).
func reassign(text, id string, req assignmentRequest) (out string, before, after assignment, err error) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		return "", before, after, fmt.Errorf("agents section: %w", err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.SequenceNode {
		return "", before, after, &Error{Status: http.StatusNotFound, Code: CodeNotFound, Message: "agent " + id + " is not in the agents section"}
	}
	var entry *yaml.Node
	for _, n := range doc.Content[0].Content {
		if n.Kind == yaml.MappingNode {
			if v := mapValue(n, "id"); v != nil && v.Value == id {
				entry = n
				break
			}
		}
	}
	if entry == nil {
		return "", before, after, &Error{Status: http.StatusNotFound, Code: CodeNotFound, Message: "agent " + id + " is not in the agents section"}
	}
	before.Queues, before.Skills = members(mapValue(entry, "queues")), skillsOf(mapValue(entry, "skills"))
	after = before
	if req.Queues != nil {
		after.Queues = nil
		seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle}
		for _, q := range *req.Queues {
			if q.Penalty == nil {
				for _, b := range before.Queues {
					if b.Queue == q.Queue {
						q.Penalty = b.Penalty
					}
				}
			}
			after.Queues = append(after.Queues, q)
			if q.Penalty == nil || *q.Penalty == 0 {
				seq.Content = append(seq.Content, str(q.Queue))
				continue
			}
			seq.Content = append(seq.Content, &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Style: yaml.FlowStyle,
				Content: []*yaml.Node{str("queue"), str(q.Queue), str("penalty"), {Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(*q.Penalty)}}})
		}
		setMapValue(entry, "queues", seq)
	}
	if req.Skills != nil {
		after.Skills = req.Skills
		m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Style: yaml.FlowStyle}
		names := make([]string, 0, len(req.Skills))
		for n := range req.Skills {
			names = append(names, n)
		}
		slices.Sort(names)
		for _, n := range names {
			m.Content = append(m.Content, str(n), &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(req.Skills[n])})
		}
		if len(names) == 0 {
			deleteMapKey(entry, "skills")
		} else {
			setMapValue(entry, "skills", m)
		}
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return "", before, after, fmt.Errorf("agents section: %w", err)
	}
	if err := enc.Close(); err != nil {
		return "", before, after, fmt.Errorf("agents section: %w", err)
	}
	return buf.String(), before, after, nil
}

func str(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

func mapValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func setMapValue(m *yaml.Node, key string, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content[i+1] = v
			return
		}
	}
	m.Content = append(m.Content, str(key), v)
}

func deleteMapKey(m *yaml.Node, key string) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content = slices.Delete(m.Content, i, i+2)
			return
		}
	}
}

// members reads a queues list: "support" or {queue: support, penalty: 2}.
func members(n *yaml.Node) []assignQueue {
	out := []assignQueue{}
	if n == nil || n.Kind != yaml.SequenceNode {
		return out
	}
	for _, item := range n.Content {
		switch item.Kind {
		case yaml.ScalarNode:
			out = append(out, assignQueue{Queue: item.Value})
		case yaml.MappingNode:
			q := assignQueue{}
			if v := mapValue(item, "queue"); v != nil {
				q.Queue = v.Value
			}
			if v := mapValue(item, "penalty"); v != nil {
				if p, err := strconv.Atoi(v.Value); err == nil {
					q.Penalty = &p
				}
			}
			out = append(out, q)
		}
	}
	return out
}

func skillsOf(n *yaml.Node) map[string]int {
	out := map[string]int{}
	if n == nil || n.Kind != yaml.MappingNode {
		return out
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		lv, _ := strconv.Atoi(n.Content[i+1].Value)
		out[n.Content[i].Value] = lv
	}
	return out
}
