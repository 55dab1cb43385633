//go:build e2e

package testbed

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// The built-in config must only name sounds the testbed's Asterisk has, or
// callers of `make run` hear silence where the menu should be.
func TestDefaultConfigSoundsExist(t *testing.T) {
	p := DefaultPBX()
	cfg, err := os.ReadFile(filepath.Join(RepoDir(), "config", "default.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	sounds := regexp.MustCompile(`sound:([A-Za-z0-9_/-]+)`).FindAllStringSubmatch(string(cfg), -1)
	if len(sounds) < 5 {
		t.Fatalf("found only %d sounds in default.yaml", len(sounds))
	}
	dir := filepath.Join(p.Root, "usr", "share", "asterisk", "sounds", "en_US_f_Allison")
	for _, s := range sounds {
		if m, _ := filepath.Glob(filepath.Join(dir, s[1]+".*")); len(m) == 0 {
			t.Errorf("default.yaml plays sound:%s, which %s does not have", s[1], dir)
		}
	}
}
