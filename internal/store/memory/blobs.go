package memory

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"sync"

	"permafrost/internal/glacier"
)

// chunkSize is the unit in which blob bytes are held, so that a growing
// blob never copies what it already holds.
const chunkSize = 1 << 20

// Blobs is an in-memory glacier.Blobs.
type Blobs struct {
	mu    sync.RWMutex
	blobs map[string]*memBlob
}

var _ glacier.Blobs = (*Blobs)(nil)

// NewBlobs returns an empty blob store.
func NewBlobs() *Blobs { return &Blobs{blobs: map[string]*memBlob{}} }

type memBlob struct {
	chunks [][]byte
	size   int64
}

// Create implements glacier.Blobs.
func (s *Blobs) Create() (glacier.BlobWriter, error) { return &memWriter{s: s, b: &memBlob{}}, nil }

type memWriter struct {
	s    *Blobs
	b    *memBlob
	done bool
}

func (w *memWriter) Write(p []byte) (int, error) {
	if w.done {
		return 0, errors.New("memory: write to a finished blob")
	}
	n := len(p)
	for len(p) > 0 {
		last := len(w.b.chunks) - 1
		if last < 0 || len(w.b.chunks[last]) == chunkSize {
			w.b.chunks = append(w.b.chunks, make([]byte, 0, chunkSize))
			last++
		}
		c := w.b.chunks[last]
		k := min(chunkSize-len(c), len(p))
		w.b.chunks[last] = append(c, p[:k]...)
		p = p[k:]
	}
	w.b.size += int64(n)
	return n, nil
}

func (w *memWriter) Commit() (string, error) {
	if w.done {
		return "", errors.New("memory: commit of a finished blob")
	}
	w.done = true
	var b [16]byte
	_, _ = rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	w.s.mu.Lock()
	w.s.blobs[id] = w.b
	w.s.mu.Unlock()
	return id, nil
}

func (w *memWriter) Abort() { w.done, w.b = true, nil }

// Open implements glacier.Blobs.
func (s *Blobs) Open(id string) (glacier.Blob, error) {
	s.mu.RLock()
	b, ok := s.blobs[id]
	s.mu.RUnlock()
	if !ok {
		return nil, glacier.ErrNotFound
	}
	return b, nil
}

func (b *memBlob) Size() int64  { return b.size }
func (b *memBlob) Close() error { return nil }

func (b *memBlob) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("memory: negative offset")
	}
	n := 0
	for len(p) > 0 && off < b.size {
		c := b.chunks[off/chunkSize][off%chunkSize:]
		k := copy(p, c)
		n += k
		p = p[k:]
		off += int64(k)
	}
	if len(p) > 0 {
		return n, io.EOF
	}
	return n, nil
}

// Delete implements glacier.Blobs.
func (s *Blobs) Delete(id string) error {
	s.mu.Lock()
	delete(s.blobs, id)
	s.mu.Unlock()
	return nil
}

// List implements glacier.Blobs.
func (s *Blobs) List(fn func(id string) bool) error {
	s.mu.RLock()
	ids := make([]string, 0, len(s.blobs))
	for id := range s.blobs {
		ids = append(ids, id)
	}
	s.mu.RUnlock()
	for _, id := range ids {
		if !fn(id) {
			break
		}
	}
	return nil
}
