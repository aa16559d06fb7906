package glacier_test

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"permafrost/internal/clock"
	"permafrost/internal/glacier"
	"permafrost/internal/store/memory"
)

// blobHookStore counts the blobs created through it (each prepared job
// output is one) and runs onCreate, once, inside the first Create: in the
// middle of a job's preparation.
type blobHookStore struct {
	glacier.Store
	created  atomic.Int64
	mu       sync.Mutex
	onCreate func()
}

func (h *blobHookStore) Blobs() glacier.Blobs { return hookBlobs{h.Store.Blobs(), h} }

type hookBlobs struct {
	glacier.Blobs
	h *blobHookStore
}

func (b hookBlobs) Create(ctx context.Context) (glacier.BlobWriter, error) {
	b.h.created.Add(1)
	b.h.mu.Lock()
	f := b.h.onCreate
	b.h.onCreate = nil
	b.h.mu.Unlock()
	if f != nil {
		f()
	}
	return b.Blobs.Create(context.Background())
}

func inventoryJob(t *testing.T, s *glacier.Service, ref glacier.VaultRef) string {
	t.Helper()
	topic := "arn:aws:sns:us-east-1:111122223333:t"
	res, err := s.InitiateJob(t.Context(), ref, glacier.JobParams{Type: "inventory-retrieval", SNSTopic: &topic})
	if err != nil {
		t.Fatal(err)
	}
	return res.ID
}

func jobReplicas(t *testing.T, lease time.Duration) (a, b *glacier.Service, st *blobHookStore, fake *clock.Fake, ref glacier.VaultRef) {
	t.Helper()
	st = &blobHookStore{Store: memory.New()}
	fake = clock.NewFake(time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC))
	render := func(j glacier.JobInfo) ([]byte, error) { return []byte(j.ID), nil }
	a, b, ref = twoServices(t, glacier.Options{Store: st, Clock: fake, RenderJob: render, JobLease: lease,
		JobDelays: map[string]glacier.Delay{glacier.TierStandard: {Min: time.Hour, Max: time.Hour}}})
	return a, b, st, fake, ref
}

