package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"permafrost/internal/glacier"
)

// pattern returns n bytes that differ at every offset of a seed, so a
// misplaced range shows.
func pattern(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, 7))
	b := make([]byte, n)
	for i := 0; i+8 <= n; i += 8 {
		v := r.Uint64()
		for j := range 8 {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	for i := n &^ 7; i < n; i++ {
		b[i] = byte(r.Uint32())
	}
	return b
}

// writeBlob stores data in writes of step bytes and commits it.
func writeBlob(t *testing.T, bs glacier.Blobs, data []byte, step int) string {
	t.Helper()
	w, err := bs.Create(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for p := data; len(p) > 0; {
		k := min(len(p), step)
		if _, err := w.Write(p[:k]); err != nil {
			w.Abort()
			t.Fatal(err)
		}
		p = p[k:]
	}
	id, err := w.Commit()
	if err != nil {
		w.Abort()
		t.Fatal(err)
	}
	return id
}

func checkBlob(t *testing.T, bs glacier.Blobs, id string, data []byte) {
	t.Helper()
	b, err := bs.Open(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if b.Size() != int64(len(data)) {
		t.Fatalf("Size = %d, want %d", b.Size(), len(data))
	}
	got, err := io.ReadAll(io.NewSectionReader(b, 0, b.Size()))
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("bytes differ (%d read, %v)", len(got), err)
	}
}

func listed(t *testing.T, bs glacier.Blobs) map[string]time.Time {
	t.Helper()
	m := map[string]time.Time{}
	if err := bs.List(t.Context(), func(id string, c time.Time) bool { m[id] = c; return true }); err != nil {
		t.Fatal(err)
	}
	return m
}

// testBlobLarge stores a blob of many store-sized pieces (a backend that
// sends parts while the bytes arrive sends several) plus an odd tail.
func testBlobLarge(t *testing.T, s glacier.Store) {
	data := pattern(1, 37<<20+12345)
	before := time.Now()
	id := writeBlob(t, s.Blobs(), data, 1<<20+17)
	checkBlob(t, s.Blobs(), id, data)
	c, ok := listed(t, s.Blobs())[id]
	if !ok {
		t.Fatal("large blob not listed")
	}
	// Object stores keep whole seconds.
	if c.Before(before.Add(-2*time.Second)) || c.After(time.Now().Add(2*time.Second)) {
		t.Errorf("committed at %v, written between %v and now", c, before)
	}
}

// testBlobWriters runs writers at once; each blob holds its own bytes.
func testBlobWriters(t *testing.T, s glacier.Store) {
	const n = 8
	ids := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			ids[i] = writeBlob(t, s.Blobs(), pattern(uint64(100+i), (i+1)*(3<<20)+i), 256<<10)
		})
	}
	wg.Wait()
	all := listed(t, s.Blobs())
	for i, id := range ids {
		checkBlob(t, s.Blobs(), id, pattern(uint64(100+i), (i+1)*(3<<20)+i))
		if _, ok := all[id]; !ok {
			t.Errorf("blob %d not listed", i)
		}
	}
	if len(all) != n {
		t.Errorf("%d blobs listed, %d written", len(all), n)
	}
}

// testBlobBigAbort aborts blobs after many bytes: nothing is listed, nor
// can be opened.
func testBlobBigAbort(t *testing.T, s glacier.Store) {
	bs := s.Blobs()
	for _, size := range []int{100 << 10, 21 << 20} {
		w, err := bs.Create(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		data := pattern(9, size)
		for p := data; len(p) > 0; p = p[min(len(p), 1<<20):] {
			if _, err := w.Write(p[:min(len(p), 1<<20)]); err != nil {
				t.Fatal(err)
			}
		}
		w.Abort()
		w.Abort()
		if _, err := w.Commit(); err == nil {
			t.Errorf("Commit after Abort succeeded")
		}
	}
	if got := listed(t, bs); len(got) != 0 {
		t.Errorf("aborted blobs are listed: %v", got)
	}
}

// testBlobReadAt reads ranges at odd offsets, in and out of order, across
// any internal boundary, and past the end.
func testBlobReadAt(t *testing.T, s glacier.Store) {
	data := pattern(2, 19<<20+3)
	id := writeBlob(t, s.Blobs(), data, 4<<20)
	b, err := s.Blobs().Open(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	r := rand.New(rand.NewPCG(3, 4))
	offs := []int64{0, 1, 8<<20 - 1, 8 << 20, 16<<20 - 3, int64(len(data)) - 1}
	for range 20 {
		offs = append(offs, r.Int64N(int64(len(data))))
	}
	for _, off := range offs {
		for _, n := range []int{1, 4097, 1<<20 + 5} {
			buf := make([]byte, n)
			k, err := b.ReadAt(buf, off)
			want := data[off:min(off+int64(n), int64(len(data)))]
			if k != len(want) || !bytes.Equal(buf[:k], want) {
				t.Fatalf("ReadAt(%d bytes at %d) = %d bytes, wrong or short (%v)", n, off, k, err)
			}
			if len(want) < n && err != io.EOF {
				t.Fatalf("ReadAt past the end at %d: %v, want io.EOF", off, err)
			}
			if len(want) == n && err != nil {
				t.Fatalf("ReadAt(%d bytes at %d): %v", n, off, err)
			}
		}
	}
	if k, err := b.ReadAt(make([]byte, 3), int64(len(data))); k != 0 || err != io.EOF {
		t.Errorf("ReadAt at the end = %d, %v", k, err)
	}
}

// testBlobDeleteWhileReading deletes a blob an open reader is reading:
// the reader gives the blob's bytes as far as it reads, or an error, and
// never others or a hang; the blob is gone for new readers.
func testBlobDeleteWhileReading(t *testing.T, s glacier.Store) {
	data := pattern(5, 9<<20)
	bs := s.Blobs()
	id := writeBlob(t, bs, data, 1<<20)
	b, err := bs.Open(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	buf := make([]byte, 1<<20)
	if _, err := b.ReadAt(buf, 0); err != nil {
		t.Fatal(err)
	}
	if err := bs.Delete(t.Context(), id); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		for off := int64(len(buf)); off < int64(len(data)); off += int64(len(buf)) {
			k, err := b.ReadAt(buf, off)
			if !bytes.Equal(buf[:k], data[off:off+int64(k)]) {
				done <- fmt.Errorf("a reader of a deleted blob read wrong bytes at %d", off)
				return
			}
			if err != nil {
				done <- nil // an error is allowed, as long as it says so
				return
			}
		}
		done <- nil
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Error(err)
		}
	case <-time.After(time.Minute):
		t.Fatal("a reader of a deleted blob hangs")
	}
	if _, err := bs.Open(t.Context(), id); !errors.Is(err, glacier.ErrNotFound) {
		t.Errorf("deleted blob opens: %v", err)
	}
}
