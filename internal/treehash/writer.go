package treehash

import (
	"crypto/sha256"
	"errors"
	"hash"
	"sync"
)

const (
	// numWorkers is the number of goroutines hashing leaves for one Writer.
	numWorkers = 2
	// maxInFlight bounds the full leaves handed to the workers and not yet
	// folded into the tree. With the leaf being filled, a Writer holds at
	// most maxInFlight+1 MiB of buffers (none for shared leaves). Eight
	// rather than three keeps the workers busy while the reader waits on
	// the network: +20% for a 1 GiB upload into the memory store.
	maxInFlight = 8
)

// ErrClosed is returned by Write after Sum or Close.
var ErrClosed = errors.New("treehash: write to finished Writer")

// leafPool recycles leaf buffers across Writers.
var leafPool = sync.Pool{New: func() any { return new([MiB]byte) }}

// job is one full or final leaf handed to the workers.
type job struct {
	buf  *[MiB]byte // a pooled copy of the leaf, or
	data []byte     // the caller's own bytes (WriteShared)
	n    int
	sum  Hash
	done chan struct{} // receives once when sum is set
}

type writerState uint8

const (
	open writerState = iota
	summed
	closed
)

// Writer computes a tree hash over a stream of writes. Create Writers with
// New; a Writer must not be copied.
//
// The first leaf (1 MiB) is hashed incrementally on the caller's goroutine
// without buffering, so a Writer that never sees more than 1 MiB starts no
// goroutine and allocates no leaf buffer. Later leaves are copied into
// pooled 1 MiB buffers and hashed by two background goroutines, at most
// eight full leaves at a time, so that the caller's goroutine stays free for
// other work (such as a linear SHA-256 over the same bytes). Memory held is
// bounded by about 9 MiB whatever the total size.
//
// Sum ends the Writer: Write after Sum returns ErrClosed, and further Sum
// calls return the same hash. Close releases the goroutines and buffers of
// a Writer whose Sum is never called; it is a no-op after Sum or Close.
// Calling Sum after Close (without an earlier Sum) panics.
//
// A Writer must not be used from several goroutines at once.
type Writer struct {
	state writerState
	size  int64

	leaf  int64     // index of the leaf being filled
	leafN int       // bytes in the leaf being filled
	first hash.Hash // hasher for leaf 0, created on its first byte
	buf   *[MiB]byte

	// In-flight jobs, oldest at ring[head]; ring slots are reused.
	ring  [maxInFlight]*job
	head  int
	count int
	jobs  chan *job // nil until the workers start
	wg    sync.WaitGroup

	// Completed subtrees over the leaves folded so far, largest first; the
	// i-th entry covers an aligned power-of-two block of leaves.
	stack  []Hash
	folded int64

	sum Hash
}

// New returns a Writer ready for the first byte of a payload.
func New() *Writer {
	return &Writer{}
}

// Size returns the number of bytes written so far.
func (w *Writer) Size() int64 { return w.size }

// Write adds p to the payload. It never fails on an open Writer.
func (w *Writer) Write(p []byte) (int, error) {
	if w.state != open {
		return 0, ErrClosed
	}
	n := len(p)
	w.size += int64(n)
	for len(p) > 0 {
		k := min(len(p), MiB-w.leafN)
		if w.leaf == 0 {
			if w.first == nil {
				w.first = sha256.New()
			}
			w.first.Write(p[:k])
		} else {
			if w.buf == nil {
				w.buf = leafPool.Get().(*[MiB]byte)
			}
			copy(w.buf[w.leafN:], p[:k])
		}
		w.leafN += k
		p = p[k:]
		if w.leafN == MiB {
			w.endLeaf()
		}
	}
	return n, nil
}

// WriteShared is Write for bytes that stay unchanged until Sum or Close
// returns (a store's own memory, say): whole leaves of p are hashed where
// they lie instead of being copied. Leaf 0 is hashed before it returns, as
// by Write.
func (w *Writer) WriteShared(p []byte) (int, error) {
	if w.state != open {
		return 0, ErrClosed
	}
	n := len(p)
	for len(p) > 0 {
		if w.leaf > 0 && w.leafN == 0 && len(p) >= MiB {
			w.size += MiB
			w.submit(p[:MiB:MiB])
			w.leaf++
			p = p[MiB:]
			continue
		}
		k := min(len(p), MiB-w.leafN)
		w.Write(p[:k])
		p = p[k:]
	}
	return n, nil
}

