package config

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"time"

	"switchboard/routing"
	"switchboard/store"
)

// ClusterConfig is the cluster: section: several Switchboard nodes sharing
// one PostgreSQL, one of them driving the PBX at a time through a lease
// (store/leases.go, cmd/switchboard/cluster.go). Without node: there is one
// node and no lease, as before the section existed.
type ClusterConfig struct {
	// Node is this node's name, unique in the cluster ("sb-a").
	Node string `yaml:"node"`
	// Advertise is this node's API URL, which standby nodes name to
	// clients while this one owns the partition ("http://10.0.0.5:8080").
	Advertise string `yaml:"advertise"`
	// Lease is how long a lease lasts unrenewed: after the owner dies its
	// partition moves within it (plus the standby's poll, a third of it).
	Lease routing.Duration `yaml:"lease"`
	// Partition names the work the lease covers; default pbx.node (one
	// PBX link with its calls, queues and agents).
	Partition string `yaml:"partition"`
}

// Lease bounds: shorter than 2 s a busy database or a GC pause loses it;
// longer than 5 minutes a dead node stops routing for too long.
const (
	minLease     = 2 * time.Second
	maxLease     = 5 * time.Minute
	defaultLease = 10 * time.Second
)

var nodeName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// Enabled reports whether this node runs under a lease.
func (c ClusterConfig) Enabled() bool { return c.Node != "" }

// LeaseTTL is the lease, or its default.
func (c ClusterConfig) LeaseTTL() time.Duration {
	if c.Lease == 0 {
		return defaultLease
	}
	return c.Lease.D()
}

func (c *Config) validateCluster() error {
	cl := c.Cluster
	if !cl.Enabled() {
		if cl.Advertise != "" || cl.Lease != 0 || cl.Partition != "" {
			return errors.New("cluster.node: required when the cluster: section is given (this node's name)")
		}
		return nil
	}
	var errs []error
	if !nodeName.MatchString(cl.Node) {
		errs = append(errs, fmt.Errorf("cluster.node: %q must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit", cl.Node))
	}
	if c.Store.Kind != store.KindPostgres {
		errs = append(errs, errors.New("cluster.node: several nodes share one PostgreSQL: set store.kind: postgres"))
	}
	if cl.Lease != 0 && (cl.Lease.D() < minLease || cl.Lease.D() > maxLease) {
		errs = append(errs, fmt.Errorf("cluster.lease: %s is outside %s..%s", cl.Lease.D(), minLease, maxLease))
	}
	if cl.Partition != "" && !nodeName.MatchString(cl.Partition) {
		errs = append(errs, fmt.Errorf("cluster.partition: %q must be 1-64 letters, digits, '.', '_' or '-'", cl.Partition))
	}
	if cl.Partition == "" && c.PBX.Node == "" {
		errs = append(errs, errors.New("cluster.partition: required when pbx.node is empty (the lease needs a name)"))
	}
	if cl.Advertise != "" {
		if u, err := url.Parse(cl.Advertise); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("cluster.advertise: %q must be an http:// or https:// URL", cl.Advertise))
		}
	}
	return errors.Join(errs...)
}

// PartitionName is what the lease is called: cluster.partition or pbx.node.
func (c *Config) PartitionName() string {
	if c.Cluster.Partition != "" {
		return c.Cluster.Partition
	}
	return c.PBX.Node
}
