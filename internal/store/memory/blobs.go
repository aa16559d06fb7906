package memory

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"sync"
	"time"

	"permafrost/internal/glacier"
)

// chunkSize is the unit in which blob bytes are held, so that a growing
// blob never copies what it already holds.
const chunkSize = 1 << 20

// Blobs is an in-memory glacier.Blobs.
type Blobs struct {
	mu    sync.RWMutex
	blobs map[string]*memBlob

	// free holds chunks of deleted blobs for reuse: fresh memory costs a
	// page fault per page on first write, which would dominate storing.
	freeMu sync.Mutex
	free   [][]byte
}

// maxFreeChunks bounds the memory kept for reuse (1 GiB).
const maxFreeChunks = 1024

func (s *Blobs) getChunk() []byte {
	s.freeMu.Lock()
	defer s.freeMu.Unlock()
	if n := len(s.free); n > 0 {
		c := s.free[n-1]
		s.free = s.free[:n-1]
		return c[:0]
	}
	return make([]byte, 0, chunkSize)
}

func (s *Blobs) recycle(chunks [][]byte) {
	s.freeMu.Lock()
	defer s.freeMu.Unlock()
	for _, c := range chunks {
		if len(s.free) >= maxFreeChunks {
			return
		}
		s.free = append(s.free, c[:0])
	}
}

var _ glacier.Blobs = (*Blobs)(nil)

// NewBlobs returns an empty blob store.
func NewBlobs() *Blobs { return &Blobs{blobs: map[string]*memBlob{}} }

type memBlob struct {
	chunks    [][]byte
	size      int64
	committed time.Time

	// Chunks are recycled only once the blob is deleted and no reader
	// holds it open.
	mu      sync.Mutex
	readers int
	deleted bool
}

// Create implements glacier.Blobs.
func (s *Blobs) Create(ctx context.Context) (glacier.BlobWriter, error) {
	return &memWriter{s: s, b: &memBlob{}}, nil
}

type memWriter struct {
	s    *Blobs
	b    *memBlob
	lent []byte // the chunk NextChunk returned and AddChunk has not taken
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
			w.b.chunks = append(w.b.chunks, w.s.getChunk())
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

// NextChunk implements glacier.ChunkWriter: a whole chunk, recycled when
// possible.
func (w *memWriter) NextChunk() []byte {
	if w.lent == nil {
		w.lent = w.s.getChunk()
	}
	return w.lent[:chunkSize]
}

// AddChunk implements glacier.ChunkWriter.
func (w *memWriter) AddChunk(c []byte) error {
	last := len(w.b.chunks) - 1
	switch {
	case w.done:
		return errors.New("memory: write to a finished blob")
	case w.lent == nil || len(c) == 0 || len(c) > chunkSize || &c[0] != &w.lent[:1][0]:
		return errors.New("memory: AddChunk of memory not from NextChunk")
	case last >= 0 && len(w.b.chunks[last]) != chunkSize:
		return errors.New("memory: AddChunk after a partial chunk")
	}
	w.b.chunks = append(w.b.chunks, c)
	w.b.size += int64(len(c))
	w.lent = nil
	return nil
}

func (w *memWriter) Commit() (string, error) {
	if w.done {
		return "", errors.New("memory: commit of a finished blob")
	}
	w.done = true
	var b [16]byte
	_, _ = rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	w.b.committed = time.Now()
	w.s.mu.Lock()
	w.s.blobs[id] = w.b
	w.s.mu.Unlock()
	return id, nil
}

func (w *memWriter) Abort() {
	if !w.done && w.b != nil {
		w.s.recycle(w.b.chunks)
		if w.lent != nil {
			w.s.recycle([][]byte{w.lent})
		}
	}
	w.done, w.b, w.lent = true, nil, nil
}

// Open implements glacier.Blobs.
func (s *Blobs) Open(ctx context.Context, id string) (glacier.Blob, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	b, ok := s.blobs[id]
	if !ok {
		return nil, glacier.ErrNotFound
	}
	b.mu.Lock()
	b.readers++
	b.mu.Unlock()
	return &memHandle{s: s, b: b}, nil
}

// memHandle is one open reader of a blob.
type memHandle struct {
	s    *Blobs
	b    *memBlob
	once sync.Once
}

func (h *memHandle) Size() int64 { return h.b.size }

func (h *memHandle) ReadAt(p []byte, off int64) (int, error) { return h.b.ReadAt(p, off) }

func (h *memHandle) Close() error {
	h.once.Do(func() {
		b := h.b
		b.mu.Lock()
		b.readers--
		free := b.deleted && b.readers == 0
		b.mu.Unlock()
		if free {
			h.s.recycle(b.chunks)
		}
	})
	return nil
}

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
func (s *Blobs) Delete(ctx context.Context, id string) error {
	s.mu.Lock()
	b := s.blobs[id]
	delete(s.blobs, id)
	s.mu.Unlock()
	if b != nil {
		b.mu.Lock()
		b.deleted = true
		free := b.readers == 0
		b.mu.Unlock()
		if free {
			s.recycle(b.chunks)
		}
	}
	return nil
}

// List implements glacier.Blobs.
func (s *Blobs) List(ctx context.Context, fn func(id string, committed time.Time) bool) error {
	type listed struct {
		id string
		t  time.Time
	}
	s.mu.RLock()
	all := make([]listed, 0, len(s.blobs))
	for id, b := range s.blobs {
		all = append(all, listed{id, b.committed})
	}
	s.mu.RUnlock()
	for _, l := range all {
		if !fn(l.id, l.t) {
			break
		}
	}
	return nil
}
