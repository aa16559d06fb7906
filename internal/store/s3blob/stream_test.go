package s3blob

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"

	"permafrost/internal/glacier"
	"permafrost/internal/s3test"
)

func sized(t *testing.T, s *Store, data []byte, step int) glacier.BlobWriter {
	t.Helper()
	w, err := s.CreateSized(t.Context(), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for p := data; len(p) > 0; p = p[min(len(p), step):] {
		if _, err := w.Write(p[:min(len(p), step)]); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

// TestStreamed: a sized blob is one streamed PUT, invisible until Commit.
func TestStreamed(t *testing.T) {
	srv := s3test.Start(t)
	s := open(t, srv, "stream/")
	data := pattern(3*PartSize + 12345)
	w := sized(t, s, data, 256<<10+3)
	if m := objects(t, srv, "stream/"); m != 0 {
		t.Fatalf("%d objects before Commit: the bytes are visible before they were checked", m)
	}
	id, err := w.Commit()
	if err != nil {
		t.Fatal(err)
	}
	w.Abort() // after Commit: nothing happens
	b, err := s.Open(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	got, err := io.ReadAll(io.NewSectionReader(b, 0, b.Size()))
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("read back %d bytes (%v)", len(got), err)
	}
}

// TestStreamedAbort: a streamed blob aborted part-way, after all its
// bytes, or of the wrong length leaves nothing.
func TestStreamedAbort(t *testing.T) {
	srv := s3test.Start(t)
	s := open(t, srv, "sabort/")
	data := pattern(2*PartSize + 1)
	w, _ := s.CreateSized(t.Context(), int64(len(data)))
	if _, err := w.Write(data[:PartSize+7]); err != nil {
		t.Fatal(err)
	}
	w.Abort()
	w = sized(t, s, data, 1<<20)
	w.Abort()
	w.Abort()
	w, _ = s.CreateSized(t.Context(), int64(len(data)))
	if _, err := w.Write(data[:len(data)-1]); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Commit(); err == nil {
		t.Error("Commit of fewer bytes than declared succeeded")
	}
	w.Abort()
	w, _ = s.CreateSized(t.Context(), int64(len(data)))
	if _, err := w.Write(append(data, 'x')); err == nil {
		t.Error("a write past the declared size succeeded")
	}
	w.Abort()
	// versitygw stores a cut request's bytes a moment after the cut; the
	// writer deletes them again over the next seconds.
	var last time.Duration
	for _, d := range cutDeletes {
		last += d
	}
	time.Sleep(last + 2*time.Second)
	if n, m := uploads(t, srv, "sabort/"), objects(t, srv, "sabort/"); n != 0 || m != 0 {
		t.Errorf("after aborts: %d multipart uploads, %d objects", n, m)
	}
}

// TestStreamedServerStopped: a stream to a killed object store fails, no
// hang, and leaves nothing once it is back.
func TestStreamedServerStopped(t *testing.T) {
	srv := s3test.Start(t)
	s := open(t, srv, "sstop/")
	data := pattern(4 * PartSize)
	w, _ := s.CreateSized(t.Context(), int64(len(data)))
	if _, err := w.Write(data[:PartSize]); err != nil {
		t.Fatal(err)
	}
	srv.Kill()
	done := make(chan error, 1)
	go func() {
		_, err := w.Write(data[PartSize:])
		if err == nil {
			_, err = w.Commit()
		}
		w.Abort()
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("a stream to a killed object store succeeded")
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("a stream to a killed object store hangs")
	}
	srv.Restart()
	if m := objects(t, srv, "sstop/"); m != 0 {
		t.Errorf("%d objects after the failed stream", m)
	}
	id, err := sized(t, s, data, 1<<20).Commit()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Open(t.Context(), id); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Open(t.Context(), newID()); !errors.Is(err, glacier.ErrNotFound) {
		t.Errorf("unknown blob: %v", err)
	}
}
