package glacier

import (
	"context"
	"testing"
	"time"
)

// admitAsync starts an admit and returns the channel of its result.
func admitAsync(a *admission, ctx context.Context, n int64) <-chan error {
	ch := make(chan error, 1)
	go func() { ch <- a.admit(ctx, n) }()
	return ch
}

// waitQueued waits until n tickets wait.
func waitQueued(t *testing.T, a *admission, n int) {
	t.Helper()
	for range 5000 {
		a.mu.Lock()
		got := a.waiters.Len()
		a.mu.Unlock()
		if got == n {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("%d tickets never queued", n)
}

func TestAdmissionQueuesInOrder(t *testing.T) {
	ctx := context.Background()
	a := newAdmission(MinBufferMemory, time.Minute)
	tickets := int(MinBufferMemory / smallBuf)
	for i := range tickets {
		if err := a.admit(ctx, smallBuf); err != nil {
			t.Fatalf("ticket %d: %v", i, err)
		}
	}
	first := admitAsync(a, ctx, smallBuf)
	waitQueued(t, a, 1)
	second := admitAsync(a, ctx, smallBuf)
	waitQueued(t, a, 2)
	if b := a.borrow(); b != nil {
		t.Error("a big buffer was lent while tickets wait")
	}
	if !a.wanted() {
		t.Error("wanted() is false while tickets wait")
	}
	a.release(smallBuf)
	if err := <-first; err != nil {
		t.Fatalf("first waiter: %v", err)
	}
	select {
	case err := <-second:
		t.Fatalf("second waiter admitted out of turn: %v", err)
	default:
	}
	a.release(smallBuf)
	if err := <-second; err != nil {
		t.Fatalf("second waiter: %v", err)
	}
}

func TestAdmissionThrottles(t *testing.T) {
	ctx := context.Background()
	a := newAdmission(MinBufferMemory, 20*time.Millisecond)
	for a.admit(ctx, smallBuf) == nil && a.freeLocked() > 0 {
	}
	// The queue timeout.
	if err := a.admit(ctx, smallBuf); ErrorCode(err) != Throttling {
		t.Fatalf("after the queue timeout: %v, want ThrottlingException", err)
	}
	// A full queue refuses at once.
	long := newAdmission(MinBufferMemory, time.Minute)
	for long.admit(ctx, smallBuf) == nil && long.freeLocked() > 0 {
	}
	cctx, cancel := context.WithCancel(ctx)
	var waiting []<-chan error
	for range long.maxQueue {
		waiting = append(waiting, admitAsync(long, cctx, smallBuf))
	}
	waitQueued(t, long, long.maxQueue)
	if err := long.admit(ctx, smallBuf); ErrorCode(err) != Throttling {
		t.Fatalf("with a full queue: %v, want ThrottlingException", err)
	}
	// A client that goes away leaves the queue.
	cancel()
	for _, ch := range waiting {
		if err := <-ch; ErrorCode(err) != RequestTimeout {
			t.Fatalf("cancelled waiter: %v", err)
		}
	}
	waitQueued(t, long, 0)
}

func TestAdmissionBigBuffersTakeHalf(t *testing.T) {
	budget := int64(4 << 20)
	a := newAdmission(budget, time.Minute)
	var lent [][]byte
	for {
		b := a.borrow()
		if b == nil {
			break
		}
		lent = append(lent, b)
	}
	if got, want := int64(len(lent))*bigBuf, budget/2; got != want || a.bigSize != bigBuf {
		t.Fatalf("big buffers lent: %d bytes, want %d", got, want)
	}
	// Tickets still have the other half.
	for range budget / 2 / smallBuf {
		if err := a.admit(context.Background(), smallBuf); err != nil {
			t.Fatal(err)
		}
	}
	for _, b := range lent {
		a.giveBack(b)
	}
	// Spares make room for tickets.
	for range budget / 2 / smallBuf {
		if err := a.admit(context.Background(), smallBuf); err != nil {
			t.Fatal(err)
		}
	}
	if len(a.spare) != 0 || a.freeLocked() != 0 {
		t.Fatalf("spares %d, free %d after the budget was given to tickets", len(a.spare), a.freeLocked())
	}
}

// A budget too small for two big buffers lends the small size, one at a
// time, as the smallest budget always has.
func TestAdmissionSmallBudgetSmallBigBuffer(t *testing.T) {
	for _, budget := range []int64{MinBufferMemory, 1 << 20, 2<<20 - 1} {
		a := newAdmission(budget, time.Minute)
		b := a.borrow()
		if len(b) != minBigBuf || a.bigSize != minBigBuf {
			t.Fatalf("budget %d: lent %d bytes, want %d", budget, len(b), minBigBuf)
		}
	}
}
