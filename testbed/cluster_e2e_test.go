//go:build e2e

package testbed

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"switchboard/store/pgtest"
)

// clusterLease is the test's lease: a dead owner's partition moves
// within it plus the standby's poll (a third of it).
const clusterLease = 5 * time.Second

// clusterHeader is e2eHeader for a node named node of a cluster on the
// PostgreSQL at dsn.
func clusterHeader(dsn, node string) string {
	return `listen: %[1]s
data_dir: %[2]s
log_level: debug
store: {kind: postgres, dsn: '` + dsn + `'}
cluster: {node: ` + node + `, lease: ` + clusterLease.String() + `, advertise: 'http://%[1]s'}
pbx:
  node: testbed
  ari: {url: "http://127.0.0.1:%[3]d", user: switchboard, password: switchboard, app: switchboard}
`
}

// startStandby starts a node that another one's lease keeps on standby,
// and waits for its standby answer.
func (s *sb) startStandby() {
	s.t.Helper()
	s.spawn()
	s.eventually(20*time.Second, "standby answer in /healthz", func() bool {
		return s.standbyOwner() != ""
	})
}

// standbyOwner is who a standby node says owns its partition ("" when it
// is not on standby).
func (s *sb) standbyOwner() string {
	resp, err := http.Get(s.base + "/healthz")
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	var body struct {
		Status  string
		Cluster struct{ Owner string }
	}
	if resp.StatusCode != http.StatusServiceUnavailable || json.NewDecoder(resp.Body).Decode(&body) != nil || body.Status != "standby" {
		return ""
	}
	return body.Cluster.Owner
}

// TestE2ELoadClusterOwnerKilled is issue 17's fail-over under load: two
// Switchboard nodes on one PostgreSQL and one Asterisk, sb-a driving it
// under the lease and sb-b on standby (passing the API on to sb-a).
// 3 calls a second for 10 s to 10 agents; sb-a is killed with SIGKILL 4 s
// in. sb-b must take the partition within the lease + 5 s, and the same
// call-by-call comparison as TestE2ELoadSwitchboardKilled holds on its
// API: every call that reached Switchboard has one complete record, no
// caller reached two agents, every caller who stayed was answered, no
// agent is left stuck, Asterisk holds no channel afterwards.
func TestE2ELoadClusterOwnerKilled(t *testing.T) {
	dsn := pgtest.DSN(t)
	bin := switchboardBinary(t)
	var standby *sb
	loadOutage(t, func(t *testing.T, via *PBX, routing string) *sb {
		owner := launchSwitchboardAs(t, bin, clusterHeader(dsn, "sb-a"), via, routing, (*sb).start)
		standby = launchSwitchboardAs(t, bin, clusterHeader(dsn, "sb-b"), via, routing, (*sb).startStandby)
		if o := standby.standbyOwner(); o != "sb-a" {
			t.Fatalf("sb-b on standby names owner %q, want sb-a", o)
		}
		// The API answers on the standby too: it passes requests on to
		// the owner (sb-b's own token: the accounts are in PostgreSQL).
		var agents struct{ Agents []struct{ ID string } }
		standby.do("GET", "/api/v1/agents", nil, &agents)
		if len(agents.Agents) != 10 {
			t.Errorf("the standby's /api/v1/agents, from the owner: %d agents, want 10", len(agents.Agents))
		}
		return owner
	}, func(t *testing.T, owner *sb, _ *cutProxy) *sb {
		owner.kill()
		killed := time.Now()
		standby.waitLinkUp(clusterLease + 15*time.Second)
		took := time.Since(killed)
		t.Logf("sb-b drives the PBX %v after sb-a's SIGKILL (lease %v)", took.Round(10*time.Millisecond), clusterLease)
		if took > clusterLease+5*time.Second {
			t.Errorf("take-over took %v, want within the lease + 5 s (%v)", took, clusterLease+5*time.Second)
		}
		var hz struct {
			Cluster struct {
				Node, Role string
				Epoch      int
			}
		}
		standby.do("GET", "/healthz", nil, &hz)
		if hz.Cluster.Node != "sb-b" || hz.Cluster.Role != "owner" || hz.Cluster.Epoch < 2 {
			t.Errorf("sb-b's /healthz after the take-over: %+v", hz.Cluster)
		}
		return standby
	})
}
