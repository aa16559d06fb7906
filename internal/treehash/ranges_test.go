package treehash

import (
	"crypto/sha256"
	"encoding/binary"
	"math"
	"testing"
)

func TestParseRange(t *testing.T) {
	good := []struct {
		in         string
		start, end int64
	}{
		{"0-0", 0, 0},
		{"0-1048575", 0, MiB - 1},
		{"1048576-2097151", MiB, 2*MiB - 1},
		{"5-5", 5, 5},
		{"0-9223372036854775807", 0, math.MaxInt64},
		{"9223372036854775807-9223372036854775807", math.MaxInt64, math.MaxInt64},
	}
	for _, c := range good {
		s, e, err := ParseRange(c.in)
		if err != nil || s != c.start || e != c.end {
			t.Errorf("ParseRange(%q) = %d, %d, %v; want %d, %d", c.in, s, e, err, c.start, c.end)
		}
	}
	bad := []string{"", "-", "0", "0-", "-0", "1--2", "-1-2", "1-2-3", "2-1",
		"+1-2", "1-+2", " 1-2", "1-2 ", "1 -2", "1- 2", "01-2", "1-02", "00-0",
		"0x1-2", "1_0-20", "a-b", "1.0-2", "bytes=0-1", "1-٣",
		"0-9223372036854775808", "9223372036854775808-9223372036854775809",
		"0-99999999999999999999999999"}
	for _, in := range bad {
		if s, e, err := ParseRange(in); err == nil {
			t.Errorf("ParseRange(%q) = %d, %d; want error", in, s, e)
		}
	}
}

func TestIsMiBAligned(t *testing.T) {
	cases := []struct {
		start, end, size int64
		want             bool
	}{
		{0, 0, 1, true},
		{0, MiB - 1, MiB, true},
		{0, MiB - 1, 10 * MiB, true},
		{MiB, 2*MiB - 1, 2*MiB + 5, true},
		{MiB, 2*MiB + 4, 2*MiB + 5, true},
		{0, 3*MiB - 1, 3 * MiB, true},
		{2 * MiB, 5*MiB - 1, 9 * MiB, true},
		{0, 10, 11, true},
		{0, 10, 12, false},
		{1, MiB - 1, 2 * MiB, false},
		{0, MiB, 3 * MiB, false},
		{0, MiB - 2, 3 * MiB, false},
		{MiB + 1, 2*MiB - 1, 3 * MiB, false},
		{0, 5, 5, false},
		{0, MiB - 1, MiB - 1, false},
		{-MiB, MiB - 1, 3 * MiB, false},
		{MiB, MiB - 1, 3 * MiB, false},
		{0, 0, 0, false},
	}
	for _, c := range cases {
		if got := IsMiBAligned(c.start, c.end, c.size); got != c.want {
			t.Errorf("IsMiBAligned(%d, %d, %d) = %v, want %v", c.start, c.end, c.size, got, c.want)
		}
	}
}

func TestIsTreeHashAligned(t *testing.T) {
	const max = math.MaxInt64
	cases := []struct {
		start, end, size int64
		want             bool
	}{
		{0, 0, 1, true},
		{0, 10, 11, true},
		{0, 10, 20, false},
		{0, MiB - 1, 3 * MiB, true},
		{MiB, 2*MiB - 1, 3 * MiB, true},
		{MiB, 3*MiB - 1, 3 * MiB, false},
		{2 * MiB, 3*MiB - 1, 3 * MiB, true},
		{0, 2*MiB - 1, 3 * MiB, true},
		{0, 3*MiB - 1, 3 * MiB, true},
		{0, 3*MiB - 1, 5 * MiB, false},
		{0, 4*MiB - 1, 5 * MiB, true},
		{2 * MiB, 4*MiB - 1, 4 * MiB, true},
		{4 * MiB, 5*MiB + 2, 5*MiB + 3, true},
		{4 * MiB, 6*MiB - 1, 7 * MiB, true},
		{4 * MiB, 7*MiB - 1, 7 * MiB, true},
		{6 * MiB, 7*MiB - 1, 7 * MiB, true},
		{4 * MiB, 7*MiB - 1, 9 * MiB, false},
		{4 * MiB, 8*MiB - 1, 9 * MiB, true},
		{1, MiB - 1, 2 * MiB, false},
		{0, MiB, 2 * MiB, false},
		{0, 0, 0, false},
		{-MiB, MiB - 1, 2 * MiB, false},
		{0, 2 * MiB, 2 * MiB, false},
		{0, max - 1, max, true},
		{0, 1<<62 - 1, max, true},
		{1 << 62, max - 1, max, true},
		{1 << 61, max - 1, max, false},
		{1 << 61, 1<<62 - 1, max, true},
		{max - MiB + 1, max - 1, max, true},
		{max - MiB, max - 1, max, false},
	}
	for _, c := range cases {
		if got := IsTreeHashAligned(c.start, c.end, c.size); got != c.want {
			t.Errorf("IsTreeHashAligned(%d, %d, %d) = %v, want %v", c.start, c.end, c.size, got, c.want)
		}
	}
}

// TestTreeHashAlignedExhaustive checks the closed form of IsTreeHashAligned
// against the definition: a range is aligned iff the tree hash over its
// bytes is a node of the archive's tree. It works on leaf digests: leaf i
// stands for the i-th MiB of the archive, and the tree hash of leaves a..b
// is what a range covering exactly those leaves hashes to.
func TestTreeHashAlignedExhaustive(t *testing.T) {
	const maxLeaves = 70
	leaves := make([]Hash, maxLeaves)
	for i := range leaves {
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], uint64(i))
		leaves[i] = sha256.Sum256(b[:])
	}
	for n := 1; n <= maxLeaves; n++ {
		nodes := map[Hash]bool{}
		for level := leaves[:n]; ; {
			var next []Hash
			for i, h := range level {
				nodes[h] = true
				if i%2 == 1 {
					next = append(next, pair(level[i-1], h))
				} else if i == len(level)-1 {
					next = append(next, h)
				}
			}
			if len(level) == 1 {
				break
			}
			level = next
		}
		// Archive sizes whose last leaf is full, one byte short, one byte.
		sizes := []int64{int64(n) * MiB, int64(n)*MiB - 1, int64(n-1)*MiB + 1}
		for a := 0; a < n; a++ {
			for b := a; b < n; b++ {
				want := nodes[Combine(leaves[a:b+1])]
				for _, size := range sizes {
					start, end := int64(a)*MiB, int64(b+1)*MiB-1
					if b == n-1 {
						end = size - 1
					}
					got := IsTreeHashAligned(start, end, size)
					if got != want {
						t.Fatalf("n=%d leaves %d..%d size %d: IsTreeHashAligned(%d, %d) = %v, want %v",
							n, a, b, size, start, end, got, want)
					}
					if got && !IsMiBAligned(start, end, size) {
						t.Fatalf("tree-hash-aligned %d-%d of %d is not MiB-aligned", start, end, size)
					}
					if IsTreeHashAligned(start+1, end, size) {
						t.Fatalf("unaligned start %d-%d of %d accepted", start+1, end, size)
					}
					if end > start && end%MiB != 0 && IsTreeHashAligned(start, end-1, size) {
						t.Fatalf("partial leaf %d-%d of %d accepted", start, end-1, size)
					}
				}
			}
		}
	}
}
