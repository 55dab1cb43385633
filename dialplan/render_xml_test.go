package dialplan

import (
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
)

// Every FreeSWITCH file is well-formed XML: the switch refuses to start on a
// comment holding "--" (seen on 1.10.12: "unclosed <!--" for `render --pbx`).
func TestRenderFreeSWITCHWellFormed(t *testing.T) {
	for _, cfg := range []func() *Config{testbedConfig, siteConfig} {
		files, err := Render("freeswitch", cfg(), testLink)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			d := xml.NewDecoder(strings.NewReader(string(f.Data)))
			for {
				_, err := d.Token()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatalf("%s: %v", f.Name, err)
				}
			}
		}
	}
}
