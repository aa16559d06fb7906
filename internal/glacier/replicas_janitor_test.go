package glacier_test

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"permafrost/internal/clock"
	"permafrost/internal/glacier"
	"permafrost/internal/store/memory"
	"permafrost/internal/treehash"
)

// Janitor sweeps running in two Services at once (two goroutines each)
// remove each expired upload and job once, release every byte they held,
// and fail nowhere.
func TestReplicasJanitorsAtOnce(t *testing.T) {
	st := memory.New()
	fake := clock.NewFake(time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC))
	a, b, ref := twoServices(t, glacier.Options{Store: st, Clock: fake})
	const n = 6
	const part = 1 << 20
	body := bytes.Repeat([]byte("p"), part)
	for i := range n {
		s := []*glacier.Service{a, b}[i%2]
		up, err := s.InitiateMultipartUpload(t.Context(), ref, fmt.Sprint(part), "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.UploadMultipartPart(t.Context(), ref, glacier.PartInput{UploadID: up, ContentRange: fmt.Sprintf("bytes 0-%d/*", part-1),
			Payload: glacier.Payload{Body: bytes.NewReader(body), Size: part, TreeHash: treehash.Sum(body).String()}}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.InitiateJob(t.Context(), ref, glacier.JobParams{Type: "inventory-retrieval"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.CompleteDueJobs(t.Context()); err != nil {
		t.Fatal(err)
	}
	countBlobs := func() int {
		k := 0
		if err := st.Blobs().List(t.Context(), func(string, time.Time) bool { k++; return true }); err != nil {
			t.Fatal(err)
		}
		return k
	}
	if k := countBlobs(); k != 2*n {
		t.Fatalf("%d blobs before the sweeps, want %d parts and %d inventories", k, n, n)
	}
	fake.Advance(glacier.UploadTTL + glacier.JobRetention + time.Hour)
	var uploads, jobs atomic.Int64
	var wg sync.WaitGroup
	for _, s := range []*glacier.Service{a, b, a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u, err := s.SweepUploads(t.Context())
			if err != nil {
				t.Error("SweepUploads:", err)
			}
			j, err := s.SweepJobs(t.Context())
			if err != nil {
				t.Error("SweepJobs:", err)
			}
			for _, f := range []func(context.Context) (int, error){s.SweepArchiveDeletions, s.TrimNotifications, s.SweepLeases} {
				if _, err := f(t.Context()); err != nil {
					t.Error(err)
				}
			}
			uploads.Add(int64(u))
			jobs.Add(int64(j))
		}()
	}
	wg.Wait()
	if u, j := uploads.Load(), jobs.Load(); u != n || j != n {
		t.Errorf("the sweeps removed %d uploads and %d jobs in all, want %d of each", u, j, n)
	}
	if k := countBlobs(); k != 0 {
		t.Errorf("%d blobs left after the sweeps", k)
	}
	st.View(t.Context(), func(tx glacier.Tx) error {
		left := 0
		tx.ScanAllUploads(func(glacier.VaultRef, *glacier.Upload) bool { left++; return true })
		tx.ScanJobs(glacier.Scope{}, func(glacier.VaultRef, *glacier.Job) bool { left++; return true })
		if left != 0 {
			t.Errorf("%d uploads and jobs left", left)
		}
		return nil
	})
}
