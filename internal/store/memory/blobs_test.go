package memory

import (
	"bytes"
	"testing"

	"permafrost/internal/glacier"
)

// A blob deleted while a reader holds it open keeps its bytes until the
// reader closes; only then are its chunks reused.
func TestDeletedBlobReadableUntilClosed(t *testing.T) {
	s := NewBlobs()
	put := func(fill byte) string {
		w, _ := s.Create(t.Context())
		w.Write(bytes.Repeat([]byte{fill}, 3*chunkSize))
		id, err := w.Commit()
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	id := put('a')
	r, err := s.Open(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	s.Delete(t.Context(), id)
	put('b') // must not reuse the open blob's chunks
	buf := make([]byte, 3*chunkSize)
	if _, err := r.ReadAt(buf, 0); err != nil || !bytes.Equal(buf, bytes.Repeat([]byte{'a'}, 3*chunkSize)) {
		t.Fatalf("an open reader saw other bytes (%v)", err)
	}
	r.Close()
	r.Close()
	if len(s.free) != 3 {
		t.Errorf("free chunks after the last close = %d, want 3", len(s.free))
	}
}

// Bodies read straight into chunks (glacier.ChunkWriter) read back like
// written ones, and misuse is refused rather than corrupting the blob.
func TestChunkWriter(t *testing.T) {
	s := NewBlobs()
	w, _ := s.Create(t.Context())
	cw := w.(glacier.ChunkWriter)
	want := make([]byte, 0, 2*chunkSize+5)
	for i, n := range []int{chunkSize, chunkSize, 5} {
		c := cw.NextChunk()
		if len(c) != chunkSize {
			t.Fatalf("NextChunk gave %d bytes", len(c))
		}
		for j := range c[:n] {
			c[j] = byte(i*7 + j)
		}
		if err := cw.AddChunk(c[:n]); err != nil {
			t.Fatal(err)
		}
		want = append(want, c[:n]...)
	}
	if err := cw.AddChunk(cw.NextChunk()[:1]); err == nil {
		t.Error("a chunk after a partial one was accepted")
	}
	if err := cw.AddChunk(make([]byte, 10)); err == nil {
		t.Error("memory not from NextChunk was accepted")
	}
	id, err := w.Commit()
	if err != nil {
		t.Fatal(err)
	}
	r, _ := s.Open(t.Context(), id)
	defer r.Close()
	got := make([]byte, r.Size())
	if n, err := r.ReadAt(got, 0); n != len(want) || err != nil || !bytes.Equal(got, want) {
		t.Fatalf("read back %d bytes (%v), equal %v", n, err, bytes.Equal(got, want))
	}

	// An aborted writer gives back its chunks, including one lent but
	// never added.
	free := len(s.free)
	w, _ = s.Create(t.Context())
	cw = w.(glacier.ChunkWriter)
	cw.AddChunk(cw.NextChunk())
	cw.NextChunk()
	w.Abort()
	if len(s.free) != free+2 {
		t.Errorf("free chunks after Abort: %d, want %d", len(s.free), free+2)
	}
}
