package config

import (
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// ListenConfig is where the API listens and whom it believes about the
// client's address. Written as "127.0.0.1:8080" or as
// {addr: …, trusted_proxies: [10.0.0.0/8, …]}.
type ListenConfig struct {
	Addr string `yaml:"addr"`
	// TrustedProxies are the addresses or CIDRs of reverse proxies whose
	// X-Forwarded-For / X-Real-IP headers name the client. From anyone
	// else those headers are ignored: they would let a client choose the
	// address the sign-in limiter and the audit log see.
	TrustedProxies []string `yaml:"trusted_proxies"`
}

// UnmarshalYAML takes the plain address or the mapping.
func (l *ListenConfig) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		l.Addr = n.Value
		return nil
	}
	type plain ListenConfig
	var p plain
	dec := *n
	if err := dec.Decode(&p); err != nil {
		return err
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		switch k := n.Content[i].Value; k {
		case "addr", "trusted_proxies":
		default:
			return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: field %s not found in type config.ListenConfig", n.Content[i].Line, k)}}
		}
	}
	*l = ListenConfig(p)
	return nil
}

// Equal reports whether two listen settings are the same.
func (l ListenConfig) Equal(o ListenConfig) bool {
	return l.Addr == o.Addr && slices.Equal(l.TrustedProxies, o.TrustedProxies)
}

// Proxies parses TrustedProxies; a bare address is a one-address prefix.
func (l ListenConfig) Proxies() ([]netip.Prefix, error) {
	var out []netip.Prefix
	var errs []string
	for i, s := range l.TrustedProxies {
		p, err := parsePrefix(s)
		if err != nil {
			errs = append(errs, fmt.Sprintf("listen.trusted_proxies[%d]: %q is not an address or CIDR", i, s))
			continue
		}
		out = append(out, p)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return out, nil
}

func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()), nil
}

func (l ListenConfig) validate() []error {
	var errs []error
	if l.Addr == "" {
		errs = append(errs, fmt.Errorf("listen: required"))
	} else if _, _, err := net.SplitHostPort(l.Addr); err != nil {
		errs = append(errs, fmt.Errorf("listen: %q must be host:port", l.Addr))
	}
	if _, err := l.Proxies(); err != nil {
		errs = append(errs, err)
	}
	return errs
}
