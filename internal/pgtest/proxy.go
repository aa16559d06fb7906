package pgtest

import (
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Proxy is a TCP relay in front of a PostgreSQL server, for tests of what
// a client does when the database goes away (Cut) or stops answering
// (Freeze) mid-request.
type Proxy struct {
	ln     net.Listener
	target string
	frozen atomic.Bool
	down   atomic.Bool
	mu     sync.Mutex
	conns  []net.Conn
}

// NewProxy relays to the host of dbURL and returns the proxy and dbURL
// rewritten to go through it. It is closed when tb ends.
func NewProxy(tb testing.TB, dbURL string) (*Proxy, string) {
	tb.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		tb.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	p := &Proxy{ln: ln, target: u.Host}
	go p.serve()
	tb.Cleanup(func() { ln.Close(); p.Thaw(); p.Cut() })
	u.Host = ln.Addr().String()
	return p, u.String()
}

func (p *Proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		if p.down.Load() {
			c.Close()
			continue
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, s)
		p.mu.Unlock()
		go p.relay(c, s)
		go p.relay(s, c)
	}
}

func (p *Proxy) relay(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		for p.frozen.Load() {
			time.Sleep(5 * time.Millisecond) // hold the bytes: a database that hangs
		}
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				break
			}
		}
		if err != nil {
			break
		}
	}
	dst.Close()
	src.Close()
}

// Freeze makes the relay hold every byte until Thaw.
func (p *Proxy) Freeze() { p.frozen.Store(true) }

// Thaw lets bytes through again.
func (p *Proxy) Thaw() { p.frozen.Store(false) }

// Cut closes every relayed connection: the database went away. New
// connections are still accepted.
func (p *Proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// Down cuts every connection and refuses new ones until Up: the database
// is gone.
func (p *Proxy) Down() {
	p.down.Store(true)
	p.Cut()
}

// Up accepts connections again.
func (p *Proxy) Up() { p.down.Store(false) }
