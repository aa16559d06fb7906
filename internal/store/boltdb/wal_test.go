package boltdb

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"permafrost/internal/store/kvstore"
)

const testBucket = "vaults"

func openT(t *testing.T, dir string) *Engine {
	t.Helper()
	e, err := OpenEngine(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func put(t *testing.T, e *Engine, k, v string) {
	t.Helper()
	if err := e.Batch(t.Context(), func(kv kvstore.KV) error { return kv.Put(testBucket, []byte(k), []byte(v)) }); err != nil {
		t.Fatal(err)
	}
}

// dump is every key and value of every bucket.
func dump(t *testing.T, e *Engine) string {
	t.Helper()
	var b bytes.Buffer
	err := e.View(t.Context(), func(kv kvstore.KV) error {
		for _, bk := range kvstore.Buckets {
			if err := kv.Scan(bk, nil, nil, func(k, v []byte) bool {
				fmt.Fprintf(&b, "%s/%q=%q\n", bk, k, v)
				return true
			}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// snapshot copies meta.db as it is now (after a sync, as a machine crash
// could find it later) and returns the copy's path.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	snap := filepath.Join(t.TempDir(), "snap.db")
	copyFile(t, filepath.Join(dir, "meta.db"), snap)
	return snap
}

// machineCrash builds, in a new directory, what a machine that lost power
// could leave: meta.db as of snap (its last sync), the log and the
// checkpoint's meta pages as they are now (both synced when written).
func machineCrash(t *testing.T, liveDir, snap string) string {
	t.Helper()
	dir := t.TempDir()
	copyFile(t, snap, filepath.Join(dir, "meta.db"))
	copyFile(t, filepath.Join(liveDir, walFile), filepath.Join(dir, walFile))
	if _, err := os.Stat(filepath.Join(liveDir, ckptFile)); err == nil {
		copyFile(t, filepath.Join(liveDir, ckptFile), filepath.Join(dir, ckptFile))
	}
	return dir
}

// wantRecovered opens dir and checks that it holds exactly want.
func wantRecovered(t *testing.T, dir, want, what string) {
	t.Helper()
	r := openT(t, dir)
	defer r.Close()
	if got := dump(t, r); got != want {
		t.Fatalf("%s:\n%s\nwant:\n%s", what, got, want)
	}
}

// inOneBatch runs calls as concurrent Batch calls that share one
// transaction, in the order given: a first call holds the committer until
// all of them have queued (it puts a=1 into testBucket). It returns each
// call's error.
func inOneBatch(t *testing.T, e *Engine, calls []func() error) []error {
	t.Helper()
	release, running := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- e.Batch(t.Context(), func(kv kvstore.KV) error {
			close(running)
			<-release
			return kv.Put(testBucket, []byte("a"), []byte("1"))
		})
	}()
	<-running
	errs := make([]error, len(calls))
	done := make(chan int, len(calls))
	for i, c := range calls {
		go func() { errs[i] = c(); done <- i }()
		for { // queued in order, so that the calls run in order
			e.qmu.Lock()
			n := len(e.queue)
			e.qmu.Unlock()
			if n == i+1 {
				break
			}
			time.Sleep(100 * time.Microsecond)
		}
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	for range calls {
		<-done
	}
	return errs
}

// logEnd is where the log's next record goes.
func logEnd(e *Engine) int64 {
	tx, err := e.db.Begin(true)
	if err != nil {
		panic(err)
	}
	defer tx.Rollback()
	return e.wal.off
}

// forceCheckpoint syncs meta.db, makes it the checkpoint and restarts the
// log now.
func forceCheckpoint(t *testing.T, e *Engine) {
	t.Helper()
	tx, err := e.db.Begin(true)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if err := e.syncDB(); err != nil {
		t.Fatal(err)
	}
	if err := e.ckpt.mark(e.db); err != nil {
		t.Fatal(err)
	}
	e.wal.off = 0
}

func TestLogReplaysWhatMetaDBLacks(t *testing.T) {
	dir := t.TempDir()
	e := openT(t, dir)
	defer e.Close()
	snap := snapshot(t, dir) // synced at open
	for i := 0; i < 20; i++ {
		put(t, e, fmt.Sprintf("k%02d", i), fmt.Sprintf("v%d", i))
	}
	if err := e.Update(t.Context(), func(kv kvstore.KV) error { return kv.Delete(testBucket, []byte("k03")) }); err != nil {
		t.Fatal(err)
	}
	wantRecovered(t, machineCrash(t, dir, snap), dump(t, e), "after replay")
}

func TestTornLastRecordIsDropped(t *testing.T) {
	dir := t.TempDir()
	e := openT(t, dir)
	defer e.Close()
	snap := snapshot(t, dir)
	put(t, e, "a", "1")
	put(t, e, "b", "2")
	before := dump(t, e)
	end := logEnd(e)
	put(t, e, "c", "3")

	for name, damage := range map[string]func(path string){
		"cut short": func(p string) { os.Truncate(p, end+walHeader+3) },
		"bit flip": func(p string) {
			b, _ := os.ReadFile(p)
			b[end+walHeader+1] ^= 0x40
			os.WriteFile(p, b, 0o600)
		},
	} {
		t.Run(name, func(t *testing.T) {
			d := machineCrash(t, dir, snap)
			damage(filepath.Join(d, walFile))
			wantRecovered(t, d, before, "with the last record damaged")
		})
	}
}

func TestRestartedLogIgnoresOlderRecords(t *testing.T) {
	dir := t.TempDir()
	e := openT(t, dir)
	defer e.Close()
	e.wal.limit = 4 << 10
	for i := 0; i < 200; i++ { // several checkpoints
		put(t, e, fmt.Sprintf("k%03d", i), "value-that-fills-the-log-quickly")
	}
	forceCheckpoint(t, e)
	snap := snapshot(t, dir)
	// Two records at the log's start; older ones follow them.
	put(t, e, "k000", "rewritten")
	if err := e.Update(t.Context(), func(kv kvstore.KV) error { return kv.Delete(testBucket, []byte("k001")) }); err != nil {
		t.Fatal(err)
	}
	want := dump(t, e)
	wantRecovered(t, machineCrash(t, dir, snap), want, "after replay")
	// A process crash: meta.db as the page cache holds it.
	wantRecovered(t, machineCrash(t, dir, filepath.Join(dir, "meta.db")), want, "after a process crash")
}

func TestLogThatSkipsTransactionsIsRefused(t *testing.T) {
	dir := t.TempDir()
	e := openT(t, dir)
	snap := snapshot(t, dir)
	put(t, e, "a", "1")
	first := logEnd(e)
	put(t, e, "b", "2")
	e.Close()
	d := machineCrash(t, dir, snap)
	// Drop the first record: the log now starts one transaction late.
	b, _ := os.ReadFile(filepath.Join(d, walFile))
	os.WriteFile(filepath.Join(d, walFile), b[first:], 0o600)
	if r, err := OpenEngine(d, Options{}); err == nil {
		r.Close()
		t.Fatal("a log with a gap before it was accepted")
	}
}

func TestFailingBatchCallsDoNotSinkOthers(t *testing.T) {
	e := openT(t, t.TempDir())
	defer e.Close()
	bad := errors.New("refused")
	var wg sync.WaitGroup
	errs := make([]error, 64)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = e.Batch(t.Context(), func(kv kvstore.KV) error {
				if err := kv.Put(testBucket, []byte(fmt.Sprintf("k%02d", i)), []byte("v")); err != nil {
					return err
				}
				switch i % 8 {
				case 3:
					return bad
				case 5:
					panic("boom")
				}
				return nil
			})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		var found bool
		_ = e.View(t.Context(), func(kv kvstore.KV) error {
			found = kv.Get(testBucket, []byte(fmt.Sprintf("k%02d", i))) != nil
			return nil
		})
		switch i % 8 {
		case 3:
			if !errors.Is(err, bad) || found {
				t.Errorf("call %d: err %v, kept %v; want its own error and nothing kept", i, err, found)
			}
		case 5:
			if err == nil || found {
				t.Errorf("call %d panicked: err %v, kept %v", i, err, found)
			}
		default:
			if err != nil || !found {
				t.Errorf("call %d: err %v, kept %v", i, err, found)
			}
		}
	}
}

func FuzzReadLog(f *testing.F) {
	var ops walOps
	ops.put("vaults", []byte("k"), []byte("v"))
	ops.delete("refs", []byte("x"))
	rec := frame(nil, 7, ops.buf)
	f.Add(rec)
	f.Add(append(rec, frame(nil, 8, nil)...))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = readLog(bytes.NewReader(data), int64(len(data)), func(seq uint64, payload []byte) bool {
			// A record that reads back intact re-frames to the same bytes.
			again := frame(nil, seq, payload)
			if !bytes.Contains(data, again) {
				t.Fatalf("record %d does not re-frame to its own bytes", seq)
			}
			_ = decodeOps(payload, func(del bool, bucket, k, v []byte) error { return nil })
			return true
		})
	})
}
