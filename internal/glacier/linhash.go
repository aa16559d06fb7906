package glacier

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
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
}

// pipelineDepth is how many chunks may wait for the hashing goroutine.
const pipelineDepth = 4

func newLinearHash(async bool) *linearHash {
	l := &linearHash{h: sha256.New()}
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

// sum finishes and returns the hex digest. It must be called once, and
// also (via close) on error paths so the goroutine ends.
func (l *linearHash) sum() string {
	l.close()
	return hex.EncodeToString(l.h.Sum(nil))
}

func (l *linearHash) close() {
	if l != nil && l.in != nil {
		close(l.in)
		<-l.done
		l.in = nil
	}
}
