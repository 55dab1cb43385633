package store

import (
	"errors"
	"slices"
	"testing"
	"time"
)

func TestConfigVersions(t *testing.T) { eachBackend(t, testConfigVersions) }

func testConfigVersions(t *testing.T) {
	s, _ := openTest(t)
	ctx := t.Context()
	if _, ok, err := s.LatestConfigVersion(ctx); ok || err != nil {
		t.Fatalf("empty store: ok %v err %v", ok, err)
	}
	at := time.Date(2026, 11, 23, 19, 0, 0, 0, time.UTC)
	for i, secs := range []map[string]string{
		{"queues": "support: {}\n", "routes": "default: main\n"},
		{"queues": "support: {strategy: ring_all}\n", "routes": "default: main\n"},
	} {
		v, err := s.SaveConfigVersion(ctx, ConfigVersion{Time: at, Author: "ada", Comment: "c", Parent: i,
			Changed: []string{"queues"}, Base: "h", Sections: secs})
		if err != nil || v.Version != i+1 {
			t.Fatalf("save %d: %+v %v", i, v, err)
		}
	}
	latest, ok, err := s.LatestConfigVersion(ctx)
	if err != nil || !ok || latest.Version != 2 || latest.Parent != 1 || latest.Sections["queues"] != "support: {strategy: ring_all}\n" ||
		!latest.Time.Equal(at) || !slices.Equal(latest.Changed, []string{"queues"}) {
		t.Fatalf("latest: %+v %v %v", latest, ok, err)
	}
	list, err := s.ConfigVersions(ctx, 0, 10)
	if err != nil || len(list) != 2 || list[0].Version != 2 || list[0].Sections != nil {
		t.Fatalf("list: %+v %v", list, err)
	}
	if list, _ := s.ConfigVersions(ctx, 2, 10); len(list) != 1 || list[0].Version != 1 {
		t.Fatalf("before 2: %+v", list)
	}
	if _, err := s.ConfigVersion(ctx, 9); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown version: %v", err)
	}
	if _, err := s.db.ExecContext(ctx, `UPDATE config_version_sections SET yaml = 'x'`); err == nil {
		t.Fatal("sections were rewritten")
	}
	if _, err := s.db.ExecContext(ctx, `DELETE FROM config_versions`); err == nil {
		t.Fatal("versions were deleted")
	}
}
