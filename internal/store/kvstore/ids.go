package kvstore

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"sync"
	"time"
)

// The store issues archive, job and upload IDs (glacier.Store.NewID) so
// that it can key their records without an index. An ID is 11 characters
// that hide the record's creation-time head, then random characters: the
// head XOR an HMAC-SHA256 of the random part under a key kept in the store.
// Without the key the first 11 characters are as random as the rest (the
// ID reveals no time); with it, the store finds a record's key from its
// ID alone, and new records are written in time order, at the end of the
// B-tree, as when IDs began with the time in clear. Records whose IDs the
// store did not issue (or issued for another creation time) go through the
// index of order.go instead.

const settingIDKey = "kvstore/id-key"

// idCipher hides and recovers heads; a nil key disables it (every record
// then goes through the index).
type idCipher struct {
	key  []byte
	macs sync.Pool // of hash.Hash: HMAC-SHA256 under key (each new one costs about 700 bytes)
}

// loadIDCipher reads the store's key, creating it on first use. The key
// is a record of the store, so every process sharing the store masks IDs
// with the same key: of processes creating it at once, a serializable
// engine keeps one key and the others re-run and read it. Without the key
// (err != nil) the cipher is disabled, which is correct but slower.
func loadIDCipher(eng Engine) (*idCipher, error) {
	var key []byte
	err := eng.Update(context.Background(), func(kv KV) error { // at open: no request to cancel it
		if v := kv.Get(bSettings, []byte(settingIDKey)); len(v) == sha256.Size {
			key = bytes.Clone(v)
			return nil
		}
		key = make([]byte, sha256.Size)
		_, _ = rand.Read(key) // crypto/rand.Read never fails on supported platforms
		return kv.Put(bSettings, []byte(settingIDKey), key)
	})
	if err != nil {
		return &idCipher{}, err
	}
	return &idCipher{key: key}, nil
}

const b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

var b64Index, sortableIndex = func() (a, b [256]int8) {
	for i := range a {
		a[i], b[i] = -1, -1
	}
	for i := 0; i < 64; i++ {
		a[b64[i]], b[sortable[i]] = int8(i), int8(i)
	}
	return
}()

func (c *idCipher) pad(rest string) [headLen]byte {
	m, ok := c.macs.Get().(hash.Hash)
	if ok {
		m.Reset()
	} else {
		m = hmac.New(sha256.New, c.key)
	}
	m.Write([]byte(rest))
	var sum [sha256.Size]byte
	m.Sum(sum[:0])
	c.macs.Put(m)
	var p [headLen]byte
	for i := range p {
		p[i] = sum[i] & 63
	}
	return p
}

// newID returns an ID of n characters hiding the head of created.
func (c *idCipher) newID(n int, created time.Time) string {
	b := make([]byte, (n*6+7)/8)
	_, _ = rand.Read(b)
	id := []byte(base64.RawURLEncoding.EncodeToString(b)[:n])
	if c.key == nil || n <= headLen {
		return string(id)
	}
	h, p := orderHead(created), c.pad(string(id[headLen:]))
	for i := range headLen {
		id[i] = b64[sortableIndex[h[i]]^int8(p[i])]
	}
	return string(id)
}

// head recovers the head an ID hides, if it can be one of the store's.
func (c *idCipher) head(id string) ([]byte, bool) {
	if c.key == nil || len(id) <= headLen {
		return nil, false
	}
	p := c.pad(id[headLen:])
	h := make([]byte, headLen)
	for i := range headLen {
		v := b64Index[id[i]]
		if v < 0 {
			return nil, false
		}
		h[i] = sortable[v^int8(p[i])]
	}
	return h, true
}

// direct returns the key of id's record when the ID hides the head of
// created, so that the record needs no index.
func (c *idCipher) direct(prefix []byte, id string, created time.Time) ([]byte, bool) {
	h, ok := c.head(id)
	if !ok || !bytes.Equal(h, orderHead(created)) {
		return nil, false
	}
	return append(append(prefix, h...), id...), true
}

// lookup returns the key of id's record in bucket when it is keyed by the
// head its ID hides and exists.
func (c *idCipher) lookup(kv KV, bucket string, prefix []byte, id string) []byte {
	h, ok := c.head(id)
	if !ok {
		return nil
	}
	k := append(append(prefix, h...), id...)
	if kv.Get(bucket, k) == nil {
		return nil
	}
	return k
}
