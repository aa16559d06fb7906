package boltdb

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"permafrost/internal/glacier"
	"permafrost/internal/store/fsblob"
	"permafrost/internal/store/kvstore"
)

// A record held back is written once per batch, with the last call's
// value; the batch's own reads see it; a failed call's Defer and the
// writes made when it touched the key are taken back; and the log record
// replays to the same state.
func TestDeferredRecordOfABatch(t *testing.T) {
	dir := t.TempDir()
	e := openT(t, dir)
	defer e.Close()
	snap := snapshot(t, dir)
	put(t, e, "v", "0")

	writes := 0
	write := func(kv kvstore.KV, v any) error {
		writes++
		return kv.Put(testBucket, []byte("v"), []byte(v.(string)))
	}
	bad := errors.New("refused")
	var seen []string
	deferred := func(kv kvstore.KV) string {
		v, ok := kv.(kvstore.Deferrer).Deferred(testBucket, []byte("v"))
		if !ok {
			return "-"
		}
		return v.(string)
	}
	step := func(fn func(kv kvstore.KV) error) func() error {
		return func() error { return e.Batch(t.Context(), fn) }
	}
	errs := inOneBatch(t, e, []func() error{
		step(func(kv kvstore.KV) error { // held back: "1"
			seen = append(seen, deferred(kv))
			return kv.(kvstore.Deferrer).Defer(testBucket, []byte("v"), "1", write)
		}),
		step(func(kv kvstore.KV) error { // "2", then fails: back to "1"
			seen = append(seen, deferred(kv))
			if err := kv.(kvstore.Deferrer).Defer(testBucket, []byte("v"), "2", write); err != nil {
				return err
			}
			return bad
		}),
		step(func(kv kvstore.KV) error { // reads "1" as written, holds "3"
			seen = append(seen, deferred(kv), string(kv.Get(testBucket, []byte("v"))), deferred(kv))
			return kv.(kvstore.Deferrer).Defer(testBucket, []byte("v"), "3", write)
		}),
		step(func(kv kvstore.KV) error { // scans "3", deletes it, fails: all taken back
			var scanned string
			if err := kv.Scan(testBucket, []byte("v"), nil, func(_, v []byte) bool { scanned = string(v); return true }); err != nil {
				return err
			}
			seen = append(seen, scanned)
			if err := kv.Delete(testBucket, []byte("v")); err != nil {
				return err
			}
			panic("boom")
		}),
		step(func(kv kvstore.KV) error { // sees "3" held back again
			seen = append(seen, deferred(kv))
			return nil
		}),
	})
	for i, err := range errs {
		if want := i == 1 || i == 3; (err != nil) != want {
			t.Errorf("call %d: err %v", i, err)
		}
	}
	if got, want := strings.Join(seen, ","), "-,1,1,1,-,3,3"; got != want {
		t.Errorf("the calls saw %s, want %s", got, want)
	}
	// Writes: call 3's Get (taken back? no: call 2 succeeded), call 4's
	// Scan (taken back with call 4), and the one at the batch's end.
	if writes != 3 {
		t.Errorf("%d writes, want 3 (two on touch, one at the end)", writes)
	}
	state := dump(t, e)
	if !strings.Contains(state, `vaults/"v"="3"`) {
		t.Fatalf("after the batch:\n%s", state)
	}
	wantRecovered(t, machineCrash(t, dir, snap), state, "replay of a batch with a record held back")

	// Without touches, five calls holding the record back write it once.
	writes = 0
	var calls []func() error
	for i := range 5 {
		calls = append(calls, step(func(kv kvstore.KV) error {
			return kv.(kvstore.Deferrer).Defer(testBucket, []byte("v"), fmt.Sprint(10+i), write)
		}))
	}
	for i, err := range inOneBatch(t, e, calls) {
		if err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if writes != 1 || !strings.Contains(dump(t, e), `vaults/"v"="14"`) {
		t.Fatalf("%d writes, state:\n%s", writes, dump(t, e))
	}

	// A later call's own Put or Delete of the key wins over what an
	// earlier call held back.
	for _, last := range []struct {
		op   func(kv kvstore.KV) error
		want string
	}{
		{func(kv kvstore.KV) error { return kv.Delete(testBucket, []byte("v")) }, ""},
		{func(kv kvstore.KV) error { return kv.Put(testBucket, []byte("v"), []byte("put")) }, `vaults/"v"="put"`},
	} {
		inOneBatch(t, e, []func() error{
			step(func(kv kvstore.KV) error {
				return kv.(kvstore.Deferrer).Defer(testBucket, []byte("v"), "held", write)
			}),
			step(last.op),
		})
		state := dump(t, e)
		if strings.Contains(state, `"held"`) || (last.want != "" && !strings.Contains(state, last.want)) || (last.want == "" && strings.Contains(state, `vaults/"v"`)) {
			t.Fatalf("want %q, state:\n%s", last.want, state)
		}
	}
}

// Through the typed store: uploads of one batch count in their vault
// once each (a failed one not at all), a vault deleted later in the batch
// stays deleted, and the vault's record is in the log once per batch.
func TestVaultRecordOncePerBatch(t *testing.T) {
	dir := t.TempDir()
	e := openT(t, dir)
	defer e.Close()
	blobs, err := fsblob.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := kvstore.New(e, blobs)
	ctx := t.Context()
	scope := glacier.Scope{Account: "123456789012", Region: "us-east-1"}
	created := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	for _, name := range []string{"a", "gone"} {
		if err := s.Update(ctx, func(tx glacier.Tx) error {
			return tx.PutVault(&glacier.Vault{Account: scope.Account, Region: scope.Region, Name: name, Created: created, Tags: map[string]string{}})
		}); err != nil {
			t.Fatal(err)
		}
	}
	count := func(name string, size int64, fail bool) func() error {
		return func() error {
			return s.Batch(ctx, func(tx glacier.Tx) error {
				v, err := tx.Vault(glacier.VaultRef{Scope: scope, Name: name})
				if err != nil {
					return err
				}
				v.Archives++
				v.Size += size
				if err := tx.PutVault(v); err != nil {
					return err
				}
				if fail {
					return errors.New("refused")
				}
				return nil
			})
		}
	}
	logged := logEnd(e)
	errs := inOneBatch(t, e, []func() error{
		count("a", 10, false),
		count("gone", 1, false),
		count("a", 100, true),
		count("a", 1000, false),
		func() error {
			return s.Batch(ctx, func(tx glacier.Tx) error { return tx.DeleteVault(glacier.VaultRef{Scope: scope, Name: "gone"}) })
		},
		count("gone", 1, false), // not found: deleted by the call before
		count("a", 10000, false),
	})
	for i, err := range errs {
		if want := i == 2 || i == 5; (err != nil) != want {
			t.Errorf("call %d: err %v", i, err)
		}
	}
	if !errors.Is(errs[5], glacier.ErrNotFound) {
		t.Errorf("counting in a vault deleted earlier in the batch: %v, want not found", errs[5])
	}
	var a *glacier.Vault
	err = s.View(ctx, func(tx glacier.Tx) error {
		if _, err := tx.Vault(glacier.VaultRef{Scope: scope, Name: "gone"}); !errors.Is(err, glacier.ErrNotFound) {
			return fmt.Errorf("deleted vault: %v", err)
		}
		a, err = tx.Vault(glacier.VaultRef{Scope: scope, Name: "a"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if a.Archives != 3 || a.Size != 11010 {
		t.Fatalf("vault a counts %d archives of %d bytes, want 3 of 11010", a.Archives, a.Size)
	}
	// The batch's log record holds vault a's record once (written at the
	// end) and the deleted vault's once (written when the delete touched it).
	rec := readRecords(t, e, logged)
	if n := strings.Count(rec, `"Name":"a"`); n != 1 {
		t.Errorf("vault a's record is in the log %d times, want 1:\n%s", n, rec)
	}
}

// readRecords is the puts of the log's records from offset on, as text.
func readRecords(t *testing.T, e *Engine, from int64) string {
	t.Helper()
	var b strings.Builder
	n := logEnd(e) - from
	if err := readLog(io.NewSectionReader(e.wal.f, from, n), n, func(_ uint64, payload []byte) bool {
		_ = decodeOps(payload, func(del bool, bucket, k, v []byte) error {
			fmt.Fprintf(&b, "%s %q %s\n", bucket, k, v)
			return nil
		})
		return true
	}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
