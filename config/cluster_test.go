package config

import (
	"strings"
	"testing"
	"time"

	"switchboard/config/configtest"
)

const pgStore = "store: {kind: postgres, dsn: 'postgres://sb@127.0.0.1:5432/sb?sslmode=disable'}\n"

func TestClusterSection(t *testing.T) {
	cfg, err := Load(configtest.WriteFile(t, pgStore+"cluster: {node: sb-a, advertise: 'http://10.0.0.5:8080', lease: 6s}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.Cluster.Enabled() || cfg.Cluster.LeaseTTL() != 6*time.Second || cfg.PartitionName() != cfg.PBX.Node {
		t.Errorf("cluster %+v: enabled %v lease %s partition %q", cfg.Cluster, cfg.Cluster.Enabled(), cfg.Cluster.LeaseTTL(), cfg.PartitionName())
	}
	one, err := Load(configtest.WriteFile(t, "log_level: info\n"))
	if err != nil {
		t.Fatal(err)
	}
	if one.Cluster.Enabled() {
		t.Error("no cluster: section: one node under a lease")
	}
	if d := (ClusterConfig{Node: "x"}).LeaseTTL(); d != 10*time.Second {
		t.Errorf("default lease %s", d)
	}
}

func TestClusterErrorsAtFileLine(t *testing.T) {
	for _, tt := range []struct {
		yaml string
		want string // after "FILE:"
	}{
		{"log_level: info\ncluster:\n  node: sb-a\n", `3: cluster.node: several nodes share one PostgreSQL`},
		{pgStore + "cluster:\n  node: 'a b'\n", `3: cluster.node: "a b" must be`},
		{pgStore + "cluster:\n  node: sb-a\n  lease: 1s\n", `4: cluster.lease: 1s is outside 2s..5m0s`},
		{pgStore + "cluster:\n  node: sb-a\n  lease: 6m\n", `4: cluster.lease: 6m0s is outside`},
		{pgStore + "cluster:\n  node: sb-a\n  advertise: 'ftp://x'\n", `4: cluster.advertise: "ftp://x" must be an http`},
		{pgStore + "cluster:\n  node: sb-a\n  partition: 'p/1'\n", `4: cluster.partition: "p/1" must be`},
		{pgStore + "cluster:\n  lease: 5s\n", `2: cluster.node: required when the cluster: section is given`},
	} {
		path := configtest.WriteFile(t, tt.yaml)
		_, err := Load(path)
		if err == nil || !strings.Contains(err.Error(), path+":"+tt.want) {
			t.Errorf("%q: got %v, want %s:%s", tt.yaml, err, path, tt.want)
		}
	}
}
