package treehash

import (
	"crypto/sha256"
	"sync"
	"testing"
)

const (
	benchSize  = 64 * MiB
	benchChunk = 256 << 10
)

// benchBytes returns the shared 64 MiB benchmark payload.
var benchBytes = sync.OnceValue(func() []byte { return randBytes(benchSize, 42) })

// BenchmarkWriter streams 64 MiB through a Writer in 256 KiB writes.
func BenchmarkWriter(b *testing.B) {
	benchData := benchBytes()
	b.SetBytes(benchSize)
	for b.Loop() {
		w := New()
		for off := 0; off < benchSize; off += benchChunk {
			w.Write(benchData[off : off+benchChunk])
		}
		w.Sum()
	}
}

// BenchmarkSHA256Linear is a plain single-goroutine SHA-256 over the same
// bytes and writes, for comparison.
func BenchmarkSHA256Linear(b *testing.B) {
	benchData := benchBytes()
	b.SetBytes(benchSize)
	for b.Loop() {
		h := sha256.New()
		for off := 0; off < benchSize; off += benchChunk {
			h.Write(benchData[off : off+benchChunk])
		}
		h.Sum(nil)
	}
}

// BenchmarkWriterWithLinear is what an upload handler does: each write goes
// to a Writer and to a linear SHA-256 on the same goroutine.
func BenchmarkWriterWithLinear(b *testing.B) {
	benchData := benchBytes()
	b.SetBytes(benchSize)
	for b.Loop() {
		w, h := New(), sha256.New()
		for off := 0; off < benchSize; off += benchChunk {
			w.Write(benchData[off : off+benchChunk])
			h.Write(benchData[off : off+benchChunk])
		}
		w.Sum()
		h.Sum(nil)
	}
}

// BenchmarkSum is the whole-buffer tree hash of the same 64 MiB.
func BenchmarkSum(b *testing.B) {
	benchData := benchBytes()
	b.SetBytes(benchSize)
	for b.Loop() {
		Sum(benchData)
	}
}

// BenchmarkWriterSmall is a whole 4 KiB upload: New, Write, Sum.
func BenchmarkWriterSmall(b *testing.B) {
	p := benchBytes()[:4096]
	b.SetBytes(int64(len(p)))
	b.ReportAllocs()
	for b.Loop() {
		w := New()
		w.Write(p)
		w.Sum()
	}
}
