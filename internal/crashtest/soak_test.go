//go:build linux

package crashtest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/glacier/types"
)

const (
	soakRounds  = 8
	soakWorkers = 4
	soakFS      = 128 << 20
	soakBudget  = 48 << 20 // live archive bytes above which uploads give way to deletes
	soakMinRun  = 800 * time.Millisecond
	soakMaxRun  = 2500 * time.Millisecond
	soakSamples = 3 // archives read back and job outputs checked per round
)

// TestSoakFaultsAndCrashes runs the real binary on a tmpfs under concurrent
// clients (single and multipart uploads, deletes, tags, policies, vaults,
// jobs) while a ballast file grows and shrinks at random moments, so that
// writes fail with ENOSPC now and then, and kills it with SIGKILL at a
// random moment, for several rounds. After each restart every acknowledged
// archive, part, job, vault, tag and policy must be intact, nothing
// answered with an error visible, DescribeVault must match the archives in
// the store, and DATA/tmp must be empty. A call cut off by the kill may or
// may not have been applied; the checks then learn which.
func TestSoakFaultsAndCrashes(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the soak test in -short mode: it builds cmd/permafrost, fills a tmpfs and SIGKILLs the server")
	}
	requireRoot(t)
	began := time.Now()
	seed := testSeed(t)
	rng := rand.New(rand.NewPCG(seed, 0x50a4))
	fs := mountTmpfs(t, soakFS)
	dataDir := filepath.Join(fs, "data")
	bin := buildBinary(t)
	bal := newBallast(t, filepath.Join(fs, "ballast"))
	m := newModel()

	for n := 1; n <= soakRounds; n++ {
		srv := startServer(t, bin, dataDir, fmt.Sprintf("soak round %d", n))
		if n == 1 {
			setup(t, m, srv.client, soakWorkers)
		}
		tr := newTraffic(t, n, m, srv.client, weights{single: 6, multipart: 2, delete: 3, tags: 2, policy: 1, vault: 1, job: 1})
		tr.budget = soakBudget
		ctx, cancel := context.WithCancel(t.Context())
		var wg sync.WaitGroup
		wg.Go(func() { tr.run(ctx, soakWorkers, seed) })
		fill := rand.New(rand.NewPCG(seed, uint64(n)))
		stopFaults := make(chan struct{})
		var faults int
		wg.Go(func() { faults = flipBallast(t, bal, fs, fill, stopFaults) })

		d := soakMinRun + time.Duration(rng.Int64N(int64(soakMaxRun-soakMinRun)))
		time.Sleep(d)
		for wait := time.Now().Add(time.Second); tr.inFlight.Load() == 0 && time.Now().Before(wait); {
			time.Sleep(time.Millisecond)
		}
		tr.killed.Store(true)
		inFlight := tr.inFlight.Load()
		if err := srv.kill(); err != nil {
			t.Fatal(err)
		}
		cancel()
		close(stopFaults)
		wg.Wait()
		if err := bal.set(0); err != nil {
			t.Fatalf("freeing the ballast: %v", err)
		}
		log := srv.stderr.String()
		t.Logf("round %d: SIGKILL after %v with %d call(s) in flight; %d ballast change(s); the server logged %d run(s) of failing metadata writes and %d other line(s) saying ENOSPC; %s",
			n, d.Round(time.Millisecond), inFlight, faults, strings.Count(log, "storage writes are failing"),
			strings.Count(log, "no space left on device")-strings.Count(log, "storage writes are failing"), tr.summary())
		checkLog(t, srv, false)

		re := startServer(t, bin, dataDir, fmt.Sprintf("soak round %d restart", n))
		checkTmpEmpty(t, dataDir, fmt.Sprintf("after the restart of round %d", n))
		count, size := checkAPI(t, re, m, n)
		descs := certainArchives(m)
		rng.Shuffle(len(descs), func(i, j int) { descs[i], descs[j] = descs[j], descs[i] })
		checkJobOutputs(t, re, m, n, rng)
		readBack(t, re, m, n, descs[:min(len(descs), soakSamples)])
		stopServer(t, re, n)
		checkLog(t, re, false)
		checkStore(t, dataDir, m, n, count, size)
		if t.Failed() {
			t.Fatalf("round %d failed (seed %d); not starting another round", n, seed)
		}
	}
	t.Logf("%d rounds, %d archives certainly there at the end; seed %d; took %v",
		soakRounds, len(certainArchives(m)), seed, time.Since(began).Round(time.Millisecond))
}

// flipBallast grows the ballast to (almost) fill the disk and shrinks it
// again at random moments until stop is closed; it returns the number of
// changes.
func flipBallast(t *testing.T, b *ballast, dir string, rng *rand.Rand, stop <-chan struct{}) int {
	var n int
	for {
		select {
		case <-stop:
			return n
		case <-time.After(time.Duration(20+rng.IntN(230)) * time.Millisecond):
		}
		var err error
		switch k := rng.IntN(4); {
		case k < 2:
			// Leave nothing, or room for a few small writes.
			err = b.fill(t, dir, int64(rng.IntN(3))*int64(rng.IntN(2<<20)))
		case k == 2:
			err = b.set(b.size / 2)
		default:
			err = b.set(0)
		}
		if err != nil && !errorsIsENOSPC(err) {
			t.Errorf("ballast: %v", err)
			return n
		}
		n++
	}
}

// checkJobOutputs checks the output of a few acknowledged jobs, whose
// archives may have been deleted since. A job whose archive was (or may
// have been) deleted may have ended Failed instead, if the deletion came
// before the job completed (docs/behaviour.md, "Failed jobs").
func checkJobOutputs(t *testing.T, s *server, m *model, round int, rng *rand.Rand) {
	t.Helper()
	m.mu.Lock()
	var jobs []*jobState
	deleted := map[*jobState]bool{}
	for _, j := range m.jobs {
		if j.st == present {
			jobs = append(jobs, j)
			a := m.archives[j.archiveDesc]
			deleted[j] = a == nil || a.st != present
		}
	}
	m.mu.Unlock()
	slices.SortFunc(jobs, func(a, b *jobState) int { return strings.Compare(a.id, b.id) })
	rng.Shuffle(len(jobs), func(i, j int) { jobs[i], jobs[j] = jobs[j], jobs[i] })
	for _, j := range jobs[:min(len(jobs), soakSamples)] {
		_, err := jobOutput(t, s, j.id, j.treeHash)
		var failed *jobFailedError
		if errors.As(err, &failed) && deleted[j] && failed.status == string(types.StatusCodeFailed) &&
			strings.Contains(failed.message, "archive was deleted") {
			continue
		}
		if err != nil {
			t.Errorf("round %d: acknowledged job %s (archive %q): %v", round, j.id, j.archiveDesc, err)
		}
	}
}
