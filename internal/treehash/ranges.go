package treehash

import (
	"errors"
	"math"
	"strconv"
	"strings"
)

// IsMiBAligned reports whether the inclusive byte range start-end of an
// archive of size bytes is megabyte aligned, as Glacier requires of a
// retrieval range: it lies within the archive, starts on a MiB boundary and
// ends one byte before a MiB boundary or at the last byte of the archive.
func IsMiBAligned(start, end, size int64) bool {
	if start < 0 || start > end || end >= size {
		return false
	}
	return start%MiB == 0 && ((end+1)%MiB == 0 || end == size-1)
}

// IsTreeHashAligned reports whether the inclusive byte range start-end of an
// archive of size bytes is tree-hash aligned: the tree hash of the range's
// bytes is a node of the archive's tree, so it can be checked against the
// archive's tree hash. That holds iff start is a multiple of 2^i MiB and
// end+1 = min(start + 2^i MiB, size) for some i >= 0. The whole archive is
// always tree-hash aligned.
func IsTreeHashAligned(start, end, size int64) bool {
	if start < 0 || start > end || end >= size {
		return false
	}
	rest := size - start
	for step := int64(MiB); ; step <<= 1 {
		if start&(step-1) != 0 {
			return false
		}
		if step >= rest {
			return end == size-1
		}
		if end+1 == start+step {
			return true
		}
		if step > math.MaxInt64/2 {
			// The next step, 2^63, exceeds rest and only start 0 is a
			// multiple of it.
			return start == 0 && end == size-1
		}
	}
}

var errRange = errors.New(`treehash: range must be "start-end" in decimal with start <= end`)

// ParseRange parses an inclusive byte range written "start-end": two
// non-negative decimal integers without sign, spaces or leading zeros, each
// fitting in an int64, with start <= end. It does not check the range
// against an archive size.
func ParseRange(s string) (start, end int64, err error) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return 0, 0, errRange
	}
	if start, ok = parseUint(a); !ok {
		return 0, 0, errRange
	}
	if end, ok = parseUint(b); !ok {
		return 0, 0, errRange
	}
	if start > end {
		return 0, 0, errRange
	}
	return start, end, nil
}

// parseUint parses a canonical non-negative decimal int64.
func parseUint(s string) (int64, bool) {
	if s == "" || (s[0] == '0' && len(s) > 1) {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	return v, err == nil
}
