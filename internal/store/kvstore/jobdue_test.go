package kvstore_test

import (
	"fmt"
	"testing"
	"time"

	"permafrost/internal/glacier"
	"permafrost/internal/store/kvstore"
	"permafrost/internal/store/memory"
)

type dueEntry struct {
	ref glacier.VaultRef
	id  string
	due time.Time
}

func scanDue(t *testing.T, st glacier.Store) []dueEntry {
	t.Helper()
	var out []dueEntry
	err := st.View(t.Context(), func(tx glacier.Tx) error {
		return tx.ScanDueJobs(func(ref glacier.VaultRef, id string, due time.Time) bool {
			out = append(out, dueEntry{ref, id, due})
			return true
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// The due-time index lists the jobs in progress in due order (not in
// creation order), drops a job once completed or deleted, and is built at
// open for jobs stored before it existed.
func TestDueJobIndex(t *testing.T) {
	eng := memory.NewEngine()
	st := kvstore.New(eng, memory.NewBlobs())
	t0 := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	refs := []glacier.VaultRef{
		glacier.Scope{Account: "111111111111", Region: "us-east-1"}.Ref("a"),
		glacier.Scope{Account: "222222222222", Region: "eu-west-1"}.Ref("b.c-d_e"),
	}
	var jobs []*glacier.Job
	put := func(j *glacier.Job, ref glacier.VaultRef) {
		t.Helper()
		if err := st.Update(t.Context(), func(tx glacier.Tx) error { return tx.PutJob(ref, j) }); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 6 {
		j := &glacier.Job{ID: st.NewID(glacier.JobIDLen, t0), Vault: refs[i%2].Name, Created: t0.Add(time.Duration(i) * time.Second),
			// Due in the reverse order of creation, one far ahead.
			Due: t0.Add(time.Duration(10-i)*time.Hour + time.Duration(i)*time.Nanosecond)}
		if i == 0 {
			j.Due = time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)
		}
		jobs = append(jobs, j)
		put(j, refs[i%2])
	}
	want := func(idx ...int) {
		t.Helper()
		got := scanDue(t, st)
		if len(got) != len(idx) {
			t.Fatalf("index %v, want jobs %v", got, idx)
		}
		for k, i := range idx {
			if e := got[k]; e.id != jobs[i].ID || e.ref != refs[i%2] || !e.due.Equal(jobs[i].Due) {
				t.Fatalf("entry %d: %+v, want job %d (%s due %v)", k, e, i, jobs[i].ID, jobs[i].Due)
			}
		}
	}
	want(5, 4, 3, 2, 1, 0)
	jobs[3].Completed, jobs[3].Status = jobs[3].Due, glacier.StatusSucceeded
	put(jobs[3], refs[1])
	put(jobs[4], refs[0]) // put again in progress: one entry still
	if err := st.Update(t.Context(), func(tx glacier.Tx) error { return tx.DeleteJob(refs[0], jobs[2].ID) }); err != nil {
		t.Fatal(err)
	}
	want(5, 4, 1, 0)
	// A store from before the index: its entries and marker gone.
	err := eng.Update(t.Context(), func(kv kvstore.KV) error {
		var keys [][]byte
		kv.Scan("job-due", nil, nil, func(k, _ []byte) bool { keys = append(keys, append([]byte(nil), k...)); return true })
		for _, k := range keys {
			if err := kv.Delete("job-due", k); err != nil {
				return err
			}
		}
		return kv.Delete("settings", []byte("kvstore-job-due-index"))
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := scanDue(t, st); len(got) != 0 {
		t.Fatalf("index not emptied: %v", got)
	}
	st = kvstore.New(eng, memory.NewBlobs())
	want(5, 4, 1, 0)
}

// Leases are stored by name and removed.
func TestLeases(t *testing.T) {
	st := memory.New()
	exp := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	err := st.Update(t.Context(), func(tx glacier.Tx) error {
		for i := range 3 {
			if err := tx.PutLease(fmt.Sprint("l", i), &glacier.Lease{Holder: fmt.Sprint("h", i), Expires: exp}); err != nil {
				return err
			}
		}
		return tx.DeleteLease("l1")
	})
	if err != nil {
		t.Fatal(err)
	}
	st.View(t.Context(), func(tx glacier.Tx) error {
		if l, err := tx.Lease("l2"); err != nil || l.Holder != "h2" || !l.Expires.Equal(exp) {
			t.Errorf("Lease(l2) = %+v, %v", l, err)
		}
		if _, err := tx.Lease("l1"); err != glacier.ErrNotFound {
			t.Errorf("deleted lease: %v, want ErrNotFound", err)
		}
		return nil
	})
}
