package glacier

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
)

// linearHash computes the linear SHA-256 of a body. For large bodies it
// hashes on its own goroutine, so that on a multi-core machine the linear
// hash, the tree hash (whose leaves have their own workers) and the copy
// into storage all proceed at once. Buffers handed to it are returned
// through Free once hashed.
type linearHash struct {
	h    hash.Hash
	in   chan []byte
	free chan []byte
	done chan struct{}
}

// pipelineBuffers is how many read buffers circulate between the reader
// and the hashing goroutine.
const pipelineBuffers = 4

func newLinearHash(async bool, bufSize int) *linearHash {
	l := &linearHash{h: sha256.New()}
	if !async {
		return l
	}
	l.in = make(chan []byte, pipelineBuffers)
	l.free = make(chan []byte, pipelineBuffers)
	l.done = make(chan struct{})
	for i := 0; i < pipelineBuffers; i++ {
		l.free <- make([]byte, bufSize)
	}
	go func() {
		defer close(l.done)
		for b := range l.in {
			l.h.Write(b)
			l.free <- b[:cap(b)]
		}
	}()
	return l
}

// bufferOrNil returns a buffer to read the next chunk into, or nil when
// the hash is synchronous or absent (the caller uses its own buffer).
func (l *linearHash) bufferOrNil() []byte {
	if l == nil || l.in == nil {
		return nil
	}
	return <-l.free
}

// write hashes b. When asynchronous, b must come from buffer() and must
// not be touched afterwards.
func (l *linearHash) write(b []byte) {
	if l.in == nil {
		l.h.Write(b)
		return
	}
	l.in <- b
}

// releaseIfAsync gives back a buffer from bufferOrNil that was not
// written; it ignores any other buffer.
func (l *linearHash) releaseIfAsync(b []byte) {
	if l != nil && l.in != nil && b != nil {
		select {
		case l.free <- b[:cap(b)]:
		default: // not one of ours
		}
	}
}

// sum finishes and returns the hex digest. It must be called once, and
// also (via close) on error paths so the goroutine ends.
func (l *linearHash) sum() string {
	l.close()
	return hex.EncodeToString(l.h.Sum(nil))
}

func (l *linearHash) close() {
	if l.in != nil {
		close(l.in)
		<-l.done
		l.in = nil
	}
}
