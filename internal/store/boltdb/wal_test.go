package boltdb

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"permafrost/internal/store/kvstore"
)

const testBucket = "vaults"

func openT(t *testing.T, dir string) *Engine {
	t.Helper()
	e, err := OpenEngine(dir)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func put(t *testing.T, e *Engine, k, v string) {
	t.Helper()
	if err := e.Batch(func(kv kvstore.KV) error { return kv.Put(testBucket, []byte(k), []byte(v)) }); err != nil {
		t.Fatal(err)
	}
}

// dump is every key and value of every bucket.
func dump(t *testing.T, e *Engine) string {
	t.Helper()
	var b bytes.Buffer
	err := e.View(func(kv kvstore.KV) error {
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

// machineCrash builds, in a new directory, what a machine that lost power
// could leave: meta.db as of snapshot (its last sync) and the log as it is
// now, cut to keep bytes if keep >= 0.
func machineCrash(t *testing.T, live *Engine, liveDir, snapshot string, keep int64) string {
	t.Helper()
	dir := t.TempDir()
	copyFile(t, snapshot, filepath.Join(dir, "meta.db"))
	copyFile(t, filepath.Join(liveDir, walFile), filepath.Join(dir, walFile))
	if keep >= 0 {
		if err := os.Truncate(filepath.Join(dir, walFile), keep); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLogReplaysWhatMetaDBLacks(t *testing.T) {
	dir := t.TempDir()
	e := openT(t, dir)
	defer e.Close()
	snap := filepath.Join(t.TempDir(), "snap.db")
	copyFile(t, filepath.Join(dir, "meta.db"), snap) // synced at open
	for i := 0; i < 20; i++ {
		put(t, e, fmt.Sprintf("k%02d", i), fmt.Sprintf("v%d", i))
	}
	if err := e.Update(func(kv kvstore.KV) error { return kv.Delete(testBucket, []byte("k03")) }); err != nil {
		t.Fatal(err)
	}
	want := dump(t, e)

	r := openT(t, machineCrash(t, e, dir, snap, -1))
	defer r.Close()
	if got := dump(t, r); got != want {
		t.Fatalf("after replay:\n%s\nwant:\n%s", got, want)
	}
}

func TestTornLastRecordIsDropped(t *testing.T) {
	dir := t.TempDir()
	e := openT(t, dir)
	defer e.Close()
	snap := filepath.Join(t.TempDir(), "snap.db")
	copyFile(t, filepath.Join(dir, "meta.db"), snap)
	put(t, e, "a", "1")
	put(t, e, "b", "2")
	before := dump(t, e)
	e.wal.mu.Lock()
	end := e.wal.off
	e.wal.mu.Unlock()
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
			d := machineCrash(t, e, dir, snap, -1)
			damage(filepath.Join(d, walFile))
			r := openT(t, d)
			defer r.Close()
			if got := dump(t, r); got != before {
				t.Fatalf("got:\n%s\nwant the state before the damaged record:\n%s", got, before)
			}
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
	e.syncMu.Lock()
	if err := e.checkpoint(); err != nil {
		t.Fatal(err)
	}
	e.syncMu.Unlock()
	snap := filepath.Join(t.TempDir(), "snap.db")
	copyFile(t, filepath.Join(dir, "meta.db"), snap)
	// Two records at the log's start; older ones follow them.
	put(t, e, "k000", "rewritten")
	if err := e.Update(func(kv kvstore.KV) error { return kv.Delete(testBucket, []byte("k001")) }); err != nil {
		t.Fatal(err)
	}
	want := dump(t, e)

	r := openT(t, machineCrash(t, e, dir, snap, -1))
	defer r.Close()
	if got := dump(t, r); got != want {
		t.Fatalf("after replay:\n%s\nwant:\n%s", got, want)
	}
	// A process crash: meta.db as the page cache holds it.
	d := t.TempDir()
	copyFile(t, filepath.Join(dir, "meta.db"), filepath.Join(d, "meta.db"))
	copyFile(t, filepath.Join(dir, walFile), filepath.Join(d, walFile))
	p := openT(t, d)
	defer p.Close()
	if got := dump(t, p); got != want {
		t.Fatalf("after a process crash:\n%s\nwant:\n%s", got, want)
	}
}

func TestLogThatSkipsTransactionsIsRefused(t *testing.T) {
	dir := t.TempDir()
	e := openT(t, dir)
	snap := filepath.Join(t.TempDir(), "snap.db")
	copyFile(t, filepath.Join(dir, "meta.db"), snap)
	put(t, e, "a", "1")
	e.wal.mu.Lock()
	first := e.wal.off
	e.wal.mu.Unlock()
	put(t, e, "b", "2")
	e.Close()
	d := machineCrash(t, e, dir, snap, -1)
	// Drop the first record: the log now starts one transaction late.
	b, _ := os.ReadFile(filepath.Join(d, walFile))
	os.WriteFile(filepath.Join(d, walFile), b[first:], 0o600)
	if r, err := OpenEngine(d); err == nil {
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
			errs[i] = e.Batch(func(kv kvstore.KV) error {
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
		_ = e.View(func(kv kvstore.KV) error {
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
