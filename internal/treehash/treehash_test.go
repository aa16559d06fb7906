package treehash

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
	"strings"
	"testing"
)

// naiveTreeHash is the reference: the spec, followed literally.
func naiveTreeHash(p []byte) string {
	if len(p) == 0 {
		s := sha256.Sum256(nil)
		return hex.EncodeToString(s[:])
	}
	var level [][]byte
	for off := 0; off < len(p); off += MiB {
		s := sha256.Sum256(p[off:min(off+MiB, len(p))])
		level = append(level, s[:])
	}
	for len(level) > 1 {
		var next [][]byte
		for i := 0; i+1 < len(level); i += 2 {
			joined := append(append([]byte{}, level[i]...), level[i+1]...)
			s := sha256.Sum256(joined)
			next = append(next, s[:])
		}
		if len(level)%2 == 1 {
			next = append(next, level[len(level)-1])
		}
		level = next
	}
	return hex.EncodeToString(level[0])
}

// randBytes returns n deterministic pseudo-random bytes.
func randBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	p := make([]byte, n+7)
	for i := 0; i < n; i += 8 {
		binary.LittleEndian.PutUint64(p[i:], r.Uint64())
	}
	return p[:n:n]
}

var vectors = []struct {
	name string
	data []byte
	want string
}{
	{"empty", nil, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
	{"1 byte 0x00", make([]byte, 1), "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"},
	{"1 MiB 0x00", make([]byte, MiB), "30e14955ebf1352266dc2ff8067e68104607e750abb9d3b36582b8af909fcb58"},
	{"1 MiB+1 0x00", make([]byte, MiB+1), "28638dab8d5e1754a4ecb38b0ebe6df66c844f94aed142d4d0283d208bb786cd"},
	{"3 MiB 0x00", make([]byte, 3*MiB), "ca6cc129a4514ec765de86a4e7a49adf44842c9cac213c383ebe4071271bdf21"},
	{"5 MiB+7 'a'", bytes.Repeat([]byte{'a'}, 5*MiB+7), "b858f8d4da2746113616921f1046c2a930c7a1964323214ca3e088f695624094"},
}

// chunkings are the write-size patterns the Writer is driven with; each
// pattern cycles. A zero entry writes an empty slice.
var chunkings = []struct {
	name  string
	sizes []int
}{
	{"whole", nil},
	{"1 byte", []int{1}},
	{"4 KiB", []int{4096}},
	{"256 KiB", []int{256 << 10}},
	{"straddling", []int{MiB - 3, 7, 0, MiB + 5, 1, 333333}},
	{"odd", []int{1, 2, 3, 5, 8, 13, 65521}},
}

// writeChunked writes p to w in pieces sized by the cycling pattern sizes
// (all of p at once if sizes is empty).
func writeChunked(t testing.TB, w *Writer, p []byte, sizes []int) {
	t.Helper()
	for i := 0; len(p) > 0 || i == 0; i++ {
		n := len(p)
		if len(sizes) > 0 {
			n = min(sizes[i%len(sizes)], len(p))
		}
		got, err := w.Write(p[:n])
		if got != n || err != nil {
			t.Fatalf("Write(%d bytes) = %d, %v", n, got, err)
		}
		p = p[n:]
	}
}

func TestVectors(t *testing.T) {
	for _, v := range vectors {
		t.Run(v.name, func(t *testing.T) {
			if got := Sum(v.data).String(); got != v.want {
				t.Errorf("Sum = %s, want %s", got, v.want)
			}
			if got := naiveTreeHash(v.data); got != v.want {
				t.Errorf("naiveTreeHash = %s, want %s", got, v.want)
			}
			for _, c := range chunkings {
				if c.name == "1 byte" && len(v.data) > 2*MiB && testing.Short() {
					continue
				}
				w := New()
				writeChunked(t, w, v.data, c.sizes)
				if w.Size() != int64(len(v.data)) {
					t.Errorf("%s: Size = %d, want %d", c.name, w.Size(), len(v.data))
				}
				if got := w.Sum().String(); got != v.want {
					t.Errorf("%s: Writer.Sum = %s, want %s", c.name, got, v.want)
				}
			}
		})
	}
}

func TestSizesAroundLeafBoundaries(t *testing.T) {
	sizes := []int{0, 1, MiB - 1, MiB, MiB + 1, 2*MiB - 1, 2 * MiB, 2*MiB + 1,
		3 * MiB, 4*MiB - 1, 4 * MiB, 4*MiB + 1, 5*MiB + 3, 7 * MiB, 8 * MiB, 9*MiB + 1}
	for i, n := range sizes {
		p := randBytes(n, uint64(i))
		want := naiveTreeHash(p)
		if got := Sum(p).String(); got != want {
			t.Errorf("size %d: Sum = %s, want %s", n, got, want)
		}
		for _, c := range chunkings {
			if c.name == "1 byte" && n > 2*MiB+1 {
				continue
			}
			w := New()
			writeChunked(t, w, p, c.sizes)
			if got := w.Sum().String(); got != want {
				t.Errorf("size %d, %s: Writer.Sum = %s, want %s", n, c.name, got, want)
			}
		}
		// Shared writes: whole leaves hashed in place, the rest copied.
		for _, step := range []int{MiB, 2*MiB + 5, MiB - 1, max(n, 1)} {
			w := New()
			for rest := p; len(rest) > 0; {
				k := min(step, len(rest))
				w.WriteShared(rest[:k])
				rest = rest[k:]
			}
			if got := w.Sum().String(); got != want {
				t.Errorf("size %d, WriteShared in %d-byte pieces: Sum = %s, want %s", n, step, got, want)
			}
		}
	}
}

func TestCombineParts(t *testing.T) {
	payloads := []int{MiB, 5 * MiB, 8 * MiB, 7*MiB + 12345, 3*MiB + 1}
	for i, n := range payloads {
		p := randBytes(n, 100+uint64(i))
		whole := Sum(p)
		for _, part := range []int{MiB, 2 * MiB, 4 * MiB, 8 * MiB} {
			var parts []Hash
			for off := 0; off < n; off += part {
				parts = append(parts, Sum(p[off:min(off+part, n)]))
			}
			if got := Combine(parts); got != whole {
				t.Errorf("payload %d, parts of %d MiB: Combine = %s, want %s", n, part/MiB, got, whole)
			}
		}
	}
}

func TestCombineEdges(t *testing.T) {
	if got := Combine(nil).String(); got != vectors[0].want {
		t.Errorf("Combine(nil) = %s, want sha256(\"\")", got)
	}
	h := Sum([]byte("x"))
	if got := Combine([]Hash{h}); got != h {
		t.Errorf("Combine of one node = %s, want %s", got, h)
	}
	nodes := []Hash{Sum([]byte("a")), Sum([]byte("b")), Sum([]byte("c"))}
	saved := append([]Hash(nil), nodes...)
	want := pair(pair(nodes[0], nodes[1]), nodes[2])
	if got := Combine(nodes); got != want {
		t.Errorf("Combine(a,b,c) = %s, want %s", got, want)
	}
	for i := range nodes {
		if nodes[i] != saved[i] {
			t.Fatalf("Combine modified its argument")
		}
	}
}

func TestParse(t *testing.T) {
	const lower = "b858f8d4da2746113616921f1046c2a930c7a1964323214ca3e088f695624094"
	good := []string{lower, strings.ToUpper(lower), strings.Repeat("0", 64), "AbCdEf" + lower[6:]}
	for _, s := range good {
		h, err := Parse(s)
		if err != nil {
			t.Errorf("Parse(%q) error %v", s, err)
			continue
		}
		if h.String() != strings.ToLower(s) {
			t.Errorf("Parse(%q).String() = %s", s, h)
		}
	}
	bad := []string{"", lower[:63], lower + "0", lower[:62], lower[:63] + "g",
		" " + lower[1:], lower[:63] + " ", "0x" + lower[2:], lower[:32] + "-" + lower[33:],
		strings.Repeat("é", 32)}
	for _, s := range bad {
		if h, err := Parse(s); err == nil {
			t.Errorf("Parse(%q) = %s, want error", s, h)
		}
	}
}
