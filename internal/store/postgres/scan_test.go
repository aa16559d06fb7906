package postgres

import (
	"bytes"
	"fmt"
	"testing"

	"permafrost/internal/store/kvstore"
)

// A scan over many pages sees every key once, in order, within its prefix,
// while fn reads and writes through the same transaction (which sends the
// page read ahead first), and stops where fn says.
func TestScanPagesWithReadsAndWrites(t *testing.T) {
	e := openTest(t, Options{})
	const n = 3*maxPage + 17
	put := func(kv kvstore.KV, b, k, v string) {
		if err := kv.Put(b, []byte(k), []byte(v)); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Update(t.Context(), func(kv kvstore.KV) error {
		put(kv, "inline", "a/", "before the prefix")
		put(kv, "inline", "c", "after it")
		for i := range n {
			put(kv, "inline", fmt.Sprintf("b/%06d", i), fmt.Sprint("v", i))
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	err := e.Update(t.Context(), func(kv kvstore.KV) error {
		i := 0
		err := kv.Scan("inline", []byte("b/"), nil, func(k, v []byte) bool {
			if want := fmt.Sprintf("b/%06d", i); string(k) != want || string(v) != fmt.Sprint("v", i) {
				t.Fatalf("key %d: %q=%q, want %q", i, k, v, want)
			}
			if i%1000 == 0 { // use the transaction mid-scan
				if got := kv.Get("inline", []byte("c")); string(got) != "after it" {
					t.Fatalf("Get during the scan: %q", got)
				}
				put(kv, "refs", fmt.Sprint(i), "seen")
			}
			i++
			return true
		})
		if i != n {
			t.Errorf("scanned %d keys, want %d", i, n)
		}
		stopped := 0
		_ = kv.Scan("inline", nil, []byte("b/000100"), func(k, _ []byte) bool { stopped++; return stopped < 5 })
		if stopped != 5 {
			t.Errorf("early stop after %d keys", stopped)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var refs [][]byte
	if err := e.View(t.Context(), func(kv kvstore.KV) error {
		return kv.Scan("refs", nil, nil, func(k, _ []byte) bool { refs = append(refs, bytes.Clone(k)); return true })
	}); err != nil {
		t.Fatal(err)
	}
	if want := (n + 999) / 1000; len(refs) != want {
		t.Errorf("%d writes made during the scan were kept, want %d", len(refs), want)
	}
}
