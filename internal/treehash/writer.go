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
	// maxInFlight bounds the shared leaves handed to the workers and not
	// yet folded into the tree. Eight rather than three keeps the workers
	// busy while the reader waits on the network: +20% for a 1 GiB upload
	// into the memory store.
	maxInFlight = 8
)

// ErrClosed is returned by Write after Sum or Close.
var ErrClosed = errors.New("treehash: write to finished Writer")

// job is one leaf in flight: shared bytes handed to the workers, or a leaf
// already hashed on the caller's goroutine that waits for the older ones
// to be folded first.
type job struct {
	data []byte // the caller's own bytes (WriteShared); nil once hashed
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
// Bytes given to Write are hashed incrementally on the caller's goroutine,
// leaf by leaf, and never buffered: a Writer holds no leaf buffer however
// slowly its bytes arrive, and one fed only by Write starts no goroutine.
// Whole leaves given to WriteShared are hashed where they lie by two
// background goroutines, at most eight at a time, so that the caller's
// goroutine stays free for other work (such as a linear SHA-256 over the
// same bytes).
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
	cur   hash.Hash // hasher of the leaf being filled, reused across leaves

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
		if w.cur == nil {
			w.cur = sha256.New()
		}
		w.cur.Write(p[:k])
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
// they lie on the background goroutines. Leaf 0, and bytes that do not
// make a whole leaf, are hashed before it returns, as by Write.
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

// endLeaf finishes the current (full, or final partial) leaf, hashed on
// the caller's goroutine. Its digest is folded at once unless older leaves
// are still with the workers; then it queues behind them.
func (w *Writer) endLeaf() {
	var h Hash
	w.cur.Sum(h[:0])
	w.cur.Reset()
	if w.count == 0 {
		w.fold(h)
	} else {
		j := w.push()
		j.sum = h
		j.done <- struct{}{}
	}
	w.leaf++
	w.leafN = 0
}

// push takes the next ring slot, waiting for the oldest job when all are
// in flight.
func (w *Writer) push() *job {
	if w.count == maxInFlight {
		w.retire(true)
	}
	slot := (w.head + w.count) % maxInFlight
	j := w.ring[slot]
	if j == nil {
		j = &job{done: make(chan struct{}, 1)}
		w.ring[slot] = j
	}
	w.count++
	return j
}

// submit hands a full shared leaf to the workers.
func (w *Writer) submit(shared []byte) {
	if w.jobs == nil {
		w.jobs = make(chan *job, maxInFlight)
		w.wg.Add(numWorkers)
		for range numWorkers {
			go work(w.jobs, &w.wg)
		}
	}
	j := w.push()
	j.data = shared
	w.jobs <- j // never blocks: the channel holds maxInFlight jobs
}

// work hashes leaves until jobs is closed.
func work(jobs <-chan *job, wg *sync.WaitGroup) {
	defer wg.Done()
	for j := range jobs {
		j.sum = sha256.Sum256(j.data)
		j.done <- struct{}{}
	}
}

// retire waits for the oldest in-flight job, drops its bytes and, if keep
// is set, folds its digest into the tree.
func (w *Writer) retire(keep bool) {
	j := w.ring[w.head]
	<-j.done
	if keep {
		w.fold(j.sum)
	}
	j.data = nil
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
	w.cur = nil
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
		w.cur.Sum(w.sum[:0])
		w.cur = nil
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
