package boltdb

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"permafrost/internal/glacier"
	"permafrost/internal/store/diskfault"
	"permafrost/internal/store/kvstore"
)

func openFaulty(t *testing.T, dir string, fl *diskfault.Injector) *Engine {
	t.Helper()
	e, err := OpenEngine(dir, Options{Faults: fl})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// A write whose log append, sync or bbolt commit fails is refused, is not
// visible, is not replayed by a restart (after a process or a machine
// crash), and does not stop later writes once the disk works again.
func TestFailedWriteLeavesNothing(t *testing.T) {
	for _, op := range []diskfault.Op{diskfault.WALGrow, diskfault.WALWrite, diskfault.WALSync, diskfault.DBCommit} {
		for _, how := range []string{"Update", "Batch"} {
			t.Run(string(op)+"/"+how, func(t *testing.T) {
				dir := t.TempDir()
				fl := &diskfault.Injector{}
				e := openFaulty(t, dir, fl)
				defer func() { e.Close() }()
				snap := snapshot(t, dir)
				put(t, e, "a", "1")
				if op == diskfault.WALGrow {
					e.wal.filled = e.wal.off // the next record needs new space
				}
				before := dump(t, e)
				fl.Fail(op, diskfault.ENOSPC)
				write := e.Update
				if how == "Batch" {
					write = e.Batch
				}
				err := write(t.Context(), func(kv kvstore.KV) error { return kv.Put(testBucket, []byte("ghost"), []byte("x")) })
				if !errors.Is(err, diskfault.ENOSPC) {
					t.Fatalf("write with %s failing: %v, want ENOSPC", op, err)
				}
				if errors.Is(err, glacier.ErrMaybeCommitted) {
					t.Fatalf("a failure that was undone says it may be committed: %v", err)
				}
				if got := dump(t, e); got != before {
					t.Fatalf("a failed write is visible:\n%s", got)
				}
				// A crash now must not bring it back.
				wantRecovered(t, machineCrash(t, dir, filepath.Join(dir, "meta.db")), before, "process crash after the failure")
				wantRecovered(t, machineCrash(t, dir, snap), before, "machine crash after the failure")

				fl.Clear()
				put(t, e, "b", "2")
				after := dump(t, e)
				wantRecovered(t, machineCrash(t, dir, filepath.Join(dir, "meta.db")), after, "process crash after recovery")
				wantRecovered(t, machineCrash(t, dir, snap), after, "machine crash after recovery")
				e.Close()
				e = openFaulty(t, dir, nil)
				if got := dump(t, e); got != after {
					t.Fatalf("after a clean restart:\n%s\nwant:\n%s", got, after)
				}
			})
		}
	}
}

// When bbolt's commit fails and the log record cannot be erased either,
// the error says the write may come back, every write is refused until
// the record is erased, and once it is, nothing of the failed write
// survives a restart.
func TestUnerasableRecordBlocksWritesUntilErased(t *testing.T) {
	dir := t.TempDir()
	fl := &diskfault.Injector{}
	e := openFaulty(t, dir, fl)
	defer func() { e.Close() }()
	put(t, e, "a", "1")
	before := dump(t, e)
	fl.Fail(diskfault.DBCommit, diskfault.EIO)
	fl.Fail(diskfault.WALRevoke, diskfault.EIO)
	err := e.Update(t.Context(), func(kv kvstore.KV) error { return kv.Put(testBucket, []byte("ghost"), []byte("x")) })
	if !errors.Is(err, glacier.ErrMaybeCommitted) {
		t.Fatalf("got %v, want ErrMaybeCommitted", err)
	}
	fl.Clear()
	fl.Fail(diskfault.WALRevoke, diskfault.EIO)
	if err := e.Update(t.Context(), func(kv kvstore.KV) error { return kv.Put(testBucket, []byte("b"), []byte("2")) }); err == nil {
		t.Fatal("a write was accepted while a failed record could not be erased")
	}
	if got := dump(t, e); got != before {
		t.Fatalf("visible after the failures:\n%s", got)
	}
	fl.Clear()
	put(t, e, "c", "3")
	after := dump(t, e)
	wantRecovered(t, machineCrash(t, dir, filepath.Join(dir, "meta.db")), after, "process crash")
	e.Close()
	e = openFaulty(t, dir, nil)
	if got := dump(t, e); got != after {
		t.Fatalf("after restart:\n%s\nwant:\n%s", got, after)
	}
}

// A checkpoint whose sync, or the saving of its meta pages, fails is
// postponed, not fatal: writes go on, the log keeps what meta.db may
// lack, and a power failure falls back to the checkpoint before.
func TestFailedCheckpointIsPostponed(t *testing.T) {
	for _, op := range []diskfault.Op{diskfault.DBSync, diskfault.DBCheckpoint} {
		t.Run(string(op), func(t *testing.T) {
			dir := t.TempDir()
			fl := &diskfault.Injector{}
			e := openFaulty(t, dir, fl)
			defer func() { e.Close() }()
			snap := snapshot(t, dir)
			e.wal.limit = 4 << 10
			fl.Fail(op, diskfault.EIO)
			for i := 0; i < 100; i++ {
				put(t, e, string(rune('a'+i%26))+string(rune('a'+i/26)), "value-that-fills-the-log-quickly")
			}
			want := dump(t, e)
			sameCheckpoint(t, dir, snap)
			wantRecovered(t, machineCrash(t, dir, snap), want, "machine crash with checkpoints failing")
			wantRecovered(t, tornCrash(t, dir, snap, func(p int) bool { return p < 2 }), want, "power failure with checkpoints failing")
			fl.Clear()
			put(t, e, "zz", "1")
			if e.wal.off > 4<<10 {
				t.Fatalf("the log was not restarted once syncs worked (at %d)", e.wal.off)
			}
		})
	}
}

// A call of a batch that fails has exactly its own writes taken back, in
// the shared transaction and in its log record; the calls after it see the
// store as if it had never run, and every call runs once.
func TestFailedCallOfABatchIsTakenBack(t *testing.T) {
	dir := t.TempDir()
	e := openFaulty(t, dir, nil)
	defer e.Close()
	snap := snapshot(t, dir)
	put(t, e, "x", "old")
	put(t, e, "y", "kept")

	bad := errors.New("refused")
	var runs [3]int
	var seen string
	calls := []func(kv kvstore.KV) error{
		func(kv kvstore.KV) error {
			runs[0]++
			if err := kv.Put(testBucket, []byte("x"), []byte("new")); err != nil {
				return err
			}
			if err := kv.Delete(testBucket, []byte("y")); err != nil {
				return err
			}
			if err := kv.Put(testBucket, []byte("ghost"), []byte("g")); err != nil {
				return err
			}
			return bad
		},
		func(kv kvstore.KV) error {
			runs[1]++
			seen = string(kv.Get(testBucket, []byte("x"))) + "," + string(kv.Get(testBucket, []byte("y")))
			return kv.Put(testBucket, []byte("z"), []byte("3"))
		},
		func(kv kvstore.KV) error {
			runs[2]++
			panic("boom")
		},
	}
	// They share one transaction (with a first call's a=1).
	var updates []func() error
	for _, fn := range calls {
		updates = append(updates, func() error { return e.Update(t.Context(), fn) })
	}
	var failed, ok int
	for _, err := range inOneBatch(t, e, updates) {
		if err != nil {
			failed++
		} else {
			ok++
		}
	}
	if failed != 2 || ok != 1 {
		t.Fatalf("%d failed and %d succeeded, want 2 and 1", failed, ok)
	}
	if runs != [3]int{1, 1, 1} {
		t.Fatalf("calls ran %v times, want once each", runs)
	}
	if seen != "old,kept" {
		t.Fatalf("the call after the failed one saw x,y = %s", seen)
	}
	want := dump(t, e)
	for _, bad := range []string{`"ghost"`, `"new"`} {
		if strings.Contains(want, bad) {
			t.Fatalf("a failed call's write %s is visible:\n%s", bad, want)
		}
	}
	for _, good := range []string{`"x"="old"`, `"y"="kept"`, `"z"="3"`, `"a"="1"`} {
		if !strings.Contains(want, good) {
			t.Fatalf("missing %s:\n%s", good, want)
		}
	}
	wantRecovered(t, machineCrash(t, dir, snap), want, "replay of the shared record")
}
