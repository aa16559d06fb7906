package boltdb

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkFdatasync measures what the log's design rests on: on this
// machine's disk a sync costs more the more (and the more scattered)
// pages it carries, and less in a file whose size does not change.
func BenchmarkFdatasync(b *testing.B) {
	record := make([]byte, 6*4096+300) // a batch of a few 4 KiB uploads
	page := make([]byte, 4096)
	open := func(b *testing.B, prefill int64) *os.File {
		f, err := os.Create(filepath.Join(b.TempDir(), "f"))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { f.Close() })
		if prefill > 0 {
			if err := zeroFill(f, 0, prefill); err != nil {
				b.Fatal(err)
			}
			if err := f.Sync(); err != nil {
				b.Fatal(err)
			}
		}
		return f
	}
	sync := func(b *testing.B, f *os.File) {
		if err := fdatasync(f); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("log-record-zero-filled", func(b *testing.B) {
		f := open(b, 256<<20)
		for i := 0; i < b.N; i++ {
			f.WriteAt(record, int64(i%8000)*int64(len(record)))
			sync(b, f)
		}
	})
	b.Run("log-record-growing", func(b *testing.B) {
		f := open(b, 0)
		for i := 0; i < b.N; i++ {
			f.Write(record)
			sync(b, f)
		}
	})
	b.Run("64-scattered-pages", func(b *testing.B) {
		f := open(b, 256<<20)
		for i := 0; i < b.N; i++ {
			for range 64 {
				f.WriteAt(page, rand.Int64N(65536)*4096)
			}
			sync(b, f)
		}
	})
}
