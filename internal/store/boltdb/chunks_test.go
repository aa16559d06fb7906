package boltdb

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	bolt "go.etcd.io/bbolt"

	"permafrost/internal/store/kvstore"
)

// body is n bytes that differ from piece to piece.
func body(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = seed + byte(i*7+i/chunkSize)
	}
	return b
}

// rawKeys is what bbolt itself holds in the pieces' bucket: key -> length.
func rawKeys(t *testing.T, e *Engine) map[string]int {
	t.Helper()
	keys := map[string]int{}
	err := e.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte(chunkBucket)).ForEach(func(k, v []byte) error {
			keys[string(k)] = len(v)
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

func putIn(t *testing.T, e *Engine, bucket, k string, v []byte) {
	t.Helper()
	if err := e.Update(t.Context(), func(kv kvstore.KV) error { return kv.Put(bucket, []byte(k), v) }); err != nil {
		t.Fatal(err)
	}
}

func getIn(t *testing.T, e *Engine, bucket, k string) []byte {
	t.Helper()
	var got []byte
	if err := e.View(t.Context(), func(kv kvstore.KV) error {
		if v := kv.Get(bucket, []byte(k)); v != nil {
			got = append([]byte{}, v...)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return got
}

func TestLargeValuesAreKeptInPiecesAndReadWhole(t *testing.T) {
	e := openT(t, t.TempDir())
	defer e.Close()
	sizes := []int{0, 1, chunkSize, chunkSize + 1, 4096, 3*chunkSize + 5, 64 << 10}
	for i, n := range sizes {
		putIn(t, e, chunkBucket, fmt.Sprintf("b%02d", i), body(n, byte(i)))
	}
	raw := rawKeys(t, e)
	for i, n := range sizes {
		k := fmt.Sprintf("b%02d", i)
		if got := getIn(t, e, chunkBucket, k); !bytes.Equal(got, body(n, byte(i))) {
			t.Fatalf("%s: read %d bytes, not the %d written", k, len(got), n)
		}
		pieces := 0
		for rk := range raw {
			if base, ok := chunkOf([]byte(rk)); ok && string(base) == k {
				pieces++
			}
		}
		_, whole := raw[k]
		switch {
		case n <= chunkSize && (!whole || pieces != 0):
			t.Fatalf("%s (%d bytes): whole %v, %d pieces; want it whole", k, n, whole, pieces)
		case n > chunkSize && (whole || pieces != (n+chunkSize-1)/chunkSize):
			t.Fatalf("%s (%d bytes): whole %v, %d pieces; want %d pieces", k, n, whole, pieces, (n+chunkSize-1)/chunkSize)
		}
	}
	for k, n := range raw {
		if n > chunkSize {
			t.Fatalf("raw key %q holds %d bytes", k, n)
		}
	}

	// Scan gives each value once, whole, in key order, from and prefix
	// counting in values' keys.
	var scanned []string
	err := e.View(t.Context(), func(kv kvstore.KV) error {
		return kv.Scan(chunkBucket, []byte("b0"), []byte("b03"), func(k, v []byte) bool {
			var i int
			fmt.Sscanf(string(k), "b%02d", &i)
			if !bytes.Equal(v, body(sizes[i], byte(i))) {
				t.Errorf("scan: %s has %d bytes, want %d", k, len(v), sizes[i])
			}
			scanned = append(scanned, string(k))
			return len(scanned) < 3
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(scanned) != "[b03 b04 b05]" {
		t.Fatalf("scan from b03, stopping after 3, gave %v", scanned)
	}

	// Overwriting replaces every piece; deleting leaves none.
	putIn(t, e, chunkBucket, "b06", []byte("short"))
	putIn(t, e, chunkBucket, "b00", body(5000, 9))
	if err := e.Update(t.Context(), func(kv kvstore.KV) error { return kv.Delete(chunkBucket, []byte("b04")) }); err != nil {
		t.Fatal(err)
	}
	if got := getIn(t, e, chunkBucket, "b06"); string(got) != "short" {
		t.Fatalf("b06 after it was overwritten: %d bytes", len(got))
	}
	if got := getIn(t, e, chunkBucket, "b00"); !bytes.Equal(got, body(5000, 9)) {
		t.Fatalf("b00 after it was overwritten: %d bytes", len(got))
	}
	if got := getIn(t, e, chunkBucket, "b04"); got != nil {
		t.Fatalf("b04 after it was deleted: %d bytes", len(got))
	}
	raw = rawKeys(t, e)
	count := map[string]int{}
	for rk := range raw {
		base, ok := chunkOf([]byte(rk))
		if !ok {
			base = []byte(rk)
		}
		count[string(base)]++
	}
	if count["b06"] != 1 || count["b00"] != 5 || count["b04"] != 0 {
		t.Fatalf("raw keys after overwriting and deleting: %v", count)
	}
}

func TestValueStoredWholeByAnEarlierVersionIsReadAndReplaced(t *testing.T) {
	e := openT(t, t.TempDir())
	defer e.Close()
	old := body(4096, 3)
	if err := e.db.Update(func(tx *bolt.Tx) error { return tx.Bucket([]byte(chunkBucket)).Put([]byte("old"), old) }); err != nil {
		t.Fatal(err)
	}
	if got := getIn(t, e, chunkBucket, "old"); !bytes.Equal(got, old) {
		t.Fatalf("a whole value reads as %d bytes", len(got))
	}
	putIn(t, e, chunkBucket, "old", body(4097, 4))
	raw := rawKeys(t, e)
	if _, whole := raw["old"]; whole || len(raw) != 5 {
		t.Fatalf("after rewriting a whole value: %v", raw)
	}
	if got := getIn(t, e, chunkBucket, "old"); !bytes.Equal(got, body(4097, 4)) {
		t.Fatalf("the rewritten value reads as %d bytes", len(got))
	}
}

func TestPiecesAreReplayedAfterAMachineCrash(t *testing.T) {
	dir := t.TempDir()
	e := openT(t, dir)
	defer e.Close()
	snap := snapshot(t, dir)
	for i := range 6 {
		putIn(t, e, chunkBucket, fmt.Sprintf("k%d", i), body(4096+i*100, byte(i)))
	}
	putIn(t, e, chunkBucket, "k2", []byte("small now"))
	if err := e.Update(t.Context(), func(kv kvstore.KV) error { return kv.Delete(chunkBucket, []byte("k4")) }); err != nil {
		t.Fatal(err)
	}
	want := dump(t, e)
	if !bytes.Contains([]byte(want), []byte(`inline/"k5"=`)) || bytes.Contains([]byte(want), []byte(`"k5\x00`)) {
		t.Fatalf("dump does not show whole values:\n%.300s", want)
	}
	wantRecovered(t, machineCrash(t, dir, snap), want, "after replay")
}

func TestFailedCallsPiecesAreTakenBack(t *testing.T) {
	e := openT(t, t.TempDir())
	defer e.Close()
	putIn(t, e, chunkBucket, "kept", body(3000, 1))
	putIn(t, e, chunkBucket, "gone", body(3000, 2))
	before := rawKeys(t, e)
	bad := errors.New("refused")
	errs := inOneBatch(t, e, []func() error{
		func() error {
			return e.Batch(t.Context(), func(kv kvstore.KV) error {
				if err := kv.Put(chunkBucket, []byte("kept"), body(9000, 5)); err != nil {
					return err
				}
				if err := kv.Delete(chunkBucket, []byte("gone")); err != nil {
					return err
				}
				if err := kv.Put(chunkBucket, []byte("ghost"), body(2000, 6)); err != nil {
					return err
				}
				return bad
			})
		},
		func() error {
			return e.Batch(t.Context(), func(kv kvstore.KV) error {
				if got := kv.Get(chunkBucket, []byte("kept")); !bytes.Equal(got, body(3000, 1)) {
					return fmt.Errorf("the next call read %d bytes of kept", len(got))
				}
				return kv.Put(chunkBucket, []byte("new"), body(1500, 7))
			})
		},
	})
	if !errors.Is(errs[0], bad) || errs[1] != nil {
		t.Fatalf("errors %v, want the first call's own and none", errs)
	}
	after := rawKeys(t, e)
	for k, n := range before {
		if after[k] != n {
			t.Fatalf("raw key %q: %d bytes after the failed call, %d before", k, after[k], n)
		}
	}
	if len(after) != len(before)+2 { // new's two pieces
		t.Fatalf("raw keys before %v, after %v", before, after)
	}
	if got := getIn(t, e, chunkBucket, "gone"); !bytes.Equal(got, body(3000, 2)) {
		t.Fatalf("a failed call's delete was kept: %d bytes", len(got))
	}
}
