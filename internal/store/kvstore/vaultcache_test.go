package kvstore

import (
	"sync"
	"testing"

	"permafrost/internal/glacier"
)

func memoVault(n int64) (*glacier.Vault, []byte) {
	v := &glacier.Vault{Account: "123456789012", Region: "us-east-1", Name: "v", Archives: n, Size: n << 12}
	raw, err := encodeVault(v)
	if err != nil {
		panic(err)
	}
	return v, raw
}

// TestVaultMemoWriterAndReaders: the committer's two newest writes and
// the committed version readers decoded all stay answered, while the
// writes go on; bytes never stored, or evicted, miss.
func TestVaultMemoWriterAndReaders(t *testing.T) {
	var vm vaultMemo
	key := []byte("k")
	committed, craw := memoVault(5)
	vm.put(key, craw, committed) // a reader decoded the committed record
	for n := int64(6); n <= 10; n++ {
		v, raw := memoVault(n)
		vm.keep(key, raw, v) // the committer writes within one batch
		if got, ok := vm.get(key, raw); !ok || got.Archives != n {
			t.Fatalf("write %d: own write not answered (%v, %v)", n, got, ok)
		}
		if got, ok := vm.get(key, craw); !ok || got.Archives != 5 {
			t.Fatalf("write %d: committed version not answered (%v, %v)", n, got, ok)
		}
		if n > 6 {
			// The next batch's record is written before that batch is
			// synced: until then readers see the one written before.
			_, prev := memoVault(n - 1)
			if got, ok := vm.get(key, prev); !ok || got.Archives != n-1 {
				t.Fatalf("write %d: the write before it is not answered (%v, %v)", n, got, ok)
			}
		}
	}
	_, overwritten := memoVault(7)
	if _, ok := vm.get(key, overwritten); ok {
		t.Fatal("an overwritten write is still answered")
	}
	_, never := memoVault(99)
	if _, ok := vm.get(key, never); ok {
		t.Fatal("bytes never stored are answered")
	}
	got, _ := vm.get(key, craw)
	got.Archives = -1
	if again, _ := vm.get(key, craw); again.Archives != 5 {
		t.Fatal("a caller's change reached the memo")
	}
	vm.forget(key)
	if _, ok := vm.get(key, craw); ok {
		t.Fatal("forget left a version")
	}
}

// TestVaultMemoConcurrent: whatever readers and writers race, a hit is
// always the decoding of exactly the bytes asked about (run with -race).
func TestVaultMemoConcurrent(t *testing.T) {
	var vm vaultMemo
	key := []byte("k")
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 2000; i++ {
				n := int64(i % 13)
				v, raw := memoVault(n)
				switch g % 3 {
				case 0:
					vm.keep(key, raw, v)
				case 1:
					vm.put(key, raw, v)
				}
				if got, ok := vm.get(key, raw); ok && got.Archives != n {
					t.Errorf("asked for %d, got %d", n, got.Archives)
					return
				}
			}
		}(g)
	}
	wg.Wait()
}
