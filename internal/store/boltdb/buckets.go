package boltdb

import (
	"sync"

	bolt "go.etcd.io/bbolt"
)

// bucketCache holds the buckets a read-only transaction has opened. bbolt
// keeps the buckets of a write transaction, but a read opens a bucket
// anew (a cursor seek on the root and an allocation) on every lookup, and
// a request reads the same bucket more than once (DescribeVault reads the
// vault's record to authorize, then to answer). Its buckets are those of
// one transaction only: release empties it when the transaction ends.
type bucketCache struct {
	n     int
	names [8]string
	bks   [8]*bolt.Bucket
}

var bucketCaches = sync.Pool{New: func() any { return new(bucketCache) }}

// get returns the bucket named b if this transaction opened it (nil
// receiver: a write transaction, whose buckets bbolt keeps).
func (c *bucketCache) get(b string) *bolt.Bucket {
	if c == nil {
		return nil
	}
	for i := 0; i < c.n; i++ {
		if c.names[i] == b {
			return c.bks[i]
		}
	}
	return nil
}

func (c *bucketCache) add(b string, bk *bolt.Bucket) {
	if c != nil && c.n < len(c.names) {
		c.names[c.n], c.bks[c.n] = b, bk
		c.n++
	}
}

func (c *bucketCache) release() {
	clear(c.bks[:c.n])
	clear(c.names[:c.n])
	c.n = 0
	bucketCaches.Put(c)
}