// endLeaf finishes the current (full, or final partial) leaf.
func (w *Writer) endLeaf() {
	if w.leaf == 0 {
		var h Hash
		w.first.Sum(h[:0])
		w.first = nil
		w.fold(h)
	} else {
		w.submit(nil)
	}
	w.leaf++
	w.leafN = 0
}

// submit hands a full leaf to the workers: shared, or else the current
// leaf buffer.
func (w *Writer) submit(shared []byte) {
	if w.jobs == nil {
		w.jobs = make(chan *job, maxInFlight)
		w.wg.Add(numWorkers)
		for range numWorkers {
			go work(w.jobs, &w.wg)
		}
	}
	if w.count == maxInFlight {
		w.retire(true)
	}
	slot := (w.head + w.count) % maxInFlight
	j := w.ring[slot]
	if j == nil {
		j = &job{done: make(chan struct{}, 1)}
		w.ring[slot] = j
	}
	if shared != nil {
		j.data, j.n = shared, len(shared)
	} else {
		j.buf, j.n = w.buf, w.leafN
		w.buf = nil
	}
	w.count++
	w.jobs <- j // never blocks: the channel holds maxInFlight jobs
}

// work hashes leaves until jobs is closed.
func work(jobs <-chan *job, wg *sync.WaitGroup) {
	defer wg.Done()
	for j := range jobs {
		if j.data != nil {
			j.sum = sha256.Sum256(j.data)
		} else {
			j.sum = sha256.Sum256(j.buf[:j.n])
		}
		j.done <- struct{}{}
	}
}

// retire waits for the oldest in-flight job, recycles its buffer and, if
// keep is set, folds its digest into the tree.
func (w *Writer) retire(keep bool) {
	j := w.ring[w.head]
	<-j.done
	if keep {
		w.fold(j.sum)
	}
	if j.buf != nil {
		leafPool.Put(j.buf)
	}
	j.buf, j.data = nil, nil
	w.head = (w.head + 1) % maxInFlight
	w.count--
}

// fold adds the next leaf digest, in order, merging equal-sized subtrees.
func (w *Writer) fold(h Hash) {
	w.stack = append(w.stack, h)
	w.folded++
	for c := w.folded; c&1 == 0; c >>= 1 {
		top := len(w.stack) - 1
		w.stack[top-1] = pair(w.stack[top-1], w.stack[top])
		w.stack = w.stack[:top]
	}
}

// stop waits for the in-flight jobs, keeping their digests if keep is set,
// and ends the workers.
func (w *Writer) stop(keep bool) {
	for w.count > 0 {
		w.retire(keep)
	}
	if w.jobs != nil {
		close(w.jobs)
		w.wg.Wait()
		w.jobs = nil
	}
	if w.buf != nil {
		leafPool.Put(w.buf)
		w.buf = nil
	}
	w.first = nil
}

// Sum returns the tree hash of everything written and ends the Writer (see
// the Writer documentation). It panics if Close was called first.
func (w *Writer) Sum() Hash {
	switch w.state {
	case summed:
		return w.sum
	case closed:
		panic("treehash: Sum after Close")
	}
	w.state = summed
	switch {
	case w.size == 0:
		w.sum = emptyHash
		return w.sum
	case w.leaf == 0: // a single partial leaf: no tree, no goroutine
		w.first.Sum(w.sum[:0])
		w.first = nil
		return w.sum
	case w.leafN > 0:
		w.endLeaf()
	}
	w.stop(true)
	// The tree over the stacked subtrees (largest first) pairs them from the
	// right: each smaller remainder is promoted until it meets its sibling.
	acc := w.stack[len(w.stack)-1]
	for i := len(w.stack) - 2; i >= 0; i-- {
		acc = pair(w.stack[i], acc)
	}
	w.sum = acc
	w.stack = nil
	return w.sum
}

// Close releases the background goroutines and buffers of the Writer. It is
// needed only when Sum is not called, e.g. for an aborted upload; it is safe
// after Sum and safe to call twice. It always returns nil.
func (w *Writer) Close() error {
	if w.state != open {
		return nil
	}
	w.state = closed
	w.stop(false)
	w.stack = nil
	return nil
}
