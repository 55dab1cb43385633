package api

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"sort"

	"github.com/labstack/echo/v4"
)

// The OpenAPI document is kept in parts, one per area of the API
// (openapi/core.json holds the header); they are merged at start-up.
// TestOpenAPIMatchesRoutes keeps the whole in step with the routes.
//
//go:embed openapi/*.json
var openAPIParts embed.FS

var openAPIDoc = mustMergeOpenAPI(openAPIParts)

// mustMergeOpenAPI merges every part's paths and components into core's.
// Two parts defining the same path+method or the same component is a
// programming error and panics at start-up (and in every test).
func mustMergeOpenAPI(parts fs.FS) []byte {
	names, err := fs.Glob(parts, "openapi/*.json")
	if err != nil {
		panic(err)
	}
	sort.Strings(names)
	var doc map[string]any
	for _, n := range names {
		b, err := fs.ReadFile(parts, n)
		if err != nil {
			panic(err)
		}
		var part map[string]any
		if err := json.Unmarshal(b, &part); err != nil {
			panic(fmt.Sprintf("%s: %v", n, err))
		}
		if n == "openapi/core.json" {
			if doc != nil {
				part = mergeInto(part, doc, n)
			}
			doc = part
			continue
		}
		if doc == nil {
			doc = map[string]any{}
		}
		doc = mergeInto(doc, part, n)
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		panic(err)
	}
	return out
}

// mergeInto adds part's paths (path → method → operation) and components
// (kind → name → object) to doc.
func mergeInto(doc, part map[string]any, name string) map[string]any {
	for _, key := range []string{"paths", "components"} {
		src, _ := part[key].(map[string]any)
		if len(src) == 0 {
			continue
		}
		dst, _ := doc[key].(map[string]any)
		if dst == nil {
			dst = map[string]any{}
			doc[key] = dst
		}
		for k, v := range src {
			inner, _ := v.(map[string]any)
			have, _ := dst[k].(map[string]any)
			if have == nil {
				dst[k] = v
				continue
			}
			for k2, v2 := range inner {
				if _, dup := have[k2]; dup {
					panic(fmt.Sprintf("%s: %s %s %s is defined twice", name, key, k, k2))
				}
				have[k2] = v2
			}
		}
	}
	return doc
}

func getOpenAPI(c echo.Context) error {
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, openAPIDoc)
}
