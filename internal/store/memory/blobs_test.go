package memory

import (
	"bytes"
	"testing"
)

// A blob deleted while a reader holds it open keeps its bytes until the
// reader closes; only then are its chunks reused.
func TestDeletedBlobReadableUntilClosed(t *testing.T) {
	s := NewBlobs()
	put := func(fill byte) string {
		w, _ := s.Create()
		w.Write(bytes.Repeat([]byte{fill}, 3*chunkSize))
		id, err := w.Commit()
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	id := put('a')
	r, err := s.Open(id)
	if err != nil {
		t.Fatal(err)
	}
	s.Delete(id)
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
