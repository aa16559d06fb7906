//go:build linux

package crashtest

import (
	"context"
	"errors"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

const (
	tmpfsSize    = 64 << 20
	ballastSize  = 12 << 20 // freed to give space back
	fillWorkers  = 3
	fillDeadline = 45 * time.Second
)

// TestDiskFullEndToEnd fills a real (tmpfs) filesystem under the real
// binary until writes fail, and checks that every failure is a 500
// ServiceUnavailableException that changed nothing, that every
// acknowledged write is intact, that writes succeed again once space is
// freed without a restart (and the log says so), and that all of it
// survives a restart.
func TestDiskFullEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the disk-full test in -short mode: it builds cmd/permafrost and fills a tmpfs")
	}
	requireRoot(t)
	began := time.Now()
	fs := mountTmpfs(t, tmpfsSize)
	dataDir := filepath.Join(fs, "data")
	bin := buildBinary(t)
	bal := newBallast(t, filepath.Join(fs, "ballast"))
	if err := bal.set(ballastSize); err != nil {
		t.Fatalf("ballast: %v", err)
	}

	srv := startServer(t, bin, dataDir, "disk-full writer")
	m := newModel()
	setup(t, m, srv.client, fillWorkers)

	// Fill: traffic until writes fail, metadata-only writes included
	// (they fail only once even the log and meta.db cannot grow).
	tr := newTraffic(t, 1, m, srv.client, weights{single: 6, multipart: 2, tags: 2, policy: 1, vault: 1, job: 1})
	ctx, cancel := context.WithTimeout(t.Context(), fillDeadline)
	go func() {
		defer tr.stopping.Store(true)
		for ctx.Err() == nil {
			if all, meta := tr.refusals(); all >= 60 && meta >= 10 {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	tr.run(ctx, fillWorkers, 1)
	cancel()
	all, meta := tr.refusals()
	t.Logf("filled in %v: %d refused (%d metadata-only), %d bytes free; %s",
		time.Since(began).Round(time.Millisecond), all, meta, freeBytes(t, fs), tr.summary())
	if meta == 0 {
		t.Errorf("no metadata-only write (CreateVault, tags, policy, job) failed within %v: the disk never filled up for them", fillDeadline)
	}
	checkTmpEmpty(t, dataDir, "with the disk full and no call in flight")
	checkLog(t, srv, true)
	// Reads work on a full disk, and show exactly the acknowledged writes.
	checkAPI(t, srv, m, 1)

	// Free space: writes must succeed again, at once and without a restart.
	if err := bal.set(0); err != nil {
		t.Fatalf("freeing the ballast: %v", err)
	}
	probe := newTraffic(t, 2, m, srv.client, weights{})
	probe.strict = true
	probeAll(t, probe)
	checkLog(t, srv, true)
	if log := srv.stderr.String(); !strings.Contains(log[max(strings.Index(log, "storage writes are failing"), 0):], "storage writes succeed again") {
		t.Errorf("the server log does not say that storage writes succeed again after it said they fail:\n%s", srv.stderr.tail(3000))
	}
	readBack(t, srv, m, 2, certainArchives(m))
	count, size := checkAPI(t, srv, m, 2)
	stopServer(t, srv, 2)
	checkStore(t, dataDir, m, 2, count, size)

	// And after a restart.
	re := startServer(t, bin, dataDir, "disk-full restart")
	checkTmpEmpty(t, dataDir, "after the restart")
	checkAPI(t, re, m, 3)
	descs := certainArchives(m)
	readBack(t, re, m, 3, descs[:min(len(descs), 5)])
	count, size = checkAPI(t, re, m, 3)
	stopServer(t, re, 3)
	checkLog(t, re, false)
	checkStore(t, dataDir, m, 3, count, size)
	t.Logf("%d acknowledged archives; took %v", len(descs), time.Since(began).Round(time.Millisecond))
}

// probeAll runs each kind of write once; tr is strict.
func probeAll(t *testing.T, tr *traffic) {
	t.Helper()
	ctx := t.Context()
	rng := rand.New(rand.NewPCG(2, 2))
	src := rand.NewChaCha8(seedKey(2))
	tr.createVault(ctx, "v-after-free")
	tr.tags(ctx, 0, "after-free")
	tr.policy(ctx, 0, 0)
	tr.upload(ctx, 0, randomBytes(src, 1000), "after-free inline")
	tr.upload(ctx, 0, randomBytes(src, 300<<10), "after-free blob")
	tr.multipart(ctx, 0, rng, src, "after-free multipart")
	tr.job(ctx, 0, rng, "after-free job")
	t.Logf("after freeing %d MiB: %s", ballastSize>>20, tr.summary())
	if tr.counts["InitiateJob"][okay] == 0 {
		t.Errorf("no InitiateJob after freeing space")
	}
}

// certainArchives lists the acknowledged archives, sorted.
func certainArchives(m *model) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for d, a := range m.archives {
		if a.st == present {
			out = append(out, d)
		}
	}
	slices.Sort(out)
	return out
}

// checkTmpEmpty fails the test if DATA/tmp holds a file.
func checkTmpEmpty(t *testing.T, dataDir, when string) {
	t.Helper()
	files, err := listFiles(filepath.Join(dataDir, "tmp"))
	if err != nil {
		t.Fatalf("listing tmp: %v", err)
	}
	if len(files) > 0 {
		t.Errorf("%d temporary file(s) left in DATA/tmp %s: %v", len(files), when, files)
	}
}

// checkLog checks the server's log for panics and, if failing, for the
// line that says storage writes fail.
func checkLog(t *testing.T, s *server, failing bool) {
	t.Helper()
	log := s.stderr.String()
	if strings.Contains(log, "panic") {
		t.Errorf("%s logged a panic:\n%s", s.name, s.stderr.tail(4000))
	}
	if failing && !strings.Contains(log, "storage writes are failing") {
		t.Errorf("%s did not log that storage writes are failing:\n%s", s.name, s.stderr.tail(3000))
	}
}

// stopServer stops s gracefully (tolerating the known SIGINT race of
// cmd/permafrost, which the store must survive too).
func stopServer(t *testing.T, s *server, round int) {
	t.Helper()
	switch err := s.stop(); {
	case errors.Is(err, errNoHandler):
		t.Logf("round %d: NOTE: %v", round, err)
	case err != nil:
		t.Fatalf("round %d: graceful stop: %v", round, err)
	}
}
