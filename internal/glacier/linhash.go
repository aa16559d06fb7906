package glacier

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
)

// linearHash computes the linear SHA-256 of a body. For large bodies it
// hashes on its own goroutine, so that on a multi-core machine the linear
// hash, the tree hash (whose leaves have their own workers) and the copy
// into storage all proceed at once. With pooled buffers, the reader reads
// into the pool's buffers (see buffer), which come back once hashed;
// without, the bytes written must stay unchanged until sum or close.
type linearHash struct {
	h    hash.Hash
	in   chan []byte
	free chan []byte // nil without pooled buffers
	done chan struct{}
}

// pipelineBuffers is how many read buffers circulate between the reader
// and the hashing goroutine.
const pipelineBuffers = 4

func newLinearHash(async, pooled bool) *linearHash {
	l := &linearHash{h: sha256.New()}
	if !async {
		return l
	}
	l.in = make(chan []byte, pipelineBuffers)
	l.done = make(chan struct{})
	if pooled {
		l.free = make(chan []byte, pipelineBuffers)
		for i := 0; i < pipelineBuffers; i++ {
			l.free <- make([]byte, copyBufSize)
		}
	}
	go func() {
		defer close(l.done)
		for b := range l.in {
			l.h.Write(b)
			if l.free != nil {
				l.free <- b[:cap(b)]
			}
		}
	}()
	return l
}

// buffer returns the buffer to read the next chunk into: one of the
// circulating buffers when hashing asynchronously, else own (the caller's
// buffer). A nil linearHash (no hash wanted) also answers own.
func (l *linearHash) buffer(own []byte) []byte {
	if l == nil || l.free == nil {
		return own
	}
	return <-l.free
}

// write hashes b, a chunk of a buffer from buffer. When asynchronous the
// buffer passes to the hashing goroutine and must not be touched again.
func (l *linearHash) write(b []byte) {
	switch {
	case l == nil:
	case l.in == nil:
		l.h.Write(b)
	default:
		l.in <- b
	}
}

// unused gives back a buffer from buffer that was not passed to write.
func (l *linearHash) unused(b []byte) {
	if l != nil && l.free != nil {
		l.free <- b[:cap(b)]
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
