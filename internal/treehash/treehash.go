package treehash

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
)

// MiB is the leaf size of the tree hash, 1 MiB.
const MiB = 1 << 20

// Hash is a SHA-256 digest: a leaf, an inner node or a tree hash.
type Hash [32]byte

// emptyHash is the tree hash of an empty payload, sha256("").
var emptyHash = Hash(sha256.Sum256(nil))

// String returns h as 64 lowercase hex digits.
func (h Hash) String() string {
	return hex.EncodeToString(h[:])
}

// errSyntax is returned by Parse for anything but 64 hex digits.
var errSyntax = errors.New("treehash: want 64 hex digits")

// Parse reads a hash written as exactly 64 hex digits, in either case.
func Parse(s string) (Hash, error) {
	var h Hash
	if len(s) != 2*len(h) {
		return Hash{}, errSyntax
	}
	if _, err := hex.Decode(h[:], []byte(s)); err != nil {
		return Hash{}, errSyntax
	}
	return h, nil
}

// pair returns the parent of two nodes: sha256(l || r) over the raw digests.
func pair(l, r Hash) Hash {
	var b [64]byte
	copy(b[:32], l[:])
	copy(b[32:], r[:])
	return sha256.Sum256(b[:])
}

// Sum returns the tree hash of p.
func Sum(p []byte) Hash {
	if len(p) <= MiB {
		return sha256.Sum256(p)
	}
	leaves := make([]Hash, 0, (len(p)+MiB-1)/MiB)
	for len(p) > 0 {
		n := min(len(p), MiB)
		leaves = append(leaves, sha256.Sum256(p[:n]))
		p = p[n:]
	}
	return reduce(leaves)
}

// Combine returns the root of the tree built over nodes, in order, by the
// tree hash rule: pair adjacent nodes level by level, promoting an odd last
// node. Given the tree hashes of the parts of a multipart upload (each a
// power-of-two number of MiB, all equal but the last), it returns the tree
// hash of the whole archive. Combine of no nodes is sha256(""); of one node,
// that node. nodes is not modified.
func Combine(nodes []Hash) Hash {
	switch len(nodes) {
	case 0:
		return emptyHash
	case 1:
		return nodes[0]
	}
	return reduce(append([]Hash(nil), nodes...))
}

// reduce folds level into its root in place. len(level) must be at least 1.
func reduce(level []Hash) Hash {
	for len(level) > 1 {
		next := level[:0]
		for i := 0; i < len(level); i += 2 {
			if i+1 < len(level) {
				next = append(next, pair(level[i], level[i+1]))
			} else {
				next = append(next, level[i])
			}
		}
		level = next
	}
	return level[0]
}