func notificationsOf(t *testing.T, s *glacier.Service, jobID string) int {
	t.Helper()
	ns, err := s.Notifications(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range ns {
		if m.Message == jobID {
			n++
		}
	}
	return n
}

// A due job is prepared and completed once, by the Service that claimed
// it: another one's scheduler, running while the first prepares the
// output, leaves the job alone.
func TestReplicasCompleteDueJobOnce(t *testing.T) {
	a, b, st, fake, ref := jobReplicas(t, 0)
	id := inventoryJob(t, a, ref)
	fake.Advance(2 * time.Hour)
	st.onCreate = func() {
		if _, err := b.CompleteDueJobs(t.Context()); err != nil {
			t.Error(err)
		}
	}
	if _, err := a.CompleteDueJobs(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := st.created.Load(); n != 1 {
		t.Errorf("the inventory was prepared %d times, want once", n)
	}
	info, err := b.DescribeJob(t.Context(), ref, id)
	if err != nil || info.StatusCode != glacier.StatusSucceeded {
		t.Fatalf("DescribeJob through B: %+v, %v", info, err)
	}
	if n := notificationsOf(t, b, id); n != 1 {
		t.Errorf("%d notifications queued, want 1", n)
	}
	// Nothing is due any more, through either Service.
	for _, s := range []*glacier.Service{a, b} {
		if next, err := s.CompleteDueJobs(t.Context()); err != nil || !next.IsZero() {
			t.Errorf("CompleteDueJobs after completion: next %v, %v", next, err)
		}
	}
	if n := st.created.Load(); n != 1 {
		t.Errorf("the inventory was prepared %d times in all, want once", n)
	}
}

// A Service that dies while preparing a job (its goroutine ends holding
// the lease) does not keep the job from completing: once the lease
// expires another Service takes it over, and a read through that one,
// made while the lease still holds, waits for it and answers completed.
func TestReplicasTakeOverCrashedJob(t *testing.T) {
	const lease = 300 * time.Millisecond
	a, b, st, fake, ref := jobReplicas(t, lease)
	id := inventoryJob(t, a, ref)
	fake.Advance(2 * time.Hour)
	st.onCreate = runtime.Goexit // a crash in the middle of preparing
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.CompleteDueJobs(t.Context())
	}()
	<-done
	// B's scheduler leaves the leased job alone...
	if _, err := b.CompleteDueJobs(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := st.created.Load(); n != 1 {
		t.Fatalf("while A's lease holds, the job was prepared %d times, want once (by A)", n)
	}
	// ...and a read waits for the lease, then completes the job itself.
	start := time.Now()
	info, err := b.DescribeJob(t.Context(), ref, id)
	if err != nil || info.StatusCode != glacier.StatusSucceeded {
		t.Fatalf("DescribeJob through B: %+v, %v", info, err)
	}
	if waited := time.Since(start); waited > 20*lease {
		t.Errorf("the read waited %v for a lease of %v", waited, lease)
	}
	if n := st.created.Load(); n != 2 {
		t.Errorf("the job was prepared %d times, want twice (A crashed, B took over)", n)
	}
	if n := notificationsOf(t, a, id); n != 1 {
		t.Errorf("%d notifications queued, want 1", n)
	}
}

// Many due jobs and two schedulers running at once: every job completes
// once, with one notification each.
func TestReplicasConcurrentSchedulers(t *testing.T) {
	a, b, st, fake, ref := jobReplicas(t, 0)
	var ids []string
	for range 20 {
		ids = append(ids, inventoryJob(t, a, ref))
	}
	fake.Advance(2 * time.Hour)
	var wg sync.WaitGroup
	for _, s := range []*glacier.Service{a, b, a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.CompleteDueJobs(t.Context()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	for _, id := range ids {
		if n := notificationsOf(t, a, id); n != 1 {
			t.Errorf("job %s: %d notifications, want 1", id, n)
		}
	}
	if n := st.created.Load(); n != int64(len(ids)) {
		t.Errorf("%d outputs prepared for %d jobs", n, len(ids))
	}
}

// Lease sweeps in two Services at once delete each stale lease once and
// keep the live and recently expired ones.
func TestReplicasSweepLeases(t *testing.T) {
	st := memory.New()
	a, b, _ := twoServices(t, glacier.Options{Store: st})
	now := time.Now()
	leases := map[string]time.Time{
		"stale-1": now.Add(-glacier.StaleLease - time.Minute),
		"stale-2": now.Add(-3 * glacier.StaleLease),
		"expired": now.Add(-time.Minute),
		"live":    now.Add(time.Minute),
	}
	err := st.Update(t.Context(), func(tx glacier.Tx) error {
		for name, exp := range leases {
			if err := tx.PutLease(name, &glacier.Lease{Holder: "h", Expires: exp}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var total atomic.Int64
	var wg sync.WaitGroup
	for _, s := range []*glacier.Service{a, b, a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := s.SweepLeases(t.Context())
			if err != nil {
				t.Error(err)
			}
			total.Add(int64(n))
		}()
	}
	wg.Wait()
	if n := total.Load(); n != 2 {
		t.Errorf("sweeps deleted %d leases in all, want 2", n)
	}
	var left []string
	st.View(t.Context(), func(tx glacier.Tx) error {
		return tx.ScanLeases(func(name string, _ *glacier.Lease) bool { left = append(left, name); return true })
	})
	if len(left) != 2 || left[0] != "expired" || left[1] != "live" {
		t.Errorf("leases left %v, want [expired live]", left)
	}
}

// failingStore fails the next fail Updates (a full disk).
type failingStore struct {
	*blobHookStore
	fail atomic.Int64
}

var errDiskFull = errors.New("disk full")

func (f *failingStore) Update(ctx context.Context, fn func(glacier.Tx) error) error {
	if f.fail.Add(-1) >= 0 {
		return errDiskFull
	}
	return f.blobHookStore.Update(ctx, fn)
}

// A completion that cannot be stored leaves the job in progress, and the
// same Service completes it at its next round: its own lease left behind
// does not hold it off for the lease's length.
func TestRetryAfterFailedCompletion(t *testing.T) {
	hs := &blobHookStore{Store: memory.New()}
	fs := &failingStore{blobHookStore: hs}
	fake := clock.NewFake(time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC))
	svc, err := glacier.New(glacier.Options{Store: fs, Clock: fake})
	if err != nil {
		t.Fatal(err)
	}
	ref := glacier.Scope{Account: "111122223333", Region: "us-east-1"}.Ref("v")
	if err := svc.CreateVault(t.Context(), ref); err != nil {
		t.Fatal(err)
	}
	id := inventoryJob(t, svc, ref)
	hs.onCreate = func() { fs.fail.Store(1) } // the completion's Update fails
	if _, err := svc.CompleteDueJobs(t.Context()); err != nil {
		t.Fatal(err)
	}
	status := func() string {
		var j *glacier.Job
		if err := fs.View(t.Context(), func(tx glacier.Tx) error { j, err = tx.Job(ref, id); return err }); err != nil {
			t.Fatal(err)
		}
		return j.Status
	}
	if s := status(); s != "" {
		t.Fatalf("after a failed completion the job is %q, want it in progress", s)
	}
	if _, err := svc.CompleteDueJobs(t.Context()); err != nil {
		t.Fatal(err)
	}
	if s := status(); s != glacier.StatusSucceeded {
		t.Fatalf("at the next round the job is %s, want it completed", s)
	}
}

// A job whose preparation outlasts its lease keeps the lease while it
// runs: another Service's scheduler, running after several lease lengths,
// does not take the job over and prepare it a second time.
func TestReplicasLongPreparationKeepsLease(t *testing.T) {
	const lease = 150 * time.Millisecond
	a, b, st, fake, ref := jobReplicas(t, lease)
	id := inventoryJob(t, a, ref)
	fake.Advance(2 * time.Hour)
	st.onCreate = func() {
		time.Sleep(4 * lease) // a long preparation: a big inventory or select
		if _, err := b.CompleteDueJobs(t.Context()); err != nil {
			t.Error(err)
		}
	}
	if _, err := a.CompleteDueJobs(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := st.created.Load(); n != 1 {
		t.Errorf("the job was prepared %d times, want once: its lease lapsed while A worked", n)
	}
	info, err := b.DescribeJob(t.Context(), ref, id)
	if err != nil || info.StatusCode != glacier.StatusSucceeded {
		t.Fatalf("DescribeJob through B: %+v, %v", info, err)
	}
}
