package glacier

import (
	"crypto/sha256"
	"hash"
	"sync"
)

// linearHash computes the linear SHA-256 of a body, on the caller's
// goroutine, or on its own when the bytes written stay unchanged until sum
// or close (the memory store's chunks): then the linear hash, the tree hash
// (whose leaves have their own workers) and the read from the socket all
// proceed at once on a multi-core machine. Read buffers are reused as soon
// as a write returns, so they are hashed in place: holding them for another
// goroutine would cost buffers per upload.
type linearHash struct {
	h    hash.Hash
	in   chan []byte // nil when synchronous
	done chan struct{}
	dig  [sha256.Size]byte // sum's result (a slice given to h escapes)
}

// linearHashes are the idle ones: each is given back by release, once its
// goroutine, if any, has ended.
var linearHashes = sync.Pool{New: func() any { return &linearHash{h: sha256.New()} }}

// pipelineDepth is how many chunks may wait for the hashing goroutine.
const pipelineDepth = 4

func newLinearHash(async bool) *linearHash {
	l := linearHashes.Get().(*linearHash)
	l.h.Reset()
	if !async {
		return l
	}
	l.in = make(chan []byte, pipelineDepth)
	l.done = make(chan struct{})
	go func() {
		defer close(l.done)
		for b := range l.in {
			l.h.Write(b)
		}
	}()
	return l
}

// write hashes b. When asynchronous b must not change until sum or close.
// A nil linearHash (no hash wanted) ignores it.
func (l *linearHash) write(b []byte) {
	switch {
	case l == nil:
	case l.in == nil:
		l.h.Write(b)
	default:
		l.in <- b
	}
}

// sum finishes and returns the digest. It must be called at most once;
// release (or close) ends the goroutine on every path.
func (l *linearHash) sum() [sha256.Size]byte {
	l.close()
	l.h.Sum(l.dig[:0])
	return l.dig
}

// release ends l and gives it back for another body: l must not be used
// after it. A nil linearHash ignores it.
func (l *linearHash) release() {
	if l != nil {
		l.close()
		linearHashes.Put(l)
	}
}

func (l *linearHash) close() {
	if l != nil && l.in != nil {
		close(l.in)
		<-l.done
		l.in = nil
	}
}
