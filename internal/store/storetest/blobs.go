package storetest

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"

	"permafrost/internal/glacier"
)

func testBlobs(t *testing.T, s glacier.Store) {
	bs := s.Blobs()
	data := bytes.Repeat([]byte("0123456789abcdef"), 200000) // 3.2 MB, several chunks
	w, err := bs.Create(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for p := data; len(p) > 0; {
		k := min(len(p), 70001)
		if _, err := w.Write(p[:k]); err != nil {
			t.Fatal(err)
		}
		p = p[k:]
	}
	id, err := w.Commit()
	if err != nil {
		t.Fatal(err)
	}
	w.Abort() // after Commit: nothing happens
	b, err := bs.Open(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	if b.Size() != int64(len(data)) {
		t.Errorf("Size = %d", b.Size())
	}
	got, err := io.ReadAll(io.NewSectionReader(b, 0, b.Size()))
	if err != nil || !bytes.Equal(got, data) {
		t.Errorf("bytes differ (%v)", err)
	}
	buf := make([]byte, 10)
	if n, err := b.ReadAt(buf, int64(len(data))-5); n != 5 || err != io.EOF {
		t.Errorf("ReadAt past the end = %d, %v", n, err)
	}
	b.Close()
	listed := false
	_ = bs.List(t.Context(), func(x string, committed time.Time) bool {
		if x == id {
			listed = true
			// Recover's grace period is measured from this time.
			if d := time.Since(committed); d < -time.Minute || d > 10*time.Minute {
				t.Errorf("committed blob listed as committed at %v, %v ago", committed, d)
			}
		}
		return true
	})
	if !listed {
		t.Errorf("committed blob not listed")
	}
	if err := bs.Delete(t.Context(), id); err != nil {
		t.Fatal(err)
	}
	if err := bs.Delete(t.Context(), id); err != nil {
		t.Errorf("second Delete: %v", err)
	}
	if _, err := bs.Open(t.Context(), id); !errors.Is(err, glacier.ErrNotFound) {
		t.Errorf("deleted blob: %v", err)
	}
	if _, err := bs.Open(t.Context(), "no-such-blob"); !errors.Is(err, glacier.ErrNotFound) {
		t.Errorf("unknown blob: %v", err)
	}
}

func testBlobAbort(t *testing.T, s glacier.Store) {
	bs := s.Blobs()
	w, err := bs.Create(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("never committed"))
	w.Abort()
	w.Abort()
	n := 0
	_ = bs.List(t.Context(), func(string, time.Time) bool { n++; return true })
	if n != 0 {
		t.Errorf("an aborted blob is listed")
	}
}
