package permafrosttest_test

import (
	"context"
	"net"
	"runtime"
	"testing"

	"permafrost/internal/app"
	"permafrost/internal/config"
	"permafrost/permafrosttest"
)

// fatalTB records Fatalf and stops the calling goroutine, as testing.T does.
type fatalTB struct {
	testing.TB
	failed bool
}

func (f *fatalTB) Fatalf(string, ...any) {
	f.failed = true
	runtime.Goexit()
}

// TestStartFailureReleasesStore checks that a server that cannot listen
// leaves its data directory free for the next one.
func TestStartFailureReleasesStore(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	dir := t.TempDir()
	durable := func(c *config.Config) { c.Memory, c.DataDir, c.Addr = false, dir, ln.Addr().String() }

	ftb := &fatalTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		permafrosttest.New(ftb, permafrosttest.WithConfig(durable))
	}()
	<-done
	if !ftb.failed {
		t.Fatal("New on an address in use did not fail")
	}

	cfg := config.Default()
	durable(&cfg)
	m, err := app.New(cfg, nil, nil)
	if err != nil {
		t.Fatalf("reopening the data directory: %v", err)
	}
	if err := m.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}
