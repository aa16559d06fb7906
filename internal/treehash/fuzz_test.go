package treehash

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// maxFuzzLen caps fuzzed payloads a little above 3 MiB, so that inputs
// cover several leaves while each run stays in the milliseconds.
const maxFuzzLen = 3*MiB + 4097

func FuzzWriter(f *testing.F) {
	f.Add([]byte{0}, uint32(1), uint64(0))
	f.Add([]byte("abc"), uint32(MiB), uint64(1))
	f.Add([]byte("abc"), uint32(MiB+1), uint64(2))
	f.Add([]byte{0xff, 0}, uint32(2*MiB+17), uint64(3))
	f.Add([]byte("leaf"), uint32(maxFuzzLen-1), uint64(4))
	f.Add([]byte{}, uint32(0), uint64(5))
	f.Fuzz(func(t *testing.T, data []byte, length uint32, seed uint64) {
		// The payload repeats data up to a length taken from length.
		if len(data) == 0 {
			data = []byte{0}
		}
		p := make([]byte, int(length%maxFuzzLen))
		for off := 0; off < len(p); off += len(data) {
			copy(p[off:], data)
		}
		want := naiveTreeHash(p)
		if got := Sum(p).String(); got != want {
			t.Fatalf("len %d: Sum = %s, want %s", len(p), got, want)
		}

		// Write it in random pieces: tiny, small, around a leaf, or all
		// that is left.
		r := rand.New(rand.NewPCG(seed, seed>>32))
		w := New()
		for rest := p; len(rest) > 0; {
			var n int
			switch r.IntN(4) {
			case 0:
				n = r.IntN(17)
			case 1:
				n = r.IntN(4097)
			case 2:
				n = r.IntN(MiB + 2)
			default:
				n = len(rest)
			}
			n = min(n, len(rest))
			// p stays unchanged until Sum, so it may be written shared.
			write, name := w.Write, "Write"
			if r.IntN(2) == 0 {
				write, name = w.WriteShared, "WriteShared"
			}
			if k, err := write(rest[:n]); k != n || err != nil {
				t.Fatalf("%s(%d bytes) = %d, %v", name, n, k, err)
			}
			rest = rest[n:]
		}
		if w.Size() != int64(len(p)) {
			t.Fatalf("Size = %d, want %d", w.Size(), len(p))
		}
		if got := w.Sum().String(); got != want {
			t.Fatalf("len %d seed %d: Writer.Sum = %s, want %s", len(p), seed, got, want)
		}
	})
}

func FuzzParseRange(f *testing.F) {
	for _, s := range []string{"0-0", "0-1048575", "5-3", "-1-2", "01-2", "1-",
		"9223372036854775807-9223372036854775807", "0-9223372036854775808", "+1-+2", " 1-2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		start, end, err := ParseRange(in)
		if err != nil {
			if start != 0 || end != 0 {
				t.Fatalf("ParseRange(%q) failed but returned %d, %d", in, start, end)
			}
			return
		}
		if start < 0 || start > end {
			t.Fatalf("ParseRange(%q) = %d, %d", in, start, end)
		}
		if out := fmt.Sprintf("%d-%d", start, end); out != in {
			t.Fatalf("ParseRange(%q) = %d, %d, which formats as %q", in, start, end, out)
		}
		// Against an archive ending with the range: tree-hash alignment
		// implies MiB alignment, and a range from 0 is the whole archive.
		if end == math.MaxInt64 {
			return
		}
		size := end + 1
		if IsTreeHashAligned(start, end, size) && !IsMiBAligned(start, end, size) {
			t.Fatalf("%d-%d of %d: tree-hash aligned but not MiB aligned", start, end, size)
		}
		if start == 0 && !IsTreeHashAligned(start, end, size) {
			t.Fatalf("whole archive %d-%d of %d not tree-hash aligned", start, end, size)
		}
	})
}
