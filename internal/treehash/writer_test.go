package treehash

import (
	"errors"
	"io"
	"runtime"
	"testing"
	"time"
)

var _ io.WriteCloser = (*Writer)(nil)

// Write hashes on the caller's goroutine and buffers nothing, however the
// bytes come; only whole shared leaves go to the workers.
func TestWriterWriteStartsNoGoroutine(t *testing.T) {
	for _, n := range []int{0, 1, 4096, MiB - 1, MiB, MiB + 1, 3*MiB + 5} {
		p := randBytes(n, uint64(n))
		w := New()
		writeChunked(t, w, p, []int{4096, MiB, 100000})
		if w.jobs != nil || w.count != 0 {
			t.Errorf("size %d: workers started or leaves held", n)
		}
		if got, want := w.Sum(), Sum(p); got != want {
			t.Errorf("size %d: Sum = %s, want %s", n, got, want)
		}
	}
	w := New()
	p := randBytes(3*MiB, 3)
	w.Write(p[:MiB])
	w.WriteShared(p[MiB : 2*MiB])
	if w.jobs == nil {
		t.Errorf("workers not started after a shared second leaf")
	}
	w.Write(p[2*MiB:]) // a leaf hashed here while the shared one may be in flight
	if got, want := w.Sum(), Sum(p); got != want {
		t.Errorf("mixed: Sum = %s, want %s", got, want)
	}
	if w.jobs != nil || w.count != 0 {
		t.Errorf("Sum left workers or jobs behind")
	}
}

func TestWriterSmallAllocs(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("allocation counts are not meaningful here")
	}
	p := make([]byte, 4096)
	allocs := testing.AllocsPerRun(100, func() {
		w := New()
		w.Write(p)
		w.Sum()
	})
	if allocs > 3 {
		t.Errorf("4 KiB New/Write/Sum: %v allocations, want at most 3", allocs)
	}
}

func TestWriterMemoryBounded(t *testing.T) {
	w := New()
	defer w.Close()
	chunk := make([]byte, 256<<10)
	for range 64 * 4 {
		w.Write(chunk)
		if w.count != 0 {
			t.Fatalf("%d leaves held", w.count)
		}
		if len(w.stack) > 8 {
			t.Fatalf("stack of %d subtrees after %d bytes", len(w.stack), w.Size())
		}
	}
}

func TestWriterLifecycle(t *testing.T) {
	p := randBytes(3*MiB+5, 7)
	want := Sum(p)

	w := New()
	w.Write(p)
	if got := w.Sum(); got != want {
		t.Fatalf("Sum = %s, want %s", got, want)
	}
	if got := w.Sum(); got != want {
		t.Errorf("second Sum = %s, want %s", got, want)
	}
	if n, err := w.Write([]byte("x")); n != 0 || !errors.Is(err, ErrClosed) {
		t.Errorf("Write after Sum = %d, %v; want 0, ErrClosed", n, err)
	}
	if w.Size() != int64(len(p)) {
		t.Errorf("Size after Sum = %d", w.Size())
	}
	if err := w.Close(); err != nil {
		t.Errorf("Close after Sum: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}

	w = New()
	w.Write(p)
	if err := w.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if n, err := w.Write([]byte("x")); n != 0 || !errors.Is(err, ErrClosed) {
		t.Errorf("Write after Close = %d, %v; want 0, ErrClosed", n, err)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Errorf("Sum after Close did not panic")
			}
		}()
		w.Sum()
	}()
}

// settleGoroutines waits until at most want goroutines run, and returns the
// last count seen.
func settleGoroutines(want int) int {
	deadline := time.Now().Add(5 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= want || time.Now().After(deadline) {
			return n
		}
		time.Sleep(time.Millisecond)
	}
}

func TestWriterNoGoroutineLeak(t *testing.T) {
	base := settleGoroutines(runtime.NumGoroutine())
	sizes := []int{0, 10, MiB, MiB + 1, 2 * MiB, 5*MiB + 3, 9 * MiB}
	var ws []*Writer
	for i, n := range sizes {
		w := New()
		w.WriteShared(randBytes(n, uint64(i)))
		ws = append(ws, w)
	}
	if n := runtime.NumGoroutine(); n <= base {
		t.Fatalf("expected background workers, goroutines %d, before %d", n, base)
	}
	for i, w := range ws {
		if i%2 == 0 {
			w.Sum() // then Close below is a no-op
		}
		w.Close()
	}
	if n := settleGoroutines(base); n > base {
		buf := make([]byte, 1<<16)
		t.Fatalf("goroutines: %d after Close, %d before\n%s", n, base, buf[:runtime.Stack(buf, true)])
	}
}
