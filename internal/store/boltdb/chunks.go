package boltdb

import (
	"bytes"
	"encoding/binary"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"permafrost/internal/store/kvstore"
)

// The bodies of small archives (kvstore.BucketInline) are kept in pieces
// of at most chunkSize bytes, each under a key of its own: the body's key,
// a zero byte and the piece's index (two bytes, big-endian, so that the
// pieces sort in order right after the body's key). A value of a page or
// more makes bbolt give its leaf several pages of its own, which every
// later insert beside it allocates, reads and writes again whole: with
// 4 KiB bodies under time-ordered keys, each commit rewrote the last two
// or three bodies of the batch before it. Three pieces fill a page, so a
// commit writes about its own bodies' bytes.
//
// The pieces are ordinary keys to everything below the KV (the undo log,
// the log records, their replay), and whole values to everything above it:
// Get and Scan join them, Put and Delete replace them all. A value of up
// to chunkSize bytes is kept whole, under its own key, as is a body an
// earlier version stored: it is read as before, and replaced by pieces
// when it is written again.
const (
	chunkBucket = kvstore.BucketInline
	chunkSize   = 1024
	chunkMax    = 1 << 16 // pieces per value: a 64 MiB value at most
)

// chunked reports whether k's value in bucket b is kept in pieces: keys
// with a zero byte in them are pieces' own.
func chunked(b string, k []byte) bool {
	return b == chunkBucket && bytes.IndexByte(k, 0) < 0
}

// chunkKey appends the key of k's i-th piece to dst.
func chunkKey(dst, k []byte, i int) []byte {
	dst = append(dst, k...)
	dst = append(dst, 0)
	return binary.BigEndian.AppendUint16(dst, uint16(i))
}

// chunkOf returns the key of the value whose piece k is, and whether k is
// a piece at all.
func chunkOf(k []byte) ([]byte, bool) {
	if i := bytes.IndexByte(k, 0); i >= 0 && len(k) == i+3 {
		return k[:i], true
	}
	return nil, false
}

// pieces calls fn with each of k's pieces, in order (the slices are
// bbolt's, valid only during the call).
func pieces(bk *bolt.Bucket, k []byte, fn func(pk, pv []byte)) {
	var buf [64]byte
	c := bk.Cursor()
	for pk, pv := c.Seek(chunkKey(buf[:0], k, 0)); pk != nil; pk, pv = c.Next() {
		if base, ok := chunkOf(pk); !ok || !bytes.Equal(base, k) {
			return
		}
		fn(pk, pv)
	}
}

// getChunks returns k's value: whole, or joined from its pieces (nil if
// it has neither).
func getChunks(bk *bolt.Bucket, k []byte) []byte {
	if v := bk.Get(k); v != nil {
		return v
	}
	var v []byte
	pieces(bk, k, func(_, pv []byte) { v = append(v, pv...) })
	return v
}

// putChunks replaces k's value (whole or in pieces) with v: whole if it
// is small, else in pieces.
func (t txn) putChunks(bk *bolt.Bucket, b string, k, v []byte) error {
	if err := t.deletePieces(bk, b, k); err != nil {
		return err
	}
	if len(v) <= chunkSize {
		return t.put(bk, b, k, v)
	}
	if (len(v)+chunkSize-1)/chunkSize > chunkMax {
		return bolterrors.ErrValueTooLarge
	}
	if bk.Get(k) != nil { // stored whole until now
		if err := t.del(bk, b, k); err != nil {
			return err
		}
	}
	// No piece of k is left (deletePieces took every key that starts
	// with k and a zero byte), so the undo log notes the new pieces as
	// missing without reading them.
	var buf [64]byte
	for i := 0; len(v) > 0; i++ {
		n := min(len(v), chunkSize)
		pk := chunkKey(buf[:0], k, i)
		t.undo.noteAbsent(b, pk)
		if err := t.write(bk, b, pk, v[:n:n]); err != nil {
			return err
		}
		v = v[n:]
	}
	return nil
}

// deletePieces deletes k's pieces (not k itself).
func (t txn) deletePieces(bk *bolt.Bucket, b string, k []byte) error {
	var keys [][]byte // collected first: bbolt's cursor does not survive deletes
	pieces(bk, k, func(pk, _ []byte) { keys = append(keys, bytes.Clone(pk)) })
	for _, pk := range keys {
		if err := t.del(bk, b, pk); err != nil {
			return err
		}
	}
	return nil
}

// scanChunks is Scan over a bucket of pieces: each value once, joined.
func scanChunks(bk *bolt.Bucket, prefix, from []byte, fn func(k, v []byte) bool) {
	var key, val []byte // the value being joined
	joining := false
	c := bk.Cursor()
	for k, v := c.Seek(from); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		base, piece := chunkOf(k)
		if joining && piece && bytes.Equal(base, key) {
			val = append(val, v...)
			continue
		}
		if joining {
			if !fn(key, val) {
				return
			}
			joining = false
		}
		if !piece {
			if !fn(k, v) {
				return
			}
			continue
		}
		key, val, joining = append(key[:0], base...), append([]byte(nil), v...), true
	}
	if joining {
		fn(key, val)
	}
}
