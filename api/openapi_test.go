package api

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestOpenAPIMatchesRoutes checks that every registered route is in
// openapi.json and every operation there is a registered route.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	h := newHarness(t)
	r := h.do(t, "GET", "/api/v1/openapi.json", "")
	if r.Code != 200 {
		t.Fatalf("openapi.json: %d", r.Code)
	}
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(r.Body, &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi version %q", doc.OpenAPI)
	}

	param := regexp.MustCompile(`:([A-Za-z_]+)`)
	var routes []string
	for _, rt := range h.srv.echo.Routes() {
		p := param.ReplaceAllString(rt.Path, "{$1}")
		p = strings.Replace(p, "/*", "/{file}", 1) // Echo's wildcard, documented as a path parameter
		routes = append(routes, strings.ToLower(rt.Method)+" "+p)
	}
	var documented []string
	for path, ops := range doc.Paths {
		for method := range ops {
			switch method {
			case "parameters", "summary", "description", "servers":
				continue
			}
			documented = append(documented, method+" "+path)
		}
	}
	for _, rt := range routes {
		if !slices.Contains(documented, rt) {
			t.Errorf("route %s is not in openapi.json", rt)
		}
	}
	for _, d := range documented {
		if !slices.Contains(routes, d) {
			t.Errorf("openapi.json documents %s, which is not a route", d)
		}
	}
	if len(routes) == 0 {
		t.Fatal("no routes")
	}
	// Every $ref must resolve.
	var full map[string]any
	json.Unmarshal(r.Body, &full)
	for _, ref := range regexp.MustCompile(`"\$ref":\s*"#/([^"]+)"`).FindAllStringSubmatch(string(r.Body), -1) {
		var node any = full
		for _, part := range strings.Split(ref[1], "/") {
			m, ok := node.(map[string]any)
			if !ok || m[part] == nil {
				t.Errorf("$ref #/%s does not resolve", ref[1])
				break
			}
			node = m[part]
		}
	}
}
