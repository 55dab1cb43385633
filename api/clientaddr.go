package api

import (
	"net/http"
	"net/netip"
	"strings"

	"github.com/labstack/echo/v4"
)

// maxHeaderBytes caps a request's headers (Go's default is 1 MiB): a
// client address or a cookie has no business being larger.
const maxHeaderBytes = 16 << 10

// maxForwardedHops is how many X-Forwarded-For entries are read.
const maxForwardedHops = 16

// clientAddr is the address the sign-in limiter and the audit log see: the
// peer's, unless the peer is one of the trusted proxies, in which case the
// rightmost address in X-Forwarded-For that is not itself a trusted proxy
// (the hops a client can forge are to the left of it), else X-Real-IP.
// Whatever comes back is a parsed address, never the header's text.
func clientAddr(trusted []netip.Prefix) echo.IPExtractor {
	isTrusted := func(a netip.Addr) bool {
		for _, p := range trusted {
			if p.Contains(a) {
				return true
			}
		}
		return false
	}
	return func(r *http.Request) string {
		peer, err := netip.ParseAddrPort(r.RemoteAddr)
		if err != nil {
			return "unknown"
		}
		addr := peer.Addr().Unmap()
		if !isTrusted(addr) {
			return addr.String()
		}
		if xff := r.Header.Values(echo.HeaderXForwardedFor); len(xff) > 0 {
			hops := strings.Split(strings.Join(xff, ","), ",")
			for i, n := len(hops)-1, 0; i >= 0 && n < maxForwardedHops; i, n = i-1, n+1 {
				a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
				if err != nil {
					return addr.String() // a hop we cannot read: stop at the last one we trust
				}
				a = a.Unmap()
				if !isTrusted(a) {
					return a.String()
				}
				addr = a
			}
			return addr.String()
		}
		if a, err := netip.ParseAddr(strings.TrimSpace(r.Header.Get(echo.HeaderXRealIP))); err == nil {
			return a.Unmap().String()
		}
		return addr.String()
	}
}
