package pbxtest

import (
	"io"
	"net"
	"sync"
	"testing"
)

// Proxy is a TCP relay between a driver and its PBX, so a test can cut
// the driver's connections for real (Drop) while the PBX and its calls
// stay up. The test's cleanup closes it and waits for its goroutines.
type Proxy struct {
	// Addr is where the driver connects ("127.0.0.1:port").
	Addr string

	ln     net.Listener
	target string
	wg     sync.WaitGroup
	mu     sync.Mutex
	conns  map[net.Conn]bool
}

// NewProxy relays 127.0.0.1:random to target.
func NewProxy(t testing.TB, target string) *Proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{Addr: ln.Addr().String(), ln: ln, target: target, conns: map[net.Conn]bool{}}
	p.wg.Go(p.accept)
	t.Cleanup(func() {
		ln.Close()
		p.Drop()
		p.wg.Wait()
	})
	return p
}

// Drop closes every relayed connection (both sides) at once.
func (p *Proxy) Drop() {
	p.mu.Lock()
	conns := p.conns
	p.conns = map[net.Conn]bool{}
	p.mu.Unlock()
	for c := range conns {
		c.Close()
	}
}

func (p *Proxy) track(c net.Conn) {
	p.mu.Lock()
	p.conns[c] = true
	p.mu.Unlock()
}

func (p *Proxy) accept() {
	for {
		in, err := p.ln.Accept()
		if err != nil {
			return
		}
		out, err := net.Dial("tcp", p.target)
		if err != nil {
			in.Close()
			continue
		}
		p.track(in)
		p.track(out)
		p.wg.Go(func() { io.Copy(out, in); out.Close(); in.Close() })
		p.wg.Go(func() { io.Copy(in, out); in.Close(); out.Close() })
	}
}
