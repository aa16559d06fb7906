package app_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"permafrost/internal/app"
	"permafrost/internal/config"
	"permafrost/internal/glacier"
	"permafrost/internal/store/memory"
)

// replicas starts n servers over one shared store, as n replicas over one
// database; each is closed by t.Cleanup, and the store after them.
func replicas(t *testing.T, n int, st glacier.Store, edit func(*config.Config)) []*app.Main {
	t.Helper()
	if st == nil {
		st = memory.New()
	}
	t.Cleanup(func() { st.Close() })
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	ms := make([]*app.Main, n)
	for i := range ms {
		cfg := config.Default()
		cfg.Addr, cfg.Memory = "127.0.0.1:0", true
		if edit != nil {
			edit(&cfg)
		}
		m, err := app.New(cfg, logger, nil, app.WithStore(st))
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := m.Close(ctx); err != nil {
				t.Errorf("close: %v", err)
			}
		})
		ms[i] = m
	}
	return ms
}

// eventually polls cond until it holds, failing after limit.
func eventually(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after %v", what, limit)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// An advance of the clock through one server is seen by the others within
// app.ClockRefresh (the limit here has slack for a loaded machine), and
// advances through several servers add up.
func TestReplicasSeeClockAdvance(t *testing.T) {
	ms := replicas(t, 3, nil, nil)
	a, b, c := ms[0], ms[1], ms[2]
	if _, err := a.AdvanceClock(48 * time.Hour); err != nil {
		t.Fatal(err)
	}
	ahead := func(m *app.Main, d time.Duration) func() bool {
		return func() bool { return time.Until(m.Now()) > d-time.Minute }
	}
	if !ahead(a, 48*time.Hour)() {
		t.Fatalf("the advancing server reads %v", a.Now())
	}
	start := time.Now()
	eventually(t, 25*app.ClockRefresh, "server B sees the advance through A", ahead(b, 48*time.Hour))
	t.Logf("B saw A's advance after %v (ClockRefresh %v)", time.Since(start), app.ClockRefresh)
	var wg sync.WaitGroup
	for _, m := range ms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := m.AdvanceClock(time.Hour); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	for _, m := range ms {
		eventually(t, 25*app.ClockRefresh, "every server sees 48h + 3 advances of 1h", ahead(m, 51*time.Hour))
	}
	if time.Until(c.Now()) > 52*time.Hour {
		t.Fatalf("the clock went past the advances: %v", c.Now())
	}
}
