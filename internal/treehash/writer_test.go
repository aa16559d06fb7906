package treehash

import (
	"errors"
	"io"
	"runtime"
	"testing"
	"time"
)

var _ io.WriteCloser = (*Writer)(nil)

func TestWriterSmallStartsNoGoroutine(t *testing.T) {
	for _, n := range []int{0, 1, 4096, MiB - 1, MiB} {
		p := randBytes(n, uint64(n))
		w := New()
		writeChunked(t, w, p, []int{4096})
		if w.jobs != nil || w.buf != nil {
			t.Errorf("size %d: workers or leaf buffer started", n)
		}
		if got, want := w.Sum(), Sum(p); got != want {
			t.Errorf("size %d: Sum = %s, want %s", n, got, want)
		}
	}
	w := New()
	writeChunked(t, w, make([]byte, MiB+1), nil)
	if w.buf == nil {
		t.Errorf("second leaf not buffered")
	}
	writeChunked(t, w, make([]byte, MiB), nil)
	if w.jobs == nil {
		t.Errorf("workers not started after a full second leaf")
	}
	w.Sum()
	if w.jobs != nil || w.buf != nil || w.count != 0 {
		t.Errorf("Sum left workers or buffers behind")
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
		held := w.count
		if w.buf != nil {
			held++
		}
		if held > maxInFlight+1 {
			t.Fatalf("%d leaf buffers held", held)
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
		writeChunked(t, w, randBytes(n, uint64(i)), []int{100000})
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
