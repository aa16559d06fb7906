package glacier

import (
	"container/list"
	"context"
	"sync"
	"time"
)

// Upload bodies are admitted through a fixed budget of buffer memory, so
// that the memory the server spends on bodies in flight does not grow with
// the number of clients.
//
// Each body holds a small ticket for as long as it is read: the buffer it
// waits for the network with (smallBuf bytes; an inline body's own size).
// A body whose reads fill that buffer, so that data is plainly flowing,
// also borrows a big buffer (bigBuf, or minBigBuf from a budget of less
// than two big buffers) from the same budget, only for as long
// as its reads keep filling a good part of it and no ticket waits, and
// never waits for one: a slow body costs its ticket, a fast one shares the
// big buffers. Tickets
// queue in arrival order when the budget is spent; a body that would wait
// longer than the queue timeout, or find the queue full, is refused with
// ThrottlingException.
const (
	smallBuf  = 16 << 10
	bigBuf    = 1 << 20
	minBigBuf = 256 << 10
	// DefaultBufferMemory is the default budget.
	DefaultBufferMemory = 32 << 20
	// DefaultQueueTimeout is how long a body waits for its ticket by
	// default.
	DefaultQueueTimeout = 30 * time.Second
)

// MinBufferMemory is the smallest budget: one big buffer of minBigBuf and
// one ticket.
const MinBufferMemory = minBigBuf + smallBuf

// admission is the budget. Its zero value is not usable; see newAdmission.
//
// Big buffers may take at most half the budget, so that tickets always
// have the other half however the big ones are held, and a body holding
// one gives it back after its next read whenever a ticket waits: big
// buffers are a bonus for flowing bodies, never a reason to queue.
type admission struct {
	mu       sync.Mutex
	budget   int64
	tickets  int64      // bytes reserved by tickets
	bigOut   int        // big buffers lent
	spare    [][]byte   // big buffers not lent, kept so a burst allocates once
	bigSize  int64      // the big buffers' size
	maxBig   int        // bigOut+len(spare) never exceeds it
	waiters  *list.List // of *waiter, oldest first
	maxQueue int
	wait     time.Duration
}

type waiter struct {
	n     int64
	ready chan struct{} // closed once the bytes are reserved for it
}

func newAdmission(budget int64, wait time.Duration) *admission {
	if budget < MinBufferMemory {
		budget = MinBufferMemory
	}
	if wait <= 0 {
		wait = DefaultQueueTimeout
	}
	big := int64(bigBuf)
	if budget/2 < bigBuf {
		big = minBigBuf
	}
	return &admission{budget: budget, bigSize: big, maxBig: max(1, int(budget/2/big)), waiters: list.New(),
		// As many bodies may wait as can be admitted at once.
		maxQueue: int(budget / smallBuf), wait: wait}
}

// admit reserves n bytes (a ticket), waiting in turn for them for at most
// the queue timeout. The caller must release them.
func (a *admission) admit(ctx context.Context, n int64) error {
	a.mu.Lock()
	if a.waiters.Len() == 0 && a.fitLocked(n) {
		a.tickets += n
		a.mu.Unlock()
		return nil
	}
	if a.waiters.Len() >= a.maxQueue {
		a.mu.Unlock()
		return Errorf(Throttling, "Too many request bodies are in progress: %d more are already waiting for buffer memory. Reduce your request rate and try again.", a.maxQueue)
	}
	w := &waiter{n: n, ready: make(chan struct{})}
	e := a.waiters.PushBack(w)
	a.mu.Unlock()

	t := time.NewTimer(a.wait)
	defer t.Stop()
	var err error
	select {
	case <-w.ready:
		return nil
	case <-t.C:
		err = Errorf(Throttling, "Too many request bodies are in progress: this one waited %v for buffer memory. Reduce your request rate and try again.", a.wait)
	case <-ctx.Done():
		err = Errorf(RequestTimeout, "The request was cancelled while waiting for buffer memory: %v", ctx.Err())
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	select {
	case <-w.ready: // granted meanwhile: give it back
		a.tickets -= n
	default:
		a.waiters.Remove(e)
	}
	// The next waiter may fit where this one did not.
	a.grantLocked()
	return err
}

// release returns a ticket's n bytes.
func (a *admission) release(n int64) {
	a.mu.Lock()
	a.tickets -= n
	a.grantLocked()
	a.mu.Unlock()
}

// freeLocked is the budget neither reserved by tickets nor held in big
// buffers, lent or spare.
func (a *admission) freeLocked() int64 {
	return a.budget - a.tickets - int64(a.bigOut+len(a.spare))*a.bigSize
}

// fitLocked reports whether n bytes are free, dropping spare buffers to
// make room.
func (a *admission) fitLocked(n int64) bool {
	for a.freeLocked() < n && len(a.spare) > 0 {
		a.spare[len(a.spare)-1] = nil
		a.spare = a.spare[:len(a.spare)-1]
	}
	return a.freeLocked() >= n
}

// grantLocked reserves bytes for waiters in arrival order while they fit.
func (a *admission) grantLocked() {
	for e := a.waiters.Front(); e != nil; e = a.waiters.Front() {
		w := e.Value.(*waiter)
		if !a.fitLocked(w.n) {
			return
		}
		a.tickets += w.n
		a.waiters.Remove(e)
		close(w.ready)
	}
}

// borrow returns a big buffer when the big buffers' half of the budget has
// room and no ticket waits, else nil. Give it back with giveBack.
func (a *admission) borrow() []byte {
	a.mu.Lock()
	defer a.mu.Unlock()
	switch {
	case a.waiters.Len() > 0:
		return nil
	case len(a.spare) > 0:
		b := a.spare[len(a.spare)-1]
		a.spare = a.spare[:len(a.spare)-1]
		a.bigOut++
		return b
	case a.bigOut >= a.maxBig || a.freeLocked() < a.bigSize:
		return nil
	}
	a.bigOut++
	return make([]byte, a.bigSize)
}

// wanted reports whether a ticket waits: a body holding a big buffer
// should then give it back.
func (a *admission) wanted() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.waiters.Len() > 0
}

// giveBack returns a buffer from borrow: kept as a spare, or dropped when
// tickets wait for its bytes.
func (a *admission) giveBack(b []byte) {
	a.mu.Lock()
	a.bigOut--
	if a.waiters.Len() > 0 {
		a.grantLocked()
	} else {
		a.spare = append(a.spare, b[:a.bigSize])
	}
	a.mu.Unlock()
}

// smallBufs recycles the tickets' buffers; their number is bounded by the
// budget.
var smallBufs = sync.Pool{New: func() any { return new([smallBuf]byte) }}

// AdmitBody reserves buffer memory for a request body of n bytes that is
// read whole rather than streamed (a control-plane JSON body), from the
// same budget as upload bodies, so that many slow senders of large JSON
// bodies cannot hold more memory than uploads can. n below a ticket counts
// as a ticket; above half the budget (a body of unknown length, with a
// small budget), it counts as half. It waits, and refuses, as uploads do.
// The caller calls release once the body is read.
func (s *Service) AdmitBody(ctx context.Context, n int64) (release func(), err error) {
	n = min(max(n, smallBuf), s.admit.budget/2)
	if err := s.admit.admit(ctx, n); err != nil {
		return nil, err
	}
	return func() { s.admit.release(n) }, nil
}
