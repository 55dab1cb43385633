package ari

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// client is our small ARI REST client: one shared http.Client with a
// bounded pool, every request built from the operations table.
type client struct {
	base       string // "http://host:8088/ari"
	user, pass string
	http       *http.Client
	timeout    time.Duration
	m          *metrics
}

func newClient(cfg Config, m *metrics) *client {
	tr := &http.Transport{
		Proxy:               nil, // ARI is on the PBX's own network: never via a proxy
		MaxConnsPerHost:     cfg.MaxConns,
		MaxIdleConnsPerHost: cfg.MaxConns,
		MaxIdleConns:        cfg.MaxConns,
		IdleConnTimeout:     90 * time.Second,
		ForceAttemptHTTP2:   false,
	}
	tr.DialContext = (&net.Dialer{Timeout: cfg.DialTimeout, KeepAlive: 30 * time.Second}).DialContext
	return &client{
		base:    strings.TrimRight(cfg.URL, "/") + "/ari",
		user:    cfg.User,
		pass:    cfg.Password,
		http:    &http.Client{Transport: tr},
		timeout: cfg.RequestTimeout,
		m:       m,
	}
}

// expand fills a path template's {placeholders} in order with args,
// path-escaped.
func expand(tmpl string, args []string) (string, error) {
	var b strings.Builder
	rest := tmpl
	n := 0
	for {
		i := strings.IndexByte(rest, '{')
		if i < 0 {
			b.WriteString(rest)
			break
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			return "", fmt.Errorf("bad path template %q", tmpl)
		}
		if n >= len(args) {
			return "", fmt.Errorf("path %q: missing argument %d", tmpl, n)
		}
		if args[n] == "" {
			return "", fmt.Errorf("path %q: empty %s", tmpl, rest[i+1:i+j])
		}
		b.WriteString(rest[:i])
		b.WriteString(url.PathEscape(args[n]))
		n++
		rest = rest[i+j+1:]
	}
	if n != len(args) {
		return "", fmt.Errorf("path %q: %d arguments for %d placeholders", tmpl, len(args), n)
	}
	return b.String(), nil
}

// url builds the full URL of op; the query must only use the parameters op
// declares, so the spec test covers every request the client can make.
func (c *client) url(op operation, path []string, q url.Values) (string, error) {
	p, err := expand(op.Path, path)
	if err != nil {
		return "", err
	}
	for k, vs := range q {
		if !slices.Contains(op.Query, k) {
			return "", fmt.Errorf("operation %s does not declare query parameter %q", op.Name, k)
		}
		if allowed, ok := op.Values[k]; ok {
			for _, v := range vs {
				if !slices.Contains(allowed, v) {
					return "", fmt.Errorf("operation %s: %s=%q is not one of %v", op.Name, k, v, allowed)
				}
			}
		}
	}
	u := c.base + p
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u, nil
}

// do sends op and decodes a JSON answer into out (if not nil). A non-2xx
// answer is a *StatusError carrying ARI's message.
func (c *client) do(ctx context.Context, op operation, path []string, q url.Values, body, out any) error {
	u, err := c.url(op, path, q)
	if err != nil {
		return err
	}
	var rd io.Reader
	if body != nil {
		if !op.Body {
			return fmt.Errorf("operation %s does not declare a body", op.Name)
		}
		buf, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(buf)
	}
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, op.Method, u, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if c.user != "" {
		req.SetBasicAuth(c.user, c.pass)
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	c.m.observeRequest(op.Name, time.Since(start))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return newStatusError(resp.StatusCode, data)
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("decode %s answer: %w", op.Name, err)
		}
	}
	return nil
}
