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
	macs sync.Pool // of *mac: HMAC-SHA256 under key (each new one costs about 700 bytes)
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

// mac is one HMAC-SHA256 under the cipher's key with its scratch: the
// bytes it hashes and its sum (an interface's arguments escape, so without
// them every pad allocated both).
type mac struct {
	h   hash.Hash
	buf []byte
	sum [sha256.Size]byte
}

func pad[T string | []byte](c *idCipher, rest T) [headLen]byte {
	m, ok := c.macs.Get().(*mac)
	if ok {
		m.h.Reset()
	} else {
		m = &mac{h: hmac.New(sha256.New, c.key)}
	}
	m.buf = append(m.buf[:0], rest...)
	m.h.Write(m.buf)
	sum := m.h.Sum(m.sum[:0])
	var p [headLen]byte
	for i := range p {
		p[i] = sum[i] & 63
	}
	c.macs.Put(m)
	return p
}

// maxStackID is the longest ID newID builds in arrays of its own stack
// (archive IDs are 138 characters); a longer one allocates its scratch.
const maxStackID = 192

// newID returns an ID of n characters hiding the head of created.
func (c *idCipher) newID(n int, created time.Time) string {
	var rnd [maxStackID * 6 / 8]byte
	var enc [maxStackID]byte
	k := (n*6 + 7) / 8
	var b, id []byte
	if l := base64.RawURLEncoding.EncodedLen(k); l <= len(enc) {
		b, id = rnd[:k], enc[:l]
	} else {
		b, id = make([]byte, k), make([]byte, l)
	}
	_, _ = rand.Read(b)
	base64.RawURLEncoding.Encode(id, b)
	id = id[:n]
	if c.key == nil || n <= headLen {
		return string(id)
	}
	h, p := orderHead(created), pad(c, id[headLen:])
	for i := range headLen {
		id[i] = b64[sortableIndex[h[i]]^int8(p[i])]
	}
	return string(id)
}

// head recovers the head an ID hides, if it can be one of the store's.
func (c *idCipher) head(id string) (h [headLen]byte, ok bool) {
	if c.key == nil || len(id) <= headLen {
		return h, false
	}
	p := pad(c, id[headLen:])
	for i := range headLen {
		v := b64Index[id[i]]
		if v < 0 {
			return h, false
		}
		h[i] = sortable[v^int8(p[i])]
	}
	return h, true
}

// direct returns the key of id's record when the ID hides the head of
// created, so that the record needs no index.
func (c *idCipher) direct(prefix []byte, id string, created time.Time) ([]byte, bool) {
	h, ok := c.head(id)
	if !ok || h != orderHead(created) {
		return nil, false
	}
	return append(append(prefix, h[:]...), id...), true
}

// lookup returns the key of id's record in bucket when it is keyed by the
// head its ID hides and exists.
func (c *idCipher) lookup(kv KV, bucket string, prefix []byte, id string) []byte {
	h, ok := c.head(id)
	if !ok {
		return nil
	}
	k := append(append(prefix, h[:]...), id...)
	if kv.Get(bucket, k) == nil {
		return nil
	}
	return k
}
